"""Where things go on each kind of card, in the campaign's palette: one layout per kind."""

from __future__ import annotations

from dataclasses import dataclass, field

import regex
import segno
from PIL import Image, ImageDraw

from cards import text
from cards.text import Block, fit

PORTRAIT = (1080, 1350)
PREVIEW = (1200, 630)
# No ink of any kind closer than this to an edge (the tests hold every card to it).
SAFE_MARGIN = {PORTRAIT: 56, PREVIEW: 36}

INK, INK_SOFT, CREAM = (0x1C, 0x25, 0x41), (0x3A, 0x44, 0x66), (0xFA, 0xF3, 0xE6)
CORAL, CORAL_FILL, CORAL_ON_INK = (0xE4, 0x57, 0x2E), (0xC9, 0x4A, 0x24), (0xF0, 0x7A, 0x55)
SAGE, LINE, MUTED, PAPER = (0x2A, 0x7D, 0x4F), (0xE6, 0xDC, 0xCB), (0x5E, 0x64, 0x77), (255,) * 3
MUTED_ON_INK, SOFT_ON_CORAL = (0xA9, 0xAF, 0xC4), (0xFB, 0xDF, 0xD2)
# The Daily Filter's phases: each story's accent and its quiet mark.
PHASES = {"before": ("Before", SAGE), "during": ("During", CORAL), "after": ("After", INK_SOFT)}
WORDMARK = "One True Customer"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_QUOTED = regex.compile(r"\u201c([^\u201c\u201d]+)\u201d|\u00ab([^\u00ab\u00bb]+)\u00bb")


@dataclass(frozen=True)
class Placed:
    """One line of text on a card: the card fields it shows, its text, its advance box."""

    shows: tuple[str, ...]
    text: str
    box: tuple[int, int, int, int]
    size: int = 0
    role: str = field(default="sans", repr=False)
    color: tuple[int, int, int] = field(default=INK, repr=False)
    rtl: bool = field(default=False, repr=False)


