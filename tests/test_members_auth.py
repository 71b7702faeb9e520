"""Logging in and out, throttling, sessions and set-password links, as a person meets them."""

from datetime import timedelta

from sqlalchemy import func, select

from planner.core.time import utcnow
from planner.extensions import db
from planner.members import rules
from planner.members.models import LoginAttempt, SetPasswordLink, User
from tests.conftest import count_queries, csrf_token, page_text, post
from tests.factories import PASSWORD, make_user


def log_in(client, email, password, **extra):
    return post(client, "/login", {"email": email, "password": password, **extra})


def test_director_logs_in_and_lands_on_home(client, network):
    user = make_user(full_name="Amina Director")
    response = log_in(client, user.email, PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/")
    home = client.get("/")
    assert "Amina Director" in home.get_data(as_text=True)
    assert db.session.get(User, user.id).last_login_at is not None


def test_email_is_case_insensitive(client, network):
    user = make_user(email="mixed@example.org")
    assert log_in(client, "  MIXED@Example.org ", PASSWORD).status_code == 302
    assert user.id


def test_wrong_password_keeps_email_and_says_why(client, network):
    user = make_user()
    response = log_in(client, user.email, "not the password")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Adresse e-mail ou mot de passe incorrect" in page  # French by default
    assert f'value="{user.email}"' in page
    assert "not the password" not in page


def test_unknown_email_gets_the_same_message(client, network):
    response = log_in(client, "nobody@example.org", "whatever password")
    assert response.status_code == 400
    assert "Adresse e-mail ou mot de passe incorrect" in response.get_data(as_text=True)


def test_unknown_email_costs_a_password_check_too(client, network, monkeypatch):
    checked = []
    original = rules.check_password_hash
    monkeypatch.setattr(
        rules,
        "check_password_hash",
        lambda stored, pw: checked.append(stored) or original(stored, pw),
    )
    log_in(client, "nobody@example.org", "whatever password")
    assert len(checked) == 1 and checked[0].startswith("scrypt:32768:8:3$")


def test_inactive_account_cannot_log_in(client, network):
    user = make_user()
    user.is_active_account = False
    db.session.commit()
    assert log_in(client, user.email, PASSWORD).status_code == 400
    assert client.get("/").status_code == 302


def test_login_without_csrf_token_is_refused(client, network):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "formulaire" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_five_failures_lock_the_account_for_fifteen_minutes(client, network):
    user = make_user()
    for _ in range(5):
        assert log_in(client, user.email, "wrong password!").status_code == 400
    response = log_in(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "15 minutes" in response.get_data(as_text=True)
    # The failures are in the database, so every worker process sees them.
    failures = db.session.scalar(
        select(func.count(LoginAttempt.id)).where(LoginAttempt.succeeded.is_(False))
    )
    assert failures == 5
    # Fifteen minutes later the account opens again.
    for attempt in db.session.scalars(select(LoginAttempt)):
        attempt.at = utcnow() - timedelta(minutes=16)
    db.session.commit()
    assert log_in(client, user.email, PASSWORD).status_code == 302


def test_one_address_is_limited_across_accounts(app, client, network):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    users = [make_user() for _ in range(4)]
    for user in users[:3]:
        log_in(client, user.email, "wrong password!")
    assert log_in(client, users[3].email, PASSWORD).status_code == 429


def test_password_hash_is_scrypt_at_owasp_strength_in_32_mib(app, network):
    user = make_user()
    method, salt, digest = user.password_hash.split("$")
    name, n, r, p = method.split(":")
    assert name == "scrypt" and int(r) == 8
    assert int(n) * int(p) >= 3 * 2**15  # OWASP: N=2^15, r=8, p=3 (or stronger)
    assert 128 * int(n) * int(r) <= 32 * 2**20  # the memory a worker holds while hashing
    assert PASSWORD not in user.password_hash


def test_a_password_hashed_with_an_earlier_method_is_rehashed_at_login(app, client, network):
    from werkzeug.security import generate_password_hash

    user = make_user()
    user.password_hash = generate_password_hash(PASSWORD, method="scrypt:65536:8:1")
    db.session.commit()
    assert log_in(client, user.email, PASSWORD).status_code == 302
    db.session.refresh(user)
    assert user.password_hash.startswith("scrypt:32768:8:3$")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert log_in(client, user.email, PASSWORD).status_code == 302


def test_login_changes_the_session_cookie(client, network):
    user = make_user()
    client.get("/login")
    before = client.get_cookie("session").value
    log_in(client, user.email, PASSWORD)
    after = client.get_cookie("session").value
    assert before != after


def test_cookie_captured_before_logout_is_refused_after(app, client, network):
    user = make_user()
    log_in(client, user.email, PASSWORD)
    captured = client.get_cookie("session").value
    assert client.get("/").status_code == 200
    post(client, "/logout", page="/account")
    thief = app.test_client()
    thief.set_cookie("session", captured, domain="localhost")
    response = thief.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_signed_in_page_reads_the_account_and_the_network_in_one_statement(
    app, client, network
):
    user = make_user()
    log_in(client, user.email, PASSWORD)
    with count_queries() as statements:
        response = client.get("/account")
    assert response.status_code == 200
    assert network.name in page_text(response)  # the header names the network
    with_network = [s for s in statements if "networks" in s]
    assert len(with_network) == 1 and "FROM users" in with_network[0]
    # Signed out (the cookie's session version is old), the page still names the network.
    db.session.get(User, user.id).session_version += 1
    db.session.commit()
    response = client.get("/login")
    assert response.status_code == 200 and network.name in page_text(response)


def test_remember_me_cookie_dies_at_logout(app, client, network):
    user = make_user()
    log_in(client, user.email, PASSWORD, remember="y")
    remember_cookie = client.get_cookie("remember_token")
    assert remember_cookie is not None
    assert remember_cookie.expires is not None
    lifetime = remember_cookie.expires.replace(tzinfo=None) - utcnow()
    assert timedelta(days=29) < lifetime <= timedelta(days=30, minutes=1)
    post(client, "/logout", page="/account")
    thief = app.test_client()
    thief.set_cookie("remember_token", remember_cookie.value, domain="localhost")
    assert thief.get("/").status_code == 302


def test_remember_me_restores_a_session_after_the_browser_closes(app, client, network):
    user = make_user()
    log_in(client, user.email, PASSWORD, remember="y")
    remember_cookie = client.get_cookie("remember_token")
    new_browser = app.test_client()
    new_browser.set_cookie("remember_token", remember_cookie.value, domain="localhost")
    assert new_browser.get("/").status_code == 200


def _age_session(client, **ages):
    with client.session_transaction() as session:
        for key, delta in ages.items():
            session[key] = (utcnow() - delta).isoformat()


def test_idle_session_expires_after_thirty_minutes(client, network):
    user = make_user()
    log_in(client, user.email, PASSWORD)
    _age_session(client, seen_at=timedelta(minutes=29))
    assert client.get("/").status_code == 200
    _age_session(client, seen_at=timedelta(minutes=31))
    response = client.get("/")
    assert response.status_code == 302
    assert "expiré" in client.get("/login").get_data(as_text=True)


def test_session_ends_after_twelve_hours_even_when_active(client, network):
    user = make_user()
    log_in(client, user.email, PASSWORD)
    _age_session(client, login_at=timedelta(hours=12, minutes=1), seen_at=timedelta(minutes=1))
    assert client.get("/").status_code == 302


def test_remembered_session_survives_idle_time(client, network):
    user = make_user()
    log_in(client, user.email, PASSWORD, remember="y")
    _age_session(client, seen_at=timedelta(hours=5), login_at=timedelta(days=3))
    assert client.get("/").status_code == 200


def test_next_redirect_stays_on_this_site(client, network):
    user = make_user()
    for evil in (
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
    ):
        client.get("/login")
        response = log_in(client, user.email, PASSWORD, next=evil)
        assert response.headers["Location"].endswith("/"), evil
        assert "evil" not in response.headers["Location"]
        post(client, "/logout", page="/account")
    response = log_in(client, user.email, PASSWORD, next="/members/")
    assert response.headers["Location"].endswith("/members/")


def test_anonymous_visitor_is_sent_to_login_with_next(client, network):
    response = client.get("/members/")
    assert response.status_code == 302
    assert "/login?next=%2Fmembers%2F" in response.headers["Location"]


# --- set-password links ------------------------------------------------------------------


def _make_link(user, secretariat):
    token = rules.create_set_password_link(secretariat, user)
    db.session.commit()
    return f"/set-password/{token}"


def test_set_password_link_works_once(client, network):
    secretariat = make_user(role="secretariat")
    newcomer = make_user(with_password=False)
    url = _make_link(newcomer, secretariat)
    assert client.get(url).status_code == 200
    new_password = "a brand new password"
    response = post(client, url, {"password": new_password, "confirmation": new_password}, page=url)
    assert response.status_code == 302
    assert log_in(client, newcomer.email, new_password).status_code == 302
    other = client.application.test_client()
    assert other.get(url).status_code == 404  # single use


def test_set_password_link_expires_after_72_hours(client, network):
    secretariat = make_user(role="secretariat")
    user = make_user()
    url = _make_link(user, secretariat)
    link = db.session.scalar(select(SetPasswordLink))
    link.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.get(url)
    assert response.status_code == 404
    assert "72" in response.get_data(as_text=True)


def test_new_link_replaces_the_previous_one(client, network):
    secretariat = make_user(role="secretariat")
    user = make_user()
    first = _make_link(user, secretariat)
    second = _make_link(user, secretariat)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_set_password_refuses_short_or_email_passwords_and_keeps_the_link(client, network):
    secretariat = make_user(role="secretariat")
    user = make_user(email="short@example.org")
    url = _make_link(user, secretariat)
    response = post(client, url, {"password": "short", "confirmation": "short"}, page=url)
    assert response.status_code == 400
    assert "12" in response.get_data(as_text=True)
    response = post(
        client,
        url,
        {"password": "short@example.org", "confirmation": "short@example.org"},
        page=url,
    )
    assert response.status_code == 400
    response = post(
        client,
        url,
        {"password": "long enough password", "confirmation": "different password!"},
        page=url,
    )
    assert response.status_code == 400
    assert client.get(url).status_code == 200  # still usable


def test_change_password_signs_out_other_sessions(app, client, network):
    user = make_user()
    log_in(client, user.email, PASSWORD)
    other_device = app.test_client()
    log_in(other_device, user.email, PASSWORD)
    new_password = "another good password"
    response = post(
        client,
        "/account/password",
        {
            "current_password": PASSWORD,
            "password": new_password,
            "confirmation": new_password,
        },
        page="/account",
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other_device.get("/").status_code == 302


def test_change_password_needs_the_current_one(client, network):
    user = make_user()
    log_in(client, user.email, PASSWORD)
    response = post(
        client,
        "/account/password",
        {
            "current_password": "wrong one",
            "password": "x" * 14,
            "confirmation": "x" * 14,
        },
        page="/account",
    )
    assert response.status_code == 400
    assert "actuel" in response.get_data(as_text=True)


def test_csrf_token_is_on_every_form(client, network):
    assert csrf_token(client, "/login")
