"""Story and recognition cards: plain text in, a designed PNG out (no Flask, no database)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import threading
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont, features

# Bump whenever the drawing changes, so every cached card URL changes with it.
RENDERER_VERSION = "1"

PORTRAIT = (1080, 1350)
PREVIEW = (1200, 630)
SIZES = {"portrait": PORTRAIT, "preview": PREVIEW}

INK = (0x1C, 0x25, 0x41)
CREAM = (0xFA, 0xF3, 0xE6)
CORAL = (0xE4, 0x57, 0x2E)


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


MUTED = _mix(INK, CREAM, 0.34)  # secondary text: 4.8:1 on cream
RULE = _mix(INK, CREAM, 0.8)

FOOTER = "One True Customer. Every interaction. Every time."
WORDMARK = "One True Customer"
ELLIPSIS = "\u2026"

RAQM = features.check("raqm")

# FreeType faces are shared through the caches below and are not safe to use from two threads
# at once; a threaded server renders one card at a time per process.
_LOCK = threading.RLock()

FONT_PACKAGES = "fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji"
_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts")
EMOJI_FILE = "NotoColorEmoji.ttf"
EMOJI_PPEM = 109  # the only size the bitmap emoji font has
EMOJI_EM = 1.15  # an emoji's advance, in ems of the surrounding text

# Each role is a fallback chain; a run of text takes the first font that has its characters.
# A tuple is "the first of these files that exists"; a chain entry that is missing everywhere is
# skipped unless it is in _REQUIRED.
_CHAINS: dict[str, tuple[tuple[str, ...], ...]] = {
    "serif": (
        ("NotoSerifDisplay-Regular.ttf", "NotoSerif-Regular.ttf"),
        ("NotoNaskhArabic-Regular.ttf", "NotoSansArabic-Regular.ttf"),
        ("NotoSerifHebrew-Regular.ttf", "NotoSansHebrew-Regular.ttf"),
        ("NotoSansCJK-Regular.ttc",),
    ),
    "serif-bold": (
        ("NotoSerifDisplay-Bold.ttf", "NotoSerif-Bold.ttf"),
        ("NotoNaskhArabic-Bold.ttf", "NotoSansArabic-Bold.ttf"),
        ("NotoSerifHebrew-Bold.ttf", "NotoSansHebrew-Bold.ttf"),
        ("NotoSansCJK-Bold.ttc",),
    ),
    "sans": (
        ("NotoSans-Regular.ttf",),
        ("NotoSansArabic-Regular.ttf",),
        ("NotoSansHebrew-Regular.ttf",),
        ("NotoSansCJK-Regular.ttc",),
    ),
    "sans-bold": (
        ("NotoSans-Bold.ttf",),
        ("NotoSansArabic-Bold.ttf",),
        ("NotoSansHebrew-Bold.ttf",),
        ("NotoSansCJK-Bold.ttc",),
    ),
}
_TAIL = (
    (EMOJI_FILE,),
    ("NotoSansDevanagari-Regular.ttf",),
    ("NotoSansThai-Regular.ttf",),
    ("NotoSansArmenian-Regular.ttf",),
    ("NotoSansGeorgian-Regular.ttf",),
    ("NotoSansSymbols-Regular.ttf",),
    ("NotoSansSymbols2-Regular.ttf",),
    ("NotoSansMath-Regular.ttf",),
)
_REQUIRED = {
    "NotoSans-Regular.ttf": "fonts-noto-core",
    "NotoSans-Bold.ttf": "fonts-noto-core",
    "NotoSerif-Regular.ttf": "fonts-noto-core",
    "NotoSerif-Bold.ttf": "fonts-noto-core",
    "NotoSansArabic-Regular.ttf": "fonts-noto-core",
    "NotoSansArabic-Bold.ttf": "fonts-noto-core",
    "NotoSansHebrew-Regular.ttf": "fonts-noto-core",
    "NotoSansHebrew-Bold.ttf": "fonts-noto-core",
    "NotoSansCJK-Regular.ttc": "fonts-noto-cjk",
    "NotoSansCJK-Bold.ttc": "fonts-noto-cjk",
    EMOJI_FILE: "fonts-noto-color-emoji",
}


class FontsMissing(RuntimeError):
    """The Noto fonts the cards draw with are not installed (or not in CARD_FONT_DIR)."""


@dataclass(frozen=True)
class CardText:
    """Everything a card shows, as plain strings."""

    headline: str  # the One True Customer moment, shown as an excerpt
    person: str
    team: str
    title: str = ""
    kicker: str = "One True Customer story"


@dataclass(frozen=True)
class Line:
    """One laid-out line: its role on the card, its text in logical order and its box in pixels."""

    field: str
    text: str
    box: tuple[int, int, int, int]
    size: int
    rtl: bool
    role: str = field(repr=False, default="sans")
    color: tuple[int, int, int] = field(repr=False, default=INK)
    baseline: int = field(repr=False, default=0)


# Fonts ---------------------------------------------------------------------------------------


def _font_dirs() -> tuple[str, ...]:
    override = os.environ.get("CARD_FONT_DIR")
    return (override,) if override else _FONT_DIRS


@lru_cache(maxsize=8)
def _font_index(dirs: tuple[str, ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for top in dirs:
        for root, _subdirs, files in sorted(os.walk(top)):
            for name in sorted(files):
                found.setdefault(name, os.path.join(root, name))
    return found


@lru_cache(maxsize=32)
def _chain_for(role: str, dirs: tuple[str, ...]) -> tuple[str, ...]:
    index = _font_index(dirs)
    missing = sorted(name for name in _REQUIRED if name not in index)
    if missing:
        packages = " ".join(sorted({_REQUIRED[name] for name in missing}))
        raise FontsMissing(
            f"Story cards need the Noto fonts; missing {', '.join(missing)} under "
            f"{', '.join(dirs)}. Install the Debian packages: apt-get install {packages} "
            f"(all cards use {FONT_PACKAGES}), or point CARD_FONT_DIR at a folder holding them."
        )
    chain = []
    for alternatives in _CHAINS[role] + _TAIL:
        path = next((index[name] for name in alternatives if name in index), None)
        if path:
            chain.append(path)
    return tuple(chain)


def font_chain(role: str) -> tuple[str, ...]:
    """The font files a role falls back through, first choice first; raises FontsMissing."""
    return _chain_for(role, _font_dirs())


def _is_emoji_font(path: str) -> bool:
    return os.path.basename(path) == EMOJI_FILE


@lru_cache(maxsize=64)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    engine = ImageFont.Layout.RAQM if RAQM else ImageFont.Layout.BASIC
    if _is_emoji_font(path):
        size = EMOJI_PPEM
    return ImageFont.truetype(path, size, layout_engine=engine)


class _Coverage:
    """The code points a font maps to a glyph, as sorted ranges (cheap even for CJK)."""

    def __init__(self, ranges: list[tuple[int, int]]):
        ranges.sort()
        self.starts = [start for start, _end in ranges]
        self.ends = [end for _start, end in ranges]

    def __contains__(self, cp: int) -> bool:
        i = bisect_right(self.starts, cp) - 1
        return i >= 0 and cp <= self.ends[i]


@lru_cache(maxsize=64)
def _coverage(path: str) -> _Coverage:
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=0, lazy=True)
    raw = font.reader["cmap"]
    # Format 12 (full Unicode) is read straight from its groups: fontTools would name every glyph
    # of a CJK font first, which takes a tenth of a second.
    _version, count = struct.unpack_from(">HH", raw)
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", raw, 4 + 8 * i)
        if (platform, encoding) in ((3, 10), (0, 4), (0, 6)):
            (fmt,) = struct.unpack_from(">H", raw, offset)
            if fmt == 12:
                (ngroups,) = struct.unpack_from(">I", raw, offset + 12)
                groups = struct.iter_unpack(">III", raw[offset + 16 : offset + 16 + 12 * ngroups])
                return _Coverage([(start, end) for start, end, glyph in groups if glyph])
    return _Coverage([(cp, cp) for cp in font.getBestCmap() or {}])


# Text clean-up, clusters and fallback runs -----------------------------------------------------

_JOINERS = {0x200D, 0x20E3}  # zero width joiner, combining keycap


def clean(text: str) -> str:
    """NFC text on one line: control characters gone, every run of whitespace one space."""
    text = unicodedata.normalize("NFC", text or "")
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch.isspace() or category in ("Zl", "Zp"):
            kept.append(" ")
        elif category in ("Cc", "Cs", "Co", "Cn") or ch in "\ufeff\ufffe":
            continue
        elif 0x202A <= ord(ch) <= 0x202E or 0x2066 <= ord(ch) <= 0x2069:
            continue  # explicit bidi embeddings: the card resolves direction itself
        else:
            kept.append(ch)
    return " ".join("".join(kept).split())


def _extends_cluster(cp: int, prev: int | None) -> bool:
    """Whether code point cp belongs to the cluster that ends with prev."""
    if prev is None:
        return False
    if prev == 0x200D or cp in _JOINERS:
        return True
    if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF or 0xE0020 <= cp <= 0xE007F:
        return True  # variation selectors, emoji tag sequences
    if 0x1F3FB <= cp <= 0x1F3FF:
        return True  # skin tones
    return unicodedata.category(chr(cp)).startswith("M")


def clusters(text: str) -> Iterator[str]:
    """User-perceived characters (a base with its marks, an emoji sequence, a flag)."""
    current = ""
    prev: int | None = None
    flag_half = False
    for ch in text:
        cp = ord(ch)
        regional = 0x1F1E6 <= cp <= 0x1F1FF
        if current and (_extends_cluster(cp, prev) or (regional and flag_half)):
            current += ch
            flag_half = False
        else:
            if current:
                yield current
            current = ch
            flag_half = regional
        prev = cp
    if current:
        yield current


def _pick_font(cluster: str, chain: tuple[str, ...], prev: str | None) -> str:
    cps = [ord(c) for c in cluster if ord(c) not in _JOINERS and not 0xFE00 <= ord(c) <= 0xFE0F]
    base = cps[0] if cps else ord(cluster[0])
    wants_emoji = "\ufe0f" in cluster or "\u20e3" in cluster or len(cps) > 1 and "\u200d" in cluster
    if wants_emoji:
        emoji = next((p for p in chain if _is_emoji_font(p)), None)
        if emoji and base in _coverage(emoji):
            return emoji
    # Spaces, digits and punctuation stay in the font around them, so a script's run is not cut
    # up; never in the emoji font, whose space is an emoji wide.
    if (
        prev
        and not _is_emoji_font(prev)
        and not unicodedata.category(chr(base)).startswith("L")
        and all(cp in _coverage(prev) for cp in cps)
    ):
        return prev
    for path in chain:
        coverage = _coverage(path)
        if all(cp in coverage for cp in cps):
            return path
    for path in chain:
        if base in _coverage(path):
            return path
    return chain[0]  # nothing has it: the first font's .notdef box, honestly


def font_for(text: str, role: str = "serif") -> list[tuple[str, str]]:
    """Split text into (run, font file) by fallback, in logical order."""
    chain = font_chain(role)
    runs: list[tuple[str, str]] = []
    prev: str | None = None
    for cluster in clusters(text):
        path = _pick_font(cluster, chain, prev)
        if runs and runs[-1][1] == path:
            runs[-1] = (runs[-1][0] + cluster, path)
        else:
            runs.append((cluster, path))
        prev = path
    return runs


# Bidirectional text ------------------------------------------------------------------------------


def _strong(ch: str) -> str:
    kind = unicodedata.bidirectional(ch)
    if kind == "L":
        return "L"
    if kind in ("R", "AL"):
        return "R"
    return ""


def is_rtl(text: str) -> bool:
    """A paragraph is right to left when its first strong character is (Unicode rule P2)."""
    for ch in text:
        strong = _strong(ch)
        if strong:
            return strong == "R"
    return False


def _levels(text: str, base: int) -> list[int]:
    """Embedding levels of the Unicode bidi algorithm, without explicit embeddings."""
    kinds = [unicodedata.bidirectional(ch) for ch in text]
    # W1-W7: marks take their base's type; numbers after Arabic letters are Arabic numbers;
    # separators inside numbers and terminators next to them join them; numbers after L are L.
    last_strong = "R" if base else "L"
    types: list[str] = []
    for i, kind in enumerate(kinds):
        if kind == "NSM":
            kind = types[-1] if types else ("R" if base else "L")
        if kind in ("L", "R", "AL"):
            last_strong = kind
        if kind == "EN" and last_strong == "AL":
            kind = "AN"
        types.append("R" if kind == "AL" else kind)
        kinds[i] = kind
    for i in range(1, len(types) - 1):
        if types[i] in ("ES", "CS") and types[i - 1] == types[i + 1] and types[i - 1] == "EN":
            types[i] = "EN"
        elif types[i] == "CS" and types[i - 1] == types[i + 1] == "AN":
            types[i] = "AN"
    for i, kind in enumerate(types):
        if kind == "ET" and (
            (i > 0 and types[i - 1] == "EN") or (i + 1 < len(types) and types[i + 1] == "EN")
        ):
            types[i] = "EN"
    last_strong = "R" if base else "L"
    for i, kind in enumerate(types):
        if kind in ("L", "R"):
            last_strong = kind
        elif kind == "EN" and last_strong == "L":
            types[i] = "L"
    # N1-N2: a run of neutrals between two strongs of one direction takes it, else the base's.
    direction = ["L" if t == "L" else "R" if t in ("R", "EN", "AN") else "" for t in types]
    embedding = "R" if base else "L"
    i = 0
    while i < len(types):
        if direction[i]:
            i += 1
            continue
        j = i
        while j < len(types) and not direction[j]:
            j += 1
        before = direction[i - 1] if i > 0 else embedding
        after = direction[j] if j < len(types) else embedding
        resolved = before if before == after else embedding
        for k in range(i, j):
            direction[k] = resolved
            types[k] = resolved
        i = j
    levels = []
    for kind in types:
        if base == 0:
            levels.append(0 if kind == "L" else 1 if kind == "R" else 2)
        else:
            levels.append(1 if kind == "R" else 2)
    # L1: trailing whitespace takes the paragraph level.
    k = len(text) - 1
    while k >= 0 and text[k].isspace():
        levels[k] = base
        k -= 1
    return levels


def visual_runs(text: str, role: str, rtl: bool) -> list[tuple[str, str, bool]]:
    """(run, font file, right to left) in the order they are drawn, left to right."""
    levels = _levels(text, 1 if rtl else 0)
    units: list[tuple[str, str, int]] = []
    pos = 0
    for run, path in font_for(text, role):
        start = pos
        pos += len(run)
        for i in range(start, pos):
            if units and units[-1][1] == path and units[-1][2] == levels[i] and i > start:
                units[-1] = (units[-1][0] + text[i], path, levels[i])
            else:
                units.append((text[i], path, levels[i]))
    # Keep clusters whole: a mark or joiner always rides with the unit before it.
    merged: list[tuple[str, str, int]] = []
    for unit in units:
        if merged and merged[-1][1] == unit[1] and merged[-1][2] == unit[2]:
            merged[-1] = (merged[-1][0] + unit[0], unit[1], unit[2])
        else:
            merged.append(unit)
    # L2: from the highest level down to the lowest odd one, reverse every run at that level or up.
    if merged:
        top = max(level for _t, _p, level in merged)
        lowest_odd = min((level for _t, _p, level in merged if level % 2), default=top + 1)
        for level in range(top, lowest_odd - 1, -1):
            i = 0
            while i < len(merged):
                if merged[i][2] >= level:
                    j = i
                    while j < len(merged) and merged[j][2] >= level:
                        j += 1
                    merged[i:j] = merged[i:j][::-1]
                    i = j
                else:
                    i += 1
    return [(run, path, level % 2 == 1) for run, path, level in merged]


# Measuring and drawing runs --------------------------------------------------------------------


def _emoji_scale(size: int) -> float:
    return size * EMOJI_EM / 135.72  # 135.72 px is the emoji advance at 109 ppem


@lru_cache(maxsize=4096)
def _run_width(run: str, path: str, size: int, rtl: bool) -> float:
    font = _font(path, size)
    direction = ("rtl" if rtl else "ltr") if RAQM else None
    width = font.getlength(run, direction=direction)
    return width * _emoji_scale(size) if _is_emoji_font(path) else width


def text_width(text: str, role: str, size: int, rtl: bool | None = None) -> float:
    """Advance width of text drawn in a role at a size, with fallback and bidi."""
    if rtl is None:
        rtl = is_rtl(text)
    return sum(_run_width(r, p, size, r_rtl) for r, p, r_rtl in visual_runs(text, role, rtl))


def _draw_run(
    img: Image.Image,
    draw: ImageDraw.ImageDraw,
    x: float,
    baseline: int,
    run: str,
    path: str,
    size: int,
    rtl: bool,
    color: tuple[int, int, int],
) -> float:
    width = _run_width(run, path, size, rtl)
    if _is_emoji_font(path):
        sprite, ascent = _emoji_sprite(path, run, size, rtl)
        img.paste(sprite, (round(x), baseline - ascent), sprite)
        return width
    font = _font(path, size)
    if RAQM:
        draw.text(
            (x, baseline),
            run,
            fill=color,
            font=font,
            anchor="ls",
            direction=("rtl" if rtl else "ltr"),
        )
    else:
        if rtl:
            from bidi import get_display

            run = get_display(run, base_dir="R")
        draw.text((x, baseline), run, fill=color, font=font, anchor="ls")
    return width


@lru_cache(maxsize=256)
def _emoji_sprite(path: str, run: str, size: int, rtl: bool) -> tuple[Image.Image, int]:
    font = _font(path, size)
    direction = ("rtl" if rtl else "ltr") if RAQM else None
    ascent, descent = font.getmetrics()
    width = max(1, round(font.getlength(run, direction=direction)))
    sprite = Image.new("RGBA", (width, ascent + descent))
    ImageDraw.Draw(sprite).text(
        (0, ascent), run, font=font, anchor="ls", embedded_color=True, direction=direction
    )
    scale = _emoji_scale(size)
    scaled = sprite.resize(
        (max(1, round(width * scale)), max(1, round((ascent + descent) * scale))),
        Image.Resampling.LANCZOS,
    )
    return scaled, round(ascent * scale)


def draw_line(img: Image.Image, line: Line) -> None:
    """Draw one laid-out line into its box, runs in visual order."""
    draw = ImageDraw.Draw(img)
    x = float(line.box[0])
    for run, path, rtl in visual_runs(line.text, line.role, line.rtl):
        x += _draw_run(img, draw, x, line.baseline, run, path, line.size, rtl, line.color)


# Wrapping and fitting ----------------------------------------------------------------------------

_NO_BREAK_BEFORE = set(
    "、。，．：；！？）」』】〉》〕］｝〙〗〟’”ー々〆ゝゞヽヾぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ・…‥,.!?:;)]}%"
)
_NO_BREAK_AFTER = set("（「『【〈《〔［｛〘〖〝‘“([{")


def _breaks_freely(cluster: str) -> bool:
    """Han, kana and full-width forms wrap between any two characters; Hangul keeps its spaces."""
    cp = ord(cluster[0])
    return (
        0x2E80 <= cp <= 0x312F
        or 0x3190 <= cp <= 0x9FFF
        or 0xF900 <= cp <= 0xFAFF
        or 0xFF00 <= cp <= 0xFF60
        or 0x20000 <= cp <= 0x3FFFF
    )


def _atoms(text: str) -> list[tuple[str, str]]:
    """(glue, piece): the places a line may break, with the space (or nothing) before each."""
    atoms: list[tuple[str, str]] = []
    for word in text.split(" "):
        if not word:
            continue
        glue = " "
        piece = ""
        prev = ""
        for cluster in clusters(word):
            if (
                piece
                and (_breaks_freely(prev) or _breaks_freely(cluster))
                and cluster[0] not in _NO_BREAK_BEFORE
                and prev[-1] not in _NO_BREAK_AFTER
            ):
                atoms.append((glue, piece))
                glue, piece = "", ""
            piece += cluster
            prev = cluster
        atoms.append((glue, piece))
    return atoms


def _join(atoms: list[tuple[str, str]]) -> str:
    return "".join(glue + piece for glue, piece in atoms).lstrip(" ")


@dataclass(frozen=True)
class Block:
    """A paragraph fitted to a box: its lines (logical order), the size chosen, whether cut."""

    lines: tuple[str, ...]
    size: int
    rtl: bool
    truncated: bool


def _wrap(
    atoms: list[tuple[str, str]],
    width: float,
    measure: Callable[[str], float],
    limit: int,
) -> list[list[tuple[str, str]]]:
    """Greedy wrap by measured width; stops as soon as it needs more than limit lines."""
    space = measure(" ")
    lines: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    used = 0.0
    queue = list(reversed(atoms))
    while queue:
        glue, piece = queue.pop()
        w = measure(piece) if len(piece) < 400 else float("inf")
        gap = space if glue and current else 0.0
        if current and used + gap + w <= width:
            current.append((glue, piece))
            used += gap + w
            continue
        if current:
            lines.append(current)
            current, used = [], 0.0
            if len(lines) > limit:
                return lines
        if w <= width:
            current, used = [(glue, piece)], w
            continue
        # A word longer than a line is broken between clusters.
        head, rest, used = "", "", 0.0
        for i, cluster in enumerate(clusters(piece)):
            cw = measure(cluster)
            if head and used + cw > width:
                rest = piece[len(head) :]
                break
            head += cluster
            used += cw
            if i > 4000:
                break
        current = [(glue, head)]
        if rest:
            queue.append(("", rest))
    if current:
        lines.append(current)
    return lines


def _lines_allowed(size: int, leading: float, max_lines: int, height: int | None) -> int:
    if height is None:
        return max_lines
    return max(1, min(max_lines, int(height // round(size * leading))))


def fit(
    text: str,
    role: str,
    width: int,
    *,
    sizes: tuple[int, int],
    max_lines: int,
    leading: float = 1.25,
    height: int | None = None,
) -> Block:
    """Wrap text to width at the largest size that fits; at the smallest, cut with an ellipsis."""
    text = clean(text)
    rtl = is_rtl(text)
    smallest, largest = sizes
    if not text:
        return Block((), largest, rtl, False)
    atoms = _atoms(text)
    # A hair of slack: pieces are measured apart, lines are drawn whole.
    room = width - 2

    def attempt(size: int) -> tuple[list[list[tuple[str, str]]], int]:
        limit = _lines_allowed(size, leading, max_lines, height)
        return _wrap(atoms, room, lambda s: _atom_width(s, role, size, rtl), limit), limit

    candidates = list(range(smallest, largest + 1, 2))
    if candidates[-1] != largest:
        candidates.append(largest)
    best: tuple[int, list[list[tuple[str, str]]]] | None = None
    lo, hi = 0, len(candidates) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        lines, limit = attempt(candidates[mid])
        if len(lines) <= limit:
            best = (candidates[mid], lines)
            lo = mid + 1
        else:
            hi = mid - 1
    if best:
        size, lines = best
        return Block(tuple(_join(line) for line in lines), size, rtl, False)
    lines, limit = attempt(smallest)
    kept = [_join(line) for line in lines[: limit - 1]]
    kept.append(_with_ellipsis(lines[limit - 1], role, smallest, room, rtl))
    return Block(tuple(kept), smallest, rtl, True)


def _with_ellipsis(
    atoms: list[tuple[str, str]], role: str, size: int, width: float, rtl: bool
) -> str:
    """The line cut at a word boundary (or between clusters if it is one word) to end in '…'."""
    atoms = list(atoms)
    while True:
        text = _join(atoms).rstrip(" ,;:.\u2013\u2014-\u00b7\u060c\u3001\u3002")
        candidate = text + ELLIPSIS
        if not text or text_width(candidate, role, size, rtl) <= width:
            return candidate
        if len(atoms) > 1:
            atoms.pop()
        else:
            glue, piece = atoms[0]
            parts = list(clusters(piece))
            atoms = [(glue, "".join(parts[:-1]))]


@lru_cache(maxsize=8192)
def _atom_width(piece: str, role: str, size: int, rtl: bool) -> float:
    return text_width(piece, role, size, rtl)


# The card --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    kind: str  # "rect" or "ellipse"
    box: tuple[int, int, int, int]
    color: tuple[int, int, int]


@dataclass(frozen=True)
class Spec:
    """Where things go on one size of card."""

    margin: int
    wordmark: int
    kicker: int
    title: tuple[int, int]
    title_lines: int
    headline: tuple[int, int]
    headline_lines: int
    quote: int
    person: tuple[int, int]
    team: tuple[int, int]
    footer: int


_SPECS = {
    "portrait": Spec(
        margin=84,
        wordmark=40,
        kicker=28,
        title=(40, 56),
        title_lines=2,
        headline=(44, 96),
        headline_lines=14,
        quote=200,
        person=(34, 46),
        team=(28, 34),
        footer=26,
    ),
    "preview": Spec(
        margin=64,
        wordmark=30,
        kicker=22,
        title=(28, 34),
        title_lines=1,
        headline=(30, 60),
        headline_lines=5,
        quote=130,
        person=(24, 30),
        team=(22, 24),
        footer=20,
    ),
}

# Ink of any text stays at least this far inside the edges (tests hold the renderer to it).
SAFE_MARGIN = {"portrait": 60, "preview": 40}


def _baseline(y: int, size: int, line_height: int) -> int:
    return y + round(line_height / 2 + 0.36 * size)


def _place(
    field_name: str,
    block: Block,
    role: str,
    left: int,
    right: int,
    y: int,
    leading: float,
    color: tuple[int, int, int],
    align_right: bool | None = None,
) -> tuple[list[Line], int]:
    """Lines of a block from y down, aligned to its paragraph's start side unless told."""
    out = []
    line_height = round(block.size * leading)
    if align_right is None:
        align_right = block.rtl
    for text in block.lines:
        width = round(text_width(text, role, block.size, block.rtl))
        x = right - width if align_right else left
        out.append(
            Line(
                field_name,
                text,
                (x, y, x + width, y + line_height),
                block.size,
                block.rtl,
                role,
                color,
                _baseline(y, block.size, line_height),
            )
        )
        y += line_height
    return out, y


