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


def _planted_matrix(n_indicators: int, n_bodies: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lights = np.array(["green", "yellow", "red", "na", None], dtype=object)
    values = lights[rng.integers(0, 5, size=(n_indicators, 2 * n_bodies))]
    index = [f"{p}.{i}" for p in range(1, 5) for i in range(1, 11)][:n_indicators]
    columns = pd.MultiIndex.from_tuples([(f"Body {b}", r) for b in range(n_bodies) for r in ("self", "council")])
    return pd.DataFrame(values, index=index, columns=columns)


def test_the_light_matrix_is_one_image_whose_cells_have_the_planted_colours_and_letters():
    from matplotlib.colors import to_rgba
    from matplotlib.image import AxesImage

    matrix = _planted_matrix(39, 100)  # a province of 100 bodies: 7,800 cells
    fig = plots.light_matrix_plot(matrix, "vi")
    ax = fig.axes[0]
    images = [a for a in ax.get_images() if isinstance(a, AxesImage)]
    assert len(images) == 1 and not [p for p in ax.patches if isinstance(p, Rectangle)] and not ax.texts
    image = images[0]
    rgba = image.to_rgba(image.get_array())
    values = matrix.to_numpy(dtype=object)
    for light, colour in plots.LIGHT_COLOURS.items():
        cells = values == light
        assert cells.any() and np.allclose(rgba[cells], to_rgba(colour), atol=1e-6), light
    assert image.get_array().mask[np.equal(values, None)].all()  # not in the data: no colour
    # every coloured cell carries its letter at its centre: one marker collection per light
    letters = sorted(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection))
    assert letters == sorted(int((values == light).sum()) for light in plots.LIGHT_ORDER)
    for collection in (c for c in ax.collections if isinstance(c, PathCollection)):
        x, y = collection.get_offsets()[0]
        assert values[int(y), int(x)] is not None and (x % 1, y % 1) == (0.5, 0.5)
    assert [t.get_text() for t in ax.get_yticklabels()][:10] == [f"1.{i}" for i in range(1, 11)]
    assert_inside(fig)


def test_a_large_figure_is_png_only_and_a_small_one_also_svg(tmp_path):
    from iso18091lab.dataset import Dataset
    from iso18091lab.report import SVG_MAX_ELEMENTS, NotebookReport

    empty = pd.DataFrame({"year": pd.Series([], dtype="Int64"), "source_file": pd.Series([], dtype=str)})
    data = Dataset(empty, pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), {"synthetic": "yes"})
    report = NotebookReport("10_scorecard", tmp_path, data, "Hải Phòng", "vi")
    large, small = plots.light_matrix_plot(_planted_matrix(39, 100)), plots.light_matrix_plot(_planted_matrix(5, 3))
    assert plots.drawn_elements(large) > SVG_MAX_ELEMENTS >= plots.drawn_elements(small)
    report.figure(large, "large", "large matrix")
    report.figure(small, "small", "small matrix")
    first, second = report.results["figures"]
    assert first["svg"] is None and not list(tmp_path.glob("figures/*large*.svg"))
    assert (tmp_path / second["svg"]).exists() and (tmp_path / first["png"]).exists()
    from PIL import Image

    assert max(Image.open(tmp_path / first["png"]).size) <= 6000 + 1
