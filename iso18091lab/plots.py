"""One matplotlib style and the workbench's figures.

DejaVu Sans draws every Vietnamese letter (also from NFD input); no math-mode labels. Traffic lights use the
Okabe-Ito colour-blind-safe colours *and* a letter in every cell, so they read without colour.
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from .i18n import number, t  # noqa: E402

LIGHT_COLOURS = {"red": "#D55E00", "yellow": "#F0E442", "green": "#009E73", "na": "#BBBBBB"}
GROUP_COLOURS = {"pilot": "#0072B2", "comparison": "#E69F00"}
TEXT_ON = {"red": "white", "yellow": "black", "green": "white", "na": "black"}


def use_style() -> None:
    """Apply the workbench style (DejaVu Sans, readable sizes, no math text)."""
    plt.rcParams.update({
        "font.family": "DejaVu Sans", "font.size": 10, "axes.titlesize": 12, "axes.labelsize": 10,
        "axes.spines.top": False, "axes.spines.right": False, "figure.dpi": 100, "savefig.dpi": 150,
        "savefig.bbox": "tight", "axes.formatter.use_mathtext": False, "text.usetex": False,
        "svg.fonttype": "path",
    })


LIGHT_ORDER = ("green", "yellow", "red", "na")


def _letter_marker(letter: str):
    """The letter as a marker path centred on the origin (one path drawn at many points: fast, and sharp in PNG)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.path import Path as MplPath
    from matplotlib.textpath import TextPath

    path = TextPath((0, 0), letter, size=1, prop=FontProperties(family="DejaVu Sans"))
    vertices = path.vertices.copy()
    (x0, y0), (x1, y1) = vertices.min(axis=0), vertices.max(axis=0)
    vertices -= [(x0 + x1) / 2, (y0 + y1) / 2]
    return MplPath(vertices, path.codes)


def light_matrix_plot(matrix: pd.DataFrame, lang: str = "vi", title: str = "") -> plt.Figure:
    """Traffic-light matrix: indicators (rows) x bodies, self and council side by side.

    Drawn as one image (``imshow``) with one marker collection per light for the letters, so a province of 100
    bodies (≈ 8,000 cells) draws in a fraction of a second; every cell keeps its letter, so it reads without
    colour."""
    from matplotlib.colors import ListedColormap

    use_style()
    n_rows, n_cols = matrix.shape
    width, height = max(6, 0.32 * n_cols + 2.5), max(4, 0.26 * n_rows + 2.2)
    fig, ax = plt.subplots(figsize=(min(width, 60), min(height, 30)))
    values = matrix.to_numpy(dtype=object)
    codes = np.full(values.shape, np.nan)
    for code, light in enumerate(LIGHT_ORDER):
        codes[values == light] = code
    colours = ListedColormap([LIGHT_COLOURS[k] for k in LIGHT_ORDER])
    ax.imshow(np.ma.masked_invalid(codes), cmap=colours, vmin=-0.5, vmax=len(LIGHT_ORDER) - 0.5, aspect="auto",
              interpolation="nearest", extent=(0, n_cols, n_rows, 0))
    # white lines between cells, black lines between bodies
    ax.vlines(np.arange(1, n_cols), 0, n_rows, colors="white", lw=0.6)
    ax.hlines(np.arange(1, n_rows), 0, n_cols, colors="white", lw=0.6)
    cell_points = 72 * min(fig.get_figwidth() / max(n_cols, 1), fig.get_figheight() / max(n_rows, 1)) * 0.7
    for code, light in enumerate(LIGHT_ORDER):
        rows, cols = np.nonzero(codes == code)
        if len(rows):
            ax.scatter(cols + 0.5, rows + 0.5, marker=_letter_marker(t(f"{light}_letter", lang)),
                       s=min(cell_points, 6.5) ** 2 * 0.55, c=TEXT_ON[light], linewidths=0)
    units = list(dict.fromkeys(u for u, _ in matrix.columns))
    starts = {u: min(j for j, (v, _) in enumerate(matrix.columns) if v == u) for u in units}
    widths = {u: sum(1 for v, _ in matrix.columns if v == u) for u in units}
    ax.set_xticks([starts[u] + widths[u] / 2 for u in units])
    ax.set_xticklabels(units, rotation=60, ha="right", fontsize=7)
    ax.vlines([starts[u] for u in units[1:]], 0, n_rows, colors="black", lw=0.8)
    ax.set_yticks(np.arange(n_rows) + 0.5)
    ax.set_yticklabels([str(i) for i in matrix.index], fontsize=7)
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_ylabel(t("indicator", lang))
    handles = [Patch(facecolor=LIGHT_COLOURS[k], label=f"{t(k + '_letter', lang)} = {t(k, lang)}")
               for k in LIGHT_ORDER]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8,
              title=f"{t('self_short', lang)} | {t('council_short', lang)}: "
                    f"{t('self', lang)} | {t('council', lang)}", title_fontsize=7)
    if title:
        ax.set_title(title)
    return fig


