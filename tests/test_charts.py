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
