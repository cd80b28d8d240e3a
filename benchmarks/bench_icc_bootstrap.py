"""Benchmark: bootstrap CIs of the six ICCs, ours (vectorised) against a loop over pingouin, same resamples.

Target (issue 4): at least 50x faster, largest difference below 1e-10. Both are timed in this one run on this
machine, so the ratio, not the seconds, is the result.

    python benchmarks/bench_icc_bootstrap.py [--bodies 3000] [--raters 4] [--resamples 1000]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
import pingouin as pg

from iso18091lab.stats.reliability import ICC_FORMS, icc_bootstrap


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


def main() -> None:
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
    ours = icc_bootstrap(matrix, indices=indices).attrs["replicates"]
    t_ours = time.perf_counter() - start
    start = time.perf_counter()
    theirs = pingouin_replicates(matrix, indices)
    t_theirs = time.perf_counter() - start

    diff = max(float(np.max(np.abs(ours[f] - theirs[f]))) for f in ICC_FORMS)
    ratio = t_theirs / t_ours
    print(f"{args.bodies} bodies x {args.raters} raters, {args.resamples} resamples, six ICCs")
    print(f"iso18091lab vectorised: {t_ours:.3f} s   pingouin loop: {t_theirs:.2f} s")
    print(f"speed ratio: {ratio:.0f}x (target >= 50x)   largest difference: {diff:.2e} (target < 1e-10)")
    print("PASS" if ratio >= 50 and diff < 1e-10 else "FAIL")


if __name__ == "__main__":
    main()
