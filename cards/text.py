"""Text on a card: cleaned, measured, put in bidi order, broken into lines and fitted to a box."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import regex
import smartypants
from bidi import algorithm as bidi
from bidi import get_display
from PIL import Image, ImageDraw, features
from uniseg.linebreak import line_break_units

from cards import fonts

MAX_MARKS = 3  # combining marks kept on one base: Vietnamese, Hebrew points and Thai need no more
MAX_CHARS = 600  # more than any box on a card holds at its smallest size
ELLIPSIS = "\u2026"
RAQM = features.check("raqm")
EMOJI_EM = 1.15  # an emoji's advance, in ems of the text around it
_DROP = regex.compile(r"[\p{Cc}\p{Cs}\p{Co}\p{Cn}\ufeff\ufffe\u202a-\u202e\u2066-\u2069]")
_MARKS = regex.compile(rf"(\p{{M}}{{{MAX_MARKS}}})\p{{M}}+")
_STRONG = regex.compile(r"\p{Bidi_Class=L}|(\p{Bidi_Class=R}|\p{Bidi_Class=AL})")
_RTL = regex.compile(r"[\p{Bidi_Class=R}\p{Bidi_Class=AL}\p{Bidi_Class=AN}]")


def clean(text: str) -> str:
    """One line of NFC text: no controls, marks capped per letter, typographic quotes."""
    text = regex.sub(r"[\s\p{Zl}\p{Zp}]+", " ", unicodedata.normalize("NFC", text or ""))
    text = " ".join(_MARKS.sub(r"\1", _DROP.sub("", text)).split())
    return smartypants.smartypants(text, smartypants.Attr.q | smartypants.Attr.u)


def is_rtl(text: str) -> bool:
    """A paragraph is right to left when its first strong character is (Unicode rule P2)."""
    first = _STRONG.search(text)
    return bool(first and first.group(1))


def visual_runs(text: str, role: str, rtl: bool) -> list[tuple[str, str, bool]]:
    """(run in logical order, font file, right to left) in the order they are drawn."""
    pieces = fonts.runs(text, role)
    if not rtl and not _RTL.search(text):
        return [(run, path, False) for run, path in pieces]
    storage = bidi.get_empty_storage()
    storage.update(base_level=int(rtl), base_dir="LR"[rtl])
    bidi.get_embedding_levels(text, storage)
    for i, char in enumerate(storage["chars"]):
        char["at"] = i
    bidi.explicit_embed_and_overrides(storage)
    bidi.resolve_weak_types(storage)
    bidi.resolve_neutral_types(storage, False)
    bidi.resolve_implicit_levels(storage, False)
    bidi.reorder_resolved_levels(storage, False)
    owner = [path for run, path in pieces for _char in run]
    groups: list[list] = []  # visually adjacent characters of one level and font: one run
    for char in storage["chars"]:
        at, level = char["at"], char["level"]
        if groups and groups[-1][2:] == [level, owner[at]]:
            groups[-1][0], groups[-1][1] = min(groups[-1][0], at), max(groups[-1][1], at)
        else:
            groups.append([at, at, level, owner[at]])
    return [(text[a : b + 1], path, level % 2 == 1) for a, b, level, path in groups]


def _emoji_scale(size: int) -> float:
    return size * EMOJI_EM / 135.72  # 135.72 px is the emoji advance at 109 ppem


@lru_cache(maxsize=8192)
def _run_width(run: str, path: str, size: int, rtl: bool) -> float:
    direction = ("rtl" if rtl else "ltr") if RAQM else None
    width = fonts.font(path, size).getlength(run, direction=direction)
    return width * _emoji_scale(size) if fonts.is_emoji(path) else width


@lru_cache(maxsize=8192)
def width(text: str, role: str, size: int, rtl: bool) -> float:
    """Advance width of text in a role at a size, with fallback fonts and bidi."""
    return sum(_run_width(r, p, size, d) for r, p, d in visual_runs(text, role, rtl))


@lru_cache(maxsize=256)
def _emoji(path: str, run: str, size: int, rtl: bool) -> tuple[Image.Image, int]:
    """The colour bitmap emoji, drawn at their one size and scaled to the text's."""
    font = fonts.font(path, size)
    ascent, descent = font.getmetrics()
    direction = ("rtl" if rtl else "ltr") if RAQM else None
    advance = max(1, round(font.getlength(run, direction=direction)))
    sprite = Image.new("RGBA", (advance, ascent + descent))
    pen = ImageDraw.Draw(sprite)
    pen.text((0, ascent), run, font=font, anchor="ls", embedded_color=True, direction=direction)
    scale = _emoji_scale(size)
    scaled = (max(1, round(sprite.width * scale)), max(1, round(sprite.height * scale)))
    return sprite.resize(scaled, Image.Resampling.LANCZOS), round(ascent * scale)


