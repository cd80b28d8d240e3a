"""The tidy panel of the pilot comparison, cleaned and split by province (the input of every estimator in
:mod:`iso18091lab.stats.did`).

:func:`_prepare` checks a panel (one row per body and wave), applies the timing rule
(:func:`iso18091lab.stats.descriptive.under_pilot`: under the pilot from (``pilot_start``,
``pilot_start_round``)), lists every pilot body that cannot enter the comparison (:func:`pilot_exclusions`) and
returns one :class:`_Block` per province: bodies × wave-effect columns. :func:`start_cohort_sizes` counts the
pilots per start cohort.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from iso18091lab.stats import NotEstimable
from iso18091lab.stats.descriptive import wave_label, wave_order


@dataclass
class _Block:
    """One province (of today): bodies x wave-effect columns.

    A column is a wave, or — for waves before the 2025 reform in a province of today formed from several former
    ones — a wave of one former province (province × wave effects use the province of each wave's map; the
    ``wave_province`` column of a continued panel, :func:`iso18091lab.intake.lineage.continued_panel`). ``pos`` is each
    column's wave position; starts and event times count positions."""

    province: str
    waves: np.ndarray  # (T,) sortable wave numbers of the columns, ascending (repeated for split waves)
    wave_labels: list  # (T,) label of each column's wave
    body_ids: np.ndarray  # (B,)
    levels: np.ndarray  # (B,) text, "" when blank
    pilot: np.ndarray  # (B,) bool
    start: np.ndarray  # (B,) position of the first wave under the pilot (n_positions for comparison bodies / beyond)
    y: np.ndarray  # (B, T), NaN where not observed
    obs: np.ndarray  # (B, T) bool
    pos: np.ndarray = None  # (T,) wave position of each column (default: 0..T-1)
    position_labels: list = None  # (n_positions,) label of each wave position

    def __post_init__(self):
        if self.pos is None:
            self.pos = np.arange(len(self.waves))
        if self.position_labels is None:
            self.position_labels = list(self.wave_labels)

    @property
    def n_positions(self) -> int:
        return len(self.position_labels)

    @property
    def treated(self) -> np.ndarray:
        return self.pilot[:, None] & (self.pos[None, :] >= self.start[:, None]) & self.obs


@dataclass
class _Prepared:
    blocks: list
    excluded: pd.DataFrame  # body_id, body_label, province, group, reason
    skipped: list  # provinces left out: (province, reason)
    n_pilot: int
    n_comparison: int
    baseline_sd: float


EXCLUSION_COLUMNS = ["province", "body_id", "body_label", "group", "reason"]


def _text(series: pd.Series) -> np.ndarray:
    """Text values as an object array of ``str`` (``""`` where missing)."""
    values = series.to_numpy(dtype=object)
    return np.where(pd.isna(values), "", values).astype(str).astype(object)


