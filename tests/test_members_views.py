"""The secretariat manages member clusters, accounts and the network; everyone reads."""

import html
import re

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
    client = as_user(make_user(role="secretariat"))
    pages = ("/members/", "/members/?page=2&inactive=1", "/members/?q=cluster&page=2")
    for _ in range(3):
        make_user(member=make_member())
    few = {}
    for url in pages:
        with count_queries() as few[url]:
            assert client.get(url).status_code == 200
    for _ in range(57):
        make_user(member=make_member())
    for url in pages:
        with count_queries() as many:
            assert client.get(url).status_code == 200
        assert len(many) == len(few[url]), url


# --- a directory of many clusters: pages and a name to type ----------------------------------


def _rows(response) -> int:
    """The rows of the page's table (one heading cell per row)."""
    return response.get_data(as_text=True).count('<th scope="row">')


def _next_page(response) -> str:
    match = re.search(r'<a href="([^"]+)" rel="next">', response.get_data(as_text=True))
    assert match, "no link to the next page"
    return html.unescape(match.group(1))


def _clusters(first: int, last: int) -> list[Member]:
    """Clusters K01, K02, … (numbered so that the directory's order is theirs)."""
    return [make_member(short_name=f"K{n:02d}", name=f"Cluster K{n:02d}")
            for n in range(first, last + 1)]


def test_the_directory_shows_fifty_clusters_a_page_and_how_many_there_are(as_user, network):
    _clusters(1, 60)
    client = as_user(make_user(role="observer"))
    first = client.get("/members/")
    text = page_text(first)
    assert _rows(first) == 50
    assert "60 clusters membres." in text and "Affichage de 1 à 50." in text
    assert "Page 1 sur 2" in text and "K50" in text and "K51" not in text
    second = client.get(_next_page(first))
    text = page_text(second)
    assert _rows(second) == 10 and "Affichage de 51 à 60." in text
    assert "K51" in text and "K60" in text and "K50" not in text


def test_a_page_past_the_end_shows_the_last_one_and_a_wrong_number_the_first(as_user, network):
    _clusters(1, 60)
    client = as_user(make_user(role="observer"))
    past = client.get("/members/?page=9")
    assert past.status_code == 200 and _rows(past) == 10 and "Page 2 sur 2" in page_text(past)
    for wrong in ("abc", "-3", "0"):
        response = client.get(f"/members/?page={wrong}")
        assert response.status_code == 200 and _rows(response) == 50
        assert "K01" in page_text(response)


def test_the_secretariat_pages_through_former_members_too(as_user, network):
    _clusters(1, 45)
    for former in _clusters(46, 60):
        former.is_active = False
    db.session.commit()
    client = as_user(make_user(role="secretariat"))
    active = page_text(client.get("/members/"))
    assert "45 clusters membres." in active and "Page 1 sur" not in active
    first = client.get("/members/?inactive=1")
    assert _rows(first) == 50 and "60 clusters membres." in page_text(first)
    assert "inactive=1" in _next_page(first)
    second = client.get(_next_page(first))
    assert _rows(second) == 10 and page_text(second).count("Ancien membre") == 10


def test_others_cannot_show_former_members_by_the_address(as_user, network):
    _clusters(1, 60)
    former = make_member(short_name="OLD")
    former.is_active = False
    db.session.commit()
    client = as_user(make_user(role="observer"))
    response = client.get("/members/?inactive=1&page=2")
    assert "OLD" not in page_text(response)
    assert "60 clusters membres." in page_text(response)
    assert "inactive" not in response.get_data(as_text=True).split('class="pager"')[1]


def test_a_typed_name_finds_the_cluster_whatever_its_capitals_and_accents(as_user, network):
    _clusters(1, 60)
    make_member(short_name="CE3M", name="Cluster électronique de Tétouan")
    client = as_user(make_user(role="observer"))
    response = client.get("/members/?q=ELECTRONIQUE de tetouan")
    text = page_text(response)
    assert response.status_code == 200 and _rows(response) == 1
    assert "CE3M" in text and "K01" not in text
    assert "1 cluster membre correspond à « ELECTRONIQUE de tetouan »." in text
    assert 'value="ELECTRONIQUE de tetouan"' in response.get_data(as_text=True)
    assert "CE3M" in page_text(client.get("/members/?q=ce3"))  # the short name too
    nothing = client.get("/members/?q=Rabat")
    assert _rows(nothing) == 0 and "Aucun cluster membre ne correspond." in page_text(nothing)


def test_a_search_pages_and_keeps_the_former_members_shown(as_user, network):
    _clusters(1, 59)
    former = make_member(short_name="K60", name="Cluster K60")
    former.is_active = False
    make_member(short_name="Other", name="Something else")
    client = as_user(make_user(role="secretariat"))
    first = client.get("/members/?q=cluster k&inactive=1")
    text = page_text(first)
    assert _rows(first) == 50 and "60 clusters membres correspondent à « cluster k »." in text
    assert '<input type="hidden" name="inactive" value="1">' in first.get_data(as_text=True)
    second = client.get(_next_page(first))
    text = page_text(second)
    assert _rows(second) == 10 and "K60" in text and "Other" not in text
    assert 'value="cluster k"' in second.get_data(as_text=True)


