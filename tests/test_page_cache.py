"""Kept pages (core/page_cache.py) as people notice them: a reload answered from the cache is
the same page, and never a stale one, another person's, another language's, a message shown
twice, a form that cannot be sent, a round still open after its deadline, or a page for a
browser that signed out."""

import time
from datetime import timedelta

import pytest

from planner import create_app
from planner.core import page_cache
from planner.core.time import utcnow
from planner.extensions import db, login_manager
from planner.members.models import User
from planner.proposals import queries as proposal_queries
from planner.proposals import rules as proposal_rules
from planner.proposals import views as proposal_views
from tests.conftest import CSRF_RE, Client, base_config, count_queries, page_text, post, sign_in
from tests.factories import (
    current_round_of,
    make_action,
    make_member,
    make_proposal,
    make_user,
)

HEADER = "X-Page-Cache"


@pytest.fixture
def people(app):
    directors = [make_user(member=make_member(short_name=name), full_name=f"Director {name}")
                 for name in ("ALPHA", "BETA", "GAMMA")]
    return {"directors": directors,
            "secretariat": make_user(role="secretariat", full_name="Secrétariat Réseau"),
            "observer": make_user(role="observer", full_name="Observer Person")}


@pytest.fixture
def app_with(app):
    """Another app on the test's database, with settings of its own: app_with(KEY=value)."""
    made = []

    def make(**config):
        other = create_app(base_config(
            SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
            SQLALCHEMY_ENGINE_OPTIONS=app.config["SQLALCHEMY_ENGINE_OPTIONS"],
            **config,
        ))
        other.test_client_class = Client
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def signed_in(application, user):
    client = application.test_client()
    sign_in(client, user)
    return client


def page_of(proposal) -> str:
    return f"/proposals/{proposal.id}"


def answer(client, proposal, member, position, reason=""):
    prefix = f"m{member.id}-"
    return post(client, f"/proposals/{proposal.id}/rounds/1/members/{member.id}/cast",
                {prefix + "position": position, prefix + "reason": reason},
                page=page_of(proposal))


def without_tokens(response) -> str:
    """The page as read, its CSRF tokens left out (a token is signed anew each second)."""
    return CSRF_RE.sub("csrf", page_text(response))


def token_of(response) -> str:
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, "the page has no form"
    return match.group(1)


def action_form(action, **changes) -> dict:
    data = {"objective_id": str(action.objective_id), "title": action.title,
            "owner": str(action.owner_member_id), "starts_on": action.starts_on.isoformat(),
            "due_on": action.due_on.isoformat(), "status": "planned", "progress": "0",
            "description": "", "responsible_user_id": "", "responsible_name": "",
            "status_reason": "", "estimated_cost": "", "funding_source_id": "",
            "funding_status": "", "version": str(action.version)}
    data.update(changes)
    return data


# --- 1. the consensus map during a vote -----------------------------------------------------


def test_a_reloaded_consensus_map_is_kept_until_another_director_answers(as_user, people):
    alpha, beta, _gamma = people["directors"]
    proposal = make_proposal(actor=people["secretariat"], open_round=True,
                             title="Statut juridique du réseau")
    client = as_user(alpha)
    first = client.get(page_of(proposal))
    assert first.status_code == 200 and first.headers[HEADER] == "miss"
    assert "3 membres n'ont pas encore répondu : ALPHA, BETA, GAMMA" in page_text(first)
    again = client.get(page_of(proposal))
    assert again.status_code == 200 and again.headers[HEADER] == "hit"
    assert without_tokens(again) == without_tokens(first)

    response = answer(as_user(beta), proposal, beta.member, "object", "Trop tôt : la taille.")
    assert response.status_code == 302

    after = client.get(page_of(proposal))
    assert after.status_code == 200 and after.headers[HEADER] == "miss"
    page = page_text(after)
    assert "2 membres n'ont pas encore répondu : ALPHA, GAMMA" in page
    assert "Trop tôt : la taille." in page
    assert "1 membre sur 3 a répondu" in page
    assert client.get(page_of(proposal)).headers[HEADER] == "hit"


# --- 2. a change by the secretariat anywhere ------------------------------------------------


