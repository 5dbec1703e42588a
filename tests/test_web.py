"""What every blueprint shares: one bounded parser for numbers, tokens the databases can take,
absolute links from PUBLIC_URL."""

from __future__ import annotations

import email
import re
import string
from datetime import date
from email import policy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import sign_in
from models import CheckIn, Invite, PasswordReset, SignIn, Story
from pwa.web import ID_MAX, form_key, is_token, parse_id
from test_stories import meta, tell

ODD_NUMBERS = ("", "0", "-1", "²", "٣", "１", "1e3", "1.0", "0x1", "+1")
HUGE_NUMBERS = ("2147483648", "9223372036854775808", "-99999999999999999999", "9" * 400)


def test_a_plain_number_is_an_id():
    assert parse_id("1") == 1
    assert parse_id(str(ID_MAX)) == ID_MAX


@pytest.mark.parametrize("value", ODD_NUMBERS + HUGE_NUMBERS + (None, " 1", "\x00", "1\x00"))
def test_anything_else_is_no_id(value):
    assert parse_id(value) is None


@given(st.text(max_size=30))
def test_the_id_parser_never_raises_and_never_leaves_the_databases_range(value):
    number = parse_id(value)
    assert number is None or 1 <= number <= ID_MAX


URL_SAFE = set(string.ascii_letters + string.digits + "-_")


@given(st.text(max_size=80))
def test_a_token_or_key_with_a_nul_or_any_odd_character_is_refused(value):
    assert is_token(value) == (0 < len(value) <= 128 and set(value) <= URL_SAFE)
    assert form_key(value) == (value if is_token(value) and len(value) <= 64 else None)


def test_tokens_the_app_makes_are_tokens():
    import uuid

    from models import new_token

    assert is_token(new_token()) and form_key(uuid.uuid4().hex)


@pytest.mark.parametrize(
    "path", ["/s/%00", "/s/a%00b", "/s/%00/preview-x.png", "/s/%00/portrait-0.png"]
)
def test_a_nul_in_a_share_link_is_not_found(client, alice, path):
    tell(alice)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", ["/invite/%00", "/reset/%00", "/invite/a%00b", "/reset/%00x"])
def test_a_nul_in_an_invite_or_reset_link_is_not_found(client, path):
    assert client.get(path).status_code == 404
    assert client.post(path, data={"password": "x" * 12, "again": "x" * 12}).status_code == 404


def test_a_nul_in_a_check_in_key_is_ignored(as_alice, alice):
    response = as_alice.post("/checkin", data={"before": "yes", "key": "\x00"})
    assert response.status_code == 303
    assert CheckIn.select().where(CheckIn.person == alice).count() == 1


def test_a_nul_in_a_story_key_is_ignored(as_alice, alice):
    form = {
        "day": "2026-11-17",
        "member": str(alice.id),
        "situation": "A question",
        "moment": "She called back",
        "customer_kind": "external",
        "phase": "during",
        "key": "a\x00b",
    }
    assert as_alice.post("/stories/new", data=form).status_code == 303
    assert Story.get().submit_key is None


@pytest.mark.parametrize("value", ODD_NUMBERS + HUGE_NUMBERS + ("\x00",))
def test_odd_numbers_in_story_forms_and_feeds_are_unknown(as_alice, alice, value):
    assert as_alice.get("/stories", query_string={"before": value}).status_code == 200
    form = {"member": value, "moment": "x", "situation": "y", "day": "2026-11-17"}
    response = as_alice.post("/stories/new", data=form)
    assert response.status_code == 422
    assert "Pick the team member from the list" in response.get_data(as_text=True)


def test_a_nul_in_the_team_query_is_an_unknown_team(as_ada, north):
    assert as_ada.get("/team?team=%00").status_code == 404


def test_a_nul_in_the_user_agent_is_not_kept(client, alice):
    client.post(
        "/signin",
        data={"email": alice.email, "password": "correct horse battery"},
        headers={"User-Agent": "Phone\x00Browser"},
    )
    assert SignIn.get().user_agent == "PhoneBrowser"


def test_invite_and_reset_links_come_from_public_url_not_the_request(
    app, as_lena, alice, ada, outbox, queue_at_once
):
    app.config["PUBLIC_URL"] = "https://otc.example.org"
    response = as_lena.post(f"/team/{alice.team_id}/invite", data={"email": "nia@example.com"})
    page = as_lena.get(response.location).get_data(as_text=True)
    assert "https://otc.example.org/invite/" in page and "localhost" not in page
    # Without mail only an admin makes a reset link.
    as_ada = sign_in(app.test_client(), ada)
    response = as_ada.post(f"/people/{alice.id}/reset")
    page = as_ada.get(response.location).get_data(as_text=True)
    assert "https://otc.example.org/reset/" in page and "localhost" not in page
    saved = list(outbox.glob("*.eml"))
    assert len(saved) == 2
    for path in saved:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        text = message.get_body(preferencelist=("plain",)).get_content()
        assert "https://otc.example.org/" in text and "localhost" not in text
    assert Invite.select().count() == 1 and PasswordReset.select().count() == 1


