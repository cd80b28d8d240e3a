"""Planted designs for the reliability tests (numpy only; independent of the package's generator).

score[b, w, i, r] = 50 + body[b] + indicator[i] + body_x_indicator[b, i] + rater_shift + noise, on 0-100.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from iso18091lab.catalog import load_catalog


def planted_assessments(n_bodies=60, waves=1, inflation=10.0, unreliable=(), members=0, member_bodies=None, seed=0,
                        body_sd=10.0, indicator_sd=5.0, bi_sd=3.0, noise_sd=3.0, unreliable_sd=25.0,
                        member_bias_sd=2.0, member_noise_sd=4.0, indicators=None, with_self=True, with_council=True,
                        missing_member_rate=0.0) -> pd.DataFrame:
    """An assessments table (one province, synthetic) with planted self-score inflation, unreliable indicators
    (``unreliable``: their noise SD is ``unreliable_sd``) and, for the first ``member_bodies`` bodies (all when
    None), the scores of ``members`` council members (a leniency shift each; ``missing_member_rate`` of their
    scores left out)."""
    rng = np.random.default_rng(seed)
    catalog = load_catalog()
    if indicators is not None:
        catalog = catalog[catalog["indicator"].isin(indicators)]
    ids, pillars = catalog["indicator"].tolist(), catalog["pillar"].astype(int).tolist()
    body = rng.normal(0, body_sd, n_bodies)
    ind = rng.normal(0, indicator_sd, len(ids))
    bias = rng.normal(0, member_bias_sd, max(members, 1))
    member_set = set(range(n_bodies if member_bodies is None else member_bodies))
    rows = []
    for b in range(n_bodies):
        for w in range(waves):
            for j, (i, p) in enumerate(zip(ids, pillars)):
                true = 50 + body[b] + ind[j] + rng.normal(0, bi_sd)
                sd = unreliable_sd if i in unreliable else noise_sd
                base = dict(province="Tỉnh A", body_id=f"A|{b:03d}", body_label=f"xã {b % 7}", year=2023 + w, round=1,
                            indicator=i, pillar=p)
                if with_self:
                    rows.append(dict(base, rater="self", rater_id=None,
                                     score_100=true + inflation + rng.normal(0, sd)))
                if with_council:
                    rows.append(dict(base, rater="council", rater_id=None, score_100=true + rng.normal(0, sd)))
                if b in member_set:
                    for m in range(members):
                        if rng.random() < missing_member_rate:
                            continue
                        noise = rng.normal(0, unreliable_sd if i in unreliable else member_noise_sd)
                        rows.append(dict(base, rater="council", rater_id=f"TV{m + 1}", score_100=true + bias[m] + noise))
    frame = pd.DataFrame(rows)
    frame["score_100"] = frame["score_100"].clip(0, 100)
    return frame
