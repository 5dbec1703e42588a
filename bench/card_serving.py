"""Time serving story cards warm: median and p95 for short, typical and maximum-length stories.

Run: .venv/bin/python bench/card_serving.py [requests] [DATABASE_URL]

Goes through the whole app (Flask test client: routing, sign-in lookup, story and share-link
queries, card hash, headers), on a fresh SQLite file unless a DATABASE_URL is given (an empty
database; its story tables are created by the migrations). "Cold" is the first request for a card,
which draws it and stores it; "warm 200" sends the PNG from the card table; "warm 304" answers a
browser or CDN that already holds it (If-None-Match). Target: warm serve under 5 ms.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import models  # noqa: E402
from cards import card_hash  # noqa: E402
from pwa import create_app  # noqa: E402
from pwa.stories import card_text  # noqa: E402

TYPICAL = (
    "Their loan officer saw the email, called them within the hour, and spent 45 minutes walking "
    "through every number, then wrote down the two figures the borrower kept asking about."
)
STORIES = {
    "short": ("Quick", "Called back on a Saturday."),
    "typical": ("The Saturday Call", TYPICAL),
    "maximum": ("T" * 120, ("Every interaction, every time. " * 70)[:2000]),
}


def percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(client, path: str, repeats: int, headers: dict | None = None, status: int = 200):
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(path, headers=headers or {})
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == status, (path, response.status_code)
    return times


def main(repeats: int = 300, url: str | None = None) -> None:
    folder = tempfile.mkdtemp(prefix="otc-bench-")
    url = url or f"sqlite:///{folder}/bench.db"
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": url})
    models.db.connect(reuse_if_open=True)
    models.migrate()
    team = models.Team.create(name="Bench North")
    person = models.Person.create(
        email=f"bench-{os.getpid()}@example.com", name="Maria Gonzalez", team=team
    )
    stories = {}
    for name, (title, moment) in STORIES.items():
        stories[name] = models.Story.create(
            author=person,
            member=person,
            team=team,
            day=models.utcnow().date(),
            title=title,
            situation=moment,
            moment=moment,
            impact=moment,
            lesson=moment,
            customer_kind="external",
            phase="during",
            share_token=models.new_token(),
        )
    token = models.SignIn.start(person, models.utcnow())
    models.db.close()

    member = app.test_client()
    with member.session_transaction() as session:
        session["sign_in"] = token
    visitor = app.test_client()

    print(f"database: {url.split(':', 1)[0]}; {repeats} requests per row; times in ms")
    print(
        f"{'story':<9} {'size':<9} {'route':<8} {'cold':>7} {'warm 200 median':>16} {'p95':>6} "
        f"{'warm 304 median':>16} {'p95':>6}"
    )
    worst = 0.0
    for name, story in stories.items():
        for size in ("portrait", "preview"):
            with app.test_request_context():
                digest = card_hash(card_text(story, size))
            routes = {
                "member": (member, f"/cards/{story.id}/{size}-{digest}.png"),
                "public": (visitor, f"/s/{story.share_token}/{size}-{digest}.png"),
            }
            for route, (client, path) in routes.items():
                # Both routes serve the same stored card: only the first request draws it.
                first = timed(client, path, 1)[0]
                cold = f"{first:.1f}" if route == "member" else "stored"
                full = timed(client, path, repeats)
                etag = {"If-None-Match": f'"{digest}"'}
                not_modified = timed(client, path, repeats, etag, status=304)
                worst = max(worst, percentile(full, 0.95), percentile(not_modified, 0.95))
                print(
                    f"{name:<9} {size:<9} {route:<8} {cold:>7} {statistics.median(full):>16.2f} "
                    f"{percentile(full, 0.95):>6.2f} {statistics.median(not_modified):>16.2f} "
                    f"{percentile(not_modified, 0.95):>6.2f}"
                )
    verdict = "meets" if worst < 5 else "misses"
    print(f"worst warm p95: {worst:.2f} ms ({verdict} the 5 ms target)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300, sys.argv[2] if len(sys.argv) > 2 else None)
