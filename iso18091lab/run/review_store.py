"""Indicator reviews kept once per run and shared between reports: the run layer around
:mod:`iso18091lab.stats.indicator_review` (which computes, and knows nothing of files or locks).

* :func:`cached_review` — a province's review under a hash of what it reads, computed once for report 20 and
  the national comparison, whichever comes first (a lock per entry);
* :func:`province_review` — that review as the reliability summary builder takes it;
* :func:`cross_province` — the cross-province reliability comparison, computed once per processed data.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from iso18091lab.intake.dataset import load
from iso18091lab.run.cache import cached
from iso18091lab.storage import locked, write_atomic
from iso18091lab.intake.pipeline import processed_hash
from iso18091lab.stats.indicator_review import (ASSESSMENT_COLUMNS, IndicatorReview, _check, review_indicators,
                                                summary_by_province)


def cache_folder(processed_dir: str | Path) -> Path:
    """Where a run keeps results shared between its reports: ``<processed_dir>/cache``."""
    if not isinstance(processed_dir, (str, os.PathLike)):
        raise ValueError(f"cache_folder needs the processed data folder, not {type(processed_dir).__name__}")
    return Path(processed_dir) / "cache"


def cached_review(assessments: pd.DataFrame, catalog: pd.DataFrame | None = None, n_resamples: int = 1000,
                  seed=None, confidence: float = 0.95, cache: str | Path | None = None) -> IndicatorReview:
    """:func:`~iso18091lab.stats.indicator_review.review_indicators`, kept in ``cache`` (a run uses
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
    one :func:`cross_province` reads for the national comparison."""
    def review(assessments, catalog, n_resamples, seed):
        return cached_review(assessments, catalog, n_resamples=n_resamples, seed=seed, cache=cache)

    return review


def cross_province(processed_dir: str | Path, n_resamples: int = 1000, seed: int = 2024) -> dict:
    """The cross-province reliability comparison, computed **once per processed data** and shared.

    The first caller computes :func:`~iso18091lab.stats.indicator_review.summary_by_province` on the whole
    dataset and stores it in ``<processed_dir>/cache/reliability_<hash>_<seed>_<n>.json``; later callers read it.
    An exclusive file lock makes concurrent kernels wait for the first one; the file is written atomically.
    Each province's review is :func:`cached_review` in the same folder, so it is the review of that province's
    report (same resamples and seed), computed once by whichever comes first. Returns ``{"summary": DataFrame,
    "flags": DataFrame, "hash": str, "computed": bool}`` (``computed`` is True only for the call that computed
    it)."""
    folder = Path(processed_dir)
    key = processed_hash(folder)
    cache = cache_folder(folder)
    cache.mkdir(exist_ok=True)
    path = cache / f"reliability_{key[:16]}_{seed}_{n_resamples}.json"
    computed = False
    with locked(cache / "reliability.lock"):
        if not path.exists():
            data = load(folder)

            summary, flags = summary_by_province(data.assessments, n_resamples, seed, catalog=data.catalog,
                                                 review=province_review(cache))
            payload = {"hash": key, "seed": seed, "n_resamples": n_resamples,
                       "summary": json.loads(summary.to_json(orient="records")),
                       "flags": json.loads(flags.to_json(orient="records"))}
            write_atomic(path, lambda tmp: tmp.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8"))
            computed = True
    payload = json.loads(path.read_text(encoding="utf-8"))
    summary = pd.DataFrame(payload["summary"])
    flags = pd.DataFrame(payload["flags"], columns=["indicator", "province", "reasons"])
    return {"summary": summary, "flags": flags, "hash": key, "computed": computed}


def cross_province_or_error(processed_dir: str | Path, n_resamples: int = 1000, seed: int = 2024) -> dict | ValueError:
    """:func:`cross_province`, or the ``ValueError`` that prevented it (the national report says why)."""
    try:
        return cross_province(processed_dir, n_resamples=n_resamples, seed=seed)
    except ValueError as exc:
        return exc