def test_an_action_edited_by_the_secretariat_shows_on_the_directors_home_and_plan(
    as_user, people
):
    alpha = people["directors"][0]
    action = make_action(owner=alpha.member, title="Rédiger les fiches de poste")
    director = as_user(alpha)
    for address in ("/", "/plan/"):
        assert director.get(address).headers[HEADER] == "miss"
        kept = director.get(address)
        assert kept.headers[HEADER] == "hit"
        assert "Rédiger les fiches de poste" in page_text(kept)

    staff = as_user(people["secretariat"])
    response = post(staff, f"/plan/actions/{action.id}/edit",
                    action_form(action, title="Recruter la cellule d'animation"),
                    page=f"/plan/actions/{action.id}/edit")
    assert response.status_code == 302

    for address in ("/", "/plan/"):
        fresh = director.get(address)
        assert fresh.status_code == 200 and fresh.headers[HEADER] == "miss", address
        page = page_text(fresh)
        assert "Recruter la cellule d'animation" in page, address
        assert "Rédiger les fiches de poste" not in page, address


def test_a_change_made_in_another_worker_is_seen_by_this_one(app, app_with, people):
    """Each worker keeps its own pages; the revision they are checked against is shared."""
    alpha = people["directors"][0]
    action = make_action(owner=alpha.member, title="Rédiger les fiches de poste")
    director = signed_in(app, alpha)
    director.get(f"/plan/actions/{action.id}")
    assert director.get(f"/plan/actions/{action.id}").headers[HEADER] == "hit"
    other_worker = app_with()
    staff = signed_in(other_worker, people["secretariat"])
    response = post(staff, f"/plan/actions/{action.id}/edit",
                    action_form(action, title="Recruter la cellule d'animation"),
                    page=f"/plan/actions/{action.id}/edit")
    assert response.status_code == 302
    fresh = director.get(f"/plan/actions/{action.id}")
    assert fresh.headers[HEADER] == "miss"
    assert "Recruter la cellule d'animation" in page_text(fresh)


def test_a_round_closed_outside_any_request_shows_closed(as_user, people):
    """The scheduled job (or a command) closes rounds through the rules, with no request."""
    alpha = people["directors"][0]
    proposal = make_proposal(actor=people["secretariat"], open_round=True)
    client = as_user(alpha)
    client.get(page_of(proposal))
    assert "tour ouvert" in page_text(client.get(page_of(proposal)))
    proposal_rules.close_round(people["secretariat"], current_round_of(proposal))
    db.session.commit()
    page = client.get(page_of(proposal))
    assert page.headers[HEADER] == "miss"
    assert "tour clos" in page_text(page) and "Pas de consensus" in page_text(page)


# --- 3. pages are per account ----------------------------------------------------------------


def test_each_account_gets_its_own_page_at_the_same_address(as_user, people):
    alpha, beta, _gamma = people["directors"]
    proposal = make_proposal(actor=people["secretariat"], open_round=True)
    clients = {"secretariat": as_user(people["secretariat"]), "observer": as_user(
        people["observer"]), "alpha": as_user(alpha), "beta": as_user(beta)}
    first = {name: client.get(page_of(proposal)) for name, client in clients.items()}
    # The secretariat loaded the address first: no one else got its page.
    assert [first[name].headers[HEADER] for name in clients] == ["miss"] * 4
    kept = {name: client.get(page_of(proposal)) for name, client in clients.items()}
    assert [kept[name].headers[HEADER] for name in clients] == ["hit"] * 4
    for answers in (first, kept):
        pages = {name: page_text(response) for name, response in answers.items()}
        assert "Clore le tour 1 maintenant" in pages["secretariat"]
        assert "Secrétariat Réseau" in pages["secretariat"]
        for name in ("observer", "alpha", "beta"):
            assert "Clore le tour 1 maintenant" not in pages[name], name
        assert "Votre réponse" not in pages["observer"]
        assert "Observer Person" in pages["observer"]
        assert "Secrétariat Réseau" not in pages["observer"]
        assert "Envoyer la réponse de ALPHA" in pages["alpha"]
        assert "Envoyer la réponse de BETA" not in pages["alpha"]
        assert "Envoyer la réponse de BETA" in pages["beta"]
        assert "Envoyer la réponse de ALPHA" not in pages["beta"]


# --- 4. languages ------------------------------------------------------------------------------