class Sheet:
    """A card being laid out: flat shapes, QR codes and placed lines, drawn in that order."""

    def __init__(self, size: tuple[int, int], background=CREAM):
        self.size, self.background = size, background
        self.width, self.height = size
        self.portrait = size == PORTRAIT
        self.margin = 88 if self.portrait else 64
        self.left, self.right = self.margin, self.width - self.margin
        self.shapes: list[tuple] = []
        self.texts: list[Placed] = []

    def px(self, portrait: int, preview: int) -> int:
        return portrait if self.portrait else preview

    def shape(self, kind: str, box, color, radius: int = 0) -> None:
        self.shapes.append((kind, tuple(round(v) for v in box), color, radius))

    def block(self, shows, block: Block, role, left, right, top, color, align="start") -> int:
        """Place a fitted block's lines from top down; returns the y below it."""
        for line in block.lines:
            w = round(text.width(line, role, block.size, block.rtl))
            side = ("right" if block.rtl else "left") if align == "start" else align
            x = {"left": left, "right": right - w, "center": (left + right - w) // 2}[side]
            box = (x, top, x + w, top + block.line_height)
            self.texts.append(Placed(shows, line, box, block.size, role, color, block.rtl))
            top += block.line_height
        return top

    def line(self, shows, value, role, sizes, left, right, top, color, align="start") -> int:
        return self.block(
            shows, fit(value, role, right - left, sizes), role, left, right, top, color, align
        )

    def qr(self, url: str, box) -> None:
        self.shape("rect", box, PAPER, radius=12)
        self.shapes.append(("qr", tuple(box), segno.make(url, error="m", micro=False), INK))

    def image(self) -> Image.Image:
        img = Image.new("RGB", self.size, self.background)
        pen = ImageDraw.Draw(img)
        for kind, box, color, radius in self.shapes:
            if kind == "ellipse":
                pen.ellipse(box, fill=color)
            elif kind == "qr":
                _draw_qr(img, box, color, radius)
            else:
                pen.rounded_rectangle((box[0], box[1], box[2] - 1, box[3] - 1), radius, fill=color)
        for p in self.texts:
            baseline = p.box[1] + round((p.box[3] - p.box[1]) / 2 + 0.36 * p.size)
            text.draw(img, p.text, p.role, p.size, (p.box[0], baseline), p.color, p.rtl)
        return img


def _draw_qr(img: Image.Image, box, qr: segno.QRCode, color) -> None:
    """The QR code's modules, whole pixels each, centred in box with a two-module quiet zone."""
    matrix = qr.matrix
    n = len(matrix) + 4
    module = (box[2] - box[0]) // n
    modules = Image.frombytes("L", (n - 4, n - 4), bytes(255 * v for row in matrix for v in row))
    mask = modules.resize(((n - 4) * module,) * 2, Image.Resampling.NEAREST)
    offset = (box[2] - box[0] - (n - 4) * module) // 2
    img.paste(color, (box[0] + offset, box[1] + offset), mask)


def day_text(day) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def excerpt(value: str, words: int, chars: int) -> str:
    """The start of the text, at most so many words and characters, ending in '…' if cut."""
    value = text.clean(value)
    cut = " ".join(value.split(" ")[:words])
    cut = regex.match(rf"\X{{0,{chars}}}", cut).group()
    if cut == value:
        return value
    if " " in cut[len(cut) // 2 :] and len(cut) >= chars:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.\u2013\u2014-") + text.ELLIPSIS


def pull_quote(impact: str) -> str:
    """The words the impact quotes, in quote marks; else a short excerpt of it, without marks."""
    value = text.clean(impact)
    spoken = [a or b for a, b in _QUOTED.findall(value) if len((a or b).split()) >= 3]
    if spoken:
        return "\u201c" + excerpt(spoken[0], 30, 200).strip("\u201c\u201d") + "\u201d"
    return excerpt(value.replace("\u201c", "").replace("\u201d", ""), 24, 170)


def initials(name: str) -> str:
    words = text.clean(name).split()
    firsts = [regex.match(r"\X", w).group() for w in (words[:1] + words[1:][-1:])]
    return "".join(firsts).upper()


def header(sheet: Sheet, mark: str = "", accent=CORAL, dark=False, wordmark=True) -> int:
    """The app's "1" mark, the campaign's name once, and a quiet mark on the right."""
    s, m = sheet.px(64, 48), sheet.margin
    tile, on_tile = (CREAM, INK) if dark else (INK, CREAM)
    sheet.shape("rect", (m, m, m + s, m + s), tile, radius=s * 14 // 64)
    r = s * 20 // 64
    sheet.shape("ellipse", (m + s / 2 - r, m + s / 2 - r, m + s / 2 + r, m + s / 2 + r), CORAL)
    one = fit("1", "sans-bold", s, (s * 26 // 64,) * 2)
    sheet.block((), one, "sans-bold", m, m + s, m + (s - one.height) // 2, on_tile, "center")
    if wordmark:
        name = fit(WORDMARK, "serif-bold", sheet.width, (s * 34 // 64,) * 2)
        top = m + (s - name.height) // 2
        sheet.block((), name, "serif-bold", m + s + s // 3, sheet.right, top, on_tile_text(dark))
    if mark:
        size = sheet.px(24, 20)
        block = fit(mark.upper(), "sans-bold", sheet.width // 3, (size, size))
        top = m + (s - block.height) // 2
        sheet.block(("phase",), block, "sans-bold", sheet.left, sheet.right, top, accent, "right")
        w = text.width(block.lines[0], "sans-bold", size, block.rtl) if block.lines else 0
        d, cy = size // 2, m + s / 2
        x = sheet.right - w - d - size // 2
        sheet.shape("ellipse", (x, cy - d / 2, x + d, cy + d / 2), accent)
    return m + s


def on_tile_text(dark: bool):
    return CREAM if dark else INK


def person(sheet, who, rows, bottom, right, disc, dark=False) -> int:
    """An initials disc, the name and the lines under it, ending at bottom; returns the top."""
    d = sheet.px(112, 72)
    shows, name = who
    fill, letters = disc
    left = sheet.left + d + sheet.px(28, 20)
    name_block = fit(name, "sans-bold", right - left, (sheet.px(32, 24), sheet.px(40, 30)))
    blocks = [fit(v, "sans", right - left, (sheet.px(24, 18), sheet.px(28, 22))) for _, v in rows]
    height = name_block.height + sum(b.height for b in blocks)
    top = bottom - max(d, height)
    y = top + (max(d, height) - height) // 2
    y = sheet.block(shows, name_block, "sans-bold", left, right, y, CREAM if dark else INK)
    for (shows, _), block in zip(rows, blocks, strict=True):
        y = sheet.block(shows, block, "sans", left, right, y, MUTED_ON_INK if dark else MUTED)
    disc_top = top + (max(d, height) - d) // 2
    sheet.shape("ellipse", (sheet.left, disc_top, sheet.left + d, disc_top + d), fill)
    mark = fit(initials(name) or "?", "sans-bold", d, (d * 36 // 100,) * 2)
    y = disc_top + (d - mark.height) // 2
    sheet.block(shows, mark, "sans-bold", sheet.left, sheet.left + d, y, letters, "center")
    return top


def stack(sheet, parts, top, bottom, gap) -> None:
    """Fit parts (the first takes the room the others leave) and centre them between top and bottom."""
    width = sheet.right - sheet.left
    rest = [fit(v, role, width - indent, sizes, n) for _, v, role, sizes, n, _, indent in parts[1:]]
    room = bottom - top - sum(b.height + gap for b in rest)
    shows, value, role, sizes, n, color, indent = parts[0]
    blocks = [fit(value, role, width - indent, sizes, n, room), *rest]
    used = sum(b.height for b in blocks) + gap * (len(blocks) - 1)
    y = top + max(0, (bottom - top - used) // 2)
    for (shows, _, role, _, _, color, indent), block in zip(parts, blocks, strict=True):
        if indent:
            bar = sheet.left if not block.rtl else sheet.right - sheet.px(6, 5)
            sheet.shape("rect", (bar, y + 8, bar + sheet.px(6, 5), y + block.height - 8), color[1])
        left, right = (
            (sheet.left + indent, sheet.right)
            if not block.rtl
            else (sheet.left, sheet.right - indent)
        )
        y = sheet.block(shows, block, role, left, right, y, color[0]) + gap


def story(card, sheet: Sheet) -> Sheet:
    label, accent = PHASES.get(card.phase or "", ("", CORAL))
    top = header(sheet, label, accent) + sheet.px(56, 28)
    if card.title.strip() and sheet.portrait:
        title = fit(card.title, "serif-bold", sheet.right - sheet.left, (44, 60), 2, leading=1.12)
        top = sheet.block(("title",), title, "serif-bold", sheet.left, sheet.right, top, INK) + 8
    qr = sheet.px(200, 0) if card.share_url else 0
    right = sheet.right - (qr + 32 if qr else 0)
    told = [
        (("team", "day"), f"{text.clean(card.team) or 'One True Customer'} · {day_text(card.day)}")
    ]
    if text.clean(card.teller) and text.clean(card.teller) != text.clean(card.member):
        told.append((("teller",), f"Told by {text.clean(card.teller)}"))
    if not sheet.portrait:
        told = [(tuple(s for shows, _ in told for s in shows), " · ".join(v for _, v in told))]
    bottom = sheet.height - sheet.margin
    row_top = person(sheet, (("member",), card.member), told, bottom, right, (accent, CREAM))
    if qr:
        sheet.qr(card.share_url, (sheet.right - qr, bottom - qr, sheet.right, bottom))
        row_top = min(row_top, bottom - qr)
    rule = row_top - sheet.px(44, 24)
    sheet.shape("rect", (sheet.left, rule, sheet.right, rule + 2), LINE)
    parts = [
        (
            ("moment",),
            excerpt(card.moment, 40, 300),
            "serif",
            sheet.px((46, 84), (30, 56)),
            sheet.px(8, 4),
            (INK, None),
            0,
        )
    ]
    if text.clean(card.impact):
        parts.append(
            (
                ("impact",),
                pull_quote(card.impact),
                "serif-italic",
                sheet.px((32, 42), (24, 28)),
                sheet.px(4, 2),
                (INK_SOFT, accent),
                sheet.px(36, 28),
            )
        )
    stack(sheet, parts, top, rule - sheet.px(40, 20), sheet.px(48, 18))
    if not sheet.portrait:
        sheet.shape("rect", (0, 0, 16, sheet.height), accent)
    return sheet


def recognition(card, sheet: Sheet) -> Sheet:
    return story_like(card, sheet)


def announcement(card, sheet: Sheet) -> Sheet:
    return story_like(card, sheet)


def milestone(card, sheet: Sheet) -> Sheet:
    return story_like(card, sheet)


def story_like(card, sheet):
    header(sheet, type(card).__name__)
    return sheet
