"""Text on a card: cleaned, measured, put in bidi order, broken into lines and fitted to a box."""

from __future__ import annotations

import bisect
import unicodedata
from collections import namedtuple
from functools import lru_cache, partial

import regex
import smartypants
from bidi import algorithm as bidi
from bidi import get_display
from PIL import Image, ImageDraw, features
from uniseg.linebreak import line_break_units

from cards import fonts

MAX_MARKS = 3  # combining marks kept on one letter: Vietnamese, Hebrew points, Thai need no more
ELLIPSIS, EMOJI_EM = "\u2026", 1.15  # an emoji's advance, in ems of the text around it
HYPHEN, MIN_PIECE = "-", 3  # a word broken across lines: its mark, and the fewest letters a side
RAQM = features.check("raqm")
DIRECTION = ("ltr", "rtl") if RAQM else (None, None)  # Pillow's basic layout takes none
_STEPS = "explicit_embed_and_overrides resolve_weak_types resolve_neutral_types"
_STEPS += " resolve_implicit_levels reorder_resolved_levels"  # python-bidi's steps, after levels
_DROP = regex.compile(r"[\p{Cc}\p{Cs}\p{Co}\p{Cn}\ufeff\ufffe\u202a-\u202e\u2066-\u2069]")
_MARKS = regex.compile(rf"(\p{{M}}{{{MAX_MARKS}}})\p{{M}}+")
_STRONG = regex.compile(r"\p{Bidi_Class=L}|(\p{Bidi_Class=R}|\p{Bidi_Class=AL})")
_RTL = regex.compile(r"[\p{Bidi_Class=R}\p{Bidi_Class=AL}\p{Bidi_Class=AN}]")
_BIDI_STEPS = [getattr(bidi, step) for step in _STEPS.split()]
_ALPHABETS = r"\p{Latin}\p{Greek}\p{Cyrillic}\p{Arabic}\p{Hebrew}\p{M}\p{Nd}"
_LETTER = regex.compile(r"\p{L}")
_WORD = regex.compile("[" + _ALPHABETS + r".,;:!?'\"()\u2019\u201c\u201d]+ *")


def clean(text: str) -> str:
    """One line of NFC text: no controls, marks capped per letter, typographic quotes."""
    text = regex.sub(r"[\s\p{Zl}\p{Zp}]+", " ", unicodedata.normalize("NFC", text or ""))
    text = " ".join(_MARKS.sub(r"\1", _DROP.sub("", text)).split())
    return smartypants.smartypants(text, smartypants.Attr.q | smartypants.Attr.u)


@lru_cache(maxsize=4096)
def visual_runs(text: str, role: str, rtl: bool) -> tuple[tuple[str, str, bool], ...]:
    """(run in logical order, font file, right to left) in the order they are drawn."""
    pieces = fonts.runs(text, role)
    if not rtl and not _RTL.search(text):
        return tuple((run, path, False) for run, path in pieces)
    storage = bidi.get_empty_storage()  # python-bidi's steps, to keep each character's index
    storage.update(base_level=int(rtl), base_dir="LR"[rtl])
    bidi.get_embedding_levels(text, storage)
    storage["chars"] = [dict(char, at=i) for i, char in enumerate(storage["chars"])]
    for step in _BIDI_STEPS:
        step(storage, False)
    owner = [path for run, path in pieces for _char in run]
    groups: list[list] = []  # visually adjacent characters of one level and font make a run
    for char in storage["chars"]:
        at, level = char["at"], char["level"]
        if groups and groups[-1][2:] == [level, owner[at]]:
            groups[-1][:2] = min(groups[-1][0], at), max(groups[-1][1], at)
        else:
            groups.append([at, at, level, owner[at]])
    return tuple((text[a : b + 1], path, level % 2 == 1) for a, b, level, path in groups)


@lru_cache(maxsize=8192)
def _run_width(run: str, path: str, size: int, rtl: bool) -> float:
    advance = fonts.font(path, size).getlength(run, direction=DIRECTION[rtl])
    emoji = path.endswith(fonts.EMOJI)  # its advance at 109 ppem is 135.72 px, an em
    return advance * size * EMOJI_EM / 135.72 if emoji else advance


@lru_cache(maxsize=8192)
def width(text: str, role: str, size: int, rtl: bool) -> float:
    """Advance width of text in a role at a size, with fallback fonts and bidi."""
    return sum(_run_width(r, p, size, d) for r, p, d in visual_runs(text, role, rtl))


@lru_cache(maxsize=256)
def _emoji(path: str, run: str, size: int, rtl: bool) -> tuple[Image.Image, int]:
    """Colour emoji drawn at the bitmap font's one size, then scaled to the text's."""
    font, scale = fonts.font(path, size), size * EMOJI_EM / 135.72
    ascent, descent = font.getmetrics()
    sprite = Image.new("RGBA", (max(1, round(font.getlength(run))), ascent + descent))
    pen, direction = ImageDraw.Draw(sprite), DIRECTION[rtl]
    pen.text((0, ascent), run, font=font, anchor="ls", embedded_color=True, direction=direction)
    scaled = (max(1, round(sprite.width * scale)), max(1, round(sprite.height * scale)))
    return sprite.resize(scaled, Image.Resampling.LANCZOS), round(ascent * scale)


