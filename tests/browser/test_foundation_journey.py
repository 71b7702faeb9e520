"""A director's first visit, in a real browser: log in, members directory, English, log out."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot


def test_director_logs_in_reads_the_directory_switches_to_english_and_logs_out(page, live_server):
    log_in(page, live_server, "director.menara@example.org")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bienvenue, Direction Menara")

    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Membres"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clusters membres")
    expect(page.get_by_text("13 clusters membres.")).to_be_visible()
    expect(page.get_by_role("link", name="CE3M")).to_be_visible()
    screenshot(page, "members-fr")

    page.get_by_label("Langue").select_option("en")
    page.get_by_role("button", name="Changer").click()
    expect(page).to_have_url(re.compile(r"/members/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Member clusters")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    screenshot(page, "members-en")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    page.goto(live_server.url + "/members/")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_keyboard_user_can_skip_to_the_content_and_log_in(page, live_server):
    page.goto(live_server.url + "/login")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu principal")
    expect(skip).to_be_focused()
    page.get_by_label("Adresse e-mail").focus()
    page.keyboard.type("director.ce3m@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("demo-password-2016")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bienvenue")
    expect(
        page.get_by_role("link", name="Comptes", exact=True)
    ).to_be_visible()  # CE3M: secretariat
