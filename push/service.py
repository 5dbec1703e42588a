"""The one door to pywebpush: checked subscriptions, a payload that fits, one send, one error type."""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

# Push services of the browsers people use: Chrome/Android (FCM), Firefox, Safari, Edge.
PUSH_SERVICE_HOSTS = (
    "fcm.googleapis.com",
    "android.googleapis.com",
    "updates.push.services.mozilla.com",
    "push.services.mozilla.com",
    "web.push.apple.com",
    ".push.apple.com",
    ".notify.windows.com",
)
# A push body is at most 4,096 bytes once encrypted; aes128gcm adds 103 of them, so a payload
# stays under 3,993 bytes.
PAYLOAD_MAX = 3993
URGENCIES = ("very-low", "low", "normal", "high")
DECLARATIVE = 8030  # the "web_push" magic number of Declarative Web Push
VAPID_LIFETIME = 12 * 60 * 60  # seconds; push services refuse more than 24 hours
# Apple refuses a sub that is not a real contact: a mailto: address or an https: origin
# (py_vapid takes no path after it).
SUBJECT = re.compile(r"^(mailto:[^@\s]+@[\w.-]+\.\w+|https://[\w-]+(\.[\w-]+)+)$")


class PushError(Exception):
    """A push that did not go through: permanent when the subscription is gone (delete it)."""

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool,
        status: int | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(reason)
        self.permanent = permanent
        self.status = status
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        """Worth trying again later: the service was busy, failing, or out of reach."""
        return not self.permanent and (
            self.status is None or self.status == 429 or self.status >= 500
        )


class InvalidSubscription(ValueError):
    """A subscription we will not store or send to (the message says why)."""


@dataclass(frozen=True)
class Notification:
    """What one push shows: title, body, the screen it opens, and how the push service treats it."""

    title: str
    body: str
    url: str
    tag: str
    topic: str = ""
    ttl: int = 6 * 60 * 60
    urgency: str = "normal"
    icon: str = "/static/icons/icon-192.png"
    badge: str = "/static/icons/icon-192.png"

    def payload(self, base_url: str = "") -> bytes:
        """The Declarative Web Push JSON, shortened to fit a push body (the body gives way first)."""
        body = self.body
        while True:
            data = json.dumps(
                {
                    "web_push": DECLARATIVE,
                    "notification": {
                        "title": self.title,
                        "body": body,
                        "navigate": _absolute(base_url, self.url),
                        "tag": self.tag,
                        "icon": _absolute(base_url, self.icon),
                        "badge": _absolute(base_url, self.badge),
                        "lang": "en",
                        "dir": "auto",
                    },
                },
                ensure_ascii=False,
                separators=(",", ":"),
            ).encode()
            if len(data) < PAYLOAD_MAX:
                return data
            excess = len(data) - PAYLOAD_MAX + 1
            if not body:
                raise ValueError("the notification does not fit a push even without its body")
            # Cut by characters until the bytes fit; an ellipsis says something was cut.
            keep = max(0, len(body) - max(1, excess // 4) - 1)
            body = body[:keep].rstrip() + "…" if keep else ""

    def to_json(self) -> str:
        return json.dumps(self.__dict__)

    @classmethod
    def from_json(cls, text: str) -> Notification:
        return cls(**json.loads(text))


def _absolute(base_url: str, path: str) -> str:
    if not base_url or "://" in path:
        return path
    return base_url.rstrip("/") + path


def topic_for(name: str) -> str:
    """A Topic header value for name: base64url characters, at most 32 of them."""
    cleaned = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "-" for ch in name)
    if len(cleaned) <= 32:
        return cleaned
    digest = base64.urlsafe_b64encode(binascii.crc32(name.encode()).to_bytes(4, "big")).rstrip(b"=")
    return cleaned[: 32 - len(digest) - 1] + "-" + digest.decode()


@dataclass(frozen=True)
class Settings:
    """How to reach push services: our VAPID key and contact, the hosts we may POST to, limits."""

    private_key: str
    public_key: str
    subject: str
    hosts: tuple[str, ...] = PUSH_SERVICE_HOSTS
    # Origins allowed over plain HTTP: the local stand-in of the tests and the benchmark, nothing else.
    insecure_origins: tuple[str, ...] = ()
    timeout: tuple[float, float] = (5.0, 10.0)
    base_url: str = ""
    vapid: Any = field(default=None, compare=False, repr=False)

    @classmethod
    def from_config(cls, config) -> Settings:
        """Settings from an app's config (the VAPID keys and contact, any extra push hosts)."""
        extra = tuple(h.strip().lower() for h in config.get("PUSH_SERVICE_HOSTS", ()) if h.strip())
        insecure = tuple(config.get("PUSH_INSECURE_ORIGINS", ())) if config.get("TESTING") else ()
        private_key = config.get("VAPID_PRIVATE_KEY") or ""
        return cls(
            private_key=private_key,
            public_key=config.get("VAPID_PUBLIC_KEY") or "",
            subject=config.get("VAPID_SUBJECT") or "",
            hosts=PUSH_SERVICE_HOSTS + extra,
            insecure_origins=insecure,
            timeout=(5.0, float(config.get("PUSH_TIMEOUT", 10))),
            base_url=config.get("PUBLIC_URL") or "",
            vapid=_vapid(private_key) if private_key else None,
        )


_vapid_cache: dict[str, Any] = {}


def _vapid(private_key: str):
    # Parsing the key costs more than signing with it; one parsed key per key.
    if private_key not in _vapid_cache:
        _vapid_cache[private_key] = Vapid.from_string(private_key)
    return _vapid_cache[private_key]


def valid_subject(subject: str) -> bool:
    """Whether subject is a contact push services accept (mailto: address or https: URL)."""
    return bool(SUBJECT.match(subject or ""))


def _b64(value: str) -> bytes:
    if not isinstance(value, str) or not value or len(value) > 200:
        raise ValueError("not a key")
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def check_endpoint(endpoint: str, settings: Settings) -> str:
    """The endpoint, if it is an HTTPS URL of a known push service (never an address of anyone's choosing)."""
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > 1024:
        raise InvalidSubscription("The subscription has no usable endpoint.")
    parts = urlsplit(endpoint)
    origin = f"{parts.scheme}://{parts.netloc}"
    if parts.scheme == "http" and origin in settings.insecure_origins:
        return endpoint
    host = (parts.hostname or "").lower()
    if (
        parts.scheme != "https"
        or parts.username is not None
        or parts.password is not None
        or parts.port not in (None, 443)
        or not host
        or not any(host == h or (h.startswith(".") and host.endswith(h)) for h in settings.hosts)
    ):
        raise InvalidSubscription("That endpoint is not a push service we send to.")
    return endpoint


def check_keys(keys: Any) -> tuple[str, str]:
    """(p256dh, auth) if they are a P-256 public key and a 16-byte secret in base64url."""
    if not isinstance(keys, dict):
        raise InvalidSubscription("The subscription has no keys.")
    try:
        p256dh, auth = _b64(keys.get("p256dh")), _b64(keys.get("auth"))
        if len(p256dh) != 65 or p256dh[0] != 4 or len(auth) != 16:
            raise ValueError("wrong length")
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), p256dh)
    except (ValueError, TypeError, binascii.Error) as error:
        raise InvalidSubscription("The subscription's keys are not valid push keys.") from error
    return keys["p256dh"].rstrip("="), keys["auth"].rstrip("=")


