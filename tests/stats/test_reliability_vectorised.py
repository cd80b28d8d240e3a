"""The vectorised REML routines against straightforward reference implementations (the code they replaced)."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iso18091lab.stats import indicator_review as review
from iso18091lab.stats import reliability as rel

sys.path.insert(0, str(Path(__file__).parent))
from simulate import simulate  # noqa: E402


# --------------------------------------------------------------------------- REML deviance: dense reference

def reference_setup(y: np.ndarray, codes: list[np.ndarray]):
    """Cross-products for the REML deviance of y = mu + sum_j u_j[codes_j] + e (all random intercepts)."""
    n = len(y)
    sizes = [int(c.max()) + 1 for c in codes]
    big = int(np.argmax(sizes))
    others = [j for j in range(len(codes)) if j != big]
    offsets = np.cumsum([0] + [sizes[j] for j in others])
    s = int(offsets[-1]) + 1  # the other factors' levels, then the intercept
    cols = np.empty((n, len(others) + 1), dtype=int)
    for pos, j in enumerate(others):
        cols[:, pos] = codes[j] + offsets[pos]
    cols[:, -1] = s - 1
    small = np.zeros((s, s))
    cross = np.zeros((sizes[big], s))
    zsy = np.zeros(s)
    for a in range(cols.shape[1]):
        np.add.at(cross, (codes[big], cols[:, a]), 1.0)
        np.add.at(zsy, cols[:, a], y)
        for b in range(cols.shape[1]):
            np.add.at(small, (cols[:, a], cols[:, b]), 1.0)
    return {"n": n, "big": big, "others": others, "offsets": offsets, "s": s, "small": small, "cross": cross,
            "counts": np.bincount(codes[big], minlength=sizes[big]).astype(float),
            "zby": np.bincount(codes[big], weights=y, minlength=sizes[big]), "zsy": zsy, "yy": float(y @ y)}


def reference_pieces(setup: dict, theta: np.ndarray):
    """log|M| (M = the penalised system of Bates et al. 2015, incl. the fixed effect), penalised RSS, solution.

    The factor with most levels is eliminated first (its block is diagonal), so the dense algebra is only
    over the other factors' levels."""
    big, s = setup["big"], setup["s"]
    lam = np.ones(s)
    for pos, j in enumerate(setup["others"]):
        lam[setup["offsets"][pos]:setup["offsets"][pos + 1]] = theta[j]
    penalty = np.ones(s)
    penalty[-1] = 0.0
    lb = theta[big]
    d = lb ** 2 * setup["counts"] + 1.0
    b = lb * setup["cross"] * lam[None, :]
    schur = lam[:, None] * setup["small"] * lam[None, :] + np.diag(penalty) - b.T @ (b / d[:, None])
    rb = lb * setup["zby"]
    rs = lam * setup["zsy"]
    chol = np.linalg.cholesky(schur)
    xs = np.linalg.solve(chol.T, np.linalg.solve(chol, rs - b.T @ (rb / d)))
    xb = (rb - b @ xs) / d
    rss = setup["yy"] - rb @ xb - rs @ xs
    return np.log(d).sum() + 2 * np.log(np.diag(chol)).sum(), rss, xs



def _random_design(seed, n=500, sizes=(15, 6, 70, 4)):
    rng = np.random.default_rng(seed)
    codes = [pd.factorize(rng.integers(0, k, n))[0] for k in sizes]
    y = 50 + 3 * rng.normal(size=n) + sum(rng.normal(0, 2, c.max() + 1)[c] for c in codes)
    return y, codes


@pytest.mark.parametrize("seed, sizes", [(0, (15, 6, 70, 4)), (1, (40, 3)), (2, (8, 120, 5)), (3, (15, 6, 200, 4))])
def test_reml_deviance_matches_the_dense_reference(seed, sizes):
    rng = np.random.default_rng(100 + seed)
    y, codes = _random_design(seed, sizes=sizes)
    ours, ref = rel._reml_setup(y, codes), reference_setup(y, codes)
    assert ours["big"] == ref["big"] and ours["s"] == ref["s"]
    for theta in [np.ones(len(codes)), rng.uniform(0, 3, len(codes)), np.r_[0.0, rng.uniform(0, 2, len(codes) - 1)]]:
        logdet, rss, xs = rel._reml_pieces(ours, theta)
        ref_logdet, ref_rss, ref_xs = reference_pieces(ref, theta)
        assert logdet == pytest.approx(ref_logdet, rel=1e-12, abs=1e-10)
        assert rss == pytest.approx(ref_rss, rel=1e-12, abs=1e-10)
        np.testing.assert_allclose(xs, ref_xs, rtol=1e-10, atol=1e-10)


