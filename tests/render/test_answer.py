"""The evidence pack's first page (render.answer): the effect, trust and roll-out sentences from typed summaries,
the reason when nothing was estimated, and roll-out advice that never contradicts the answer."""
from __future__ import annotations

import pandas as pd
import pytest

from iso18091lab.render.answer import answer
from iso18091lab.stats.verdict import Verdict
from iso18091lab.summaries.base import Estimate
from iso18091lab.summaries.reliability import ReliabilitySummary


def test_the_answer_says_why_when_nothing_was_estimated():
    from iso18091lab.summaries.base import NotEstimated
    from iso18091lab.summaries.effectiveness import EffectivenessSummary

    # the reason comes from the report's summary (results.json holds no reason key nor number)
    effect = EffectivenessSummary("Hải Phòng", True, not_estimated=[NotEstimated("main", "no_comparison")])
    flagged = Verdict("no", "flagged", {"n": 1, "n_yes": 0, "n_no": 1, "n_unclear": 0, "flagged": ["1.10"],
                                        "unclear": [], "needed_low": None, "needed_high": None})
    reliability = _reliability(Estimate(5.0, 3.0, 7.0, float("nan"), 16, "cr1_by_body"), flagged, ["1.10"])
    found = answer({"30_effectiveness": {}}, {"1.10": "An ninh trật tự công cộng"}, "vi", reliability, effect)
    assert found["effect"] == ["Chưa ước lượng được hiệu quả: không ước lượng được, vì dữ liệu không có đơn vị đối "
                               "chứng (chỉ áp dụng ISO 9001), nên không so sánh được đơn vị thí điểm với đơn vị "
                               "tương tự."]
    assert "1.10 An ninh trật tự công cộng" in found["trust"][1]
    assert any("hội đồng" in s for s in found["rollout"])
    missing = answer({}, {}, "vi")
    assert "không chạy được" in missing["effect"][0] and "không chạy được" in missing["trust"][0]


def test_the_national_answer_gives_the_pooling_reason_only():
    """No province could be estimated (one wave each): the effect's answer says why the pooling failed, not the
    reasons of the levels and sample-size sections that the summary also records (one_year design)."""
    from iso18091lab.i18n import t
    from iso18091lab.stats.verdict import national_effect_verdict
    from iso18091lab.summaries.base import NotEstimated
    from iso18091lab.summaries.national import NationalSummary

    pooling = NotEstimated("provinces", "few_estimable", {"n": 0, "k": 2})
    national = NationalSummary("Toàn quốc", True, verdict=national_effect_verdict(n_provinces=2),
                               not_estimated=[pooling, NotEstimated("tiers", "tier_few"),
                                              NotEstimated("power", "no_repeated_comparison")])
    said = answer({"40_national": {}}, {}, "vi", effect=national)
    assert said["effect"][0] == "Chưa ước lượng được hiệu quả: không ước lượng được, vì " + \
        t("ne_few_estimable", "vi", n=0, k=2) + "."


def _reliability(inflation, trust, flagged=()):
    """A province's reliability summary holding what the Word pack's answer reads."""
    return ReliabilitySummary(province="Hải Phòng", synthetic=True, inflation_overall=inflation, trust=trust,
                              flagged=list(flagged))