def _numbers(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series.astype(object), errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _shown(values) -> str:
    """Up to five distinct offending values, as a message shows them."""
    distinct = list(dict.fromkeys(repr(v) if isinstance(v, str) else str(v) for v in values))
    return ", ".join(distinct[:5]) + (f" (+{len(distinct) - 5} more)" if len(distinct) > 5 else "")


def _checked_numbers(series: pd.Series, column: str) -> np.ndarray:
    """A numeric column as floats, missing as NaN; any value that is present but not a finite number (text such
    as "n/a" or "12,5", inf) raises a ``ValueError`` naming the column and the values — never silently NaN."""
    values = _numbers(series)
    present = ~pd.isna(series.to_numpy(dtype=object))
    bad = present & ~np.isfinite(values)
    if bad.any():
        raise ValueError(f"column {column!r} has {int(bad.sum())} value(s) that are not finite numbers: "
                         f"{_shown(series.to_numpy(dtype=object)[bad])}")
    return values


def _first_valid(values: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Per run ``values[starts[g]:ends[g]]``: its first non-NaN value (NaN when none), as pandas ``first``."""
    position = np.where(np.isnan(values), len(values), np.arange(len(values)))
    first = np.minimum.reduceat(position, starts)
    return np.where(first < ends, values[np.minimum(first, len(values) - 1)], np.nan)


def _runs(*codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends of the runs of equal keys in rows sorted by ``codes``."""
    change = np.zeros(len(codes[0]), bool)
    change[0] = True
    for c in codes:
        change[1:] |= c[1:] != c[:-1]
    starts = np.flatnonzero(change)
    return starts, np.append(starts[1:], len(codes[0]))


def _unscored_bodies(panel: pd.DataFrame, keep: np.ndarray) -> list[dict]:
    """Pilot bodies none of whose rows has a usable score: exclusion rows (reason ``no_scores``)."""
    if "group" not in panel:
        return []
    group = _text(panel["group"])
    key = pd.Series(list(zip(_text(panel["province"]), _text(panel["body_id"]))))
    scored = set(key[keep])
    label = _text(panel["body_label"]) if "body_label" in panel else _text(panel["body_id"])
    out, seen = [], set()
    for i in np.flatnonzero((group == "pilot") & ~keep):
        k = key.iloc[i]
        if k not in scored and k not in seen:
            seen.add(k)
            out.append({"province": k[0], "body_id": k[1], "body_label": label[i], "group": "pilot",
                        "reason": "no_scores"})
    return out


def _prepare(panel: pd.DataFrame, outcome: str, require_comparison: bool = True) -> _Prepared:
    """Clean a panel, apply the timing rule, and list every pilot body that cannot enter the comparison.

    Works on numpy arrays over sorted codes (no pandas groupby): it runs once per outcome of the effectiveness
    table. Bodies are ordered by (province, body_id) as text, waves ascending; repeated body-wave rows must agree
    (conflicting ones raise ``ValueError``), and the other columns take a body-wave's first non-missing value (as
    pandas ``groupby.first``). Values that are present but not finite numbers raise ``ValueError``; a pilot body
    with no usable score is listed in ``excluded`` (``no_scores``)."""
    if not isinstance(panel, pd.DataFrame):
        raise ValueError("panel must be a pandas DataFrame")
    missing = {"province", "body_id", "year", outcome} - set(panel.columns)
    if missing:
        raise ValueError(f"panel lacks the column(s) {sorted(missing)}")
    # a panel crossing 1 July 2025 arrives continued (docs/methods.md): the caller applies the convention
    # (iso18091lab.intake.lineage.continued_panel, in iso18091lab.summaries.effectiveness)
    y = _checked_numbers(panel[outcome], outcome)
    year = _checked_numbers(panel["year"], "year")
    for column in ("round", "pilot_start", "pilot_start_round"):
        if column in panel:
            _checked_numbers(panel[column], column)
    keep = ~np.isnan(y) & ~np.isnan(year)
    if not keep.any():
        raise NotEstimable("no_scores", "no scores in the panel")
    unscored = _unscored_bodies(panel, keep)
    data = panel[keep]
    y, year = y[keep], year[keep]
    round_ = _numbers(data["round"]) if "round" in data else np.ones(len(data))
    round_ = np.where(np.isnan(round_), 1.0, round_)
    wave = wave_order(year, round_)
    if len(np.unique(wave)) < 2:
        raise NotEstimable("one_wave", "only one assessment wave", wave=wave_label(year[0], round_[0], False))
    if "group" not in data or data["group"].isna().all():
        raise NotEstimable("no_groups", "no pilot/comparison groups (no units table)")
    group = _text(data["group"])
    province, body = _text(data["province"]), _text(data["body_id"])
    level = _text(data["level"]) if "level" in data else np.full(len(data), "", dtype=object)
    label = _text(data["body_label"]) if "body_label" in data else body
    # the province whose map a wave is on (a continued panel: the former province before the reform)
    wave_province = _text(data["wave_province"]) if "wave_province" in data else province
    start_year = _numbers(data["pilot_start"]) if "pilot_start" in data else np.full(len(data), np.nan)
    start_round = _numbers(data["pilot_start_round"]) if "pilot_start_round" in data else np.ones(len(data))
    start_round = np.where(np.isnan(start_round), 1.0, start_round)
    start_wave = wave_order(start_year, start_round)
    # one row per body-wave, sorted by (province, body_id, wave); exact repeats collapse, conflicting ones raise
    _, p_code = np.unique(province, return_inverse=True)
    _, b_code = np.unique(body, return_inverse=True)
    order = np.lexsort((np.arange(len(y)), wave, b_code, p_code))
    starts, ends = _runs(p_code[order], b_code[order], wave[order])
    head = order[starts]
    cell_y = np.add.reduceat(y[order], starts) / (ends - starts)
    spread = np.maximum.reduceat(y[order], starts) - np.minimum.reduceat(y[order], starts)
    if (spread > 1e-9 * (1 + np.abs(cell_y))).any():
        bad = np.flatnonzero(spread > 1e-9 * (1 + np.abs(cell_y)))
        shown = "; ".join(f"{province[head[i]]} / {body[head[i]]} / {wave_label(year[head[i]], round_[head[i]])}: "
                          f"{_shown(y[order][starts[i]:ends[i]])}" for i in bad[:5])
        raise ValueError(f"column {outcome!r}: {len(bad)} body-wave(s) have conflicting values (one row per body "
                         f"and wave is expected): {shown}")
    cell_start = _first_valid(start_wave[order], starts, ends)
    cell_wave, cell_p, cell_b = wave[head], p_code[head], b_code[head]
    _, cell_wp = np.unique(wave_province[head], return_inverse=True)
    # one row per body (its first row is its earliest wave)
    b_starts, b_ends = _runs(cell_p, cell_b)
    first_cell = head[b_starts]
    bodies = {"province": province[first_cell], "body_id": body[first_cell], "body_label": label[first_cell],
              "group": group[first_cell], "level": level[first_cell],
              "start_wave": _first_valid(cell_start, b_starts, b_ends), "first_wave": cell_wave[b_starts]}
    is_pilot = bodies["group"] == "pilot"
    is_comp = bodies["group"] == "comparison"
    has_start = ~np.isnan(bodies["start_wave"])
    excluded, dropped = [], np.zeros(len(b_starts), bool)
    for reason, mask in (("no_group", ~is_pilot & ~is_comp), ("no_start", is_pilot & ~has_start),
                         ("no_pre_wave", is_pilot & has_start & (bodies["first_wave"] >= bodies["start_wave"]))):
        for i in np.flatnonzero(mask):
            excluded.append({"province": bodies["province"][i], "body_id": bodies["body_id"][i],
                             "body_label": bodies["body_label"][i], "group": bodies["group"][i], "reason": reason})
        dropped |= mask
    excluded = pd.DataFrame(excluded + unscored, columns=EXCLUSION_COLUMNS)
    if not is_pilot.any():
        raise NotEstimable("no_pilot", "no pilot bodies")
    if not is_comp.any() and require_comparison:
        raise NotEstimable("no_comparison", "no comparison bodies")
    if not (is_pilot & ~dropped).any():
        raise NotEstimable("no_pre_wave", "no pilot body was assessed before its start")
    blocks, skipped = [], []
    body_of_cell = np.repeat(np.arange(len(b_starts)), b_ends - b_starts)
    for p in np.unique(cell_p[b_starts][~dropped]):
        members = np.flatnonzero((cell_p[b_starts] == p) & ~dropped)
        cells = np.flatnonzero(np.isin(body_of_cell, members))
        positions = np.unique(cell_wave[cells])  # the waves, in order
        first_of_wave = head[cells][np.unique(cell_wave[cells], return_index=True)[1]]
        wave_year, wave_round = year[first_of_wave], round_[first_of_wave]
        several = {y_: len(np.unique(wave_round[wave_year == y_])) > 1 for y_ in np.unique(wave_year)}
        labels = [wave_label(y_, r_, several[y_]) for y_, r_ in zip(wave_year, wave_round)]
        # columns: (wave, province of the wave's map) — one per wave unless former provinces differ
        keys, col = np.unique(np.stack([cell_wave[cells], cell_wp[cells].astype(float)], axis=1), axis=0,
                              return_inverse=True)
        col = col.ravel()
        waves = keys[:, 0]
        pos = np.searchsorted(positions, waves)
        row = np.searchsorted(members, body_of_cell[cells])
        values = np.full((len(members), len(waves)), np.nan)
        values[row, col] = cell_y[cells]
        pilot = is_pilot[members]
        start_at = np.where(np.isnan(bodies["start_wave"][members]), np.inf, bodies["start_wave"][members])
        start = np.where(pilot, np.searchsorted(positions, start_at, side="left"), len(positions))
        block = _Block(str(bodies["province"][members[0]]), waves, [labels[i] for i in pos],
                       bodies["body_id"][members], bodies["level"][members].astype(str), pilot, start, values,
                       ~np.isnan(values), pos, labels)
        if not pilot.any():
            skipped.append((block.province, "no_pilot"))
        elif pilot.all() and require_comparison:
            skipped.append((block.province, "no_comparison"))
        elif not block.treated.any():
            skipped.append((block.province, "no_post_wave"))
        else:
            blocks.append(block)
    if not blocks:
        reasons = [r for _, r in skipped]
        reason = "no_post_wave" if "no_post_wave" in reasons else ("no_comparison" if "no_comparison" in reasons
                                                                   else "no_pilot")
        raise NotEstimable(reason, f"no province has what the comparison needs ({', '.join(reasons)})")
    n_pilot = sum(int(b.pilot.sum()) for b in blocks)
    n_comparison = sum(int((~b.pilot).sum()) for b in blocks)
    first = cell_y[b_starts]
    sd = float(pd.Series(first).std(ddof=1)) if len(first) > 1 else float("nan")
    return _Prepared(blocks, excluded, skipped, n_pilot, n_comparison, sd if sd > 0 else float("nan"))


def start_cohort_sizes(prepared: _Prepared) -> pd.DataFrame:
    """Pilot bodies per start cohort (province × first wave under the pilot) among the bodies that enter."""
    rows = []
    for block in prepared.blocks:
        treated_in_data = block.pilot & (block.start < block.n_positions)
        starts, counts = np.unique(block.start[treated_in_data], return_counts=True)
        rows += [{"province": block.province, "start": block.position_labels[s], "n_pilot": int(n)}
                 for s, n in zip(starts, counts)]
    return pd.DataFrame(rows, columns=["province", "start", "n_pilot"])


def pilot_exclusions(panel: pd.DataFrame, outcome: str = "score") -> pd.DataFrame:
    """Pilot bodies (and bodies without a group) that cannot enter the comparison, with the reason:
    ``no_pre_wave`` (not assessed before its first wave under the pilot), ``no_start``, ``no_group``."""
    try:
        return _prepare(panel, outcome, require_comparison=False).excluded
    except NotEstimable:
        return pd.DataFrame(columns=EXCLUSION_COLUMNS)
