"""The whole story in one fresh database, in a real browser, as the three roles live it:

the secretariat prepares a meeting (agenda, attendance with a proxy, a consensus proposal);
three directors answer from their phones and desks — one by proxy, one objecting, one in
Arabic; round 1 closes with no consensus; round 2, amended, is adopted; an action comes out
of the decision and its director reports progress; the minutes are circulated, approved and
opened through a share link by a visitor without an account.

Along the way every page is checked again as each role sees it, in French and in Arabic, on
a 1280 px screen and a 360 px phone: axe-core's WCAG 2.1 A and AA rules, and no sideways
scrolling on the phone. A screenshot of each page in French, Arabic (and English for the main
pages) is kept in tests/browser/screenshots/ for a person to look at. Keyboard use (skip
link, reordering, casting, the approval form) and the language switch are exercised too.
"""

import re
from dataclasses import dataclass, field

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask_babel import force_locale, gettext
from playwright.sync_api import expect
from sqlalchemy import select

from planner.extensions import db
from tests.browser.conftest import SCREENSHOTS, serve_demo, sign_in

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
# name -> (browser language, viewport width). Axe and the phone check run on fr and ar;
# English is photographed on the main pages only.
COMBOS = {
    "fr-1280": ("fr-FR", 1280), "fr-360": ("fr-FR", 360),
    "ar-1280": ("ar-MA", 1280), "ar-360": ("ar-MA", 360),
    "en-1280": ("en-GB", 1280),
}
AXE_COMBOS = ("fr-1280", "fr-360", "ar-1280", "ar-360")
# Who the checker signs in as: accounts that never pick a language, so that the browser's
# Accept-Language decides, and one account can be seen in every language at once.
CHECKERS = {"secretariat": "secretariat@example.org", "director": "director.mnc@example.org",
            "anonymous": None}

MEETING = "Comité de suivi de décembre"
ITEM = "Adhésion à France Clusters"
PROPOSAL = "Adhérer à France Clusters ?"  # the question mark must stay at the end in Arabic
ACTION = "Préparer le dossier d'adhésion"


# --- helpers ------------------------------------------------------------------------------


def tr(app, language: str, message: str, **values) -> str:
    """`message` as the interface shows it in `language` (the catalogue's text)."""
    with app.test_request_context(), force_locale(language):
        return gettext(message, **values)


def announced(page):
    """The status region where the page announces what just happened (flash messages)."""
    return page.locator(".flashes[role=status]")