def test_switching_language_gives_the_page_in_the_new_language(as_user, people):
    alpha = people["directors"][0]
    proposal = make_proposal(actor=people["secretariat"], open_round=True)
    client = as_user(alpha)
    client.get(page_of(proposal))
    french = client.get(page_of(proposal))
    assert french.headers[HEADER] == "hit" and "Carte du consensus" in page_text(french)
    response = post(client, "/language", {"language": "en", "next": page_of(proposal)},
                    page=page_of(proposal))
    assert response.status_code == 303
    english = client.get(page_of(proposal))
    assert english.headers[HEADER] == "miss"
    assert "Consensus map" in page_text(english)
    assert "Carte du consensus" not in page_text(english)
    assert '<html lang="en"' in english.get_data(as_text=True)


def test_browsers_asking_for_other_languages_each_get_their_own(app, as_user, people):
    """Nothing changes in the database between them: only the language differs."""
    beta = people["directors"][1]
    assert db.session.get(User, beta.id).preferred_language is None
    proposal = make_proposal(actor=people["secretariat"], open_round=True)
    french, english, arabic = as_user(beta), as_user(beta), as_user(beta)
    french.get(page_of(proposal))
    assert french.get(page_of(proposal)).headers[HEADER] == "hit"
    for _load in range(2):
        page = english.get(page_of(proposal), headers={"Accept-Language": "en"})
        assert "Consensus map" in page_text(page) and "Carte du consensus" not in page_text(page)
        page = arabic.get(page_of(proposal), headers={"Accept-Language": "ar"})
        assert '<html lang="ar" dir="rtl">' in page.get_data(as_text=True)
    assert page.headers[HEADER] == "hit"
    back = french.get(page_of(proposal))
    assert back.headers[HEADER] == "hit" and "Carte du consensus" in page_text(back)
    assert '<html lang="fr"' in back.get_data(as_text=True)


# --- 5. a flashed message is shown once -----------------------------------------------------


def test_the_message_after_an_answer_is_shown_once(as_user, people):
    alpha = people["directors"][0]
    proposal = make_proposal(actor=people["secretariat"], open_round=True)
    client = as_user(alpha)
    message = "La réponse de ALPHA est enregistrée"
    response = answer(client, proposal, alpha.member, "agree")
    assert response.status_code == 302
    shown = client.get(response.headers["Location"])
    assert shown.status_code == 200 and message in page_text(shown)
    assert shown.headers.get(HEADER) != "hit"
    again = client.get(page_of(proposal))
    assert again.headers[HEADER] == "miss"  # the page with the message was not kept
    assert message not in page_text(again)
    third = client.get(page_of(proposal))
    assert third.headers[HEADER] == "hit" and message not in page_text(third)
    assert "D'accord" in page_text(third)


def test_a_message_flashed_without_any_change_is_shown_once_too(as_user, people):
    """A refused language leaves the database as it was: the page kept before stays valid,
    yet the page that carries the message is rendered, and not kept."""
    alpha = people["directors"][0]
    client = as_user(alpha)
    client.get("/plan/")
    assert client.get("/plan/").headers[HEADER] == "hit"
    response = post(client, "/language", {"language": "xx", "next": "/plan/"}, page="/plan/")
    assert response.status_code == 303 and response.headers["Location"].endswith("/plan/")
    message = "Cette langue n'est pas disponible"
    shown = client.get("/plan/")
    assert shown.status_code == 200 and message in page_text(shown)
    assert shown.headers.get(HEADER) != "hit"
    after = client.get("/plan/")
    assert after.headers[HEADER] == "hit"
    assert message not in page_text(after)


# --- 6. the CSRF token of a kept page ---------------------------------------------------------


def test_a_form_on_a_kept_page_carries_the_requesters_own_token(app, as_user, people):
    assert app.config.get("WTF_CSRF_ENABLED", True)  # forms without a valid token are refused
    alpha = people["directors"][0]
    proposal = make_proposal(actor=people["secretariat"], open_round=True)
    laptop, phone = as_user(alpha), as_user(alpha)  # two browsers, one account
    on_laptop = laptop.get(page_of(proposal))
    on_phone = phone.get(page_of(proposal))
    assert (on_laptop.headers[HEADER], on_phone.headers[HEADER]) == ("miss", "hit")
    for response in (on_laptop, on_phone):
        assert page_cache.PLACEHOLDER not in response.get_data(as_text=True)
    phone_token, laptop_token = token_of(on_phone), token_of(on_laptop)
    assert phone_token != laptop_token
    url = f"/proposals/{proposal.id}/rounds/1/members/{alpha.member_id}/cast"
    prefix = f"m{alpha.member_id}-"
    refused = phone.post(url, data={prefix + "position": "agree", "csrf_token": laptop_token})
    assert refused.status_code == 400
    sent = phone.post(url, data={prefix + "position": "agree", "csrf_token": phone_token})
    assert sent.status_code == 302
    assert "La réponse de ALPHA est enregistrée" in page_text(phone.get(page_of(proposal)))
    # The laptop's own page still works for the laptop.
    changed = laptop.post(url, data={prefix + "position": "abstain", "reason": "",
                                     "csrf_token": laptop_token})
    assert changed.status_code == 302


