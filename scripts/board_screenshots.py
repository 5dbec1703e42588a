"""Photograph the team board and the laptop layout: a demo organisation, served locally.

.venv/bin/python scripts/board_screenshots.py [folder]   (default: /tmp/board-shots)
"""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import models  # noqa: E402
from game.days import week_start  # noqa: E402
from pwa import create_app, demo  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(demo.PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{base}/")


def main() -> None:
    """Serve a fresh demo database with a board, and take its pictures."""
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/board-shots")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "screens", "DATABASE_URL": f"sqlite:///{tmp}/demo.db"})
        with app.app_context():
            models.migrate()
            now = app.config["CLOCK"].now()
            people = demo.load(now)
            lena, north = people["lena"], people["lena"].team
            week = week_start(now.date())
            if models.Announcement.of_week(north, week) is None:
                bob = people["bob"]
                models.Announcement.write(
                    north,
                    week,
                    lena,
                    bob,
                    "This week's One True Customer recognition goes to Bob Okafor. He picked up"
                    " Priya's callback list when her daughter was ill and called every borrower"
                    " before noon. That's One True Customer in action.",
                    now.replace(tzinfo=None),
                )
            token = models.TeamBoard.make(north, lena, now.replace(tzinfo=None))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for name, (width, height) in (
                ("board-1920x1080", (1920, 1080)),
                ("board-1080x1920", (1080, 1920)),
            ):
                viewport = {"width": width, "height": height}
                page = browser.new_context(viewport=viewport).new_page()
                page.goto(f"{base}/board/{token}")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=out / f"{name}.png")
                # The next card (a story's, on cream), once it has faded in.
                page.evaluate(
                    "document.querySelector('.board-slide.is-current + .board-slide')"
                    "?.classList.add('is-current')"
                )
                page.wait_for_timeout(1200)
                page.screenshot(path=out / f"{name}-next.png")
                page.context.close()
            for name, (width, height), extra in (
                ("laptop", (1440, 900), {}),
                ("laptop-dark", (1440, 900), {"color_scheme": "dark"}),
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
                _sign_in(page, base, "lena@example.com")
                page.screenshot(path=out / f"{name}-today.png")
                page.goto(f"{base}/team")
                page.screenshot(path=out / f"{name}-team.png")
                page.goto(f"{base}/team/{north.id}/board")
                page.screenshot(path=out / f"{name}-team-board.png", full_page=True)
                page.goto(f"{base}/stories")
                page.screenshot(path=out / f"{name}-stories.png")
                context.close()
            browser.close()
        server.shutdown()
    print(f"Wrote screenshots to {out}.")


if __name__ == "__main__":
    main()
