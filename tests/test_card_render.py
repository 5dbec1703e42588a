"""A card is drawn by one app server at a time: the others wait for its PNG (a claim row, not a lock)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import models
import pwa.card_cache
from test_stories import card_digest, tell

NOW = datetime(2026, 11, 18, 10, 0)


def test_of_eight_servers_claiming_one_card_at_once_one_draws_it(app):
    start = threading.Barrier(8)

    def claim(_):
        with models.db.connection_context():
            start.wait()
            return models.CardRender.claim("abc", "preview", NOW)

    with ThreadPoolExecutor(8) as pool:
        assert sorted(pool.map(claim, range(8))) == [False] * 7 + [True]


def test_a_claim_left_by_a_server_that_died_is_taken_over(app):
    assert models.CardRender.claim("abc", "preview", NOW)
    assert not models.CardRender.claim("abc", "preview", NOW + timedelta(seconds=29))
    assert models.CardRender.claim("abc", "preview", NOW + timedelta(seconds=31))
    models.CardRender.release("abc", "preview")
    assert models.CardRender.select().count() == 0


def test_a_card_another_server_is_drawing_is_waited_for_not_drawn_again(app, alice, monkeypatch):
    story = tell(alice)
    digest = card_digest(app, story, "preview")
    drawn = []
    monkeypatch.setattr(pwa.card_cache, "render_card", lambda *args: drawn.append(args) or b"")
    # Another app server has begun drawing this card.
    assert models.CardRender.claim(
        digest, "preview", app.config["CLOCK"].now().replace(tzinfo=None)
    )
    results = []

    def fetch():
        response = app.test_client().get(f"/s/{story.share_token}/preview-{digest}.png")
        results.append((response.status_code, response.data))

    thread = threading.Thread(target=fetch)
    thread.start()
    theirs = b"\x89PNG drawn by the other server"
    models.CardImage.keep(digest, "preview", theirs, story, NOW)
    models.CardRender.release(digest, "preview")
    thread.join()
    assert results == [(200, theirs)]
    assert drawn == []
    assert models.CardRender.select().count() == 0


def test_a_claim_freed_because_the_other_server_finished_takes_their_card(app, alice, monkeypatch):
    """The other server keeps its card and lets go between this one's look and its next claim."""
    story = tell(alice)
    digest = card_digest(app, story, "preview")
    theirs = b"\x89PNG drawn by the other server"
    drawn = []
    monkeypatch.setattr(pwa.card_cache, "render_card", lambda *args: drawn.append(args) or b"")
    claim = models.CardRender.claim
    tries = []

    def claim_once_they_finish(digest_, size, now):
        tries.append(now)
        if len(tries) == 1:
            return False  # theirs is still being drawn
        models.CardImage.keep(digest_, size, theirs, story, NOW)  # ...and now it is done
        return claim(digest_, size, now)

    monkeypatch.setattr(models.CardRender, "claim", claim_once_they_finish)
    response = app.test_client().get(f"/s/{story.share_token}/preview-{digest}.png")
    assert (response.status_code, response.data) == (200, theirs)
    assert drawn == [] and len(tries) == 2
    assert models.CardRender.select().count() == 0
