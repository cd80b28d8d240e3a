"""Dataset-level reliability tables: consistent with the reliability functions, and they find what was planted."""
from __future__ import annotations

import numpy as np
import pytest

from iso18091lab.stats import indicator_review as review
from iso18091lab.stats import reliability as rel


@pytest.fixture(scope="module")
def assessments(synthetic_ingest):
    result, _ = synthetic_ingest
    return result.assessments[result.assessments["province"] == "Hải Phòng"]


def test_flags_find_the_planted_unreliable_indicators(assessments, synthetic_raw):
    _, manifest = synthetic_raw
    planted = {i for i, r in manifest["indicator_reliability"].items() if r < 0.5}
    assert planted == {"1.9", "2.7", "3.2", "4.7"}
    flags = review.flag_indicators(review.item_review(assessments), review.self_council_agreement(assessments))
    assert set(flags["indicator"]) == planted


def test_internal_consistency_equals_cronbach_alpha_on_the_pivot(assessments):
    table = review.internal_consistency(assessments).set_index("pillar")
    council = assessments[(assessments["rater"] == "council") & assessments["rater_id"].isna()]
    for pillar in (1, 4):
        wide = council[council["pillar"] == pillar].pivot_table(index=["unit", "year", "round"], columns="indicator",
                                                                values="score_100")
        assert table.loc[pillar, "alpha"] == pytest.approx(rel.cronbach_alpha(wide).alpha, abs=1e-12)
        assert table.loc[pillar, "omega"] == pytest.approx(rel.mcdonald_omega(wide).omega, abs=1e-12)


def test_self_inflation_recovers_the_planted_value(assessments, synthetic_raw):
    _, manifest = synthetic_raw
    overall = review.pillar_agreement(assessments, n_resamples=300).set_index("pillar").loc[0]
    planted = manifest["params"]["self_inflation"]
    # rounding to half points and clipping at 0/10 blur it a little; the CI must cover it
    assert overall["inflation_ci_low"] - 0.5 < planted < overall["inflation_ci_high"] + 0.5
    assert overall["n_bodies"] == 24


def test_indicator_agreement_matches_direct_icc(assessments):
    agreement = review.self_council_agreement(assessments).set_index("indicator")
    part = assessments[assessments["rater_id"].isna() & (assessments["indicator"] == "2.3")].dropna(subset=["score_100"])
    part = part.assign(target=part["unit"].astype(str) + part["year"].astype(str))
    both = part.groupby("target")["rater"].transform("nunique") == 2
    direct = rel.icc(part[both], "target", "rater", "score_100").loc["ICC2", "icc"]
    assert agreement.loc["2.3", "icc_a1"] == pytest.approx(direct, abs=1e-12)
    assert -1 <= agreement["kappa_w"].min() and agreement["kappa_w"].max() <= 1


def test_council_members_agreement(assessments, synthetic_raw):
    table = review.council_interrater(assessments).set_index("measure")
    assert table.loc["ICC(A,1) single member", "n_raters"] == 4
    assert table.loc["ICC(A,k) mean of members", "value"] > table.loc["ICC(A,1) single member", "value"]
    alpha = table.loc["Krippendorff alpha (interval)", "value"]
    assert abs(alpha - table.loc["ICC(A,1) single member", "value"]) < 0.1  # interval alpha ~ ICC(A,1)


def test_bands():
    assert [review.band(v) for v in (0.3, 0.5, 0.8, 0.95)] == ["poor", "moderate", "good", "excellent"]
    assert [review.band(v, "kappa") for v in (-0.1, 0.1, 0.3, 0.5, 0.7, 0.9)] == \
        ["poor", "slight", "fair", "moderate", "substantial", "almost perfect"]
    assert review.band(0.8, lang="vi") == "tốt" and review.band(np.nan) == "–"


def test_cluster_bootstrap_mean_equals_generic_on_same_draws():
    rng = np.random.default_rng(4)
    values = rng.normal(size=60)
    clusters = np.repeat(np.arange(20), 3)
    fast = rel.cluster_bootstrap_mean(values, clusters, n_resamples=400, seed=9)
    assert fast["estimate"] == pytest.approx(values.mean())
    assert fast["ci_low"] < fast["estimate"] < fast["ci_high"] and fast["n_clusters"] == 20
    # same resampled clusters by hand
    draws = np.random.default_rng(9).integers(0, 20, size=(400, 20))
    manual = [np.concatenate([values[clusters == c] for c in row]).mean() for row in draws]
    assert fast["ci_low"] == pytest.approx(np.percentile(manual, 2.5), abs=1e-12)


def test_flags_by_province_and_everywhere(synthetic_ingest):
    result, _ = synthetic_ingest
    flags = review.flags_by_province(result.assessments)
    assert set(flags["province"]) <= {"Hải Phòng", "Quảng Ninh"}
    everywhere = review.flagged_everywhere(flags, ["Hải Phòng", "Quảng Ninh"])
    hp = set(flags.loc[flags["province"] == "Hải Phòng", "indicator"])
    qn = set(flags.loc[flags["province"] == "Quảng Ninh", "indicator"])
    assert set(everywhere) == hp & qn and "1.9" in everywhere
    assert review.flagged_everywhere(flags, []) == []


def test_summary_by_province_matches_the_per_province_tables(synthetic_ingest):
    result, _ = synthetic_ingest
    a = result.assessments
    summary = review.summary_by_province(a, n_resamples=100, seed=1).set_index("province")
    assert list(summary.index) == ["Hải Phòng", "Quảng Ninh", "pooled"]
    hp = a[a["province"] == "Hải Phòng"]
    assert summary.loc["Hải Phòng", "alpha_min"] == pytest.approx(review.internal_consistency(hp)["alpha"].min())
    overall = review.pillar_agreement(a, n_resamples=100, seed=1).set_index("pillar").loc[0]
    assert summary.loc["pooled", "icc_a1"] == pytest.approx(overall["icc_a1"])
    assert "1.9" in summary.loc["Hải Phòng", "flagged"].split(", ")
