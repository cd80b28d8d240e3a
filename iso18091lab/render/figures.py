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
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import ScalarFormatter  # noqa: E402
from matplotlib.transforms import ScaledTranslation  # noqa: E402

from iso18091lab.i18n import number, t, value_label  # noqa: E402

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


LIGHT_LEVELS = ("red", "yellow", "green", "na")  # image codes 0..3 of the traffic-light matrix
CELL_LABELS_MIN_INCH = 0.1  # cells smaller than this (in the saved figure) carry no label: it could not be read
MAX_FIGURE_INCH = (16.0, 36.0)  # width, height of a grid figure at most (cells shrink to fit)


def _grid_figsize(n_rows: int, n_cols: int, cell: tuple[float, float], margin: tuple[float, float]
                  ) -> tuple[tuple[float, float], tuple[float, float]]:
    """Figure size for a grid of ``n_rows`` x ``n_cols`` cells of ``cell`` inches (width, height) plus ``margin``
    inches for labels, legend and colour bar; capped at :data:`MAX_FIGURE_INCH` by shrinking the cells.
    Returns (figsize, cell size actually used)."""
    sizes = []
    for n, want, extra, most in zip((n_cols, n_rows), cell, margin, MAX_FIGURE_INCH):
        size = min(want, (most - extra) / max(n, 1))
        sizes.append((max(n * size + extra, 3.0), size))
    (width, cell_w), (height, cell_h) = sizes
    return (width, height), (cell_w, cell_h)


def cell_labels(ax, x, y, labels, colours, fontsize: float, transform=None) -> list:
    """Write ``labels[k]`` centred at (``x[k]``, ``y[k]``) in ``colours[k]``, drawn as markers shaped like the
    text: one artist per distinct (label, colour) pair instead of one Text per cell, so that a grid of
    thousands of cells draws in a fraction of a second (and in SVG each shape is defined once). Each artist's
    label is ``_cell:<text>`` (left out of legends; tests read it back). ``transform``: of (x, y), data
    coordinates by default. Returns the artists."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.markers import MarkerStyle
    from matplotlib.path import Path
    from matplotlib.textpath import TextPath

    groups: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for xi, yi, text, colour in zip(x, y, labels, colours):
        groups.setdefault((text, colour), []).append((xi, yi))
    prop = FontProperties(family="DejaVu Sans", size=fontsize)
    artists = []
    for (text, colour), points in groups.items():
        glyphs = TextPath((0, 0), text, prop=prop)
        (x0, y0), (x1, y1) = glyphs.get_extents().get_points()
        shape = Path(glyphs.vertices - [(x0 + x1) / 2, (y0 + y1) / 2], glyphs.codes)
        # a path marker is scaled so that its largest |vertex| is half the marker size: this size keeps the
        # glyphs at ``fontsize`` points
        size = 2 * float(np.abs(shape.vertices).max())
        xs, ys = zip(*points)
        # a thin outline in the same colour: small glyphs (the dash of "not assessed") stay visible in the PNG
        artists += ax.plot(xs, ys, linestyle="none", marker=MarkerStyle(shape), markersize=size, scalex=False,
                           scaley=False, markerfacecolor=colour, markeredgecolor=colour, markeredgewidth=0.3,
                           label=f"_cell:{text}", transform=ax.transData if transform is None else transform)
    for artist in artists:
        artist.iso_fontsize = fontsize  # read by smallest_text_pt
    return artists


class NumberFormatter(ScalarFormatter):
    """Tick labels written as the report's text and tables write numbers (:func:`iso18091lab.i18n.number`):
    in Vietnamese a decimal comma and a dot between thousands (0,5; 1,5; 12.000), in English the other way
    round. Axes whose ticks all lie between 1900 and 2100 (years) keep no thousands separator (2024)."""

    def __init__(self, lang: str = "vi"):
        super().__init__(useOffset=False, useMathText=False)
        self.set_scientific(False)
        self.lang = lang

    def set_locs(self, locs):
        self._iso_ticks = list(locs)  # the tick positions (matplotlib's own attribute is deprecated)
        super().set_locs(locs)

    def __call__(self, x, pos=None):
        text = super().__call__(x, pos).replace("\u2212", "-")
        if not text:
            return text
        ticks = getattr(self, "_iso_ticks", [])
        years = bool(len(ticks)) and all(1900 <= v <= 2100 for v in ticks)
        digits = len(text.split(".")[1]) if "." in text else 0
        try:
            value = float(text)
        except ValueError:
            return text
        if years:  # 2024, 2024,5: no thousands separator
            return text.replace(".", ",") if self.lang == "vi" else text
        return number(value, self.lang, digits)  # negative ticks with the minus sign, as the text writes them


def format_numbers(fig: plt.Figure, lang: str = "vi") -> None:
    """Put :class:`NumberFormatter` on every numeric axis of ``fig`` (axes with their own tick labels — names,
    codes — are left as they are). Every figure a report saves goes through this (:func:`save_figure`)."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if type(axis.get_major_formatter()) is ScalarFormatter:
                axis.set_major_formatter(NumberFormatter(lang))


