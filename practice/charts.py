"""Horizontal bar charts drawn on the server as SVG: no script, no CDN, any width.

Each row is a label above its bars, so labels stay legible when the chart shrinks to a phone's
width. Coordinates are handed to the template as strings, so no locale turns 12.5 into "12,5".
Every chart is shown beside a table of the same figures (the table is what screen readers and
the CSV read); the chart itself is one labelled image.
"""

from dataclasses import dataclass

WIDTH = 400
BAR_SPACE = 300  # the longest bar; the rest of the width is for its figure
BAR_HEIGHT = 14
LABEL_HEIGHT = 18
ROW_GAP = 10


@dataclass(frozen=True)
class ChartBar:
    y: str
    width: str
    text: str
    text_x: str
    text_y: str
    kind: str


@dataclass(frozen=True)
class ChartRow:
    label: str
    label_y: str
    bars: list[ChartBar]


@dataclass(frozen=True)
class BarChart:
    slug: str
    title: str
    height: str
    rows: list[ChartRow]


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def bar_chart(
    *, slug: str, title: str, rows: list[tuple[str, list[tuple[float, str, str]]]]
) -> BarChart:
    """A chart of `rows`, each (label, [(value, figure shown, kind), ...]); every bar is scaled
    against the largest value in the chart; `kind` names the bar's CSS class."""
    largest = max((value for _label, bars in rows for value, _t, _k in bars), default=0) or 1
    drawn, y = [], 0.0
    for label, bars in rows:
        label_y = y + LABEL_HEIGHT - 4
        y += LABEL_HEIGHT
        chart_bars = []
        for value, text, kind in bars:
            width = BAR_SPACE * max(value, 0) / largest
            chart_bars.append(
                ChartBar(
                    y=_number(y),
                    width=_number(max(width, 1 if value else 0)),
                    text=text,
                    text_x=_number(width + 6),
                    text_y=_number(y + BAR_HEIGHT - 2),
                    kind=kind,
                )
            )
            y += BAR_HEIGHT + 2
        drawn.append(ChartRow(label=label, label_y=_number(label_y), bars=chart_bars))
        y += ROW_GAP
    return BarChart(slug=slug, title=title, height=_number(max(y, 1)), rows=drawn)
