"""The share link of every kind of card (story, recognition, announcement): one mechanism, revoked
or renewed by those who manage it, the old link gone at once."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from test_recognition import recognise

import pwa.announcements
import pwa.recognition
import pwa.stories
from conftest import make_person, sign_in
from models import Announcement, Recognition
from test_stories import tell

WEEK = date(2026, 11, 16)


def a_story(people, client):
    return tell(people["alice"], people["bob"])


def a_recognition(people, client):
    alice, bob = people["alice"], people["bob"]
    recognise(sign_in(client, alice), bob)
    client.post("/signout")
    return Recognition.get(Recognition.giver == alice)


def an_announcement(people, client):
    lena, bob = people["lena"], people["bob"]
    text = "This week's One True Customer recognition goes to Bob Okafor."
    return Announcement.write(lena.team, WEEK, lena, bob, text, datetime(2026, 11, 18, 10))


# kind: (make it, its page, its public path, its module, who manages it, who may not)
KINDS = {
    "story": (a_story, "/stories", "/s", pwa.stories, ("alice", "lena", "ada"), ("bob", "carl")),
    "recognition": (
        a_recognition,
        "/recognitions",
        "/r",
        pwa.recognition,
        ("alice",),
        ("bob", "lena", "ada", "carl"),
    ),
    "announcement": (
        an_announcement,
        "/announcements",
        "/a",
        pwa.announcements,
        ("lena", "ada"),
        ("nora", "alice", "bob", "carl"),
    ),
}


@pytest.fixture
def people(alice, bob, lena, carl, ada, north):
    nora = make_person("Nora Lead", "nora@example.com", role="lead", team=north)
    return {"alice": alice, "bob": bob, "lena": lena, "carl": carl, "ada": ada, "nora": nora}


@pytest.fixture(params=list(KINDS))
def kind(request):
    return KINDS[request.param]


def public_preview(app, module, item) -> str:
    with app.test_request_context():
        return module.CARDS.card_url(item, "preview", public=True)


def reloaded(item):
    return type(item).get_by_id(item.id)


def test_revoking_the_link_makes_the_old_link_and_its_cards_404_at_once(app, client, people, kind):
    make, page_path, public_path, module, managers, _ = kind
    item = make(people, client)
    old, old_card = item.share_token, public_preview(app, module, item)
    assert client.get(f"{public_path}/{old}").status_code == 200
    assert client.get(old_card).status_code == 200
    sign_in(client, people[managers[0]])
    page = client.get(f"{page_path}/{item.id}").get_data(as_text=True)
    assert "Revoke link…" in page and "Yes, revoke the public link" in page
    response = client.post(f"{page_path}/{item.id}/share", data={"action": "revoke"})
    assert response.status_code == 303
    assert response.location == f"{page_path}/{item.id}#share"
    assert reloaded(item).share_token is None
    page = client.get(f"{page_path}/{item.id}").get_data(as_text=True)
    assert "The share link is revoked" in page
    assert "The public link was revoked" in page
    assert "Copy link" not in page and f"{public_path}/{old}" not in page
    assert "Make a share link" in page
    assert client.get(f"{public_path}/{old}").status_code == 404
    assert client.get(old_card).status_code == 404


def test_a_new_link_replaces_the_old_one(client, people, kind):
    make, page_path, public_path, _module, managers, _ = kind
    item = make(people, client)
    old = item.share_token
    sign_in(client, people[managers[-1]])
    assert client.post(f"{page_path}/{item.id}/share", data={"action": "renew"}).status_code == 303
    new = reloaded(item).share_token
    assert new and new != old
    assert client.get(f"{public_path}/{old}").status_code == 404
    assert client.get(f"{public_path}/{new}").status_code == 200
    page = client.get(f"{page_path}/{item.id}").get_data(as_text=True)
    assert f"{public_path}/{new}" in page and "Make a new link" in page


def test_only_those_who_manage_it_may_revoke_or_renew_and_see_no_buttons_else(client, people, kind):
    make, page_path, _public_path, _module, _, refused = kind
    item = make(people, client)
    for name in refused:
        sign_in(client, people[name])
        for action in ("revoke", "renew"):
            response = client.post(f"{page_path}/{item.id}/share", data={"action": action})
            assert response.status_code in (403, 404), (name, action)
        page = client.get(f"{page_path}/{item.id}")
        if page.status_code == 200:
            text = page.get_data(as_text=True)
            assert "Revoke link…" not in text and "Make a new link" not in text, name
        client.post("/signout")
    assert reloaded(item).share_token == item.share_token


def test_a_revoke_needs_the_csrf_token_and_a_known_action(client, people, kind):
    make, page_path, _public_path, _module, managers, _ = kind
    item = make(people, client)
    sign_in(client, people[managers[0]])
    forged = client.post(f"{page_path}/{item.id}/share", data={"action": "revoke"}, csrf=False)
    assert forged.status_code == 400
    assert client.post(f"{page_path}/{item.id}/share", data={"action": "burn"}).status_code == 400
    assert (
        client.post(f"{page_path}/2147483648/share", data={"action": "revoke"}).status_code == 404
    )
    assert reloaded(item).share_token == item.share_token


def test_the_card_drawn_after_a_new_link_carries_the_new_link(app, client, people, kind):
    make, page_path, _public_path, module, managers, _ = kind
    item = make(people, client)
    sign_in(client, people[managers[0]])
    before = re.search(
        r'href="([^"]+portrait-[0-9a-f]+\.png)"',
        client.get(f"{page_path}/{item.id}").get_data(as_text=True),
    )
    client.post(f"{page_path}/{item.id}/share", data={"action": "renew"})
    after = re.search(
        r'href="([^"]+portrait-[0-9a-f]+\.png)"',
        client.get(f"{page_path}/{item.id}").get_data(as_text=True),
    )
    assert before.group(1) != after.group(1)  # the QR code on the portrait card is the link