def test_the_answer_never_calls_unshown_consistency_consistent_and_gives_the_bodies_needed_as_a_range():
    unsure = Verdict("unclear", "consistency_uncertain", {
        "n": 39, "n_yes": 0, "n_no": 0, "n_unclear": 39, "flagged": [], "unclear": ["1.1"], "needed_low": 35,
        "needed_high": 35, "n_unmeasurable": 0, "subjects_now": 6, "n_bodies": 6})
    inflation = Estimate(4.0, 1.0, 7.0, float("nan"), 6, "cr1_by_body")
    trust = answer({}, {}, "vi", _reliability(inflation, unsure))["trust"]
    assert not any("Bộ chỉ số chấm được nhất quán" in s or "Không chỉ số nào bị đánh dấu" in s for s in trust)
    assert any(s.startswith("Chưa đủ dữ liệu để nói") for s in trust) and any("35 cặp điểm" in s for s in trust)
    shown = Verdict("yes", "consistency_shown", {**unsure.values, "n_yes": 39, "n_unclear": 0})
    assert any(s.startswith("Bộ chỉ số chấm được nhất quán") for s in
               answer({}, {}, "vi", _reliability(inflation, shown))["trust"])
    # report 20 saved no summary (it did not run): no claim either way
    assert not any("nhất quán:" in s for s in answer({}, {}, "vi")["trust"])
    # national: the bodies needed span the assumed heterogeneity, never the optimistic end alone
    from dataclasses import replace

    from iso18091lab.summaries.national import NationalSummary, PowerInputs

    sensitivity = pd.DataFrame([{"tau": tau, "bodies_3": n} for tau, n in ((0.0, 18), (1.0, 40), (3.0, 339))])
    national = NationalSummary("Toàn quốc", True, power=PowerInputs(1.0, 0.5, 0.5, 0.5, None, 1.0, False, 30),
                               power_sensitivity=sensitivity,
                               bodies_needed=pd.DataFrame([{"effect": 3.0, "bodies_2y": 18}]))
    rollout = " ".join(answer({}, {}, "vi", effect=national)["rollout"])
    assert "từ 18 đơn vị" in rollout and "đến 339 đơn vị" in rollout and "giả định" in rollout
    assert "khoảng 18 đơn vị" not in rollout
    national.power = replace(national.power, tau2_estimated=True, design_effect=1.6)
    national.pooled = Estimate(2.0, -1.0, 5.0, 0.2, 6, "meta_reml_hk", {"tau2": 0.5, "i2": 10.0, "pi_low": -2.0,
                                                                         "pi_high": 6.0})
    rollout = answer({}, {}, "en", effect=national)["rollout"]
    assert any("from 18 bodies" in s and "to 339 bodies" in s for s in rollout)
    assert any("estimated from 6 provinces" in s and "about 18 bodies" in s for s in rollout)


@pytest.mark.parametrize("args, advice", [
    ((6.0, 2.0, 10.0, 0.01), "up"), ((1.5, 0.5, 2.5, 0.01), "small"), ((-6.0, -10.0, -2.0, 0.01), "no"),
    ((0.4, -1.5, 2.2, 0.6), "no"), ((4.0, -1.0, 9.0, 0.12), "unclear"),
    ((10.3, float("-inf"), float("inf"), 0.15, 0.05), "unclear"),
])
def test_the_rollout_advice_never_contradicts_the_answer(args, advice):
    """'Có, nhưng nhỏ' is followed by advice about a small effect, never by 'the evidence does not establish an
    effect'; 'Có' alone by the roll-out; 'Không' by not rolling out as it is."""
    from iso18091lab.render.answer import answer
    from iso18091lab.i18n import t
    from iso18091lab.stats.verdict import effect_verdict

    verdict = effect_verdict(*args)
    primary = {"estimate": args[0], "ci_low": args[1], "ci_high": args[2], "p_value": args[3],
               "p_min": args[4] if len(args) > 4 else float("nan"), "n_pilot": 5, "n_comparison": 5,
               "inference": "randomization", "n_assignments": 252.0}
    from iso18091lab.summaries.effectiveness import EFFECTIVENESS_COLUMNS, EFFECTIVENESS_EXTRA, EffectivenessSummary

    row = {**primary, "outcome": "overall", "level": "overall", "rater": "council"}
    table = pd.DataFrame([row]).reindex(columns=EFFECTIVENESS_COLUMNS + EFFECTIVENESS_EXTRA)
    effect = EffectivenessSummary("Hải Phòng", True, table=table, verdict=verdict)
    rollout = answer({}, {}, "vi", effect=effect)["rollout"]
    assert rollout[0] == t(f"ev_rollout_{advice}", "vi", min_effect="3")
