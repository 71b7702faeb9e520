"""Every interface string is translated, and the language follows the person's choice."""

from planner.core import catalogues
from planner.extensions import db
from tests.conftest import post
from tests.factories import make_user


def test_every_message_has_a_french_translation():
    problems = catalogues.problems("fr")
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