def test_the_language_form_of_a_page_kept_for_another_browser_is_accepted(as_user, people):
    """The language form of a kept page: signed-in people send it from every page."""
    alpha = people["directors"][0]
    as_user(alpha).get("/plan/")  # kept by another browser
    client = as_user(alpha)
    kept = client.get("/plan/")
    assert kept.headers[HEADER] == "hit"
    switched = client.post("/language", data={"language": "en", "next": "/plan/",
                                              "csrf_token": token_of(kept)})
    assert switched.status_code == 303
    assert "Action plan" in page_text(client.get("/plan/"))


def test_a_session_reuses_its_token_signature_for_a_minute_and_forms_keep_working(
        as_user, people, monkeypatch):
    """The signed token is made once a minute per session (core/security.py): every page,
    kept or rendered, carries that same valid token, never the kept pages' placeholder."""
    from planner.core import security

    alpha = people["directors"][0]
    proposal = make_proposal(actor=people["secretariat"], open_round=True)
    client = as_user(alpha)
    plan = client.get("/plan/")  # the session's token is made and signed here
    first = client.get(page_of(proposal))  # another page, rendered for the first time
    for response in (plan, first):
        assert page_cache.PLACEHOLDER not in response.get_data(as_text=True)
    assert token_of(first) == token_of(plan)
    url = f"/proposals/{proposal.id}/rounds/1/members/{alpha.member_id}/cast"
    prefix = f"m{alpha.member_id}-"
    refused = client.post(url, data={prefix + "position": "object", "csrf_token": token_of(first)})
    assert refused.status_code == 400  # an objection needs its reason: the form comes back
    sent = client.post(url, data={prefix + "position": "agree", "csrf_token": token_of(refused)})
    assert sent.status_code == 302
    again = client.get(page_of(proposal))  # rendered, with the message of the answer
    assert "La réponse de ALPHA est enregistrée" in page_text(again)
    assert token_of(again) == token_of(first)
    # A minute later the session's token is signed anew, and the new signature is accepted.
    wait = security.SIGNATURE_REUSE_SECONDS + 1
    now, clock = time.time(), time.monotonic()
    monkeypatch.setattr(time, "time", lambda: now + wait)  # the signature's own timestamp
    monkeypatch.setattr(time, "monotonic", lambda: clock + wait)
    fresh = client.get("/plan/")
    assert token_of(fresh) != token_of(first)
    sent = client.post(url, data={prefix + "position": "abstain", "csrf_token": token_of(fresh)})
    assert sent.status_code == 302


# --- 7. time: a round's deadline, a page's minute -----------------------------------------------


def _travel(monkeypatch, moment) -> None:
    for module in (page_cache, proposal_views, proposal_queries, proposal_rules):
        monkeypatch.setattr(module, "utcnow", lambda: moment)


def test_a_page_kept_before_a_deadline_is_not_served_after_it(as_user, people, monkeypatch):
    alpha = people["directors"][0]
    proposal = make_proposal(actor=people["secretariat"], open_round=True,
                             closes_at=utcnow() + timedelta(seconds=30))
    client = as_user(alpha)
    client.get(page_of(proposal))
    before = client.get(page_of(proposal))
    assert before.headers[HEADER] == "hit"
    assert "tour ouvert" in page_text(before) and "Envoyer la réponse de ALPHA" in page_text(
        before)

    _travel(monkeypatch, utcnow() + timedelta(seconds=45))  # within the page's minute
    closing = client.get(page_of(proposal))
    assert closing.status_code == 200 and closing.headers[HEADER] == "miss"
    page = page_text(closing)
    assert "tour clos" in page and "tour ouvert" not in page
    assert "Clos automatiquement à son échéance" in page
    assert "Envoyer la réponse de ALPHA" not in page
    # The load that closed the round wrote: its page was not kept; the next one is.
    assert client.get(page_of(proposal)).headers[HEADER] == "miss"
    kept = client.get(page_of(proposal))
    assert kept.headers[HEADER] == "hit" and "Clos automatiquement" in page_text(kept)


