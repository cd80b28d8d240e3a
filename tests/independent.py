"""Independent recomputations that tests compare the package's numbers with (no iso18091lab.stats code)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from iso18091lab.intake.lineage import continued_panel
from iso18091lab.stats.descriptive import under_pilot


def lstsq_att(panel: pd.DataFrame) -> float:
    """The headline recomputed independently of iso18091lab.stats.did: ordinary least squares with body and
    province × wave dummies (numpy lstsq) on the untreated body-waves, imputed outcomes for the treated ones,
    and their plain mean. A panel crossing the 2025 reform follows the documented convention (continued bodies;
    province × wave dummies on the province of each wave's map)."""
    check = continued_panel(panel)[0].dropna(subset=["score"]).assign(
        d=lambda f: under_pilot(f), wave=lambda f: f["year"] * 10 + f["round"])
    first = check.groupby("body_id")["wave"].transform("min")
    start = check["pilot_start"].astype(float) * 10 + check["pilot_start_round"].fillna(1).astype(float)
    check = check[~((check["group"] == "pilot") & (first >= start))]  # pilots without a wave before
    check = check[check["group"].isin(["pilot", "comparison"])]
    where = check["wave_province"] if "wave_province" in check else check["province"]
    x = pd.concat([pd.get_dummies(check["body_id"].astype(str)),
                   pd.get_dummies(check["wave"].astype(str) + "|" + where.astype(str))], axis=1).to_numpy(float)
    untreated = ~check["d"].to_numpy()
    y = check["score"].to_numpy(float)
    coef = np.linalg.lstsq(x[untreated], y[untreated], rcond=None)[0]
    return float(np.mean(y[~untreated] - x[~untreated] @ coef))