def draw(img: Image.Image, text: str, role: str, size: int, xy: tuple, color, rtl: bool) -> None:
    """Draw one line from its left end at x on the baseline y, runs in visual order."""
    (x, baseline), pen = xy, ImageDraw.Draw(img)
    for run, path, run_rtl in visual_runs(text, role, rtl):
        if path.endswith(fonts.EMOJI):
            sprite, ascent = _emoji(path, run, size, run_rtl)
            img.paste(sprite, (round(x), baseline - ascent), sprite)
        else:
            shown = get_display(run, base_dir="R") if run_rtl and not RAQM else run
            font, direction = fonts.font(path, size), DIRECTION[run_rtl]
            pen.text((x, baseline), shown, color, font, anchor="ls", direction=direction)
        x += _run_width(run, path, size, run_rtl)


Block = namedtuple("Block", "lines size rtl line_height height")  # a paragraph fitted to a box


@lru_cache(maxsize=256)
def _units(text: str) -> tuple[str, ...]:
    """The text cut where a line may break (Unicode line breaking, UAX #14, by uniseg)."""
    # uniseg is slow (pure Python): a word of a spaced script without hyphens UAX #14 keeps whole.
    words = regex.findall(r"\S+ *| +", text)
    return tuple(u for w in words for u in ((w,) if _WORD.fullmatch(w) else line_break_units(w)))


def _broken(gs: list[str], measure, room: float) -> tuple[str, int]:
    """The line a word too wide for it starts, and how much of the word that takes.

    Between letters, with a hyphen and at least 3 letters either side; a word with no such
    place (too few letters, or none) is cut where it fills the line, as before.
    """
    letters = [bool(_LETTER.match(g)) for g in gs]
    total = sum(letters)
    fits = bisect.bisect(range(len(gs)), room, key=lambda n: measure("".join(gs[: n + 1]) + HYPHEN))
    for n in range(min(fits, len(gs) - 1), 0, -1):
        if letters[n - 1] and letters[n] and MIN_PIECE <= sum(letters[:n]) <= total - MIN_PIECE:
            return "".join(gs[:n]) + HYPHEN, len("".join(gs[:n]))
    fits = bisect.bisect(range(len(gs)), room, key=lambda n: measure("".join(gs[: n + 1])))
    return (head := "".join(gs[: max(1, fits)])), len(head)


def _wrap(units: tuple[str, ...], role: str, size: int, room: float, rtl: bool, limit: int):
    """Greedy lines; stops once it needs more than limit lines."""
    lines, line, used, queue = [], "", 0.0, list(reversed(units))
    measure = partial(width, role=role, size=size, rtl=rtl)
    while queue and len(lines) <= limit:
        unit = queue.pop()
        if used + measure(unit.rstrip(" ")) <= room:
            line, used = line + unit, used + measure(unit)
        elif line:
            lines.append(line.rstrip(" "))
            line, used = "", 0.0
            queue.append(unit)
        else:  # a word wider than the line is broken between graphemes
            head, taken = _broken(regex.findall(r"\X", unit), measure, room)
            lines.append(head)
            rest = unit[taken:]
            queue.extend([rest] if rest.strip() else [])
    return lines + [line.rstrip(" ")] * bool(line.strip())


def _within(value: str, ems: float) -> str:
    """The text cut after more than ems of it, at widths no glyph is narrower than."""
    for grapheme in regex.finditer(r"\X", value):
        wide = unicodedata.east_asian_width(grapheme[0][0]) in "WF"
        ems -= 0 if unicodedata.category(grapheme[0][0])[0] in "CM" else 0.9 if wide else 0.15
        if ems < 0:
            return value[: grapheme.end()]
    return value


def fit(value: str, role: str, room: int, sizes, most=1, height=None) -> Block:
    """Text wrapped to room at the largest size that fits; at the smallest, cut with '…'."""
    value = _within(clean(value), (most + 2) * room / sizes[0])
    leading = 1.13 if "bold" in role else 1.25
    rtl = bool((first := _STRONG.search(value)) and first.group(1))  # Unicode rule P2
    units, room = _units(value), room - 2  # a hair of slack: pieces are measured apart

    def allowed(size: int) -> int:
        return max(1, min(most, int(height // round(size * leading)) if height else most))

    def wrapped(size: int) -> list[str]:
        return _wrap(units, role, size, room, rtl, allowed(size))

    candidates = sorted({*range(sizes[0], sizes[1], 2), sizes[1]})  # fitting ones come first
    fitting = bisect.bisect(candidates, 0, key=lambda size: len(wrapped(size)) > allowed(size))
    lines = wrapped(size := candidates[max(0, fitting - 1)])
    if not fitting:  # the last line allowed, cut at a word (or a grapheme) to end in '…'
        lines, close = lines[: allowed(size)], "\u201d" * value.endswith("\u201d")
        line = lines.pop()
        while line:
            line = line.rstrip(" ,;:.\u2013\u2014-\u00b7\u060c\u3001\u3002")
            if width(line + ELLIPSIS + close, role, size, rtl) <= room:
                break
            line = line.rsplit(" ", 1)[0] if " " in line else regex.sub(r"\X$", "", line)
        lines.append(line + ELLIPSIS + close)
    line_height = round(size * leading)
    return Block(tuple(lines), size, rtl, line_height, line_height * len(lines))
