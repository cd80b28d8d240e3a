"""Resampling bodies for the review's bootstrap intervals: how often each body is drawn in each resample, and
percentile intervals of the replicates."""
from __future__ import annotations

import numpy as np


def _resample_counts(n_clusters: int, n_resamples: int, seed) -> np.ndarray:
    if not isinstance(n_resamples, (int, np.integer)) or n_resamples < 1:
        raise ValueError(f"n_resamples must be a positive whole number, not {n_resamples!r}")
    rng = np.random.default_rng(seed)
    chosen = rng.integers(0, n_clusters, size=(n_resamples, n_clusters))
    return np.bincount((np.arange(n_resamples)[:, None] * n_clusters + chosen).ravel(),
                       minlength=n_resamples * n_clusters).reshape(n_resamples, n_clusters).astype(float)


def _percentiles(reps: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            lo = np.nanpercentile(reps, 100 * (1 - confidence) / 2, axis=0)
            hi = np.nanpercentile(reps, 100 * (1 + confidence) / 2, axis=0)
    return lo, hi