def _single(
    field_name: str, text: str, role: str, size: int, x: int, y: int, color, *, rtl=False
) -> Line:
    line_height = round(size * 1.25)
    width = round(text_width(text, role, size, rtl))
    return Line(
        field_name,
        text,
        (x, y, x + width, y + line_height),
        size,
        rtl,
        role,
        color,
        _baseline(y, size, line_height),
    )


def _quote_mark(rtl: bool, size: int, left: int, right: int, top: int) -> Line:
    """The big coral quotation mark, its ink top at `top`, on the headline's start side."""
    mark = "\u201d" if rtl else "\u201c"
    path = font_chain("serif-bold")[0]
    x0, y0, x1, _y1 = _font(path, size).getbbox(mark, anchor="ls")
    x = right - x1 if rtl else left - x0
    baseline = top - y0
    return Line(
        "quote", mark, (x + x0, top, x + x1, top + 1), size, rtl, "serif-bold", CORAL, baseline
    )


def _compose(text: CardText, size: str) -> tuple[list[Line], list[Shape]]:
    if size not in SIZES:
        raise ValueError(f"unknown card size {size!r}; one of {', '.join(SIZES)}")
    width, height = SIZES[size]
    spec = _SPECS[size]
    m = spec.margin
    left, right = m, width - m
    lines: list[Line] = []
    shapes: list[Shape] = []

    # Wordmark: a coral disc (the one customer) and the campaign's name.
    disc = round(spec.wordmark * 1.2)
    shapes.append(Shape("ellipse", (left, m, left + disc, m + disc), CORAL))
    mark = _single("wordmark", WORDMARK, "serif-bold", spec.wordmark, 0, 0, INK)
    mark_height = mark.box[3] - mark.box[1]
    y_mark = m + (disc - mark_height) // 2
    lines.append(
        _single(
            "wordmark", WORDMARK, "serif-bold", spec.wordmark, left + disc + disc // 3, y_mark, INK
        )
    )

    if size == "portrait":
        y = m + disc + 44
        kicker = fit(
            text.kicker.upper(), "sans-bold", right - left, sizes=(20, spec.kicker), max_lines=1
        )
        placed, y = _place("kicker", kicker, "sans-bold", left, right, y, 1.3, CORAL)
        lines += placed
        if clean(text.title):
            title = fit(
                text.title,
                "serif-bold",
                right - left,
                sizes=spec.title,
                max_lines=spec.title_lines,
                leading=1.12,
            )
            placed, y = _place("title", title, "serif-bold", left, right, y + 4, 1.12, INK)
            lines += placed
        top = y + 40

        # From the bottom up: footer, hairline, team, person, accent.
        footer = _single("footer", FOOTER, "sans", spec.footer, left, 0, MUTED)
        fh = footer.box[3] - footer.box[1]
        footer_y = height - m - fh
        lines.append(_single("footer", FOOTER, "sans", spec.footer, left, footer_y, MUTED))
        rule_y = footer_y - 30
        shapes.append(Shape("rect", (left, rule_y, right, rule_y + 2), RULE))
        team = fit(text.team, "sans", right - left, sizes=spec.team, max_lines=1)
        person = fit(text.person, "sans-bold", right - left, sizes=spec.person, max_lines=1)
        team_h = round(team.size * 1.3) * len(team.lines)
        person_h = round(person.size * 1.25) * len(person.lines)
        y_people = rule_y - 52 - team_h - person_h
        # Who and where follow the moment's direction, so the card reads as one column.
        card_rtl = is_rtl(clean(text.headline))
        placed, y_team = _place(
            "person", person, "sans-bold", left, right, y_people, 1.25, INK, card_rtl
        )
        lines += placed
        placed, _ = _place("team", team, "sans", left, right, y_team, 1.3, MUTED, card_rtl)
        lines += placed
        accent_y = y_people - 30
        ax = right - 84 if card_rtl else left
        shapes.append(Shape("rect", (ax, accent_y, ax + 84, accent_y + 8), CORAL))
        bottom = accent_y - 52

        headline_rtl = is_rtl(clean(text.headline))
        head_top = top + round(spec.quote * 0.42)
        headline = fit(
            text.headline,
            "serif",
            right - left,
            sizes=spec.headline,
            max_lines=spec.headline_lines,
            leading=1.26,
            height=bottom - head_top,
        )
        # A short moment sits in the middle of the space it has, its quotation mark with it.
        used = round(headline.size * 1.26) * len(headline.lines)
        shift = max(0, (bottom - head_top - used) // 2)
        lines.append(_quote_mark(headline_rtl, spec.quote, left, right, top + shift))
        placed, _ = _place("headline", headline, "serif", left, right, head_top + shift, 1.26, INK)
        lines += placed
    else:
        # Link preview: wordmark and kicker across the top, the moment, then person and footer.
        kicker_room = (right - left) // 2 - disc
        kicker = fit(
            text.kicker.upper(), "sans-bold", kicker_room, sizes=(16, spec.kicker), max_lines=1
        )
        if kicker.lines:
            kline = kicker.lines[0]
            kw = round(text_width(kline, "sans-bold", kicker.size, kicker.rtl))
            kh = round(kicker.size * 1.25)
            lines.append(
                _single(
                    "kicker",
                    kline,
                    "sans-bold",
                    kicker.size,
                    right - kw,
                    m + (disc - kh) // 2,
                    CORAL,
                    rtl=kicker.rtl,
                )
            )
        y = m + disc + 28
        if clean(text.title):
            title = fit(
                text.title, "sans-bold", right - left, sizes=spec.title, max_lines=spec.title_lines
            )
            placed, y = _place("title", title, "sans-bold", left, right, y, 1.25, INK)
            lines += placed
        top = y + 12

        footer = _single("footer", FOOTER, "sans", spec.footer, 0, 0, MUTED)
        fw = footer.box[2] - footer.box[0]
        fh = footer.box[3] - footer.box[1]
        people_room = right - left - fw - 40
        person = fit(text.person, "sans-bold", people_room, sizes=spec.person, max_lines=1)
        team = fit(text.team, "sans", people_room, sizes=spec.team, max_lines=1)
        team_h = round(team.size * 1.25) * len(team.lines)
        person_h = round(person.size * 1.25) * len(person.lines)
        y_people = height - m - team_h - person_h + 8
        # A right-to-left moment mirrors the bottom row: who on the right, the footer on the left.
        card_rtl = is_rtl(clean(text.headline))
        col_left = right - people_room if card_rtl else left
        col_right = col_left + people_room
        placed, y_team = _place(
            "person", person, "sans-bold", col_left, col_right, y_people, 1.25, INK, card_rtl
        )
        lines += placed
        placed, y_end = _place(
            "team", team, "sans", col_left, col_right, y_team, 1.25, MUTED, card_rtl
        )
        lines += placed
        footer_x = left if card_rtl else right - fw
        lines.append(_single("footer", FOOTER, "sans", spec.footer, footer_x, y_end - fh, MUTED))
        shapes.append(Shape("rect", (0, 0, 14, height), CORAL))
        accent_y = y_people - 22
        ax = right - 64 if card_rtl else left
        shapes.append(Shape("rect", (ax, accent_y, ax + 64, accent_y + 6), CORAL))
        bottom = accent_y - 24

        headline_rtl = is_rtl(clean(text.headline))
        probe = _quote_mark(headline_rtl, spec.quote, left, right, top)
        quote_w = probe.box[2] - probe.box[0] + 22
        inner_left = left + (0 if headline_rtl else quote_w)
        inner_right = right - (quote_w if headline_rtl else 0)
        headline = fit(
            text.headline,
            "serif",
            inner_right - inner_left,
            sizes=spec.headline,
            max_lines=spec.headline_lines,
            leading=1.22,
            height=bottom - top,
        )
        line_height = round(headline.size * 1.22)
        shift = max(0, (bottom - top - line_height * len(headline.lines)) // 2)
        cap_top = _baseline(top + shift, headline.size, line_height) - round(0.72 * headline.size)
        lines.append(_quote_mark(headline_rtl, spec.quote, left, right, cap_top))
        placed, _ = _place(
            "headline", headline, "serif", inner_left, inner_right, top + shift, 1.22, INK
        )
        lines += placed
    return lines, shapes


def layout(text: CardText, size: str) -> list[Line]:
    """Every line of text on the card, measured and placed (boxes are advance boxes)."""
    with _LOCK:
        return _compose(text, size)[0]


def render_image(text: CardText, size: str, *, draw_text: bool = True) -> Image.Image:
    """The card as an RGB image; without text it is the bare design (for measuring ink)."""
    with _LOCK:
        lines, shapes = _compose(text, size)
        img = Image.new("RGB", SIZES[size], CREAM)
        draw = ImageDraw.Draw(img)
        for shape in shapes:
            x0, y0, x1, y1 = shape.box
            if shape.kind == "ellipse":
                draw.ellipse((x0, y0, x1, y1), fill=shape.color)
            else:
                draw.rectangle((x0, y0, x1 - 1, y1 - 1), fill=shape.color)
        if draw_text:
            for line in lines:
                draw_line(img, line)
    return img


def render(text: CardText, size: str) -> bytes:
    """The card as PNG bytes, RGB, exactly SIZES[size]."""
    buf = io.BytesIO()
    render_image(text, size).save(buf, "PNG", compress_level=3)
    return buf.getvalue()


def card_hash(text: CardText, size: str) -> str:
    """16 hex digits naming this card's pixels: every drawn field, the size, RENDERER_VERSION."""
    payload = json.dumps(
        [RENDERER_VERSION, size, text.headline, text.person, text.team, text.title, text.kicker],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()[:16]
