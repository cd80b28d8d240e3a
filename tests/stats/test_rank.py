"""Rank tests and the mean change of paired differences against R and hand calculations."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from iso18091lab.i18n import split_method
from iso18091lab.stats.rank import bootstrap_mean_change, hodges_lehmann, wilcoxon_signed_rank

# Hollander & Wolfe (1973) p. 29, depression scale factor IV; R: wilcox.test(x, y, paired = TRUE): V = 40, p = 0.039
HW_X = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
HW_Y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]

# Tied and zero-containing differences; reference values from R 4.2.2:
#   after  <- c(61.5, 55, 70, 48, 62, 66.5, 52, 59.5, 63.5, 57.5, 68, 60)
#   before <- c(60,   53, 70, 49, 60, 63,   52, 58,   61,   58,   64, 58)
#   r <- wilcox.test(after, before, paired = TRUE, conf.int = TRUE)
#   V = 52, p.value = 0.0141163887498624, conf.int = 0.500057964845802 2.999994594826696,
#   (pseudo)median = 1.75000723714763
#   d2 <- c(1, 2, 2, 3, -1, 4, 4, 4, 5, -2); r2 <- wilcox.test(d2, conf.int = TRUE)
#   V = 49.5, p.value = 0.0274959679380172, conf.int = 0.499951465064493 3.999991824413335,
#   (pseudo)median = 2.4999389253488
# R finds the CI ends and the estimate with uniroot(tol = 1e-4); ours are the exact roots, hence atol 1e-3.
AFTER = [61.5, 55, 70, 48, 62, 66.5, 52, 59.5, 63.5, 57.5, 68, 60]
BEFORE = [60, 53, 70, 49, 60, 63, 52, 58, 61, 58, 64, 58]
D2 = [1, 2, 2, 3, -1, 4, 4, 4, 5, -2]


def test_wilcoxon_hollander_wolfe():
    result = wilcoxon_signed_rank(HW_X, HW_Y)
    assert result.statistic == 40 and round(result.p_value, 3) == 0.039 and result.method == "wilcoxon_exact"
    assert result.p_value == pytest.approx(stats.wilcoxon(np.subtract(HW_X, HW_Y), method="exact").pvalue)


@pytest.mark.parametrize("args, v, p, n_zeros", [((AFTER, BEFORE), 52, 0.0141163887498624, 2),
                                                  ((D2,), 49.5, 0.0274959679380172, 0)])
def test_wilcoxon_with_ties_and_zeros_matches_r(args, v, p, n_zeros):
    result = wilcoxon_signed_rank(*args)
    assert result.statistic == v and result.p_value == pytest.approx(p, rel=1e-12)
    assert result.n == 10 and result.n_zeros == n_zeros
    key, values = split_method(result.method)  # the method is a key of the text table and its values
    assert key == "wilcoxon_normal_cc" and values == {"why": [{"key": "zeros_dropped", "n": 2}] * (n_zeros > 0)
                                                      + [{"key": "ties"}]}
    # scipy's default (an exact sign-flip permutation for n <= 13 with ties) is a different test
    assert abs(stats.wilcoxon(np.subtract(*args) if len(args) == 2 else args[0]).pvalue - p) > 1e-3


@pytest.mark.parametrize("args, est, low, high", [((AFTER, BEFORE), 1.75000723714763, 0.500057964845802,
                                                   2.999994594826696),
                                                  ((D2,), 2.4999389253488, 0.499951465064493, 3.999991824413335)])
def test_hodges_lehmann_with_ties_and_zeros_matches_r(args, est, low, high):
    result = hodges_lehmann(*args)
    assert result.estimate == pytest.approx(est, abs=1e-3)
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high), abs=1e-3)
    assert split_method(result.method)[0] == "hl_asymptotic_cc" and result.n == 10


def test_hodges_lehmann_estimate_and_exact_interval_by_test_inversion():
    result = hodges_lehmann(HW_X, HW_Y)
    assert round(result.estimate, 2) == 0.46  # R: (pseudo)median 0.46
    d = np.subtract(HW_X, HW_Y)
    alpha = 1 - result.achieved_confidence
    # the interval is the set of shifts the exact two-sided signed-rank test (scipy) does not reject at alpha
    for end, inside, outside in ((result.ci_low, 1e-6, -1e-6), (result.ci_high, -1e-6, 1e-6)):
        assert stats.wilcoxon(d - (end + inside), method="exact").pvalue > alpha - 1e-12
        assert stats.wilcoxon(d - (end + outside), method="exact").pvalue <= alpha + 1e-12
    assert 0.95 <= result.achieved_confidence < 0.97


def test_rank_tests_reject_empty_input():
    for call in (lambda: wilcoxon_signed_rank([0.0, 0.0]), lambda: hodges_lehmann([1.0]),
                 lambda: bootstrap_mean_change([1.0]), lambda: wilcoxon_signed_rank([[1, 2], [3, 4]])):
        with pytest.raises(ValueError):
            call()


def test_bootstrap_mean_change():
    result = bootstrap_mean_change(HW_X, HW_Y, seed=3, n_resamples=2000)
    d = np.subtract(HW_X, HW_Y)
    assert result.estimate == pytest.approx(d.mean())
    assert result.ci_low < result.estimate < result.ci_high
