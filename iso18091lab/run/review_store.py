"""Indicator reviews kept once per run: the run layer around :mod:`iso18091lab.stats.review` (which
computes, and knows nothing of files or locks).

* :func:`cached_review` — a province's review under a hash of what it reads, computed once (a lock per entry);
* :func:`province_review` — that review as the reliability summary builder takes it (report 20; the national
  report reads the reliability summary report 20 saves).
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from iso18091lab.run.cache import cached
from iso18091lab.stats.review.assessments import ASSESSMENT_COLUMNS, _check
from iso18091lab.stats.review.table import IndicatorReview, review_indicators


def cache_folder(processed_dir: str | Path) -> Path:
    """Where a run keeps results shared between its reports: ``<processed_dir>/cache``."""
    if not isinstance(processed_dir, (str, os.PathLike)):
        raise ValueError(f"cache_folder needs the processed data folder, not {type(processed_dir).__name__}")
    return Path(processed_dir) / "cache"


def cached_review(assessments: pd.DataFrame, catalog: pd.DataFrame | None = None, n_resamples: int = 1000,
                  seed=None, confidence: float = 0.95, cache: str | Path | None = None) -> IndicatorReview:
    """:func:`~iso18091lab.stats.review.table.review_indicators`, kept in ``cache`` (a run uses
    :func:`cache_folder` of its processed data) under a hash of the rows as the review reads them, the catalog,
    the parameters and the package: a call with the same inputs reads it instead of computing it again, and a
    concurrent one waits for the one computing. Without a folder or a whole-number ``seed`` nothing is kept
    (the resamples would differ)."""
    if cache is not None and isinstance(seed, (int, np.integer)) and isinstance(assessments, pd.DataFrame) \
            and not assessments.empty:
        read = _check(assessments, "review_indicators")[ASSESSMENT_COLUMNS]  # what a review reads, as it reads it
        return cached(Path(cache), "review", [read, catalog, n_resamples, int(seed), confidence],
                      lambda: review_indicators(assessments, catalog, n_resamples, seed, confidence))
    return review_indicators(assessments, catalog, n_resamples, seed, confidence)


def province_review(cache: str | Path | None):
    """The ``review=`` of :func:`iso18091lab.summaries.reliability.build_reliability` for a run: each province's
    review through :func:`cached_review` in ``cache`` (:func:`cache_folder` of the run's processed data), the
    one a re-run with the same inputs reads again."""
    def review(assessments, catalog, n_resamples, seed):
        return cached_review(assessments, catalog, n_resamples=n_resamples, seed=seed, cache=cache)

    return review
