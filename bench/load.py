"""200 people at once: two app servers on PostgreSQL (and Redis) behind nginx, beside one on SQLite.

    .venv/bin/python bench/load.py                    # both set-ups, 5 minutes each
    .venv/bin/python bench/load.py --seconds 60       # shorter
    .venv/bin/python bench/load.py --only postgres    # or sqlite
    .venv/bin/python bench/load.py --pause 0.5-1.5    # a request a second from every person
    .venv/bin/python bench/load.py --knee             # p95 against the offered load

Each simulated person holds their own signed-in session and, with a pause of 2-8 s between steps
(`--pause`: a person reading between customer calls), opens Today, checks in (htmx), reads the team
and organisation story feeds, opens a story, and now and then tells one. `--knee` instead runs a
minute at each of a falling series of pauses, to show where the machine runs out of cores. The servers are started as production starts
them (gunicorn.conf.py; nginx with deploy/nginx.conf when nginx is installed, else the clients
take turns between the servers). Printed per set-up: requests per second, p50/p95 of the time the
client waited and of the app's own time (Server-Timing), errors (5xx, refused, timed out), and the
share of the two cores the simulated people themselves used (they run on the same machine).
Targets from issue 14: zero errors and p95 under 100 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))

import procs  # noqa: E402  (the deployment tests' process helpers)
import requests  # noqa: E402

import models  # noqa: E402
from bench.today import fresh_postgres, load, machine, percentile, session_cookie  # noqa: E402
from pwa import create_app  # noqa: E402

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/otc_load"
REDIS_URL = "redis://127.0.0.1:6379/14"
SECRET_KEY = "load-" + uuid.uuid4().hex
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
SERVER_TIMING = re.compile(r"app;dur=([0-9.]+)")
TARGET_P95_MS = 100.0
# What a person does, and how often (weights).
STEPS = {"today": 30, "check_in": 15, "team_feed": 20, "org_feed": 10, "story": 15, "tell": 5}


class Stats:
    """Timings and outcomes of every request of one run."""

    def __init__(self):
        self.lock = threading.Lock()
        self.waited: list[float] = []
        self.app: list[float] = []
        self.by_step: dict[str, list[float]] = {step: [] for step in STEPS}
        self.statuses: Counter = Counter()
        self.errors: Counter = Counter()

    def add(self, step: str, waited_ms: float, response: requests.Response | None, error=""):
        with self.lock:
            if response is None:
                self.errors[error] += 1
                return
            self.statuses[response.status_code] += 1
            if response.status_code >= 500:
                self.errors[f"HTTP {response.status_code}"] += 1
            self.waited.append(waited_ms)
            self.by_step[step].append(waited_ms)
            if match := SERVER_TIMING.search(response.headers.get("Server-Timing", "")):
                self.app.append(float(match.group(1)))


class Visitor:
    """One simulated person: a session with their cookie, the story ids they have seen."""

    def __init__(self, cookie: str, person_id: int, bases: list[str], rng: random.Random):
        self.session = requests.Session()
        self.session.cookies.set("session", cookie, domain="127.0.0.1", path="/")
        self.person_id = person_id
        self.bases = bases
        self.rng = rng
        self.csrf = ""
        self.stories: list[int] = []

    def base(self) -> str:
        return self.rng.choice(self.bases)

    def get(self, path: str) -> requests.Response:
        return self.session.get(self.base() + path, allow_redirects=False, timeout=30)

    def prime(self) -> None:
        page = self.get("/")
        if page.status_code != 200:
            raise SystemExit(f"Today did not open for a simulated person: HTTP {page.status_code}")
        self.csrf = CSRF_META.search(page.text).group(1)

    def step(self, name: str) -> requests.Response:
        if name == "today":
            return self.get("/")
        if name == "check_in":
            form = {"csrf_token": self.csrf, "key": uuid.uuid4().hex}
            form.update(before="yes", during=self.rng.choice(("yes", "partly")), after="yes")
            headers = {"HX-Request": "true", "X-CSRFToken": self.csrf}
            return self.session.post(
                self.base() + "/checkin", data=form, headers=headers, timeout=30
            )
        if name in ("team_feed", "org_feed"):
            response = self.get("/stories" if name == "team_feed" else "/stories?scope=org")
            found = [int(n) for n in re.findall(r'href="/stories/(\d+)"', response.text)]
            if found:
                self.stories = found[:20]
            return response
        if name == "story":
            return self.get(f"/stories/{self.rng.choice(self.stories)}" if self.stories else "/")
        form = {
            "csrf_token": self.csrf,
            "key": uuid.uuid4().hex,
            "day": datetime.now(UTC).date().isoformat(),
            "member": str(self.person_id),
            "title": "A call returned within the hour",
            "situation": "A customer waited for an answer on a late delivery.",
            "moment": "I called back when I said I would, with the answer.",
            "impact": "They planned their week around it.",
            "lesson": "A time, not 'I'll get back to you'.",
            "customer_kind": "external",
            "phase": "after",
        }
        return self.session.post(
            self.base() + "/stories/new", data=form, allow_redirects=False, timeout=30
        )

    def run(self, stats: Stats, measure_from: float, until: float, pause: tuple) -> None:
        names, weights = list(STEPS), list(STEPS.values())
        while time.monotonic() < until:
            name = self.rng.choices(names, weights)[0]
            began = time.monotonic()
            try:
                response = self.step(name)
            except requests.RequestException as error:
                response, kind = None, type(error).__name__
            else:
                kind = ""
            waited = (time.monotonic() - began) * 1000
            if began >= measure_from:
                stats.add(name, waited, response, kind)
            time.sleep(self.rng.uniform(*pause))


def seed(url: str, people: int) -> dict[int, str]:
    """A fresh organisation of `people` with a month of history; their signed session cookies."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        models.migrate()
        tokens = load(people, 30, datetime.now(UTC))
        models.PersonSummary.rebuild_all()
        employees = {
            p.id
            for p in models.Person.select(models.Person.id).where(models.Person.role == "employee")
        }
    models.db.close()
    return {
        person_id: session_cookie(app, token)
        for person_id, token in tokens.items()
        if person_id in employees
    }


