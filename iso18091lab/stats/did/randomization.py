"""Randomization inference for the imputation ATT: pilot status and start waves re-assigned among the bodies of
each province × level stratum (every distinct assignment when there are few, else random draws), the p-value of
a sharp null and the interval that inverts it (:class:`RandomizationResult`).

References
----------
Imbens, G. W. & Rubin, D. B. (2015). Causal Inference for Statistics, Social, and Biomedical Sciences, ch. 5
(Fisher exact p-values; intervals by inverting sharp-null tests).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from iso18091lab.stats.did.fixed_effects import _body_components, _fe_solve
from iso18091lab.stats.did.panel import _Block, _Prepared


def _strata_codes(block: _Block) -> np.ndarray:
    """Stratum of each body within its province: its level; a blank level is a stratum of its own."""
    return pd.factorize(pd.Series(block.levels).fillna(""))[0]


#: Randomization inference enumerates every distinct assignment when there are at most this many; above, it
#: draws ``n_permutations`` of them at random.
EXACT_LIMIT = 20000


def _assignment_codes(block: _Block) -> np.ndarray:
    """Each body's assignment as one code: (start wave index, pilot)."""
    return block.start.astype(np.int64) * 2 + block.pilot.astype(np.int64)


def _multiset_permutations(codes: np.ndarray) -> np.ndarray:
    """Every distinct ordering of a multiset of codes, (N, n), in lexicographic order."""
    values, counts = np.unique(codes, return_counts=True)
    out, current = [], np.empty(len(codes), dtype=codes.dtype)

    def fill(pos: int) -> None:
        if pos == len(codes):
            out.append(current.copy())
            return
        for k, value in enumerate(values):
            if counts[k]:
                counts[k] -= 1
                current[pos] = value
                fill(pos + 1)
                counts[k] += 1

    fill(0)
    return np.array(out, dtype=codes.dtype).reshape(len(out), len(codes))


def _n_assignments(blocks: list[_Block]) -> float:
    """How many distinct assignments re-assigning (pilot status, start) within province × level strata gives
    (a float: it can exceed any integer type)."""
    log_n = 0.0
    for block in blocks:
        codes, strata = _assignment_codes(block), _strata_codes(block)
        for s in np.unique(strata):
            _, counts = np.unique(codes[strata == s], return_counts=True)
            log_n += math.lgamma(counts.sum() + 1) - sum(math.lgamma(c + 1) for c in counts)
    return float(round(math.exp(log_n))) if log_n < 700 else float("inf")


def _all_assignments(block: _Block) -> np.ndarray:
    """(N_b, B) every distinct assignment of the block's codes within its strata."""
    codes, strata = _assignment_codes(block), _strata_codes(block)
    parts = [(np.flatnonzero(strata == s), None) for s in np.unique(strata)]
    parts = [(members, _multiset_permutations(codes[members])) for members, _ in parts]
    grid = np.indices([len(perms) for _, perms in parts]).reshape(len(parts), -1)
    out = np.tile(codes, (grid.shape[1], 1))
    for k, (members, perms) in enumerate(parts):
        out[:, members] = perms[grid[k]]
    return out


def _random_assignments(block: _Block, n: int, rng: np.random.Generator) -> np.ndarray:
    """(n, B) assignments drawn by shuffling the codes within each stratum."""
    codes, strata = _assignment_codes(block), _strata_codes(block)
    out = np.tile(codes, (n, 1))
    for s in np.unique(strata):
        members = np.flatnonzero(strata == s)
        if len(members) > 1:
            order = rng.random((n, len(members))).argsort(axis=1)
            out[:, members] = codes[members][order]
    return out


