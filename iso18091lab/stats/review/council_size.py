"""How many council members does a reliable score need? The G study of council members' own scores (REML
variance components) and the D study on it: the dependability of a council of 1 … m members and the smallest
council reaching 0.8 and 0.9, with cluster-bootstrap intervals over bodies.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from iso18091lab.stats import NotEstimable, _level, generalizability, method_token, reml
from iso18091lab.stats.inputs import _check_confidence
from iso18091lab.stats.review.assessments import _check, _enough_bodies, _members
from iso18091lab.stats.review.assessments import _example  # noqa: F401 (the docstrings' Examples)
from iso18091lab.stats.review.resampling import _percentiles


#: Below this many bodies with members' scores, the council-size CIs (bootstrap over bodies) are only indicative.
FEW_MEMBER_BODIES = 10


def _codes(values: pd.Series) -> tuple[np.ndarray, int]:
    """Integer codes of the values as text (as :func:`stats.reml.variance_components` tells levels
    apart) and how many there are."""
    codes, uniques = pd.factorize(values.astype(str))
    return codes.astype(np.int64), len(uniques)


def council_g_study(assessments: pd.DataFrame) -> reml.VarianceComponents:
    """The G study of council members' scores in an assessments table: variance components (body-wave,
    indicator, body-wave x indicator, member, residual) by REML, missing ratings allowed.

    Parameters
    ----------
    assessments : DataFrame
        The clean assessments table; council members' own scores are the rows with a ``rater_id``.

    Returns
    -------
    VarianceComponents
        :func:`stats.generalizability.g_study` on the members' rows (``body`` = body-wave, ``rater`` = member).

    Raises
    ------
    NotEstimable
        No members' scores, fewer than :data:`MIN_BODIES` bodies or one member.

    References
    ----------
    Brennan, R. L. (2001). Generalizability Theory. Springer.

    Examples
    --------
    >>> g = council_g_study(_example(n_bodies=6, members=3, seed=1))
    >>> list(g.table["component"]), g.levels["body"], g.levels["rater"]
    (['body', 'indicator', 'body_indicator', 'rater', 'residual'], 6, 3)
    """
    members = _members(_check(assessments, "council_g_study"))
    _enough_bodies(members["body_id"].nunique(), "council_g_study")
    if members["rater_id"].nunique() < 2:
        raise NotEstimable("one_member", "council_g_study: one council member")
    return generalizability.g_study(members, "score_100", "wave", "rater_id", "indicator")


@dataclass(frozen=True, eq=False)
class DStudy:
    """The council's D study (:func:`council_d_study`).

    ``table``: ``raters, reliability, ci_low, ci_high, reliability_relative`` for councils of 1 … m members;
    ``method`` its method key and values; ``needed`` the smallest council reaching each reliability target
    ({0.8: m, 0.9: m}) and ``needed_ci`` their bootstrap intervals (NaN when no resample could be refitted);
    ``components`` the G-study variances; ``n_bodies``, ``n_members`` the data; ``n_resamples`` the bootstrap
    resamples that could be refitted; ``confidence`` the intervals' level; ``g_study`` the G study it rests on
    (:func:`council_g_study`, fitted once: a report reads it here instead of fitting it again)."""

    table: pd.DataFrame
    method: str
    needed: dict
    needed_ci: dict
    components: dict = field(repr=False)
    n_bodies: int
    n_members: int
    n_resamples: int
    confidence: float = 0.95
    g_study: reml.VarianceComponents | None = field(default=None, repr=False)


def council_d_study(assessments: pd.DataFrame, max_raters: int = 7, n_resamples: int = 200, seed=None,
                    confidence: float = 0.95) -> DStudy:
    """The council's D study: reliability of one body's indicator score from a council of m = 1 …
    ``max_raters`` members, and the smallest council reaching 0.8 and 0.9.

    ``reliability`` is the dependability Phi (absolute: members' leniency counts as error); its CIs come from a
    cluster bootstrap of bodies (all their waves) refitting the REML G study (:func:`council_g_study`).

    Parameters
    ----------
    assessments : DataFrame
        The clean assessments table (members' own scores: rows with a ``rater_id``).
    max_raters : int
        The largest council in the table.
    n_resamples, seed : int
        Cluster-bootstrap resamples of bodies and the seed drawing them.
    confidence : float
        Level of the intervals of the D study and of the council sizes.

    Returns
    -------
    DStudy
        ``table``, ``needed`` and ``needed_ci`` (:func:`stats.generalizability.raters_needed` on the fit and on each
        resample), ``components``, ``n_bodies``, ``n_members``, ``n_resamples``, ``method``
        (``d_study_phi``), ``g_study`` (the fit of :func:`council_g_study`).

    References
    ----------
    Brennan, R. L. (2001). Generalizability Theory. Springer (D studies, Phi). Field, C. A. & Welsh, A. H.
    (2007). Bootstrapping clustered data. JRSS B 69(3), 369-390.

    Examples
    --------
    >>> d = council_d_study(_example(n_bodies=8, members=3, seed=1), max_raters=4, n_resamples=20, seed=1)
    >>> sorted(d.needed), list(d.table["raters"]), d.n_bodies, d.n_members
    ([0.8, 0.9], [1, 2, 3, 4], 8, 3)
    """
    _check_confidence(confidence)
    if not isinstance(max_raters, (int, np.integer)) or max_raters < 1:
        raise ValueError("max_raters must be a positive whole number")
    a = _check(assessments, "council_d_study")
    members = _members(a)
    components = council_g_study(a)
    table = generalizability.d_study(components, range(1, max_raters + 1))
    needed = {t: generalizability.raters_needed(components, t) for t in (0.8, 0.9)}
    # cluster bootstrap: resample bodies (all their waves), refit the G study
    # (each copy of a body is a body of its own: its body-waves are keyed by (copy, body-wave); the scores are
    # refitted from integer keys, in the row order of the resampled frame: the bodies' rows one copy after another)
    bodies = members["body_id"].unique()
    rng = np.random.default_rng(seed)
    body_code = pd.Index(bodies).get_indexer(members["body_id"])
    rows_of = np.split(np.argsort(body_code, kind="stable"), np.cumsum(np.bincount(body_code))[:-1])
    score = members["score_100"].to_numpy(float)
    wave_code, n_waves = _codes(members["wave"])
    indicator_code, _ = _codes(members["indicator"])
    rater_code, _ = _codes(members["rater_id"])
    reps, need_reps = [], {t: [] for t in needed}
    for _ in range(n_resamples):
        chosen = rng.integers(0, len(bodies), len(bodies))
        rows = np.concatenate([rows_of[c] for c in chosen])
        copy = np.repeat(np.arange(len(chosen)), [len(rows_of[c]) for c in chosen])
        try:
            comp = generalizability._g_study_codes(score[rows], copy * n_waves + wave_code[rows], indicator_code[rows],
                                      rater_code[rows], start=components.theta)
            reps.append(generalizability.d_study(comp, range(1, max_raters + 1))["reliability"].to_numpy())
            for t in needed:
                need_reps[t].append(generalizability.raters_needed(comp, t))
        except ValueError:
            continue
    if reps:
        lo, hi = _percentiles(np.array(reps), confidence)
        table["ci_low"], table["ci_high"] = lo, hi
        needed_ci = {t: (int(np.percentile(need_reps[t], 100 * (1 - confidence) / 2, method="lower")),
                         int(np.percentile(need_reps[t], 100 * (1 + confidence) / 2, method="higher")))
                     for t in needed}
    else:
        table["ci_low"] = table["ci_high"] = np.nan
        needed_ci = {t: (np.nan, np.nan) for t in needed}
    table = table[["raters", "reliability", "ci_low", "ci_high", "reliability_relative"]]
    return DStudy(table, method_token("d_study_phi", level=_level(confidence), resamples=len(reps)), needed,
                  needed_ci, dict(zip(components.table["component"], components.table["variance"])),
                  int(len(bodies)), int(members["rater_id"].nunique()), len(reps), confidence, components)