def test_the_home_page_kept_before_a_deadline_no_longer_asks_for_an_answer(
    as_user, people, monkeypatch
):
    alpha = people["directors"][0]
    make_proposal(actor=people["secretariat"], open_round=True, title="Adhésion de Dakhla",
                  closes_at=utcnow() + timedelta(seconds=20))
    client = as_user(alpha)
    client.get("/")
    kept = client.get("/")
    assert kept.headers[HEADER] == "hit"
    assert "Adhésion de Dakhla" in page_text(kept)
    assert "Rien à répondre" not in page_text(kept)
    _travel(monkeypatch, utcnow() + timedelta(seconds=30))
    later = client.get("/")
    assert later.headers[HEADER] == "miss"
    assert "Adhésion de Dakhla" not in page_text(later)
    assert "Rien à répondre : votre cluster a répondu à tous les tours ouverts." in page_text(
        later)


def test_a_page_is_kept_a_minute_at_most(as_user, people, monkeypatch):
    client = as_user(people["observer"])
    client.get("/plan/")
    monkeypatch.setattr(page_cache, "utcnow", lambda: utcnow() + timedelta(seconds=50))
    assert client.get("/plan/").headers[HEADER] == "hit"
    monkeypatch.setattr(page_cache, "utcnow", lambda: utcnow() + timedelta(seconds=61))
    assert client.get("/plan/").headers[HEADER] == "miss"


# --- 8. signed out, deactivated ------------------------------------------------------------