def _assignment_sums(block: _Block, codes: np.ndarray, outcomes: list[np.ndarray], chunk: int = 256):
    """For each assignment (rows of ``codes``): the imputation estimator's sum of treated effects for each
    outcome (K, P) and the number of imputable treated cells (P,)."""
    widx = block.pos
    sums = np.zeros((len(outcomes), len(codes)))
    counts = np.zeros(len(codes))
    for lo in range(0, len(codes), chunk):
        c = codes[lo:lo + chunk]
        pilot, start = (c % 2).astype(bool), c // 2
        d = pilot[:, :, None] & (widx[None, None, :] >= start[:, :, None]) & block.obs[None]
        m0 = block.obs[None] & ~d
        ys = np.stack([np.nan_to_num(y) for y in outcomes], axis=-1)  # (B, T, K)
        ym = np.where(m0[..., None], ys[None], 0.0)
        alpha, lam, label, body_ok, wave_ok = _fe_solve(m0, ym.sum(axis=2), ym.sum(axis=1))
        linked = _body_components(m0, label)[:, :, None] == label[:, None, :]
        ok = d & body_ok[:, :, None] & wave_ok[:, None, :] & linked
        counts[lo:lo + chunk] = ok.sum(axis=(1, 2))
        tau = np.where(ok[..., None], ys[None] - alpha[:, :, None, :] - lam[:, None, :, :], 0.0)
        sums[:, lo:lo + chunk] = tau.sum(axis=(1, 2)).T
    return sums, counts


@dataclass
class RandomizationResult:
    """Randomization inference for the ATT: the statistic under every assignment considered, and what follows.

    ``a``/``b``: the ATT of the outcome and of the observed treatment indicator under each assignment, so that
    the statistic under H0: effect = c is ``a - c b`` (the estimator is linear in the outcome). ``exact``: every
    distinct assignment was enumerated (the observed one among them); otherwise ``a``/``b`` are random draws and
    the observed assignment is added once (p = (1 + extreme) / (1 + draws))."""

    observed: float
    a: np.ndarray
    b: np.ndarray
    exact: bool
    n_assignments: float  # distinct assignments the design allows

    @property
    def p_min(self) -> float:
        """The smallest p-value the design allows: 1 / (number of distinct assignments)."""
        return 1.0 / self.n_assignments if self.n_assignments > 0 else float("nan")

    def p_value(self, c: float = 0.0) -> float:
        """Two-sided p of H0: every pilot body-wave's effect is ``c``."""
        extra = 0 if self.exact else 1
        t_obs = abs(self.observed - c)
        extreme = np.abs(self.a - c * self.b) >= t_obs - 1e-9 * (1 + t_obs)
        return (extra + int(extreme.sum())) / (extra + len(self.a))

    def interval(self, confidence: float = 0.95) -> tuple[float, float]:
        """The values c not rejected at level 1 − confidence (p(c) ≥ alpha), as an interval (its hull; ±inf
        where no value far out is rejected). Exact: p(c) only changes where |a − c b| = |observed − c|, so it is
        counted on every piece between those points (one sweep, no grid)."""
        alpha = 1 - confidence
        extra = 0 if self.exact else 1
        total = extra + len(self.a)
        lo, hi = _acceptance_sets(self.a, self.b, self.observed)
        points = np.unique(np.concatenate([lo, hi]))
        points = points[np.isfinite(points)]
        lo_sorted, hi_sorted = np.sort(lo), np.sort(hi)
        # count on the open pieces (-inf, x0), (x0, x1), ..., (x_last, inf) and at the points themselves
        on_piece = np.concatenate([[np.sum(np.isneginf(lo))],
                                   np.searchsorted(lo_sorted, points, "right") - np.searchsorted(hi_sorted, points, "right")])
        at_point = np.searchsorted(lo_sorted, points, "right") - np.searchsorted(hi_sorted, points, "left")
        keep_piece = (extra + on_piece) / total >= alpha - 1e-12
        keep_point = (extra + at_point) / total >= alpha - 1e-12
        left = np.concatenate([[-np.inf], points])
        right = np.concatenate([points, [np.inf]])
        candidates_low = np.concatenate([left[keep_piece], points[keep_point]])
        candidates_high = np.concatenate([right[keep_piece], points[keep_point]])
        if not len(candidates_low):
            return self.observed, self.observed
        return float(candidates_low.min()), float(candidates_high.max())


