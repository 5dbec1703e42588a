"""Cards people post: plain values in, PNG bytes out (no Flask, no database, no clock)."""

from __future__ import annotations

import hashlib
import io
import json
import threading
from dataclasses import dataclass, fields
from datetime import date
from importlib import resources

import PIL

from cards import fonts, layouts, text
from cards.layouts import PORTRAIT, PREVIEW, SAFE_MARGIN, Placed  # noqa: F401

# The drawing code and Pillow's version name the renderer, so a change to how cards look
# renames every card (a new URL, drawn afresh) without anyone remembering to bump a number.
_DRAWING = b"".join(
    resources.files("cards").joinpath(name).read_bytes()
    for name in ("__init__.py", "fonts.py", "layouts.py", "text.py")
)
RENDERER_VERSION = hashlib.sha256(_DRAWING + PIL.__version__.encode()).hexdigest()[:12]
_LOCK = threading.RLock()  # FreeType faces are cached and shared, and not safe in two threads
_MEASURED = {"fonts": ""}  # the fonts text's cached measurements were taken with


@dataclass(frozen=True)
class Story:
    """A story told about a team member; phase is "before", "during" or "after" an interaction."""

    title: str
    moment: str
    impact: str
    teller: str
    member: str
    team: str
    day: date
    phase: str | None
    share_url: str | None = None  # drawn as a QR code on the portrait card


@dataclass(frozen=True)
class Recognition:  # "Ana recognised Ben: …"
    giver: str
    receiver: str
    message: str
    team: str
    day: date
    for_colleague: bool
    share_url: str | None = None


@dataclass(frozen=True)
class Announcement:  # "This week's One True Customer recognition goes to …"
    lead: str
    receiver: str
    text: str
    team: str
    week_of: date
    share_url: str | None = None


@dataclass(frozen=True)
class Milestone:  # a badge earned; the icon is a short emoji or symbol
    person: str
    badge: str
    criteria: str
    icon: str
    day: date


def _sheet(card, size: tuple[int, int]) -> layouts.Sheet:
    if tuple(size) not in (PORTRAIT, PREVIEW):
        raise ValueError(f"unknown card size {size!r}: PORTRAIT {PORTRAIT} or PREVIEW {PREVIEW}")
    if _MEASURED["fonts"] != fonts.fingerprint():  # other fonts: forget the old measurements
        _MEASURED["fonts"] = fonts.fingerprint()
        text.visual_runs.cache_clear(), text.width.cache_clear()
    if not isinstance(card, Story | Recognition | Announcement | Milestone):
        raise TypeError(f"not a card: {card!r}")
    return getattr(layouts, type(card).__name__.lower())(card, layouts.Sheet(tuple(size)))


def layout(card, size: tuple[int, int]) -> list[Placed]:
    """Every line of text on the card, placed, with the card fields it shows."""
    with _LOCK:
        return _sheet(card, size).texts


def render(card, size: tuple[int, int]) -> bytes:
    """The card as an RGB PNG of exactly size (PORTRAIT or PREVIEW)."""
    with _LOCK:
        image = _sheet(card, size).image()
    image.save(out := io.BytesIO(), "PNG", compress_level=3)
    return out.getvalue()


def card_hash(card) -> str:
    """16 hex digits naming the card's pixels: its kind and fields, the fonts, RENDERER_VERSION."""
    values = {f.name: str(getattr(card, f.name)) for f in fields(card)}
    named = [RENDERER_VERSION, fonts.fingerprint(), type(card).__name__, values]
    payload = json.dumps(named, ensure_ascii=False, sort_keys=True).encode("utf-8", "surrogatepass")
    return hashlib.sha256(payload).hexdigest()[:16]