_local = threading.local()


def _session() -> requests.Session:
    # One session per sending thread keeps its connection to the push service open.
    session = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        session.max_redirects = 0  # a push service never redirects; following one would be SSRF
        session.trust_env = False
        _local.session = session
    return session


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def send(subscription, message: Notification, settings: Settings | None = None) -> None:
    """Send one push to one subscription, or raise PushError saying whether it is gone for good."""
    if settings is None:
        from flask import current_app

        settings = Settings.from_config(current_app.config)
    if settings.vapid is None or not valid_subject(settings.subject):
        raise PushError("no VAPID key or no valid contact configured", permanent=False, status=0)
    info = subscription.info() if hasattr(subscription, "info") else subscription
    try:
        endpoint = check_endpoint(info.get("endpoint"), settings)
    except InvalidSubscription as error:
        raise PushError(str(error), permanent=True) from error
    parts = urlsplit(endpoint)
    # pywebpush writes into the claims it is given: a fresh dict every time.
    claims = {
        "sub": settings.subject,
        "aud": f"{parts.scheme}://{parts.netloc}",
        "exp": int(time.time()) + VAPID_LIFETIME,
    }
    headers = {"Urgency": message.urgency if message.urgency in URGENCIES else "normal"}
    if message.topic:
        headers["Topic"] = topic_for(message.topic)
    try:
        webpush(
            info,
            data=message.payload(settings.base_url).decode(),
            vapid_private_key=settings.vapid,
            vapid_claims=claims,
            ttl=max(1, int(message.ttl)),
            timeout=settings.timeout,
            headers=headers,
            requests_session=_session(),
        )
    except WebPushException as error:
        response = error.response
        status = getattr(response, "status_code", None)
        retry_after = (
            _retry_after(response.headers.get("Retry-After")) if response is not None else None
        )
        raise PushError(
            f"push service answered {status}",
            permanent=status in (404, 410),
            status=status,
            retry_after=retry_after,
        ) from error
    except requests.RequestException as error:
        raise PushError(
            f"push service not reached: {type(error).__name__}", permanent=False
        ) from error