def test_the_share_page_takes_its_links_from_public_url_whatever_the_host(app, client, alice):
    app.config["PUBLIC_URL"] = "https://otc.example.org"
    story = tell(alice)
    page = client.get(f"/s/{story.share_token}", headers={"Host": "evil.example"})
    page = page.get_data(as_text=True)
    assert meta(page, "og:url") == f"https://otc.example.org/s/{story.share_token}"
    assert meta(page, "og:image").startswith("https://otc.example.org/s/")
    assert "evil.example" not in page


def test_an_absolute_link_ignores_the_request_when_public_url_is_set(app):
    from pwa.web import external_url

    app.config["PUBLIC_URL"] = "https://otc.example.org/"
    with app.test_request_context(base_url="http://evil.example"):
        assert (
            external_url("account.accept_invite", token="t") == "https://otc.example.org/invite/t"
        )
    app.config["PUBLIC_URL"] = ""
    with app.test_request_context(base_url="http://127.0.0.1:5000"):
        assert external_url("account.accept_invite", token="t") == "http://127.0.0.1:5000/invite/t"


# Kept fragments: the same values give the same HTML, rendered once; fills are never kept.


@pytest.fixture
def fragment_template(app):
    """A fragment template that counts its renders (a global the template calls)."""
    renders = []
    app.jinja_env.globals["count_render"] = lambda: renders.append(1) or ""
    app.jinja_env.loader = _with_template(
        app.jinja_env.loader,
        "test_fragment.html",
        "{{ count_render() }}<p class={{ kind }}>{{ title }}</p><q>{{ fill.note }}</q>",
    )
    return renders


def _with_template(loader, name, source):
    from jinja2 import ChoiceLoader, DictLoader

    return ChoiceLoader([DictLoader({name: source}), loader])


def test_a_kept_fragment_is_rendered_once_for_the_same_values(app, fragment_template):
    from pwa.web import kept_fragment

    with app.test_request_context("/"):
        first = kept_fragment("test_fragment.html", kind="a", title="Hi", fill={"note": "one"})
        again = kept_fragment("test_fragment.html", kind="a", title="Hi", fill={"note": "two"})
        other = kept_fragment("test_fragment.html", kind="b", title="Hi", fill={"note": "one"})
    assert first == "<p class=a>Hi</p><q>one</q>"
    assert again == "<p class=a>Hi</p><q>two</q>"  # the fill is this call's, not the kept one's
    assert other == "<p class=b>Hi</p><q>one</q>"
    assert len(fragment_template) == 2


# The app is shared by the examples on purpose: each title is kept beside the others.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    note=st.text(max_size=40) | st.sampled_from(["\x1enote\x1e", "<b>\x1enote\x1e&</b>"]),
    title=st.text(max_size=20),
)
def test_a_fill_is_escaped_and_never_read_as_a_placeholder(app, fragment_template, note, title):
    from markupsafe import escape

    from pwa.web import kept_fragment

    # A note that holds another fill's placeholder stays as typed.
    with app.test_request_context("/"):
        html = kept_fragment("test_fragment.html", kind="a", title=title, fill={"note": note})
    assert html == f"<p class=a>{escape(title)}</p><q>{escape(note)}</q>"


def test_kept_fragments_are_bounded_dropping_the_least_recently_used(
    app, fragment_template, monkeypatch
):
    from pwa import web

    monkeypatch.setattr(web, "KEPT_FRAGMENTS", 3)
    with app.test_request_context("/"):
        for kind in ("a", "b", "c"):
            web.kept_fragment("test_fragment.html", kind=kind, title="", fill={"note": ""})
        web.kept_fragment("test_fragment.html", kind="a", title="", fill={"note": ""})  # used again
        web.kept_fragment("test_fragment.html", kind="d", title="", fill={"note": ""})  # drops b
        assert len(fragment_template) == 4
        web.kept_fragment("test_fragment.html", kind="a", title="", fill={"note": ""})
        assert len(fragment_template) == 4
        web.kept_fragment("test_fragment.html", kind="b", title="", fill={"note": ""})
        assert len(fragment_template) == 5
    assert len(app.extensions["kept_fragments"]) == 3


