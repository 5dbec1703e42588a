"""Card images for every kind of card: content-addressed URLs, drawn once, cached, sent with an ETag."""

from __future__ import annotations

import functools
import io
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Response, abort, current_app, flash, g, redirect, request, url_for
from PIL import Image

import cards
from cards import render as render_card
from models import CardImage, CardRender
from pwa import clock
from pwa.recent import Recent
from pwa.web import external_url, is_token, render, sign_in_required

SIZES = {"portrait": cards.PORTRAIT, "preview": cards.PREVIEW}
# A revoked or hidden share link's images must leave shared caches within the hour.
CARD_CACHE = "public, max-age=3600"
CARD_CACHE_PRIVATE = "private, max-age=31536000, immutable"
# A page shows the portrait card at most 240 CSS px wide: a WebP for 2x screens, made from the PNG
# (which stays what is downloaded and shared) and cached beside it.
ON_PAGE = "portrait-webp"
ON_PAGE_SIZE = (480, 600)
RECENT_CARDS = (
    48  # PNGs and WebPs served last, kept in this process (named by content, never stale)
)
# Renders of the same card wait for each other; striped so the lock table never grows.
_RENDER_LOCKS = tuple(threading.Lock() for _ in range(64))
RENDER_WAIT = 10.0  # seconds to wait for another server's drawing of the same card


def url(endpoint: str, external: bool = False, **values) -> str:
    """A URL in the app; external: absolute, for outside it (share links, Open Graph)."""
    return external_url(endpoint, **values) if external else url_for(endpoint, **values)


def public_page(template: str, **context):
    """A page behind a share link: no cache keeps it (a revoked link stops at once), no index lists it."""
    response = render(template, **context)
    response.headers.setdefault("Cache-Control", "no-cache")
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def send_card(card, size, asked, public, moved: Callable[[], str], story=None, on_page=False):
    """Send the card's PNG at size (on_page: its smaller WebP), or redirect to moved() for an older card."""
    digest = cards.card_hash(card)
    if asked != digest:
        return redirect(moved(), code=302)
    if request.if_none_match.contains_weak(digest):  # RFC 9110: If-None-Match compares weakly
        response = Response(status=304)
    elif on_page:
        response = Response(webp_on_page(card, digest, story), mimetype="image/webp")
    else:
        response = Response(png(card, size, digest, story), mimetype="image/png")
    response.set_etag(digest)
    response.headers["Cache-Control"] = CARD_CACHE if public else CARD_CACHE_PRIVATE
    return response


def png(card, size: str, digest: str, story=None) -> bytes:
    """The card's PNG from memory or the cache table, rendered once (per process, then per database)."""
    recent = current_app.extensions.setdefault("recent_cards", Recent(RECENT_CARDS))
    key = (digest, size)
    found = recent.get(key) or CardImage.png_for(digest, size)
    if found is None:
        with _RENDER_LOCKS[int(digest, 16) % len(_RENDER_LOCKS)]:
            found = CardImage.png_for(digest, size) or _drawn_once(
                digest, size, lambda: render_card(card, SIZES[size]), story
            )
    recent.put(key, found)
    return found


def _drawn_once(digest: str, size: str, draw: Callable[[], bytes], story) -> bytes:
    """Draw and keep the card, unless another app server is drawing it: then wait for theirs.

    The lock above keeps this process's threads to one drawing; the claim row keeps every server to
    one. A claim whose server died is taken over after CardRender.STALE.
    """
    deadline = time.monotonic() + RENDER_WAIT
    pause = 0.02
    while not CardRender.claim(digest, size, clock.naive_now()):
        time.sleep(pause)
        pause = min(pause * 2, 0.25)
        if (found := CardImage.png_for(digest, size)) is not None:
            return found
        if time.monotonic() > deadline:
            break  # drawn here as well, rather than keep a person waiting
    try:
        # The claim may be free because the other server just finished: then theirs is kept.
        if (found := CardImage.png_for(digest, size)) is not None:
            return found
        found = draw()
        CardImage.keep(digest, size, found, story, clock.naive_now())
    finally:
        CardRender.release(digest, size)
    return found


def webp_on_page(card, digest: str, story=None) -> bytes:
    """The portrait card made smaller for a page, made once like the PNG it comes from."""
    recent = current_app.extensions.setdefault("recent_cards", Recent(RECENT_CARDS))
    key = (digest, ON_PAGE)
    webp = recent.get(key) or CardImage.png_for(digest, ON_PAGE)
    if webp is None:
        portrait = png(card, "portrait", digest, story)

        def draw() -> bytes:
            with Image.open(io.BytesIO(portrait)) as image:
                small = image.convert("RGB").resize(ON_PAGE_SIZE, Image.Resampling.LANCZOS)
            out = io.BytesIO()
            small.save(out, "WEBP", quality=82, method=6)
            return out.getvalue()

        webp = CardImage.png_for(digest, ON_PAGE) or _drawn_once(digest, ON_PAGE, draw, story)
    recent.put(key, webp)
    return webp