def drive(
    cookies: dict[int, str], bases: list[str], people: int, seconds: float, pause: tuple
) -> Stats:
    """Every person at once for `seconds` after a warm-up; the client's own CPU share beside."""
    rng = random.Random(14)
    chosen = sorted(cookies)[:people]
    visitors = [Visitor(cookies[p], p, bases, random.Random(rng.random())) for p in chosen]
    for visitor in visitors:
        visitor.prime()
    stats = Stats()
    warm = 5.0
    start = time.monotonic()
    threads = [
        threading.Thread(target=v.run, args=(stats, start + warm, start + warm + seconds, pause))
        for v in visitors
    ]
    for thread in threads:
        thread.start()
    time.sleep(warm)
    cpu, wall = time.process_time(), time.monotonic()
    for thread in threads:
        thread.join()
    stats.client_cores = (time.process_time() - cpu) / (time.monotonic() - wall)
    stats.seconds = seconds
    stats.pause = pause
    return stats


def redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=2).ping())
    except Exception:
        return False


def run_setup(label: str, url: str, servers: int, args, workdir: str) -> list[Stats]:
    """Start the set-up's servers and drive them once for each of args.pauses."""
    # About one in ten seeded is a lead or an admin; a few more for a small smoke run.
    cookies = seed(url, args.people + max(args.people // 10, 5))
    if len(cookies) < args.people:
        raise SystemExit(f"only {len(cookies)} employees to drive")
    extra = {"SERVER_TIMING": "1", "TRUST_PROXY": "1", "GUNICORN_LOG_LEVEL": "warning"}
    if servers > 1 and redis_answers(args.redis):
        extra["HUEY_URL"] = args.redis
    env = procs.base_env(url, SECRET_KEY=SECRET_KEY, **extra)
    started = []
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower())  # nginx's config takes no spaces in paths
    try:
        apps = []
        for n in range(servers):
            folder = procs.Path(workdir) / f"{slug}-{n}"
            folder.mkdir()
            proc, base = procs.gunicorn(folder, env, workers=args.workers, threads=args.threads)
            started.append(proc)
            apps.append(base)
        bases = apps
        front = "client-side turns"
        if shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin"):
            folder = procs.Path(workdir) / f"{slug}-nginx"
            folder.mkdir()
            proxy, base = procs.nginx(folder, [a.removeprefix("http://") for a in apps])
            started.append(proxy)
            bases, front = [base], "nginx"
        queue = env["HUEY_URL"].split("://")[0]
        print(
            f"{label}: {servers} app server(s) × {args.workers} workers × {args.threads} threads,"
            f" {front}, queue {queue}; {args.people} people for {args.seconds:.0f} s"
            f" at each pause of {', '.join(shown(p) for p in args.pauses)} ...",
            flush=True,
        )
        return [drive(cookies, bases, args.people, args.seconds, p) for p in args.pauses]
    finally:
        for proc in reversed(started):
            proc.stop()


def shown(pause: tuple) -> str:
    return f"{pause[0]:g}-{pause[1]:g} s"


def pause_range(text: str) -> tuple[float, float]:
    """'2-8' → (2.0, 8.0): the pause between a person's steps, drawn evenly from the range."""
    low, _, high = text.partition("-")
    try:
        pause = (float(low), float(high or low))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a range of seconds such as 2-8"
        ) from None
    if not 0 <= pause[0] <= pause[1]:
        raise argparse.ArgumentTypeError(f"{text!r}: give the shorter pause first, both >= 0")
    return pause