def test_after_logout_the_kept_address_sends_to_the_login_page(app, as_user, people):
    alpha = people["directors"][0]
    proposal = make_proposal(actor=people["secretariat"], open_round=True)
    client = as_user(alpha)
    client.get(page_of(proposal))
    assert client.get(page_of(proposal)).headers[HEADER] == "hit"
    captured = client.get_cookie("session").value
    response = post(client, "/logout", page="/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]

    response = client.get(page_of(proposal))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert HEADER not in response.headers
    thief = app.test_client()
    thief.set_cookie("session", captured, domain="localhost")
    stolen = thief.get(page_of(proposal))
    assert stolen.status_code == 302 and "/login" in stolen.headers["Location"]
    assert "Statut" not in stolen.get_data(as_text=True)


def test_a_deactivated_account_gets_no_kept_page(as_user, people):
    beta = people["directors"][1]
    version = beta.session_version
    client = as_user(beta)
    client.get("/")
    assert client.get("/").headers[HEADER] == "hit"
    staff = as_user(people["secretariat"])
    response = post(staff, f"/accounts/{beta.id}/deactivate", page="/accounts/")
    assert response.status_code == 302
    account = db.session.get(User, beta.id)
    assert not account.is_active and account.session_version != version
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    # Deactivated alone (the cookie's session version still current): still no page.
    account.session_version = version
    db.session.commit()
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert HEADER not in response.headers


def test_an_idle_session_gets_the_login_page_not_the_kept_one(as_user, people):
    alpha = people["directors"][0]
    client = as_user(alpha)
    client.get("/plan/")
    assert client.get("/plan/").headers[HEADER] == "hit"
    with client.session_transaction() as session:
        session["seen_at"] = (utcnow() - timedelta(minutes=31)).isoformat()
    response = client.get("/plan/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login = page_text(client.get(response.headers["Location"]))
    assert "Votre session a expiré" in login


# --- 9. the budget ---------------------------------------------------------------------------


def test_the_kept_pages_stay_within_the_budget(app_with, people):
    budget = 40_000
    small = app_with(PAGE_CACHE_BYTES=budget)
    cache = small.extensions["page_cache"]
    client = signed_in(small, people["observer"])
    addresses = [f"/plan/?visit={n}" for n in range(12)]
    for address in addresses:
        response = client.get(address)
        assert response.status_code == 200 and response.headers[HEADER] == "miss"
        assert len(response.get_data()) * 4 <= budget  # small enough to be kept
        assert 0 < cache.used <= cache.budget == budget
    assert len(cache.entries) < len(addresses)
    assert cache.used == sum(len(entry[2]) for entry in cache.entries.values())
    assert client.get(addresses[-1]).headers[HEADER] == "hit"  # the latest are kept
    assert client.get(addresses[0]).headers[HEADER] == "miss"  # the oldest went first
    assert cache.used <= budget


def test_a_page_larger_than_a_quarter_of_the_budget_is_never_kept(app_with, people):
    tiny = app_with(PAGE_CACHE_BYTES=8_000)  # the plan page is over 2,000 bytes
    client = signed_in(tiny, people["observer"])
    for _load in range(2):
        response = client.get("/plan/")
        assert response.status_code == 200 and response.headers[HEADER] == "miss"
    assert tiny.extensions["page_cache"].used == 0


# --- 10. what a kept page costs --------------------------------------------------------------


def test_a_kept_page_runs_only_the_accounts_statement(as_user, people):
    alpha = people["directors"][0]
    make_action(owner=alpha.member, title="Rédiger les fiches de poste")
    make_proposal(actor=people["secretariat"], open_round=True)
    client = as_user(alpha)
    for address in ("/", "/plan/"):
        with count_queries() as rendered:
            miss = client.get(address)
        with count_queries() as kept:
            hit = client.get(address)
        assert (miss.headers[HEADER], hit.headers[HEADER]) == ("miss", "hit")
        assert len(rendered) > 1, address
        assert len(kept) == 1, (address, kept)
        assert "FROM users" in kept[0] and "data_revision" in kept[0]
        assert without_tokens(hit) == without_tokens(miss)


def test_a_kept_page_is_served_without_making_the_accounts_objects(as_user, people,
                                                                   monkeypatch):
    # Making the account, its cluster and the network as ORM objects cost a seventh to a
    # fifth of a kept page (README, Performance): a hook asking for current_user brings it back.
    alpha = people["directors"][0]
    make_action(owner=alpha.member, title="Rédiger les fiches de poste")
    client = as_user(alpha)
    made = []
    loader = login_manager._user_callback
    monkeypatch.setattr(login_manager, "_user_callback",
                        lambda user_id: made.append(user_id) or loader(user_id))
    miss = client.get("/plan/")
    assert miss.headers[HEADER] == "miss" and len(made) == 1  # the view's page needs them
    hit = client.get("/plan/")
    assert hit.headers[HEADER] == "hit" and len(made) == 1
    assert "Rédiger les fiches de poste" in page_text(hit)


# --- 11. turned off ----------------------------------------------------------------------------


def test_with_no_budget_pages_are_always_rendered(app_with, people):
    off = app_with(PAGE_CACHE_BYTES=0)
    assert "page_cache" not in off.extensions
    alpha = people["directors"][0]
    action = make_action(owner=alpha.member, title="Rédiger les fiches de poste")
    client = signed_in(off, alpha)
    with off.app_context(), count_queries() as statements:
        for _load in range(2):
            response = client.get("/plan/")
            assert response.status_code == 200 and HEADER not in response.headers
            assert "Rédiger les fiches de poste" in page_text(response)
            assert page_cache.PLACEHOLDER not in response.get_data(as_text=True)
    assert len(statements) > 2  # both loads ran their view
    staff = signed_in(off, people["secretariat"])
    response = post(staff, f"/plan/actions/{action.id}/edit",
                    action_form(action, title="Recruter la cellule d'animation"),
                    page=f"/plan/actions/{action.id}/edit")
    assert response.status_code == 302
    assert "Recruter la cellule d'animation" in page_text(client.get("/plan/"))


def test_the_bypass_header_is_obeyed_only_where_allowed(app_with, as_user, people):
    observer = people["observer"]
    # The ordinary app: a visitor cannot make the server render every page.
    client = as_user(observer)
    client.get("/plan/")
    bypass = {HEADER: "bypass"}
    assert client.get("/plan/", headers=bypass).headers[HEADER] == "hit"
    # The benchmark's server (PAGE_CACHE_BYPASS): the header gets the rendered page.
    bench = app_with(PAGE_CACHE_BYPASS=True)
    client = signed_in(bench, observer)
    client.get("/plan/")
    assert client.get("/plan/").headers[HEADER] == "hit"
    rendered = client.get("/plan/", headers=bypass)
    assert rendered.status_code == 200 and HEADER not in rendered.headers
    assert "Plan d'actions" in page_text(rendered)