def _acceptance_sets(a: np.ndarray, b: np.ndarray, observed: float) -> tuple[np.ndarray, np.ndarray]:
    """For each assignment j, the c where |a_j − c b_j| ≥ |observed − c|, as closed intervals (lo, hi).

    The set is {q_j(c) ≥ 0} with q_j(c) = (b² − 1) c² − 2 (a b − observed) c + (a² − observed²): outside the
    roots when b² > 1 (two intervals), between them when b² < 1, a half-line when b² = 1. Returns flat arrays of
    interval ends (an assignment may give 0, 1 or 2 intervals)."""
    k = b * b - 1.0
    h = a * b - observed
    m = a * a - observed * observed
    los, his = [], []
    linear = np.abs(k) < 1e-12
    # linear: -2 h c + m >= 0
    lin_h, lin_m = h[linear], m[linear]
    flat = np.abs(lin_h) < 1e-12
    everywhere = flat & (lin_m >= -1e-12)
    los.append(np.full(int(everywhere.sum()), -np.inf))
    his.append(np.full(int(everywhere.sum()), np.inf))
    up = ~flat & (lin_h < 0)  # c >= m / (2h)
    los.append(lin_m[up] / (2 * lin_h[up]))
    his.append(np.full(int(up.sum()), np.inf))
    down = ~flat & (lin_h > 0)  # c <= m / (2h)
    los.append(np.full(int(down.sum()), -np.inf))
    his.append(lin_m[down] / (2 * lin_h[down]))
    kq, hq, mq = k[~linear], h[~linear], m[~linear]
    disc = hq * hq - kq * mq
    real = disc >= 0
    root = np.sqrt(np.where(real, disc, 0.0))
    r1 = np.where(real, (hq - root) / np.where(kq == 0, 1, kq), np.nan)
    r2 = np.where(real, (hq + root) / np.where(kq == 0, 1, kq), np.nan)
    r_lo, r_hi = np.minimum(r1, r2), np.maximum(r1, r2)
    outside = kq > 0
    # b^2 > 1: everywhere when no real root, else (-inf, r_lo] and [r_hi, inf)
    all_out = outside & ~real
    los.append(np.full(int(all_out.sum()), -np.inf))
    his.append(np.full(int(all_out.sum()), np.inf))
    two = outside & real
    los.extend([np.full(int(two.sum()), -np.inf), r_hi[two]])
    his.extend([r_lo[two], np.full(int(two.sum()), np.inf)])
    # b^2 < 1: [r_lo, r_hi] when real roots, else empty
    inside = ~outside & real
    los.append(r_lo[inside])
    his.append(r_hi[inside])
    return np.concatenate(los), np.concatenate(his)


def randomization_inference(prepared: _Prepared, observed: float, n_permutations: int, seed: int | None,
                            exact_limit: int = EXACT_LIMIT) -> RandomizationResult:
    """Re-assign (pilot status, start wave) among the bodies of every province × level stratum and recompute the
    imputation ATT of the outcome and of the observed treatment indicator under each assignment: every distinct
    assignment when there are at most ``exact_limit``, else ``n_permutations`` random ones."""
    blocks = prepared.blocks
    n_total = _n_assignments(blocks)
    exact = n_total <= exact_limit
    sums = np.zeros(0)
    if exact:
        per_block = []
        for block in blocks:
            d_obs = block.treated.astype(float)
            s, c = _assignment_sums(block, _all_assignments(block), [block.y, d_obs])
            per_block.append((s, c))
        grid = np.indices([len(c) for _, c in per_block]).reshape(len(per_block), -1)
        sums = sum(s[:, grid[j]] for j, (s, _) in enumerate(per_block))
        counts = sum(c[grid[j]] for j, (_, c) in enumerate(per_block))
    else:
        rng = np.random.default_rng(seed)
        sums, counts = np.zeros((2, n_permutations)), np.zeros(n_permutations)
        for block in blocks:
            s, c = _assignment_sums(block, _random_assignments(block, n_permutations, rng),
                                    [block.y, block.treated.astype(float)])
            sums += s
            counts += c
    valid = counts > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        a, b = sums[0][valid] / counts[valid], sums[1][valid] / counts[valid]
    return RandomizationResult(float(observed), a, b, bool(exact), float(n_total))
