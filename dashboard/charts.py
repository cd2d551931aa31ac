"""SVG geometry for the small server-rendered charts: plain Python, no Django, no drawing library.

A template draws what this module computes: each bar's rectangle, the value axis' gridlines and
the category labels worth printing, all in the coordinates of the SVG's ``viewBox``. The page
scales the drawing to its width, so nothing here knows about pixels on a screen.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    """One series' part of one category's stack (a zero value draws no bar)."""

    x: float
    y: float
    width: float
    height: float
    series: str
    label: str  # the category, e.g. "2025-03-07"
    value: int


@dataclass(frozen=True)
class Tick:
    """A gridline or label along an axis: ``position`` is y for values, x for categories."""

    position: float
    label: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: float  # the plot area inside the margins
    top: float
    right: float
    bottom: float
    bars: tuple[Bar, ...]
    value_ticks: tuple[Tick, ...]
    category_ticks: tuple[Tick, ...]
    top_value: int  # the value at the top of the plot area

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def value_label_x(self) -> float:
        """Where the value labels end, just left of the plot (``text-anchor: end``)."""
        return self.left - 4

    @property
    def category_label_y(self) -> float:
        """The baseline of the category labels, under the plot."""
        return self.bottom + 15


def nice_top(largest: int, *, steps: int = 4) -> tuple[int, int]:
    """The axis top and step for values up to ``largest``: a 1, 2 or 5 times a power of ten step,
    at most ``steps`` of them. An empty chart still gets an axis (0 to ``steps``)."""
    if largest <= 0:
        return steps, 1
    raw = largest / steps
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return step * math.ceil(largest / step), step


def stacked_bars(
    categories: Sequence[str],
    series: Mapping[str, Sequence[int]],
    *,
    width: int = 480,
    height: int = 160,
    margin_left: int = 32,
    margin_right: int = 8,
    margin_top: int = 8,
    margin_bottom: int = 22,
    gap: float = 0.2,
    label_every: int = 7,
) -> BarChart:
    """One stack per category, the series drawn bottom up in the order given.

    ``gap`` is the share of each category's slot left empty between bars. Every ``label_every``-th
    category is labelled, counting back from the last, so the newest one always is.
    """
    lengths = {len(values) for values in series.values()}
    if lengths - {len(categories)}:
        raise ValueError("every series needs one value per category")
    left, top = float(margin_left), float(margin_top)
    right, bottom = float(width - margin_right), float(height - margin_bottom)
    totals = [sum(values[i] for values in series.values()) for i in range(len(categories))]
    top_value, step = nice_top(max(totals, default=0))
    scale = (bottom - top) / top_value
    slot = (right - left) / max(len(categories), 1)
    bar_width = slot * (1 - gap)

    bars: list[Bar] = []
    for i, category in enumerate(categories):
        x = left + i * slot + (slot - bar_width) / 2
        base = bottom
        for name, values in series.items():
            value = values[i]
            if value <= 0:
                continue
            bar_height = value * scale
            base -= bar_height
            bars.append(
                Bar(
                    x=_r(x),
                    y=_r(base),
                    width=_r(bar_width),
                    height=_r(bar_height),
                    series=name,
                    label=category,
                    value=value,
                )
            )
    value_ticks = tuple(
        Tick(position=_r(bottom - v * scale), label=str(v)) for v in range(0, top_value + 1, step)
    )
    last = len(categories) - 1
    category_ticks = tuple(
        Tick(position=_r(left + i * slot + slot / 2), label=category)
        for i, category in enumerate(categories)
        if label_every > 0 and (last - i) % label_every == 0
    )
    return BarChart(
        width=width,
        height=height,
        left=left,
        top=top,
        right=right,
        bottom=bottom,
        bars=tuple(bars),
        value_ticks=value_ticks,
        category_ticks=category_ticks,
        top_value=top_value,
    )


def _r(value: float) -> float:
    # Two decimals: exact enough for any screen, and a short attribute in the page.
    return round(value, 2)
