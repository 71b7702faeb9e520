"""The minutes in a real browser: the secretariat writes notes during the session, a director
watching the minutes sees them appear, then circulation, a comment, approval, and a locked text."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from planner.extensions import db
from planner.meetings import rules as meeting_rules
from planner.meetings.models import Meeting
from tests.browser.conftest import log_in, screenshot


def _founding_meeting(app, transition: str | None = None) -> int:
    with app.app_context():
        meeting = db.session.scalar(select(Meeting).order_by(Meeting.starts_at))
        if transition:
            meeting_rules.move_meeting(None, meeting, transition)
            db.session.commit()
        meeting_id = meeting.id
        db.session.remove()
        return meeting_id


def test_minutes_are_written_live_circulated_commented_approved_and_locked(browser, live_server):
    meeting_id = _founding_meeting(live_server.app, "open")  # the session starts
    minutes_url = f"{live_server.url}/meetings/{meeting_id}/minutes"

    secretariat = browser.new_context(locale="fr-FR").new_page()
    director = browser.new_context(locale="fr-FR").new_page()
    log_in(secretariat, live_server, "secretariat@example.org")
    log_in(director, live_server, "director.menara@example.org")
    director.goto(minutes_url)
    expect(director.get_by_role("heading", level=1)).to_contain_text("Procès-verbal :")
    expect(director.locator("#minutes-document")).not_to_contain_text("taille critique atteinte")

    # The secretariat writes the notes of the staffing item during the session.
    secretariat.goto(minutes_url)
    secretariat.get_by_role("link", name="Rédiger les notes").click()
    section = secretariat.locator("section", has_text="Recrutement de permanents")
    section.get_by_label("Notes").fill(
        "Tour de table : plusieurs membres attendent que la **taille critique** soit atteinte."
    )
    section.get_by_role("button", name="Enregistrer les notes de ce point").click()
    expect(
        secretariat.get_by_text("Notes sur « Recrutement de permanents » enregistrées.")
    ).to_be_visible()

    # The director, who did not reload, sees the notes arrive.
    expect(director.locator("#minutes-document strong", has_text="taille critique")).to_be_visible(
        timeout=15_000
    )
    screenshot(director, "minutes-live-director")

    # The meeting closes; the secretariat circulates the minutes.
    _founding_meeting(live_server.app, "close")
    secretariat.goto(minutes_url)
    secretariat.get_by_role("button", name="Diffuser aux directeurs pour commentaires").click()
    expect(secretariat.get_by_text("Le procès-verbal est diffusé")).to_be_visible()

    # The director is told on the home page, and comments on the item.
    director.goto(live_server.url + "/")
    director.get_by_role(
        "link", name=re.compile("Réunion stratégique de Maroc Cluster")
    ).last.click()
    director.get_by_label("Sur").select_option(label="4. Recrutement de permanents")
    director.get_by_label("Votre commentaire").fill("Préciser que Menara partage cet avis.")
    director.get_by_role("button", name="Envoyer le commentaire").click()
    expect(director.get_by_text("Votre commentaire a été transmis au secrétariat.")).to_be_visible()

    # The secretariat reads the comment and approves.
    secretariat.goto(minutes_url)
    expect(secretariat.get_by_text("Préciser que Menara partage cet avis.")).to_be_visible()
    secretariat.get_by_text("Enregistrer l'approbation de ce procès-verbal").click()
    secretariat.get_by_label("Approuvé par").select_option("secretariat")
    secretariat.get_by_label("Base et remarques").fill("Aucune objection reçue dans les 15 jours.")
    secretariat.get_by_role("button", name="Approuver et verrouiller").click()
    expect(secretariat.get_by_text("Le procès-verbal est approuvé et verrouillé.")).to_be_visible()
    fingerprint = secretariat.locator(".fingerprint code").first.inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", fingerprint)
    screenshot(secretariat, "minutes-approved")

    # The text can no longer be edited: no notes editor, only dated errata.
    expect(secretariat.get_by_role("link", name="Rédiger les notes")).to_have_count(0)
    secretariat.goto(f"{live_server.url}/meetings/{meeting_id}/minutes/notes")
    expect(secretariat.get_by_text("approuvé et verrouillé")).to_be_visible()
    expect(secretariat.get_by_role("button", name="Ajouter un erratum daté")).to_be_visible()
    director.goto(minutes_url)
    expect(director.locator(".fingerprint code").first).to_have_text(fingerprint)
