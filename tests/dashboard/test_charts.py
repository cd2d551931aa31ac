"""The chart geometry: plain numbers in, rectangles and ticks in the SVG's coordinates out."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from dashboard import charts
from dashboard.charts import nice_top, stacked_bars


@pytest.mark.parametrize(
    ("largest", "top", "step"),
    [(0, 4, 1), (1, 1, 1), (3, 3, 1), (7, 8, 2), (10, 10, 5), (30, 30, 10), (101, 150, 50)],
)
def test_the_value_axis_ends_on_a_round_number(largest, top, step):
    assert nice_top(largest) == (top, step)


def test_stacks_grow_up_from_the_baseline_in_series_order():
    chart = stacked_bars(
        ["a", "b", "c", "d"],
        {"complete": [2, 0, 4, 0], "error": [2, 1, 0, 0]},
        width=140,
        height=120,
        margin_left=20,
        margin_right=0,
        margin_top=0,
        margin_bottom=20,
        gap=0.5,
    )
    assert (chart.top_value, chart.left, chart.right, chart.top, chart.bottom) == (
        4,
        20,
        140,
        0,
        100,
    )
    # 4 categories over 120 units: slots of 30, bars of 15 centred in them; 25 units per value.
    assert [(b.label, b.series, b.value, b.x, b.y, b.width, b.height) for b in chart.bars] == [
        ("a", "complete", 2, 27.5, 50.0, 15.0, 50.0),
        ("a", "error", 2, 27.5, 0.0, 15.0, 50.0),
        ("b", "error", 1, 57.5, 75.0, 15.0, 25.0),
        ("c", "complete", 4, 87.5, 0.0, 15.0, 100.0),
    ]  # d has nothing: no zero-height bars
    assert [(t.position, t.label) for t in chart.value_ticks] == [
        (100.0, "0"),
        (75.0, "1"),
        (50.0, "2"),
        (25.0, "3"),
        (0.0, "4"),
    ]
    assert chart.view_box == "0 0 140 120"


def test_every_seventh_category_is_labelled_counting_back_from_the_newest():
    days = [f"d{i:02}" for i in range(30)]
    chart = stacked_bars(days, {"complete": [1] * 30})
    assert [t.label for t in chart.category_ticks] == ["d01", "d08", "d15", "d22", "d29"]
    assert all(chart.left < t.position < chart.right for t in chart.category_ticks)


def test_an_empty_chart_still_has_an_axis_and_no_bars():
    chart = stacked_bars(["a", "b"], {"complete": [0, 0], "error": [0, 0]})
    assert chart.bars == ()
    assert [t.label for t in chart.value_ticks] == ["0", "1", "2", "3", "4"]


def test_a_series_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="one value per category"):
        stacked_bars(["a", "b"], {"complete": [1]})


def test_the_geometry_is_plain_python():
    """Reusable by any page (and by tests) without Django: it imports only the standard library."""
    tree = ast.parse(Path(charts.__file__).read_text())
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= {"__future__", "math", "collections", "dataclasses"}