def summary(stats: Stats) -> dict:
    """Throughput, client and app percentiles and errors of one run."""
    refused = sum(n for key, n in stats.errors.items() if not key.startswith("HTTP"))
    waited = stats.waited or [float("nan")]
    return {
        "rate": (len(stats.waited) + refused) / stats.seconds,
        "p50": percentile(waited, 0.50),
        "p95": percentile(waited, 0.95),
        "app95": percentile(stats.app, 0.95) if stats.app else float("nan"),
        "errors": sum(stats.errors.values()),
    }


def report(label: str, stats: Stats) -> bool:
    """Print one run's figures; True when the target is met."""
    f = summary(stats)
    print(
        f"{label}, pause {shown(stats.pause)}: {f['rate']:.1f} requests/s, client p50 {f['p50']:.0f} ms,"
        f" p95 {f['p95']:.0f} ms, app p95 {f['app95']:.1f} ms, {f['errors']} errors"
        + (f" ({dict(stats.errors)})" if f["errors"] else "")
    )
    steps = ", ".join(
        f"{step} {percentile(values, 0.95):.0f}" for step, values in stats.by_step.items() if values
    )
    print(f"  p95 per step (ms): {steps}")
    print(f"  statuses: {dict(sorted(stats.statuses.items()))}")
    print(f"  the simulated people used {stats.client_cores:.2f} of the {os.cpu_count()} cores")
    ok = f["errors"] == 0 and f["p95"] < TARGET_P95_MS
    print(f"  target (0 errors, p95 < {TARGET_P95_MS:.0f} ms): {'met' if ok else 'NOT met'}")
    return ok


def knee(label: str, runs: list[Stats]) -> None:
    """One line per pause: where the p95 leaves the target is where the cores run out."""
    print(f"{label}: p95 against the offered load ({runs[0].seconds:.0f} s each)")
    print("  pause       req/s  client p50   p95  app p95  errors  client cores")
    for stats in runs:
        f = summary(stats)
        print(
            f"  {shown(stats.pause):10} {f['rate']:6.1f} {f['p50']:8.0f} ms {f['p95']:5.0f}"
            f" {f['app95']:7.1f}  {f['errors']:6}  {stats.client_cores:10.2f}"
        )


KNEE = ((4, 12), (2, 8), (1, 4), (0.5, 2), (0.5, 1.5), (0.25, 0.75))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, help="measured time per run (300; 60 with --knee)")
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--pause", type=pause_range, default=(2.0, 8.0), help="seconds, e.g. 2-8")
    parser.add_argument(
        "--knee",
        action="store_true",
        help="one run per pause of " + ", ".join(shown(p) for p in KNEE),
    )
    parser.add_argument("--only", choices=("postgres", "sqlite"))
    parser.add_argument("--postgres", default=POSTGRES_URL)
    parser.add_argument("--redis", default=REDIS_URL)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    args = parser.parse_args()
    args.pauses = KNEE if args.knee else (args.pause,)
    if args.seconds is None:
        args.seconds = 60.0 if args.knee else 300.0
    print(machine())
    print(f"load before: {os.getloadavg()[0]:.2f}")
    results = []
    with tempfile.TemporaryDirectory(prefix="otc-load-") as workdir:
        if args.only != "sqlite":
            why = fresh_postgres(args.postgres)
            if why:
                print(f"PostgreSQL skipped: {why}")
            else:
                label = "PostgreSQL, 2 servers"
                results.append((label, run_setup(label, args.postgres, 2, args, workdir)))
        if args.only != "postgres":
            url = f"sqlite:///{os.path.join(workdir, 'load.db')}"
            label = "SQLite, 1 server"
            results.append((label, run_setup(label, url, 1, args, workdir)))
    print(f"load after: {os.getloadavg()[0]:.2f}")
    ok = True
    for label, runs in results:
        if args.knee:
            knee(label, runs)
        else:
            ok = report(label, runs[0]) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
