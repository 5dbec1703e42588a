"""Send the daily reminder to 10,000 subscriptions against the local push service stand-in.

Run: .venv/bin/python bench/push.py [--subscriptions 10000] [--latency 0.05] [--concurrency 64]
                                    [--postgres URL]

The stand-in runs in a process of its own (its own interpreter lock, as a real push service is
another machine) on 127.0.0.1, answering each push after --latency seconds. It checks every push as
in the tests: the VAPID signature, aud, exp and sub, TTL, Topic, and decrypts the aes128gcm body.
The bench loads one person per subscription into a fresh database (SQLite in a temporary folder,
or the PostgreSQL database named), sets the clock to 09:00 on a Wednesday in their zone and runs one
push.send_due() pass: plan the reminders, claim them, send them through the bounded pool, settle the
rows. Prints messages per second, the pass's peak memory, and what the stand-in accepted. Exits 1
when fewer than 500 messages a second went out, or any push was refused or lost.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import models  # noqa: E402
import push  # noqa: E402
from push.keys import generate  # noqa: E402
from push.standin import PushServiceStandIn  # noqa: E402
from pwa import create_app  # noqa: E402

TARGET = 500.0  # messages per second
NINE_IN_BERLIN = datetime(2026, 11, 18, 8, 0, tzinfo=UTC)  # a Wednesday
CHUNK = 500


class Clock:
    def now(self) -> datetime:
        return NINE_IN_BERLIN


def _serve(public_key: str, latency: float, count: int, pipe) -> None:
    """The stand-in's process: make the subscriptions, serve, report what arrived when told to stop."""
    with PushServiceStandIn(public_key, latency=latency) as service:
        pipe.send((service.origin, [service.subscribe() for _ in range(count)]))
        pipe.recv()
        pipe.send((len(service.received), list(service.refused[:5]), len(service.refused)))


def _load(subscriptions: list[dict]) -> None:
    with models.db.atomic():
        team = models.Team.create(name="Bench")
        people = [
            {
                "email": f"p{n}@bench.example",
                "name": f"Person {n}",
                "team": team.id,
                "tz": "Europe/Berlin",
            }
            for n in range(len(subscriptions))
        ]
        for start in range(0, len(people), CHUNK):
            models.Person.insert_many(people[start : start + CHUNK]).execute()
        ids = [p.id for p in models.Person.select(models.Person.id).order_by(models.Person.id)]
        rows = [
            {
                "person": person_id,
                "endpoint": s["endpoint"],
                "p256dh": s["keys"]["p256dh"],
                "auth": s["keys"]["auth"],
            }
            for person_id, s in zip(ids, subscriptions, strict=True)
        ]
        for start in range(0, len(rows), CHUNK):
            models.PushSubscription.insert_many(rows[start : start + CHUNK]).execute()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=64, help="PUSH_CONCURRENCY")
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL database to empty and use")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also trace Python allocations (slows the pass)"
    )
    args = parser.parse_args()

    keys = generate()
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(
        target=_serve, args=(keys["VAPID_PUBLIC_KEY"], args.latency, args.subscriptions, child)
    )
    server.start()
    origin, subscriptions = parent.recv()

    with tempfile.TemporaryDirectory() as folder:
        url = args.postgres or f"sqlite:///{folder}/bench.db"
        app = create_app(
            {
                "TESTING": True,  # only so that the stand-in's plain-HTTP origin is allowed
                "SECRET_KEY": "bench",
                "DATABASE_URL": url,
                "CLOCK": Clock(),
                "VAPID_SUBJECT": "mailto:bench@example.com",
                "PUBLIC_URL": "https://otc.example.com",
                "PUSH_INSECURE_ORIGINS": (origin,),
                "PUSH_CONCURRENCY": args.concurrency,
                **keys,
            }
        )
        with app.app_context():
            if args.postgres:
                models.db.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            models.migrate()
            _load(subscriptions)
            del subscriptions
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            if args.tracemalloc:
                tracemalloc.start()
            started, cpu_started = time.perf_counter(), time.process_time()
            counts = push.send_due()
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            peak = tracemalloc.get_traced_memory()[1] if args.tracemalloc else None
            tracemalloc.stop()
            rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            states = dict(
                models.Message.select(models.Message.state, models.fn.COUNT(models.Message.id))
                .group_by(models.Message.state)
                .tuples()
            )
        models.db.close()

    parent.send("stop")
    received, refusals, refused = parent.recv()
    server.join(timeout=10)
    sent = counts.get("sent", 0)
    rate = sent / elapsed
    print(f"database:        {'PostgreSQL' if args.postgres else 'SQLite'}")
    print(
        f"subscriptions:   {args.subscriptions:,}, stand-in answering after {args.latency * 1000:.0f} ms"
    )
    print(f"concurrency:     {args.concurrency} sends at once")
    print(f"pass:            {elapsed:.2f} s for {sent:,} messages ({counts})")
    print(f"sender's CPU:    {cpu * 1000 / max(sent, 1):.2f} ms per message (all its threads)")
    print(f"throughput:      {rate:,.0f} messages/s (target {TARGET:.0f})")
    if peak is not None:
        print(f"traced peak:     {peak / 2**20:.1f} MiB allocated by Python during the pass")
    print(
        f"peak RSS:        {rss_after / 1024:.0f} MiB (before the pass {rss_before / 1024:.0f} MiB)"
    )
    print(
        f"stand-in:        {received:,} pushes verified and decrypted, {refused} refused {refusals}"
    )
    print(f"rows:            {states}")
    print(f"load average:    {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    ok = rate >= TARGET and received == args.subscriptions and refused == 0
    print("OK" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
