"""The card renderer: every kind, every script, inside its margins, and its QR codes readable."""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
import subprocess
import sys
import unicodedata
from datetime import date
from pathlib import Path

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageDraw, ImageFont

import cards
from cards import fonts, text

DAY = date(2026, 12, 3)
URL = "https://otc.example.org/s/Xq3v9bT2kLmN8pRs"
SATURDAY = (
    "A borrower's loan was scheduled to close Monday, but they discovered a question about "
    "their closing costs on Saturday afternoon. They sent an email expecting to wait until "
    "Monday. Their loan officer saw the email, called them within the hour, and spent 45 "
    "minutes walking through every number."
)
SAID = (
    "The borrower later said: \"I've bought three homes and never had anyone call me on a "
    "Saturday. I felt like I was their only client.\" That's One True Customer."
)
LONG_STORY = " ".join(["Every interaction deserves our full attention, every time."] * 40)[:2000]
# A letter with 24 accents, twelve above and twelve below (a "Zalgo" letter).
STACKED = (
    "Z" + "".join(chr(0x0300 + i) for i in range(12)) + "".join(map(chr, range(0x0316, 0x0322)))
)
SCRIPTS = {
    "accents": "Crème brûlée für Zoë, naïve café señor Ångström",
    "cyrillic": "Клиент позвонил в субботу, и мы ответили в течение часа.",
    "greek": "Ο πελάτης τηλεφώνησε το Σάββατο και απαντήσαμε μέσα σε μία ώρα.",
    "arabic": "اتصل مسؤول القرض بالعميل يوم السبت وشرح كل رقم في التكاليف.",
    "hebrew": "היא התקשרה ללקוח בשבת והסבירה כל מספר במשך 45 דקות.",
    "cjk": "周六下午，贷款专员看到邮件后一小时内就给客户回了电话。土曜日にお客様へ電話しました。",
    "emoji": "She wrote a handwritten note 🎉👩‍💻👍🏽🇩🇪 and they posted it ❤️",
    "long word": "x" * 10_000,
    "long story": LONG_STORY,
    "stacked marks": " ".join([STACKED * 3] * 12),
    "markup": '<script>alert("card")</script> &amp; <b>bold</b> {{ name }}',
    "control characters": "Called\x00 back\x07 on\x1b[31m a\r\nSaturday\u202e\ufeff\x7f.",
}


def story(**values) -> cards.Story:
    base = dict(
        title="The Saturday Call",
        moment=SATURDAY,
        impact=SAID,
        teller="Alice Novak",
        member="Maria Gonzalez",
        team="Mortgage Lending",
        day=DAY,
        phase="during",
        share_url=URL,
    )
    return cards.Story(**base | values)


def recognition(**values) -> cards.Recognition:
    base = dict(
        giver="Ana Silva",
        receiver="Ben Okafor",
        message="Ben stayed late to walk a first-time buyer through every line.",
        team="North",
        day=DAY,
        for_colleague=True,
        share_url=URL,
    )
    return cards.Recognition(**base | values)


def announcement(**values) -> cards.Announcement:
    base = dict(
        lead="Lena Fischer",
        receiver="Priya Sharma",
        text="Priya scheduled a 30-minute call and walked through every line item.",
        team="North",
        week_of=date(2026, 11, 30),
        share_url=URL,
    )
    return cards.Announcement(**base | values)


def milestone(**values) -> cards.Milestone:
    base = dict(
        person="Maria Gonzalez",
        badge="30-day challenge",
        criteria="Asked the question before every significant interaction for 30 days.",
        icon="🏆",
        day=DAY,
    )
    return cards.Milestone(**base | values)


KINDS = {"story": story, "recognition": recognition, "announcement": announcement}
KINDS["milestone"] = milestone
TEXT_FIELDS = {
    "story": ("title", "moment", "impact", "teller", "member", "team"),
    "recognition": ("giver", "receiver", "message", "team"),
    "announcement": ("lead", "receiver", "text", "team"),
    "milestone": ("person", "badge", "criteria"),
}
CHANGED = {
    "story": dict(phase="after", day=date(2026, 12, 4)),
    "recognition": dict(for_colleague=False, day=date(2026, 12, 4)),
    "announcement": dict(week_of=date(2026, 12, 7)),
    "milestone": dict(icon="🔥", day=date(2026, 12, 4)),
}
for kind, names in TEXT_FIELDS.items():
    CHANGED[kind] |= {name: "Yusuf Adeyemi" for name in names}
