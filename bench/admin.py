"""Time the admin's people list, the lagging-indicator page and a team's CSV export, in process.

Run: .venv/bin/python bench/admin.py [--people 5000] [--runs 30] [--sqlite] [--postgres URL]

Loads --people people in teams of 50 (each with a last check-in day on their summary row), a year
of lagging figures for the organisation and every team, and for one team 1,000 stories and 1,000
recognitions; then, through Flask's test client as a signed-in admin, times each page (median and
p95 of --runs after 5 to warm up) and counts its data statements at the driver, which must not
grow with the people. Server time only: no network, no gunicorn.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from werkzeug.security import generate_password_hash  # noqa: E402

import models  # noqa: E402
from bench.statements import Statements  # noqa: E402
from game import lagging  # noqa: E402
from pwa import create_app  # noqa: E402

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/otc_bench_admin"
PASSWORD = "bench password"
TEAM_SIZE = 50
CHUNK = 500
NOW = datetime(2026, 11, 18, 10, 0)


def fresh_postgres(url: str) -> None:
    import psycopg2

    base, name = url.rsplit("/", 1)
    conn = psycopg2.connect(f"{base}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def load(people: int) -> models.Person:
    """The organisation; returns its admin."""
    cheap = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    with models.db.atomic():
        teams = [models.Team.create(name=f"Team {n:03d}") for n in range(-(-people // TEAM_SIZE))]
        admin = models.Person.create(
            name="Ada Admin", email="ada@example.com", role="admin", password_hash=cheap
        )
        rows = [
            {
                "name": f"Person {n:05d}",
                "email": f"person{n:05d}@example.com",
                "role": "lead" if n % TEAM_SIZE == 0 else "employee",
                "team": teams[n // TEAM_SIZE].id,
                "password_hash": cheap,
            }
            for n in range(people)
        ]
        for start in range(0, len(rows), CHUNK):
            models.Person.insert_many(rows[start : start + CHUNK]).execute()
        ids = [p for (p,) in models.Person.select(models.Person.id).tuples()]
        summaries = [
            {"person": p, "last_day": date(2026, 11, 18) - timedelta(days=p % 60)}
            for p in ids
            if p % 7
        ]
        for start in range(0, len(summaries), CHUNK):
            models.PersonSummary.insert_many(summaries[start : start + CHUNK]).execute()
        figures = [
            {
                "team": team,
                "month": lagging.add_months(date(2026, 11, 1), -m),
                "kind": kind.key,
                "value": 40 + (m % 7),
                "updated_at": NOW,
            }
            for team in [None, *(t.id for t in teams)]
            for m in range(12)
            for kind in lagging.KINDS
        ]
        for start in range(0, len(figures), CHUNK):
            models.LaggingFigure.insert_many(figures[start : start + CHUNK]).execute()
        members = ids[1 : TEAM_SIZE + 1]
        stories = [
            {
                "author": members[n % len(members)],
                "member": members[(n + 1) % len(members)],
                "team": teams[0].id,
                "day": date(2026, 11, 18) - timedelta(days=n % 365),
                "title": f"Story {n}",
                "situation": "A customer called on a Saturday.",
                "moment": "She stayed on the line until it was sorted, as if it were her only one.",
                "customer_kind": "external",
                "phase": ("before", "during", "after")[n % 3],
            }
            for n in range(1000)
        ]
        for start in range(0, len(stories), CHUNK):
            models.Story.insert_many(stories[start : start + CHUNK]).execute()
        thanks = [
            {
                "giver": members[n % len(members)],
                "receiver": members[(n + 3) % len(members)],
                "team": teams[0].id,
                "message": "=Thanks for staying late",
                "customer_kind": "colleague",
                "day": date(2026, 11, 18) - timedelta(days=n % 365),
                "week": date(2026, 11, 16),
            }
            for n in range(1000)
        ]
        for start in range(0, len(thanks), CHUNK):
            models.Recognition.insert_many(thanks[start : start + CHUNK]).execute()
    return admin


def timed(client, url: str, runs: int) -> tuple[float, float, int, int]:
    """Median and p95 ms of GET url, its data statements, and its body's size."""
    headers = {"HX-Request": "true"} if "#fragment" in url else {}
    url = url.replace("#fragment", "")
    for _ in range(5):
        client.get(url, headers=headers).get_data()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        body = client.get(url, headers=headers).get_data()
        times.append((time.perf_counter() - began) * 1000)
    with Statements() as sent:
        client.get(url, headers=headers).get_data()
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    return statistics.median(times), p95, len(sent.data), len(body)


def run(url: str, people: int, runs: int, label: str) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "bench"})
    models.db.connect(reuse_if_open=True)
    models.migrate()
    began = time.perf_counter()
    admin = load(people)
    print(f"\n{label}: {people:,} people loaded in {time.perf_counter() - began:.1f} s")
    client = app.test_client()
    token = client.get("/signin").get_data(as_text=True).split('name="csrf-token" content="')[1]
    client.post(
        "/signin",
        data={"email": admin.email, "password": PASSWORD, "csrf_token": token.split('"')[0]},
    )
    team = models.Team.select().order_by(models.Team.name).first()
    pages = (
        ("people list, first page", "/admin"),
        ("people, search + sort by last check-in, page 40", "/admin?q=person&sort=-last&page=40"),
        ("people, the table alone (htmx)", "/admin?sort=team&page=100#fragment"),
        ("lagging indicators page", "/admin/indicators"),
        (f"CSV of {team.name} (2,000 rows)", f"/export/content.csv?team={team.id}"),
    )
    print(f"{'page':52} {'median ms':>10} {'p95 ms':>8} {'statements':>11} {'bytes':>9}")
    for name, path in pages:
        median, p95, statements, size = timed(client, path, runs)
        print(f"{name:52} {median:10.1f} {p95:8.1f} {statements:11d} {size:9,d}")
    models.db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--postgres", nargs="?", const=POSTGRES_URL)
    args = parser.parse_args()
    both = not args.sqlite and not args.postgres
    if args.sqlite or both:
        with tempfile.TemporaryDirectory() as folder:
            run(f"sqlite:///{folder}/bench.db", args.people, args.runs, "SQLite")
    if args.postgres or both:
        url = args.postgres or POSTGRES_URL
        fresh_postgres(url)
        run(url, args.people, args.runs, "PostgreSQL")
    print(f"\nload average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