def test_a_percent_or_other_sign_in_a_typed_name_matches_literally(as_user, network):
    make_member(short_name="Cent", name="Export 100% Maroc")
    make_member(short_name="Mille", name="Export 1000 Maroc")
    make_member(short_name="Tiret", name="Cluster A_B")
    make_member(short_name="Point", name="Cluster A.B")
    make_member(short_name="Lettre", name="Cluster AxB")
    make_member(short_name="Logiciel", name="Cluster C++")
    client = as_user(make_user(role="observer"))
    percent = page_text(client.get("/members/?q=100%"))
    assert "Cent" in percent and "Mille" not in percent
    underscore = page_text(client.get("/members/?q=a_b"))
    assert "Tiret" in underscore and "Point" not in underscore and "Lettre" not in underscore
    dot = page_text(client.get("/members/?q=a.b"))
    assert "Point" in dot and "Tiret" not in dot and "Lettre" not in dot
    plus = client.get("/members/?q=c%2B%2B")
    assert plus.status_code == 200 and "Logiciel" in page_text(plus)


def test_an_overlong_name_is_refused_with_a_message_and_the_list_shown(as_user, network):
    _clusters(1, 3)
    response = as_user(make_user(role="observer")).get("/members/?q=" + "x" * 201)
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.get_data(as_text=True) and _rows(response) == 3


def test_a_control_character_in_the_address_is_no_error(as_user, network):
    _clusters(1, 3)
    client = as_user(make_user(role="secretariat"))
    assert _rows(client.get("/members/?q=K0%00")) == 3
    assert client.get("/accounts/?q=%00%01").status_code == 200


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


def _accounts(first: int, last: int) -> list[User]:
    """Observers "Account 01", "Account 02", … (observers: no cluster made for them)."""
    return [make_user(role="observer", full_name=f"Account {n:02d}")
            for n in range(first, last + 1)]


def test_accounts_list_fifty_a_page_and_say_how_many_there_are(as_user, network):
    _accounts(1, 60)
    client = as_user(make_user(role="secretariat", full_name="Zineb Secretariat"))
    first = client.get("/accounts/")
    text = page_text(first)
    assert _rows(first) == 50 and "61 comptes." in text and "Affichage de 1 à 50." in text
    assert "Account 50" in text and "Account 51" not in text
    second = client.get(_next_page(first))
    text = page_text(second)
    assert _rows(second) == 11 and "Affichage de 51 à 61." in text
    assert "Account 51" in text and "Zineb Secretariat" in text
    past = client.get("/accounts/?page=7")
    assert _rows(past) == 11 and "Page 2 sur 2" in page_text(past)
    assert _rows(client.get("/accounts/?page=two")) == 50


def test_a_typed_name_or_email_finds_the_account(as_user, network):
    _accounts(1, 60)
    make_user(role="observer", full_name="Zoé Benjelloun", email="z.benj@example.org")
    client = as_user(make_user(role="secretariat"))
    response = client.get("/accounts/?q=ZOE")
    text = page_text(response)
    assert _rows(response) == 1 and "Zoé Benjelloun" in text and "Account 01" not in text
    assert "1 compte correspond à « ZOE »." in text
    assert 'value="ZOE"' in response.get_data(as_text=True)
    by_email = client.get("/accounts/?q=Z.BENJ@")
    assert _rows(by_email) == 1 and "Zoé Benjelloun" in page_text(by_email)
    many = client.get("/accounts/?q=account")
    assert _rows(many) == 50 and "q=account" in _next_page(many)
    assert _rows(client.get(_next_page(many))) == 10


def test_a_percent_in_a_typed_account_name_matches_literally(as_user, network):
    make_user(role="observer", full_name="Agence 100% export")
    make_user(role="observer", full_name="Agence 1000 export")
    text = page_text(as_user(make_user(role="secretariat")).get("/accounts/?q=100%"))
    assert "Agence 100% export" in text and "Agence 1000 export" not in text


def test_deactivating_from_a_searched_page_comes_back_to_it(as_user, network):
    target = _accounts(1, 60)[54]
    client = as_user(make_user(role="secretariat"))
    page = client.get("/accounts/?q=account&page=2")
    assert f"/accounts/{target.id}/deactivate?q=account&amp;page=2" in page.get_data(as_text=True)
    response = post(client, f"/accounts/{target.id}/deactivate?q=account&page=2",
                    page="/accounts/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/accounts/?q=account&page=2")
    assert not db.session.get(User, target.id).is_active


def test_editing_from_a_searched_page_comes_back_to_it(as_user, network):
    target = _accounts(1, 60)[54]
    client = as_user(make_user(role="secretariat"))
    edit = f"/accounts/{target.id}/edit?q=account&page=2"
    assert edit.replace("&", "&amp;") in client.get("/accounts/?q=account&page=2").get_data(
        as_text=True)
    form = client.get(edit).get_data(as_text=True)
    assert 'href="/accounts/?q=account&amp;page=2">Annuler' in form
    response = post(client, edit, {"full_name": "Account 55 renamed",
                                   "email": target.email, "member_id": "", "is_observer": "y",
                                   "preferred_language": "fr"}, page=edit)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/accounts/?q=account&page=2")
    assert db.session.get(User, target.id).full_name == "Account 55 renamed"


def test_only_the_secretariat_lists_or_searches_accounts(as_user, network):
    for role in ("director", "observer"):
        client = as_user(make_user(role=role))
        assert client.get("/accounts/?q=a&page=2").status_code == 403


def test_accounts_list_queries_do_not_grow_with_accounts(as_user, network):
    client = as_user(make_user(role="secretariat"))
    pages = ("/accounts/", "/accounts/?page=2", "/accounts/?q=account&page=2")
    for _ in range(3):
        make_user(member=make_member(), full_name="Account of a director")
    few = {}
    for url in pages:
        with count_queries() as few[url]:
            assert client.get(url).status_code == 200
    for _ in range(57):
        make_user(member=make_member(), full_name="Account of a director")
    for url in pages:
        with count_queries() as many:
            assert client.get(url).status_code == 200
        assert len(many) == len(few[url]), url


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