SIZES = {"portrait": cards.PORTRAIT, "preview": cards.PREVIEW}


def image(card, size) -> Image.Image:
    return Image.open(io.BytesIO(cards.render(card, size)))


def frame(picture: Image.Image, safe: int) -> Image.Image:
    """The picture with everything inside the safe margin painted over."""
    framed = picture.copy()
    ImageDraw.Draw(framed).rectangle(
        (safe, safe, picture.width - safe - 1, picture.height - safe - 1), fill=(255, 0, 255)
    )
    return framed


def lines_of(card, size, field: str) -> list[cards.Placed]:
    return [line for line in cards.layout(card, size) if field in line.shows]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_an_rgb_png_of_the_exact_size(kind, size):
    picture = image(KINDS[kind](), SIZES[size])
    assert (picture.format, picture.mode, picture.size) == ("PNG", "RGB", SIZES[size])


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("kind", KINDS)
def test_no_ink_of_any_script_leaves_the_margins(kind, script, size):
    make, safe = KINDS[kind], cards.SAFE_MARGIN[SIZES[size]]
    blank = make(**{name: "" for name in TEXT_FIELDS[kind]})
    card = make(**{name: SCRIPTS[script] for name in TEXT_FIELDS[kind]})
    drawn = frame(image(card, SIZES[size]), safe)
    assert ImageChops.difference(drawn, frame(image(blank, SIZES[size]), safe)).getbbox() is None
    width, height = SIZES[size]
    for line in cards.layout(card, SIZES[size]):
        x0, y0, x1, y1 = line.box
        assert safe <= x0 <= x1 <= width - safe and safe <= y0 <= y1 <= height - safe, line


def test_stacked_marks_stay_near_their_letter():
    plain, stacked = milestone(badge="Zed"), milestone(badge=STACKED + "ed")
    (line,) = lines_of(plain, cards.PORTRAIT, "badge")
    top, bottom = line.box[1] - line.size, line.box[3] + line.size
    ink = ImageChops.difference(image(plain, cards.PORTRAIT), image(stacked, cards.PORTRAIT))
    assert ink.getbbox()
    assert top <= ink.getbbox()[1] and ink.getbbox()[3] <= bottom


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("kind", KINDS)
def test_changing_one_field_changes_the_pixels_where_that_field_is_drawn(kind, size):
    before = KINDS[kind]()
    picture = image(before, SIZES[size])
    for name, value in CHANGED[kind].items():
        after = dataclasses.replace(before, **{name: value})
        boxes = [line.box for line in lines_of(before, SIZES[size], name)]
        assert boxes, name
        changed = ImageChops.difference(picture, image(after, SIZES[size]))
        assert any(changed.crop(box).getbbox() for box in boxes), name


@pytest.mark.parametrize("kind", ["story", "recognition", "announcement"])
def test_a_portrait_card_carries_a_qr_code_of_its_share_link(kind):
    (found,) = zxingcpp.read_barcodes(image(KINDS[kind](), cards.PORTRAIT))
    assert found.format == zxingcpp.BarcodeFormat.QRCode
    assert found.text == URL


@pytest.mark.parametrize("card", [story(share_url=None), story(), milestone()])
def test_no_share_link_or_a_preview_means_no_qr_code(card):
    size = cards.PORTRAIT if card.__class__ is not cards.Story or not card.share_url else None
    assert zxingcpp.read_barcodes(image(card, size or cards.PREVIEW)) == []


def test_the_impacts_quoted_words_are_the_pull_quote_in_typographic_quotes():
    quote = " ".join(line.text for line in lines_of(story(), cards.PORTRAIT, "impact"))
    assert quote == (
        "\u201cI\u2019ve bought three homes and never had anyone call me on a Saturday. "
        "I felt like I was their only client.\u201d"
    )


def test_words_quoted_in_chinese_are_the_pull_quote_too():
    card = story(impact="客户说：“我买过三套房子，从来没有人在周六给我打电话。”")
    quote = "".join(line.text for line in lines_of(card, cards.PORTRAIT, "impact"))
    assert quote == "“我买过三套房子，从来没有人在周六给我打电话。”"


