"""Each kind of card in one frame (the mark on top, a person at the foot, text between) and a theme."""

from __future__ import annotations

from typing import NamedTuple

import regex
import segno
from PIL import Image, ImageDraw

from cards import text
from cards.text import Block, fit

PORTRAIT, PREVIEW = (1080, 1350), (1200, 630)
SAFE_MARGIN = {PORTRAIT: 56, PREVIEW: 36}  # no ink of any kind nearer an edge (tests hold to it)
INK, INK_SOFT, CREAM = (0x1C, 0x25, 0x41), (0x3A, 0x44, 0x66), (0xFA, 0xF3, 0xE6)
CORAL, CORAL_FILL, CORAL_ON_INK = (0xE4, 0x57, 0x2E), (0xC9, 0x4A, 0x24), (0xF0, 0x7A, 0x55)
SAGE, LINE, MUTED, PAPER = (0x2A, 0x7D, 0x4F), (0xE6, 0xDC, 0xCB), (0x5E, 0x64, 0x77), (255,) * 3
WORDMARK = "One True Customer"
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()  # noqa: SIM905
_QUOTED = regex.compile(r"\u201c([^\u201c\u201d]+)\u201d|\u00ab([^\u00ab\u00bb]+)\u00bb")


class Theme(NamedTuple):
    """A card's colours: paper, text, quiet text, accent and what sits on it, the tile, hairlines."""

    paper: tuple = CREAM
    ink: tuple = INK
    quiet: tuple = MUTED
    accent: tuple = CORAL
    on_accent: tuple = CREAM
    tile: tuple = INK
    rule: tuple = LINE


INK_THEME = Theme(INK, CREAM, (0xA9, 0xAF, 0xC4), CORAL_ON_INK, INK, CREAM, INK_SOFT)
CORAL_THEME = Theme(
    CORAL_FILL, CREAM, (0xFB, 0xDF, 0xD2), CREAM, CORAL_FILL, INK, (0xDB, 0x74, 0x52)
)
# The Daily Filter's phases: a story's accent and its quiet mark.
PHASES = {"before": ("Before", SAGE), "during": ("During", CORAL), "after": ("After", INK_SOFT)}


class Placed(NamedTuple):
    """One line of text on a card: the card fields it shows, its text, its advance box."""

    shows: tuple[str, ...]
    text: str
    box: tuple[int, int, int, int]
    size: int
    role: str
    color: tuple
    rtl: bool


class Part(NamedTuple):
    """A paragraph between mark and foot (sizes at portrait scale); flex takes the height left."""

    shows: tuple[str, ...]
    value: object  # the text, or for a hero a function drawing into a square box
    role: str
    sizes: tuple[int, int]
    lines: int
    color: tuple
    bar: tuple | None = None
    flex: bool = False
    leading: float = 1.25


