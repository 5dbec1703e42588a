"""Every kind in one frame (a mark on top, a person at the foot, text between), with its theme."""

from __future__ import annotations

from collections import namedtuple
from functools import partial

import regex
import segno
from PIL import Image, ImageDraw

from cards import text
from cards.text import Block, clean, fit

PORTRAIT, PREVIEW = (1080, 1350), (1200, 630)
SAFE_MARGIN = {PORTRAIT: 56, PREVIEW: 36}  # no ink of any kind nearer an edge (tests hold to it)
INK, INK_SOFT, CREAM, CORAL, SAGE = "#1C2541", "#3A4466", "#FAF3E6", "#E4572E", "#2A7D4F"
MUTED, WHITE, WORDMARK = "#5E6477", "#FFFFFF", "One True Customer"
_QUOTED = regex.compile(r"\u201c([^\u201c\u201d]+)\u201d|\u00ab([^\u00ab\u00bb]+)\u00bb")
# A card's colours: paper, text, quiet text, accent and what sits on it, the "1" tile, hairlines.
Theme = namedtuple("Theme", "paper ink quiet accent on_accent tile rule")
CREAM_THEME = Theme(CREAM, INK, MUTED, CORAL, CREAM, INK, "#E6DCCB")
INK_THEME = Theme(INK, CREAM, "#A9AFC4", "#F07A55", INK, CREAM, INK_SOFT)
CORAL_THEME = Theme("#C94A24", CREAM, "#FBDFD2", CREAM, "#C94A24", INK, "#DB7452")
day = "{0.day} {0:%b %Y}".format  # 3 Dec 2026
PHASES = {"before": ("Before", SAGE), "during": ("During", CORAL), "after": ("After", INK_SOFT)}
Placed = namedtuple("Placed", "shows text box size role color rtl")  # shows: the card's fields
# A paragraph or a hero (value draws in a square); bar: a rule by quoted words; flex: takes the rest
Part = namedtuple("Part", "shows value role sizes lines color bar flex", defaults=(INK, None, 0))


