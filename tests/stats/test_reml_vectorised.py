"""The vectorised reliability routines against independent references, not copies of the code they replaced:
the REML pieces against the dense marginal model, the gradient against finite differences, the bootstrap CIs
against the bootstrap by its definition (resampled rows; pingouin's alpha, the lme4-checked frame-level G study),
and the number conversion against values written out by hand."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iso18091lab.stats.review import council_size, pillar_items
from iso18091lab.stats.review import assessments as review_assessments
from iso18091lab.stats.generalizability import _g_study_codes, d_study, g_study
from iso18091lab.stats.inputs import _numeric
from iso18091lab.stats.reml import _reml_pieces, _reml_setup

sys.path.insert(0, str(Path(__file__).parent))
from planted_designs import planted_assessments  # noqa: E402

_FEW = ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "2.4"]  # two pillars of four indicators


# --------------------------------------------------------------------------- REML deviance: the marginal model

def marginal_reml_pieces(y: np.ndarray, codes: list[np.ndarray], theta: np.ndarray):
    """The REML pieces from the marginal model y ~ N(mu 1, sigma² V), V = I + sum_j theta_j² Z_j Z_j' (dense n x n),
    not from the penalised system the package solves (Bates et al. 2015, eqs. 15-21 and 40-42, by Woodbury):

    * log|M| = log|V| + log|1' V⁻¹ 1|;
    * penalised RSS = the generalised least squares residual (y - mu 1)' V⁻¹ (y - mu 1), mu = 1' V⁻¹ y / 1' V⁻¹ 1;
    * the spherical random effects u_j = theta_j Z_j' V⁻¹ (y - mu 1) and mu itself.
    """
    n = len(y)
    v = np.eye(n)
    z = [np.eye(int(c.max()) + 1)[c] for c in codes]
    for t, zj in zip(theta, z):
        v += t ** 2 * zj @ zj.T
    ones = np.ones(n)
    vi_one, vi_y = np.linalg.solve(v, ones), np.linalg.solve(v, y)
    mu = (ones @ vi_y) / (ones @ vi_one)
    resid = y - mu
    vi_resid = vi_y - mu * vi_one
    logdet = np.linalg.slogdet(v)[1] + np.log(ones @ vi_one)
    u = [t * zj.T @ vi_resid for t, zj in zip(theta, z)]
    return logdet, float(resid @ vi_resid), mu, u


def _random_design(seed, n=500, sizes=(15, 6, 70, 4)):
    rng = np.random.default_rng(seed)
    codes = [pd.factorize(rng.integers(0, k, n))[0] for k in sizes]
    y = 50 + 3 * rng.normal(size=n) + sum(rng.normal(0, 2, c.max() + 1)[c] for c in codes)
    return y, codes


@pytest.mark.parametrize("seed, sizes", [(0, (15, 6, 70, 4)), (1, (40, 3)), (2, (8, 120, 5)), (3, (15, 6, 200, 4))])
def test_reml_pieces_match_the_marginal_model(seed, sizes):
    """The package's sparse, block-eliminated penalised system against the dense marginal-model algebra."""
    rng = np.random.default_rng(100 + seed)
    y, codes = _random_design(seed, sizes=sizes)
    setup = _reml_setup(y, codes)
    levels = [int(c.max()) + 1 for c in codes]
    big = int(np.argmax(levels))  # the factor with most levels is the one eliminated through its diagonal block
    assert setup["big"] == big and setup["s"] == sum(levels) - levels[big] + 1
    others = [j for j in range(len(codes)) if j != big]
    for theta in [np.ones(len(codes)), rng.uniform(0, 3, len(codes)), np.r_[0.0, rng.uniform(0, 2, len(codes) - 1)]]:
        logdet, rss, xs = _reml_pieces(setup, theta)
        ref_logdet, ref_rss, mu, u = marginal_reml_pieces(y, codes, theta)
        assert logdet == pytest.approx(ref_logdet, rel=1e-12, abs=1e-10)
        assert rss == pytest.approx(ref_rss, rel=1e-11, abs=1e-10)
        # the solution: the other factors' spherical effects in their order, then the mean
        np.testing.assert_allclose(xs, np.concatenate([u[j] for j in others] + [[mu]]), rtol=1e-9, atol=1e-9)


def _deviance(setup, theta):
    logdet, rss, _ = _reml_pieces(setup, theta)
    return logdet + (setup["n"] - 1) * (1 + np.log(2 * np.pi * rss / (setup["n"] - 1)))


@given(seed=st.integers(0, 10_000), sizes=st.lists(st.integers(2, 60), min_size=2, max_size=4),
       n=st.integers(40, 400), theta=st.lists(st.floats(0.02, 4.0), min_size=4, max_size=4))
