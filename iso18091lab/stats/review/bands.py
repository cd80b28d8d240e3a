"""Interpretation bands of the reliability coefficients, as keys (their English names; words:
:func:`iso18091lab.render.reliability.band_text`).

ICC after Koo & Li (2016) — below 0.50 poor, 0.50–0.75 moderate, 0.75–0.90 good, above 0.90 excellent; kappa
after Landis & Koch (1977). Koo & Li advise reading the band of the whole 95% CI: :func:`band_ci_key` gives
"poor/moderate" when the interval spans two bands and "uncertain" when it spans more.
"""
from __future__ import annotations

import numpy as np


LIGHTS = ["red", "yellow", "green"]
ICC_BANDS = [(0.5, "poor"), (0.75, "moderate"), (0.9, "good"), (np.inf, "excellent")]
KAPPA_BANDS = [(0.0, "poor"), (0.2, "slight"), (0.4, "fair"), (0.6, "moderate"), (0.8, "substantial"),
               (np.inf, "almost perfect")]


def band(value: float, kind: str = "icc") -> str:
    """Koo & Li band for an ICC (``kind='icc'``) or Landis & Koch band for a kappa (``kind='kappa'``), as a key
    (its English name; words: :func:`iso18091lab.render.reliability.band_text`); "–" for a missing value."""
    if kind not in ("icc", "kappa"):
        raise ValueError("kind must be 'icc' or 'kappa'")
    if value is None or value != value:
        return "–"
    if kind == "icc":
        name = next(n for limit, n in ICC_BANDS if value < limit)
    else:
        name = "poor" if value < 0 else next(n for limit, n in KAPPA_BANDS[1:] if value <= limit)
    return name


def band_ci_key(value: float, low: float, high: float, kind: str = "icc") -> str:
    """The band of a whole confidence interval (Koo & Li 2016's advice) as a key: the band's English name when
    both ends fall in it, ``"low/high"`` (e.g. ``"poor/moderate"``) when the interval spans two adjacent bands,
    ``"uncertain"`` when it spans three or more or is missing. The interval decides, never ``value`` (a
    percentile bootstrap interval need not contain its estimate)."""
    if any(v is None or v != v for v in (value, low, high)):
        return "uncertain"
    names = [n for _, n in (ICC_BANDS if kind == "icc" else KAPPA_BANDS)]
    lo_name, hi_name = band(low, kind), band(min(high, 1.0), kind)
    span = names.index(hi_name) - names.index(lo_name)
    if span == 0:
        return lo_name
    if span == 1:
        return f"{lo_name}/{hi_name}"
    return "uncertain"