class Sheet:
    """A card being laid out: flat shapes, then the QR code, then the placed lines."""

    def __init__(self, size: tuple[int, int]):
        self.size, (self.width, self.height), self.paper = size, size, CREAM
        self.portrait, self.qr, self.shapes, self.texts = size == PORTRAIT, None, [], []
        self.k, self.left = (1, 88) if self.portrait else (0.64, 64)  # preview type is smaller
        self.right, self.bottom = self.width - self.left, self.height - self.left

    def s(self, n: float) -> int:
        return round(n * self.k)

    def block(self, shows, block: Block, role: str, box, color, align="start") -> int:
        """Place a block's lines from box's top down; returns the y below it."""
        left, top, right = box[:3]
        for line in block.lines:
            w = round(text.width(line, role, block.size, block.rtl))
            side = ("right" if block.rtl else "left") if align == "start" else align
            x = {"left": left, "right": right - w, "center": (left + right - w) // 2}[side]
            at = (x, top, x + w, top + block.line_height)
            self.texts.append(Placed(shows, line, at, block.size, role, color, block.rtl))
            top += block.line_height
        return box[1] + block.height

    def line(self, shows, value: str, role: str, size: int, box, color, align="center") -> None:
        """One line of text, centred in the height of box."""
        block = fit(value, role, box[2] - box[0], (size, size))
        top = (box[1] + box[3] - block.height) // 2
        self.block(shows, block, role, (box[0], top, box[2]), color, align)

    def image(self) -> Image.Image:
        img = Image.new("RGB", self.size, self.paper)
        pen = ImageDraw.Draw(img)
        for kind, box, color, *radius in self.shapes:
            box = (round(box[0]), round(box[1]), round(box[2]) - 1, round(box[3]) - 1)
            draw = pen.ellipse if kind == "ellipse" else pen.rounded_rectangle
            draw(box, *radius, fill=color)
        if self.qr:  # the share link's QR code (segno), whole pixels a module, 2 of quiet zone
            matrix, (x, y, right, _) = segno.make_qr(self.qr[0], error="m").matrix, self.qr[1]
            n, side = len(matrix), right - x
            mask = Image.frombytes("L", (n, n), bytes(255 * v for row in matrix for v in row))
            module, at = side // (n + 4), (side - side // (n + 4) * n) // 2
            img.paste(INK, (x + at, y + at), mask.resize((n * module,) * 2, Image.NEAREST))
        for p in self.texts:
            baseline = p.box[1] + round((p.box[3] - p.box[1]) / 2 + 0.36 * p.size)
            text.draw(img, p.text, p.role, p.size, (p.box[0], baseline), p.color, p.rtl)
        return img


def disc(sheet: Sheet, box, shows, name: str, fill, ink) -> None:
    """A round disc with a name's initials."""
    words = clean(name).split() or ["?"]
    letters = "".join(regex.match(r"\X", w).group() for w in dict.fromkeys((words[0], words[-1])))
    sheet.shapes.append(("ellipse", box, fill))
    sheet.line(shows, letters, "sans-bold", (box[2] - box[0]) * 9 // 25, box, ink)


def medal(sheet: Sheet, box, shows, icon: str) -> None:
    """A round medal in sage with the badge's icon on white."""
    ring = (box[2] - box[0]) // 14
    inner = (box[0] + ring, box[1] + ring, box[2] - ring, box[3] - ring)
    sheet.shapes += [("ellipse", box, SAGE), ("ellipse", inner, WHITE)]
    sheet.line(shows, icon, "sans-bold", (box[2] - box[0]) * 2 // 5, box, INK)


def pull_quote(impact: str) -> str:
    """The words the impact quotes, in quote marks; else a short excerpt of it, without marks."""
    value = clean(impact)
    spoken = [a or b for a, b in _QUOTED.findall(value) if len(a or b) >= 8]  # not a “word”
    return f"\u201c{spoken[0]}\u201d" if spoken else regex.sub("[\u201c\u201d]", "", value)


def header(sheet: Sheet, theme: Theme, mark: tuple, wordmark: bool) -> int:
    """The app's "1" tile, the campaign's name (once) and a quiet mark on the right."""
    s, m = round(32 * (sheet.k + 1)), sheet.left
    tile, a, b = (m, m, m + s, m + s), m + s * 3 / 16, m + s * 13 / 16
    sheet.shapes += [("rect", tile, theme.tile, s * 7 // 32), ("ellipse", (a, a, b, b), CORAL)]
    sheet.line((), "1", "sans-bold", s * 13 // 32, tile, CREAM)
    if wordmark:
        name = (m + s * 4 // 3, m, sheet.right, m + s)
        sheet.line((), WORDMARK, "serif-bold", s * 17 // 32, name, theme.ink, "left")
    tile = (m, m, sheet.right, m + s)
    sheet.line(mark[0], mark[1].upper(), "sans-bold", sheet.s(24) + 4, tile, theme.accent, "right")
    return m + s


def foot(sheet: Sheet, theme: Theme, who: tuple, rows: list, right: int) -> int:
    """An initials disc, a name and the lines under it, on the bottom margin; returns its top."""
    d, left = sheet.s(112) + 4, sheet.left + sheet.s(140) + 4
    blocks = [fit(who[1], "sans-bold", right - left, (sheet.s(32), sheet.s(40)))]
    blocks += [fit(v, "sans", right - left, (sheet.s(28) + 2,) * 2) for _, v in rows]
    height = sum(b.height for b in blocks)
    top = sheet.bottom - max(d, height)
    y = top + max(0, d - height) // 2
    for i, ((shows, _), block) in enumerate(zip([who, *rows], blocks, strict=True)):
        role, color = ("sans", theme.quiet) if i else ("sans-bold", theme.ink)
        y = sheet.block(shows, block, role, (left, y, right), color)
    y = top + max(0, height - d) // 2
    disc(sheet, (sheet.left, y, sheet.left + d, y + d), who[0], who[1], *theme[3:5])
    return top


def stack(sheet: Sheet, parts: list[Part], box, gap: int) -> None:
    """Fit the parts into box (left, top, right, bottom), together centred in its height."""
    left, top, right, bottom = box

    def fitted(p: Part, height=None) -> Block:
        if callable(p.value):  # a hero: a square of its size
            return Block((), 0, False, 0, sheet.s(p.sizes[0]))
        lines, sizes = p.lines if sheet.portrait else (p.lines + 1) // 2, [*map(sheet.s, p.sizes)]
        return fit(p.value, p.role, right - left - gap * bool(p.bar), sizes, lines, height)

    blocks = {i: fitted(p) for i, p in enumerate(parts) if not p.flex}
    room = bottom - top - sum(b.height + gap for b in blocks.values())
    blocks |= {i: fitted(p, max(1, room)) for i, p in enumerate(parts) if p.flex}
    y = top + max(0, (bottom - top + gap - sum(b.height + gap for b in blocks.values())) // 2)
    for i, p in enumerate(parts):
        block, inset, bar = blocks[i], gap * bool(p.bar), sheet.s(6) + 1
        if callable(p.value):
            p.value(sheet, (left, y, left + block.height, y + block.height), p.shows)
        if p.bar and block.lines:
            x = right - bar if block.rtl else left
            sheet.shapes.append(("rect", (x, y + 6, x + bar, y + block.height - 6), p.bar))
        edges = (left, y, right - inset) if block.rtl else (left + inset, y, right)
        y = sheet.block(p.shows, block, p.role, edges, p.color) + gap


def compose(sheet, theme, mark, parts, who, rows, share=None, wordmark=True) -> Sheet:
    """The frame every kind shares: the mark on top, the person at the foot, the text between."""
    sheet.paper, qr = theme.paper, sheet.s(200) if share and sheet.portrait else 0
    top = header(sheet, theme, mark, wordmark) + sheet.s(56)
    rule = foot(sheet, theme, who, rows, sheet.right - (qr + 32) * bool(qr)) - sheet.s(44)
    if qr:
        sheet.qr = (share, (sheet.right - qr, sheet.bottom - qr, sheet.right, sheet.bottom))
        sheet.shapes.append(("rect", sheet.qr[1], WHITE, 12))
        rule = min(rule, sheet.bottom - qr - sheet.s(44))
    sheet.shapes.append(("rect", (sheet.left, rule, sheet.right, rule + 2), theme.rule))
    right, heroes = sheet.right, [p for p in parts if callable(p.value)]
    if heroes and not sheet.portrait:  # on a preview the hero stands on the right of the text
        (hero,), parts = heroes, [p for p in parts if p not in heroes]
        d, y = sheet.s(hero.sizes[0]), (top + rule - sheet.s(hero.sizes[0])) // 2
        hero.value(sheet, (right - d, y, right, y + d), hero.shows)
        right -= d + 48
    stack(sheet, parts, (sheet.left, top, right, rule - sheet.s(40)), sheet.s(44))
    sheet.shapes += [("rect", (0, 0, 16, sheet.height), theme.accent)] * (not sheet.portrait)
    return sheet


def story(card, sheet: Sheet) -> Sheet:
    label, accent = PHASES.get(card.phase or "", ("", CORAL))
    teller, member = clean(card.teller), clean(card.member)
    rows = [(("team", "day"), f"{day(card.day)} \u00b7 {clean(card.team) or WORDMARK}")]
    rows += [(("teller",), f"Told by {teller}")] if teller not in ("", member) else []
    parts = [Part(("moment",), card.moment, "serif", (56, 84), 6, flex=1)]
    if clean(card.title):
        parts.insert(0, Part(("title",), card.title, "serif-bold", (44, 60), 2))
    if quote := pull_quote(card.impact):
        parts.append(Part(("impact",), quote, "serif-italic", (34, 42), 4, INK_SOFT, accent))
    theme, mark = CREAM_THEME._replace(accent=accent), (("phase",), label)
    return compose(sheet, theme, mark, parts, (("member",), card.member), rows, card.share_url)


def recognition(card, sheet: Sheet) -> Sheet:
    giver, receiver = clean(card.giver), clean(card.receiver)
    said, headline = f"\u201c{clean(card.message)}\u201d", f"{giver} recognised {receiver}"
    parts = [
        Part(("receiver",), partial(disc, name=receiver, fill=CREAM, ink=INK), "", (200,), 1),
        Part(("giver", "receiver"), headline, "serif-bold", (48, 68), 2, CREAM),
        Part(("message",), said, "serif-italic", (36, 52), 6, CREAM, INK_THEME.accent, 1),
    ]
    mark = (("for_colleague",), "For a colleague" if card.for_colleague else "For a customer")
    rows = [(("team", "day"), f"{day(card.day)} \u00b7 {clean(card.team) or WORDMARK}")]
    return compose(sheet, INK_THEME, mark, parts, (("giver",), giver), rows, card.share_url)


def announcement(card, sheet: Sheet) -> Sheet:
    kicker = "This week\u2019s One True Customer recognition goes to"
    parts = [
        Part((), kicker, "serif", (38, 40), 2, CREAM),
        Part(("receiver",), card.receiver, "serif-bold", (64, 112), 2, CREAM),
        Part(("text",), card.text, "serif", (32, 44), 8, CREAM, CREAM, 1),
    ]
    rows = [(("team",), f"Lead, {clean(card.team)}" if clean(card.team) else "Team lead")]
    mark = (("week_of",), f"Week of {day(card.week_of)}")
    return compose(sheet, CORAL_THEME, mark, parts, (("lead",), card.lead), rows, card.share_url, 0)


def milestone(card, sheet: Sheet) -> Sheet:
    parts = [
        Part(("icon",), partial(medal, icon=card.icon), "", (280,), 1),
        Part(("badge",), card.badge, "serif-bold", (52, 84), 2),
        Part(("criteria",), card.criteria, "sans", (30, 38), 4, MUTED, flex=1),
    ]
    rows, who = [(("day",), f"Earned {day(card.day)}")], (("person",), card.person)
    return compose(sheet, CREAM_THEME._replace(accent=SAGE), ((), "Badge earned"), parts, who, rows)
