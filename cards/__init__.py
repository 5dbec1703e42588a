"""Cards people post: plain values in, PNG bytes out (no Flask, no database, no clock)."""

from __future__ import annotations

import hashlib
import io
import json
import threading
from dataclasses import dataclass, fields
from datetime import date

from cards import fonts, layouts
from cards.layouts import PORTRAIT, PREVIEW, SAFE_MARGIN, Placed

__all__ = ["PORTRAIT", "PREVIEW", "SAFE_MARGIN", "Placed", "Story", "Recognition"]
__all__ += ["Announcement", "Milestone", "render", "card_hash", "layout", "RENDERER_VERSION"]

# Bump whenever the drawing changes, so every cached card gets a new name.
RENDERER_VERSION = "2"
SIZES = (PORTRAIT, PREVIEW)
# FreeType faces are cached and shared; they are not safe to use from two threads at once.
_LOCK = threading.RLock()


@dataclass(frozen=True)
class Story:
    """A One True Customer story: the moment is the headline, the impact's words the pull quote."""

    title: str
    moment: str
    impact: str
    teller: str
    member: str
    team: str
    day: date
    phase: str | None  # "before", "during" or "after" an interaction
    share_url: str | None = None  # drawn as a QR code on portrait cards


@dataclass(frozen=True)
class Recognition:
    """One person recognising another: "Ana recognised Ben: …"."""

    giver: str
    receiver: str
    message: str
    team: str
    day: date
    for_colleague: bool
    share_url: str | None = None


@dataclass(frozen=True)
class Announcement:
    """The lead's weekly "This week's One True Customer recognition goes to …"."""

    lead: str
    receiver: str
    text: str
    team: str
    week_of: date
    share_url: str | None = None


@dataclass(frozen=True)
class Milestone:
    """A badge earned: the 30-day challenge, a streak of 10, 30 or 100 work days, …"""

    person: str
    badge: str
    criteria: str
    icon: str  # a short emoji or symbol
    day: date


_KINDS = {
    Story: layouts.story,
    Recognition: layouts.recognition,
    Announcement: layouts.announcement,
    Milestone: layouts.milestone,
}


def _sheet(card, size: tuple[int, int]) -> layouts.Sheet:
    if tuple(size) not in SIZES:
        raise ValueError(f"unknown card size {size!r}; PORTRAIT {PORTRAIT} or PREVIEW {PREVIEW}")
    if type(card) not in _KINDS:
        raise TypeError(f"not a card: {card!r}")
    return _KINDS[type(card)](card, layouts.Sheet(tuple(size)))


def layout(card, size: tuple[int, int]) -> list[Placed]:
    """Every line of text on the card, measured and placed, with the fields it shows."""
    with _LOCK:
        return _sheet(card, size).texts


def render(card, size: tuple[int, int]) -> bytes:
    """The card as an RGB PNG of exactly size (PORTRAIT or PREVIEW)."""
    with _LOCK:
        image = _sheet(card, size).image()
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=3)
    return out.getvalue()


def card_hash(card) -> str:
    """16 hex digits naming the card's pixels: its kind, every field, the fonts, RENDERER_VERSION."""
    values = {f.name: str(getattr(card, f.name)) for f in fields(card)}
    named = [RENDERER_VERSION, fonts.fingerprint(), type(card).__name__, values]
    payload = json.dumps(named, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()[:16]
