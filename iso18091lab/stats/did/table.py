"""Every effectiveness estimate of a province in one table (:func:`effectiveness_table`), with
Benjamini–Hochberg q-values across indicators (:func:`bh_qvalues`)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from iso18091lab.catalog import indicator_order
from iso18091lab.stats import NotEstimable, method_token
from iso18091lab.stats.did.imputation import imputation_att
from iso18091lab.stats.did.result import EffectResult
from iso18091lab.stats.did.twfe import did_within_province


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
