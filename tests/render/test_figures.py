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

from iso18091lab.render import figures as plots


def data_points(ax) -> list[tuple[float, float]]:
    """Every point drawn in data coordinates: line vertices, scatter offsets, segment ends, bar ends,
    annotation arrow ends."""
    points = []
    for line in ax.lines:
        if line.get_transform() != ax.transData:  # axhline/axvline span the axes by construction
            continue
        if not line.get_clip_on():  # drawn outside the axes on purpose (labels beside a grid)
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


LEVELS = ("red", "yellow", "green", "na")


def planted_matrix(n_bodies: int, indicators: list[str], seed: int = 7) -> pd.DataFrame:
    """indicators x (body, rater) as stats.descriptive.light_matrix makes it (raters sorted: council, self),
    random lights with a few cells left empty (no light in the data)."""
    rng = np.random.default_rng(seed)
    columns = pd.MultiIndex.from_tuples([(f"xã Số {b:03d}", r) for b in range(n_bodies) for r in ("council", "self")])
    lights = rng.choice(np.array(LEVELS + (None,), dtype=object), size=(len(indicators), len(columns)),
                        p=[0.2, 0.4, 0.3, 0.05, 0.05])
    return pd.DataFrame(lights, index=indicators, columns=columns)


def cell_letters(ax) -> dict[tuple[int, int], str]:
    """(row, column) -> the letter drawn in that cell (inside the axes), from the label artists."""
    out = {}
    for line in ax.lines:
        if line.get_label().startswith("_cell:") and line.get_clip_on():
            for x, y in zip(line.get_xdata(), line.get_ydata()):
                out[(int(round(y)), int(round(x)))] = line.get_label().removeprefix("_cell:")
    return out


def expected_rows(matrix: pd.DataFrame) -> list[tuple[str, str]]:
    """Rows of the plot: each body's self row, then its council row."""
    bodies = list(dict.fromkeys(matrix.columns.get_level_values(0)))
    return [(b, r) for b in bodies for r in ("self", "council")]


@pytest.mark.parametrize("n_bodies", [2, 60])
def test_light_matrix_is_one_image_with_the_planted_colours_and_letters(n_bodies):
    from matplotlib.colors import to_rgba
    from matplotlib.image import AxesImage
    from matplotlib.text import Text

    indicators = [f"{p}.{i}" for p in range(1, 5) for i in range(1, 11)][:39]
    matrix = planted_matrix(n_bodies, indicators)
    fig = plots.light_matrix_plot(matrix)
    ax = fig.axes[0]
    images = [a for a in ax.get_children() if isinstance(a, AxesImage)]
    assert len(images) == 1
    assert not [p for p in ax.patches if isinstance(p, Rectangle)], "no Rectangle per cell"
    assert not ax.texts and not [a for a in ax.get_children() if type(a) is Text and a.get_text()
                                 and a not in (ax.title, ax._left_title, ax._right_title)]
    image = images[0]
    shown = image.cmap(image.norm(image.get_array()))  # RGBA of every cell as drawn
    letters = cell_letters(ax)
    rows = expected_rows(matrix)
    assert shown.shape[:2] == (len(rows), len(indicators))
    for i, (body, rater) in enumerate(rows):
        for j, indicator in enumerate(indicators):
            light = matrix.loc[indicator, (body, rater)]
            if not isinstance(light, str):
                assert shown[i, j, 3] == 0 and (i, j) not in letters  # empty cell: transparent, no letter
            else:
                assert np.allclose(shown[i, j], to_rgba(plots.LIGHT_COLOURS[light])), (body, rater, indicator)
                assert letters[(i, j)] == {"red": "Đ", "yellow": "V", "green": "X", "na": "–"}[light]
    # indicator codes as text ("1.10", never the float 1.1), bodies once each, on the y axis
    assert [t.get_text() for t in ax.get_xticklabels()] == indicators * 2  # below and above the grid
    assert "1.10" in indicators
    assert [t.get_text() for t in ax.get_yticklabels()] == list(dict.fromkeys(b for b, _ in rows))
    width, height = fig.get_size_inches()
    assert width <= plots.MAX_FIGURE_INCH[0] and height <= plots.MAX_FIGURE_INCH[1]
    assert_inside(fig)


def test_light_matrix_too_large_to_read_has_no_letters_but_all_colours():
    matrix = planted_matrix(200, [f"1.{i}" for i in range(1, 11)])
    fig = plots.light_matrix_plot(matrix)
    ax = fig.axes[0]
    assert fig.get_size_inches()[1] <= plots.MAX_FIGURE_INCH[1]
    assert not cell_letters(ax)
    image = [a for a in ax.get_children() if a.__class__.__name__ == "AxesImage"][0]
    assert image.get_array().shape == (400, 10)
    plt.close(fig)


