"""A local push service for the tests and the benchmark: it checks what a real one checks, and decrypts.

It listens on 127.0.0.1 only. It hands out subscriptions whose private keys it keeps, verifies the
VAPID Authorization header (ES256 signature by our public key, aud = its origin, exp within 24 hours,
sub present), requires TTL, checks Urgency and Topic, decrypts the aes128gcm body, and answers 201, or
whatever status a test asks for next.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import jwt

TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Delivery:
    """One push the stand-in accepted: whom it was for, its headers and its decrypted JSON."""

    token: str
    headers: Any  # case-insensitive, as HTTP headers are
    claims: dict
    payload: dict
    size: int


class PushServiceStandIn:
    """A push service on 127.0.0.1 (start with `with PushServiceStandIn(public_key) as service:`)."""

    def __init__(self, public_key: str, latency: float = 0.0, decrypt: bool = True):
        self.public_key = public_key
        self.latency = latency
        self.decrypt = decrypt
        self.received: list[Delivery] = []
        self.refused: list[str] = []
        self._keys: dict[str, tuple] = {}
        self._answers: deque = deque()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> PushServiceStandIn:
        handler = type("Handler", (_Handler,), {"service": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def subscribe(self) -> dict:
        """A new subscription on this service, in PushSubscription.toJSON() shape."""
        key = ec.generate_private_key(ec.SECP256R1())
        auth = secrets.token_bytes(16)
        token = secrets.token_urlsafe(12)
        self._keys[token] = (key, auth)
        public = key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": f"{self.origin}/push/{token}",
            "expirationTime": None,
            "keys": {"p256dh": _b64(public), "auth": _b64(auth)},
        }

    def forget(self, subscription: dict) -> None:
        """Drop a subscription, as when the person uninstalls the app (further pushes get 410)."""
        self._keys.pop(subscription["endpoint"].rsplit("/", 1)[1], None)

    def answer(self, status: int, times: int = 1, retry_after: str | None = None) -> None:
        """Answer the next `times` valid pushes with status instead of 201."""
        for _ in range(times):
            self._answers.append((status, retry_after))

    def for_endpoint(self, endpoint: str) -> list[Delivery]:
        """The pushes accepted for one subscription."""
        token = endpoint.rsplit("/", 1)[1]
        return [d for d in self.received if d.token == token]

    def check(self, token: str, headers, body: bytes) -> tuple[int, dict | None, dict, str]:
        """(status, payload, claims, reason) for one POST, doing what a push service does."""
        if token not in self._keys:
            return 410, None, {}, "unknown subscription"
        claims, reason = self._vapid(headers.get("Authorization", ""))
        if reason:
            return 403, None, claims, reason
        ttl = headers.get("TTL", "")
        if not ttl.isdigit():
            return 400, None, claims, "TTL missing"
        if headers.get("Urgency", "normal") not in ("very-low", "low", "normal", "high"):
            return 400, None, claims, "bad Urgency"
        topic = headers.get("Topic")
        if topic is not None and not TOPIC.match(topic):
            return 400, None, claims, "bad Topic"
        if len(body) > 4096:
            return 413, None, claims, "payload too large"
        if headers.get("Content-Encoding") != "aes128gcm":
            return 415, None, claims, "not aes128gcm"
        payload = {}
        if self.decrypt:
            key, auth = self._keys[token]
            try:
                plain = http_ece.decrypt(
                    body, private_key=key, auth_secret=auth, version="aes128gcm"
                )
                payload = json.loads(plain)
            except Exception as error:  # any failure to decrypt is the sender's bug
                return 400, None, claims, f"cannot decrypt: {error!r}"
        return 201, payload, claims, ""

    def _vapid(self, authorization: str) -> tuple[dict, str]:
        match = re.match(r"^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$", authorization)
        if not match:
            return {}, "no VAPID Authorization header"
        token, key = match.groups()
        if key != self.public_key:
            return {}, "signed with another key"
        try:
            claims = jwt.decode(token, key)
        except Exception:
            return {}, "bad VAPID signature"
        now = time.time()
        if claims.get("aud") != self.origin:
            return claims, f"aud {claims.get('aud')!r} is not {self.origin}"
        exp = claims.get("exp")
        if not isinstance(exp, int) or not now < exp <= now + 24 * 3600:
            return claims, "exp not within 24 hours"
        if not str(claims.get("sub", "")).startswith(("mailto:", "https://")):
            return claims, "sub missing"
        return claims, ""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    service: PushServiceStandIn

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        service = self.service
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        token = self.path.rsplit("/", 1)[-1] if self.path.startswith("/push/") else ""
        status, payload, claims, reason = service.check(token, self.headers, body)
        retry_after = None
        if status == 201:
            with service._lock:
                forced = service._answers.popleft() if service._answers else None
            if forced:
                status, retry_after = forced
            else:
                service.received.append(Delivery(token, self.headers, claims, payload, len(body)))
        else:
            service.refused.append(reason)
        if service.latency:
            time.sleep(service.latency)
        self.send_response(status)
        if status == 201:
            self.send_header("Location", f"/message/{secrets.token_hex(4)}")
        if retry_after is not None:
            self.send_header("Retry-After", retry_after)
        self.send_header("Content-Length", "0")
        self.end_headers()
