"""Take the README's screenshots at 390x844: a demo organisation, served locally, seen by Alice."""

from __future__ import annotations

import re
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import models  # noqa: E402
from pwa import create_app, demo  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def main() -> None:
    """Serve a fresh demo database and photograph the main screens."""
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "screens", "DATABASE_URL": f"sqlite:///{tmp}/demo.db"})
        with app.app_context():
            models.migrate()
            demo.load(app.config["CLOCK"].now())
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--no-first-run",
                ],
            )
            page = browser.new_context(
                viewport={"width": 390, "height": 844},
                device_scale_factor=2,
                is_mobile=True,
                has_touch=True,
                timezone_id="Europe/Berlin",
            ).new_page()
            page.goto(f"{base}/signin")
            page.get_by_label("Email").fill("alice@example.com")
            page.get_by_label("Password").fill(demo.PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{base}/")
            page.screenshot(path=OUT / "today.png")
            for phase in ("Before", "During", "After"):
                group = page.get_by_role("group", name=re.compile(f"^{phase}"))
                group.get_by_role("radio", name="Yes", exact=True).tap()
            page.get_by_role("button", name="Check in").tap()
            page.get_by_role("heading", name="Checked in for today").wait_for()
            page.screenshot(path=OUT / "today-done.png")
            for path, name in (("/challenge", "challenge"), ("/stories", "stories")):
                page.goto(base + path)
                page.screenshot(path=OUT / f"{name}.png")
            browser.close()
        server.shutdown()
    print(f"Wrote screenshots to {OUT}.")


if __name__ == "__main__":
    main()
