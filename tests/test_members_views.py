"""The secretariat manages member clusters, accounts and the network; everyone reads."""

from sqlalchemy import select

from planner.core.audit import AuditEvent
from planner.extensions import db
from planner.members.models import Member, Network, SetPasswordLink, User
from tests.conftest import count_queries, page_text, post
from tests.factories import make_member, make_user


def test_members_directory_lists_active_clusters_and_their_directors(as_user, network):
    member = make_member(short_name="CE3M", name="Cluster électronique")
    make_user(member=member, full_name="Direction CE3M")
    former = make_member(short_name="OLD")
    former.is_active = False
    db.session.commit()
    page = as_user(make_user(role="observer")).get("/members/").get_data(as_text=True)
    assert "CE3M" in page and "Direction CE3M" in page
    assert "OLD" not in page


def test_members_directory_queries_do_not_grow_with_members(app, as_user, network):
    client = as_user(make_user(role="observer"))
    for _ in range(3):
        make_user(member=make_member())
    with count_queries() as few:
        client.get("/members/")
    for _ in range(30):
        make_user(member=make_member())
    with count_queries() as many:
        client.get("/members/")
    assert len(many) == len(few)


def test_secretariat_adds_a_member_cluster(as_user, network):
    client = as_user(make_user(role="secretariat"))
    response = post(
        client,
        "/members/new",
        {
            "name": "Cluster solaire",
            "short_name": "Solaire",
            "sector": "Technologies solaires",
            "city": "",
            "region": "",
            "joined_on": "2015-03-01",
        },
        page="/members/new",
    )
    assert response.status_code == 302
    member = db.session.scalar(select(Member).where(Member.short_name == "Solaire"))
    assert member.slug == "solaire" and member.is_active
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "member.created"))


def test_duplicate_short_name_is_refused_and_input_kept(as_user, network):
    make_member(short_name="MNC")
    client = as_user(make_user(role="secretariat"))
    response = post(
        client,
        "/members/new",
        {"name": "Another one", "short_name": "MNC", "sector": "Numérique"},
        page="/members/new",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "utilise déjà ce nom" in page
    assert 'value="Another one"' in page and 'value="Numérique"' in page


def test_missing_name_is_refused_with_a_message(as_user, network):
    client = as_user(make_user(role="secretariat"))
    response = post(client, "/members/new", {"name": "", "short_name": "X"}, page="/members/new")
    assert response.status_code == 400
    assert "aria-invalid" in response.get_data(as_text=True)


def test_stale_edit_is_refused_and_shows_the_newer_values(as_user, network):
    member = make_member(short_name="Denim", sector="Jeans")
    first = as_user(make_user(role="secretariat"))
    second = as_user(make_user(role="secretariat"))
    form = {
        "name": member.name,
        "short_name": "Denim",
        "city": "",
        "region": "",
        "joined_on": "",
        "is_active": "y",
        "version": str(member.version),
    }
    url = f"/members/{member.id}/edit"
    assert post(first, url, {**form, "sector": "Tissus de jeans"}, page=url).status_code == 302
    response = post(second, url, {**form, "sector": "Denim wear"}, page=url)
    page = page_text(response)
    assert response.status_code == 409
    assert "Quelqu'un d'autre a modifié" in page
    assert 'value="Tissus de jeans"' in page  # the newer saved value, not the stale input
    assert db.session.get(Member, member.id).sector == "Tissus de jeans"


def test_the_secretariat_cluster_cannot_be_deactivated(as_user, network):
    holder = make_member(short_name="CE3M")
    network.secretariat_member_id = holder.id
    db.session.commit()
    client = as_user(make_user(role="secretariat"))
    url = f"/members/{holder.id}/edit"
    response = post(
        client,
        url,
        {"name": holder.name, "short_name": "CE3M", "version": str(holder.version)},
        page=url,
    )
    assert response.status_code == 409
    assert db.session.get(Member, holder.id).is_active


def test_director_cannot_edit_members(as_user, network):
    member = make_member()
    client = as_user(make_user(member=member))
    assert client.get(f"/members/{member.id}/edit").status_code == 403
    assert client.get("/members/new").status_code == 403


def test_unknown_member_is_404(as_user, network):
    assert as_user(make_user()).get("/members/9999").status_code == 404


# --- accounts -----------------------------------------------------------------------------


def test_secretariat_creates_an_account_and_sees_a_one_time_link(as_user, network):
    member = make_member(short_name="Menara")
    client = as_user(make_user(role="secretariat"))
    response = post(
        client,
        "/accounts/new",
        {
            "full_name": "Nouvelle directrice",
            "email": "New.Director@Example.org",
            "member_id": str(member.id),
            "preferred_language": "fr",
        },
        page="/accounts/new",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "/set-password/" in page
    user = db.session.scalar(select(User).where(User.email == "new.director@example.org"))
    assert user.member_id == member.id and user.password_hash is None
    link = db.session.scalar(select(SetPasswordLink).where(SetPasswordLink.user_id == user.id))
    token = page.split("/set-password/")[1].split('"')[0]
    assert token not in link.token_hash  # only the hash is stored


def test_account_needs_a_role_and_observers_have_no_other(as_user, network):
    member = make_member()
    client = as_user(make_user(role="secretariat"))
    no_role = post(
        client, "/accounts/new", {"full_name": "X", "email": "x@example.org"}, page="/accounts/new"
    )
    assert no_role.status_code == 400 and "au moins un rôle" in no_role.get_data(as_text=True)
    both = post(
        client,
        "/accounts/new",
        {
            "full_name": "Y",
            "email": "y@example.org",
            "member_id": str(member.id),
            "is_observer": "y",
        },
        page="/accounts/new",
    )
    assert both.status_code == 400
    assert 'value="y@example.org"' in both.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "y@example.org")) is None


