"""Every figure with data points keeps all of them inside its axes (a point beyond the axis limits is silently
not drawn: the change chart once left out the bodies that improved most)."""
from __future__ import annotations

from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.patches import Rectangle
from matplotlib.text import Annotation

from iso18091lab import plots


def data_points(ax) -> list[tuple[float, float]]:
    """Every point drawn in data coordinates: line vertices, scatter offsets, segment ends, bar ends,
    annotation arrow ends."""
    points = []
    for line in ax.lines:
        if line.get_transform() != ax.transData:  # axhline/axvline span the axes by construction
            continue
        points += list(zip(np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)))
    for collection in ax.collections:
        if isinstance(collection, PathCollection):
            points += [tuple(p) for p in collection.get_offsets()]
        elif isinstance(collection, LineCollection):
            for segment in collection.get_segments():
                points += [tuple(p) for p in segment]
    for patch in ax.patches:
        if isinstance(patch, Rectangle) and patch.get_transform() == ax.transData:
            x, y = patch.get_xy()
            points += [(x, y), (x + patch.get_width(), y + patch.get_height())]
    for text in ax.texts:
        if isinstance(text, Annotation):
            points += [tuple(text.xy), tuple(text.xyann)]
    return [p for p in points if np.all(np.isfinite(p))]


def assert_inside(fig):
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":
            continue
        (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
        points = data_points(ax)
        outside = [(x, y) for x, y in points if not (x0 - 1e-9 <= x <= x1 + 1e-9 and y0 - 1e-9 <= y <= y1 + 1e-9)]
        assert not outside, f"{len(outside)} of {len(points)} points outside x {x0}..{x1}, y {y0}..{y1}: {outside[:5]}"
    plt.close(fig)


def test_change_plot_shows_the_bodies_that_improved_most():
    change = pd.DataFrame({"unit": ["A", "B", "C", "D"], "group": ["pilot", "pilot", "comparison", "comparison"],
                           "baseline": [20.0, 35.0, 60.0, 55.0], "latest": [96.0, 88.0, 58.0, 12.0]})
    change["change"] = change["latest"] - change["baseline"]
    fig = plots.change_plot(change)
    ax = fig.axes[0]
    assert ax.get_xlim()[1] >= 96 and ax.get_xlim()[0] <= 12
    assert_inside(fig)


def test_the_check_catches_a_point_outside():
    fig, ax = plt.subplots()
    ax.annotate("", xy=(150, 0), xytext=(10, 0), arrowprops={"arrowstyle": "->"})
    ax.set_xlim(0, 100)
    with pytest.raises(AssertionError, match="outside"):
        assert_inside(fig)


def test_score_and_count_bars():
    scores = pd.DataFrame({"unit": list("ABC"), "group": ["pilot", "comparison", "pilot"], "score": [99.5, 3.0, 50]})
    assert_inside(plots.score_bars(scores))
    fig = plots.count_bars(pd.Series({"missing_value": 40, "bad_score": 3, "score_out_of_range": 1}))
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "thiếu giá trị bắt buộc [missing_value]" in labels and "missing_value" not in labels
    assert_inside(fig)


def test_interval_forest_event_power_bland_altman():
    frame = pd.DataFrame({"label": ["a", "b", "c"], "estimate": [-4.0, 2.0, 30.0], "ci_low": [-9.0, -1.0, 12.0],
                          "ci_high": [1.0, 5.0, 48.0], "rater": ["council", "self", "council"],
                          "primary": [True, False, False]})
    assert_inside(plots.forest_plot(frame, "label"))
    assert_inside(plots.interval_plot(frame, "label", "estimate", "ci_low", "ci_high", reference=[0.5]))
    events = pd.DataFrame({"event_time": [0, 1, 2], "estimate": [0.0, 3.0, 9.0], "ci_low": [0.0, 1.0, 2.0],
                           "ci_high": [0.0, 5.0, 16.0]})
    assert_inside(plots.event_study_plot(events))
    curves = pd.DataFrame({"design": ["1"] * 3 + ["2"] * 3, "bodies": [20, 60, 200] * 2,
                           "mde": [12.0, 6.0, 3.0, 10.0, 5.0, 2.5]})
    assert_inside(plots.power_curves(curves, target=3.0))
    rng = np.random.default_rng(1)
    means, diffs = rng.uniform(20, 90, 40), rng.normal(6, 4, 40)
    result = SimpleNamespace(means=means, differences=diffs, bias=diffs.mean(), bias_ci=(5.0, 7.0),
                             lower=diffs.mean() - 8, lower_ci=(-4.0, -1.0), upper=diffs.mean() + 8,
                             upper_ci=(13.0, 16.0), n=40)
    assert_inside(plots.bland_altman_plot(result))


def test_heatmaps_and_light_matrix():
    grid = pd.DataFrame([[10.0, 95.0], [50.0, np.nan]], index=["A", "B"], columns=[1, 2])
    assert_inside(plots.pillar_heatmap(grid))
    share = pd.DataFrame([[1.0, 0.5]], index=["A"], columns=pd.MultiIndex.from_tuples([(2023, "self"),
                                                                                       (2023, "council")]))
    assert_inside(plots.completeness_heatmap(share))
    matrix = pd.DataFrame([["red", "green"], ["na", "yellow"]], index=["1.1", "1.10"],
                          columns=pd.MultiIndex.from_tuples([("A", "self"), ("A", "council")]))
    assert_inside(plots.light_matrix_plot(matrix))
