"""The action plan in a real browser: a director reports on their cluster's action and the
secretariat's follow-up shows it; the plan's pages pass axe-core (WCAG 2.1 A and AA)."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import log_in, log_out, screenshot

ACTION = "Former les équipes d'animation des clusters"  # owned by Haliopôlis in the demo


def test_director_update_shows_on_the_secretariats_follow_up(page, live_server):
    log_in(page, live_server, "director.haliopolis@example.org")
    cluster_card = page.get_by_role("region", name="Les actions de votre cluster")
    expect(cluster_card).to_be_visible()
    cluster_card.get_by_role("link", name=ACTION).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ACTION)

    page.get_by_label("Ce qui a été fait, ce qui a changé").fill(
        "Le second module est reporté : le formateur de la GIZ n'est pas disponible."
    )
    page.get_by_label("Nouveau statut").select_option(label="Bloquée")
    page.get_by_role("button", name="Publier la mise à jour").click()
    # The reason is required: the page says so and keeps what was written.
    expect(page.get_by_text("Indiquez pourquoi l'action est bloquée.")).to_be_visible()
    expect(page.get_by_label("Ce qui a été fait, ce qui a changé")).to_have_value(
        re.compile("Le second module est reporté")
    )
    page.get_by_label("Motif").fill("Formateur de la GIZ indisponible avant le mois prochain.")
    page.get_by_role("button", name="Publier la mise à jour").click()
    expect(page.get_by_text("Votre mise à jour est enregistrée.")).to_be_visible()
    history = page.get_by_role("region", name="Historique de l'avancement")
    expect(history).to_contain_text("Le second module est reporté")
    expect(history).to_contain_text("Statut : En cours → Bloquée")
    screenshot(page, "plan-action-director-fr")
    log_out(page)

    log_in(page, live_server, "secretariat@example.org")
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Plan d'actions"
    ).click()
    page.get_by_role("link", name="Suivi", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Suivi du plan d'actions")
    owners = page.get_by_role("table", name="Actions en cours qui demandent de l'attention, "
                                             "par porteur")
    row = owners.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Haliopôlis"))
    blocked_cell = row.get_by_role("cell").nth(2)
    expect(blocked_cell).to_have_text("1")
    screenshot(page, "plan-follow-up-fr")
    blocked_cell.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"status=blocked"))
    expect(page.get_by_text("1 action correspond.")).to_be_visible()
    expect(page.get_by_role("link", name=ACTION)).to_be_visible()


def test_a_filtered_list_opens_at_its_results_below_the_strategy(page, live_server):
    log_in(page, live_server, "director.haliopolis@example.org")
    page.goto(f"{live_server.url}/plan/")
    filters = page.get_by_role("form", name="Filtres")
    filters.get_by_label("Statut").select_option(label="En cours")
    filters.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(r"/plan/\?.*status=in_progress.*#actions$"))
    expect(page.get_by_role("heading", name="Actions", exact=True)).to_be_in_viewport()
    expect(page.get_by_role("heading", name="Stratégie", exact=True)).not_to_be_in_viewport()


WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PAGES = [
    ("/plan/", "plan-index"),
    ("/plan/?sort=deadline&flag=overdue", "plan-overdue"),
    ("/plan/timeline", "plan-timeline"),
    ("/plan/follow-up", "plan-follow-up"),
    ("/plan/actions/1", "plan-action"),
    ("/plan/actions/1/edit", "plan-action-edit"),
    ("/plan/objectives/1", "plan-objective"),
    ("/plan/funding", "plan-funding"),
    ("/plan/calendar", "plan-calendar"),
]


@pytest.mark.parametrize("width", [{"width": 1280, "height": 900}, {"width": 360, "height": 740}],
                         ids=["desktop", "phone"])
def test_plan_pages_have_no_wcag_violation(browser, live_server, width):
    context = browser.new_context(locale="fr-FR", viewport=width)
    page = context.new_page()
    failures = []
    try:
        log_in(page, live_server, "secretariat@example.org")
        for path, name in PAGES:
            response = page.goto(live_server.url + path)
            assert response.status == 200, f"{path} answered {response.status}"
            screenshot(page, f"{name}-fr-{width['width']}")
            results = Axe().run(page, options=WCAG)
            failures += [
                f"{path}: {v['id']} ({v['impact']}): {v['help']} — "
                + "; ".join(node["target"][0] for node in v["nodes"][:5])
                for v in results.response["violations"]
            ]
    finally:
        context.close()
    assert not failures, "accessibility violations:\n" + "\n".join(failures)