class Sheet:
    """A card being laid out: flat shapes, then the QR code, then the placed lines."""

    def __init__(self, size: tuple[int, int]):
        self.size, (self.width, self.height) = size, size
        self.portrait, self.paper, self.qr = size == PORTRAIT, CREAM, None
        self.k = 1 if self.portrait else 0.64  # type sizes on a preview, against a portrait
        self.margin = 88 if self.portrait else 64
        self.left, self.right, self.bottom = (
            self.margin,
            self.width - self.margin,
            self.height - self.margin,
        )
        self.shapes: list[tuple] = []
        self.texts: list[Placed] = []

    def s(self, n: float) -> int:
        return round(n * self.k)

    def shape(self, kind: str, box, color, radius: int = 0) -> None:
        self.shapes.append((kind, tuple(round(v) for v in box), color, radius))

    def block(self, shows, block: Block, role, box, color, align="start") -> int:
        """Place a fitted block's lines from box's top down; returns the y below it."""
        left, top, right = box[:3]
        for line in block.lines:
            w = round(text.width(line, role, block.size, block.rtl))
            side = ("right" if block.rtl else "left") if align == "start" else align
            x = {"left": left, "right": right - w, "center": (left + right - w) // 2}[side]
            box = (x, top, x + w, top + block.line_height)
            self.texts.append(Placed(shows, line, box, block.size, role, color, block.rtl))
            top += block.line_height
        return top

    def centred(self, shows, value: str, role: str, size: int, box, color) -> None:
        block = fit(value, role, box[2] - box[0], (size, size))
        top = (box[1] + box[3] - block.height) // 2
        self.block(shows, block, role, (box[0], top, box[2]), color, "center")

    def disc(self, shows, name: str, box, fill, ink) -> None:
        self.shape("ellipse", box, fill)
        self.centred(shows, initials(name), "sans-bold", (box[2] - box[0]) * 9 // 25, box, ink)

    def image(self) -> Image.Image:
        img = Image.new("RGB", self.size, self.paper)
        pen = ImageDraw.Draw(img)
        for kind, box, color, radius in self.shapes:
            if kind == "ellipse":
                pen.ellipse((box[0], box[1], box[2] - 1, box[3] - 1), fill=color)
            else:
                pen.rounded_rectangle((box[0], box[1], box[2] - 1, box[3] - 1), radius, fill=color)
        if self.qr:
            draw_qr(img, *self.qr)
        for p in self.texts:
            baseline = p.box[1] + round((p.box[3] - p.box[1]) / 2 + 0.36 * p.size)
            text.draw(img, p.text, p.role, p.size, (p.box[0], baseline), p.color, p.rtl)
        return img


def draw_qr(img: Image.Image, url: str, box) -> None:
    """The link's QR code (segno), whole pixels per module, centred in box on white."""
    matrix = segno.make(url, error="m", micro=False).matrix
    n = len(matrix)
    module = (box[2] - box[0]) // (n + 4)  # two modules of quiet zone around it
    modules = Image.frombytes("L", (n, n), bytes(255 * v for row in matrix for v in row))
    mask = modules.resize((n * module, n * module), Image.Resampling.NEAREST)
    offset = (box[2] - box[0] - n * module) // 2
    img.paste(INK, (box[0] + offset, box[1] + offset), mask)


def day_text(day) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def excerpt(value: str, words: int, chars: int) -> str:
    """The start of the text, at most so many words and characters, ending in '…' if cut."""
    value = text.clean(value)
    cut = regex.match(rf"\X{{0,{chars}}}", " ".join(value.split(" ")[:words])).group()
    if cut == value:
        return value
    if len(cut) >= chars and " " in cut[len(cut) // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.\u2013\u2014-") + text.ELLIPSIS


def pull_quote(impact: str) -> str:
    """The words the impact quotes, in quote marks; else a short excerpt of it, without marks."""
    value = text.clean(impact)
    spoken = [a or b for a, b in _QUOTED.findall(value) if len((a or b).split()) >= 3]
    if spoken:
        return "\u201c" + excerpt(spoken[0], 30, 200).strip("\u201c\u201d") + "\u201d"
    return excerpt(regex.sub("[\u201c\u201d]", "", value), 24, 170)


def initials(name: str) -> str:
    words = text.clean(name).split() or ["?"]
    return "".join(regex.match(r"\X", w).group() for w in dict.fromkeys((words[0], words[-1])))


def header(sheet: Sheet, theme: Theme, mark: tuple, wordmark: bool) -> int:
    """The app's "1" tile, the campaign's name (once) and a quiet mark on the right."""
    s, m = round(64 * (sheet.k + 1) / 2), sheet.margin
    sheet.shape("rect", (m, m, m + s, m + s), theme.tile, radius=s * 7 // 32)
    r, c = s * 5 // 16, m + s / 2
    sheet.shape("ellipse", (c - r, c - r, c + r, c + r), CORAL)
    sheet.centred((), "1", "sans-bold", s * 13 // 32, (m, m, m + s, m + s), CREAM)
    if wordmark:
        name = fit(WORDMARK, "serif-bold", sheet.width, (s * 17 // 32,) * 2)
        box = (m + s + s // 3, m + (s - name.height) // 2, sheet.right)
        sheet.block((), name, "serif-bold", box, theme.ink)
    quiet = fit(mark[1].upper(), "sans-bold", sheet.width // 2, (sheet.s(24) + 4,) * 2)
    box = (sheet.left, m + (s - quiet.height) // 2, sheet.right)
    sheet.block(mark[0], quiet, "sans-bold", box, theme.accent, "right")
    return m + s


def foot(sheet: Sheet, theme: Theme, who, rows, right: int, disc=None) -> int:
    """An initials disc, a name and the lines under it, on the bottom margin; returns its top."""
    d, (shows, name) = sheet.s(112) + 4, who
    left = sheet.left + d + sheet.s(28)
    named = fit(name, "sans-bold", right - left, (sheet.s(32), sheet.s(40)))
    blocks = [fit(v, "sans", right - left, (sheet.s(24), sheet.s(28) + 4)) for _, v in rows]
    height = named.height + sum(b.height for b in blocks)
    top = sheet.bottom - max(d, height)
    y = sheet.block(
        shows, named, "sans-bold", (left, top + max(0, d - height) // 2, right), theme.ink
    )
    for (row_shows, _), block in zip(rows, blocks, strict=True):
        y = sheet.block(row_shows, block, "sans", (left, y, right), theme.quiet)
    y = top + max(0, height - d) // 2
    sheet.disc(shows, name, (sheet.left, y, sheet.left + d, y + d), *(disc or theme[3:5]))
    return top


def stack(sheet: Sheet, parts: list[Part], box, gap: int) -> None:
    """Fit the parts into box (left, top, right, bottom), together centred in its height."""
    left, top, right, bottom = box
    wide, heroes = (
        right - left,
        {i: sheet.s(p.sizes[0]) for i, p in enumerate(parts) if callable(p.value)},
    )

    def fitted(p: Part, height=None) -> Block:
        sizes, lines = (
            (sheet.s(p.sizes[0]), sheet.s(p.sizes[1])),
            p.lines if sheet.portrait else (p.lines + 1) // 2,
        )
        return fit(p.value, p.role, wide - (gap if p.bar else 0), sizes, lines, height, p.leading)

    blocks = {i: fitted(p) for i, p in enumerate(parts) if not p.flex and i not in heroes}

    def heights():
        return (
            sum(b.height for b in blocks.values()) + sum(heroes.values()) + gap * (len(parts) - 1)
        )  # noqa: E731

    blocks.update(
        {i: fitted(p, max(1, bottom - top - heights())) for i, p in enumerate(parts) if p.flex}
    )
    y = top + max(0, (bottom - top - heights()) // 2)
    for i, p in enumerate(parts):
        if i in heroes:
            p.value(sheet, (left, y, left + heroes[i], y + heroes[i]))
            y += heroes[i] + gap
            continue
        block, inset, bar = blocks[i], (gap if p.bar else 0), sheet.s(6) + 1
        if p.bar and block.lines:
            x = right - bar if block.rtl else left
            sheet.shape("rect", (x, y + 6, x + bar, y + block.height - 6), p.bar)
        edges = (left, y, right - inset) if block.rtl else (left + inset, y, right)
        y = sheet.block(p.shows, block, p.role, edges, p.color) + gap


def compose(
    sheet: Sheet, theme: Theme, mark: str, parts, who, rows, share=None, disc=None, wordmark=True
):
    """The frame every kind shares: the mark on top, the person at the foot, the text between."""
    sheet.paper = theme.paper
    top = header(sheet, theme, mark, wordmark) + sheet.s(56)
    qr = sheet.s(200) if share and sheet.portrait else 0
    row_top = foot(sheet, theme, who, rows, sheet.right - (qr + 32 if qr else 0), disc)
    if qr:
        box = (sheet.right - qr, sheet.bottom - qr, sheet.right, sheet.bottom)
        sheet.shape("rect", box, PAPER, radius=12)
        sheet.qr, row_top = (share, box), min(row_top, box[1])
    rule = row_top - sheet.s(44)
    sheet.shape("rect", (sheet.left, rule, sheet.right, rule + 2), theme.rule)
    right, heroes = sheet.right, [p for p in parts if callable(p.value)]
    if heroes and not sheet.portrait:  # on a preview the hero stands on the right, beside the text
        d, parts = sheet.s(heroes[0].sizes[0]), [p for p in parts if not callable(p.value)]
        y = (top + rule - d) // 2
        heroes[0].value(sheet, (right - d, y, right, y + d))
        right -= d + 48
    stack(sheet, parts, (sheet.left, top, right, rule - sheet.s(40)), sheet.s(44))
    if not sheet.portrait:
        sheet.shape("rect", (0, 0, 16, sheet.height), theme.accent)
    return sheet


def team_day(team: str, day) -> tuple:
    return (("team", "day"), f"{text.clean(team) or WORDMARK} \u00b7 {day_text(day)}")


def story(card, sheet: Sheet) -> Sheet:
    label, accent = PHASES.get(card.phase or "", ("", CORAL))
    teller, member = text.clean(card.teller), text.clean(card.member)
    rows = [team_day(card.team, card.day)] + [(("teller",), f"Told by {teller}")] * (
        teller not in ("", member)
    )
    if not sheet.portrait:
        rows = [(("team", "day", "teller"), " \u00b7 ".join(v for _, v in rows))]
    moment = excerpt(card.moment, 34 if sheet.portrait else 26, 240)
    parts = [Part(("moment",), moment, "serif", (46, 80), 7, INK, flex=True)]
    if sheet.portrait and text.clean(card.title):
        parts.insert(0, Part(("title",), card.title, "serif-bold", (44, 60), 2, INK, leading=1.12))
    if text.clean(card.impact):
        parts.append(
            Part(
                ("impact",), pull_quote(card.impact), "serif-italic", (34, 42), 4, INK_SOFT, accent
            )
        )
    theme = Theme(accent=accent)
    return compose(
        sheet, theme, (("phase",), label), parts, (("member",), card.member), rows, card.share_url
    )


def recognition(card, sheet: Sheet) -> Sheet:
    giver, receiver = text.clean(card.giver), text.clean(card.receiver)
    hero = lambda s, box: s.disc(("receiver",), receiver, box, CREAM, INK)  # noqa: E731
    parts = [
        Part(("receiver",), hero, "", (200, 200), 1, CREAM),
        Part(
            ("giver", "receiver"),
            f"{giver} recognised {receiver}",
            "serif-bold",
            (48, 68),
            2,
            CREAM,
            leading=1.15,
        ),
        Part(
            ("message",),
            f"\u201c{excerpt(card.message, 40, 260)}\u201d",
            "serif-italic",
            (36, 52),
            6,
            CREAM,
            CORAL_ON_INK,
            flex=True,
        ),
    ]
    mark = (("for_colleague",), "For a colleague" if card.for_colleague else "For a customer")
    who = (("giver",), giver)
    return compose(
        sheet, INK_THEME, mark, parts, who, [team_day(card.team, card.day)], card.share_url
    )


def announcement(card, sheet: Sheet) -> Sheet:
    parts = [
        Part(
            (),
            "This week\u2019s One True Customer recognition goes to",
            "serif",
            (38, 40),
            2,
            CREAM,
        ),
        Part(("receiver",), card.receiver, "serif-bold", (64, 112), 2, CREAM, leading=1.1),
        Part(("text",), excerpt(card.text, 45, 300), "serif", (32, 44), 8, CREAM, CREAM, flex=True),
    ]
    rows = [(("team",), f"Lead, {text.clean(card.team)}" if text.clean(card.team) else "Team lead")]
    mark = (("week_of",), f"Week of {day_text(card.week_of)}")
    return compose(
        sheet,
        CORAL_THEME,
        mark,
        parts,
        (("lead",), card.lead),
        rows,
        card.share_url,
        wordmark=False,
    )


def _medal(sheet: Sheet, box, icon: str) -> None:
    """A round medal in sage with the badge's icon on white."""
    ring = (box[2] - box[0]) // 14
    sheet.shape("ellipse", box, SAGE)
    sheet.shape("ellipse", (box[0] + ring, box[1] + ring, box[2] - ring, box[3] - ring), PAPER)
    sheet.centred(("icon",), excerpt(icon, 1, 3), "sans-bold", (box[2] - box[0]) * 2 // 5, box, INK)


def milestone(card, sheet: Sheet) -> Sheet:
    parts = [
        Part(("icon",), lambda s, box: _medal(s, box, card.icon), "", (280, 280), 1, INK),
        Part(("badge",), card.badge, "serif-bold", (52, 84), 2, INK, leading=1.12),
        Part(("criteria",), card.criteria, "sans", (30, 38), 4, MUTED, flex=True),
    ]
    rows = [(("day",), f"Earned {day_text(card.day)}")]
    return compose(
        sheet, Theme(accent=SAGE), ((), "Badge earned"), parts, (("person",), card.person), rows
    )