def _deviance(setup, theta):
    logdet, rss, _ = rel._reml_pieces(setup, theta)
    return logdet + (setup["n"] - 1) * (1 + np.log(2 * np.pi * rss / (setup["n"] - 1)))


@given(seed=st.integers(0, 10_000), sizes=st.lists(st.integers(2, 60), min_size=2, max_size=4),
       n=st.integers(40, 400), theta=st.lists(st.floats(0.02, 4.0), min_size=4, max_size=4))
@settings(max_examples=60, deadline=None)
def test_reml_gradient_is_the_derivative_of_the_deviance(seed, sizes, n, theta):
    """The analytic gradient (what L-BFGS-B is given) against central differences of the deviance."""
    y, codes = _random_design(seed, n=n, sizes=tuple(sizes))
    setup = rel._reml_setup(y, codes)
    theta = np.array(theta[:len(codes)])
    grad = rel._reml_pieces(setup, theta, gradient=True)[3]
    h = 1e-5
    central = np.array([(_deviance(setup, theta + e) - _deviance(setup, theta - e)) / (2 * h)
                        for e in np.eye(len(theta)) * h])
    np.testing.assert_allclose(grad, central, rtol=1e-5, atol=1e-5 * max(1.0, np.abs(central).max()))


def test_reml_gradient_is_zero_where_a_variance_is_zero():
    """The deviance is even in each theta_j: its derivative at theta_j = 0 vanishes (and is not 0 / 0)."""
    y, codes = _random_design(5, sizes=(12, 5))
    setup = rel._reml_setup(y, codes)
    grad = rel._reml_pieces(setup, np.array([0.0, 0.7]), gradient=True)[3]
    assert grad[0] == 0.0 and np.isfinite(grad).all()
    for h in (1e-3, 0.3):  # even: the same deviance at -h and +h, so a zero slope at 0
        assert _deviance(setup, np.array([h, 0.7])) == pytest.approx(_deviance(setup, np.array([-h, 0.7])), rel=1e-12)


def test_g_study_from_codes_is_g_study_from_the_frame():
    a = simulate(n_bodies=12, members=4, seed=3, missing_member_rate=0.1)
    members = a[a["rater_id"].notna()].assign(wave=lambda f: f["body_id"] + "/" + f["year"].astype(str))
    frame = rel.g_study(members, "score_100", "wave", "rater_id", "indicator")
    codes = rel._g_study_codes(members["score_100"].to_numpy(float), pd.factorize(members["wave"])[0],
                               pd.factorize(members["indicator"])[0], pd.factorize(members["rater_id"])[0])
    np.testing.assert_array_equal(codes["variance"].to_numpy(), frame["variance"].to_numpy())
    assert codes.attrs["reml_criterion"] == frame.attrs["reml_criterion"]
    with pytest.raises(ValueError):
        rel._g_study_codes(np.arange(5.0), np.zeros(5, int), np.arange(5), np.arange(5))


def _reference_raters_ci(a, max_raters, n_resamples, seed, confidence=0.95):
    """The old bootstrap loop: a frame per resample (bodies copied with suffixed body-waves), g_study on it."""
    checked = review._check(a, "raters_needed")
    members = review._members(checked)
    components = review.g_study(checked)
    bodies = members["body_id"].unique()
    rng = np.random.default_rng(seed)
    by_body = {b: part for b, part in members.groupby("body_id")}
    reps = []
    for _ in range(n_resamples):
        chosen = rng.integers(0, len(bodies), len(bodies))
        frame = pd.concat([by_body[bodies[c]].assign(wave=by_body[bodies[c]]["wave"] + f"#{i}")
                           for i, c in enumerate(chosen)], ignore_index=True)
        try:
            comp = rel.g_study(frame, "score_100", "wave", "rater_id", "indicator", start=components.attrs["theta"])
        except ValueError:
            continue
        reps.append(rel.d_study(comp, range(1, max_raters + 1))["reliability"].to_numpy())
    return review._percentiles(np.array(reps), confidence), len(reps)


