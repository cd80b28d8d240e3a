"""Benchmark (issue 4): bootstrap replicates of the six ICCs, vectorised, against a loop over pingouin on the same
resamples.

Target: at least 50x faster, largest difference below 1e-10. Both are timed in this one run on this machine, so the
ratio, not the seconds, is the result. No report bootstraps the ICCs, so the vectorised computation lives here, not in
the package (issue 20: no code in the package kept only for a benchmark); the six forms come from the package's
mean-squares formulas, the same ones :func:`iso18091lab.stats.intraclass.icc` reports.

    python benchmarks/bench_icc_bootstrap.py [--bodies 3000] [--raters 4] [--resamples 1000]

Prints PASS or FAIL and exits 1 on FAIL.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
import pingouin as pg

from iso18091lab.stats.intraclass import ICC_FORMS, _icc_values


def vectorised_replicates(matrix: np.ndarray, indices: np.ndarray) -> dict[str, np.ndarray]:
    """The six ICCs of every resample of targets (rows of ``indices``: target positions) at once.

    Each resample is a vector of counts over targets; every sum the two-way ANOVA needs is a count-weighted sum of
    per-target quantities, so all resamples are one matrix product."""
    n, k = matrix.shape
    resamples = len(indices)
    flat = (np.arange(resamples)[:, None] * n + indices).ravel()
    counts = np.bincount(flat, minlength=resamples * n).reshape(resamples, n).astype(float)
    row_means = matrix.mean(axis=1)
    per_target = np.column_stack([matrix, row_means, row_means ** 2, (matrix ** 2).sum(axis=1)])
    sums = counts @ per_target / n  # weighted means over targets
    col_means, grand = sums[:, :k], sums[:, k]
    ss_rows = k * n * (sums[:, k + 1] - grand ** 2)
    ss_cols = n * ((col_means - grand[:, None]) ** 2).sum(axis=1)
    ss_error = n * sums[:, k + 2] - n * k * grand ** 2 - ss_rows - ss_cols
    with np.errstate(divide="ignore", invalid="ignore"):
        return _icc_values(ss_rows / (n - 1), ss_cols / (k - 1), ss_error / ((n - 1) * (k - 1)),
                           (ss_cols + ss_error) / (n * (k - 1)), n, k)


def pingouin_replicates(matrix: np.ndarray, indices: np.ndarray) -> dict[str, np.ndarray]:
    n, k = matrix.shape
    out = {form: np.empty(len(indices)) for form in ICC_FORMS}
    targets = np.repeat(np.arange(n), k)
    raters = np.tile(np.arange(k), n)
    for r, idx in enumerate(indices):
        frame = pd.DataFrame({"target": targets, "rater": raters, "rating": matrix[idx].ravel()})
        result = pg.intraclass_corr(frame, targets="target", raters="rater", ratings="rating")
        for form, value in zip(ICC_FORMS, result["ICC"]):
            out[form][r] = value
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bodies", type=int, default=3000)
    parser.add_argument("--raters", type=int, default=4)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    matrix = rng.normal(50, 10, size=(args.bodies, 1)) + rng.normal(0, 6, size=(args.bodies, args.raters)) \
        + rng.normal(0, 3, size=(1, args.raters))
    indices = rng.integers(0, args.bodies, size=(args.resamples, args.bodies))

    start = time.perf_counter()
    ours = vectorised_replicates(matrix, indices)
    t_ours = time.perf_counter() - start
    start = time.perf_counter()
    theirs = pingouin_replicates(matrix, indices)
    t_theirs = time.perf_counter() - start

    diff = max(float(np.max(np.abs(ours[f] - theirs[f]))) for f in ICC_FORMS)
    ratio = t_theirs / t_ours
    passed = ratio >= 50 and diff < 1e-10
    print(f"{args.bodies} bodies x {args.raters} raters, {args.resamples} resamples, six ICCs (synthetic data)")
    print(f"vectorised: {t_ours:.3f} s   pingouin loop: {t_theirs:.2f} s")
    print(f"speed ratio: {ratio:.0f}x (target >= 50x)   largest difference: {diff:.2e} (target < 1e-10)")
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
