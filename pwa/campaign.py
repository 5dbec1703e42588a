"""The campaign's fixed pages: the pledge and the quick reference card."""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, current_app, g, jsonify, render_template, url_for

from models import IntegrityError, Pledge, db
from pwa import clock, events
from pwa.web import back, render, sign_in_required

bp = Blueprint("campaign", __name__)
# What the service worker keeps for offline use, beside the reference card and the offline page.
PRECACHE = (
    "css/app.css",
    "js/app.js",
    "js/pwa.js",
    "js/queue.js",
    "vendor/htmx.min.js",
    "icons/icon.svg",
    "icons/icon-192.png",
)


@bp.route("/pledge")
@sign_in_required
def pledge():
    """Show the pledge, and whether I signed it."""
    signed = Pledge.get_or_none(Pledge.person == g.person)
    return render("campaign/pledge.html", signed=signed)


@bp.route("/pledge", methods=["POST"])
@sign_in_required
def sign():
    """Sign the pledge, once: signing again changes nothing."""
    try:
        with db.atomic():
            Pledge.create(person=g.person, signed_at=clock.naive_now())
    except IntegrityError:
        pass
    events.content_changed(g.person)
    return back("campaign.pledge")


@bp.route("/card")
def card():
    """The quick reference card: public, printable, fine offline."""
    return render("campaign/card.html")


@bp.route("/offline")
def offline():
    """The page the service worker shows when a page can't be reached offline."""
    return render("campaign/offline.html")


@bp.route("/manifest.webmanifest")
def manifest():
    """The web app manifest: installable, standalone, with the campaign's colours."""
    icons = [
        _icon(f"icons/{name}-{size}.png", size, purpose)
        for name, purpose, size in (
            ("icon", "any", 192),
            ("icon", "any", 512),
            ("maskable", "maskable", 192),
            ("maskable", "maskable", 512),
        )
    ]
    shortcuts = [_shortcut("Check in", "today.index")]
    # Each area's shortcut appears once its area exists in this build.
    for name, endpoint in (("Share a story", "stories.new"), ("Recognise", "recognition.new")):
        if endpoint in current_app.view_functions:
            shortcuts.append(_shortcut(name, endpoint))
    shortcuts.append(_shortcut("Reference card", "campaign.card"))
    response = jsonify(
        {
            "name": "One True Customer",
            "short_name": "One True",
            "description": "The daily filter, streaks, the 30-day challenge and stories of the One True Customer campaign.",
            "id": "/",
            "start_url": "/",
            "scope": "/",
            "display": "standalone",
            "background_color": "#FAF3E6",
            "theme_color": "#1C2541",
            "icons": icons,
            "shortcuts": shortcuts,
        }
    )
    response.mimetype = "application/manifest+json"
    return response


def _icon(filename: str, size: int, purpose: str) -> dict:
    return {
        "src": url_for("static", filename=filename),
        "sizes": f"{size}x{size}",
        "type": "image/png",
        "purpose": purpose,
    }


def _shortcut(name: str, endpoint: str) -> dict:
    return {
        "name": name,
        "url": url_for(endpoint),
        "icons": [_icon("icons/icon-192.png", 192, "any")],
    }


@bp.route("/sw.js")
def service_worker():
    """The service worker, served from the root so it may look after every page."""
    static_urls = [url_for("static", filename=name) for name in PRECACHE]
    urls = {
        "card_url": url_for("campaign.card"),
        "offline_url": url_for("campaign.offline"),
        "sign_in_url": url_for("account.sign_in"),
        "sign_out_url": url_for("account.sign_out"),
        "queue_url": url_for("static", filename="js/queue.js"),
    }
    # A new release of the worker itself, or of any file it keeps, is a new cache.
    source = current_app.jinja_env.loader.get_source(current_app.jinja_env, "sw.js")[0]
    version = hashlib.sha256("\n".join([source, *static_urls]).encode()).hexdigest()[:12]
    script = render_template("sw.js", static_urls=static_urls, version=version, **urls)
    response = Response(script, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response
