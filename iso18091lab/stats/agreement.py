"""Agreement between raters and between measurements: Krippendorff's alpha (every pairable value; units with
fewer than two values drop out), Fleiss' kappa (statsmodels) and Bland–Altman limits of agreement (pairs with
either measurement missing dropped)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from iso18091lab.stats import _level, method_token
from iso18091lab.stats.inputs import _check_confidence, _items_frame, _numeric


def _delta2(values: np.ndarray, counts: np.ndarray, level: str) -> np.ndarray:
    """Squared difference function between the distinct values (Krippendorff 2011)."""
    a, b = np.meshgrid(values, values, indexing="ij")
    if level == "nominal":
        return (a != b).astype(float)
    if level == "interval":
        return (a - b) ** 2
    if level == "ratio":
        with np.errstate(divide="ignore", invalid="ignore"):
            d = ((a - b) / (a + b)) ** 2
        return np.nan_to_num(d)
    if level == "ordinal":
        cum = np.cumsum(counts)
        lo, hi = np.minimum.outer(np.arange(len(values)), np.arange(len(values))), \
            np.maximum.outer(np.arange(len(values)), np.arange(len(values)))
        between = cum[hi] - np.where(lo > 0, cum[np.maximum(lo - 1, 0)], 0) - (counts[lo] + counts[hi]) / 2
        return between ** 2
    raise ValueError(f"level must be nominal, ordinal, interval or ratio, not {level!r}")


def krippendorff_alpha(reliability_data, level: str = "interval") -> float:
    """Krippendorff's alpha for raters x units data with NaN for missing (Krippendorff 2011)."""
    if isinstance(reliability_data, pd.DataFrame):
        frame = _items_frame(reliability_data, "krippendorff_alpha")
        data = frame.to_numpy(dtype=float)
    else:
        try:
            data = np.asarray(reliability_data, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"krippendorff_alpha: reliability data must be numbers ({exc})") from None
    if data.ndim != 2 or data.size == 0:
        raise ValueError("reliability_data must be a non-empty raters x units table")
    if np.isinf(data).any():
        raise ValueError("krippendorff_alpha: infinite values")
    values = np.unique(data[~np.isnan(data)])
    if len(values) < 2:
        raise ValueError("alpha is undefined with fewer than two distinct values")
    index = np.searchsorted(values, data)
    present = ~np.isnan(data)
    v = len(values)
    per_unit = np.zeros((data.shape[1], v))
    rows, cols = np.nonzero(present)
    np.add.at(per_unit, (cols, index[rows, cols]), 1.0)
    m = per_unit.sum(axis=1)
    pairable = m >= 2
    per_unit, m = per_unit[pairable], m[pairable]
    coincidence = (per_unit.T / (m - 1)) @ per_unit - np.diag((per_unit / (m - 1)[:, None]).sum(axis=0))
    n_c = coincidence.sum(axis=0)
    total = n_c.sum()
    delta = _delta2(values, n_c, level)
    observed = (coincidence * delta).sum()
    expected = (np.outer(n_c, n_c) * delta).sum() / (total - 1)
    return float(1 - observed / expected)


@dataclass
class FleissResult:
    """Fleiss' kappa and its sample. ``method`` is the method token (``fleiss_kappa``), worded by
    :func:`iso18091lab.i18n.method_text`."""

    kappa: float
    n_subjects: int
    n_raters: int
    method: str


def fleiss_kappa(counts) -> FleissResult:
    """Fleiss' kappa from a subjects x categories table of counts (each row sums to the number of raters)."""
    from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

    try:
        table = np.asarray(counts, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("counts must be numbers (a subjects x categories table of counts)") from None
    if table.ndim != 2 or len(table) < 2 or table.shape[1] < 2:
        raise ValueError("counts must be a subjects x categories table with at least 2 subjects and 2 categories")
    if not np.isfinite(table).all() or (table < 0).any() or (table != np.round(table)).any():
        raise ValueError("counts must be non-negative whole numbers without missing values")
    totals = table.sum(axis=1)
    if not np.allclose(totals, totals[0]):
        raise ValueError("Fleiss' kappa needs the same number of raters for every subject "
                         f"(row totals range {totals.min():g}-{totals.max():g})")
    if totals[0] < 2:
        raise ValueError("Fleiss' kappa needs at least 2 raters per subject")
    if np.count_nonzero(table.sum(axis=0)) < 2:
        raise ValueError("Fleiss' kappa is undefined when every rating falls in one category")
    return FleissResult(float(sm_fleiss(table, method="fleiss")), len(table), int(totals[0]),
                        method_token("fleiss_kappa"))


@dataclass
class BlandAltmanResult:
    """Mean difference (bias), limits of agreement and their confidence intervals (Bland & Altman 1986, 1999).
    ``method`` is the method token (``bland_altman`` with the CI ``level``), worded by
    :func:`iso18091lab.i18n.method_text`."""

    bias: float
    sd: float
    lower: float
    upper: float
    bias_ci: tuple[float, float]
    lower_ci: tuple[float, float]
    upper_ci: tuple[float, float]
    n: int
    confidence: float
    differences: np.ndarray = field(repr=False)
    means: np.ndarray = field(repr=False)
    method: str


def bland_altman(a, b, confidence: float = 0.95) -> BlandAltmanResult:
    """Agreement of two measurements of the same subjects: differences ``a - b`` against their means."""
    _check_confidence(confidence)
    if np.ndim(a) != 1 or np.ndim(b) != 1 or len(a) != len(b):
        raise ValueError("bland_altman needs two 1-D sequences of measurements of the same length")
    a, b = _numeric(a, "bland_altman", "a"), _numeric(b, "bland_altman", "b")
    keep = ~(np.isnan(a) | np.isnan(b))
    a, b = a[keep], b[keep]
    n = len(a)
    if n < 3:
        raise ValueError("Bland-Altman needs at least 3 pairs")
    d = a - b
    bias, sd = d.mean(), d.std(ddof=1)
    z = stats.norm.ppf(0.975)
    t = stats.t.ppf((1 + confidence) / 2, n - 1)
    lower, upper = bias - z * sd, bias + z * sd
    se_bias, se_limit = sd / np.sqrt(n), sd * np.sqrt(3 / n)
    return BlandAltmanResult(bias, sd, lower, upper, (bias - t * se_bias, bias + t * se_bias),
                             (lower - t * se_limit, lower + t * se_limit), (upper - t * se_limit, upper + t * se_limit),
                             n, confidence, d, (a + b) / 2, method_token("bland_altman", level=_level(confidence)))
