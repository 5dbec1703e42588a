"""Small SVG charts drawn on the server: readable without JavaScript, each with its text alternative."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 320, 120
TOP, BOTTOM, LEFT, RIGHT = 14, 22, 4, 4


@dataclass(frozen=True)
class Point:
    """One week's bar: its label on the axis, its value (None: not shown), and the words for it."""

    label: str
    value: float | int | None
    shown: str
    live: bool = False  # the current week, still counting


def bar_chart(
    chart_id: str,
    title: str,
    desc: str,
    points: list[Point],
    share: bool,
    top_label: str = "",
    bottom: float = 0,
    bottom_label: str = "",
) -> Markup:
    """A bar chart of weekly values; hidden weeks are an outline marked "<3", unknown ones a dot.

    The chart is an image (role="img") named by its <title> and described by its <desc>, which
    says every week's value in words; a table on the page holds the same figures. With a
    negative bottom (NPS: −1 of a share) bars stand on a labelled zero line, below it when negative.
    """
    known = [p.value for p in points if p.value is not None]
    top = 1.0 if share else max([*known, 1])
    bottom = min(bottom, 0)
    plot_h = HEIGHT - TOP - BOTTOM
    span = top - bottom
    zero = (
        TOP + plot_h * top / span
    )  # the y of the zero line: the plot's foot unless below zero shows
    slot = (WIDTH - LEFT - RIGHT) / max(len(points), 1)
    bar_w = max(slot * 0.62, 2)
    words = "; ".join(f"{p.label}: {p.shown}{' so far' if p.live else ''}" for p in points)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)} {escape(words)}.</desc>',
        f'<text class="chart-scale" x="{LEFT}" y="{TOP - 4}">'
        f"{escape(top_label) if top_label else ('100%' if share else escape(_number(top)))}</text>",
    ]
    if bottom < 0:
        parts.append(
            f'<line class="chart-axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
            f'y1="{TOP + plot_h}" y2="{TOP + plot_h}"/>'
            f'<text class="chart-scale" x="{LEFT}" y="{TOP + plot_h - 3}">'
            f"{escape(bottom_label or _number(bottom))}</text>"
            f'<line class="chart-zero" x1="{LEFT + 10}" x2="{WIDTH - RIGHT}" '
            f'y1="{zero:.1f}" y2="{zero:.1f}"/>'
            f'<text class="chart-scale" x="{LEFT}" y="{zero + 3:.1f}">0</text>'
        )
    else:
        parts.append(
            f'<line class="chart-axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
            f'y1="{zero:.1f}" y2="{zero:.1f}"/>'
        )
    for n, point in enumerate(points):
        x = LEFT + n * slot + (slot - bar_w) / 2
        middle = x + bar_w / 2
        if point.value is None and point.shown.startswith("fewer"):
            parts.append(
                f'<rect class="chart-hidden" x="{x:.1f}" y="{zero - 18:.1f}" '
                f'width="{bar_w:.1f}" height="18" rx="3"/>'
                f'<text class="chart-mark" x="{middle:.1f}" y="{zero - 5:.1f}" '
                f'text-anchor="middle">&lt;3</text>'
            )
        elif point.value is None:
            # Nothing to measure, or not kept for that week: a dot on the axis, no bar.
            parts.append(
                f'<circle class="chart-none" cx="{middle:.1f}" cy="{zero - 3:.1f}" r="1.5"/>'
            )
        else:
            value = min(max(point.value, bottom), top)
            h = max(plot_h * abs(value) / span, 1.5)
            y = zero - h if value >= 0 else zero
            kind = "chart-bar live" if point.live else "chart-bar"
            if value < 0:
                kind += " below"
            parts.append(
                f'<rect class="{kind}" x="{x:.1f}" y="{y:.1f}" '
                f'width="{bar_w:.1f}" height="{h:.1f}" rx="3"/>'
            )
        if n % 3 == (len(points) - 1) % 3:
            last = n == len(points) - 1
            anchor, at = ("end", x + bar_w) if last else ("middle", middle)
            parts.append(
                f'<text class="chart-label" x="{at:.1f}" y="{HEIGHT - 6}" '
                f'text-anchor="{anchor}">{escape(point.label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
