"""Effects by waves since the start (event study) by the imputation estimator, placebo estimates for the
pre-pilot waves and the joint pre-trend test (Borusyak, Jaravel & Spiess 2024; :func:`event_study`)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from iso18091lab.stats import method_token
from iso18091lab.stats.did.fixed_effects import _fit_masked
from iso18091lab.stats.did.imputation import _bjs_se, _impute
from iso18091lab.stats.did.panel import _Block, _prepare


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
