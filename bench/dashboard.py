"""Time the leaders' dashboard for an organisation of 5,000 people in 100 teams with a year of history.

Run: .venv/bin/python bench/dashboard.py [--people 5000] [--teams 100] [--weeks 52]
                                         [--requests 40] [--sqlite] [--postgres URL]

Loads the people, a year of work-day check-ins, stories, recognitions, challenges, commitments,
pledges and streak summaries into a fresh database (multi-row INSERTs in chunks), stores the
closed weeks as the hourly task does (`manage.py close-weeks`), then asks the app in-process for
the admin's organisation dashboard, a lead's team dashboard and both CSV downloads. The clock
stands on a Sunday evening, so the current week, counted live, is a whole week. Prints the
server time (the app's Server-Timing) as median and p95, and exits 1 when a target is missed:
p95 under 150 ms for the organisation, 50 ms for a team.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import models  # noqa: E402
from bench.today import fresh_postgres, machine, percentile, session_cookie  # noqa: E402
from pwa import create_app  # noqa: E402

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/otc_bench_dashboard"
NOW = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)  # a Sunday evening: the live week is whole
TARGETS = {"organisation": 150.0, "team": 50.0}
CHUNK = 500
PHRASES = (
    "She called back within the hour, as she had promised.",
    "He stayed on the line until the customer understood every step.",
    "Pure One True Customer: no script, full attention.",
    "Treated the partner as our one\ntrue customer.",
)


class FixedClock:
    def now(self) -> datetime:
        return NOW


def insert(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Multi-row INSERTs in chunks, written out (peewee's builder costs more than the insert)."""
    one = "(" + ", ".join("?" * len(columns)) + ")"
    names = ", ".join(f'"{c}"' for c in columns)
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        sql = f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(chunk))}"
        params = [value for row in chunk for value in row]
        models.db.execute_sql(models._placeholders(sql, models.db.obj.param), params)


def load(people: int, teams: int, weeks: int) -> tuple[int, int]:
    """Fill the empty database; return (admin id, a lead's id)."""
    rng = random.Random(13)
    naive = NOW.replace(tzinfo=None)
    today = naive.date()
    monday = today - timedelta(days=today.weekday())
    first = monday - timedelta(weeks=weeks)
    with models.db.atomic():
        insert("team", ("name", "created_at"), [(f"Team {n + 1:03}", naive) for n in range(teams)])
        team_ids = [row[0] for row in models.Team.select(models.Team.id).tuples()]
        person_rows = []
        for n in range(people):
            role = "admin" if n == 0 else "lead" if n <= teams else "employee"
            person_rows.append(
                (
                    f"bench{n}@example.com",
                    f"Bench Person {n}",
                    role,
                    team_ids[n % teams],
                    "UTC",
                    "",
                    "0,1,2,3,4" if n % 10 else "0,1,2,3",
                    "",
                    True,
                    naive - timedelta(days=400),
                    0,
                )
            )
        insert(
            "person",
            (
                "email",
                "name",
                "role",
                "team_id",
                "tz",
                "tz_kept",
                "workdays",
                "past_workdays",
                "active",
                "created_at",
                "news_unseen",
            ),
            person_rows,
        )
        everyone = [row[0] for row in models.Person.select(models.Person.id).tuples()]
        team_of = dict(models.Person.select(models.Person.id, models.Person.team).tuples())
        check_ins, stories, recognitions, commitments, challenges = [], [], [], [], []
        days = [first + timedelta(days=n) for n in range((today - first).days + 1)]
        for person in everyone:
            keen = rng.uniform(0.4, 0.95)
            for day in days:
                if day.weekday() < 5 and rng.random() < keen:
                    check_ins.append((person, day, "yes", "", "", "", naive, naive))
            if len(check_ins) > 50_000:
                insert(
                    "check_in",
                    (
                        "person_id",
                        "day",
                        "before",
                        "before_note",
                        "during_note",
                        "after_note",
                        "created_at",
                        "updated_at",
                    ),
                    check_ins,
                )
                check_ins = []
            for week in range(weeks + 1):
                start = first + timedelta(weeks=week)
                if rng.random() < 0.1:
                    when = datetime.combine(start, datetime.min.time()) + timedelta(
                        hours=rng.randint(8, 100)
                    )
                    stories.append(
                        (
                            person,
                            person,
                            team_of[person],
                            when.date(),
                            "",
                            "A customer waited.",
                            rng.choice(PHRASES),
                            "",
                            "",
                            "external",
                            "during",
                            False,
                            when,
                            when,
                        )
                    )
                if rng.random() < 0.2:
                    receiver = rng.choice(everyone)
                    day = start + timedelta(days=rng.randint(0, 4))
                    recognitions.append(
                        (
                            person,
                            receiver,
                            team_of[receiver],
                            rng.choice(PHRASES),
                            "colleague",
                            day,
                            start,
                            naive,
                        )
                    )
                if rng.random() < 0.5:
                    kept = rng.choice((True, False, None))
                    commitments.append((person, start, "Call back", "Every call", kept, naive))
            challenges.append((person, first + timedelta(days=rng.randint(0, 360)), "", naive))
        insert(
            "check_in",
            (
                "person_id",
                "day",
                "before",
                "before_note",
                "during_note",
                "after_note",
                "created_at",
                "updated_at",
            ),
            check_ins,
        )
        insert(
            "story",
            (
                "author_id",
                "member_id",
                "team_id",
                "day",
                "title",
                "situation",
                "moment",
                "impact",
                "lesson",
                "customer_kind",
                "phase",
                "hidden",
                "created_at",
                "updated_at",
            ),
            stories,
        )
        insert(
            "recognition",
            (
                "giver_id",
                "receiver_id",
                "team_id",
                "message",
                "customer_kind",
                "day",
                "week",
                "created_at",
            ),
            recognitions,
        )
        insert(
            "commitment",
            ("person_id", "week", "behaviour", "situation", "kept", "created_at"),
            commitments,
        )
        insert("challenge", ("person_id", "start", "reflection", "created_at"), challenges)
        insert(
            "pledge",
            ("person_id", "signed_at"),
            [
                (p, naive - timedelta(days=rng.randint(0, 360)))
                for p in everyone
                if rng.random() < 0.6
            ],
        )
        # Summaries written as a check-in keeps them (what the streak figure reads).
        insert(
            "person_summary",
            (
                "person_id",
                "rules",
                "revision",
                "last_day",
                "run",
                "longest",
                "freezes",
                "progress",
                "spent",
                "saved",
            ),
            [
                (
                    p,
                    1,
                    1,
                    today - timedelta(days=rng.randint(0, 9)),
                    rng.randint(0, 40),
                    40,
                    0,
                    0,
                    0,
                    "",
                )
                for p in everyone
            ],
        )
    return everyone[0], everyone[1]