@settings(max_examples=60, deadline=None)
def test_reml_gradient_is_the_derivative_of_the_deviance(seed, sizes, n, theta):
    """The analytic gradient (what L-BFGS-B is given) against central differences of the deviance."""
    y, codes = _random_design(seed, n=n, sizes=tuple(sizes))
    setup = _reml_setup(y, codes)
    theta = np.array(theta[:len(codes)])
    grad = _reml_pieces(setup, theta, gradient=True)[3]
    h = 1e-5
    central = np.array([(_deviance(setup, theta + e) - _deviance(setup, theta - e)) / (2 * h)
                        for e in np.eye(len(theta)) * h])
    np.testing.assert_allclose(grad, central, rtol=1e-5, atol=1e-5 * max(1.0, np.abs(central).max()))


def test_reml_gradient_is_zero_where_a_variance_is_zero():
    """The deviance is even in each theta_j: its derivative at theta_j = 0 vanishes (and is not 0 / 0)."""
    y, codes = _random_design(5, sizes=(12, 5))
    setup = _reml_setup(y, codes)
    grad = _reml_pieces(setup, np.array([0.0, 0.7]), gradient=True)[3]
    assert grad[0] == 0.0 and np.isfinite(grad).all()
    for h in (1e-3, 0.3):  # even: the same deviance at -h and +h, so a zero slope at 0
        assert _deviance(setup, np.array([h, 0.7])) == pytest.approx(_deviance(setup, np.array([-h, 0.7])), rel=1e-12)


def test_g_study_from_codes_is_g_study_from_the_frame():
    a = planted_assessments(n_bodies=12, members=4, seed=3, missing_member_rate=0.1)
    members = a[a["rater_id"].notna()].assign(wave=lambda f: f["body_id"] + "/" + f["year"].astype(str))
    frame = g_study(members, "score_100", "wave", "rater_id", "indicator")
    codes = _g_study_codes(members["score_100"].to_numpy(float), pd.factorize(members["wave"])[0],
                               pd.factorize(members["indicator"])[0], pd.factorize(members["rater_id"])[0])
    pd.testing.assert_frame_equal(codes.table, frame.table)
    assert codes.reml_criterion == frame.reml_criterion and codes.levels == frame.levels and codes.n == frame.n
    with pytest.raises(ValueError):
        _g_study_codes(np.arange(5.0), np.zeros(5, int), np.arange(5), np.arange(5))


def _resampled_frames_ci(a, max_raters, n_resamples, seed, confidence=0.95):
    """The cluster bootstrap by its definition: each resample is a frame of the drawn bodies' rows, a body drawn
    twice entering as two bodies (its body-waves keyed by the copy), refitted with the frame-level
    :func:`stats.generalizability.g_study` (the REML fit checked against lme4 in ``tests/references/psych_icc``) and
    its D study; percentile CIs. Draws: ``numpy.random.default_rng(seed).integers`` over the bodies in order of
    appearance, one resample after another."""
    members = a[a["rater_id"].notna() & (a["rater"] == "council")].dropna(subset=["score_100"])
    members = members.assign(wave=members["body_id"] + "/" + members["year"].astype(str) + "/"
                             + members["round"].astype(str))
    start = g_study(members, "score_100", "wave", "rater_id", "indicator").theta
    bodies = members["body_id"].unique()
    by_body = {b: part for b, part in members.groupby("body_id")}
    rng = np.random.default_rng(seed)
    reps = []
    for _ in range(n_resamples):
        chosen = rng.integers(0, len(bodies), len(bodies))
        frame = pd.concat([by_body[bodies[c]].assign(wave=by_body[bodies[c]]["wave"] + f"#{i}")
                           for i, c in enumerate(chosen)], ignore_index=True)
        try:
            comp = g_study(frame, "score_100", "wave", "rater_id", "indicator", start=start)
        except ValueError:
            continue
        reps.append(d_study(comp, range(1, max_raters + 1))["reliability"].to_numpy())
    reps = np.array(reps)
    return (np.percentile(reps, 100 * (1 - confidence) / 2, axis=0),
            np.percentile(reps, 100 * (1 + confidence) / 2, axis=0)), len(reps)


def test_council_d_study_bootstrap_is_the_bootstrap_of_resampled_frames():
    a = planted_assessments(n_bodies=8, waves=2, members=3, seed=5, missing_member_rate=0.15,
                            indicators=["1.1", "1.2", "2.1", "2.2", "3.1"])
    d = council_size.council_d_study(a, max_raters=5, n_resamples=25, seed=11)
    table = d.table
    (low, high), n = _resampled_frames_ci(a, 5, 25, 11)
    assert d.n_resamples == n > 20
    np.testing.assert_allclose(table["ci_low"], low, rtol=0, atol=1e-10)
    np.testing.assert_allclose(table["ci_high"], high, rtol=0, atol=1e-10)