@dataclass(frozen=True)
class CardKind:
    """The cards of one kind of shared thing: URLs by content, the public page, the images sent,
    and the share link that those who may revoke or renew.

    Its blueprint names the endpoints "show" (the item's page), "card" (members), "public" and
    "public_card" (share link) and "share_link" (revoke or renew); the item is a
    models.SharedByLink with an id.
    """

    blueprint: str
    id_name: str
    card_of: Callable  # (item, size) -> the card it shows at that size
    model: type  # with shared(token) -> item | None
    manages: Callable  # (item, person) -> whether person may revoke or renew its share link
    owns_renders: bool = False  # its rendered images are deleted with it (CardImage.story)

    def shared(self, token: str):
        """The item behind a live share link; 404 for any other token."""
        item = self.model.shared(token) if is_token(token) else None
        if item is None:
            abort(404)
        return item

    def share_url(self, item) -> str | None:
        """The public link (only the card), if the item has one."""
        if not item.share_token:
            return None
        return external_url(f"{self.blueprint}.public", token=item.share_token)

    def share_panel(self, item, person) -> dict:
        """What a page's share panel shows: the public link, and where person revokes or renews it."""
        manage = None
        if self.manages(item, person):
            manage = url_for(f"{self.blueprint}.share_link", **{self.id_name: item.id})
        return {"share_url": self.share_url(item), "share_manage_url": manage}

    def card_url(self, item, size: str, public: bool = False, external: bool = False) -> str:
        """The content-addressed URL of one of the item's cards."""
        digest = cards.card_hash(self.card_of(item, size))
        if public:
            values = {"token": item.share_token, "size": size, "card": digest}
            return url(f"{self.blueprint}.public_card", external, **values)
        values = {self.id_name: item.id, "size": size, "card": digest}
        return url(f"{self.blueprint}.card", **values)

    def on_page_url(self, item) -> str:
        """The smaller rendition of the portrait card that the item's page shows."""
        digest = cards.card_hash(self.card_of(item, "portrait"))
        return url(f"{self.blueprint}.card_on_page", **{self.id_name: item.id, "card": digest})

    def send(self, item, size: str, asked: str, public: bool, on_page: bool = False):
        """The item's card image at size (a moved URL redirects to the current one)."""
        if on_page:
            moved = functools.partial(self.on_page_url, item)
        else:
            moved = functools.partial(self.card_url, item, size, public)
        owner = item if self.owns_renders else None
        return send_card(self.card_of(item, size), size, asked, public, moved, owner, on_page)

    def add_routes(self, bp, member_path: str, public_path: str, find, page_path: str) -> None:
        """The image routes: for members at member_path/<id>/, behind the share link at
        public_path/<token>/; and page_path/<id>/share, where the share link is revoked or renewed.

        find(id) is the item, if the signed-in person may see it (else it 404s or 403s).
        """
        image = "<any(portrait, preview):size>-<card>.png"

        def member_card(size: str, card: str, **ids):
            """Send one of the card's images to a member (drawn once, then cached by content)."""
            return self.send(find(ids[self.id_name]), size, card, public=False)

        def card_on_page(card: str, **ids):
            """Send the portrait card at the size a page shows it (WebP, made from the PNG)."""
            return self.send(find(ids[self.id_name]), "portrait", card, False, on_page=True)

        def public_card(token: str, size: str, card: str):
            """Send one of the card's images behind a live share link."""
            return self.send(self.shared(token), size, card, public=True)

        def share_link(**ids):
            """Revoke the public share link, or make a new one (only those who manage it)."""
            item = find(ids[self.id_name])
            if not self.manages(item, g.person):
                abort(403)
            action = request.form.get("action")
            if action == "revoke":
                item.revoke_share()
                flash("The share link is revoked: the old link now shows nothing.", "success")
            elif action == "renew":
                item.new_share_token()
                flash("A new share link is ready. Any older link shows nothing now.", "success")
            else:
                abort(400)
            page = url_for(f"{self.blueprint}.show", **{self.id_name: item.id}, _anchor="share")
            return redirect(page, code=303)

        member = f"{member_path}/<id:{self.id_name}>/{image}"
        bp.add_url_rule(member, "card", sign_in_required(member_card))
        smaller = f"{member_path}/<id:{self.id_name}>/portrait-<card>.webp"
        bp.add_url_rule(smaller, "card_on_page", sign_in_required(card_on_page))
        bp.add_url_rule(f"{public_path}/<token>/{image}", "public_card", public_card)
        share = f"{page_path}/<id:{self.id_name}>/share"
        bp.add_url_rule(share, "share_link", sign_in_required(share_link), methods=["POST"])

    def public_page(self, item, inside: str, template="recognition/public.html", **context):
        """The page behind the item's share link: its card, with the tags chat tools unfurl."""
        return public_page(
            template,
            page_url=self.share_url(item),
            image_url=self.card_url(item, "preview", public=True, external=True),
            portrait_url=self.card_url(item, "portrait", public=True),
            inside_url=inside,
            sign_in_url=url_for("account.sign_in", next=inside),
            **context,
        )