def drawn_elements(fig: plt.Figure) -> int:
    """How many shapes a vector file of ``fig`` would hold: patches, lines, texts and the points of collections."""
    total = 0
    for ax in fig.axes:
        total += len(ax.patches) + len(ax.lines) + len(ax.texts)
        for collection in ax.collections:
            total += max(len(collection.get_offsets()), len(collection.get_paths()))
    return total


def score_bars(scores: pd.DataFrame, lang: str = "vi", value: str = "score", label: str = "") -> plt.Figure:
    """Horizontal bars, one per body, coloured by group, with the value written at the end."""
    use_style()
    rows = scores.sort_values(value)
    fig, ax = plt.subplots(figsize=(7.5, max(3, 0.28 * len(rows) + 1)))
    colours = [GROUP_COLOURS.get(g, "#777777") for g in rows["group"]]
    ax.barh(rows[_label_column(rows)].astype(str), rows[value], color=colours)
    for y, v in enumerate(rows[value]):
        ax.text(v + 0.8, y, number(v, lang), va="center", fontsize=7)
    ax.set_xlim(0, 100)
    ax.set_xlabel(label or t("score_100", lang))
    _group_legend(ax, lang, rows["group"])
    return fig


def change_plot(change: pd.DataFrame, lang: str = "vi") -> plt.Figure:
    """Dumbbell plot: each body's score at baseline (circle) and latest year (arrow head)."""
    use_style()
    rows = change.dropna(subset=["change"]).sort_values("change")
    fig, ax = plt.subplots(figsize=(7.5, max(3, 0.28 * len(rows) + 1)))
    from matplotlib.collections import LineCollection

    # one collection of segments and three of markers (not one arrow per body: fast for a hundred bodies)
    y = np.arange(len(rows), dtype=float)
    baseline, latest = rows["baseline"].to_numpy(dtype=float), rows["latest"].to_numpy(dtype=float)
    colours = [GROUP_COLOURS.get(g, "#777777") for g in rows["group"]]
    ax.add_collection(LineCollection(np.stack([np.column_stack([baseline, y]), np.column_stack([latest, y])], axis=1),
                                     colors=colours, linewidths=1.5))
    ax.scatter(baseline, y, marker="o", s=16, c=colours, zorder=3)
    up = latest >= baseline
    for mask, head in ((up, ">"), (~up, "<")):
        if mask.any():
            ax.scatter(latest[mask], y[mask], marker=head, s=30, c=[c for c, m in zip(colours, mask) if m], zorder=3)
    # collections do not widen the axes: set the limits from both ends so that every body's latest score shows
    ends = pd.concat([rows["baseline"], rows["latest"]]).astype(float).dropna()
    if len(ends):
        low, high = float(ends.min()), float(ends.max())
        pad = max(2.0, 0.05 * (high - low))
        ax.set_xlim(max(0.0, low - pad) if low >= 0 else low - pad, min(100.0, high + pad) if high <= 100 else high + pad)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(rows[_label_column(rows)].astype(str), fontsize=7)
    ax.set_xlabel(t("score_100", lang))
    _group_legend(ax, lang, rows["group"])
    return fig


ANNOTATE_MAX_CELLS = 250  # numbers written in heatmap cells up to this many (each is a text to lay out)


def _annotate_cells(ax, values: np.ndarray, text, dark_below: float, show: np.ndarray | None = None) -> None:
    """Write ``text(v)`` in the cells where ``show`` (default: every non-missing cell) — when they are at most
    ``ANNOTATE_MAX_CELLS``; a larger grid keeps its colours and colour bar, the numbers are in the tables."""
    show = ~np.isnan(values) if show is None else show & ~np.isnan(values)
    if show.sum() > ANNOTATE_MAX_CELLS:
        return
    for i, j in zip(*np.nonzero(show)):
        v = values[i, j]
        ax.text(j, i, text(v), ha="center", va="center", fontsize=6.5, color="white" if v < dark_below else "black")


