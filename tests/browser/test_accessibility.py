"""axe-core (WCAG 2.1 A and AA) finds no violation on the main pages, in French and in Arabic
(right to left), on a desktop screen and on a phone, no page is wider than the phone, and each
page is kept as a screenshot for a person to look at."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import screenshot, sign_in

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 740}}
LANGUAGES = {"fr": "fr-FR", "ar": "ar-MA"}  # the browser's language; the accounts choose none

# (who is signed in, path, name of the screenshot)
PAGES = [
    (None, "/login", "login"),
    ("director.menara@example.org", "/", "home-director"),
    ("director.menara@example.org", "/members/", "members"),
    ("director.menara@example.org", "/account", "account"),
    ("secretariat@example.org", "/", "home-secretariat"),
    ("secretariat@example.org", "/accounts/", "accounts"),
    ("secretariat@example.org", "/accounts/new", "account-new"),
    ("secretariat@example.org", "/network/settings", "network-settings"),
    ("secretariat@example.org", "/network/audit", "audit-log"),
    ("secretariat@example.org", "/meetings/", "meetings"),
    ("secretariat@example.org", "/minutes/", "minutes-index"),
    ("observer@example.org", "/", "home-observer"),
]


def _violations(page) -> list[str]:
    results = Axe().run(page, options=WCAG)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("width", list(WIDTHS))
def test_main_pages_have_no_wcag_violation(browser, live_server, width, language):
    failures = []
    signed_in_as = "nobody"
    context = browser.new_context(locale=LANGUAGES[language], viewport=WIDTHS[width])
    page = context.new_page()
    try:
        for who, path, name in PAGES:
            if who != signed_in_as:
                context.clear_cookies()
                if who:
                    sign_in(page, live_server, who)
                signed_in_as = who
            response = page.goto(live_server.url + path)
            assert response.status == 200, f"{path} answered {response.status}"
            assert page.locator("html").get_attribute("lang") == language
            screenshot(page, f"{name}-{language}-{width}")
            failures += [f"{path} [{language}, {width}]: {v}" for v in _violations(page)]
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > WIDTHS[width]["width"]:
                failures.append(f"{path} [{language}, {width}]: {scroll_width} px wide")
    finally:
        context.close()
    assert not failures, "accessibility violations:\n" + "\n".join(failures)