def drawn_texts(fig: plt.Figure) -> list[str]:
    """Every piece of text ``fig`` draws — titles, axis labels, tick labels, legend entries and titles, text in
    cells (drawn as shapes by :func:`cell_labels`) — once each, in drawing order (read by the tests that check
    that a Vietnamese figure says nothing in English). Call it after the figure was drawn or saved."""
    from matplotlib.text import Text

    texts = [a.get_text() for a in fig.findobj(Text) if a.get_visible() and a.get_text().strip()]
    texts += [str(a.get_label())[len("_cell:"):] for a in fig.findobj(lambda a: hasattr(a, "iso_fontsize"))]
    return list(dict.fromkeys(texts))


def smallest_text_pt(fig: plt.Figure) -> float | None:
    """The smallest font size (pt) of the text matplotlib draws in ``fig`` (titles, labels, tick labels, legends,
    text in cells), or None when it draws none: the evidence pack sizes the figure so that it prints at 9 pt."""
    from matplotlib.text import Text

    sizes = [a.get_fontsize() for a in fig.findobj(Text) if a.get_visible() and a.get_text().strip()]
    sizes += [getattr(a, "iso_fontsize") for a in fig.findobj(lambda a: hasattr(a, "iso_fontsize"))]
    return float(min(sizes)) if sizes else None


def save_figure(fig: plt.Figure, paths, lang: str = "vi") -> None:
    """Save ``fig`` to each of ``paths`` (format from the suffix) at the style's resolution, cropped as
    ``bbox_inches="tight"`` would, but laid out once: "tight" draws the whole figure once more per file only to
    measure it (text layout is most of a figure's cost). The files are identical to ``savefig`` with "tight".
    Numeric axes are labelled in ``lang``'s number format first (:func:`format_numbers`)."""
    format_numbers(fig, lang)
    dpi, pad = plt.rcParams["savefig.dpi"], plt.rcParams["savefig.pad_inches"]
    shown = fig.dpi
    fig.set_dpi(shown if dpi == "figure" else dpi)  # measured at the resolution it is saved at
    try:
        fig.draw_without_rendering()
        bbox = fig.get_tightbbox(fig.canvas.get_renderer()).padded(0.1 if pad == "layout" else pad)
        for path in paths:
            fig.savefig(path, bbox_inches=bbox)
    finally:
        fig.set_dpi(shown)


SVG_MAX_ELEMENTS = 600  # more drawn elements: PNG only (a figure of ~100 bodies; see drawn_elements)


def drawn_elements(fig: plt.Figure) -> int:
    """Roughly how many elements a vector (SVG) file of ``fig`` would hold and take time to write: one per
    visible artist, plus one per marker of a line and per item of a collection (an image counts once)."""
    from matplotlib.collections import Collection
    from matplotlib.lines import Line2D

    count = 0
    for artist in fig.findobj(lambda a: a.get_visible()):
        if isinstance(artist, Line2D) and artist.get_marker() not in (None, "None", "none", ""):
            count += max(1, len(artist.get_xdata()))
        elif isinstance(artist, Collection):
            count += max(1, len(artist.get_offsets()), len(artist.get_paths()))
        else:
            count += 1
    return count