def pillar_heatmap(table: pd.DataFrame, lang: str = "vi") -> plt.Figure:
    """Bodies x pillars, mean score (numbers written in the cells of a small grid)."""
    use_style()
    fig, ax = plt.subplots(figsize=(1.2 * table.shape[1] + 3.5, 0.3 * table.shape[0] + 1.5))
    values = table.to_numpy(dtype=float)
    image = ax.imshow(values, cmap="viridis", vmin=0, vmax=100, aspect="auto")
    _annotate_cells(ax, values, lambda v: f"{v:.0f}", 60)
    ax.set_xticks(range(table.shape[1]))
    ax.set_xticklabels([f"{t('pillar', lang)} {p}" for p in table.columns], fontsize=8)
    ax.set_yticks(range(table.shape[0]))
    ax.set_yticklabels(table.index, fontsize=7)
    fig.colorbar(image, ax=ax, label=t("score_100", lang), shrink=0.6)
    return fig


def completeness_heatmap(table: pd.DataFrame, lang: str = "vi") -> plt.Figure:
    """Bodies x (year, rater): share of indicators scored, written as a percentage in every cell of a small grid
    and, in a large one, in the incomplete cells only."""
    use_style()
    values = table.to_numpy(dtype=float)
    fig, ax = plt.subplots(figsize=(0.9 * table.shape[1] + 3.5, 0.28 * table.shape[0] + 1.5))
    image = ax.imshow(values, cmap="cividis", vmin=0, vmax=1, aspect="auto")
    small = values.size <= ANNOTATE_MAX_CELLS
    _annotate_cells(ax, values, lambda v: f"{100 * v:.0f}%", 0.6, None if small else values < 1)
    ax.set_xticks(range(table.shape[1]))
    ax.set_xticklabels([f"{y}\n{t(r + '_short', lang)}" for y, r in table.columns], fontsize=7)
    ax.set_yticks(range(table.shape[0]))
    ax.set_yticklabels(table.index, fontsize=7)
    fig.colorbar(image, ax=ax, label=t("share_scored", lang), shrink=0.6)
    return fig


def count_bars(counts: pd.Series, lang: str = "vi", xlabel: str = "", labels: dict | None = None) -> plt.Figure:
    """Horizontal bars of counts (e.g. quarantined rows per rule). Quarantine rule names ('missing_value') are
    shown in words with the rule name in brackets; ``labels`` maps other index values to what to show."""
    from .i18n import rule_label

    use_style()
    counts = counts.sort_values()
    fig, ax = plt.subplots(figsize=(7, 0.35 * max(len(counts), 1) + 1.2))
    names = [labels.get(i, str(i)) if labels else rule_label(str(i), lang) for i in counts.index]
    ax.barh(names, counts.to_numpy(), color="#56B4E9")
    for y, v in enumerate(counts.to_numpy()):
        ax.text(v, y, f" {v}", va="center", fontsize=8)
    if len(counts):
        ax.set_xlim(0, float(counts.max()) * 1.15 + 0.5)
    ax.set_xlabel(xlabel or t("rows", lang))
    return fig


def _label_column(frame: pd.DataFrame) -> str:
    """The column that names bodies in a chart: ``body_label`` (unique within a province), else ``unit``."""
    return "body_label" if "body_label" in frame else "unit"


def _group_legend(ax, lang: str, groups: pd.Series) -> None:
    present = [g for g in ("pilot", "comparison") if g in set(groups)]
    ax.legend(handles=[Patch(facecolor=GROUP_COLOURS[g], label=t(g, lang)) for g in present], frameon=False,
              loc="lower right", fontsize=8)


def bland_altman_plot(result, lang: str = "vi", xlabel: str = "", ylabel: str = "") -> plt.Figure:
    """Differences against means with the bias and limits of agreement (and their CIs, shaded)."""
    use_style()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.scatter(result.means, result.differences, s=14, alpha=0.6, color="#0072B2", edgecolor="none")
    for value, ci, style, name in ((result.bias, result.bias_ci, "-", "bias"),
                                   (result.lower, result.lower_ci, "--", "loa"),
                                   (result.upper, result.upper_ci, "--", "loa")):
        ax.axhline(value, color="#D55E00" if name == "bias" else "#555555", ls=style, lw=1.2)
        ax.axhspan(ci[0], ci[1], color="#D55E00" if name == "bias" else "#999999", alpha=0.15, lw=0)
        ax.text(max(result.means), value, f" {number(value, lang)}", va="bottom", ha="right", fontsize=8)
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xlabel(xlabel or t("plot_ba_x", lang))
    ax.set_ylabel(ylabel or t("plot_ba_y", lang))
    return fig