def tab_to(page, target, limit: int = 150) -> None:
    """Press Tab until `target` has the focus — what a keyboard user does — and check that
    the focus can be seen."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            outline = target.evaluate(
                "el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth] }")
            assert outline[0] != "none" and outline[1] != "0px", f"focus not visible: {outline}"
            return
    raise AssertionError(f"Tab never reached {target}")


@dataclass
class Findings:
    violations: dict[str, list[str]] = field(default_factory=lambda: {c: [] for c in AXE_COMBOS})
    overflow: dict[str, list[str]] = field(default_factory=lambda: {"fr": [], "ar": []})
    pages: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    story: dict = field(default_factory=dict)


class Checker:
    """Sees a page again as a role sees it, in every language and width, as the story goes."""

    def __init__(self, browser, server, findings: Findings):
        self.browser, self.server, self.findings = browser, server, findings
        self.pages = {}
        self.contexts = []
        self.axe = Axe()
        SCREENSHOTS.mkdir(exist_ok=True)

    def _page(self, role: str, combo: str):
        key = (role, combo)
        if key not in self.pages:
            language, width = COMBOS[combo]
            context = self.browser.new_context(
                locale=language, viewport={"width": width, "height": 800 if width > 400 else 740})
            context.set_default_timeout(15_000)
            self.contexts.append(context)
            page = context.new_page()
            if CHECKERS[role]:
                sign_in(page, self.server, CHECKERS[role])
            self.pages[key] = page
        return self.pages[key]

    def check(self, role: str, path: str, name: str, main: bool = False) -> None:
        self.findings.pages.append(f"{name} ({role}) {path}")
        for combo in COMBOS:
            if combo == "en-1280" and not main:
                continue
            page = self._page(role, combo)
            response = page.goto(self.server.url + path)
            where = f"{name} {path} [{combo}]"
            if response.status != 200:
                self.findings.errors.append(f"{where}: answered {response.status}")
                continue
            expected = "rtl" if combo.startswith("ar") else "ltr"
            assert page.locator("html").get_attribute("dir") == expected, where
            if combo in AXE_COMBOS:
                self.scan(page, where, combo)
            if combo.endswith("-360"):
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > 360:
                    self.findings.overflow[combo[:2]].append(f"{where}: {width} px wide")
            if main or not combo.endswith("-360"):
                page.screenshot(path=str(SCREENSHOTS / f"journey-{name}-{combo}.png"),
                                full_page=True)

    def scan(self, page, where: str, combo: str) -> None:
        """axe-core on the page as it is now (also for a page a form post re-rendered)."""
        for v in self.axe.run(page, options=WCAG).response["violations"]:
            targets = "; ".join(str(node["target"][0]) for node in v["nodes"][:5])
            self.findings.violations[combo].append(
                f"{where}: {v['id']} ({v['impact']}): {v['help']} — {targets}")

    def close(self):
        for context in self.contexts:
            context.close()


# --- the story ----------------------------------------------------------------------------


def _ids(app) -> dict:
    from planner.meetings.models import AgendaItem, Meeting
    from planner.proposals.models import Proposal

    with app.app_context():
        meeting = db.session.scalar(select(Meeting).where(Meeting.title == MEETING))
        item = db.session.scalar(select(AgendaItem).where(AgendaItem.title == ITEM))
        proposal = db.session.scalar(select(Proposal).where(Proposal.title == PROPOSAL))
        ids = {"meeting": meeting.id if meeting else None, "item": item.id if item else None,
               "proposal": proposal.id if proposal else None}
        db.session.remove()
        return ids


def _others_agree(app, round_number: int, answered: set[str]) -> int:
    """The clusters that are not in the story agree in round 2, each through its own
    director's account and the same rule the answer page calls."""
    from planner.members.models import Member, User
    from planner.proposals import rules
    from planner.proposals.models import Position, Proposal, Round

    with app.app_context():
        proposal = db.session.scalar(select(Proposal).where(Proposal.title == PROPOSAL))
        round_ = db.session.scalar(select(Round).where(
            Round.proposal_id == proposal.id, Round.number == round_number))
        count = 0
        for member in db.session.scalars(select(Member).where(Member.is_active.is_(True))):
            if member.short_name in answered:
                continue
            director = db.session.scalar(select(User).where(User.member_id == member.id))
            rules.cast(director, round_, member, position=Position.AGREE)
            count += 1
        db.session.commit()
        db.session.remove()
        return count


