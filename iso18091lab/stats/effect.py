"""Did the pilot work? Pilot-vs-comparison estimators for staggered pilots, and pre/post tests.

The design: pilot bodies and comparison bodies (ISO 9001 only) in each province, pilots starting in different
assessment waves (year, round), effects that may grow with time, province-wide shocks. A pilot body-wave is
*under the pilot* when (year, round) >= (pilot_start, pilot_start_round) — :func:`descriptive.under_pilot`, the
one timing rule. Every comparison stays **within province** (province × wave effects).

* :func:`imputation_att` — **the headline**: the average effect on the pilot body-waves under the pilot (ATT),
  each treated body-wave weighing the same, by the imputation estimator (Borusyak, Jaravel & Spiess 2024):
  body effects and province × wave effects fitted on the untreated body-waves only, each treated outcome
  compared with its imputed untreated value. Standard error: BJS Theorem 3 (conservative, clustered by body)
  in closed form (the estimator is linear in the outcomes); p-value by re-assigning pilot status *and* start
  waves among the bodies of each province × level stratum (Monte Carlo, p = (1 + extreme) / (1 + draws)).
* :func:`event_study` — effects by waves since each body's first wave under the pilot, all pre-pilot waves as
  placebo estimates (BJS test: leads on the untreated body-waves, reference = the wave just before), and the
  joint pre-trend test (cluster-robust Wald F, as diff-diff's ``ImputationDiD.pretrend_test``).
* :func:`callaway_santanna` — Callaway & Sant'Anna (2021) with not-yet-treated controls (point estimate; a
  cross-check).
* :func:`did_within_province` — two-way fixed effects (body + province × wave) with SE clustered by body: a
  labelled secondary estimate (a variance-weighted average, not the ATT, when starts are staggered or effects
  change over time).
* :func:`pre_post`, :func:`wilcoxon_signed_rank`, :func:`hodges_lehmann`, :func:`bootstrap_mean_change` — pilot
  bodies' last wave before the start against their waves under the pilot, with rank tests as R reports them.
* :func:`bh_qvalues`, :func:`effectiveness_table`.

Panels are tidy: one row per body (``body_id``) and wave (``year``, ``round``) with ``province``, ``group``,
``pilot_start``, ``pilot_start_round``, the outcome, and optionally ``level`` and ``body_label``. Every function
raises a ``ValueError`` — :class:`iso18091lab.stats.NotEstimable` with a report reason where the data cannot
support the analysis — on empty or invalid input.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

from iso18091lab.catalog import indicator_order
from iso18091lab.stats import NotEstimable, method_part, method_token
from iso18091lab.stats.descriptive import wave_label, wave_order
from iso18091lab.stats.verdict import MIN_PILOTS_PER_START  # noqa: F401 (the rule's threshold; public here too)


# --------------------------------------------------------------------------- results

@dataclass
class EffectResult:
    """An estimate with its uncertainty, the method, and the sample (bodies)."""

    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    method: str  # the method's key and values (:func:`iso18091lab.stats.method_token`), worded by i18n
    n_pilot: int
    n_comparison: int
    se: float = float("nan")
    effect_size: float = float("nan")  # estimate / SD of the outcome among bodies in their first wave
    confidence: float = 0.95
    inference: str = ""  # "bjs" or "randomization" for the headline estimator (which procedure gave CI and p)
    p_min: float = float("nan")  # smallest p the design allows (randomization inference)
    n_assignments: float = float("nan")  # distinct assignments re-assigning pilot status within strata
    details: dict = field(default_factory=dict, repr=False)


def _as_differences(x, y=None) -> np.ndarray:
    try:
        d = np.asarray(x, dtype=float) - (0.0 if y is None else np.asarray(y, dtype=float))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"differences must be numbers: {exc}") from None
    if d.ndim != 1:
        raise ValueError("x (and y) must be one-dimensional and of the same length")
    return d[~np.isnan(d)]


# --------------------------------------------------------------------------- rank tests as R reports them

@dataclass
class WilcoxonResult:
    statistic: float  # V: sum of the ranks of the positive differences (as R's wilcox.test)
    p_value: float
    n: int  # non-zero differences used
    n_zeros: int
    method: str


def _signrank_counts(n: int) -> np.ndarray:
    """Number of sign patterns giving V = 0..n(n+1)/2 for n untied non-zero differences."""
    counts = np.zeros(n * (n + 1) // 2 + 1)
    counts[0] = 1
    for i in range(1, n + 1):
        shifted = np.zeros_like(counts)
        shifted[i:] = counts[:-i]
        counts = counts + shifted
    return counts


def _signrank_cdf(n: int) -> np.ndarray:
    """P(V <= v), v = 0..n(n+1)/2 (R ``psignrank``)."""
    return np.cumsum(_signrank_counts(n)) / 2 ** n


def _tie_sigma(abs_d: np.ndarray) -> float:
    n = len(abs_d)
    _, ties = np.unique(stats.rankdata(abs_d), return_counts=True)
    return math.sqrt(n * (n + 1) * (2 * n + 1) / 24 - (ties ** 3 - ties).sum() / 48)


def wilcoxon_signed_rank(x, y=None, correct: bool = True, exact: bool | None = None) -> WilcoxonResult:
    """Two-sided paired Wilcoxon signed-rank test of ``x - y`` (or ``x``) against 0, as R
    ``wilcox.test(x, y, paired = TRUE)`` computes it: zero differences are dropped; the exact distribution when
    n < 50 and there are neither ties nor zeros; otherwise the normal approximation with the tie-corrected
    variance and (``correct=True``, R's default) the continuity correction. ``method`` says which was used."""
    d = _as_differences(x, y)
    n_zeros = int((d == 0).sum())
    d = d[d != 0]
    n = len(d)
    if n == 0:
        raise NotEstimable("too_few_differences", "every difference is zero or missing", n=0, min=1)
    ranks = stats.rankdata(np.abs(d))
    v = float(ranks[d > 0].sum())
    ties = len(np.unique(ranks)) < n
    if exact is None:
        exact = n < 50
    if exact and not ties and not n_zeros:
        cdf = _signrank_cdf(n)
        if v > n * (n + 1) / 4:
            p = 1 - cdf[int(v) - 1]
        else:
            p = cdf[int(v)]
        return WilcoxonResult(v, float(min(1.0, 2 * p)), n, 0, method_token("wilcoxon_exact"))
    z = v - n * (n + 1) / 4
    sigma = _tie_sigma(np.abs(d))
    if sigma == 0:
        raise NotEstimable("too_few_differences", "the signed-rank variance is zero", n=n, min=2)
    correction = 0.5 * np.sign(z) if correct else 0.0
    z = (z - correction) / sigma
    p = float(min(1.0, 2 * min(stats.norm.cdf(z), stats.norm.sf(z))))
    name = method_token("wilcoxon_normal_cc" if correct else "wilcoxon_normal", why=_why(n_zeros, ties))
    return WilcoxonResult(v, p, n, n_zeros, name)


def _why(n_zeros: int, ties: bool) -> list[dict]:
    """Why a rank test used the normal approximation: zero differences dropped, ties (method parts)."""
    return ([method_part("zeros_dropped", n=n_zeros)] if n_zeros else []) + ([method_part("ties")] if ties else [])


@dataclass
class HodgesLehmannResult:
    estimate: float
    ci_low: float
    ci_high: float
    achieved_confidence: float
    n: int
    method: str


def hodges_lehmann(x, y=None, confidence: float = 0.95, correct: bool = True) -> HodgesLehmannResult:
    """Hodges–Lehmann estimate of the (pseudo)median of ``x - y`` (paired; or of ``x``) with its CI, as R
    ``wilcox.test(conf.int = TRUE)``: zero differences dropped; without ties or zeros (n < 50) the median of the
    Walsh averages and the exact CI (order statistics at ``qsignrank``); otherwise the asymptotic CI by
    inverting the normal approximation with continuity correction, and the estimate where the uncorrected
    statistic crosses 0 (R finds these roots with ``uniroot(tol = 1e-4)``; here they are exact)."""
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    d = _as_differences(x, y)
    n_zeros = int((d == 0).sum())
    d = d[d != 0]
    n = len(d)
    if n < 2:
        raise NotEstimable("too_few_differences", "Hodges-Lehmann needs at least 2 non-zero differences", n=n, min=2)
    alpha = 1 - confidence
    ties = len(np.unique(np.abs(d))) < n
    if n < 50 and not ties and not n_zeros:
        i, j = np.triu_indices(n)
        walsh = np.sort((d[i] + d[j]) / 2)
        m = len(walsh)
        cdf = _signrank_cdf(n)
        qu = max(int(np.searchsorted(cdf, alpha / 2 - 1e-12)), 1)  # R: qsignrank(alpha/2, n), at least 1
        ql = m - qu
        achieved = 1 - 2 * cdf[qu - 1]
        return HodgesLehmannResult(float(np.median(walsh)), float(walsh[qu - 1]), float(walsh[ql]),
                                   float(achieved), n, method_token("hl_exact"))

    def w(shift, use_correction):
        xd = d - shift
        xd = xd[xd != 0]
        nx = len(xd)
        ranks = stats.rankdata(np.abs(xd))
        zd = ranks[xd > 0].sum() - nx * (nx + 1) / 4
        sigma = _tie_sigma(np.abs(xd))
        corr = 0.5 * np.sign(zd) if use_correction else 0.0
        return (zd - corr) / sigma

    lo_end, hi_end = float(d.min()), float(d.max())

    def root(zq, use_correction):
        f_low, f_high = w(lo_end, use_correction) - zq, w(hi_end, use_correction) - zq
        if f_low <= 0:
            return lo_end
        if f_high >= 0:
            return hi_end
        return float(optimize.brentq(lambda s: w(s, use_correction) - zq, lo_end, hi_end, xtol=1e-12))

    zq = stats.norm.isf(alpha / 2)
    low, high = root(zq, correct), root(-zq, correct)
    estimate = root(0.0, False)
    return HodgesLehmannResult(estimate, low, high, confidence, n,
                               method_token("hl_asymptotic_cc" if correct else "hl_asymptotic", why=_why(n_zeros, ties)))


def bootstrap_mean_change(x, y=None, confidence: float = 0.95, n_resamples: int = 9999,
                          seed: int | None = None) -> EffectResult:
    """Mean of ``x - y`` with a BCa bootstrap CI (scipy.stats.bootstrap)."""
    d = _as_differences(x, y)
    if len(d) < 3:
        raise NotEstimable("too_few_differences", "a bootstrap CI needs at least 3 differences", n=len(d), min=3)
    if np.all(d == d[0]):
        return EffectResult(float(d[0]), float(d[0]), float(d[0]), float("nan"), method_token("mean_change_equal"),
                            len(d), 0, se=0.0, confidence=confidence)
    res = stats.bootstrap((d,), np.mean, confidence_level=confidence, n_resamples=n_resamples, method="BCa",
                          random_state=np.random.default_rng(seed))
    return EffectResult(float(d.mean()), float(res.confidence_interval.low), float(res.confidence_interval.high),
                        float("nan"), method_token("mean_change_bca", resamples=int(n_resamples)), len(d), 0,
                        se=float(res.standard_error), effect_size=float(d.mean() / d.std(ddof=1)),
                        confidence=confidence)


# --------------------------------------------------------------------------- the panel, per province

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


# --------------------------------------------------------------------------- two-way FE on a masked panel

def _wave_components(m: np.ndarray) -> np.ndarray:
    """(…, B, T) masks -> (…, T) component label of every wave: the smallest wave index linked to it through
    bodies with fitted cells in both (a wave without fitted cells is its own component). Transitive closure by
    repeated boolean squaring of the wave adjacency, so a batch of masks costs a few (T x T) products."""
    mf = m.astype(float)
    n_t = m.shape[-1]
    reach = (np.swapaxes(mf, -1, -2) @ mf) > 0
    reach |= np.eye(n_t, dtype=bool)
    for _ in range(max(int(np.ceil(np.log2(max(n_t, 2)))), 1)):
        reach = (reach.astype(float) @ reach.astype(float)) > 0
    return np.argmax(reach, axis=-1)


def _fe_solve(m: np.ndarray, zb: np.ndarray, zt: np.ndarray):
    """Solve the normal equations of body + wave effects on the cells where ``m`` is True, exactly.

    ``m``: (…, B, T) boolean; right-hand sides ``zb`` (…, B, K) and ``zt`` (…, T, K) — for a least-squares fit of
    ``y`` they are its body and wave sums over the cells. Body effects are eliminated, which leaves T x T normal
    equations for the wave effects; they are singular (one direction per connected component of the body-wave
    design), so one wave effect per component is fixed at 0 and the rest solved by LU on a non-singular system —
    not a pseudo-inverse, whose cutoff can keep a round-off eigenvalue (the ``mpdta`` failure). Returns body
    parts (…, B, K), wave parts (…, T, K), the component label of each wave (…, T), and which bodies / waves
    have cells. Within a component, ``gb_i + gt_t`` is unique."""
    mf = m.astype(float)
    n_b = mf.sum(-1)
    n_t = mf.sum(-2)
    inv_n = np.where(n_b > 0, 1.0 / np.maximum(n_b, 1), 0.0)
    scaled_t = np.swapaxes(mf * inv_n[..., None], -1, -2)
    a = -scaled_t @ mf
    idx = np.arange(a.shape[-1])
    a[..., idx, idx] += n_t
    rhs = zt - scaled_t @ zb
    label = _wave_components(m)
    fixed = label == idx  # one wave per component (its first) is the reference: its effect is 0
    a = np.where(fixed[..., :, None] | fixed[..., None, :], 0.0, a)
    a[..., idx, idx] = np.where(fixed, 1.0, a[..., idx, idx])
    rhs = np.where(fixed[..., None], 0.0, rhs)
    gt = np.linalg.solve(a, rhs)
    gb = (zb - mf @ gt) * inv_n[..., None]
    return gb, gt, label, n_b > 0, n_t > 0


def _fit_masked(y: np.ndarray, m: np.ndarray):
    """Least-squares body + wave effects of ``y`` (B, T) fitted on the cells where ``m`` is True.

    ``m``: (B, T) or (P, B, T) — P masks at once (one per permutation). Returns alpha (…, B), lambda (…, T),
    which bodies / waves have fitted cells, and the component label of each wave (…, T); see :func:`_fe_solve`."""
    ym = np.where(m, np.nan_to_num(y), 0.0)
    gb, gt, label, body_ok, wave_ok = _fe_solve(m, ym.sum(-1)[..., None], ym.sum(-2)[..., None])
    return gb[..., 0], gt[..., 0], body_ok, wave_ok, label


def _body_components(m: np.ndarray, label: np.ndarray) -> np.ndarray:
    """(…, B, T) masks and (…, T) wave labels -> (…, B) component of each body (that of its first fitted wave;
    -1 for a body without fitted cells)."""
    first = np.argmax(m, axis=-1)
    body_label = np.take_along_axis(label, first, axis=-1) if label.ndim > 1 else label[first]
    return np.where(m.any(axis=-1), body_label, -1)


# --------------------------------------------------------------------------- the imputation estimator

@dataclass
class _Imputed:
    block: _Block
    treated: np.ndarray  # (B, T) treated and imputable
    not_imputable: np.ndarray  # (B, T) treated but not imputable
    tau: np.ndarray  # (B, T) effect where treated
    resid: np.ndarray  # (B, T) residual where untreated
    event: np.ndarray  # (B, T) wave index - start


def _impute(block: _Block) -> _Imputed:
    treated = block.treated
    m0 = block.obs & ~treated
    alpha, lam, body_ok, wave_ok, label = _fit_masked(block.y, m0)
    fitted = alpha[:, None] + lam[None, :]
    linked = _body_components(m0, label)[:, None] == label[None, :]
    ok = treated & body_ok[:, None] & wave_ok[None, :] & linked
    tau = np.where(ok, block.y - fitted, np.nan)
    resid = np.where(m0, block.y - fitted, np.nan)
    event = block.pos[None, :] - block.start[:, None]
    return _Imputed(block, ok, treated & ~ok, tau, resid, event)


def _bjs_se(fits: list[_Imputed], weights: list[np.ndarray], leave_one_out: bool) -> np.ndarray:
    """BJS (2024) Theorem 3 conservative SE, clustered by body, for K estimands at once.

    ``weights[j]``: (B, T, K) weights of block j's treated cells (each estimand's weights sum to 1 over all
    blocks). The estimator is linear in the outcomes: the untreated cells' weights are
    v0 = -X0 (X0'X0)^+ X1' w1. Treated residuals are tau minus its cohort x horizon mean (``leave_one_out``:
    rescaled by n_g / (n_g - 1), BJS Supplementary Appendix A.9)."""
    total = None
    for fit, w in zip(fits, weights):
        block = fit.block
        n_b = block.y.shape[0]
        m0 = block.obs & ~block.treated
        i0, t0 = np.nonzero(m0)
        i1, t1 = np.nonzero(fit.treated)
        w1 = w[i1, t1]  # (n1, K)
        # v0 = -X0 g with g solving X0'X0 g = X1'w1 (X0, X1: body + wave dummies), by the exact FE solver
        w_treated = np.where(fit.treated[..., None], w, 0.0)
        gb, gt, *_ = _fe_solve(m0, w_treated.sum(axis=1), w_treated.sum(axis=0))
        v0 = -(gb[i0] + gt[t0])
        tau = fit.tau[i1, t1]
        groups = pd.factorize(pd.Series(list(zip(block.start[i1], fit.event[i1, t1]))))[0]
        sizes = np.bincount(groups)
        means = np.bincount(groups, weights=tau) / sizes
        e1 = tau - means[groups]
        if leave_one_out:
            e1 = e1 * np.where(sizes[groups] > 1, sizes[groups] / np.maximum(sizes[groups] - 1, 1), 1.0)
        e0 = fit.resid[i0, t0]
        scores = np.zeros((n_b, w.shape[-1]))
        np.add.at(scores, i0, v0 * e0[:, None])
        np.add.at(scores, i1, w1 * e1[:, None])
        part = (scores ** 2).sum(axis=0)
        total = part if total is None else total + part
    return np.sqrt(total)


def _strata_codes(block: _Block) -> np.ndarray:
    """Stratum of each body within its province: its level; a blank level is a stratum of its own."""
    return pd.factorize(pd.Series(block.levels).fillna(""))[0]


#: Randomization inference enumerates every distinct assignment when there are at most this many; above, it
#: draws ``n_permutations`` of them at random.
EXACT_LIMIT = 20000


def _assignment_codes(block: _Block) -> np.ndarray:
    """Each body's assignment as one code: (start wave index, pilot)."""
    return block.start.astype(np.int64) * 2 + block.pilot.astype(np.int64)


def _multiset_permutations(codes: np.ndarray) -> np.ndarray:
    """Every distinct ordering of a multiset of codes, (N, n), in lexicographic order."""
    values, counts = np.unique(codes, return_counts=True)
    out, current = [], np.empty(len(codes), dtype=codes.dtype)

    def fill(pos: int) -> None:
        if pos == len(codes):
            out.append(current.copy())
            return
        for k, value in enumerate(values):
            if counts[k]:
                counts[k] -= 1
                current[pos] = value
                fill(pos + 1)
                counts[k] += 1

    fill(0)
    return np.array(out, dtype=codes.dtype).reshape(len(out), len(codes))


def _n_assignments(blocks: list[_Block]) -> float:
    """How many distinct assignments re-assigning (pilot status, start) within province × level strata gives
    (a float: it can exceed any integer type)."""
    log_n = 0.0
    for block in blocks:
        codes, strata = _assignment_codes(block), _strata_codes(block)
        for s in np.unique(strata):
            _, counts = np.unique(codes[strata == s], return_counts=True)
            log_n += math.lgamma(counts.sum() + 1) - sum(math.lgamma(c + 1) for c in counts)
    return float(round(math.exp(log_n))) if log_n < 700 else float("inf")


def _all_assignments(block: _Block) -> np.ndarray:
    """(N_b, B) every distinct assignment of the block's codes within its strata."""
    codes, strata = _assignment_codes(block), _strata_codes(block)
    parts = [(np.flatnonzero(strata == s), None) for s in np.unique(strata)]
    parts = [(members, _multiset_permutations(codes[members])) for members, _ in parts]
    grid = np.indices([len(perms) for _, perms in parts]).reshape(len(parts), -1)
    out = np.tile(codes, (grid.shape[1], 1))
    for k, (members, perms) in enumerate(parts):
        out[:, members] = perms[grid[k]]
    return out


def _random_assignments(block: _Block, n: int, rng: np.random.Generator) -> np.ndarray:
    """(n, B) assignments drawn by shuffling the codes within each stratum."""
    codes, strata = _assignment_codes(block), _strata_codes(block)
    out = np.tile(codes, (n, 1))
    for s in np.unique(strata):
        members = np.flatnonzero(strata == s)
        if len(members) > 1:
            order = rng.random((n, len(members))).argsort(axis=1)
            out[:, members] = codes[members][order]
    return out


def _assignment_sums(block: _Block, codes: np.ndarray, outcomes: list[np.ndarray], chunk: int = 256):
    """For each assignment (rows of ``codes``): the imputation estimator's sum of treated effects for each
    outcome (K, P) and the number of imputable treated cells (P,)."""
    widx = block.pos
    sums = np.zeros((len(outcomes), len(codes)))
    counts = np.zeros(len(codes))
    for lo in range(0, len(codes), chunk):
        c = codes[lo:lo + chunk]
        pilot, start = (c % 2).astype(bool), c // 2
        d = pilot[:, :, None] & (widx[None, None, :] >= start[:, :, None]) & block.obs[None]
        m0 = block.obs[None] & ~d
        ys = np.stack([np.nan_to_num(y) for y in outcomes], axis=-1)  # (B, T, K)
        ym = np.where(m0[..., None], ys[None], 0.0)
        alpha, lam, label, body_ok, wave_ok = _fe_solve(m0, ym.sum(axis=2), ym.sum(axis=1))
        linked = _body_components(m0, label)[:, :, None] == label[:, None, :]
        ok = d & body_ok[:, :, None] & wave_ok[:, None, :] & linked
        counts[lo:lo + chunk] = ok.sum(axis=(1, 2))
        tau = np.where(ok[..., None], ys[None] - alpha[:, :, None, :] - lam[:, None, :, :], 0.0)
        sums[:, lo:lo + chunk] = tau.sum(axis=(1, 2)).T
    return sums, counts


@dataclass
class RandomizationResult:
    """Randomization inference for the ATT: the statistic under every assignment considered, and what follows.

    ``a``/``b``: the ATT of the outcome and of the observed treatment indicator under each assignment, so that
    the statistic under H0: effect = c is ``a - c b`` (the estimator is linear in the outcome). ``exact``: every
    distinct assignment was enumerated (the observed one among them); otherwise ``a``/``b`` are random draws and
    the observed assignment is added once (p = (1 + extreme) / (1 + draws))."""

    observed: float
    a: np.ndarray
    b: np.ndarray
    exact: bool
    n_assignments: float  # distinct assignments the design allows

    @property
    def p_min(self) -> float:
        """The smallest p-value the design allows: 1 / (number of distinct assignments)."""
        return 1.0 / self.n_assignments if self.n_assignments > 0 else float("nan")

    def p_value(self, c: float = 0.0) -> float:
        """Two-sided p of H0: every pilot body-wave's effect is ``c``."""
        extra = 0 if self.exact else 1
        t_obs = abs(self.observed - c)
        extreme = np.abs(self.a - c * self.b) >= t_obs - 1e-9 * (1 + t_obs)
        return (extra + int(extreme.sum())) / (extra + len(self.a))

    def interval(self, confidence: float = 0.95) -> tuple[float, float]:
        """The values c not rejected at level 1 − confidence (p(c) ≥ alpha), as an interval (its hull; ±inf
        where no value far out is rejected). Exact: p(c) only changes where |a − c b| = |observed − c|, so it is
        counted on every piece between those points (one sweep, no grid)."""
        alpha = 1 - confidence
        extra = 0 if self.exact else 1
        total = extra + len(self.a)
        lo, hi = _acceptance_sets(self.a, self.b, self.observed)
        points = np.unique(np.concatenate([lo, hi]))
        points = points[np.isfinite(points)]
        lo_sorted, hi_sorted = np.sort(lo), np.sort(hi)
        # count on the open pieces (-inf, x0), (x0, x1), ..., (x_last, inf) and at the points themselves
        on_piece = np.concatenate([[np.sum(np.isneginf(lo))],
                                   np.searchsorted(lo_sorted, points, "right") - np.searchsorted(hi_sorted, points, "right")])
        at_point = np.searchsorted(lo_sorted, points, "right") - np.searchsorted(hi_sorted, points, "left")
        keep_piece = (extra + on_piece) / total >= alpha - 1e-12
        keep_point = (extra + at_point) / total >= alpha - 1e-12
        left = np.concatenate([[-np.inf], points])
        right = np.concatenate([points, [np.inf]])
        candidates_low = np.concatenate([left[keep_piece], points[keep_point]])
        candidates_high = np.concatenate([right[keep_piece], points[keep_point]])
        if not len(candidates_low):
            return self.observed, self.observed
        return float(candidates_low.min()), float(candidates_high.max())


def _acceptance_sets(a: np.ndarray, b: np.ndarray, observed: float) -> tuple[np.ndarray, np.ndarray]:
    """For each assignment j, the c where |a_j − c b_j| ≥ |observed − c|, as closed intervals (lo, hi).

    The set is {q_j(c) ≥ 0} with q_j(c) = (b² − 1) c² − 2 (a b − observed) c + (a² − observed²): outside the
    roots when b² > 1 (two intervals), between them when b² < 1, a half-line when b² = 1. Returns flat arrays of
    interval ends (an assignment may give 0, 1 or 2 intervals)."""
    k = b * b - 1.0
    h = a * b - observed
    m = a * a - observed * observed
    los, his = [], []
    linear = np.abs(k) < 1e-12
    # linear: -2 h c + m >= 0
    lin_h, lin_m = h[linear], m[linear]
    flat = np.abs(lin_h) < 1e-12
    everywhere = flat & (lin_m >= -1e-12)
    los.append(np.full(int(everywhere.sum()), -np.inf))
    his.append(np.full(int(everywhere.sum()), np.inf))
    up = ~flat & (lin_h < 0)  # c >= m / (2h)
    los.append(lin_m[up] / (2 * lin_h[up]))
    his.append(np.full(int(up.sum()), np.inf))
    down = ~flat & (lin_h > 0)  # c <= m / (2h)
    los.append(np.full(int(down.sum()), -np.inf))
    his.append(lin_m[down] / (2 * lin_h[down]))
    kq, hq, mq = k[~linear], h[~linear], m[~linear]
    disc = hq * hq - kq * mq
    real = disc >= 0
    root = np.sqrt(np.where(real, disc, 0.0))
    r1 = np.where(real, (hq - root) / np.where(kq == 0, 1, kq), np.nan)
    r2 = np.where(real, (hq + root) / np.where(kq == 0, 1, kq), np.nan)
    r_lo, r_hi = np.minimum(r1, r2), np.maximum(r1, r2)
    outside = kq > 0
    # b^2 > 1: everywhere when no real root, else (-inf, r_lo] and [r_hi, inf)
    all_out = outside & ~real
    los.append(np.full(int(all_out.sum()), -np.inf))
    his.append(np.full(int(all_out.sum()), np.inf))
    two = outside & real
    los.extend([np.full(int(two.sum()), -np.inf), r_hi[two]])
    his.extend([r_lo[two], np.full(int(two.sum()), np.inf)])
    # b^2 < 1: [r_lo, r_hi] when real roots, else empty
    inside = ~outside & real
    los.append(r_lo[inside])
    his.append(r_hi[inside])
    return np.concatenate(los), np.concatenate(his)


def randomization_inference(prepared: _Prepared, observed: float, n_permutations: int, seed: int | None,
                            exact_limit: int = EXACT_LIMIT) -> RandomizationResult:
    """Re-assign (pilot status, start wave) among the bodies of every province × level stratum and recompute the
    imputation ATT of the outcome and of the observed treatment indicator under each assignment: every distinct
    assignment when there are at most ``exact_limit``, else ``n_permutations`` random ones."""
    blocks = prepared.blocks
    n_total = _n_assignments(blocks)
    exact = n_total <= exact_limit
    sums = np.zeros(0)
    if exact:
        per_block = []
        for block in blocks:
            d_obs = block.treated.astype(float)
            s, c = _assignment_sums(block, _all_assignments(block), [block.y, d_obs])
            per_block.append((s, c))
        grid = np.indices([len(c) for _, c in per_block]).reshape(len(per_block), -1)
        sums = sum(s[:, grid[j]] for j, (s, _) in enumerate(per_block))
        counts = sum(c[grid[j]] for j, (_, c) in enumerate(per_block))
    else:
        rng = np.random.default_rng(seed)
        sums, counts = np.zeros((2, n_permutations)), np.zeros(n_permutations)
        for block in blocks:
            s, c = _assignment_sums(block, _random_assignments(block, n_permutations, rng),
                                    [block.y, block.treated.astype(float)])
            sums += s
            counts += c
    valid = counts > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        a, b = sums[0][valid] / counts[valid], sums[1][valid] / counts[valid]
    return RandomizationResult(float(observed), a, b, bool(exact), float(n_total))


def start_cohort_sizes(prepared: _Prepared) -> pd.DataFrame:
    """Pilot bodies per start cohort (province × first wave under the pilot) among the bodies that enter."""
    rows = []
    for block in prepared.blocks:
        treated_in_data = block.pilot & (block.start < block.n_positions)
        starts, counts = np.unique(block.start[treated_in_data], return_counts=True)
        rows += [{"province": block.province, "start": block.position_labels[s], "n_pilot": int(n)}
                 for s, n in zip(starts, counts)]
    return pd.DataFrame(rows, columns=["province", "start", "n_pilot"])


INFERENCES = ("auto", "bjs", "randomization")


def imputation_att(panel: pd.DataFrame, outcome: str = "score", confidence: float = 0.95,
                   n_permutations: int = 2000, seed: int | None = None, leave_one_out: bool = True,
                   df: str = "t", inference: str = "auto") -> EffectResult:
    """The headline: the average effect on pilot body-waves under the pilot (ATT), within province.

    Imputation estimator (Borusyak, Jaravel & Spiess 2024): body effects and province × wave effects are fitted
    on the untreated body-waves (comparison bodies, and pilot bodies before their own start); each treated
    body-wave's effect is its outcome minus the imputed untreated outcome; the ATT is their plain mean (each
    treated body-wave weighs the same).

    The CI and the p-value always come from **one** procedure, chosen by the design's size (``inference="auto"``)
    and named in ``inference``:

    * ``"bjs"`` — when every start cohort of every province has at least :data:`MIN_PILOTS_PER_START` pilot
      bodies: BJS Theorem 3 SE clustered by body (``leave_one_out``: their finite-sample refinement), CI and p
      with t on (bodies − 1) df (``df="t"``) or normal (``df="normal"``);
    * ``"randomization"`` — otherwise: (pilot status, start wave) re-assigned among the bodies of each province ×
      level stratum — every distinct assignment when there are at most :data:`EXACT_LIMIT`, else
      ``n_permutations`` random ones, p = (1 + extreme) / (1 + draws) — and the CI by inverting that test under a
      constant effect (the c with p(c) ≥ 1 − confidence). ``p_min`` = 1 / (distinct assignments) is the
      smallest p the design allows: with 3 + 3 bodies over two waves there are 20, so p ≥ 0.05 whatever happens,
      and the CI is unbounded.

    ``n_permutations=0`` skips randomization (``"bjs"`` only). ``details``: ``excluded`` (pilot bodies that
    cannot enter, with the reason), ``skipped_provinces``, ``n_treated`` (body-waves), ``cohorts`` (pilots per
    start cohort), ``bjs`` (the BJS CI and p, whichever procedure is the headline), ``permutations`` (assignments
    used), ``exact``, ``by_province`` (ATT, SE, n per province).

    References
    ----------
    Borusyak, K., Jaravel, X. & Spiess, J. (2024). Revisiting event-study designs: robust and efficient
    estimation. Review of Economic Studies 91(6), 3253–3285.
    Imbens, G. W. & Rubin, D. B. (2015). Causal Inference for Statistics, Social, and Biomedical Sciences,
    ch. 5 (Fisher exact p-values; intervals by inverting sharp-null tests).

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [("A", b, y, g, 2024 if g == "pilot" else None, s)
    ...         for b, g, base in [("p1", "pilot", 50), ("p2", "pilot", 60), ("p3", "pilot", 55),
    ...                            ("c1", "comparison", 52), ("c2", "comparison", 58), ("c3", "comparison", 61)]
    ...         for y, s in [(2023, base), (2024, base + (8 if g == "pilot" else 1))]]
    >>> panel = pd.DataFrame(rows, columns=["province", "body_id", "year", "group", "pilot_start", "score"])
    >>> r = imputation_att(panel)
    >>> r.inference, round(r.estimate, 6), r.p_min, r.p_value >= 0.05
    ('randomization', 7.0, 0.05, True)
    """
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    if df not in ("t", "normal"):
        raise ValueError("df must be 't' or 'normal'")
    if inference not in INFERENCES:
        raise ValueError(f"inference must be one of {INFERENCES}")
    if isinstance(n_permutations, bool) or not isinstance(n_permutations, (int, np.integer)) or n_permutations < 0:
        raise ValueError(f"n_permutations must be a whole number ≥ 0, not {n_permutations!r}")
    prepared = _prepare(panel, outcome)
    fits = [_impute(b) for b in prepared.blocks]
    n1 = sum(int(f.treated.sum()) for f in fits)
    if n1 == 0:
        raise NotEstimable("no_post_wave", "no treated body-wave can be imputed")
    att = sum(np.nansum(f.tau[f.treated]) for f in fits) / n1
    by_province = [{"province": f.block.province, "estimate": float(np.mean(f.tau[f.treated])),
                    "n_treated": int(f.treated.sum())} for f in fits]
    weights = [np.where(f.treated, 1.0 / n1, 0.0)[:, :, None] for f in fits]
    se = float(_bjs_se(fits, weights, leave_one_out)[0])
    n_bodies = prepared.n_pilot + prepared.n_comparison
    crit_df = max(n_bodies - 1, 1)
    crit = stats.t.ppf((1 + confidence) / 2, crit_df) if df == "t" else stats.norm.ppf((1 + confidence) / 2)
    p_bjs = float(2 * (stats.t.sf(abs(att / se), crit_df) if df == "t" else stats.norm.sf(abs(att / se)))) \
        if se > 0 else float("nan")
    bjs = {"ci_low": float(att - crit * se), "ci_high": float(att + crit * se), "p_value": p_bjs, "se": se}
    for row, f in zip(by_province, fits):
        own = np.where(f.treated, 1.0 / row["n_treated"], 0.0)[:, :, None]
        row["se"] = float(_bjs_se([f], [own], leave_one_out)[0])
    cohorts = start_cohort_sizes(prepared)
    smallest = int(cohorts["n_pilot"].min()) if len(cohorts) else 0
    chosen = inference if inference != "auto" else ("bjs" if smallest >= MIN_PILOTS_PER_START else "randomization")
    if n_permutations == 0:
        chosen = "bjs"
    se_part = method_part(f"se_bjs{'_loo' if leave_one_out else ''}_{'t' if df == 't' else 'normal'}",
                          **({"df": int(crit_df)} if df == "t" else {}))
    estimator = method_part("att_imputation")
    n_assign, exact, p_min = _n_assignments(prepared.blocks), False, float("nan")
    if chosen == "bjs":
        low, high, p = bjs["ci_low"], bjs["ci_high"], p_bjs
        draws = 0
        why = (method_part("why_cohorts", min=MIN_PILOTS_PER_START) if smallest >= MIN_PILOTS_PER_START
               else method_part("why_caller"))
        method = method_token("att_bjs", estimator=estimator, se=se_part, why=why)
    else:
        ri = randomization_inference(prepared, att, n_permutations, seed)
        low, high = ri.interval(confidence)
        p, exact, p_min, draws = ri.p_value(0.0), ri.exact, ri.p_min, len(ri.a)
        possible = f"{int(n_assign)}" if n_assign < 1e15 else method_part("more_than_1e15")
        sizes = {"estimator": estimator, "draws": int(draws), "smallest": smallest, "needed": MIN_PILOTS_PER_START}
        method = (method_token("att_ri_exact", **sizes) if exact
                  else method_token("att_ri_mc", possible=possible, **sizes))
    not_imputable = [(f.block.province, f.block.body_ids[i], f.block.wave_labels[t])
                     for f in fits for i, t in zip(*np.nonzero(f.not_imputable))]
    return EffectResult(float(att), float(low), float(high), float(p), method,
                        prepared.n_pilot, prepared.n_comparison, se=se,
                        effect_size=float(att / prepared.baseline_sd), confidence=confidence,
                        inference=chosen, p_min=p_min, n_assignments=n_assign,
                        details={"excluded": prepared.excluded, "skipped_provinces": prepared.skipped,
                                 "n_treated": n1, "p_analytic": p_bjs, "bjs": bjs, "permutations": draws,
                                 "exact": exact, "cohorts": cohorts, "smallest_cohort": smallest,
                                 "by_province": pd.DataFrame(by_province), "not_imputable": not_imputable})


# --------------------------------------------------------------------------- event study and pre-trends

EVENT_STUDY_COLUMNS = ["province", "event_time", "estimate", "ci_low", "ci_high", "n_bodies"]


def _lead_regression(blocks: list[_Block], leads: list[int]):
    """BJS (2024) eq. 9 / diff-diff ``pretrend_test``: on the untreated body-waves, outcome on body FE,
    province × wave FE and dummies for pilot body-waves at event times ``leads`` (reference: event time −1);
    CR1 covariance clustered by body (FE nested in the body clusters not counted). Returns gamma, V, G, N."""
    ys, xs, clusters, n_fe = [], [], [], 0
    offset = 0
    for block in blocks:
        m0 = block.obs & ~block.treated
        event = block.pos[None, :] - block.start[:, None]
        columns = [np.where(m0 & block.pilot[:, None] & (event == h), 1.0, 0.0) for h in leads]
        a, lam, *_ = _fit_masked(block.y, m0)
        i0, t0 = np.nonzero(m0)
        ys.append((block.y - a[:, None] - lam[None, :])[i0, t0])
        resid_x = []
        for c in columns:
            ac, lc, *_ = _fit_masked(c, m0)
            resid_x.append((c - ac[:, None] - lc[None, :])[i0, t0])
        xs.append(np.column_stack(resid_x) if resid_x else np.zeros((len(i0), 0)))
        clusters.append(i0 + offset)
        offset += len(block.body_ids)
        n_fe += int(m0.any(axis=0).sum()) - 1
    y, x, g_ids = np.concatenate(ys), np.vstack(xs), np.concatenate(clusters)
    keep = np.abs(x).sum(axis=0) > 1e-10
    xk = x[:, keep]
    xk_pinv = np.linalg.pinv(xk)  # SVD of xk, not of xk'xk
    xtx_inv = xk_pinv @ xk_pinv.T
    gamma = xk_pinv @ y
    e = y - xk @ gamma
    g = len(np.unique(g_ids))
    scores = np.zeros((offset, xk.shape[1]))
    np.add.at(scores, g_ids, xk * e[:, None])
    n, k = len(y), xk.shape[1] + n_fe + 1
    factor = g / (g - 1) * (n - 1) / max(n - k, 1) if g > 1 else float("nan")
    v = factor * xtx_inv @ (scores.T @ scores) @ xtx_inv
    full_gamma = np.full(len(leads), np.nan)
    full_gamma[keep] = gamma
    full_v = np.full((len(leads), len(leads)), np.nan)
    full_v[np.ix_(keep, keep)] = v
    return full_gamma, full_v, g, n


def _pretrend(blocks: list[_Block]) -> dict:
    leads = sorted({int(h) for b in blocks for h in np.unique(
        (b.pos[None, :] - b.start[:, None])[b.obs & b.pilot[:, None] & ~b.treated]) if h <= -2})
    out = {"leads": leads, "gamma": np.array([]), "cov": np.zeros((0, 0)), "f_stat": float("nan"), "df1": 0,
           "df2": 0, "p_value": float("nan"), "method": method_token("pretrend_bjs")}
    if not leads:
        return out
    gamma, cov, g, _ = _lead_regression(blocks, leads)
    ok = np.isfinite(gamma)
    out.update(gamma=gamma, cov=cov)
    if ok.any() and g > 1:
        sub = cov[np.ix_(ok, ok)]
        try:
            wald = float(gamma[ok] @ np.linalg.solve(sub, gamma[ok]))
        except np.linalg.LinAlgError:
            return out
        q = int(ok.sum())
        out.update(f_stat=wald / q, df1=q, df2=g - 1, p_value=float(stats.f.sf(wald / q, q, g - 1)))
    return out


@dataclass(frozen=True, eq=False)
class EventStudy:
    """The result of :func:`event_study`.

    ``table`` has one row per province (and ``"all"``) and event time: the columns of
    :data:`EVENT_STUDY_COLUMNS` plus ``kind`` and ``se``. ``pretrend`` maps each province (and ``"all"``) to its
    joint pre-trend test: ``f_stat, df1, df2, p_value``, ``method`` (a method token,
    :func:`iso18091lab.stats.method_token`) and ``n_pre_waves``. ``method`` is the method token of the whole
    event study (``event_study_bjs``)."""

    table: pd.DataFrame
    pretrend: dict
    method: str


def event_study(panel: pd.DataFrame, outcome: str = "score", confidence: float = 0.95,
                leave_one_out: bool = True) -> EventStudy:
    """Effects by event time (waves since each body's first wave under the pilot: 0 = first, −1 = the wave just
    before), one set of rows per province and, with several provinces, pooled rows (``province = "all"``).

    Parameters
    ----------
    panel : DataFrame
        Body-wave outcomes (the tidy panel of this module).
    outcome : str
        The outcome column.
    confidence : float
        Confidence level of the intervals (normal critical value).
    leave_one_out : bool
        BJS Theorem 3 SE with the leave-one-out correction of the imputed effects (as diff-diff).

    Returns
    -------
    EventStudy
        ``table``: columns ``province, event_time, estimate, ci_low, ci_high, n_bodies`` plus ``kind``
        (``effect`` for event time ≥ 0: imputation estimates with BJS SE; ``reference`` for −1: 0 by
        construction; ``placebo`` for every earlier pre-pilot wave: BJS lead coefficients) and ``se``.
        ``pretrend`` (per province and pooled): the joint pre-trend test (Wald F on the placebo coefficients,
        CR1 clustered by body) and ``n_pre_waves``. ``method``: the method token.

    References
    ----------
    Borusyak, K., Jaravel, X. & Spiess, J. (2024). Revisiting event-study designs: robust and efficient
    estimation. Review of Economic Studies 91(6), 3253–3285 (Theorem 3; the pre-trend test of section 4.4).

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [("A", f"b{b}", y, "pilot" if b < 4 else "comparison", 2024 if b < 4 else None,
    ...          50 + b + y - 2021 + (5 if b < 4 and y >= 2024 else 0)) for b in range(8) for y in (2022, 2023, 2024)]
    >>> panel = pd.DataFrame(rows, columns=["province", "body_id", "year", "group", "pilot_start", "score"])
    >>> study = event_study(panel)
    >>> study.table[["event_time", "kind"]].values.tolist()
    [[-2, 'placebo'], [-1, 'reference'], [0, 'effect']]
    >>> round(float(study.table.set_index("event_time").at[0, "estimate"]), 6)
    5.0
    >>> study.pretrend["A"]["n_pre_waves"], study.method
    (2, 'event_study_bjs')
    """
    prepared = _prepare(panel, outcome)
    fits = [_impute(b) for b in prepared.blocks]
    crit = stats.norm.ppf((1 + confidence) / 2)
    groups = [(f.block.province, [f]) for f in fits]
    if len(fits) > 1:
        groups.append(("all", fits))
    rows, pretrends = [], {}
    for name, members in groups:
        horizons = sorted({int(h) for f in members for h in f.event[f.treated]})
        weights = []
        for f in members:
            w = np.zeros(f.tau.shape + (len(horizons),))
            weights.append(w)
        for k, h in enumerate(horizons):
            n_h = sum(int((f.treated & (f.event == h)).sum()) for f in members)
            for f, w in zip(members, weights):
                w[..., k] = np.where(f.treated & (f.event == h), 1.0 / n_h, 0.0)
        ses = _bjs_se(members, weights, leave_one_out) if horizons else []
        for k, h in enumerate(horizons):
            cells = [(f, f.treated & (f.event == h)) for f in members]
            est = sum(np.sum(f.tau[c]) for f, c in cells) / sum(int(c.sum()) for _, c in cells)
            n_b = sum(int(c.any(axis=1).sum()) for _, c in cells)
            rows.append({"province": name, "event_time": h, "estimate": est, "ci_low": est - crit * ses[k],
                         "ci_high": est + crit * ses[k], "n_bodies": n_b, "kind": "effect", "se": ses[k]})
        blocks = [f.block for f in members]
        pre = _pretrend(blocks)
        n_ref = sum(int((b.obs & b.pilot[:, None] & ((b.pos[None, :] - b.start[:, None]) == -1))
                        .any(axis=1).sum()) for b in blocks)
        rows.append({"province": name, "event_time": -1, "estimate": 0.0, "ci_low": np.nan, "ci_high": np.nan,
                     "n_bodies": n_ref, "kind": "reference", "se": np.nan})
        for j, h in enumerate(pre["leads"]):
            g, v = pre["gamma"][j], pre["cov"][j, j]
            n_b = sum(int((b.obs & b.pilot[:, None] & ((b.pos[None, :] - b.start[:, None]) == h))
                          .any(axis=1).sum()) for b in blocks)
            se = math.sqrt(v) if np.isfinite(v) and v >= 0 else np.nan
            rows.append({"province": name, "event_time": h, "estimate": g, "ci_low": g - crit * se,
                         "ci_high": g + crit * se, "n_bodies": n_b, "kind": "placebo", "se": se})
        pre_waves = max(int(-(b.pos[None, :] - b.start[:, None])[b.obs & b.pilot[:, None]
                                                                                   & ~b.treated].min())
                        if (b.obs & b.pilot[:, None] & ~b.treated).any() else 0 for b in blocks)
        pretrends[name] = {k: pre[k] for k in ("f_stat", "df1", "df2", "p_value", "method")} | {
            "n_pre_waves": pre_waves}
    table = pd.DataFrame(rows, columns=EVENT_STUDY_COLUMNS + ["kind", "se"])
    table = table.sort_values(["province", "event_time"], key=lambda s: s.map(lambda v: (v == "all", v))
                              if s.name == "province" else s).reset_index(drop=True)
    return EventStudy(table, pretrends, method_token("event_study_bjs"))


# --------------------------------------------------------------------------- Callaway–Sant'Anna (cross-check)

def callaway_santanna(panel: pd.DataFrame, outcome: str = "score") -> EffectResult:
    """Callaway & Sant'Anna (2021) ATT with not-yet-treated controls: a cross-check of the headline.

    Controls are the comparison bodies and the pilots not yet under the pilot; the base wave is the wave before
    each start cohort's first wave, within province; the overall ATT averages ATT(g, t) over post-start cells
    weighted by cohort size ("simple" aggregation). Bodies enter a cell when observed in both its waves. Point
    estimate only (``se``, ``ci_low``, ``ci_high`` are NaN). Checked against diff-diff's
    ``CallawaySantAnna(control_group="not_yet_treated")`` to 1e-8 (``tests/stats/test_effect.py``).

    Parameters
    ----------
    panel : pandas.DataFrame
        Tidy panel, one row per body and wave (see the module docstring).
    outcome : str
        The outcome column.

    Returns
    -------
    EffectResult
        The overall ATT, with the numbers of pilot and comparison bodies.

    References
    ----------
    Callaway, B. & Sant'Anna, P. H. C. (2021). Difference-in-differences with multiple time periods. Journal of
    Econometrics 225(2), 200–230.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [("A", b, y, g, 2024 if g == "pilot" else None, s)
    ...         for b, g, base in [("p1", "pilot", 50), ("p2", "pilot", 60), ("c1", "comparison", 52),
    ...                            ("c2", "comparison", 58)]
    ...         for y, s in [(2023, base), (2024, base + (8 if g == "pilot" else 1))]]
    >>> panel = pd.DataFrame(rows, columns=["province", "body_id", "year", "group", "pilot_start", "score"])
    >>> round(callaway_santanna(panel).estimate, 6)
    7.0
    """
    prepared = _prepare(panel, outcome)
    num = den = 0.0
    for block in prepared.blocks:
        n_t = len(block.waves)
        for g in np.unique(block.start[block.pilot]):
            if g <= 0 or g >= n_t:
                continue
            cohort = block.pilot & (block.start == g)
            size = int(cohort.sum())
            for t in range(g, n_t):
                both = block.obs[:, t] & block.obs[:, g - 1]
                treated = cohort & both
                control = (~block.pilot | (block.start > t)) & both
                if not treated.any() or not control.any():
                    continue
                change = block.y[:, t] - block.y[:, g - 1]
                att_gt = change[treated].mean() - change[control].mean()
                num += size * att_gt
                den += size
    if den == 0:
        raise NotEstimable("no_post_wave", "no cohort has a post-start wave with not-yet-treated controls")
    est = num / den
    return EffectResult(float(est), float("nan"), float("nan"), float("nan"),
                        "Callaway-Sant'Anna ATT, not-yet-treated controls, base = wave before the start, within "
                        "province, simple aggregation (point estimate only)", prepared.n_pilot,
                        prepared.n_comparison, effect_size=float(est / prepared.baseline_sd))


# --------------------------------------------------------------------------- two-way FE (secondary)

def treated(panel: pd.DataFrame) -> np.ndarray:
    """1 for pilot body-waves under the pilot (:func:`descriptive.under_pilot`), else 0."""
    from iso18091lab.stats.descriptive import under_pilot

    if not isinstance(panel, pd.DataFrame):
        raise ValueError("panel must be a pandas DataFrame")
    missing = {"group", "pilot_start", "year"} - set(panel.columns)
    if missing:
        raise ValueError(f"panel lacks the column(s) {sorted(missing)}")
    return under_pilot(panel).astype(float)


def did_within_province(panel: pd.DataFrame, outcome: str = "score", confidence: float = 0.95) -> EffectResult:
    """Two-way fixed effects: outcome on the under-pilot indicator with body FE and province × wave FE; SE
    clustered by body (CR1 counting only the FE not nested in the body clusters, t with G − 1 df). A
    variance-weighted average of effects — not the ATT when starts are staggered or effects change over time;
    shown as a labelled secondary estimate. Its cluster-robust SE is not trustworthy with few treated clusters
    (one pilot gives SE 0): with fewer than :data:`MIN_PILOTS_PER_START` pilot bodies under the pilot it raises
    :class:`NotEstimable` (``too_few``)."""
    prepared = _prepare(panel, outcome)
    n_treated_bodies = sum(int(b.treated.any(axis=1).sum()) for b in prepared.blocks)
    if n_treated_bodies < MIN_PILOTS_PER_START:
        raise NotEstimable("too_few_twfe", "the two-way FE clustered SE needs more pilot bodies under the pilot",
                           n=n_treated_bodies, min=MIN_PILOTS_PER_START)
    num = den = 0.0
    parts = []
    n_fe = 0
    for block in prepared.blocks:
        d = block.treated.astype(float)
        ay, ly, *_ = _fit_masked(block.y, block.obs)
        ad, ld, *_ = _fit_masked(d, block.obs)
        y_t = np.where(block.obs, block.y - ay[:, None] - ly[None, :], 0.0)
        d_t = np.where(block.obs, d - ad[:, None] - ld[None, :], 0.0)
        num += (d_t * y_t).sum()
        den += (d_t * d_t).sum()
        parts.append((y_t, d_t, block.obs))
        n_fe += int(block.obs.any(axis=0).sum()) - 1
    if den < 1e-12:
        raise NotEstimable("no_variation_twfe", "no variation in the pilot indicator after the fixed effects")
    beta = num / den
    scores = np.concatenate([((d_t * (y_t - beta * d_t)) * obs).sum(axis=1) for y_t, d_t, obs in parts])
    g = len(scores)
    n_obs = int(sum(obs.sum() for _, _, obs in parts))
    n_par = n_fe + 1
    correction = g / (g - 1) * (n_obs - 1) / max(n_obs - n_par, 1)
    se = float(math.sqrt(correction * (scores ** 2).sum()) / den)
    t = stats.t.ppf((1 + confidence) / 2, g - 1)
    p = float(2 * stats.t.sf(abs(beta / se), g - 1)) if se > 0 else float("nan")
    return EffectResult(float(beta), float(beta - t * se), float(beta + t * se), p,
                        method_token("twfe"),
                        prepared.n_pilot, prepared.n_comparison, se=se,
                        effect_size=float(beta / prepared.baseline_sd), confidence=confidence,
                        details={"n_obs": n_obs, "n_clusters": g, "excluded": prepared.excluded})


def pilot_exclusions(panel: pd.DataFrame, outcome: str = "score") -> pd.DataFrame:
    """Pilot bodies (and bodies without a group) that cannot enter the comparison, with the reason:
    ``no_pre_wave`` (not assessed before its first wave under the pilot), ``no_start``, ``no_group``."""
    try:
        return _prepare(panel, outcome, require_comparison=False).excluded
    except NotEstimable:
        return pd.DataFrame(columns=EXCLUSION_COLUMNS)


# --------------------------------------------------------------------------- q-values

def bh_qvalues(p_values) -> np.ndarray:
    """Benjamini–Hochberg (1995) adjusted p-values (q-values); NaN stays NaN."""
    p = np.asarray(p_values, dtype=float)
    if p.ndim != 1:
        raise ValueError("p_values must be one-dimensional")
    if ((p < 0) | (p > 1)).any():
        raise ValueError("p-values must lie in [0, 1]")
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = stats.false_discovery_control(p[ok], method="bh")
    return out


# --------------------------------------------------------------------------- the effectiveness table

EFFECTIVENESS_COLUMNS = ["outcome", "level", "rater", "estimate", "ci_low", "ci_high", "p_value", "q_value", "method",
                         "n_pilot", "n_comparison"]
#: Columns after the contract: the SE, the effect size, which procedure gave CI and p, the smallest p possible,
#: and the number of distinct assignments.
EFFECTIVENESS_EXTRA = ["se", "effect_size", "inference", "p_min", "n_assignments"]


#: The outcome name of the row estimated on the waves before 1 July 2025 only (a panel crossing the reform).
PRE_REFORM_OUTCOME = "overall (pre-reform waves)"


@dataclass(frozen=True, eq=False)
class EffectivenessTable:
    """The result of :func:`effectiveness_table`.

    ``table`` has one row per estimate (:data:`EFFECTIVENESS_COLUMNS` + :data:`EFFECTIVENESS_EXTRA`, each row
    with its own ``method`` token); ``not_estimable`` lists the outcomes that could not be estimated, each a
    dict with ``outcome``, ``rater``, ``reason`` (a :class:`~iso18091lab.stats.NotEstimable` key) and
    ``values``; ``method`` is the method token of the whole table (``effectiveness_table``); ``primary`` is the
    :class:`EffectResult` of the primary row (its ``details``: treated cells, smallest start cohort ...), so a
    caller never estimates the headline again to read them."""

    table: pd.DataFrame
    not_estimable: list
    method: str
    primary: EffectResult


def effectiveness_table(assessments: pd.DataFrame, outcomes: pd.DataFrame | None = None,
                        units: pd.DataFrame | None = None, n_permutations: int = 2000,
                        seed: int | None = None, continued=None, pre_reform=None) -> EffectivenessTable:
    """Every effectiveness estimate of a province (or several), one row each.

    The primary row (``level=overall, rater=council``) is the ATT by :func:`imputation_att`; pillars,
    indicators, self scores and external outcomes use the same estimator; the two-way FE estimate of the
    overall council score is a secondary row (``level=secondary``). q-values (Benjamini–Hochberg) across
    indicators.

    A panel crossing the 2025 reform follows a convention the caller supplies (the statistics read no map):
    ``continued(panel) -> panel`` is applied to every outcome's panel before it is estimated (e.g. the
    continued panel of :func:`iso18091lab.intake.lineage.continued_panel`), and ``pre_reform(council) -> mask``
    gives the council rows assessed before the reform, or ``None`` when the panel does not cross it; then the
    headline is estimated again on those rows alone (:data:`PRE_REFORM_OUTCOME`, a secondary row).

    Parameters
    ----------
    assessments : DataFrame
        Tidy assessments (``province, body_id, year, rater, rater_id, indicator, pillar, score_100`` …).
    outcomes : DataFrame, optional
        External outcomes (``measure``, ``value`` and the panel columns).
    units : DataFrame, optional
        The units table (kept for the callers' signature; the panels carry what the estimators read).
    n_permutations, seed : int
        Randomization inference of :func:`imputation_att` (a quarter of the draws for each indicator).
    continued, pre_reform : callable, optional
        The reform convention (above).

    Returns
    -------
    EffectivenessTable
        ``table``: columns ``outcome, level, rater, estimate, ci_low, ci_high, p_value, q_value, method,
        n_pilot, n_comparison`` (the contract of ``tables/effectiveness.csv``) plus
        :data:`EFFECTIVENESS_EXTRA`; ``n_pilot``/``n_comparison`` count bodies. ``not_estimable``: the
        outcomes that cannot be estimated. ``method``: the method token. ``primary``: the primary row's
        :class:`EffectResult`.

    Raises
    ------
    NotEstimable
        When the primary row cannot be estimated.

    References
    ----------
    Borusyak, K., Jaravel, X. & Spiess, J. (2024). Revisiting event-study designs: robust and efficient
    estimation. Review of Economic Studies 91(6), 3253–3285.
    Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. Journal of the Royal
    Statistical Society B 57(1), 289–300.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [("A", f"b{b}", y, 1, r, None, i, 1, "pilot" if b < 4 else "comparison", 2024 if b < 4 else None,
    ...          50 + b + y - 2021 + (5 if b < 4 and y >= 2024 else 0) + (3 if r == "self" else 0))
    ...         for b in range(8) for y in (2022, 2023, 2024) for r in ("council", "self") for i in ("1.1", "1.2")]
    >>> a = pd.DataFrame(rows, columns=["province", "body_id", "year", "round", "rater", "rater_id", "indicator",
    ...                                 "pillar", "group", "pilot_start", "score_100"])  # synthetic: +5 under the pilot
    >>> result = effectiveness_table(a, n_permutations=0)
    >>> result.table[["outcome", "rater", "estimate"]].round(6).values.tolist()[:3]
    [['overall', 'council', 5.0], ['pillar 1', 'council', 5.0], ['overall', 'self', 5.0]]
    >>> [(item["outcome"], item["reason"]) for item in result.not_estimable], result.method
    ([('overall (two-way FE)', 'too_few_twfe'), ('external', 'no_outcomes')], 'effectiveness_table')
    """
    from iso18091lab.stats.descriptive import BODY_KEYS, consensus, overall_scores, pillar_scores, wave_dated, wave_keys

    if not isinstance(assessments, pd.DataFrame):
        raise ValueError("assessments must be a pandas DataFrame")
    missing = {"province", "body_id", "year", "rater", "rater_id", "indicator", "pillar", "score_100"} - set(
        assessments.columns)
    if missing:
        raise ValueError(f"assessments lack the column(s) {sorted(missing)}")
    if assessments.empty:
        raise NotEstimable("no_scores", "no assessments")
    rows, skipped = [], []

    def row(res, outcome_name, level, rater):
        return {"outcome": outcome_name, "level": level, "rater": rater, "estimate": res.estimate,
                "ci_low": res.ci_low, "ci_high": res.ci_high, "p_value": res.p_value, "q_value": np.nan,
                "method": res.method, "n_pilot": res.n_pilot, "n_comparison": res.n_comparison, "se": res.se,
                "effect_size": res.effect_size, "inference": res.inference, "p_min": res.p_min,
                "n_assignments": res.n_assignments}

    def add(panel, outcome_name, level, rater, column="score", primary=False, n_perm=n_permutations):
        try:
            res = imputation_att(panel if continued is None else continued(panel), column, n_permutations=n_perm, seed=seed)
        except NotEstimable as exc:
            if primary:
                raise
            skipped.append({"outcome": outcome_name, "rater": rater, "reason": exc.reason, "values": exc.values})
            return None
        except ValueError as exc:  # values that are not numbers, conflicting duplicates: said, not hidden
            if primary:
                raise
            skipped.append({"outcome": outcome_name, "rater": rater, "reason": "invalid_values",
                            "values": {"detail": str(exc)}})
            return None
        rows.append(row(res, outcome_name, level, rater))
        return res

    council = overall_scores(assessments, "council")
    if council.empty:
        raise NotEstimable("no_council", "no council scores")
    primary = add(council, "overall", "overall", "council", primary=True)
    try:
        rows.append(row(did_within_province(council if continued is None else continued(council), "score"),
                        "overall (two-way FE)", "secondary", "council"))
    except NotEstimable as exc:
        skipped.append({"outcome": "overall (two-way FE)", "rater": "council", "reason": exc.reason,
                        "values": exc.values})
    before = pre_reform(council) if pre_reform is not None else None
    if before is not None:  # the same estimate on the waves before 1 July 2025: does the reform move it?
        add(council[np.asarray(before, dtype=bool)].reset_index(drop=True), PRE_REFORM_OUTCOME, "secondary",
            "council")
    for pillar, part in pillar_scores(assessments, "council").groupby("pillar"):
        add(part, f"pillar {int(pillar)}", "pillar", "council")
    own = overall_scores(assessments, "self")
    if own.empty:
        skipped.append({"outcome": "overall", "rater": "self", "reason": "no_self", "values": {}})
    else:
        add(own, "overall", "overall", "self")
        for pillar, part in pillar_scores(assessments, "self").groupby("pillar"):
            add(part, f"pillar {int(pillar)}", "pillar", "self")
    scored = consensus(wave_dated(assessments), "council").dropna(subset=["score_100"])
    keys = [k for k in BODY_KEYS if k in scored] + wave_keys(scored)
    start = len(rows)
    # every indicator's panel from one groupby (the same groups and means as one groupby per indicator)
    by_indicator = (scored.groupby(["indicator"] + keys, dropna=False, observed=True)["score_100"].mean()
                    .rename("score").reset_index())
    panels = {i: part.drop(columns="indicator").reset_index(drop=True)
              for i, part in by_indicator.groupby("indicator", sort=False, observed=True)}
    for indicator in indicator_order(scored["indicator"]):
        add(panels[indicator], f"indicator {indicator}", "indicator", "council", n_perm=max(n_permutations // 4, 0))
    if len(rows) > start:
        q = bh_qvalues([r["p_value"] for r in rows[start:]])
        for offset, value in enumerate(q):
            rows[start + offset]["q_value"] = value
    if outcomes is not None and len(outcomes):
        for measure, part in outcomes.groupby("measure"):
            add(part.rename(columns={"value": "score"}), str(measure), "external", "")
    else:
        skipped.append({"outcome": "external", "rater": "", "reason": "no_outcomes", "values": {}})
    table = pd.DataFrame(rows, columns=EFFECTIVENESS_COLUMNS + EFFECTIVENESS_EXTRA)
    return EffectivenessTable(table, skipped, method_token("effectiveness_table"), primary)


# --------------------------------------------------------------------------- pre / post

def pre_post(panel: pd.DataFrame, outcome: str = "score", seed: int | None = None,
             n_resamples: int = 9999) -> pd.DataFrame:
    """Per pilot body: its last wave before its start against the mean of its waves under the pilot; Wilcoxon
    signed-rank test and Hodges–Lehmann estimate (as R ``wilcox.test``) and the mean change (BCa bootstrap).
    Without a comparison group this cannot separate the pilot from common trends: shown beside the ATT."""
    prepared = _prepare(panel, outcome, require_comparison=False)
    before, after = [], []
    for block in prepared.blocks + []:
        widx = block.pos
        for i in np.flatnonzero(block.pilot):
            pre = np.flatnonzero(block.obs[i] & (widx < block.start[i]))
            post = np.flatnonzero(block.obs[i] & (widx >= block.start[i]))
            if len(pre) and len(post):
                before.append(block.y[i, pre[-1]])
                after.append(block.y[i, post].mean())
    if len(before) < 3:
        raise NotEstimable("too_few_prepost", "pre/post needs at least 3 pilot bodies with waves before and under the pilot",
                           n=len(before), min=3)
    after, before = np.asarray(after), np.asarray(before)
    w = wilcoxon_signed_rank(after, before)
    try:
        hl = hodges_lehmann(after, before)
        hl_row = {"method": hl.method, "estimate": hl.estimate, "ci_low": hl.ci_low, "ci_high": hl.ci_high,
                  "p_value": np.nan, "n": hl.n}
    except NotEstimable:
        hl_row = {"method": method_token("hl_too_few"), "estimate": np.nan,
                  "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan, "n": w.n}
    mean = bootstrap_mean_change(after, before, seed=seed, n_resamples=n_resamples)
    return pd.DataFrame([
        {"method": w.method, "estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_value": w.p_value, "n": w.n},
        hl_row,
        {"method": mean.method, "estimate": mean.estimate, "ci_low": mean.ci_low, "ci_high": mean.ci_high,
         "p_value": np.nan, "n": mean.n_pilot}])
