"""CSRF protection whose token reads differently in every use, so compressed pages can't leak it.

Flask-WTF's signed token is the same string for every page served within one second, and its
payload part never changes. In a compressed page beside reflected input, that is what BREACH
recovers byte by byte. Each use here XORs the token with a fresh random pad and sends pad and
result together (as Django does); a check removes the pad and hands Flask-WTF the token itself.
"""

from __future__ import annotations

import base64
import binascii
import os

from flask import current_app, g, request, session
from flask_wtf.csrf import CSRFProtect, generate_csrf

from pwa.recent import Recent


def mask(token: str) -> str:
    """The token under a fresh random pad: a different string on every call."""
    raw = token.encode()
    pad = os.urandom(len(raw))
    return base64.urlsafe_b64encode(pad + _xor(pad, raw)).decode()


def _xor(one: bytes, other: bytes) -> bytes:
    """one XOR other, byte by byte (both the same length), as one big-number operation."""
    size = len(one)
    return (int.from_bytes(one, "big") ^ int.from_bytes(other, "big")).to_bytes(size, "big")


def unmask(sent: str | None) -> str | None:
    """The token a masked string carries; an unmasked token (always dotted) passes unchanged."""
    if not sent or "." in sent:
        return sent
    try:
        both = base64.urlsafe_b64decode(sent.encode())
    except (binascii.Error, ValueError):
        return sent
    half = len(both) // 2
    if not half or len(both) % 2:
        return sent
    return _xor(both[:half], both[half:]).decode(errors="replace")


def masked_csrf_token() -> str:
    """The request's CSRF token, masked afresh for each response: what its forms and meta tag carry.

    One response's forms share one masking (it is the same secret either way); the next response
    gets a new pad, so no two responses carry the same string.
    """
    masked = g.get("masked_csrf_token")
    if masked is None:
        masked = g.masked_csrf_token = mask(_signed_token())
    return masked


SIGNED_KEPT = 4096  # signed tokens kept per app, the least recently used dropped first


def _signed_token() -> str:
    """Flask-WTF's signed token for this session's secret, signed once per process.

    The signature never expires here (WTF_CSRF_TIME_LIMIT is None), so a token signed for the
    session's secret earlier is as good as a new one; a person's pages reuse it.
    """
    kept = current_app.extensions.get("signed_csrf_tokens")
    if kept is None:
        kept = current_app.extensions.setdefault("signed_csrf_tokens", Recent(SIGNED_KEPT))
    secret = session.get("csrf_token")
    signed = kept.get(secret) if secret else None
    if signed is None:
        signed = generate_csrf()
        kept.put(session["csrf_token"], signed)
    return signed


class MaskedCSRFProtect(CSRFProtect):
    """Flask-WTF's CSRFProtect, handing out masked tokens and unmasking what comes back."""

    def init_app(self, app) -> None:
        super().init_app(app)
        app.jinja_env.globals["csrf_token"] = masked_csrf_token
        app.context_processor(lambda: {"csrf_token": masked_csrf_token})

    def protect(self, apply_exemptions: bool = False) -> None:
        # A safe method (a GET, most requests) is never checked: say so before the exemptions.
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return
        super().protect(apply_exemptions)

    def _get_csrf_token(self) -> str | None:
        return unmask(super()._get_csrf_token())