def draw(img: Image.Image, text: str, role: str, size: int, xy: tuple, color, rtl: bool) -> None:
    """Draw one line with its left end at x and its baseline at y, runs in visual order."""
    x, baseline = xy
    pen = ImageDraw.Draw(img)
    for run, path, run_rtl in visual_runs(text, role, rtl):
        if fonts.is_emoji(path):
            sprite, ascent = _emoji(path, run, size, run_rtl)
            img.paste(sprite, (round(x), baseline - ascent), sprite)
        elif RAQM:
            direction = "rtl" if run_rtl else "ltr"
            font = fonts.font(path, size)
            pen.text((x, baseline), run, color, font, anchor="ls", direction=direction)
        else:
            shown = get_display(run, base_dir="R") if run_rtl else run
            pen.text((x, baseline), shown, color, fonts.font(path, size), anchor="ls")
        x += _run_width(run, path, size, run_rtl)


@dataclass(frozen=True)
class Block:
    """A paragraph fitted to a box: its lines in logical order and the size chosen."""

    lines: tuple[str, ...]
    size: int
    rtl: bool
    leading: float

    @property
    def line_height(self) -> int:
        return round(self.size * self.leading)

    @property
    def height(self) -> int:
        return self.line_height * len(self.lines)


@lru_cache(maxsize=256)
def _units(text: str) -> tuple[str, ...]:
    """The text cut where a line may break (Unicode line breaking, UAX #14, by uniseg)."""
    return tuple(line_break_units(text))


def _wrap(units: tuple[str, ...], role: str, size: int, room: float, rtl: bool, limit: int):
    """Greedy lines; stops once it needs more than limit lines."""
    lines: list[str] = []
    line, used = "", 0.0
    queue = list(reversed(units))
    while queue and len(lines) <= limit:
        unit = queue.pop()
        if used + width(unit.rstrip(" "), role, size, rtl) <= room:
            line, used = line + unit, used + width(unit, role, size, rtl)
            continue
        if line:
            lines.append(line.rstrip(" "))
            line, used = "", 0.0
            queue.append(unit)
            continue
        # A word wider than the line is broken between graphemes.
        head = ""
        for grapheme in regex.findall(r"\X", unit):
            if head and width(head + grapheme, role, size, rtl) > room:
                break
            head += grapheme
        lines.append(head)
        if unit[len(head) :].strip():
            queue.append(unit[len(head) :])
    if line.strip():
        lines.append(line.rstrip(" "))
    return lines


def _ellipsize(line: str, role: str, size: int, room: float, rtl: bool, close: str) -> str:
    """The line cut at a word (or a grapheme, for one long word) to end in '…'."""
    while line:
        line = line.rstrip(" ,;:.\u2013\u2014-\u00b7\u060c\u3001\u3002")
        if width(line + ELLIPSIS + close, role, size, rtl) <= room:
            break
        line = line.rsplit(" ", 1)[0] if " " in line else regex.sub(r"\X$", "", line)
    return line + ELLIPSIS + close


def fit(text, role, room, sizes, lines=1, height=None, leading=1.25) -> Block:
    """Text wrapped to room at the largest size that fits; at the smallest, cut with '…'."""
    text = clean(text)[:MAX_CHARS]
    rtl = is_rtl(text)
    units = _units(text)
    room -= 2  # pieces are measured apart, lines are drawn whole: a hair of slack
    smallest, largest = sizes

    def allowed(size: int) -> int:
        by_height = int(height // round(size * leading)) if height else lines
        return max(1, min(lines, by_height))

    candidates = sorted({*range(smallest, largest, 2), largest})
    lo, hi, best = 0, len(candidates) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        wrapped = _wrap(units, role, candidates[mid], room, rtl, allowed(candidates[mid]))
        if len(wrapped) <= allowed(candidates[mid]):
            best, lo = (candidates[mid], wrapped), mid + 1
        else:
            hi = mid - 1
    if best:
        return Block(tuple(best[1]), best[0], rtl, leading)
    limit = allowed(smallest)
    wrapped = _wrap(units, role, smallest, room, rtl, limit)
    close = "\u201d" if text.endswith("\u201d") else ""
    last = _ellipsize(wrapped[limit - 1], role, smallest, room, rtl, close)
    return Block((*wrapped[: limit - 1], last), smallest, rtl, leading)