def play(browser, server, findings: Findings) -> None:
    app = server.app
    fr = lambda message, **values: tr(app, "fr", message, **values)  # noqa: E731
    ar = lambda message, **values: tr(app, "ar", message, **values)  # noqa: E731
    check = Checker(browser, server, findings)
    actors = []

    def actor(locale: str, width: int, email: str | None):
        context = browser.new_context(locale=locale, viewport={"width": width, "height": 800})
        context.set_default_timeout(15_000)
        actors.append(context)
        page = context.new_page()
        if email:
            sign_in(page, server, email)
        return page

    try:
        # The visitor's first page, and a keyboard user's first key: the skip link.
        visitor = actor("ar-MA", 360, None)
        visitor.goto(server.url + "/login")
        skip = visitor.locator("a.skip-link")
        tab_to(visitor, skip)
        visitor.keyboard.press("Enter")
        expect(visitor.locator("#main")).to_be_focused()
        check.check("anonymous", "/login", "login", main=True)

        # --- the secretariat prepares the meeting (French, desktop) ------------------------
        office = actor("fr-FR", 1280, "secretariat@example.org")
        check.check("secretariat", "/", "home-secretariat", main=True)
        office.get_by_role("navigation", name="Navigation principale").get_by_role(
            "link", name="Réunions").click()
        check.check("secretariat", "/meetings/", "meetings", main=True)
        office.get_by_role("link", name="Nouvelle réunion").click()
        check.check("secretariat", "/meetings/new", "meeting-new")
        office.get_by_label("Titre").fill(MEETING)
        office.get_by_label("Début").fill("2030-12-16T10:00")
        office.get_by_label("Fin").fill("2030-12-16T13:00")
        office.get_by_label("Lieu").fill("Technopark de Casablanca")
        office.get_by_role("button", name="Enregistrer", exact=True).click()
        expect(announced(office)).to_contain_text("Réunion créée en préparation")
        meeting_id = _ids(app)["meeting"]

        office.get_by_role("link", name="Établir l'ordre du jour").click()
        office.get_by_role("link", name="Ajouter un point", exact=True).click()
        check.check("secretariat", f"/meetings/{meeting_id}/items/new", "agenda-item-new")
        for title, kind, minutes in ((ITEM, "Décision", "45"), ("Accueil et quorum",
                                                                 "Information", "15")):
            office.get_by_label("Titre").fill(title)
            office.get_by_label("Nature").select_option(label=kind)
            office.get_by_label("Temps prévu (minutes)").fill(minutes)
            office.get_by_role("button", name="Enregistrer et en ajouter un autre").click()
            expect(announced(office)).to_contain_text(title)
        office.get_by_role("link", name="Annuler").click()
        # Reordering with the keyboard alone: the welcome item moves up, first.
        up = office.get_by_role("button", name="Monter « Accueil et quorum »")
        tab_to(office, up)
        office.keyboard.press("Enter")
        expect(announced(office)).to_contain_text(
            "« Accueil et quorum » est maintenant le point 1.")
        check.check("secretariat", f"/meetings/{meeting_id}/agenda", "agenda")

        office.get_by_role("link", name="Retour à la réunion").click()
        office.get_by_role("link", name="Convoquer la réunion…").click()
        check.check("secretariat", f"/meetings/{meeting_id}/convene", "confirm-convene")
        office.get_by_role("button", name="Convoquer la réunion").click()  # not confirmed yet
        expect(office.get_by_role("alert")).to_be_visible()
        confirm = office.get_by_label("Je confirme")
        expect(confirm).to_have_attribute("aria-invalid", "true")
        expect(confirm).to_have_attribute("aria-describedby", re.compile("-error"))
        check.scan(office, "confirm-convene refused (secretariat)", "fr-1280")
        confirm.check()
        office.get_by_role("button", name="Convoquer la réunion").click()
        expect(announced(office)).to_contain_text("La réunion est convoquée")

        office.get_by_role("link", name="Enregistrer les présences").click()
        for cluster in ("CE3M", "MNC", "Menara", "Solaire", "Denim", "Smart City"):
            office.get_by_label(f"Présence de {cluster}", exact=True).select_option("present")
        office.get_by_label("Présence de Océanopôle").select_option("represented")
        office.get_by_label("Procuration de Océanopôle détenue par").select_option(label="MNC")
        office.get_by_role("button", name="Enregistrer les présences").click()
        expect(office.get_by_text(re.compile("Quorum atteint : 7 clusters membres sur 13"))
               ).to_be_visible()
        check.check("secretariat", f"/meetings/{meeting_id}/attendance", "attendance")

        # The consensus proposal on the decision item.
        office.get_by_role("navigation", name="Navigation principale").get_by_role(
            "link", name="Propositions").click()
        office.get_by_role("link", name="Rédiger une proposition").click()
        check.check("secretariat", "/proposals/new", "proposal-new")
        office.get_by_label("Titre").fill(PROPOSAL)
        office.get_by_label("Texte", exact=True).fill(
            "Maroc Cluster adhère **dès 2017** au réseau France Clusters.")
        office.get_by_label(fr("Decision rule")).select_option("consensus")
        office.get_by_label(fr("Agenda item")).select_option(label=f"{MEETING} — {ITEM}")
        office.get_by_role("button", name="Enregistrer").click()
        expect(office.get_by_role("heading", level=1)).to_have_text(PROPOSAL)
        proposal_id = _ids(app)["proposal"]
        check.check("secretariat", f"/proposals/{proposal_id}", "proposal-draft")

        # The session opens; round 1 opens at the meeting.
        office.goto(f"{server.url}/meetings/{meeting_id}")
        office.get_by_role("link", name="Ouvrir la séance…").click()
        office.get_by_label("Je confirme").check()
        office.get_by_role("button", name="Ouvrir la séance").click()
        expect(office.get_by_role("heading", name="Point en cours")).to_be_visible()
        check.check("secretariat", f"/meetings/{meeting_id}/live", "live-session", main=True)
        office.goto(f"{server.url}/proposals/{proposal_id}")
        office.get_by_role("button", name="Ouvrir le tour 1").click()
        expect(announced(office)).to_contain_text("Le tour 1 est ouvert")

        # --- three directors answer ------------------------------------------------------
        # MNC, from a phone, with the keyboard: for MNC and, by proxy, for Océanopôle.
        mnc = actor("fr-FR", 360, "director.mnc@example.org")
        check.check("director", "/", "home-director", main=True)
        awaited = mnc.get_by_role("region", name="Votre réponse est attendue")
        expect(awaited).to_contain_text("Pour Océanopôle, par procuration")
        awaited.get_by_role("link", name=PROPOSAL).first.click()
        check.check("director", f"/proposals/{proposal_id}", "proposal-answer", main=True)
        own = mnc.get_by_role("group", name="Pour MNC", exact=True)
        agree = own.get_by_label("D'accord", exact=True)
        tab_to(mnc, agree)
        mnc.keyboard.press("Space")
        expect(agree).to_be_checked()
        send = mnc.get_by_role("button", name="Envoyer la réponse de MNC")
        tab_to(mnc, send)
        mnc.keyboard.press("Enter")
        expect(announced(mnc)).to_contain_text("La réponse de MNC est enregistrée")
        proxy = mnc.get_by_role("group", name="Pour Océanopôle, par procuration")
        proxy.get_by_label("D'accord", exact=True).check()
        mnc.get_by_role("button", name="Envoyer la réponse de Océanopôle").click()
        expect(announced(mnc)).to_contain_text("Océanopôle est enregistrée")

        # Menara switches the interface to Arabic on its phone, stays on its page, answers.
        menara = actor("fr-FR", 360, "director.menara@example.org")
        menara.goto(f"{server.url}/proposals/{proposal_id}")
        menara.get_by_label("Langue").select_option("ar")
        menara.get_by_role("button", name="Changer").click()
        expect(menara).to_have_url(re.compile(rf"/proposals/{proposal_id}$"))
        expect(menara.locator("html")).to_have_attribute("dir", "rtl")
        menara.get_by_label(ar("Agree with reservations"), exact=True).check()
        menara.get_by_label(ar("Reason"), exact=True).fill(
            "تكلفة الانخراط يجب أن تكون معروفة (Cotisation 2017 ?)")
        menara.get_by_role("button", name=re.compile(re.escape(
            ar("Send the answer of %(member)s", member="Menara")))).click()
        expect(announced(menara)).to_be_visible()
        expect(menara.locator("html")).to_have_attribute("lang", "ar")

        # Solaire objects, first without saying why: the error is announced and tied to the
        # field; then with the reason.
        solaire = actor("fr-FR", 1280, "director.solaire@example.org")
        solaire.goto(f"{server.url}/proposals/{proposal_id}")
        solaire.get_by_label("Objection (bloque)", exact=True).check()
        solaire.get_by_role("button", name="Envoyer la réponse de Solaire").click()
        expect(solaire.get_by_role("alert")).to_be_visible()
        reason = solaire.get_by_label("Motif", exact=True)
        expect(reason).to_have_attribute("aria-invalid", "true")
        error_id = reason.get_attribute("aria-describedby").split()[-1]
        expect(solaire.locator(f"#{error_id}")).to_contain_text("Une objection")
        check.scan(solaire, "proposal-answer refused (director)", "fr-1280")
        reason.fill("Prématuré : attendons d'avoir 15 clusters.")
        solaire.get_by_role("button", name="Envoyer la réponse de Solaire").click()
        expect(announced(solaire)).to_contain_text("enregistrée")

        # --- round 1 closes: no consensus; round 2 is adopted ------------------------------
        office.goto(f"{server.url}/proposals/{proposal_id}")
        consensus_map = office.get_by_role("table", name=re.compile("Position de chaque"))
        expect(consensus_map.get_by_role("row", name=re.compile("^Solaire"))).to_contain_text(
            "S'oppose")
        expect(consensus_map.get_by_role("row", name=re.compile("^Océanopôle"))).to_contain_text(
            "par procuration")
        check.check("secretariat", f"/proposals/{proposal_id}", "consensus-map", main=True)
        office.get_by_role("button", name="Clore le tour 1 maintenant").click()
        outcome = office.get_by_role("region", name=re.compile("Résultat"))
        expect(outcome).to_contain_text("Pas de consensus")
        expect(outcome).to_contain_text("1 objection : Solaire.")
        findings.story["round 1"] = "no consensus"
        check.check("secretariat", f"/proposals/{proposal_id}/rounds/1", "round-1-closed")

        office.get_by_role("link", name="Préparer le tour 2 avec un texte amendé").click()
        check.check("secretariat", f"/proposals/{proposal_id}/rounds/new", "round-2-new")
        office.get_by_label("Texte amendé").fill(
            "Maroc Cluster adhère au réseau France Clusters lorsqu'il comptera **15 clusters**.")
        office.get_by_label("Objection de Solaire").select_option("answered")
        office.get_by_role("button", name="Préparer le nouveau tour").click()
        office.get_by_role("button", name="Ouvrir le tour 2").click()
        expect(office.locator(".diff ins").first).to_be_visible()

        for page, member in ((mnc, "MNC"), (mnc, "Océanopôle"), (solaire, "Solaire")):
            page.goto(f"{server.url}/proposals/{proposal_id}")
            page.get_by_role("group", name=re.compile(f"^Pour {member}")).get_by_label(
                "D'accord", exact=True).check()
            page.get_by_role("button", name=f"Envoyer la réponse de {member}").click()
            expect(announced(page)).to_contain_text("enregistrée")
        menara.goto(f"{server.url}/proposals/{proposal_id}")
        menara.get_by_label(ar("Agree"), exact=True).check()
        menara.get_by_role("button", name=re.compile(re.escape(
            ar("Send the answer of %(member)s", member="Menara")))).click()
        expect(announced(menara)).to_be_visible()
        assert _others_agree(app, 2, {"MNC", "Océanopôle", "Solaire", "Menara"}) == 9

        office.goto(f"{server.url}/proposals/{proposal_id}")
        expect(office.get_by_text(fr("If the round closed now, the proposal would be adopted.")
                                  )).to_be_visible()
        office.get_by_role("button", name="Clore le tour 2 maintenant").click()
        expect(office.get_by_role("region", name=re.compile("Résultat"))).to_contain_text(
            fr("Adopted"))
        findings.story["round 2"] = "adopted"
        check.check("secretariat", f"/proposals/{proposal_id}/rounds/2", "round-2-adopted",
                    main=True)

        # An observer reads it in English.
        observer = actor("en-GB", 1280, "observer@example.org")
        observer.goto(f"{server.url}/decisions/")
        expect(observer.get_by_role("row", name=re.compile(re.escape(PROPOSAL) + " Round 2"))
               ).to_contain_text("Adopted")
        check.check("secretariat", "/decisions/", "decisions", main=True)

        # --- an action from the decision; its director reports progress --------------------
        office.get_by_role("link", name="Créer une action à partir de cette décision").click()
        decision_form_url = office.url.removeprefix(server.url)
        check.check("secretariat", decision_form_url, "action-from-decision")
        objective = office.get_by_label("Objectif", exact=True)
        objective.select_option(index=1)
        office.get_by_label("Titre").fill(ACTION)
        office.get_by_label(fr("Owner"), exact=True).select_option(label="MNC")
        office.get_by_label(fr("Start date")).fill("2030-12-17")
        office.get_by_label(fr("Deadline")).fill("2031-06-30")
        office.get_by_role("button", name="Enregistrer", exact=True).click()
        expect(office.get_by_role("heading", level=1)).to_have_text(ACTION)
        action_path = office.url.removeprefix(server.url)

        mnc.goto(server.url + action_path)
        mnc.get_by_label("Ce qui a été fait, ce qui a changé").fill(
            "Dossier ouvert ; les statuts de France Clusters sont traduits en arabe.")
        mnc.get_by_label(fr("New progress (%)")).fill("20")
        mnc.get_by_label("Nouveau statut").select_option(label="En cours")
        mnc.get_by_role("button", name="Publier la mise à jour").click()
        expect(announced(mnc)).to_contain_text("Votre mise à jour est enregistrée.")
        expect(mnc.get_by_role("region", name="Historique de l'avancement")).to_contain_text(
            "Dossier ouvert")
        check.check("director", action_path, "action", main=True)
        check.check("secretariat", "/plan/", "plan", main=True)
        check.check("secretariat", "/plan/timeline", "timeline", main=True)
        check.check("secretariat", "/plan/follow-up", "follow-up")

        # --- the minutes: notes, circulation, approval, a share link ------------------------
        office.goto(f"{server.url}/meetings/{meeting_id}")
        office.get_by_role("link", name=fr("Close the session…")).click()
        office.get_by_label("Je confirme").check()
        office.get_by_role("button", name=fr("Close the session")).click()
        expect(announced(office)).to_be_visible()
        office.goto(f"{server.url}/meetings/{meeting_id}/minutes")
        office.get_by_role("link", name="Rédiger les notes").click()
        section = office.locator("section", has_text=ITEM)
        section.get_by_label("Notes").fill(
            "Adoption au tour 2, le texte amendé répondant à l'objection de Solaire.\n\n"
            "اعتمد المقترح في الجولة الثانية بالإجماع.")
        section.get_by_role("button", name="Enregistrer les notes de ce point").click()
        expect(announced(office)).to_contain_text("enregistrées")
        check.check("secretariat", f"/meetings/{meeting_id}/minutes/notes", "minutes-notes")
        office.goto(f"{server.url}/meetings/{meeting_id}/minutes")
        office.get_by_role("button", name="Diffuser aux directeurs pour commentaires").click()
        expect(announced(office)).to_contain_text("Le procès-verbal est diffusé")
        check.check("director", f"/meetings/{meeting_id}/minutes", "minutes-circulated")
        # The approval form sits in a <details>: opened from the keyboard.
        summary = office.locator("details.approval summary")
        tab_to(office, summary)
        office.keyboard.press("Enter")
        expect(office.get_by_label("Approuvé par")).to_be_visible()
        check.scan(office, "minutes approval form (secretariat)", "fr-1280")
        office.get_by_label("Approuvé par").select_option("secretariat")
        office.get_by_label("Base et remarques").fill("Aucune objection reçue dans les 15 jours.")
        office.get_by_role("button", name="Approuver et verrouiller").click()
        expect(announced(office)).to_contain_text(
            "Le procès-verbal est approuvé et verrouillé.")
        check.check("secretariat", f"/meetings/{meeting_id}/minutes", "minutes-approved",
                    main=True)
        office.get_by_role("link", name=fr("Share links")).click()
        office.get_by_label(fr("For whom (a note for you)")).fill("Ministère de l'Industrie")
        office.get_by_role("button", name=fr("Create the link")).click()
        share_url = office.locator("#new-share-link").input_value()
        check.check("secretariat", f"/meetings/{meeting_id}/minutes/share", "minutes-share")

        # A visitor without an account opens the link: an Arabic page around French minutes.
        visitor.goto(share_url)
        document = visitor.locator("article.minutes-document")
        expect(document).to_have_attribute("lang", "fr")
        expect(document).to_have_attribute("dir", "ltr")
        expect(document).to_contain_text(PROPOSAL)
        expect(document).to_contain_text(fr("adopted"))
        expect(visitor.locator("html")).to_have_attribute("dir", "rtl")
        findings.story["shared minutes"] = visitor.locator("h1").inner_text()
        check.check("anonymous", share_url.removeprefix(server.url), "shared-minutes",
                    main=True)
        check.check("secretariat", "/minutes/", "minutes-index")
    finally:
        check.close()
        for context in actors:
            context.close()


@pytest.fixture(scope="module")
def journey(browser, tmp_path_factory):
    """The story played once, in one fresh database; the checks' findings for the tests."""
    findings = Findings()
    with serve_demo(tmp_path_factory.mktemp("journey")) as server:
        play(browser, server, findings)
    return findings


# --- what the tests assert -------------------------------------------------------------------


def test_the_three_roles_journey_ends_in_minutes_a_visitor_reads(journey):
    assert not journey.errors, "\n".join(journey.errors)
    assert journey.story["round 1"] == "no consensus"
    assert journey.story["round 2"] == "adopted"
    assert "Comité de suivi de décembre" in journey.story["shared minutes"]
    assert len(journey.pages) >= 20


@pytest.mark.parametrize("combo", AXE_COMBOS)
def test_every_page_of_the_journey_meets_wcag_2_1_aa(journey, combo):
    problems = journey.violations[combo]
    assert not problems, f"WCAG 2.1 A/AA violations ({combo}):\n" + "\n".join(problems)


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_no_page_of_the_journey_scrolls_sideways_on_a_phone(journey, language):
    problems = journey.overflow[language]
    assert not problems, "wider than a 360 px phone:\n" + "\n".join(problems)