def interval_plot(frame: pd.DataFrame, label: str, value: str, low: str, high: str, lang: str = "vi",
                  xlabel: str = "", reference: list[float] | None = None, flagged: set | None = None) -> plt.Figure:
    """Point estimates with confidence intervals, one row each (forest style); flagged rows in vermillion."""
    use_style()
    rows = frame.reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(7, 0.24 * len(rows) + 1.4))
    y = np.arange(len(rows))[::-1]
    colours = ["#D55E00" if flagged and r in flagged else "#0072B2" for r in rows[label]]
    ax.hlines(y, rows[low], rows[high], color=colours, lw=1.4)
    ax.scatter(rows[value], y, color=colours, s=18, zorder=3)
    for x in reference or []:
        ax.axvline(x, color="#999999", ls=":", lw=1)
    ax.set_yticks(y)
    ax.set_yticklabels(rows[label].astype(str), fontsize=7)
    ax.set_xlabel(xlabel)
    return fig


def forest_plot(table: pd.DataFrame, label: str = "label", lang: str = "vi", xlabel: str = "") -> plt.Figure:
    """Estimates with confidence intervals (forest plot) around a zero line; primary rows in bold."""
    use_style()
    rows = table.reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(7.5, 0.3 * len(rows) + 1.3))
    y = np.arange(len(rows))[::-1]
    colours = ["#0072B2" if r.get("rater", "council") != "self" else "#E69F00" for _, r in rows.iterrows()]
    ax.hlines(y, rows["ci_low"], rows["ci_high"], color=colours, lw=1.6)
    ax.scatter(rows["estimate"], y, color=colours, s=22, zorder=3, marker="s")
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels(rows[label].astype(str), fontsize=8)
    for tick, primary in zip(ax.get_yticklabels(), rows.get("primary", pd.Series(False, index=rows.index))):
        if primary:
            tick.set_fontweight("bold")
    ax.set_xlabel(xlabel or t("plot_effect_ci", lang))
    return fig


def event_study_plot(events: pd.DataFrame, lang: str = "vi") -> plt.Figure:
    """Effects by waves since the pilot start with 95% CIs: pre-pilot placebo estimates (grey), the reference
    wave just before the start (−1, hollow, 0 by construction) and the waves under the pilot (blue)."""
    use_style()
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.axhline(0, color="black", lw=0.8)
    ax.axvline(-0.5, color="#999999", ls=":", lw=1)
    kinds = events["kind"] if "kind" in events else pd.Series("effect", index=events.index)
    styles = {"placebo": ("#777777", "o", t("plot_event_placebo", lang)),
              "effect": ("#0072B2", "s", t("plot_event_effect", lang))}
    for kind, (colour, marker, label) in styles.items():
        part = events[kinds == kind]
        if part.empty:
            continue
        ax.errorbar(part["event_time"], part["estimate"],
                    yerr=[(part["estimate"] - part["ci_low"]).fillna(0), (part["ci_high"] - part["estimate"]).fillna(0)],
                    fmt=marker, color=colour, capsize=4, label=label)
    ref = events[kinds == "reference"]
    if not ref.empty:
        ax.plot(ref["event_time"], ref["estimate"], "o", mfc="white", mec="black", label=t("plot_event_reference", lang))
    ax.set_xticks(sorted(events["event_time"].unique()))
    ax.set_xlabel(t("plot_event_x", lang))
    ax.set_ylabel(t("plot_event_y", lang))
    ax.legend(frameon=False, fontsize=8)
    return fig


def power_curves(curves: pd.DataFrame, lang: str = "vi", target: float | None = None) -> plt.Figure:
    """Minimum detectable effect against the number of bodies, one line per design (column ``design``)."""
    use_style()
    fig, ax = plt.subplots(figsize=(7, 4.3))
    palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7"]
    for colour, (design, part) in zip(palette, curves.groupby("design", sort=False)):
        ax.plot(part["bodies"], part["mde"], color=colour, lw=2, label=str(design))
    if target is not None:
        ax.axhline(target, color="#999999", ls=":", lw=1)
    ax.set_xlabel(t("plot_power_x", lang))
    ax.set_ylabel(t("plot_power_y", lang))
    ax.legend(frameon=False, fontsize=8)
    ax.set_ylim(bottom=0)
    return fig
