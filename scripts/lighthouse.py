"""Mobile Lighthouse of Today, a story page and the sign-in page, against a fresh demo served by gunicorn.

Prints one line per page and exits 1 when a page misses its targets (performance >= 95,
accessibility and best practices 100, CLS < 0.05). Lighthouse is the npm devDependency, run with
Debian's Chromium (CHROME_PATH, /usr/bin/chromium by default) in its default mobile emulation.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100}
CLS_LIMIT = 0.05


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=5)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit(f"The app did not answer at {url} within {seconds:.0f} s.")


def sign_in(base: str) -> tuple[str, str]:
    """Alice's cookie header, and the address of a story she may read."""
    session = requests.Session()
    page = session.get(f"{base}/signin", timeout=5).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    response = session.post(
        f"{base}/signin",
        data={"email": "alice@example.com", "password": "one-true-customer", "csrf_token": token},
        timeout=5,
    )
    response.raise_for_status()
    feed = session.get(f"{base}/stories", timeout=5).text
    story = re.search(r'href="(/stories/\d+)"', feed).group(1)
    cookie = "; ".join(f"{name}={value}" for name, value in session.cookies.items())
    return cookie, story


def lighthouse(url: str, cookie: str | None, out: Path) -> dict:
    command = [
        "npx",
        "--no-install",
        "lighthouse",
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        "--only-categories=performance,accessibility,best-practices",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
    ]
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run(command, cwd=ROOT, env=env, check=True, timeout=300)
    return json.loads(out.read_text())


def summary(name: str, report: dict) -> tuple[str, list[str]]:
    scores = {key: round(report["categories"][key]["score"] * 100) for key in TARGETS}
    audits = report["audits"]
    cls = audits["cumulative-layout-shift"]["numericValue"]
    lcp = audits["largest-contentful-paint"]["numericValue"] / 1000
    tbt = audits["total-blocking-time"]["numericValue"]
    wire = audits["total-byte-weight"]["numericValue"] / 1024
    line = (
        f"{name:<10} performance {scores['performance']:>3}  accessibility "
        f"{scores['accessibility']:>3}  best practices {scores['best-practices']:>3}  "
        f"CLS {cls:.3f}  LCP {lcp:.2f} s  TBT {tbt:.0f} ms  {wire:.1f} KiB"
    )
    missed = [
        f"{name}: {key} {scores[key]} < {goal}"
        for key, goal in TARGETS.items()
        if scores[key] < goal
    ]
    if cls >= CLS_LIMIT:
        missed.append(f"{name}: CLS {cls:.3f} >= {CLS_LIMIT}")
    if scores["performance"] < TARGETS["performance"]:
        # Where the blocking time went: main-thread work by script, and how fast the host is
        # (Lighthouse multiplies what it sees by 4, so a slow host scores lower for the same page).
        busiest = sorted(
            audits["bootup-time"]["details"]["items"], key=lambda item: -item["total"]
        )[:3]
        line += "\n  busiest: " + ", ".join(
            f"{item['url'].rsplit('/', 1)[-1] or item['url']} {item['total']:.0f} ms"
            for item in busiest
        )
        line += f"; host benchmark index {report['environment']['benchmarkIndex']:.0f}"
    return line, missed


def main() -> int:
    """Serve a fresh demo database, run Lighthouse on three pages, print the scores."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/demo.db", "SECRET_KEY": "lighthouse"}
        for command in (["migrate"], ["demo"]):
            subprocess.run(
                [PY, "manage.py", *command],
                cwd=ROOT,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                PY,
                "-m",
                "gunicorn",
                "--workers",
                "2",
                "--threads",
                "2",
                "--worker-class",
                "gthread",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "pwa:create_app()",
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            wait_for(f"{base}/signin")
            cookie, story = sign_in(base)
            pages = (("Today", "/", cookie), ("story", story, cookie), ("sign-in", "/signin", None))
            lines, missed = [], []
            for name, path, header in pages:
                out = Path(os.environ.get("LIGHTHOUSE_REPORTS") or tmp) / f"{name}.json"
                out.parent.mkdir(parents=True, exist_ok=True)
                report = lighthouse(f"{base}{path}", header, out)
                line, misses = summary(name, report)
                lines.append(line)
                missed += misses
                index = report["environment"]["benchmarkIndex"]
        finally:
            server.terminate()
            server.wait(timeout=10)
    print("\n".join(lines))
    # Lighthouse slows the CPU 4x whatever the host: the same page scores lower on a slower host.
    print(f"Host benchmark index {index:.0f} (Lighthouse's own CPU yardstick; higher is faster)")
    if missed:
        print("Missed: " + "; ".join(missed))
        return 1
    print("Every page met its targets.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
