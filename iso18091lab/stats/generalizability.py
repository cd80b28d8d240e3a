"""Generalizability theory: the G study of council members' scores (REML variance components of body, indicator,
body × indicator, rater and residual; :func:`g_study`) and the D study it gives (:func:`d_study`,
:func:`raters_needed`)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from iso18091lab.stats import method_token
from iso18091lab.stats.inputs import _numeric, _require_frame, check_duplicates
from iso18091lab.stats.reml import VarianceComponents, _variance_components_codes, variance_components


G_COMPONENTS = ["body", "indicator", "body_indicator", "rater", "residual"]


def g_study(data: pd.DataFrame, score: str, body: str, rater: str, indicator: str,
            start=None) -> VarianceComponents:
    """Generalizability study of council members' scores: REML variance components (missing ratings allowed).

    Model: score = mu + body + indicator + body x indicator + rater + residual, all random (crossed), fitted by
    :func:`variance_components`. ``body`` is the subject (a body-wave), ``rater`` a council member; the
    rater x target interaction is confounded with the residual (one rating per member and target). Duplicate
    (body, indicator, rater) rows raise ``ValueError``.

    Parameters
    ----------
    data : DataFrame
        One row per score.
    score, body, rater, indicator : str
        Column names.
    start : array, optional
        Starting theta (a bootstrap refit).

    Returns
    -------
    VarianceComponents
        ``table`` with columns ``component`` (:data:`G_COMPONENTS`), ``variance``, ``share``; ``method``
        ``g_study``; ``levels`` of ``body``, ``indicator``, ``body_indicator`` and ``rater``.

    References
    ----------
    Brennan, R. L. (2001). Generalizability Theory. Springer. Shavelson, R. J. & Webb, N. M. (1991).
    Generalizability Theory: A Primer. Sage.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> frame = pd.DataFrame([(b, i, r) for b in range(8) for i in range(3) for r in range(3)],
    ...                      columns=["body", "indicator", "rater"])
    >>> frame["score"] = (rng.normal(0, 3, 8)[frame["body"]] + rng.normal(0, 1, 3)[frame["rater"]]
    ...                   + rng.normal(0, 1, len(frame)))
    >>> g = g_study(frame, "score", "body", "rater", "indicator")
    >>> list(g.table["component"]), g.levels["body"], g.levels["rater"]
    (['body', 'indicator', 'body_indicator', 'rater', 'residual'], 8, 3)
    """
    frame = _require_frame(data, [score, body, rater, indicator], "g_study")
    frame = frame[[score, body, rater, indicator]].copy()
    frame[score] = _numeric(frame[score], "g_study", score)
    frame = frame.dropna(subset=[score])
    if frame.empty:
        raise ValueError("g_study: no scores")
    check_duplicates(frame, [body, indicator, rater], "member scores")
    frame["_target"] = frame[body].astype(str) + "\x1f" + frame[indicator].astype(str)
    if frame[body].nunique() < 2 or frame[rater].nunique() < 2 or frame[indicator].nunique() < 2:
        raise ValueError("g_study needs at least 2 bodies, 2 raters and 2 indicators")
    return _g_result(variance_components(frame, score, [body, indicator, "_target", rater], start=start))


def _g_result(vc: VarianceComponents) -> VarianceComponents:
    """Variance components of body, indicator, body x indicator, rater as a G study (named :data:`G_COMPONENTS`)."""
    table = pd.DataFrame({"component": G_COMPONENTS, "variance": vc.table["variance"].to_numpy(),
                          "share": vc.table["share"].to_numpy()})
    levels = dict(zip(G_COMPONENTS[:4], vc.levels.values()))
    return VarianceComponents(table, method_token("g_study"), vc.n, levels, vc.reml_criterion, vc.intercept,
                              vc.theta)


def _g_study_codes(y: np.ndarray, body: np.ndarray, indicator: np.ndarray, rater: np.ndarray,
                   start=None) -> VarianceComponents:
    """:func:`g_study` on integer keys of the body (-wave), indicator and rater of each score (no missing
    scores, no duplicate body x indicator x rater): the same fit, without the frame (bootstrap refits).
    Levels are coded in order of first appearance, as :func:`variance_components` codes them."""
    codes = [pd.factorize(body)[0], pd.factorize(indicator)[0]]
    codes.append(pd.factorize(codes[0].astype(np.int64) * (int(codes[1].max()) + 1) + codes[1])[0])
    codes.append(pd.factorize(rater)[0])
    if min(int(codes[j].max()) + 1 for j in (0, 1, 3)) < 2:
        raise ValueError("g_study needs at least 2 bodies, 2 raters and 2 indicators")
    return _g_result(_variance_components_codes(np.asarray(y, dtype=float), codes,
                                                ["body", "indicator", "_target", "rater"], start=start))


def _components(components) -> dict[str, float]:
    if isinstance(components, VarianceComponents):
        components = components.table
    if isinstance(components, pd.DataFrame):
        if not {"component", "variance"} <= set(components.columns):
            raise ValueError("components must have columns component and variance (see g_study)")
        components = dict(zip(components["component"], components["variance"]))
    components = dict(components)
    missing = [c for c in G_COMPONENTS if c not in components]
    if missing:
        raise ValueError(f"components lack {missing}")
    values = {c: float(components[c]) for c in G_COMPONENTS}
    if any(not np.isfinite(v) or v < 0 for v in values.values()):
        raise ValueError("variance components must be finite and non-negative")
    if values["body"] + values["body_indicator"] <= 0:
        raise ValueError("no variance between bodies: reliability is undefined")
    return values


def d_study(components, raters=range(1, 8)) -> pd.DataFrame:
    """Decision study: reliability of one body's indicator score given by the mean of a council of m members.

    Universe-score variance (differences between bodies on an indicator) v = body + body x indicator.
    ``reliability`` is the dependability (absolute) coefficient Phi = v / (v + (rater + residual) / m), right
    when bodies are appraised by different councils (member leniency counts as error);
    ``reliability_relative`` is E rho^2 = v / (v + residual / m), for one council scoring every body.
    """
    c = _components(components)
    m = np.asarray(list(raters), dtype=float)
    if m.ndim != 1 or len(m) == 0 or (m < 1).any():
        raise ValueError("raters must be one or more numbers of council members (>= 1)")
    v = c["body"] + c["body_indicator"]
    return pd.DataFrame({"raters": m.astype(int), "reliability": v / (v + (c["rater"] + c["residual"]) / m),
                         "reliability_relative": v / (v + c["residual"] / m)})


def raters_needed(components, target: float = 0.8, kind: str = "absolute") -> int:
    """Smallest council size m whose D-study reliability reaches ``target`` (Spearman-Brown on the G study)."""
    if not 0 < target < 1:
        raise ValueError("target reliability must be between 0 and 1")
    if kind not in ("absolute", "relative"):
        raise ValueError("kind must be 'absolute' or 'relative'")
    c = _components(components)
    v = c["body"] + c["body_indicator"]
    error = c["rater"] + c["residual"] if kind == "absolute" else c["residual"]
    return max(1, int(np.ceil(target / (1 - target) * error / v - 1e-12)))
