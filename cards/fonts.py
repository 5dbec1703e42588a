"""Which font draws which piece of text: the Noto files per role, with per-run fallback.

Why by hand: raqm shapes a run in one font a call, and no kept library picks fonts per character for
Pillow. So each grapheme takes the first font of its role's chain that maps all its code points (the
cmaps read by fontTools); without the Noto files Pillow's own font draws what it covers.
"""

from __future__ import annotations

import hashlib
import io
import os
from functools import lru_cache
from itertools import groupby
from operator import itemgetter

import regex
from fontTools.ttLib import TTFont
from PIL import ImageFont, features

DIRS = ("/usr/share/fonts", "/usr/local/share/fonts")
EMOJI, EMOJI_PPEM = "NotoColorEmoji.ttf", 109  # the bitmap emoji font has this one size
BUNDLED = ""  # the chain entry standing for Pillow's own font
PACKAGES = {"fonts-noto-core": "NotoSans-Regular.ttf", "fonts-noto-cjk": "NotoSansCJK-Regular.ttc"}
PACKAGES["fonts-noto-color-emoji"] = EMOJI
_SERIF = {"serif": "Regular", "serif-bold": "Bold", "serif-italic": "Italic"}
_FIRST = {role: f"NotoSerifDisplay-{w}.ttf NotoSerif-{w}.ttf" for role, w in _SERIF.items()}
_FIRST |= {"sans": "NotoSans-Regular.ttf", "sans-bold": "NotoSans-Bold.ttf"}
_SCRIPTS = "NotoNaskhArabic-{0}.ttf NotoSansArabic-{0}.ttf|NotoSerifHebrew-{0}.ttf NotoSansHebrew-{0}.ttf|NotoSansCJK-{0}.ttc"
_TAIL = f"{EMOJI} Devanagari Thai Armenian Georgian Symbols Symbols2 Math".split(" ")
_TAIL = [_TAIL[0]] + [f"NotoSans{script}-Regular.ttf" for script in _TAIL[1:]]
_EMOJI = regex.compile(r"\p{Emoji_Presentation}|\p{Regional_Indicator}|[\ufe0f\u20e3\u200d]")
_NEUTRAL = regex.compile(r"[^\p{L}\p{Extended_Pictographic}\p{Regional_Indicator}]+")
_IGNORED = {0x200D, 0x20E3, *range(0xFE00, 0xFE10)}  # joiners and selectors: no glyph of their own


def _now() -> tuple:
    """What is found where fonts are looked for: CARD_FONT_DIR if set, else the system's folders."""
    return _found((os.environ["CARD_FONT_DIR"],) if "CARD_FONT_DIR" in os.environ else DIRS)


@lru_cache(maxsize=8)
def _found(where: tuple[str, ...]) -> tuple[dict[str, str], dict[str, tuple[str, ...]], str]:
    """The font files under where by name, each role's chain, and a digest of the files used."""
    index: dict[str, str] = {}
    for root, _dirs, files in sorted(step for top in where for step in os.walk(top)):
        index.update({name: os.path.join(root, name) for name in files if name not in index})
    chains = {}
    for role, first in _FIRST.items():
        weight = "Bold" if "bold" in role else "Regular"
        wanted = [first, *_SCRIPTS.format(weight).split("|"), *_TAIL]
        paths = [next((index[n] for n in names.split() if n in index), None) for names in wanted]
        chains[role] = (BUNDLED,) * (paths[0] is None) + tuple(path for path in paths if path)
    used = sorted({path for chain in chains.values() for path in chain if path})
    named = "|".join(f"{os.path.basename(path)}:{os.path.getsize(path)}" for path in used)
    return index, chains, hashlib.sha256(named.encode()).hexdigest()[:12]


def chain(role: str) -> tuple[str, ...]:
    """The font files a role falls back through, first choice first."""
    return _now()[1][role]


def fingerprint() -> str:
    """A digest of the font files cards are drawn with (their names and sizes)."""
    return _now()[2]


def missing_packages() -> list[str]:
    """The Debian packages whose fonts are not found (none when cards cover every script)."""
    return [package for package, name in PACKAGES.items() if name not in _now()[0]]


@lru_cache(maxsize=96)
def font(path: str, size: int) -> ImageFont.FreeTypeFont:
    engine = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
    if path == BUNDLED:  # Pillow's own font (Aileron, Latin only), laid out like the others
        path = io.BytesIO(ImageFont.load_default(size).font_bytes)
    size = EMOJI_PPEM if str(path).endswith(EMOJI) else size
    return ImageFont.truetype(path, size, layout_engine=engine)


@lru_cache(maxsize=64)
def coverage(path: str) -> frozenset[int]:
    """The code points a font maps to a glyph."""
    source = io.BytesIO(ImageFont.load_default(10).font_bytes) if path == BUNDLED else path
    return frozenset(TTFont(source, fontNumber=0, lazy=True).getBestCmap() or ())


def _pick(grapheme: str, fonts: tuple[str, ...], prev: str | None) -> str:
    cps = [ord(c) for c in grapheme if ord(c) not in _IGNORED] or [ord(grapheme[0])]
    # Spaces, digits and punctuation stay in the font before them, so a script's run is not cut up.
    if prev and not prev.endswith(EMOJI) and _NEUTRAL.fullmatch(grapheme):
        fonts = (prev, *fonts)
    elif _EMOJI.search(grapheme):
        fonts = tuple(sorted(fonts, key=lambda path: not path.endswith(EMOJI)))
    for path in fonts:
        if all(cp in coverage(path) for cp in cps):
            return path
    return next((path for path in fonts if cps[0] in coverage(path)), fonts[0])


def runs(text: str, role: str) -> list[tuple[str, str]]:
    """Text cut into (run, font file) in logical order; a grapheme never straddles two runs."""
    fonts, picked = chain(role), []
    for grapheme in regex.findall(r"\X", text):
        picked.append((grapheme, _pick(grapheme, fonts, picked[-1][1] if picked else None)))
    return [("".join(g for g, _ in group), path) for path, group in groupby(picked, itemgetter(1))]
