"""The vectorised effect routines against straightforward reference implementations (the code they replaced)."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iso18091lab.stats import NotEstimable
from iso18091lab.stats import effect as ef
from iso18091lab.stats.descriptive import wave_label, wave_order

sys.path.insert(0, str(Path(__file__).parent))
from test_effect import staggered_panel  # noqa: E402


# --------------------------------------------------------------------------- _prepare: pandas groupby reference

def _reference_text(series: pd.Series) -> pd.Series:
    return series.astype(object).where(series.notna(), "").astype(str)


def reference_prepare(panel: pd.DataFrame, outcome: str, require_comparison: bool = True) -> ef._Prepared:
    """Clean a panel, apply the timing rule, and list every pilot body that cannot enter the comparison."""
    if not isinstance(panel, pd.DataFrame):
        raise ValueError("panel must be a pandas DataFrame")
    missing = {"province", "body_id", "year", outcome} - set(panel.columns)
    if missing:
        raise ValueError(f"panel lacks the column(s) {sorted(missing)}")
    data = panel.copy()
    data[outcome] = pd.to_numeric(data[outcome].astype(object), errors="coerce").astype(float)
    data["year"] = pd.to_numeric(data["year"].astype(object), errors="coerce").astype(float)
    data = data[data[outcome].notna() & data["year"].notna()]
    if data.empty:
        raise NotEstimable("too_few", "no scores in the panel", detail="0 scores")
    data["round"] = (pd.to_numeric(data["round"].astype(object), errors="coerce").fillna(1).astype(float)
                     if "round" in data else 1.0)
    data["wave"] = wave_order(data["year"], data["round"])
    waves_all = data[["year", "round"]].drop_duplicates()
    if len(waves_all) < 2:
        several = False
        row = waves_all.iloc[0]
        raise NotEstimable("one_wave", "only one assessment wave", wave=wave_label(row["year"], row["round"],
                                                                                    several))
    if "group" not in data or data["group"].isna().all():
        raise NotEstimable("no_groups", "no pilot/comparison groups (no units table)")
    data["group"] = _reference_text(data["group"])
    for column in ("province", "body_id"):
        data[column] = _reference_text(data[column])
    data["level"] = _reference_text(data["level"]) if "level" in data else ""
    data["body_label"] = _reference_text(data["body_label"]) if "body_label" in data else data["body_id"]
    start_year = (pd.to_numeric(data["pilot_start"].astype(object), errors="coerce").astype(float)
                  if "pilot_start" in data else pd.Series(np.nan, index=data.index))
    start_round = (pd.to_numeric(data["pilot_start_round"].astype(object), errors="coerce").fillna(1).astype(float)
                   if "pilot_start_round" in data else 1.0)
    data["start_wave"] = wave_order(start_year, start_round)
    # one row per body-wave (average duplicates)
    data = (data.groupby(["province", "body_id", "wave"], sort=True, dropna=False)
            .agg(y=(outcome, "mean"), year=("year", "first"), round=("round", "first"), group=("group", "first"),
                 level=("level", "first"), body_label=("body_label", "first"), start_wave=("start_wave", "first"))
            .reset_index())
    bodies = data.groupby(["province", "body_id"], sort=True).agg(
        group=("group", "first"), level=("level", "first"), body_label=("body_label", "first"),
        start_wave=("start_wave", "first"), first_wave=("wave", "min")).reset_index()
    excluded = []
    is_pilot = bodies["group"].eq("pilot")
    is_comp = bodies["group"].eq("comparison")
    n_pilot_all = int(is_pilot.sum())
    for reason, mask in (("no_group", ~is_pilot & ~is_comp), ("no_start", is_pilot & bodies["start_wave"].isna()),
                         ("no_pre_wave", is_pilot & bodies["start_wave"].notna()
                          & (bodies["first_wave"] >= bodies["start_wave"]))):
        for row in bodies[mask].itertuples():
            excluded.append({"province": row.province, "body_id": row.body_id, "body_label": row.body_label,
                             "group": row.group, "reason": reason})
    drop = {(e["province"], e["body_id"]) for e in excluded}
    keep_body = [(p, b) not in drop for p, b in zip(bodies["province"], bodies["body_id"])]
    bodies = bodies[keep_body].reset_index(drop=True)
    excluded = pd.DataFrame(excluded, columns=ef.EXCLUSION_COLUMNS)
    if n_pilot_all == 0:
        raise NotEstimable("no_pilot", "no pilot bodies")
    if not is_comp.any() and require_comparison:
        raise NotEstimable("no_comparison", "no comparison bodies")
    if not bodies["group"].eq("pilot").any():
        raise NotEstimable("no_pre_wave", "no pilot body was assessed before its start")
    blocks, skipped = [], []
    keyed = data.set_index(["province", "body_id"])
    for province, members in bodies.groupby("province", sort=True):
        part = keyed.loc[[(province, b) for b in members["body_id"]]].reset_index()
        waves = np.sort(part["wave"].unique())
        labels_df = part[["wave", "year", "round"]].drop_duplicates("wave").set_index("wave").loc[waves]
        several = labels_df.groupby("year")["round"].nunique().gt(1).to_dict()
        labels = [wave_label(r.year, r.round, several.get(r.year, False)) for r in labels_df.itertuples()]
        ids = members["body_id"].to_numpy()
        row = pd.Index(ids).get_indexer(part["body_id"])
        col = np.searchsorted(waves, part["wave"].to_numpy())
        y = np.full((len(ids), len(waves)), np.nan)
        y[row, col] = part["y"].to_numpy(float)
        pilot = members["group"].eq("pilot").to_numpy()
        start = np.where(pilot, np.searchsorted(waves, members["start_wave"].fillna(np.inf).to_numpy(), side="left"),
                         len(waves))
        block = ef._Block(province, waves, labels, ids, members["level"].to_numpy(str), pilot, start, y, ~np.isnan(y))
        if not pilot.any():
            skipped.append((province, "no_pilot"))
        elif pilot.all() and require_comparison:
            skipped.append((province, "no_comparison"))
        elif not block.treated.any():
            skipped.append((province, "no_post_wave"))
        else:
            blocks.append(block)
    if not blocks:
        reasons = [r for _, r in skipped]
        reason = "no_post_wave" if "no_post_wave" in reasons else ("no_comparison" if "no_comparison" in reasons
                                                                   else "no_pilot")
        raise NotEstimable(reason, f"no province has what the comparison needs ({', '.join(reasons)})")
    used = pd.concat([pd.DataFrame({"body_id": b.body_ids, "pilot": b.pilot, "province": b.province})
                      for b in blocks])
    first = data.sort_values("wave").groupby(["province", "body_id"])["y"].first()
    sd = float(first.std(ddof=1)) if len(first) > 1 else float("nan")
    return ef._Prepared(blocks, excluded, skipped, int(used["pilot"].sum()), int((~used["pilot"]).sum()),
                     sd if sd > 0 else float("nan"))


def _messy_panel(seed):
    """Several provinces, two rounds in some years, repeated body-wave rows, missing scores and levels, pilots
    without a start or without a wave before it, bodies without a group, text and nullable-integer columns."""
    rng = np.random.default_rng(seed)
    parts = []
    for k, province in enumerate(["Hà Nội", "Huế", "Bắc Ninh"]):
        part = staggered_panel(seed=seed + k, n_waves=5, starts=(1, 2, 4), n_per_cohort=3, n_comparison=6,
                               province=province, rounds=2 if k == 1 else 1)
        parts.append(part)
    panel = pd.concat(parts, ignore_index=True)
    panel.loc[rng.random(len(panel)) < 0.1, "score"] = np.nan
    panel.loc[rng.random(len(panel)) < 0.15, "level"] = None
    bodies = panel["body_id"].unique()
    odd = rng.choice(bodies, 6, replace=False)
    panel.loc[panel["body_id"] == odd[0], "group"] = None  # no group
    panel.loc[panel["body_id"] == odd[1], "group"] = "other"
    pilots = panel.loc[panel["group"] == "pilot", "body_id"].unique()
    panel.loc[panel["body_id"] == pilots[0], ["pilot_start", "pilot_start_round"]] = np.nan  # no start
    late = panel["body_id"] == pilots[1]
    panel = panel[~(late & (panel["year"] < panel["pilot_start"]))]  # no wave before its start
    # the start given on some rows only: the first non-missing one counts
    panel.loc[(panel["body_id"] == pilots[2]) & (panel["year"] == panel["year"].min()), "pilot_start"] = np.nan
    duplicated = panel.sample(frac=0.1, random_state=seed)  # exact repeats collapse (conflicting ones raise)
    panel = pd.concat([panel, duplicated]).sample(frac=1.0, random_state=seed + 1)
    if seed % 2:
        for column in ("province", "body_id", "body_label", "level", "group"):
            panel[column] = panel[column].astype("string")
        for column in ("year", "round", "pilot_start", "pilot_start_round"):
            panel[column] = panel[column].astype("Int64")
    return panel


def _assert_same_prepared(ours, ref):
    assert len(ours.blocks) == len(ref.blocks)
    for a, b in zip(ours.blocks, ref.blocks):
        assert a.province == b.province and a.wave_labels == b.wave_labels
        np.testing.assert_array_equal(a.waves, b.waves)
        assert list(a.body_ids) == list(b.body_ids) and list(a.levels) == list(b.levels)
        np.testing.assert_array_equal(a.pilot, b.pilot)
        np.testing.assert_array_equal(a.start, b.start)
        np.testing.assert_array_equal(a.obs, b.obs)
        np.testing.assert_allclose(a.y, b.y, rtol=0, atol=1e-10)
    pd.testing.assert_frame_equal(ours.excluded.astype(object), ref.excluded.astype(object))
    assert ours.skipped == ref.skipped
    assert (ours.n_pilot, ours.n_comparison) == (ref.n_pilot, ref.n_comparison)
    assert ours.baseline_sd == pytest.approx(ref.baseline_sd, abs=1e-10, nan_ok=True)


@pytest.mark.parametrize("seed", range(6))
def test_prepare_matches_the_groupby_reference(seed):
    panel = _messy_panel(seed)
    ref = reference_prepare(panel, "score")
    assert set(ref.excluded["reason"]) == {"no_group", "no_start", "no_pre_wave"}
    _assert_same_prepared(ef._prepare(panel, "score"), ref)
    _assert_same_prepared(ef._prepare(panel, "score", require_comparison=False),
                          reference_prepare(panel, "score", require_comparison=False))
    # one province without comparison bodies is skipped with its reason
    alone = panel[~((panel["province"] == "Huế") & (panel["group"] == "comparison"))]
    _assert_same_prepared(ef._prepare(alone, "score"), reference_prepare(alone, "score"))


@pytest.mark.parametrize("change", [
    lambda p: p.assign(score=np.nan),
    lambda p: p[(p["year"] == p["year"].min()) & (p["round"] == 1)],
    lambda p: p.drop(columns="group"),
    lambda p: p.assign(group="comparison"),
    lambda p: p[p["group"] != "comparison"],
    lambda p: p.assign(pilot_start=2099),
    lambda p: p.assign(pilot_start=2000),
])
def test_prepare_says_the_same_reason_as_the_reference(change):
    panel = change(_messy_panel(0))
    with pytest.raises(NotEstimable) as ours:
        ef._prepare(panel, "score")
    with pytest.raises(NotEstimable) as ref:
        reference_prepare(panel, "score")
    assert ours.value.reason == ref.value.reason and ours.value.values == ref.value.values


# --------------------------------------------------------------------------- effectiveness table: indicator panels

def test_indicator_rows_equal_one_groupby_per_indicator(synthetic_ingest):
    """The indicator panels come from one groupby over all indicators; the reference groups each indicator's
    rows on its own (the old loop) and estimates it with the same seed."""
    from iso18091lab.catalog import indicator_order
    from iso18091lab.stats.descriptive import BODY_KEYS, consensus

    result, _ = synthetic_ingest
    a = result.assessments[result.assessments["province"] == "Quảng Ninh"]
    table = ef.effectiveness_table(a, None, result.units, n_permutations=40, seed=3)
    rows = table[table["level"] == "indicator"].set_index("outcome")
    scored = consensus(a, "council").dropna(subset=["score_100"])
    keys = [k for k in BODY_KEYS if k in scored] + ["year", "round"]
    checked = 0
    for indicator in indicator_order(scored["indicator"]):
        part = scored[scored["indicator"] == indicator]
        panel = part.groupby(keys, dropna=False, observed=True)["score_100"].mean().rename("score").reset_index()
        try:
            ref = ef.imputation_att(panel, "score", n_permutations=10, seed=3)
        except NotEstimable:
            assert f"indicator {indicator}" not in rows.index
            continue
        row = rows.loc[f"indicator {indicator}"]
        assert (row["estimate"], row["ci_low"], row["ci_high"], row["p_value"]) == (
            ref.estimate, ref.ci_low, ref.ci_high, ref.p_value)
        checked += 1
    assert checked >= 10
