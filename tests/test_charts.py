"""pwa.charts: the server-drawn SVG charts and their text alternative."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pwa.charts import Point, bar_chart


def test_a_chart_is_an_image_named_and_described_in_words():
    svg = bar_chart(
        "c",
        "Stories <collected>",
        "How it is counted.",
        [Point("9 Nov", 4, "4"), Point("16 Nov", 2, "2", live=True)],
        share=False,
    )
    assert svg.startswith('<svg class="chart"') and 'role="img"' in svg
    assert 'aria-labelledby="c-title c-desc"' in svg
    assert '<title id="c-title">Stories &lt;collected&gt;</title>' in svg
    assert "How it is counted. 9 Nov: 4; 16 Nov: 2 so far." in svg
    assert svg.count('class="chart-bar"') == 1 and svg.count('class="chart-bar live"') == 1


def test_a_hidden_week_is_an_outline_marked_fewer_than_three_and_an_unknown_one_a_dot():
    svg = bar_chart(
        "c", "T", "D", [Point("a", None, "fewer than 3"), Point("b", None, "—")], share=True
    )
    assert svg.count('class="chart-hidden"') == 1 and "&lt;3" in svg
    assert svg.count('class="chart-none"') == 1
    assert "chart-bar" not in svg
    assert "a: fewer than 3; b: —." in svg


@given(st.lists(st.none() | st.integers(0, 10_000), min_size=1, max_size=12), st.booleans())
def test_no_bar_ever_leaves_the_chart(values, share):
    points = [
        Point(str(n), None if v is None else (v / 10_000 if share else v), "x")
        for n, v in enumerate(values)
    ]
    svg = str(bar_chart("c", "T", "D", points, share=share))
    for part in svg.split('<rect class="chart-bar')[1:]:
        y = float(part.split('y="')[1].split('"')[0])
        height = float(part.split('height="')[1].split('"')[0])
        assert y >= 0 and y + height <= 120 + 0.01


def bars(svg: str) -> list[tuple[float, float]]:
    """Each bar's top y and height."""
    found = []
    for part in str(svg).split('<rect class="chart-bar')[1:]:
        y = float(part.split('y="')[1].split('"')[0])
        found.append((y, float(part.split('height="')[1].split('"')[0])))
    return found


def test_a_negative_nps_hangs_below_a_labelled_zero_line_and_a_positive_one_stands_on_it():
    points = [Point("2 Nov", -0.12, "-12"), Point("9 Nov", 0.3, "30")]
    svg = str(bar_chart("n", "NPS", "D", points, share=True, top_label="100", bottom=-1))
    zero = float(svg.split('class="chart-zero"')[1].split('y1="')[1].split('"')[0])
    (down_y, down_h), (up_y, up_h) = bars(svg)
    assert down_y == zero and down_y + down_h > zero  # from the zero line down
    assert up_y + up_h == zero and up_y < zero  # from the zero line up
    assert abs(down_h / up_h - 12 / 30) < 0.05  # heights measured from zero, not from −100
    assert '<text class="chart-scale" x="4" y="' + f"{zero + 3:.1f}" + '">0</text>' in svg
    assert svg.count('class="chart-bar below"') == 1
    assert "2 Nov: -12; 9 Nov: 30." in svg  # the words say the same as before


def test_a_chart_of_values_never_below_zero_has_no_zero_line_of_its_own():
    svg = str(bar_chart("c", "T", "D", [Point("a", 0.5, "50")], share=True))
    assert "chart-zero" not in svg and "below" not in svg


@given(st.lists(st.none() | st.integers(-100, 100), min_size=1, max_size=12))
def test_every_nps_bar_starts_at_the_zero_line_and_stays_inside_the_chart(values):
    points = [Point(str(n), None if v is None else v / 100, str(v)) for n, v in enumerate(values)]
    svg = str(bar_chart("c", "T", "D", points, share=True, bottom=-1))
    zero = float(svg.split('class="chart-zero"')[1].split('y1="')[1].split('"')[0])
    shown = [v for v in values if v is not None]
    for (y, height), value in zip(bars(svg), shown, strict=True):
        assert y >= 0 and y + height <= 120 + 0.01
        if value < 0:
            assert abs(y - zero) < 0.06
        else:
            assert abs(y + height - zero) < 0.06
