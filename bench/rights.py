"""Time a year-long person's own download and their deletion (kept anonymised, and deleted).

Run: .venv/bin/python bench/rights.py [rounds] [DATABASE_URL]

On a fresh SQLite file unless a DATABASE_URL is given (an empty database). Each round makes one
person with a year of work days checked in with notes, 40 stories, 80 recognitions given and 80
received, applause on 200 things and some queued messages, among 30 colleagues; then times
GET /me/data through the app, and erase() in one transaction. Prints medians of the rounds.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import models  # noqa: E402
from pwa import create_app  # noqa: E402
from pwa.rights import erase  # noqa: E402

FIRST = date(2025, 11, 17)
NOW = datetime(2026, 11, 18, 9)


def heavy_person(n: int, team, colleagues) -> models.Person:
    """One person with a year of everything."""
    person = models.Person.create(
        email=f"heavy{n}@example.com", name=f"Heavy Person {n}", team=team
    )
    days = [
        FIRST + timedelta(days=i) for i in range(366) if (FIRST + timedelta(days=i)).weekday() < 5
    ]
    models.CheckIn.insert_many(
        [
            {"person": person, "day": d, "before": "yes", "before_note": "a private note " * 5}
            for d in days
        ]
    ).execute()
    stories = [
        models.Story.create(
            author=person,
            member=colleagues[i % len(colleagues)] if i % 2 else person,
            team=team,
            day=days[i * 5],
            title=f"Story {i}",
            situation="A situation.",
            moment="A moment.",
            customer_kind="external",
            phase="during",
            share_token=models.new_token(),
        )
        for i in range(40)
    ]
    for i in range(80):
        other = colleagues[i % len(colleagues)]
        for giver, receiver in ((person, other), (other, person)):
            models.Recognition.create(
                giver=giver,
                receiver=receiver,
                team=team,
                message="Thank you.",
                customer_kind="colleague",
                day=days[i * 3],
                week=days[i * 3] - timedelta(days=days[i * 3].weekday()),
                share_token=models.new_token(),
            )
    others = models.Story.select().where(models.Story.author != person).limit(200)
    models.Reaction.insert_many([{"story": s, "person": person} for s in others]).execute()
    for s in stories[:20]:
        for c in colleagues[:10]:
            models.Reaction.create(story=s, person=c)
    models.Message.insert_many(
        [{"person": person, "kind": "reminder", "day": d, "due_at": NOW} for d in days[-60:]]
    ).execute()
    models.PersonSummary.rebuild(person)
    return person


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": url})
    with app.app_context():
        models.db.connect(reuse_if_open=True)
        models.migrate()
        team = models.Team.create(name="Bench")
        colleagues = [
            models.Person.create(email=f"c{i}@example.com", name=f"Colleague {i}", team=team)
            for i in range(30)
        ]
        for c in colleagues[:10]:
            models.Story.create(
                author=c,
                member=c,
                team=team,
                day=FIRST,
                situation="s",
                moment="m",
                customer_kind="external",
                phase="during",
            )
        timings: dict[str, list[float]] = {"download": [], "erase keep": [], "erase delete": []}
        size = 0
        for n in range(rounds):
            for choice in ("keep", "delete"):
                person = heavy_person(n * 2 + (choice == "delete"), team, colleagues)
                client = app.test_client()
                with client.session_transaction() as session:
                    session["sign_in"] = models.SignIn.start(person, NOW)
                started = time.perf_counter()
                response = client.get("/me/data")
                timings["download"].append(time.perf_counter() - started)
                assert response.status_code == 200
                size = len(response.data)
                started = time.perf_counter()
                assert erase(person.id, choice) is not None
                timings[f"erase {choice}"].append(time.perf_counter() - started)
    backend = url.split(":", 1)[0]
    print(
        f"{backend}, {rounds} rounds, a year of work days checked in, 40 stories, 160 recognitions"
    )
    print(f"download: {size / 1024:.0f} KiB")
    for name, values in timings.items():
        print(f"{name:13} median {statistics.median(values) * 1000:7.1f} ms  (n={len(values)})")


if __name__ == "__main__":
    main()