def test_value_heatmaps_write_each_value_once_and_skip_missing():
    values = np.array([[10.0, 95.0, np.nan], [50.0, 61.0, 7.0]])
    fig = plots.pillar_heatmap(pd.DataFrame(values, index=["A", "B"], columns=[1, 2, 3]))
    assert cell_letters(fig.axes[0]) == {(0, 0): "10", (0, 1): "95", (1, 0): "50", (1, 1): "61", (1, 2): "7"}
    assert not fig.axes[0].texts
    colours = {line.get_label(): line.get_markerfacecolor() for line in fig.axes[0].lines}
    assert colours["_cell:10"] == "white" and colours["_cell:95"] == "black"
    plt.close(fig)
    share = pd.DataFrame([[1.0, np.nan]], index=["A"], columns=pd.MultiIndex.from_tuples([(2023, "self"),
                                                                                         (2023, "council")]))
    fig = plots.completeness_heatmap(share)
    assert cell_letters(fig.axes[0]) == {(0, 0): "100%"}
    plt.close(fig)


def test_change_plot_draws_a_fixed_number_of_artists():
    rng = np.random.default_rng(3)
    change = pd.DataFrame({"unit": [f"B{i}" for i in range(97)], "group": ["pilot", "comparison"] * 48 + ["pilot"],
                           "baseline": rng.uniform(20, 80, 97)})
    change["latest"] = change["baseline"] + rng.normal(0, 10, 97)
    change["change"] = change["latest"] - change["baseline"]
    fig = plots.change_plot(change)
    ax = fig.axes[0]
    assert not [t for t in ax.texts if isinstance(t, Annotation)] and len(ax.collections) <= 4
    heads = np.concatenate([c.get_offsets()[:, 0] for c in ax.collections if isinstance(c, PathCollection)])
    assert set(np.round(change["latest"], 9)) <= set(np.round(heads, 9))
    assert_inside(fig)


def report_for(tmp_path):
    from iso18091lab.render.notebook import NotebookReport

    return NotebookReport("99_test", tmp_path, SimpleNamespace(synthetic=True), "Hà Nội")


def test_a_large_figure_is_saved_as_png_only_a_small_one_also_as_svg(tmp_path, capsys):
    report = report_for(tmp_path)
    small = planted_matrix(2, ["1.1", "1.10"])
    large = planted_matrix(60, [f"1.{i}" for i in range(1, 40)])
    report.figure(plots.light_matrix_plot(small), "lights small", "small")
    report.figure(plots.light_matrix_plot(large), "lights large", "large")
    first, second = report.results["figures"]
    assert (tmp_path / first["png"]).exists() and (tmp_path / first["svg"]).exists()
    assert (tmp_path / second["png"]).exists() and second["svg"] is None
    assert not list((tmp_path / "figures").glob("99_test_fig02*.svg"))
    # a re-run where the figure grew: the old SVG does not stay behind
    again = report_for(tmp_path)
    again.figure(plots.light_matrix_plot(large), "lights small", "now large")
    assert again.results["figures"][0]["svg"] is None
    assert not (tmp_path / "figures" / first["svg"].removeprefix("figures/")).exists()


@pytest.mark.parametrize("make", [lambda: plots.light_matrix_plot(planted_matrix(12, ["1.1", "1.10", "2.3"])),
                                  lambda: plots.pillar_heatmap(pd.DataFrame(
                                      [[10.0, 95.0], [50.0, np.nan]], index=["Ủy ban nhân dân xã Số 1", "B"],
                                      columns=[1, 2]))])
