"""Today and the yardstick counted in CPU instructions per request, which other work cannot blur.

    .venv/bin/python bench/instructions.py              # 40 requests of each, SQLite
    .venv/bin/python bench/instructions.py --requests 100 --people 300 --days 365

A stopwatch on a busy two-core machine swings by a third from one run to the next; valgrind's
callgrind counts the instructions the interpreter executes, the same in every run of the same code
and data, whatever else the cores are doing. This script builds a SQLite database with
`bench/today.py`'s loader, then runs itself under callgrind: through Flask's test client it asks
for one employee's Today `--requests` times inside `sorted()` and the yardstick's page as often
inside `min()`, so the counts of those two C functions are the two pages' own. It prints the
instructions per request of each and their ratio, the in-process stand-in for `today.py`'s wrk
ratio (both include the test client's share, as both include gunicorn's there). It takes about
three minutes (valgrind runs Python some 50 times slower). Needs valgrind and an interpreter whose
libpython keeps its symbols (pyenv's and python.org's builds do).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

SECRET_KEY = "bench-instructions"


def prepare(path: str, people: int, days: int) -> str:
    """Fill a fresh SQLite file; return one employee's session cookie, CSRF token included."""
    import models
    from bench.today import load, session_cookie
    from pwa import create_app

    url = f"sqlite:///{path}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        models.migrate()
        tokens = load(people, days, datetime.now(UTC))
        models.PersonSummary.rebuild_all()
    cookie = session_cookie(app, tokens[max(tokens)])
    client = app.test_client()
    client.set_cookie("session", cookie, domain="localhost")
    client.get("/")  # the first page adds the CSRF token to the session, as a phone keeps it
    models.db.close()
    return client.get_cookie("session").value


def measure(path: str, cookie: str, requests: int) -> None:
    """Run under callgrind: Today inside sorted(), the yardstick inside min()."""
    from pwa import create_app

    url = f"sqlite:///{path}"
    os.environ["DATABASE_URL"] = url
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY})
    today = app.test_client()
    today.set_cookie("session", cookie, domain="localhost")
    spec = importlib.util.spec_from_file_location(
        "yardstick", os.path.join(ROOT, "bench", "yardstick.py")
    )
    yardstick_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(yardstick_module)
    yardstick = yardstick_module.create_app().test_client()
    if today.get("/").status_code != 200:
        raise SystemExit("Today did not answer 200 for the bench's employee")
    for _ in range(10):  # templates compiled, statements prepared, kept fragments made
        today.get("/")
        yardstick.get("/")
    sorted(range(requests), key=lambda _: today.get("/").status_code)
    min(range(requests), key=lambda _: yardstick.get("/").status_code)


def inclusive(report: str, function: str) -> int:
    found = re.search(rf"^\s*([\d,]+)\s+\([^)]*\)\s+\S*:{function}\b", report, re.MULTILINE)
    if found is None:
        found = re.search(rf"^\s*([\d,]+)\s.*\b{function}\b", report, re.MULTILINE)
    if found is None:
        raise SystemExit(f"callgrind's report has no {function}: is libpython stripped?")
    return int(found.group(1).replace(",", ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--measure", nargs=2, metavar=("DB", "COOKIE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(*args.measure, args.requests)
        return 0
    for tool in ("valgrind", "callgrind_annotate"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed: sudo apt-get install valgrind")
    with tempfile.TemporaryDirectory(prefix="otc-instructions-") as workdir:
        path = os.path.join(workdir, "bench.db")
        cookie = prepare(path, args.people, args.days)
        out = os.path.join(workdir, "callgrind.out")
        command = [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out}",
            sys.executable,
            os.path.abspath(__file__),
            "--requests",
            str(args.requests),
            "--measure",
            path,
            cookie,
        ]
        run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        if run.returncode != 0:
            raise SystemExit(f"callgrind run failed:\n{run.stderr[-3000:]}")
        report = subprocess.run(
            ["callgrind_annotate", "--inclusive=yes", "--threshold=100", out],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    today = inclusive(report, "builtin_sorted") / args.requests
    yardstick = inclusive(report, "builtin_min") / args.requests
    print(
        f"Data: {args.people:,} people, {args.days} days of check-ins; {args.requests} requests each"
    )
    print(f"Today      {today / 1e6:6.2f} M instructions per request")
    print(f"yardstick  {yardstick / 1e6:6.2f} M instructions per request")
    print(f"Today/yardstick throughput, by instructions: {yardstick / today:.2f} (target 0.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
