"""Card images for every kind of card: content-addressed URLs, drawn once, cached, sent with an ETag."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import Response, current_app, redirect, request, url_for

import cards
from cards import render as render_card
from models import CardImage
from pwa import clock

SIZES = {"portrait": cards.PORTRAIT, "preview": cards.PREVIEW}
CARD_CACHE = "public, max-age=31536000, immutable"
CARD_CACHE_PRIVATE = "private, max-age=31536000, immutable"
# Renders of the same card wait for each other; striped so the lock table never grows.
_RENDER_LOCKS = tuple(threading.Lock() for _ in range(64))


def url(endpoint: str, external: bool = False, **values) -> str:
    """A URL in the app; external: absolute, for outside it (share links, Open Graph)."""
    return external_url(endpoint, **values) if external else url_for(endpoint, **values)


def external_url(endpoint: str, **values) -> str:
    """An absolute URL for outside the app (share links, Open Graph), on PUBLIC_URL when set."""
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def public_page(template: str, **context):
    """A page behind a share link: no cache keeps it (a revoked link stops at once), no index lists it."""
    from pwa.web import render

    response = render(template, **context)
    response.headers.setdefault("Cache-Control", "no-cache")
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def send_card(card, size: str, asked: str, public: bool, moved: Callable[[], str], story=None):
    """Send the card's PNG at size, or redirect to moved() when the URL names an older card."""
    digest = cards.card_hash(card)
    if asked != digest:
        return redirect(moved(), code=302)
    if request.if_none_match.contains(digest):
        response = Response(status=304)
    else:
        response = Response(png(card, size, digest, story), mimetype="image/png")
    response.set_etag(digest)
    response.headers["Cache-Control"] = CARD_CACHE if public else CARD_CACHE_PRIVATE
    return response


def png(card, size: str, digest: str, story=None) -> bytes:
    """The card's PNG from memory or the cache table, rendered once (per process, then per database)."""
    recent = current_app.extensions.setdefault("recent_cards", RecentCards())
    key = (digest, size)
    found = recent.get(key) or CardImage.png_for(digest, size)
    if found is None:
        with _RENDER_LOCKS[int(digest, 16) % len(_RENDER_LOCKS)]:
            found = CardImage.png_for(digest, size)
            if found is None:
                found = render_card(card, SIZES[size])
                CardImage.keep(digest, size, found, story, clock.naive_now())
    recent.put(key, found)
    return found


class RecentCards:
    """The PNGs served last, by hash and size: named by their content, so never stale."""

    def __init__(self, limit: int = 48):
        self.limit = limit
        self.items: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self.guard = threading.Lock()

    def get(self, key: tuple[str, str]) -> bytes | None:
        with self.guard:
            found = self.items.get(key)
            if found is not None:
                self.items.move_to_end(key)
            return found

    def put(self, key: tuple[str, str], value: bytes) -> None:
        with self.guard:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.limit:
                self.items.popitem(last=False)