#: A traffic-light figure holds at most this many bodies, so that one pillar's grid prints on an A4 page with
#: every text at 9 pt (:func:`light_matrix_parts`).
LIGHT_MATRIX_BODIES = 14
#: Text in figures meant for print is at least this size (the Word pack prints figures at their natural size).
PRINT_PT = 9.0


def light_matrix_parts(matrix: pd.DataFrame) -> list[tuple[int, int, int, pd.DataFrame]]:
    """The traffic-light matrix (indicators x (body, rater)) cut so that each part prints at 9 pt: one part per
    pillar (the number before the dot of the indicator code) and per group of at most
    :data:`LIGHT_MATRIX_BODIES` bodies. Returns (pillar, part number from 1, parts of that pillar, matrix)."""
    bodies = list(dict.fromkeys(matrix.columns.get_level_values(0)))
    chunks = [bodies[i:i + LIGHT_MATRIX_BODIES] for i in range(0, len(bodies), LIGHT_MATRIX_BODIES)] or [[]]
    pillars = pd.Series([str(code).split(".")[0] for code in matrix.index], index=matrix.index)
    out = []
    for pillar in sorted(pillars.unique(), key=lambda p: (not p.isdigit(), int(p) if p.isdigit() else 0, p)):
        rows = matrix.loc[(pillars == pillar).to_numpy()]
        for k, chunk in enumerate(chunks, start=1):
            out.append((int(pillar) if pillar.isdigit() else pillar, k, len(chunks),
                        rows.loc[:, rows.columns.get_level_values(0).isin(chunk)]))
    return out


