"""The generative model: the pilot timing convention by hand, and the effect it plants is in the data it draws."""
from __future__ import annotations

from iso18091lab.synthetic.design import SynthParams
from iso18091lab.synthetic.designs import design_by_name
from iso18091lab.synthetic.model import event_times, simulate, under_pilot, wave_times


def test_pilot_timing_convention_by_hand():
    assert under_pilot((2023, 1), (2023, 1)) and under_pilot((2024, 1), (2023, 2))
    assert not under_pilot((2023, 1), (2023, 2)) and not under_pilot((2022, 2), (2023, 1))
    assert not under_pilot((2030, 1), None)
    waves = ((2024, 1), (2024, 2), (2025, 1))
    assert event_times(waves, (2024, 2)).tolist() == [-1, 0, 1]
    assert event_times(waves, (2026, 1)).tolist() == [-3, -2, -1]  # starts after the last wave
    assert event_times(waves, (2020, 1)).tolist() == [0, 1, 2]
    assert event_times(waves, None) is None
    assert wave_times(waves).tolist() == [0.0, 0.5, 1.0]


def test_model_plants_the_effect_it_reports():
    """A large noiseless-council run: the pilot-minus-comparison change equals the planted effect."""
    params = SynthParams(seed=3, council_noise_sd=0.0, province_year_shock_sd=0.0, not_assessed_rate=0.0)
    sim = simulate(params, design_by_name("sample"))
    a = sim["assessments"]
    a = a[(a["rater"] == "council") & (a["rater_id"] == "")].merge(sim["units"][["unit", "group"]], on="unit")
    a["pillar"] = a["indicator"].str.split(".").str[0].astype(int)
    hp = a[a["province"] == "Hải Phòng"]
    means = hp.groupby(["group", "year", "pillar"])["true_score_100"].mean().unstack("year")
    did = (means[2023] - means[2022]).loc["pilot"] - (means[2023] - means[2022]).loc["comparison"]
    for pillar, effect in params.pilot_effect.items():
        assert abs(did[pillar] - effect) < 3.5, (pillar, did[pillar])
    assert sim["truth"]["indicator_reliability"]["1.9"] < sim["truth"]["indicator_reliability"]["1.1"]
