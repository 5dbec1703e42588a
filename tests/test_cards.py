from __future__ import annotations

import io
import os
import unicodedata

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from pwa import cards
from pwa.cards import CardText

SATURDAY = (
    "A borrower's loan was scheduled to close Monday, but they discovered a question about "
    "their closing costs on Saturday afternoon. They sent an email expecting to wait until "
    "Monday. Their loan officer saw the email, called them within the hour, and spent 45 "
    "minutes walking through every number. The borrower later said: \"I've bought three homes "
    'and never had anyone call me on a Saturday. I felt like I was their only client." '
    "That's One True Customer."
)
LONG_STORY = " ".join(["Every interaction deserves our full attention, every time."] * 40)[:2000]

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
    "markup": '<script>alert("card")</script> &amp; <b>bold</b> {{ name }}',
    "control characters": "Called\x00 back\x07 on\x1b[31m a\r\nSaturday\u202e\ufeff\x7f.",
}


def card(headline: str, **fields: str) -> CardText:
    fields.setdefault("person", "Maria Gonzalez")
    fields.setdefault("team", "Mortgage Lending · North")
    return CardText(headline=headline, **fields)


def headline(text: CardText, size: str) -> list[cards.Line]:
    return [line for line in cards.layout(text, size) if line.field == "headline"]


def text_ink(text: CardText, size: str) -> Image.Image:
    """Pixels that differ between the card and the same card with no text drawn."""
    return ImageChops.difference(
        cards.render_image(text, size), cards.render_image(text, size, draw_text=False)
    ).convert("L")


@pytest.mark.parametrize("size", ["portrait", "preview"])
def test_a_card_is_an_rgb_png_of_the_exact_size(size):
    png = cards.render(card(SATURDAY, title="The Saturday Call"), size)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.mode == "RGB"
    assert image.size == cards.SIZES[size]
    assert cards.SIZES == {"portrait": (1080, 1350), "preview": (1200, 630)}


@pytest.mark.parametrize("size", ["portrait", "preview"])
@pytest.mark.parametrize("script", list(SCRIPTS))
def test_all_ink_of_the_text_stays_inside_the_margins(script, size):
    text = card(SCRIPTS[script], person=SCRIPTS[script][:60], team=SCRIPTS[script][-40:])
    ink = text_ink(text, size).point(lambda v: 255 if v > 24 else 0)
    width, height = cards.SIZES[size]
    safe = cards.SAFE_MARGIN[size]
    x0, y0, x1, y1 = ink.getbbox()
    assert (x0, y0) >= (safe, safe)
    assert (x1, y1) <= (width - safe, height - safe)
    spec_margin = cards._SPECS[size].margin
    for line in cards.layout(text, size):
        assert line.box[0] >= spec_margin and line.box[2] <= width - spec_margin, line


@pytest.mark.parametrize("size", ["portrait", "preview"])
@pytest.mark.parametrize("moment", ["شكرا جزيلا", "תודה רבה!"])
def test_right_to_left_moments_are_right_aligned(moment, size):
    text = card(moment)
    width, _height = cards.SIZES[size]
    margin = cards._SPECS[size].margin
    lines = headline(text, size)
    assert lines and all(line.rtl for line in lines)
    # The preview keeps room on the right for the quotation mark.
    column_right = width - margin if size == "portrait" else lines[0].box[2]
    assert {line.box[2] for line in lines} == {column_right}
    assert column_right > width - margin - 120
    top = min(line.box[1] for line in lines)
    bottom = max(line.box[3] for line in lines)
    x0, _, x1, _ = text_ink(text, size).crop((0, top, width, bottom)).getbbox()
    assert x1 >= column_right - 8  # ink reaches the right edge of the text column
    assert x0 > width // 3  # and a short line leaves the left side empty


def test_left_to_right_moments_are_left_aligned():
    lines = headline(card("Called back."), "portrait")
    assert [line.box[0] for line in lines] == [cards._SPECS["portrait"].margin]


def glyph(path: str, char: str) -> bytes:
    font = ImageFont.truetype(path, 109 if path.endswith("NotoColorEmoji.ttf") else 64)
    image = Image.new("RGBA", (200, 200))
    ImageDraw.Draw(image).text((20, 150), char, font=font, anchor="ls", embedded_color=True)
    return image.tobytes()


@pytest.mark.parametrize("script", ["accents", "cyrillic", "greek", "arabic", "hebrew", "cjk"])
def test_every_character_is_drawn_with_a_font_that_has_it(script):
    for run, path in cards.font_for(SCRIPTS[script], "serif"):
        coverage = cards._coverage(path)
        for char in run:
            assert ord(char) in coverage, (char, path)
            if not char.isspace():
                assert glyph(path, char) != glyph(path, "\U0010fffd"), (char, path)


def test_emoji_are_drawn_in_colour_from_the_emoji_font():
    runs = cards.font_for("Thanks 🎉👩‍💻👍🏽🇩🇪!", "serif")
    emoji = [run for run, path in runs if path.endswith("NotoColorEmoji.ttf")]
    assert emoji == ["🎉👩‍💻👍🏽🇩🇪"]
    image = cards.render_image(card("🎉🎉🎉"), "portrait")
    colours = {
        rgb
        for _count, rgb in image.getcolors(maxcolors=1 << 20)
        if max(rgb) - min(rgb) > 60 and rgb != cards.CORAL
    }
    assert len(colours) > 50


