"""Values R's lm cannot give directly: the BJS (2024) Theorem 3 standard errors of diff-diff's ImputationDiD.

Run from this folder with the project's test environment (diff-diff 3.13.0 is in the test extra):
    ../../../.venv/bin/python make_reference_diffdiff.py
Run after make_reference.R (which writes the "r_lm" section of values.json); adds the "diff_diff" section: ATT, event-time estimates h = 0..3 and their SEs (clustered by county, auxiliary
partition cohort x event time, without and with the leave-one-out refinement of BJS Supplementary Appendix A.9),
and pretrend_test() (F, p, lead coefficients). Point estimates must equal R's lm (values_r.json).
"""
import hashlib
import json
import warnings
from pathlib import Path

import pandas as pd
import diff_diff
from diff_diff import ImputationDiD

here = Path(__file__).parent
raw = (here / "mpdta.csv").read_bytes()
assert hashlib.sha256(raw).hexdigest() == "2283bea1221a152420f98dfa20f633c5d054ea51d881115c8cd702a97bcd3167"
data = pd.read_csv(here / "mpdta.csv").rename(columns={"first.treat": "first_treat"})

out = {"tool": f"diff-diff {diff_diff.__version__} ImputationDiD(cluster='countyreal', aux_partition='cohort_horizon')"}
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    for loo in (False, True):
        est = ImputationDiD(cluster="countyreal", aux_partition="cohort_horizon", leave_one_out=loo)
        res = est.fit(data, outcome="lemp", unit="countyreal", time="year", first_treat="first_treat",
                      aggregate="event_study")
        key = "loo" if loo else "nonloo"
        out[f"att_{key}"] = float(res.overall_att)
        out[f"se_{key}"] = float(res.overall_se)
        hs = sorted(h for h in res.event_study_effects if h >= 0)
        out["event_time"] = hs
        out[f"event_estimate_{key}"] = [float(res.event_study_effects[h]["effect"]) for h in hs]
        out[f"event_se_{key}"] = [float(res.event_study_effects[h]["se"]) for h in hs]
        if not loo:
            pt = res.pretrend_test()
            out["pretrend_f"] = float(pt["f_stat"])
            out["pretrend_p"] = float(pt["p_value"])
            out["pretrend_df1"] = int(pt["df"])
            out["leads"] = sorted(int(h) for h in pt["lead_coefficients"])
            out["lead_estimate"] = [float(pt["lead_coefficients"][h]) for h in out["leads"]]
values = json.loads((here / "values.json").read_text())
values = {"r_lm": values["r_lm"], "diff_diff": out}
(here / "values.json").write_text(json.dumps(values, indent=1) + "\n")