def light_matrix_plot(matrix: pd.DataFrame, lang: str = "vi", title: str = "") -> plt.Figure:
    """Traffic-light matrix: bodies (rows; each body's self-assessment row above its council row) x indicators
    (columns, codes such as "1.10" as text). One image for all cells, the level's letter in every cell that is
    large enough to read it."""
    use_style()
    raters = [r for r in ("self", "council") if r in set(matrix.columns.get_level_values(1))]
    units = list(dict.fromkeys(matrix.columns.get_level_values(0)))
    rows = [(u, r) for u in units for r in raters if (u, r) in matrix.columns]
    lights = matrix.loc[:, rows].T  # (body, rater) x indicator
    codes = np.full(lights.shape, -1)
    for k, level in enumerate(LIGHT_LEVELS):
        codes[(lights == level).to_numpy()] = k
    n_rows, n_cols = codes.shape
    # cells big enough for 9-pt letters; the legend goes below the grid, so a pillar's part fits a portrait page
    (width, height), (cell_w, cell_h) = _grid_figsize(n_rows, n_cols, cell=(0.26, 0.22), margin=(3.2, 2.6))
    fig, ax = plt.subplots(figsize=(width, height))
    # no light (not in the data): an empty cell
    cmap = ListedColormap([LIGHT_COLOURS[k] for k in LIGHT_LEVELS]).with_extremes(bad=(1, 1, 1, 0))
    ax.imshow(np.ma.masked_less(codes, 0), cmap=cmap, vmin=-0.5, vmax=len(LIGHT_LEVELS) - 0.5, aspect="auto",
              interpolation="nearest")
    # thin white lines between cells, black lines between bodies (two artists, whatever the size)
    ax.vlines(np.arange(n_cols + 1) - 0.5, -0.5, n_rows - 0.5, color="white", lw=0.6)
    ax.hlines(np.arange(n_rows + 1) - 0.5, -0.5, n_cols - 0.5, color="white", lw=0.6)
    firsts = [i for i, (u, _) in enumerate(rows) if i == 0 or rows[i - 1][0] != u]
    ax.hlines(np.array(firsts[1:]) - 0.5, -0.5, n_cols - 0.5, color="black", lw=0.8)
    if min(cell_w, cell_h) >= CELL_LABELS_MIN_INCH:
        i, j = np.nonzero(codes >= 0)
        levels = [LIGHT_LEVELS[c] for c in codes[i, j]]
        cell_labels(ax, j, i, [t(f"{k}_letter", lang) for k in levels], [TEXT_ON[k] for k in levels],
                    fontsize=min(PRINT_PT, 0.6 * 72 * min(cell_w, cell_h)))
    ends = firsts[1:] + [n_rows]
    ax.set_yticks([(a + b - 1) / 2 for a, b in zip(firsts, ends)])
    ax.set_yticklabels([rows[a][0] for a in firsts], fontsize=min(PRINT_PT, max(5.0, 72 * cell_h * 1.2)))
    # each row's rater, 12 points right of the grid (as shapes, like the letters: hundreds of tick labels draw
    # slowly)
    tags = [t(f"{r}_short", lang) for _, r in rows]
    beside = ax.get_yaxis_transform() + ScaledTranslation(12 / 72, 0, fig.dpi_scale_trans)
    for tag in cell_labels(ax, [1.0] * n_rows, np.arange(n_rows), tags, ["black"] * n_rows,
                           fontsize=min(PRINT_PT, 0.6 * 72 * cell_h), transform=beside):
        tag.set_clip_on(False)
    ax.set_xticks(np.arange(n_cols), [str(c) for c in lights.columns], rotation=90,
                  fontsize=min(PRINT_PT, max(5.0, 72 * cell_w * 0.9)))
    ax.tick_params(axis="x", labeltop=True)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel(t("indicator", lang))
    handles = [Patch(facecolor=LIGHT_COLOURS[k], label=f"{t(k + '_letter', lang)} = {t(k, lang)}")
               for k in ("green", "yellow", "red", "na")]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, 0), frameon=False, fontsize=PRINT_PT, ncol=2,
              bbox_transform=ax.transAxes + ScaledTranslation(0, -0.45, fig.dpi_scale_trans),
              title=f"{t('self_short', lang)} = {t('self', lang)}; {t('council_short', lang)} = {t('council', lang)}",
              title_fontsize=PRINT_PT, alignment="left")
    if title:
        ax.set_title(title)
    return fig


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
    """Dumbbell plot: each body's score at baseline (circle) and latest year (arrow head), drawn as one line
    collection and three marker sets whatever the number of bodies."""
    use_style()
    rows = change.dropna(subset=["change"]).sort_values("change")
    fig, ax = plt.subplots(figsize=(7.5, max(3, 0.28 * len(rows) + 1)))
    y = np.arange(len(rows))
    colours = np.array([GROUP_COLOURS.get(g, "#777777") for g in rows["group"]], dtype=object)
    base, last = rows["baseline"].to_numpy(dtype=float), rows["latest"].to_numpy(dtype=float)
    ax.add_collection(LineCollection(np.stack([np.column_stack([base, y]), np.column_stack([last, y])], axis=1),
                                     colors=list(colours), lw=1.5), autolim=False)
    up = last >= base
    for side, marker in ((up, ">"), (~up, "<")):
        ax.scatter(last[side], y[side], marker=marker, c=list(colours[side]), s=26, lw=0, zorder=3)
    ax.scatter(base, y, marker="o", c=list(colours), s=16, lw=0, zorder=3)
    ends = np.concatenate([base, last])
    ends = ends[np.isfinite(ends)]
    if len(ends):
        low, high = float(ends.min()), float(ends.max())
        pad = max(2.0, 0.05 * (high - low))
        ax.set_xlim(max(0.0, low - pad) if low >= 0 else low - pad, min(100.0, high + pad) if high <= 100 else high + pad)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_yticks(y)
    ax.set_yticklabels(rows[_label_column(rows)].astype(str), fontsize=7)
    ax.set_xlabel(t("score_100", lang))
    _group_legend(ax, lang, rows["group"])
    return fig