def test_an_impact_that_quotes_no_one_is_a_short_excerpt_without_quote_marks():
    impact = "They closed on time and sent the team a thank-you card " * 6
    quote = " ".join(line.text for line in lines_of(story(impact=impact), cards.PORTRAIT, "impact"))
    assert quote.startswith("They closed on time") and quote.endswith("\u2026")
    assert not set(quote) & set('"\u201c\u201d')


def test_the_moment_is_the_headline_excerpt_with_typographic_quotes():
    moment = 'She wrote a note: "Congratulations on your first home!" ' + SATURDAY
    lines = lines_of(story(moment=moment), cards.PORTRAIT, "moment")
    shown = " ".join(line.text for line in lines)
    assert shown.startswith("She wrote a note: \u201cCongratulations on your first home!\u201d")
    assert shown.endswith("\u2026") and len(shown.split()) <= 35
    assert lines[0].size >= 46


def test_a_story_card_names_the_member_teller_team_date_and_phase_and_the_campaign_once():
    texts = [line.text for line in cards.layout(story(), cards.PORTRAIT)]
    assert "Maria Gonzalez" in texts and "Told by Alice Novak" in texts
    assert "3 Dec 2026 \u00b7 Mortgage Lending" in texts and "DURING" in texts
    assert "The Saturday Call" in texts
    assert sum("One True Customer" in text for text in texts) == 1
    untold = [
        line.text
        for line in cards.layout(story(teller="Maria Gonzalez", phase=None), cards.PORTRAIT)
    ]
    assert not any("Told by" in text or text in ("BEFORE", "DURING", "AFTER") for text in untold)


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_names_the_campaign_once(kind):
    for size in SIZES.values():
        texts = [line.text for line in cards.layout(KINDS[kind](), size)]
        assert sum("One True Customer" in text for text in texts) == 1, texts