def timed(client, url: str, n: int) -> list[float]:
    """Server time (ms) of n GETs of url after three to warm up."""
    for _ in range(3):
        client.get(url).close()
    found = []
    for _ in range(n):
        response = client.get(url)
        body = response.get_data()  # a streamed CSV is timed until its last row
        if response.status_code != 200 or not body:
            raise SystemExit(f"{url} answered {response.status_code}")
        found.append(float(response.headers["Server-Timing"].split("dur=")[1]))
    return found


def wall(client, url: str, n: int) -> list[float]:
    """Wall time (ms) in-process of n GETs of url, the whole body read (for streamed CSV)."""
    found = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        response.get_data()
        found.append((time.perf_counter() - started) * 1000)
    return found


def bench(label: str, url: str, args) -> dict:
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-" + uuid.uuid4().hex,
            "SERVER_TIMING": True,
            "CLOCK": FixedClock(),
        }
    )
    with app.app_context():
        models.db.connect(reuse_if_open=True)
        models.migrate()
        began = time.perf_counter()
        admin, lead = load(args.people, args.teams, args.weeks)
        loaded = time.perf_counter() - began
        counts = {
            name: model.select().count()
            for name, model in (
                ("check-ins", models.CheckIn),
                ("stories", models.Story),
                ("recognitions", models.Recognition),
                ("commitments", models.Commitment),
            )
        }
        from pwa import dashboard

        began = time.perf_counter()
        closed = dashboard.close_weeks(args.weeks)
        closing = time.perf_counter() - began
        tokens = {
            who: models.SignIn.start(who, NOW.replace(tzinfo=None), "bench")
            for who in (admin, lead)
        }
        models.db.close()
    print(
        f"{label}: loaded {args.people:,} people in {args.teams} teams, "
        + ", ".join(f"{v:,} {k}" for k, v in counts.items())
        + f" in {loaded:.0f} s; stored {len(closed)} closed weeks in {closing:.1f} s"
    )
    results = {}
    for who, name, path in (
        (admin, "organisation", "/dashboard"),
        # The every-team table searched, sorted by a figure and on its second page.
        (admin, "org, table p. 2", "/dashboard?q=Team&sort=participation&page=2"),
        (lead, "team", "/dashboard"),
        (admin, "organisation CSV", "/dashboard/weeks.csv?team=org"),
        (admin, "teams CSV", "/dashboard/teams.csv"),
        (lead, "team CSV", "/dashboard/weeks.csv"),
    ):
        client = app.test_client()
        client.set_cookie("session", session_cookie(app, tokens[who]))
        server = timed(client, path, args.requests)
        total = wall(client, path, max(5, args.requests // 4))
        results[name] = server
        print(
            f"{label}: {name:17} server median {statistics.median(server):6.1f} ms, "
            f"p95 {percentile(server, 0.95):6.1f} ms; in-process with the body "
            f"median {statistics.median(total):6.1f} ms"
        )
    with app.app_context():
        models.db.close()
        pool = getattr(models.db.obj, "close_all", None)
        if pool:
            pool()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--teams", type=int, default=100)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--sqlite", action="store_true", help="Only SQLite.")
    parser.add_argument("--postgres", default=None, help=f"PostgreSQL URL ({POSTGRES_URL}).")
    args = parser.parse_args()
    print(machine(), f"load average {os.getloadavg()[0]:.2f}")
    import tempfile

    missed = []
    with tempfile.TemporaryDirectory() as workdir:
        runs = [("SQLite", f"sqlite:///{workdir}/bench.db")]
        if not args.sqlite:
            pg = args.postgres or POSTGRES_URL
            why = fresh_postgres(pg)
            if why:
                print(f"PostgreSQL skipped: {why}")
            else:
                runs.append(("PostgreSQL", pg))
        for label, url in runs:
            results = bench(label, url, args)
            for name, target in TARGETS.items():
                p95 = percentile(results[name], 0.95)
                if p95 >= target:
                    missed.append(f"{label} {name} p95 {p95:.1f} ms >= {target:.0f} ms")
    for line in missed:
        print("MISSED:", line)
    print(f"load average after {os.getloadavg()[0]:.2f}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