def _value_heatmap(table: pd.DataFrame, cmap: str, vmax: float, text, dark_below: float, xticklabels: list,
                   colour_label: str, cell: tuple[float, float], margin: tuple[float, float]) -> plt.Figure:
    """Bodies (rows) x columns as one image, the value written in each cell (``text(v)``; white on values
    below ``dark_below``) when the cells are large enough to read it; colour bar labelled ``colour_label``."""
    use_style()
    values = table.to_numpy(dtype=float)
    (width, height), (cell_w, cell_h) = _grid_figsize(*values.shape, cell=cell, margin=margin)
    fig, ax = plt.subplots(figsize=(width, height))
    image = ax.imshow(values, cmap=cmap, vmin=0, vmax=vmax, aspect="auto", interpolation="nearest")
    if min(cell_w, cell_h) >= CELL_LABELS_MIN_INCH:
        i, j = np.nonzero(np.isfinite(values))
        shown = values[i, j]
        cell_labels(ax, j, i, [text(v) for v in shown], ["white" if v < dark_below else "black" for v in shown],
                    fontsize=min(7, 0.6 * 72 * cell_h))
    ax.set_xticks(range(values.shape[1]))
    ax.set_xticklabels(xticklabels, fontsize=7)
    ax.set_yticks(range(values.shape[0]))
    ax.set_yticklabels([str(v) for v in table.index], fontsize=7)
    fig.colorbar(image, ax=ax, label=colour_label, shrink=0.6)
    return fig


def pillar_heatmap(table: pd.DataFrame, lang: str = "vi") -> plt.Figure:
    """Bodies x pillars, mean score with the number written in each cell."""
    return _value_heatmap(table, "viridis", 100, lambda v: f"{v:.0f}", 60,
                          [f"{t('pillar', lang)} {p}" for p in table.columns], t("score_100", lang),
                          cell=(1.2, 0.3), margin=(3.5, 1.5))


def completeness_heatmap(table: pd.DataFrame, lang: str = "vi") -> plt.Figure:
    """Bodies x (wave, rater): share of indicators scored, written as a percentage."""
    return _value_heatmap(table, "cividis", 1, lambda v: f"{100 * v:.0f}%", 0.6,
                          [f"{y}\n{t(r + '_short', lang)}" for y, r in table.columns], t("share_scored", lang),
                          cell=(0.9, 0.28), margin=(3.5, 1.5))


def count_bars(counts: pd.Series, lang: str = "vi", xlabel: str = "", labels: dict | None = None) -> plt.Figure:
    """Horizontal bars of counts (e.g. quarantined rows per rule). Quarantine rule names ('missing_value') are
    shown in words with the rule name in brackets; ``labels`` maps other index values to what to show."""
    from iso18091lab.i18n import rule_label

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
    ax.set_yticklabels([value_label(str(v), lang) for v in rows[label]], fontsize=7)
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
    ax.set_yticklabels([value_label(str(v), lang) for v in rows[label]], fontsize=8)
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


def simulated_power(summary: pd.DataFrame, lang: str = "vi", title: str = "", alpha: float = 0.05) -> plt.Figure:
    """Simulated power (share of runs rejecting "no effect") against the planted effect, with its Wilson
    interval, and the normal-approximation formula where it applies (``simulation.power_study`` summary)."""
    use_style()
    fig, ax = plt.subplots(figsize=(7, 4.3))
    data = summary.sort_values("effect")
    ax.errorbar(data["effect"], data["power"],
                yerr=[data["power"] - data["power_ci_low"], data["power_ci_high"] - data["power"]],
                fmt="o-", color=GROUP_COLOURS["pilot"], capsize=4, label=t("plot_simpower_sim", lang))
    formula = data.dropna(subset=["analytic_power"])
    if len(formula):
        ax.plot(formula["effect"], formula["analytic_power"], ls="--", color="#555555",
                label=t("plot_simpower_formula", lang))
    ax.axhline(0.8, color="#999999", ls=":", lw=1)
    ax.axhline(alpha, color="#999999", ls=":", lw=1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(t("plot_simpower_x", lang))
    ax.set_ylabel(t("plot_simpower_y", lang))
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    return fig