def test_recognition_and_announcement_say_who_recognised_whom():
    texts = " ".join(line.text for line in cards.layout(recognition(), cards.PORTRAIT))
    assert "Ana Silva recognised Ben Okafor" in texts
    said = " ".join(line.text for line in lines_of(recognition(), cards.PORTRAIT, "message"))
    assert said.startswith("\u201cBen stayed late") and said.endswith("line.\u201d")
    texts = " ".join(line.text for line in cards.layout(announcement(), cards.PORTRAIT))
    assert "This week\u2019s One True Customer recognition goes to" in texts
    assert "Priya Sharma" in texts and "WEEK OF 30 NOV 2026" in texts and "Lead, North" in texts


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("moment", ["شكرا جزيلا", "תודה רבה!"])
def test_right_to_left_moments_are_right_aligned(moment, size):
    card = story(moment=moment, title="", impact="")
    lines = lines_of(card, SIZES[size], "moment")
    assert lines and all(line.rtl for line in lines)
    right = SIZES[size][0] - cards.SAFE_MARGIN[SIZES[size]]
    assert all(right - 40 <= line.box[2] <= right for line in lines)
    assert all(line.box[0] > SIZES[size][0] // 3 for line in lines)


def test_mixed_directions_are_drawn_in_visual_order_each_run_shaped_in_its_own():
    def order(value: str, rtl: bool) -> list[tuple[str, bool]]:
        return [
            (run.strip(), run_rtl) for run, _path, run_rtl in text.visual_runs(value, "serif", rtl)
        ]

    assert order("Called שלום at 4:45", False)[:2] == [("Called", False), ("שלום", True)]
    assert order("Called שלום at 4:45", False)[-1] == ("at 4:45", False)
    assert order("اتصل 45 مرة", True) == [("مرة", True), ("45", False), ("اتصل", True)]


def glyph(path: str, char: str) -> bytes:
    font = ImageFont.truetype(path, 109 if path.endswith(fonts.EMOJI) else 64)
    picture = Image.new("RGBA", (200, 200))
    ImageDraw.Draw(picture).text((20, 150), char, font=font, anchor="ls", embedded_color=True)
    return picture.tobytes()


@pytest.mark.parametrize("script", ["accents", "cyrillic", "greek", "arabic", "hebrew", "cjk"])
def test_every_character_is_drawn_with_a_font_that_has_it(script):
    for run, path in fonts.runs(SCRIPTS[script], "serif"):
        for char in set(run) - {" "}:
            assert ord(char) in fonts.coverage(path), (char, path)
            assert glyph(path, char) != glyph(path, "\U0010fffd"), (char, path)


def test_emoji_are_drawn_in_colour_from_the_emoji_font():
    runs = fonts.runs("Thanks 🎉👩‍💻👍🏽🇩🇪!", "serif")
    assert [run for run, path in runs if path.endswith(fonts.EMOJI)] == ["🎉👩‍💻👍🏽🇩🇪"]
    picture = image(story(moment="🎉🎉🎉", impact=""), cards.PORTRAIT)
    colours = {rgb for _n, rgb in picture.getcolors(1 << 20) if max(rgb) - min(rgb) > 60}
    assert len(colours) > 100


def test_a_short_moment_gets_the_largest_type_and_a_longer_one_shrinks_before_it_is_cut():
    short = lines_of(story(moment="Called back.", impact=""), cards.PORTRAIT, "moment")
    assert [line.size for line in short] == [84]
    moment = " ".join(["She called back within the hour and walked through every number."] * 2)
    longer = lines_of(story(moment=moment), cards.PORTRAIT, "moment")
    assert 56 < longer[0].size < 84 and " ".join(line.text for line in longer) == moment


def test_a_long_story_is_cut_at_a_word_with_an_ellipsis():
    lines = lines_of(story(moment=LONG_STORY), cards.PORTRAIT, "moment")
    shown = " ".join(line.text for line in lines)
    assert shown.endswith("\u2026") and LONG_STORY.startswith(shown[:-1])
    assert LONG_STORY[len(shown) - 1] in " ,."


def test_a_word_longer_than_a_line_is_broken_between_letters_and_cut():
    lines = lines_of(story(moment="x" * 10_000), cards.PORTRAIT, "moment")
    assert len(lines) > 1 and lines[-1].text.endswith("\u2026")
    assert all(line.text.endswith("x-") for line in lines[:-1])
    assert all(set(line.text) <= {"x", "-", "\u2026"} for line in lines)


LONG_WORD = "Supercalifragilisticexpialidociousantidisestablishmentarianism!"


@pytest.mark.parametrize("size", SIZES)
def test_a_broken_word_ends_its_line_in_a_hyphen_with_three_letters_or_more_either_side(size):
    moment = f"{LONG_WORD} She stayed on the call and walked through every step."
    lines = [line.text for line in lines_of(story(moment=moment), SIZES[size], "moment")]
    broken = [line for line in lines if line.endswith("-")]
    pieces = [line[:-1] for line in broken] + [lines[len(broken)].split(" ")[0]]
    assert broken and "".join(pieces) == LONG_WORD
    assert all(sum(c.isalpha() for c in piece) >= 3 for piece in pieces)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=200), st.integers(8, 40))
def test_any_word_is_broken_only_between_letters_keeping_three_a_side(word, room_in_letters):
    room = text.width("x" * room_in_letters, "serif", 40, False)
    lines = text._wrap((word,), "serif", 40, room, False, 10_000)
    assert "".join(line.removesuffix("-") for line in lines) == word
    pieces = [line.removesuffix("-") for line in lines]
    if len(lines) > 1:
        assert all(line.endswith("-") for line in lines[:-1])
        assert all(len(piece) >= 3 for piece in pieces)
    assert all(text.width(line, "serif", 40, False) <= room for line in lines)


def test_a_story_with_a_title_shows_it_on_the_preview_card_above_the_moment():
    preview = cards.layout(story(), cards.PREVIEW)
    (title,) = [line for line in preview if "title" in line.shows]
    assert title.text == "The Saturday Call" and title.role == "serif-bold"
    moment = [line for line in preview if "moment" in line.shows]
    assert title.box[3] <= moment[0].box[1]
    assert not [
        line for line in cards.layout(story(title=""), cards.PREVIEW) if "title" in line.shows
    ]


def test_chinese_and_japanese_wrap_between_characters_but_not_before_closing_marks():
    lines = lines_of(story(moment=SCRIPTS["cjk"] * 2, title=""), cards.PORTRAIT, "moment")
    assert len(lines) > 2
    assert not any(line.text[0] in "，。、」" for line in lines)