def test_save_figure_writes_what_savefig_tight_writes(tmp_path, make):
    """save_figure lays the figure out once; its PNG is pixel for pixel matplotlib's own bbox_inches='tight'."""
    from PIL import Image

    plots.use_style()
    reference = make()
    reference.savefig(tmp_path / "tight.png", bbox_inches="tight")
    figure = make()
    plots.save_figure(figure, [tmp_path / "once.png", tmp_path / "once.svg"])
    tight, once = (np.asarray(Image.open(tmp_path / f"{n}.png")) for n in ("tight", "once"))
    assert tight.shape == once.shape and (tight == once).all()
    assert (tmp_path / "once.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    plt.close("all")


def _save_many(folder: str, name: str, times: int) -> None:
    from iso18091lab.render.notebook import NotebookReport

    report = NotebookReport(name, folder, SimpleNamespace(synthetic=True), "Hà Nội")
    for i in range(times):
        report.methods([f"sentence {i}"])  # each save writes the entry as the page shows it then
        report.save()


def test_kernels_saving_into_one_folder_at_once_keep_every_entry(tmp_path):
    """A province's notebooks may run at once in several kernels (processes): results.json keeps them all."""
    import json
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    names = [f"{n:02d}_part" for n in range(6)]
    workers = [context.Process(target=_save_many, args=(str(tmp_path), name, 40)) for name in names]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert all(worker.exitcode == 0 for worker in workers)
    saved = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert sorted(saved) == names and all(entry["methods"] == ["sentence 39"] for entry in saved.values())


def test_forgetting_entries_keeps_the_others_in_reading_order_and_removes_an_empty_file(tmp_path):
    """The runner drops the entries of the notebooks about to run the way a notebook writes its own."""
    import json

    from iso18091lab.render.notebook import forget_results

    for name in ("30_effectiveness", "00_data_quality", "20_reliability"):
        _save_many(str(tmp_path), name, 1)
    forget_results(tmp_path, ["20_reliability", "40_national"])
    saved = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert list(saved) == ["00_data_quality", "30_effectiveness"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("results")] == ["results.json"]  # no temp file
    forget_results(tmp_path, list(saved))
    assert not (tmp_path / "results.json").exists()
    (tmp_path / "never-ran").mkdir()
    forget_results(tmp_path / "never-ran", ["00_data_quality"])  # nothing to forget: nothing written
    assert not (tmp_path / "never-ran" / "results.json").exists()


def test_save_figure_with_matplotlib_defaults_keeps_the_figure_resolution(tmp_path):
    """With matplotlib's own defaults (savefig.dpi = "figure") the figure is saved at its own dpi and keeps it."""
    import matplotlib

    with matplotlib.rc_context(matplotlib.rcParamsDefault):
        figure, ax = plt.subplots(figsize=(3, 2), dpi=80)
        ax.plot([0, 1], [1, 0])
        plots.save_figure(figure, [tmp_path / "default.png"])
        assert figure.dpi == 80
        figure.savefig(tmp_path / "tight.png", bbox_inches="tight")
    from PIL import Image

    assert Image.open(tmp_path / "default.png").size == Image.open(tmp_path / "tight.png").size
    plt.close("all")


def test_axes_use_the_reports_number_format():
    """Decimal comma on every numeric axis of a Vietnamese figure (0,5 not 0.5), thousands with a dot, years as
    they are (2024, never 2.024); English keeps the decimal point."""
    import matplotlib.pyplot as plt

    from iso18091lab.render.figures import save_figure

    def ticks(x, y, lang):
        fig, ax = plt.subplots()
        ax.plot(x, y)
        if x[0] > 1900:
            ax.set_xticks(range(x[0], x[-1] + 1))  # waves: whole years
        save_figure(fig, [], lang=lang)
        fig.canvas.draw()
        labels = ([t.get_text() for t in ax.get_xticklabels() if t.get_text()],
                  [t.get_text() for t in ax.get_yticklabels() if t.get_text()])
        plt.close(fig)
        return labels

    xs, ys = ticks([2021, 2024], [0.0, 3.0], "vi")
    assert xs == ["2021", "2022", "2023", "2024"]
    assert "0,5" in ys and "1,5" in ys and not any("." in y for y in ys)
    _, big = ticks([0, 1], [0, 20000], "vi")
    assert "20.000" in big and "10.000" in big
    _, english = ticks([0, 1], [0.0, 3.0], "en")
    assert "0.5" in english


def test_light_matrix_parts_print_at_9_pt_on_a_portrait_page():
    """Cut by pillar and by at most LIGHT_MATRIX_BODIES bodies, every part's smallest text is 9 pt and the figure
    fits the A4 text area (163 x 232 mm) at its natural size, so the Word pack prints it at 9 pt (issue 23)."""
    indicators = [f"{p}.{i}" for p in range(1, 5) for i in range(1, 13)]
    indicators = [i for i in indicators if int(i.split(".")[1]) <= {"1": 10, "2": 8, "3": 12, "4": 9}[i.split(".")[0]]]
    matrix = planted_matrix(plots.LIGHT_MATRIX_BODIES + 3, indicators)
    parts = plots.light_matrix_parts(matrix)
    assert [(p, k, n) for p, k, n, _ in parts] == [(p, k, 2) for p in (1, 2, 3, 4) for k in (1, 2)]
    assert sum(part.size for *_, part in parts) == matrix.size  # every cell in exactly one part
    for pillar, _, _, part in parts:
        assert {i.split(".")[0] for i in part.index} == {str(pillar)}
        fig = plots.light_matrix_plot(part)
        width, height = fig.get_size_inches() * 25.4
        assert plots.smallest_text_pt(fig) >= 9.0 and width <= 163 and height <= 232, (pillar, width, height)
        assert len(cell_letters(fig.axes[0])) > 0
        plt.close(fig)
