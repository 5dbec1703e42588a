"""Photograph the leaders' dashboard, the admin page and a lead's Team page on a laptop and a phone.

.venv/bin/python scripts/dashboard_screenshots.py [folder]   (default: /tmp/dashboard-shots)
"""

from __future__ import annotations

import random
import sys
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import models  # noqa: E402
from pwa import create_app, demo  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
BRANCHES = (
    "Amsterdam", "Berlin", "Brussels", "Copenhagen", "Dublin", "Edinburgh", "Frankfurt", "Geneva",
    "Hamburg", "Helsinki", "Lisbon", "Lyon", "Madrid", "Milan", "Munich", "Oslo", "Paris",
    "Porto", "Prague", "Riga", "Rome", "Seville", "Stockholm", "Tallinn", "Turin", "Valencia",
    "Vienna", "Vilnius", "Warsaw", "Zurich",
)  # fmt: skip


def _branches(now, rng: random.Random) -> None:
    """Thirty more teams, each of a few people who check in on most work days."""
    stamp = now.replace(tzinfo=None)
    monday = stamp.date() - timedelta(days=stamp.weekday())
    with models.db.atomic():
        for n, city in enumerate(BRANCHES):
            team = models.Team.create(name=f"{city} Service", created_at=stamp)
            rate = rng.uniform(0.35, 0.95)
            for m in range(2 + n % 6):
                person = models.Person.create(
                    email=f"{city.lower()}{m}@example.com",
                    name=f"{city} Colleague {m}",
                    team=team,
                    created_at=stamp - timedelta(weeks=6),
                )
                for back in range(35):
                    day = stamp.date() - timedelta(days=back)
                    if day.weekday() < 5 and rng.random() < rate:
                        models.CheckIn.create(person=person, day=day, created_at=stamp)
                if rng.random() < rate / 2:
                    models.Recognition.create(
                        giver=person,
                        receiver=person,
                        team=team,
                        message="Called the customer back within the hour.",
                        customer_kind="external",
                        day=monday,
                        week=monday,
                        created_at=stamp,
                    )
    models.PersonSummary.rebuild_all()


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(demo.PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{base}/")


def main() -> None:
    """Serve a fresh demo database with thirty more teams, and take the pictures."""
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/dashboard-shots")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "screens", "DATABASE_URL": f"sqlite:///{tmp}/demo.db"})
        with app.app_context():
            models.migrate()
            now = app.config["CLOCK"].now()
            people = demo.load(now)
            _branches(now, random.Random(5))
            north = people["lena"].team
            lead = people["lena"]
            admin = next(p for p in people.values() if p.role == "admin")
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for name, (width, height), extra in (
                ("laptop", (1280, 800), {}),
                (
                    "phone",
                    (390, 844),
                    {"device_scale_factor": 2, "is_mobile": True, "has_touch": True},
                ),
            ):
                context = browser.new_context(
                    viewport={"width": width, "height": height},
                    timezone_id="Europe/Berlin",
                    **extra,
                )
                page = context.new_page()
                _sign_in(page, base, admin.email)
                page.goto(f"{base}/dashboard")
                page.screenshot(path=out / f"{name}-dashboard.png")
                page.screenshot(path=out / f"{name}-dashboard-full.png", full_page=True)
                page.get_by_role("heading", name="Every team").scroll_into_view_if_needed()
                page.screenshot(path=out / f"{name}-dashboard-teams.png")
                page.goto(f"{base}/dashboard?q=service&sort=participation&page=2")
                page.get_by_role("heading", name="Every team").scroll_into_view_if_needed()
                page.screenshot(path=out / f"{name}-dashboard-teams-sorted.png")
                page.goto(f"{base}/dashboard?team={north.id}")
                page.screenshot(path=out / f"{name}-dashboard-team.png", full_page=True)
                page.goto(f"{base}/admin")
                page.screenshot(path=out / f"{name}-admin.png")
                page.screenshot(path=out / f"{name}-admin-full.png", full_page=True)
                context.close()
                context = browser.new_context(
                    viewport={"width": width, "height": height},
                    timezone_id="Europe/Berlin",
                    **extra,
                )
                page = context.new_page()
                _sign_in(page, base, lead.email)
                page.goto(f"{base}/team")
                page.screenshot(path=out / f"{name}-team.png")
                page.screenshot(path=out / f"{name}-team-full.png", full_page=True)
                context.close()
            browser.close()
        server.shutdown()
    print(f"Wrote screenshots to {out}.")


if __name__ == "__main__":
    main()
