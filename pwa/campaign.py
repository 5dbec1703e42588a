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
        {
            "src": url_for("static", filename=f"icons/{name}-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": purpose,
        }
        for name, purpose in (("icon", "any"), ("maskable", "maskable"))
        for size in (192, 512)
    ]
    shortcuts = [{"name": "Check in", "url": url_for("today.index")}]
    if "stories.new" in current_app.view_functions:
        shortcuts.append({"name": "Share a story", "url": url_for("stories.new")})
    if "recognition.new" in current_app.view_functions:
        shortcuts.append({"name": "Recognise", "url": url_for("recognition.new")})
    shortcuts.append({"name": "Reference card", "url": url_for("campaign.card")})
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


@bp.route("/sw.js")
def service_worker():
    """The service worker, served from the root so it may look after every page."""
    static_urls = [url_for("static", filename=name) for name in PRECACHE]
    version = hashlib.sha256("\n".join(static_urls).encode()).hexdigest()[:12]
    script = render_template("sw.js", static_urls=static_urls, version=version)
    response = Response(script, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response
