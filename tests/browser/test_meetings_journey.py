"""The secretariat prepares a meeting in a real browser: a three-item agenda, reordered,
convened, attendance with a proxy, and the quorum changing; then the live session followed
by an observer without reloading."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot


def _agenda_titles(page) -> list[str]:
    rows = page.locator("table.agenda-table tbody th[scope=row]")
    return [text.split("\n")[0].strip() for text in rows.all_inner_texts()]


def test_secretariat_builds_an_agenda_records_attendance_and_sees_the_quorum(page, live_server):
    log_in(page, live_server, "secretariat@example.org")
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Réunions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Réunions")
    expect(page.get_by_role("link", name=re.compile("Réunion stratégique de Maroc Cluster"))
           ).to_be_visible()  # the demo's founding meeting

    page.get_by_role("link", name="Nouvelle réunion").click()
    page.get_by_label("Titre").fill("Comité de suivi du plan d'actions")
    page.get_by_label("Début").fill("2026-06-10T10:00")
    page.get_by_label("Fin").fill("2026-06-10T12:00")
    page.get_by_label("Lieu").fill("Technopark de Casablanca")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text("Réunion créée en préparation")).to_be_visible()
    expect(page.get_by_text("mercredi 10 juin 2026, de 10:00 à 12:00")).to_be_visible()

    page.get_by_role("link", name="Établir l'ordre du jour").click()
    page.get_by_role("link", name="Ajouter un point", exact=True).click()
    for title, kind, minutes in (("Accueil et quorum", "Information", "10"),
                                 ("Budget 2017", "Décision", "40"),
                                 ("Statut juridique", "Décision", "30")):
        page.get_by_label("Titre").fill(title)
        page.get_by_label("Nature").select_option(label=kind)
        page.get_by_label("Temps prévu (minutes)").fill(minutes)
        page.get_by_role("button", name="Enregistrer et en ajouter un autre").click()
        expect(page.get_by_text(f"Point « {title} » ajouté à l'ordre du jour.")).to_be_visible()
    page.get_by_role("link", name="Annuler").click()
    assert _agenda_titles(page) == ["Accueil et quorum", "Budget 2017", "Statut juridique"]

    page.get_by_role("button", name="Monter « Statut juridique »").click()
    expect(page.get_by_text("« Statut juridique » est maintenant le point 2.")).to_be_visible()
    assert _agenda_titles(page) == ["Accueil et quorum", "Statut juridique", "Budget 2017"]
    expect(page.locator("tr", has_text="Budget 2017")).to_contain_text("10:40–11:20")
    screenshot(page, "meetings-agenda")

    page.get_by_role("link", name="Retour à la réunion").click()
    page.get_by_role("link", name="Convoquer la réunion…").click()
    page.get_by_role("button", name="Convoquer la réunion").click()
    expect(page.get_by_text("Cochez la case pour confirmer.")).to_be_visible()
    page.get_by_label("Je confirme").check()
    page.get_by_role("button", name="Convoquer la réunion").click()
    expect(page.get_by_text("La réunion est convoquée")).to_be_visible()

    page.get_by_role("link", name="Enregistrer les présences").click()
    expect(page.get_by_text("Quorum non atteint : 0 clusters membres sur 13")).to_be_visible()
    for cluster in ("CE3M", "MNC", "Menara", "Solaire", "Denim", "Smart City"):
        page.get_by_label(f"Présence de {cluster}", exact=True).select_option("present")
    page.get_by_label("Présence de Océanopôle").select_option("represented")
    page.get_by_label("Procuration de Océanopôle détenue par").select_option(label="CE3M")
    page.get_by_role("button", name="Enregistrer les présences").click()
    expect(page.get_by_text("Quorum atteint : 7 clusters membres sur 13 présents ou "
                            "représentés (7 requis).")).to_be_visible()
    ce3m_row = page.locator("tbody tr").filter(
        has=page.locator("th[scope=row]", has_text=re.compile(r"^\s*CE3M")))
    expect(ce3m_row.locator("th")).to_contain_text("détient la procuration de Océanopôle")
    screenshot(page, "meetings-attendance")

    # A second proxy to the same holder is refused, and nothing changes.
    page.get_by_label("Présence de Haliopôlis").select_option("represented")
    page.get_by_label("Procuration de Haliopôlis détenue par").select_option(label="CE3M")
    page.get_by_role("button", name="Enregistrer les présences").click()
    expect(page.get_by_text("CE3M détient déjà le maximum de 1 procuration")).to_be_visible()
    expect(page.get_by_text("Quorum atteint : 7 clusters membres sur 13")).to_be_visible()

    page.get_by_role("link", name="Retour à la réunion").click()
    expect(page.get_by_text("Quorum atteint : 7 clusters membres sur 13")).to_be_visible()
    expect(page.get_by_text("représenté par CE3M")).to_be_visible()


def test_observer_follows_the_live_session_without_reloading(browser, live_server):
    secretariat = browser.new_context(locale="fr-FR")
    observer = browser.new_context(locale="fr-FR")
    try:
        office, watcher = secretariat.new_page(), observer.new_page()
        log_in(office, live_server, "secretariat@example.org")
        office.goto(f"{live_server.url}/meetings/")
        office.get_by_role("link", name=re.compile("Réunion stratégique de Maroc Cluster")).click()
        office.get_by_role("link", name="Ouvrir la séance…").click()
        office.get_by_label("Je confirme").check()
        office.get_by_role("button", name="Ouvrir la séance").click()
        expect(office.get_by_role("heading", name="Point en cours")).to_be_visible()
        live_url = office.url

        log_in(watcher, live_server, "observer@example.org")
        watcher.goto(live_url)
        current = watcher.locator(".live-current__title")
        expect(current).to_have_text("1. Revue des actions précédentes")
        expect(watcher.get_by_role("button", name="Passer au point suivant")).to_have_count(0)

        office.get_by_role("button", name="Passer au point suivant").click()
        expect(office.locator(".live-current__title")).to_have_text(
            "2. Stratégie de moyen et long termes")
        # The observer's page polls and follows within a few seconds.
        expect(current).to_have_text("2. Stratégie de moyen et long termes", timeout=15_000)
        expect(watcher.locator('tr[aria-current="step"]')).to_contain_text(
            "Stratégie de moyen et long termes")
        screenshot(watcher, "meetings-live")
    finally:
        secretariat.close()
        observer.close()