def test_duplicate_email_is_a_409(as_user, network):
    make_user(email="taken@example.org")
    client = as_user(make_user(role="secretariat"))
    response = post(
        client,
        "/accounts/new",
        {"full_name": "Z", "email": "TAKEN@example.org", "is_observer": "y"},
        page="/accounts/new",
    )
    assert response.status_code == 409


def test_deactivated_account_is_signed_out_at_once(app, as_user, network):
    director = make_user()
    director_client = as_user(director)
    assert director_client.get("/").status_code == 200
    secretariat = as_user(make_user(role="secretariat"))
    post(secretariat, f"/accounts/{director.id}/deactivate", page="/accounts/")
    assert director_client.get("/").status_code == 302
    assert not db.session.get(User, director.id).is_active


def test_secretariat_cannot_deactivate_itself(as_user, network):
    me = make_user(role="secretariat")
    client = as_user(me)
    response = post(client, f"/accounts/{me.id}/deactivate", page="/accounts/")
    assert response.status_code == 409
    assert "propre compte" in response.get_data(as_text=True)
    assert db.session.get(User, me.id).is_active


def test_network_settings_change_the_quorum_and_are_audited(as_user, network):
    holder = make_member()
    client = as_user(make_user(role="secretariat"))
    response = post(
        client,
        "/network/settings",
        {
            "name": "Maroc Cluster",
            "founded_on": "2014-12-01",
            "timezone": "Africa/Casablanca",
            "default_language": "fr",
            "currency": "MAD",
            "secretariat_member_id": str(holder.id),
            "quorum_percent": "66",
            "max_proxies_per_holder": "2",
        },
        page="/network/settings",
    )
    assert response.status_code == 302
    saved = db.session.get(Network, network.id)
    assert saved.quorum_percent == 66 and saved.max_proxies_per_holder == 2
    assert saved.quorum_needed(13) == 9  # strictly more than 66 % of 13 (8.58)
    log = client.get("/network/audit").get_data(as_text=True)
    assert "network.updated" in log


def test_quorum_needed_is_strictly_more_than_the_percentage(network):
    network.quorum_percent = 50
    assert [network.quorum_needed(n) for n in (0, 1, 2, 13, 14)] == [0, 1, 2, 7, 8]


def test_invalid_quorum_is_refused(as_user, network):
    client = as_user(make_user(role="secretariat"))
    response = post(
        client,
        "/network/settings",
        {
            "name": "Maroc Cluster",
            "timezone": "Africa/Casablanca",
            "default_language": "fr",
            "currency": "MAD",
            "quorum_percent": "150",
            "max_proxies_per_holder": "1",
        },
        page="/network/settings",
    )
    assert response.status_code == 400
    assert db.session.get(Network, network.id).quorum_percent == 50


def test_audit_log_says_each_action_in_words(as_user, network):
    client = as_user(make_user(role="secretariat"))
    post(client, "/members/new", {"name": "Cluster solaire", "short_name": "Solaire"},
         page="/members/new")
    page = page_text(client.get("/network/audit"))
    assert "Cluster membre ajouté" in page and "member.created" in page


def test_every_audited_action_has_a_label():
    """A new audit code without words would show as raw code to the secretariat."""
    import re
    from pathlib import Path

    from planner.members.audit_labels import ACTION_LABELS

    source = "\n".join(p.read_text() for p in Path("planner").rglob("*.py"))
    codes = set(re.findall(r'audit\.record\(\s*[\w.]+,\s*"([a-z_]+\.[a-z_]+)"', source))
    codes |= set(re.findall(r'action = "([a-z_]+\.[a-z_]+)"', source))
    codes |= {f"meeting.{t}" for t in ("convene", "open", "close", "cancel")}
    assert codes, "no audit code found: the pattern no longer matches the code"
    assert sorted(codes - set(ACTION_LABELS)) == []