def test_tofu_would_be_noticed():
    notdef = glyph(cards.font_chain("serif")[0], "\U0010fffd")
    assert glyph(cards.font_chain("serif")[0], "周") == notdef  # the serif has no Han...
    assert glyph(cards.font_for("周", "serif")[0][1], "周") != notdef  # ...the fallback does


def test_a_long_story_shrinks_to_the_smallest_size_then_ends_in_an_ellipsis_at_a_word():
    lines = [
        line for line in cards.layout(card(LONG_STORY), "portrait") if line.field == "headline"
    ]
    assert lines[0].size == cards._SPECS["portrait"].headline[0]
    shown = " ".join(line.text for line in lines)
    assert shown.endswith("…")
    kept = shown[:-1]
    assert LONG_STORY.startswith(kept)
    assert LONG_STORY[len(kept)] in " ,."


def test_a_story_that_fits_shrinks_before_it_is_cut():
    moment = SATURDAY.split(" The borrower later")[0]
    block = cards.fit(moment, "serif", 900, sizes=(44, 84), max_lines=14, height=560)
    assert not block.truncated
    assert 44 < block.size < 84
    assert " ".join(block.lines) == moment


def test_a_short_moment_gets_the_largest_type():
    largest = cards._SPECS["portrait"].headline[1]
    assert [line.size for line in headline(card("Called back."), "portrait")] == [largest]


def test_a_word_longer_than_a_line_is_broken_across_lines():
    block = cards.fit("x" * 10_000, "serif", 900, sizes=(44, 84), max_lines=6)
    assert len(block.lines) == 6
    assert block.truncated and block.lines[-1].endswith("…")
    for line in block.lines:
        assert cards.text_width(line, "serif", block.size) <= 900


def test_chinese_and_japanese_wrap_between_characters_but_not_before_closing_marks():
    block = cards.fit(SCRIPTS["cjk"] * 3, "serif", 500, sizes=(40, 40), max_lines=20)
    assert len(block.lines) > 3
    assert "".join(block.lines) == (SCRIPTS["cjk"] * 3)
    assert not any(line[0] in "，。、」" for line in block.lines)


def test_control_characters_are_stripped_and_markup_is_plain_text():
    text = card(SCRIPTS["control characters"] + " " + SCRIPTS["markup"])
    shown = "".join(line.text for line in cards.layout(text, "portrait"))
    assert not any(unicodedata.category(char) in ("Cc", "Cf") for char in shown)
    squeezed = "".join(shown.split())
    assert "Calledbackon[31maSaturday." in squeezed
    assert '<script>alert("card")</script>&amp;<b>bold</b>' in squeezed


def test_the_card_shows_the_campaign_name_the_person_the_team_and_the_footer():
    lines = cards.layout(card(SATURDAY, title="The Saturday Call"), "portrait")
    by_field = {line.field: line.text for line in lines}
    assert by_field["wordmark"] == "One True Customer"
    assert by_field["kicker"] == "ONE TRUE CUSTOMER STORY"
    assert by_field["title"] == "The Saturday Call"
    assert by_field["person"] == "Maria Gonzalez"
    assert by_field["team"] == "Mortgage Lending · North"
    assert by_field["footer"] == "One True Customer. Every interaction. Every time."


def test_the_same_card_renders_the_same_bytes():
    text = card(SCRIPTS["emoji"], title="Δ")
    assert cards.render(text, "portrait") == cards.render(text, "portrait")


def test_the_card_hash_changes_with_every_drawn_field_and_is_stable_otherwise():
    base = card(SATURDAY, title="The Saturday Call")
    digest = cards.card_hash(base, "portrait")
    assert len(digest) == 16 and int(digest, 16) >= 0
    assert cards.card_hash(card(SATURDAY, title="The Saturday Call"), "portrait") == digest
    variants = [
        card(SATURDAY + "!", title="The Saturday Call"),
        card(SATURDAY, title="The Saturday Call", person="Maria González"),
        card(SATURDAY, title="The Saturday Call", team="South"),
        card(SATURDAY, title="The Sunday Call"),
        card(SATURDAY, title="The Saturday Call", kicker="Recognition"),
    ]
    digests = {cards.card_hash(v, "portrait") for v in variants}
    digests.add(cards.card_hash(base, "preview"))
    assert digest not in digests and len(digests) == 6


def test_the_card_hash_changes_with_the_renderer_version(monkeypatch):
    before = cards.card_hash(card("Hi"), "portrait")
    monkeypatch.setattr(cards, "RENDERER_VERSION", cards.RENDERER_VERSION + "-next")
    assert cards.card_hash(card("Hi"), "portrait") != before


def test_missing_fonts_name_the_debian_packages(monkeypatch, tmp_path):
    monkeypatch.setenv("CARD_FONT_DIR", str(tmp_path))
    with pytest.raises(cards.FontsMissing, match="fonts-noto-core.*fonts-noto-color-emoji"):
        cards.render(card("Hi"), "preview")


def test_card_font_dir_overrides_where_fonts_are_found(monkeypatch, tmp_path):
    system = cards._font_index(cards._FONT_DIRS)
    for name in cards._REQUIRED:
        os.symlink(system[name], tmp_path / name)
    monkeypatch.setenv("CARD_FONT_DIR", str(tmp_path))
    assert cards.font_chain("serif")[0] == str(tmp_path / "NotoSerif-Regular.ttf")
    image = Image.open(io.BytesIO(cards.render(card(SCRIPTS["hebrew"]), "preview")))
    assert image.size == cards.PREVIEW


def test_an_unknown_size_is_refused():
    with pytest.raises(ValueError, match="portrait"):
        cards.render(card("Hi"), "square")
