"""gunicorn's settings for One True Customer (read from the checkout: `gunicorn 'pwa:create_app()'`).

Each app server is one gunicorn on its own port behind nginx (deploy/nginx.conf). Environment:
BIND (127.0.0.1:8000), WEB_CONCURRENCY (worker processes, 4), THREADS (per worker, 2),
TRUST_PROXY=1 to believe X-Forwarded-* from TRUST_PROXY_FROM (the proxy's addresses,
127.0.0.1,::1), and from nobody otherwise.
"""

from __future__ import annotations

import os

bind = [os.environ.get("BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
threads = int(os.environ.get("THREADS", "2"))
worker_class = "gthread"
# A slow client is nginx's to wait for; gunicorn only ever talks to nginx, which sends at once.
timeout = 30
graceful_timeout = 20
keepalive = 5
# gunicorn's default trusts X-Forwarded-Proto from 127.0.0.1 whatever the app says (F18): it trusts
# the proxy only when TRUST_PROXY=1, and then only the proxy.
forwarded_allow_ips = (
    os.environ.get("TRUST_PROXY_FROM", "127.0.0.1,::1")
    if os.environ.get("TRUST_PROXY", "") == "1"
    else ""
)
# The app writes one JSON line per request (pwa/logs.py); gunicorn's own access log would repeat it.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Load the app in each worker: a database pool opened before fork would be shared by all.
preload_app = False
