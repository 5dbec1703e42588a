"""Settings → Notifications: this device's push subscription, my devices, reminder time and kinds."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, jsonify, request

from game.reminders import REMINDER_TIMES
from models import PUSH_KINDS, PushPreference, PushSubscription
from push import InvalidSubscription, Settings
from push.service import check_endpoint, check_keys
from pwa import clock
from pwa.web import back, render, sign_in_required

bp = Blueprint("notifications", __name__)

KIND_LABELS = {
    "reminder": (
        "Daily reminder",
        "At the time you pick, on work days, unless you already checked in.",
    ),
    "streak_risk": (
        "Streak at risk",
        "At 16:00 on a work day, when a streak of 3 or more needs today's check-in.",
    ),
    "recognised": ("You were recognised", "When a colleague recognises you."),
    "featured": ("Your story was featured", "When your story becomes the story of the week."),
    "badges": ("Badges and celebrations", "When you earn a badge or reach a milestone."),
    "team_news": ("Team news", "The weekly announcement and the story of the week."),
}
TIME_CHOICES = tuple(t.strftime("%H:%M") for t in REMINDER_TIMES)


def device_name(user_agent: str) -> str:
    """A short name for a device from its browser's User-Agent ("Chrome on Android")."""
    ua = user_agent or ""
    system = next(
        (
            name
            for marker, name in (
                ("iPhone", "iPhone"),
                ("iPad", "iPad"),
                ("Android", "Android"),
                ("Windows", "Windows"),
                ("Mac OS X", "Mac"),
                ("CrOS", "ChromeOS"),
                ("Linux", "Linux"),
            )
            if marker in ua
        ),
        "",
    )
    browser = next(
        (
            name
            for marker, name in (
                ("Edg/", "Edge"),
                ("Firefox/", "Firefox"),
                ("FxiOS", "Firefox"),
                ("SamsungBrowser", "Samsung Internet"),
                ("CriOS", "Chrome"),
                ("Chrome/", "Chrome"),
                ("Safari/", "Safari"),
            )
            if marker in ua
        ),
        "",
    )
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "A browser"


def _page(status: int = 200, form=None, errors=None):
    person = g.person
    preference = PushPreference.of(person)
    if form is None:
        form = {"reminder_time": preference.reminder_time, "kinds": preference.wanted}
    return render(
        "notifications/index.html",
        status=status,
        form=form,
        errors=errors or {},
        devices=PushSubscription.of_person(person),
        public_key=current_app.config.get("VAPID_PUBLIC_KEY", ""),
        kind_labels=KIND_LABELS,
        kinds=PUSH_KINDS,
        time_choices=TIME_CHOICES,
    )


@bp.route("/me/notifications")
@sign_in_required
def index():
    """Show what notifications bring, this device's switch, my devices and my choices."""
    return _page()


@bp.route("/me/notifications", methods=["POST"])
@sign_in_required
def choose():
    """Save my reminder time and the kinds of notification I want."""
    reminder_time = request.form.get("reminder_time", "")
    kinds = [k for k in request.form.getlist("kinds") if k in PUSH_KINDS]
    if reminder_time not in TIME_CHOICES:
        form = {"reminder_time": reminder_time, "kinds": frozenset(kinds)}
        errors = {"reminder_time": "Pick a time between 08:00 and 19:45 from the list."}
        return _page(status=422, form=form, errors=errors)
    PushPreference.choose(g.person, reminder_time, kinds, clock.naive_now())
    return back("notifications.index", saved=1)


@bp.route("/me/notifications/devices")
@sign_in_required
def devices():
    """The list of my devices (the fragment the page refreshes after subscribing)."""
    return render(
        "partials/push_devices.html",
        devices=PushSubscription.of_person(g.person),
    )


@bp.route("/me/notifications/devices/<id:device_id>/remove", methods=["POST"])
@sign_in_required
def remove_device(device_id: int):
    """Stop sending notifications to one of my devices."""
    device = PushSubscription.get_or_none(
        (PushSubscription.id == device_id) & (PushSubscription.person == g.person.id)
    )
    if device is None:
        abort(404)
    device.delete_instance()
    return back("notifications.index", removed=1)


def _problem(status: int, message: str):
    return jsonify(error=message), status


@bp.route("/push/subscriptions", methods=["POST"])
def subscribe():
    """Keep this device's push subscription (the JSON of PushSubscription.toJSON())."""
    if g.person is None:
        return _problem(401, "Sign in first.")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return _problem(400, "Send the subscription as JSON.")
    try:
        endpoint = check_endpoint(data.get("endpoint"), Settings.from_config(current_app.config))
        p256dh, auth = check_keys(data.get("keys"))
    except InvalidSubscription as error:
        return _problem(400, str(error))
    device = PushSubscription.keep(
        g.person,
        endpoint,
        p256dh,
        auth,
        device_name(request.headers.get("User-Agent", "")),
        clock.naive_now(),
    )
    return jsonify(id=device.id, device=device.device), 201


@bp.route("/push/subscriptions", methods=["DELETE"])
def unsubscribe():
    """Forget this device's subscription (turning notifications off on it)."""
    if g.person is None:
        return _problem(401, "Sign in first.")
    data = request.get_json(silent=True)
    endpoint = data.get("endpoint") if isinstance(data, dict) else None
    if not isinstance(endpoint, str):
        return _problem(400, "Say which subscription: send its endpoint as JSON.")
    PushSubscription.delete().where(
        (PushSubscription.endpoint == endpoint) & (PushSubscription.person == g.person.id)
    ).execute()
    return "", 204
