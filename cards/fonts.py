"""Which font draws which piece of text: the Noto files by role, with per-run fallback.

Why by hand: Pillow's raqm layout shapes and reorders a run, but with one font per call, and no
kept library picks fonts per character for Pillow. So text is cut into grapheme runs, each given
the first font in its role's chain that maps all of the run's code points (fontTools reads the
cmaps). Without the Noto files, Pillow's bundled font draws what it covers: a card never fails.
"""

from __future__ import annotations

import hashlib
import io
import os
from functools import lru_cache

import regex
from PIL import ImageFont, features

DIRS = ("/usr/share/fonts", "/usr/local/share/fonts")
EMOJI = "NotoColorEmoji.ttf"
EMOJI_PPEM = 109  # the only size the bitmap emoji font has
PACKAGES = {"fonts-noto-core": "NotoSans-Regular.ttf", "fonts-noto-cjk": "NotoSansCJK-Regular.ttc"}
PACKAGES["fonts-noto-color-emoji"] = EMOJI
BUNDLED = ""  # the chain entry standing for Pillow's own font

_SCRIPTS = (
    ("NotoNaskhArabic-{}.ttf", "NotoSansArabic-{}.ttf"),
    ("NotoSerifHebrew-{}.ttf", "NotoSansHebrew-{}.ttf"),
    ("NotoSansCJK-{}.ttc",),
)
_TAIL = (EMOJI, "NotoSansDevanagari-Regular.ttf", "NotoSansThai-Regular.ttf")
_TAIL += ("NotoSansArmenian-Regular.ttf", "NotoSansGeorgian-Regular.ttf")
_TAIL += ("NotoSansSymbols-Regular.ttf", "NotoSansSymbols2-Regular.ttf", "NotoSansMath-Regular.ttf")
_FIRST = {
    "serif": ("NotoSerifDisplay-Regular.ttf", "NotoSerif-Regular.ttf"),
    "serif-bold": ("NotoSerifDisplay-Bold.ttf", "NotoSerif-Bold.ttf"),
    "serif-italic": ("NotoSerifDisplay-Italic.ttf", "NotoSerif-Italic.ttf"),
    "sans": ("NotoSans-Regular.ttf",),
    "sans-bold": ("NotoSans-Bold.ttf",),
}
# Spaces, digits and punctuation stay in the font before them, so a script's run is not cut up.
_EMOJI = regex.compile(r"\p{Emoji_Presentation}|\p{Regional_Indicator}|[\ufe0f\u20e3\u200d]")
_NEUTRAL = regex.compile(r"[^\p{L}\p{Extended_Pictographic}\p{Regional_Indicator}]+")


def dirs() -> tuple[str, ...]:
    """Where font files are looked for: CARD_FONT_DIR if set, else the system's font folders."""
    override = os.environ.get("CARD_FONT_DIR")
    return (override,) if override is not None else DIRS


@lru_cache(maxsize=8)
def _index(where: tuple[str, ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for top in where:
        for root, _subdirs, files in sorted(os.walk(top)):
            for name in sorted(files):
                found.setdefault(name, os.path.join(root, name))
    return found


@lru_cache(maxsize=32)
def _chain(role: str, where: tuple[str, ...]) -> tuple[str, ...]:
    index = _index(where)
    weight = role.split("-")[1].title() if "-" in role else "Regular"
    weight = "Bold" if weight == "Bold" else "Regular"
    wanted = [_FIRST[role], *((n.format(weight) for n in names) for names in _SCRIPTS)]
    paths = [next((index[n] for n in names if n in index), None) for names in map(tuple, wanted)]
    paths += [index.get(name) for name in _TAIL]
    chain = tuple(path for path in paths if path)
    return chain if paths[0] else (BUNDLED, *chain)


def chain(role: str) -> tuple[str, ...]:
    """The font files a role falls back through, first choice first."""
    return _chain(role, dirs())


def missing_packages() -> list[str]:
    """The Debian packages whose fonts are not found (empty when cards have full coverage)."""
    index = _index(dirs())
    return [package for package, name in PACKAGES.items() if name not in index]


@lru_cache(maxsize=8)
def _fingerprint(where: tuple[str, ...]) -> str:
    files = sorted({p for role in _FIRST for p in _chain(role, where) if p})
    named = [f"{os.path.basename(p)}:{os.path.getsize(p)}" for p in files]
    return hashlib.sha256("|".join(named).encode()).hexdigest()[:12]


def fingerprint() -> str:
    """A short digest of the font files cards are drawn with (their names and sizes)."""
    return _fingerprint(dirs())


def is_emoji(path: str) -> bool:
    return os.path.basename(path) == EMOJI


@lru_cache(maxsize=96)
def font(path: str, size: int) -> ImageFont.FreeTypeFont:
    engine = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
    if path == BUNDLED:  # Pillow's own font (Aileron, Latin only), laid out like the rest
        return ImageFont.truetype(
            io.BytesIO(ImageFont.load_default(size).font_bytes), size, layout_engine=engine
        )
    return ImageFont.truetype(path, EMOJI_PPEM if is_emoji(path) else size, layout_engine=engine)


@lru_cache(maxsize=64)
def coverage(path: str) -> frozenset[int]:
    """The code points a font maps to a glyph."""
    from fontTools.ttLib import TTFont

    source = io.BytesIO(ImageFont.load_default(10).font_bytes) if path == BUNDLED else path
    return frozenset(TTFont(source, fontNumber=0, lazy=True).getBestCmap() or ())


_IGNORED = {0x200D, 0x20E3} | set(range(0xFE00, 0xFE10))


def _pick(grapheme: str, fonts: tuple[str, ...], prev: str | None) -> str:
    cps = [ord(c) for c in grapheme if ord(c) not in _IGNORED] or [ord(grapheme[0])]
    neutral = prev and not is_emoji(prev) and _NEUTRAL.fullmatch(grapheme)
    if neutral and all(cp in coverage(prev) for cp in cps):
        return prev
    emoji = _EMOJI.search(grapheme) is not None
    for path in sorted(fonts, key=lambda p: not (emoji and is_emoji(p))):
        if all(cp in coverage(path) for cp in cps):
            return path
    return next((p for p in fonts if cps[0] in coverage(p)), fonts[0])


def runs(text: str, role: str) -> list[tuple[str, str]]:
    """Text cut into (run, font file) in logical order; a grapheme never straddles two runs."""
    fonts = chain(role)
    out: list[tuple[str, str]] = []
    for grapheme in regex.findall(r"\X", text):
        path = _pick(grapheme, fonts, out[-1][1] if out else None)
        if out and out[-1][1] == path:
            out[-1] = (out[-1][0] + grapheme, path)
        else:
            out.append((grapheme, path))
    return out