CSRF_META = re.compile(r'name="csrf-token" content="([^"]+)"')
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_two_people_in_the_same_state_see_their_own_notes_and_tokens(app, as_alice, bob):
    as_bob = sign_in(app.test_client(), bob)
    pages = []
    for client in (as_alice, as_bob):
        page = client.get("/").get_data(as_text=True)
        token = CSRF_META.search(page).group(1)
        note = f"Only {id(client)} wrote this"
        response = client.post(
            "/checkin",
            data={"csrf_token": token, "before": "yes", "before_note": note},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        pages.append((client.get("/").get_data(as_text=True), note, token))
    (alice_page, alice_note, _), (bob_page, bob_note, _) = pages
    assert alice_note in alice_page and bob_note not in alice_page
    assert bob_note in bob_page and alice_note not in bob_page
    forms = [
        CSRF_FIELD.findall(client.get("/?edit=1").get_data(as_text=True))
        for client in (as_alice, as_bob)
    ]
    assert forms[0] and forms[1] and set(forms[0]).isdisjoint(forms[1])


@pytest.mark.parametrize(
    "reads",
    ["{{ g.person.name }}", "{{ csrf_token() }}", "{{ request.path }}", "{{ session.sign_in }}"],
)
def test_a_kept_fragment_that_reads_the_request_fails_rather_than_being_kept(app, reads):
    from jinja2 import UndefinedError

    from pwa import web

    app.jinja_env.loader = _with_template(app.jinja_env.loader, "test_leak.html", reads)
    with app.test_request_context("/"), pytest.raises(UndefinedError):
        web.kept_fragment("test_leak.html")
    assert not app.extensions.get("kept_fragments")


TZ_AND_PERSON = re.compile(r'<body hx-boost="true" data-tz="([^"]+)" data-person="(\d+)">')


def test_today_is_kept_once_and_each_person_gets_their_own_frame(app, alice, bob, lena):
    """Today's page is one kept shell for everyone: zone, id, tabs, token and notes are each one's."""
    from models import Person

    Person.update(tz="America/New_York").where(Person.id == bob.id).execute()
    clients = {who.id: sign_in(app.test_client(), who) for who in (alice, bob, lena)}
    CheckIn.create(person=bob, day=date(2026, 11, 18), before="yes", before_note="Bob's own <note>")
    pages = {pid: client.get("/").get_data(as_text=True) for pid, client in clients.items()}
    frames = {pid: TZ_AND_PERSON.search(page).groups() for pid, page in pages.items()}
    assert frames[alice.id] == (alice.tz, str(alice.id))
    assert frames[bob.id] == ("America/New_York", str(bob.id))
    assert frames[lena.id] == (lena.tz, str(lena.id))
    tokens = [CSRF_META.search(page).group(1) for page in pages.values()]
    assert len(set(tokens)) == 3
    assert ">Team</a>" in pages[lena.id] and ">Team</a>" not in pages[alice.id]  # a lead's tabs
    assert "Bob&#39;s own &lt;note&gt;" in pages[bob.id]
    assert "Bob" not in pages[alice.id] and "Bob" not in pages[lena.id]
    shells = [key for key in app.extensions["kept_fragments"].items if key[1] == "today/index.html"]
    assert len(shells) == 1
    # A message flashed for one person shows on their next Today only.
    response = clients[alice.id].post(
        "/today/zone/keep", data={"csrf_token": tokens[0], "phone": "Asia/Tokyo"}
    )
    assert response.status_code == 303
    assert "We won&#39;t ask again" in clients[alice.id].get("/").get_data(as_text=True)
    assert "We won&#39;t ask again" not in clients[bob.id].get("/").get_data(as_text=True)
    assert "We won&#39;t ask again" not in clients[alice.id].get("/").get_data(as_text=True)


def test_a_story_recognition_or_announcement_that_isnt_there_is_not_found(
    as_alice, alice, bob, lena, carl
):
    from datetime import date, datetime

    from models import Announcement, Recognition

    hidden = tell(carl, hidden=True)
    given = Recognition.create(
        giver=bob,
        receiver=alice,
        team=alice.team_id,
        message="Thanks",
        customer_kind="colleague",
        day=date(2026, 11, 17),
        week=date(2026, 11, 16),
    )
    announced = Announcement.write(
        alice.team, date(2026, 11, 16), lena, alice, "It goes to Alice.", datetime(2026, 11, 17)
    )
    assert as_alice.get(f"/recognitions/{given.id}").status_code == 200
    assert as_alice.get(f"/announcements/{announced.id}").status_code == 200
    for area in ("stories", "recognitions", "announcements"):
        for missing in ("999", str(ID_MAX)):
            assert as_alice.get(f"/{area}/{missing}").status_code == 404, (area, missing)
    assert as_alice.get(f"/stories/{hidden.id}").status_code == 404  # a hidden one stays unknown


def _main_nav(response) -> str:
    page = response.get_data(as_text=True)
    return page.split('<nav class="tabs" aria-label="Main">')[1].split("</nav>")[0]


def test_an_admin_has_an_admin_item_in_the_navigation_lit_on_the_admin_pages(as_ada):
    nav = _main_nav(as_ada.get("/"))
    assert re.search(r'<a class="tab-rail-only" href="/admin" ><span[^>]*>⚙</span>Admin</a>', nav)
    for path in ("/admin", "/admin/indicators"):
        nav = _main_nav(as_ada.get(path))
        assert 'href="/admin" aria-current="page"' in nav, path
        assert nav.count("aria-current") == 1
        # The phone's bar has no Admin tab: Team stays lit there, as before.
        assert 'href="/team" class="tab-holds-admin"' in nav


@pytest.mark.parametrize("who", ["as_alice", "as_lena"])
def test_an_employee_or_a_lead_has_no_admin_item(request, who):
    nav = _main_nav(request.getfixturevalue(who).get("/"))
    assert "Admin" not in nav and 'href="/admin"' not in nav
    assert "tab-holds-admin" not in _main_nav(request.getfixturevalue(who).get("/team"))