def test_raters_needed_bootstrap_matches_the_frame_loop():
    a = simulate(n_bodies=8, waves=2, members=3, seed=5, missing_member_rate=0.15,
                 indicators=["1.1", "1.2", "2.1", "2.2", "3.1"])
    table = review.raters_needed(a, max_raters=5, n_resamples=25, seed=11)
    (low, high), n = _reference_raters_ci(a, 5, 25, 11)
    assert table.attrs["n_resamples"] == n > 20
    np.testing.assert_allclose(table["ci_low"], low, rtol=0, atol=1e-10)
    np.testing.assert_allclose(table["ci_high"], high, rtol=0, atol=1e-10)


# --------------------------------------------------------------------------- indicator review: loop references

def test_wave_body_is_the_dict_of_every_row():
    a = review._check(simulate(n_bodies=6, waves=2, seed=2), "test")
    assert review._wave_body(a) == dict(zip(a["wave"], a["body_id"]))


def _reference_alpha_gain_ci(a, pillar, j, n_resamples, seed, confidence=0.95):
    """Per resample of bodies, the pillar's covariance matrix of the resampled body-waves (frequency weights),
    alpha without each indicator minus the pillar's alpha; percentiles."""
    rows = review._consensus(review._check(a, "test"), "council")
    wide = rows[rows["pillar"] == pillar].pivot(index="wave", columns="indicator", values="score_100").dropna()
    body_codes, bodies = pd.factorize(pd.Series(wide.index.map(review._wave_body(review._check(a, "test")))))
    counts = review._resample_counts(len(bodies), n_resamples, [seed, j])
    x = wide.to_numpy(float)
    k = x.shape[1]
    alpha = lambda cov: cov.shape[0] / (cov.shape[0] - 1) * (1 - np.trace(cov) / cov.sum())  # noqa: E731
    gains = np.empty((n_resamples, k))
    for r in range(n_resamples):
        cov = np.cov(x, rowvar=False, fweights=counts[r, body_codes].astype(int), ddof=0)
        for c in range(k):
            keep = [i for i in range(k) if i != c]
            gains[r, c] = alpha(cov[np.ix_(keep, keep)]) - alpha(cov)
    lo, hi = review._percentiles(gains, confidence)
    return pd.DataFrame({"low": lo, "high": hi}, index=list(wide.columns))


def test_item_review_bootstrap_matches_a_loop_over_resamples():
    a = simulate(n_bodies=15, waves=2, seed=4, unreliable={"2.3"})
    table = review.item_review(a, n_resamples=60, seed=9).set_index("indicator")
    for j, pillar in enumerate(sorted(a["pillar"].unique())):
        ref = _reference_alpha_gain_ci(a, pillar, j, 60, 9)
        np.testing.assert_allclose(table.loc[ref.index, "alpha_gain_ci_low"], ref["low"], rtol=0, atol=1e-10)
        np.testing.assert_allclose(table.loc[ref.index, "alpha_gain_ci_high"], ref["high"], rtol=0, atol=1e-10)


def _reference_numeric(values, what, column="ratings"):
    """The per-value conversion _numeric does for every input (its fast path skips it for numeric dtypes)."""
    series = pd.Series(values).astype(object).where(pd.Series(values).notna(), np.nan)
    converted = pd.to_numeric(series, errors="coerce")
    if (series.notna() & converted.isna()).any():
        raise ValueError("text")
    out = converted.to_numpy(dtype=float)
    if np.isinf(out).any():
        raise ValueError("infinite")
    return out


@pytest.mark.parametrize("values", [pd.Series([1.5, np.nan, 3.0]), pd.Series([1, 2, 3]), pd.Series([2 ** 60, 3]),
                                    pd.Series([1, None, 3], dtype="Int64"), pd.Series([1.0, None], dtype="Float64"),
                                    pd.Series(np.array([1, 2], dtype=np.int8)), pd.Series(np.float32([0.1, 2.5])),
                                    pd.Series([True, False]), pd.Series(["1", "2.5", None])])
def test_numeric_fast_path_converts_as_the_general_one(values):
    np.testing.assert_array_equal(rel._numeric(values, "test"), _reference_numeric(values, "test"))


def test_numeric_still_rejects_infinite_numbers():
    with pytest.raises(ValueError, match="infinite"):
        rel._numeric(pd.Series([1.0, np.inf]), "test")