# --------------------------------------------------------------------------- indicator review: loop references

def test_wave_body_is_the_dict_of_every_row():
    a = review_assessments._check(planted_assessments(n_bodies=6, waves=2, seed=2), "test")
    assert review_assessments._wave_body(a) == dict(zip(a["wave"], a["body_id"]))


def _pingouin_alpha_gain_ci(a, pillar, j, n_resamples, seed, confidence=0.95):
    """Per resample of bodies, the drawn body-waves as rows (a body drawn twice: its rows twice), pingouin's
    Cronbach's alpha without each indicator minus alpha with all of them; percentile CIs. Draws:
    ``numpy.random.default_rng([seed, j]).integers`` over the bodies in the order of the sorted body-waves (j = the
    pillar's position)."""
    import pingouin as pg

    council = a[(a["rater"] == "council") & a["rater_id"].isna() & (a["pillar"] == pillar)]
    wide = council.pivot_table(index=["body_id", "year", "round"], columns="indicator", values="score_100").dropna()
    body_codes, bodies = pd.factorize(wide.index.get_level_values("body_id"))
    chosen = np.random.default_rng([seed, j]).integers(0, len(bodies), size=(n_resamples, len(bodies)))
    rows_of = [np.flatnonzero(body_codes == b) for b in range(len(bodies))]
    gains = np.empty((n_resamples, wide.shape[1]))
    for r in range(n_resamples):
        sample = wide.iloc[np.concatenate([rows_of[b] for b in chosen[r]])].reset_index(drop=True)
        whole = pg.cronbach_alpha(sample)[0]
        for c, item in enumerate(wide.columns):
            gains[r, c] = pg.cronbach_alpha(sample.drop(columns=item))[0] - whole
    lo = np.percentile(gains, 100 * (1 - confidence) / 2, axis=0)
    hi = np.percentile(gains, 100 * (1 + confidence) / 2, axis=0)
    return pd.DataFrame({"low": lo, "high": hi}, index=list(wide.columns))


def test_item_review_bootstrap_matches_pingouin_on_the_resampled_rows():
    a = planted_assessments(n_bodies=15, waves=2, seed=4, unreliable={"2.3"}, indicators=_FEW)
    table = pillar_items.item_review(a, n_resamples=40, seed=9).set_index("indicator")
    for j, pillar in enumerate(sorted(a["pillar"].unique())):
        ref = _pingouin_alpha_gain_ci(a, pillar, j, 40, 9)
        assert len(ref) >= 3
        np.testing.assert_allclose(table.loc[ref.index, "alpha_gain_ci_low"], ref["low"], rtol=0, atol=1e-10)
        np.testing.assert_allclose(table.loc[ref.index, "alpha_gain_ci_high"], ref["high"], rtol=0, atol=1e-10)
    # the planted unreliable indicator is the one whose removal raises its pillar's alpha the most
    assert table["alpha_gain"].idxmax() == "2.3"


@pytest.mark.parametrize("values, expected", [
    (pd.Series([1.5, np.nan, 3.0]), [1.5, np.nan, 3.0]),
    (pd.Series([1, 2, 3]), [1.0, 2.0, 3.0]),
    (pd.Series([2 ** 60, 3]), [1.152921504606846976e18, 3.0]),
    (pd.Series([1, None, 3], dtype="Int64"), [1.0, np.nan, 3.0]),
    (pd.Series([1.0, None], dtype="Float64"), [1.0, np.nan]),
    (pd.Series(np.array([1, 2], dtype=np.int8)), [1.0, 2.0]),
    (pd.Series(np.float32([0.1, 2.5])), [0.100000001490116119384765625, 2.5]),  # float32's 0.1, exactly
    (pd.Series([True, False]), [1.0, 0.0]),
    (pd.Series(["1", "2.5", None]), [1.0, 2.5, np.nan]),
])
def test_numeric_converts_every_kind_of_column(values, expected):
    """The fast path (numeric dtypes) and the general one (text, booleans) give the numbers written here."""
    out = _numeric(values, "test")
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, np.array(expected, dtype=float))


def test_numeric_rejects_text_that_is_not_a_number():
    with pytest.raises(ValueError, match=r"must be numbers; found text \['x'\]"):
        _numeric(pd.Series(["1", "x"]), "test")


def test_numeric_still_rejects_infinite_numbers():
    with pytest.raises(ValueError, match="infinite"):
        _numeric(pd.Series([1.0, np.inf]), "test")
