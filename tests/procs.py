"""Real processes for the deployment tests: gunicorn app servers, `manage.py worker`, nginx.

Each is started as production starts it (gunicorn.conf.py, deploy/nginx.conf), on a free port,
with its output in a log file that a failing test shows. Readiness is polled generously, since the
machine may be busy; nothing here times anything.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
READY_TIMEOUT = 120  # seconds: two cores shared by a whole test suite
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def redis_url() -> str:
    """TEST_REDIS_URL, answering; else skip, naming what to install."""
    url = os.environ.get("TEST_REDIS_URL", "")
    if not url:
        pytest.skip(
            "needs Redis: install redis-server and set TEST_REDIS_URL=redis://127.0.0.1:6379/15"
        )
    import redis

    client = redis.Redis.from_url(url)
    client.ping()  # set but not answering is a broken set-up, not a reason to skip
    return url


def nginx_binary() -> str:
    """nginx on the PATH (or Debian's /usr/sbin); else skip, naming what to install."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if not found:
        pytest.skip(
            "needs nginx on the PATH: apt-get install nginx-light (scripts/system-packages.sh)"
        )
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Proc:
    """A child process in its own process group, its output in a log file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log: Path):
        self.name = name
        self.log = log
        self._file = open(log, "wb")  # noqa: SIM115 (closed in stop)
        self.popen = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=self._file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        self._file.flush()
        return self.log.read_text(errors="replace")[-4000:]

    def alive(self) -> bool:
        return self.popen.poll() is None

    def wait_until(self, ready, what: str, timeout: float = READY_TIMEOUT) -> None:
        """Poll ready() until it is true; fail with the log if the process dies or never gets there."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if ready():
                    return
            except (requests.RequestException, OSError):
                pass
            if not self.alive():
                pytest.fail(
                    f"{self.name} exited ({self.popen.returncode}) before {what}:\n{self.output()}"
                )
            if time.monotonic() > deadline:
                pytest.fail(f"{self.name} never {what} in {timeout} s:\n{self.output()}")
            time.sleep(0.2)

    def kill(self) -> None:
        """kill -9, the whole group (gunicorn's or huey's children too)."""
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)

    def stop(self) -> None:
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self._file.close()


def base_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment every process of one deployment shares."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TEST_", "PYTEST", "VAPID_", "HUEY_", "REDIS_"))
    }
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY="deployment-test-secret",
        HUEY_URL="memory://",
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def gunicorn(
    tmp_path: Path, env: dict[str, str], workers: int = 2, threads: int = 2
) -> tuple[Proc, str]:
    """One app server as production runs it (gunicorn.conf.py), healthy; (process, base URL)."""
    port = free_port()
    proc_env = {
        **env,
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "THREADS": str(threads),
    }
    proc = Proc(
        f"gunicorn :{port}",
        [PYTHON, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "pwa:create_app()"],
        proc_env,
        tmp_path / f"gunicorn-{port}.log",
    )
    base = f"http://127.0.0.1:{port}"
    proc.wait_until(
        lambda: requests.get(f"{base}/healthz", timeout=10).status_code == 200, "answered /healthz"
    )
    return proc, base


WORKER = """
import json, os, sys
from pwa import create_app
import manage
app = create_app(json.loads(os.environ["OTC_WORKER_CONFIG"]))
with app.app_context():
    manage.cli(["worker", *sys.argv[1:]])
"""


def worker(
    tmp_path: Path, env: dict[str, str], config: dict, *args: str, name: str = "worker"
) -> Proc:
    """`manage.py worker` in its own process, inside an app made with config (the push stand-in's)."""
    proc = Proc(
        name,
        [PYTHON, "-c", WORKER, *args],
        {**env, "OTC_WORKER_CONFIG": json.dumps(config)},
        tmp_path / f"{name}-{time.monotonic_ns()}.log",
    )
    proc.wait_until(lambda: "Worker started" in proc.output(), "started")
    return proc


NGINX_MAIN = """
{user}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include {mime};
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/otc.conf;
}}
"""


def nginx(tmp_path: Path, apps: list[str]) -> tuple[Proc, str]:
    """nginx with the shipped config in front of these app servers (host:port); (process, base URL)."""
    from manage import nginx_conf
    from pwa.static_files import StaticFiles

    binary = nginx_binary()
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    port = free_port()
    public = prefix / "public"
    StaticFiles(str(ROOT / "pwa" / "static")).publish(str(public))
    (prefix / "otc.conf").write_text(
        nginx_conf(apps, listen=f"127.0.0.1:{port}", public_root=str(public))
    )
    mime = "/etc/nginx/mime.types"
    (prefix / "nginx.conf").write_text(
        NGINX_MAIN.format(
            # As root, nginx's workers would become nobody, who cannot enter pytest's temporary folder.
            user="user root;" if os.geteuid() == 0 else "",
            prefix=prefix,
            mime=mime if os.path.exists(mime) else prefix / "mime.types",
        )
    )
    if not os.path.exists(mime):
        (prefix / "mime.types").write_text(
            "types { text/html html; text/css css; application/javascript js; image/svg+xml svg; }"
        )
    proc = Proc(
        "nginx",
        [binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
        dict(os.environ),
        prefix / "stdout.log",
    )
    base = f"http://127.0.0.1:{port}"
    proc.wait_until(
        lambda: requests.get(f"{base}/healthz", timeout=10).status_code == 200, "answered /healthz"
    )
    return proc, base


def signed_in(base: str, email: str, password: str) -> requests.Session:
    """A browser-like session signed in through the form at base."""
    session = requests.Session()
    page = session.get(f"{base}/signin", timeout=30).text
    token = CSRF_META.search(page).group(1)
    response = session.post(
        f"{base}/signin",
        data={"email": email, "password": password, "csrf_token": token},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 303, response.text[:500]
    return session


def csrf(session: requests.Session, base: str) -> str:
    return CSRF_META.search(session.get(f"{base}/", timeout=30).text).group(1)
