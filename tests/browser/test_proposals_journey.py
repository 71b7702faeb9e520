"""A proposal's life in a real browser: three directors answer (one with reservations, one
objecting), the secretariat closes the round and sees "no consensus", puts an amended text to
round 2, and the objecting director withdraws the objection."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in, log_out, screenshot

TITLE = "Adhésion au réseau France Clusters"


def answer(page, server, email, title, position, reason=""):
    log_in(page, server, email)
    awaited = page.get_by_role("region", name="Votre réponse est attendue")
    awaited.get_by_role("link", name=title).click()
    page.get_by_label(position, exact=True).check()
    if reason:
        page.get_by_label("Motif").fill(reason)
    page.get_by_role("button", name=re.compile("^Envoyer la réponse de")).click()
    expect(page.get_by_text(re.compile("est enregistrée"))).to_be_visible()
    log_out(page)


def test_three_directors_answer_the_round_closes_and_round_2_answers_the_objection(
    page, live_server
):
    # The secretariat drafts a vote between meetings and opens it.
    log_in(page, live_server, "secretariat@example.org")
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Propositions").click()
    page.get_by_role("link", name="Rédiger une proposition").click()
    page.get_by_label("Titre").fill(TITLE)
    page.get_by_label("Texte", exact=True).fill("Maroc Cluster adhère **dès 2017** au réseau.")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    page.get_by_label("Clôture le").fill("2030-01-15T12:00")
    page.get_by_role("button", name="Ouvrir le tour 1").click()
    expect(page.get_by_text("Le tour 1 est ouvert")).to_be_visible()
    log_out(page)

    # Three directors answer from their home page.
    answer(page, live_server, "director.mnc@example.org", TITLE, "D'accord")
    answer(page, live_server, "director.menara@example.org", TITLE, "D'accord avec réserves",
           "Le coût de l'adhésion doit être connu.")
    answer(page, live_server, "director.solaire@example.org", TITLE, "Objection (bloque)",
           "Prématuré : attendons d'avoir 15 clusters.")

    # The secretariat reads the consensus map, closes the round: no consensus.
    log_in(page, live_server, "secretariat@example.org")
    page.goto(live_server.url + "/proposals/")
    page.get_by_role("link", name=TITLE).click()
    consensus_map = page.get_by_role("table", name=re.compile("Position de chaque cluster"))
    expect(consensus_map.get_by_role("row", name=re.compile("^Solaire"))).to_contain_text(
        "S'oppose")
    expect(consensus_map.get_by_role("row", name=re.compile("^Menara"))).to_contain_text(
        "Le coût de l'adhésion doit être connu.")
    expect(page.get_by_text(re.compile("10 membres n'ont pas encore répondu"))).to_be_visible()
    screenshot(page, "proposals-consensus-map")
    page.get_by_role("button", name="Clore le tour 1 maintenant").click()
    outcome = page.get_by_role("region", name=re.compile("Résultat"))
    expect(outcome).to_contain_text("Pas de consensus")
    expect(outcome).to_contain_text("1 objection : Solaire.")

    # Round 2 with an amended text; the objection is tracked.
    page.get_by_role("link", name="Préparer le tour 2 avec un texte amendé").click()
    page.get_by_label("Texte amendé").fill(
        "Maroc Cluster adhère au réseau lorsqu'il comptera **15 clusters**.")
    expect(page.get_by_label("Objection de Solaire")).to_have_value("open")
    page.get_by_role("button", name="Préparer le nouveau tour").click()
    page.get_by_label("Clôture le").fill("2030-02-15T12:00")
    page.get_by_role("button", name="Ouvrir le tour 2").click()
    expect(page.locator(".diff ins").first).to_be_visible()
    expect(page.get_by_role("navigation", name="Tours de cette proposition").get_by_role("link", name="Tour 1")).to_be_visible()
    screenshot(page, "proposals-round-2")
    log_out(page)

    # The objecting director withdraws the objection.
    log_in(page, live_server, "director.solaire@example.org")
    page.goto(live_server.url + "/proposals/")
    page.get_by_role("link", name=TITLE).click()
    objections = page.get_by_role("region", name="Objections du tour 1")
    expect(objections).to_contain_text("Toujours ouverte")
    objections.get_by_label("Suivi de l'objection").select_option("withdrawn")
    objections.get_by_role("button", name="Enregistrer le suivi de Solaire").click()
    expect(page.get_by_role("region", name="Objections du tour 1")).to_contain_text(
        "Retirée par son auteur")

    # Round 1 stays frozen, one click away.
    page.get_by_role("navigation", name="Tours de cette proposition").get_by_role("link", name="Tour 1").click()
    expect(page.get_by_role("region", name=re.compile("Résultat"))).to_contain_text(
        "Pas de consensus")
    screenshot(page, "proposals-round-1-frozen")


def test_proposals_pages_have_no_wcag_violation(page, live_server):
    """axe-core (WCAG 2.1 A and AA) on the proposals pages of the demo, as people see them."""
    from axe_playwright_python.sync_playwright import Axe

    wcag = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    failures = []

    def check(path):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        for v in Axe().run(page, options=wcag).response["violations"]:
            targets = "; ".join(node["target"][0] for node in v["nodes"][:5])
            failures.append(f"{path}: {v['id']} ({v['impact']}): {v['help']} — {targets}")

    log_in(page, live_server, "director.solaire@example.org")
    for path in ("/proposals/", "/proposals/1", "/proposals/2", "/proposals/2/rounds/1",
                 "/proposals/3", "/decisions/"):
        check(path)
    screenshot(page, "proposals-decisions")
    log_out(page)
    log_in(page, live_server, "secretariat@example.org")
    for path in ("/proposals/new", "/proposals/3/edit", "/decisions/?outcome=no_consensus"):
        check(path)
    assert not failures, "accessibility violations:\n" + "\n".join(failures)