def test_control_characters_are_stripped_and_markup_is_plain_text():
    moment = SCRIPTS["control characters"] + " " + SCRIPTS["markup"]
    shown = "".join(line.text for line in lines_of(story(moment=moment), cards.PORTRAIT, "moment"))
    assert not any(unicodedata.category(char) in ("Cc", "Cf") for char in shown)
    squeezed = "".join(shown.split())
    assert "Calledbackon[31maSaturday." in squeezed
    assert "<script>alert(" in squeezed and "&amp;<b>bold</b>" in squeezed


def test_the_same_card_renders_the_same_bytes():
    card = story(moment=SCRIPTS["emoji"], title="Δ")
    assert cards.render(card, cards.PORTRAIT) == cards.render(card, cards.PORTRAIT)


@pytest.mark.parametrize("kind", KINDS)
def test_the_card_hash_names_every_field_and_is_stable_otherwise(kind):
    card = KINDS[kind]()
    digest = cards.card_hash(card)
    assert len(digest) == 16 and int(digest, 16) >= 0
    assert cards.card_hash(KINDS[kind]()) == digest
    changed = {
        cards.card_hash(dataclasses.replace(card, **{n: v})) for n, v in CHANGED[kind].items()
    }
    assert digest not in changed and len(changed) == len(CHANGED[kind])


def test_a_change_to_the_drawing_code_renames_every_card(tmp_path):
    copy = tmp_path / "cards"
    shutil.copytree(Path(cards.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    digest = (
        "import sys; sys.path.insert(0, sys.argv[1]); import cards; print(cards.RENDERER_VERSION)"
    )

    def version() -> str:
        run = [sys.executable, "-c", digest, str(tmp_path)]
        return subprocess.run(run, capture_output=True, text=True, check=True).stdout.strip()

    assert version() == cards.RENDERER_VERSION
    layouts = copy / "layouts.py"
    layouts.write_text(layouts.read_text().replace("(44, 60), 2)", "(44, 60), 3)"))
    assert version() != cards.RENDERER_VERSION


def test_the_card_hash_changes_with_the_renderer_version_and_the_fonts(monkeypatch, tmp_path):
    before = cards.card_hash(story())
    monkeypatch.setattr(cards, "RENDERER_VERSION", cards.RENDERER_VERSION + "-next")
    assert cards.card_hash(story()) != before
    monkeypatch.undo()
    monkeypatch.setenv("CARD_FONT_DIR", str(tmp_path))
    assert cards.card_hash(story()) != before


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("kind", KINDS)
def test_without_the_noto_fonts_a_card_still_renders_with_pillows_own_font(
    kind, size, monkeypatch, tmp_path
):
    monkeypatch.setenv("CARD_FONT_DIR", str(tmp_path))
    assert fonts.missing_packages() == list(fonts.PACKAGES)
    card = KINDS[kind]()
    picture = image(card, SIZES[size])
    assert picture.size == SIZES[size]
    blank = image(KINDS[kind](**{n: "" for n in TEXT_FIELDS[kind]}), SIZES[size])
    name = TEXT_FIELDS[kind][1]
    (first, *_rest) = lines_of(card, SIZES[size], name)
    assert ImageChops.difference(picture, blank).crop(first.box).getbbox()


def test_a_card_drawn_after_other_fonts_uses_its_own_fonts(monkeypatch, tmp_path):
    with_noto = cards.render(story(), cards.PORTRAIT)
    monkeypatch.setenv("CARD_FONT_DIR", str(tmp_path))
    assert cards.render(story(), cards.PORTRAIT) != with_noto
    monkeypatch.delenv("CARD_FONT_DIR")
    assert cards.render(story(), cards.PORTRAIT) == with_noto


def test_card_font_dir_overrides_where_fonts_are_found(monkeypatch, tmp_path):
    for path in {fonts.chain(role)[0] for role in ("serif", "sans", "sans-bold")}:
        os.symlink(path, tmp_path / os.path.basename(path))
    monkeypatch.setenv("CARD_FONT_DIR", str(tmp_path))
    assert fonts.chain("serif")[0] == str(tmp_path / "NotoSerifDisplay-Regular.ttf")
    assert "fonts-noto-cjk" in fonts.missing_packages()
    assert image(story(moment=SCRIPTS["hebrew"]), cards.PREVIEW).size == cards.PREVIEW


def test_an_unknown_size_or_kind_is_refused():
    with pytest.raises(ValueError, match="PORTRAIT"):
        cards.render(story(), (1080, 1080))
    with pytest.raises(TypeError):
        cards.render("a story", cards.PORTRAIT)
