"""Every interface string is translated, and the language follows the person's choice."""

import re

import pytest

from planner.core import catalogues
from planner.extensions import db
from tests.conftest import page_text, post
from tests.factories import make_meeting, make_user


@pytest.mark.parametrize("language", catalogues.TRANSLATED_LANGUAGES)
def test_every_message_has_a_translation(language):
    problems = catalogues.problems(language)
    assert not problems, "untranslated messages:\n" + "\n".join(problems)


def test_interface_is_french_by_default(client, network):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="fr"' in page
    assert "Se connecter" in page


def test_browser_language_is_used_when_no_choice_was_made(client, network):
    page = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Log in" in page.get_data(as_text=True)
    unknown = client.get("/login", headers={"Accept-Language": "de"})
    assert "Se connecter" in unknown.get_data(as_text=True)  # network default


def test_language_switch_keeps_the_current_page(client, network):
    response = post(client, "/language", {"language": "en", "next": "/login?next=%2Fmembers%2F"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/login?next=%2Fmembers%2F")
    assert "Log in" in client.get("/login").get_data(as_text=True)


def test_language_switch_refuses_an_unknown_language(client, network):
    response = post(client, "/language", {"language": "xx", "next": "/login"})
    assert response.status_code == 303
    assert "Se connecter" in client.get("/login").get_data(as_text=True)


def test_signed_in_choice_is_saved_in_the_account(app, as_user, network):
    user = make_user()
    client = as_user(user)
    post(client, "/language", {"language": "en", "next": "/members/"}, page="/members/")
    assert db.session.get(type(user), user.id).preferred_language == "en"
    # A new session in a browser asking for French still gets the account's English.
    other = as_user(user)
    page = other.get("/members/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Member clusters" in page


def test_error_pages_speak_the_users_language(client, network):
    french = client.get("/no/such/page")
    assert french.status_code == 404
    assert "Cette page n'existe pas" in french.get_data(as_text=True)
    english = client.get("/no/such/page", headers={"Accept-Language": "en"})
    assert "This page does not exist" in english.get_data(as_text=True)
    arabic = page_text(client.get("/no/such/page", headers={"Accept-Language": "ar"}))
    assert '<html lang="ar" dir="rtl">' in arabic
    assert "هذه الصفحة غير موجودة" in arabic


def test_a_message_left_empty_in_one_domain_keeps_another_domains_translation(
    monkeypatch, tmp_path
):
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    folder = tmp_path / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    for domain, string in (("core", ""), ("meetings", "Réunions")):
        catalog = Catalog(locale="fr", domain=domain)
        catalog.add("Meetings", string)
        with (folder / f"{domain}.po").open("wb") as handle:
            write_po(handle, catalog)
    monkeypatch.setattr(catalogues, "TRANSLATIONS", tmp_path)
    assert catalogues.merged("fr").get("Meetings").string == "Réunions"
    assert catalogues.conflicts("fr") == []


# --- Arabic: right to left, Moroccan formats, people's text isolated ---------------------------


def test_arabic_pages_are_right_to_left_and_others_left_to_right(client, network):
    arabic = page_text(client.get("/login", headers={"Accept-Language": "ar-MA,ar;q=0.9"}))
    assert '<html lang="ar" dir="rtl">' in arabic
    assert "تسجيل الدخول" in arabic  # "Log in" from the ar catalogue, although the locale is ar_MA
    assert '<option value="ar" lang="ar" selected>العربية</option>' in arabic
    english = page_text(client.get("/login", headers={"Accept-Language": "en"}))
    assert '<html lang="en" dir="ltr">' in english


def test_arabic_dates_and_numbers_follow_moroccan_usage(app, as_user, network):
    from datetime import datetime

    from planner.core.time import to_local

    starts_at = datetime(2030, 12, 16, 14, 0)
    meeting = make_meeting(status="convened", items=1, starts_at=starts_at)
    user = make_user(preferred_language="ar")
    page = page_text(as_user(user).get(f"/meetings/{meeting.id}"))
    when = re.search(r"<dd>([^<]*2030[^<]*)</dd>", page)[1]
    # Latin digits, "دجنبر" for December as written in Morocco, and the 24-hour clock in
    # the network's time zone (no "م" for p.m.).
    local = to_local(starts_at, "Africa/Casablanca")
    assert "16 دجنبر 2030" in when
    assert f"{local:%H:%M}" in when and not re.search(r"\d\s*[صم](\s|$)", when)
    assert not re.search("[٠-٩]", page)  # no Arabic-Indic digit anywhere


def test_language_order_account_then_session_then_browser_then_network(app, as_user, network):
    from planner.members.models import Network

    # No choice anywhere: the network's default language, even in Arabic.
    db.session.get(Network, network.id).default_language = "ar"
    db.session.commit()
    anonymous = app.test_client()
    assert 'lang="ar"' in page_text(anonymous.get("/login", headers={"Accept-Language": "de"}))
    # The browser's language beats the network's.
    assert 'lang="fr"' in page_text(anonymous.get("/login", headers={"Accept-Language": "fr"}))
    # The switch (kept in the session) beats the browser's.
    post(anonymous, "/language", {"language": "ar", "next": "/login"}, page="/login")
    assert 'lang="ar"' in page_text(anonymous.get("/login", headers={"Accept-Language": "fr"}))
    # The account's choice beats all of them.
    user = make_user(preferred_language="en")
    page = page_text(as_user(user).get("/members/", headers={"Accept-Language": "ar"}))
    assert '<html lang="en" dir="ltr">' in page


def test_language_switch_to_arabic_keeps_the_page_and_the_account_remembers(app, as_user,
                                                                           network):
    user = make_user()
    client = as_user(user)
    response = post(client, "/language", {"language": "ar", "next": "/members/?inactive=1"},
                    page="/members/")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/members/?inactive=1")
    assert db.session.get(type(user), user.id).preferred_language == "ar"
    assert 'dir="rtl"' in page_text(client.get("/members/"))


def test_peoples_text_is_isolated_from_the_page_direction(app, as_user, network):
    meeting = make_meeting(status="convened", items=1, title="Statut juridique : quelle forme ?")
    user = make_user(preferred_language="ar")
    raw = as_user(user).get("/meetings/").get_data(as_text=True)
    # The question mark stays at the end of the French title on the Arabic page.
    assert "<bdi>Statut juridique : quelle forme ?</bdi>" in raw
    assert f'<title>{_html_escape(meeting.title)}' not in raw  # never markup in <title>
    assert "&lt;bdi&gt;" not in raw


def test_markdown_and_typed_text_take_their_own_direction(app, as_user, network):
    page = as_user(make_user(role="secretariat")).get("/meetings/new").get_data(as_text=True)
    assert re.search(r'<input dir="auto"[^>]*id="title"', page) or re.search(
        r'id="title"[^>]*dir="auto"', page)


def test_timeline_reads_right_to_left_in_arabic(app, as_user, network):
    from tests.factories import make_action

    make_action(title="Former les équipes", starts_in=-30, due_in=30)
    user = make_user(role="observer")
    french = as_user(user).get("/plan/timeline").get_data(as_text=True)
    user.preferred_language = "ar"
    db.session.commit()
    arabic = as_user(user).get("/plan/timeline").get_data(as_text=True)

    def label_x(page):
        return float(re.search(r'<text x="([\d.]+)"[^>]*class="plan-action-label"', page)[1])

    def today_x(page):
        return float(re.search(r'<line x1="([\d.]+)"[^>]*class="plan-today"', page)[1])

    width = 1100
    assert label_x(french) < 100 and label_x(arabic) > width - 100  # titles on the right
    assert today_x(arabic) == pytest.approx(width - today_x(french), abs=0.2)
    # A French title on an Arabic page is drawn left to right, ending at the right margin.
    assert re.search(r'direction="ltr" text-anchor="end" class="plan-action-label"', arabic)


def _html_escape(text):
    import html as html_module

    return html_module.escape(text, quote=False)


def test_template_messages_escape_their_values_and_follow_a_forced_language(app, network):
    """The templates' gettext is looked up once per request, yet a forced language (the
    minutes are written in the meeting's language) is seen at once, and undone after."""
    from flask import render_template_string
    from flask_babel import force_locale

    template = "{{ _('Language') }} · {{ _('%(name)s is recorded, 100 %%', name=who) }}"
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        app.preprocess_request()
        assert render_template_string("{{ _('Language') }}") == "Langue"
        with force_locale("en"):
            assert render_template_string("{{ _('Language') }}") == "Language"
        page = render_template_string(template, who="<b>CE3M</b>")
    assert page == "Langue · &lt;b&gt;CE3M&lt;/b&gt; is recorded, 100 %"


def test_dates_keep_the_language_and_zone_they_are_shown_in(app, network):
    """Formatted dates are remembered per language and time zone, never across them."""
    from datetime import datetime

    from flask import render_template_string
    from flask_babel import force_locale

    moment = datetime(2025, 12, 16, 9, 0)  # UTC: 10:00 in Casablanca that day
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        app.preprocess_request()
        french = render_template_string("{{ moment | datetime('long') }}", moment=moment)
        with force_locale("en"):
            english = render_template_string("{{ moment | datetime('long') }}", moment=moment)
        again = render_template_string("{{ moment | datetime('long') }}", moment=moment)
    assert "décembre" in french and "10:00" in french
    assert "December" in english
    assert again == french
