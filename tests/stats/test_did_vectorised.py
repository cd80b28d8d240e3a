"""The vectorised effect routines against independent references, not copies of the code they replaced: the panel
preparation on a panel worked by hand, the indicator rows of the effectiveness table against the headline
estimator (itself checked against diff-diff) run on each indicator's panel on its own."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iso18091lab.stats import NotEstimable
from iso18091lab.stats.did.imputation import imputation_att
from iso18091lab.stats.did.panel import _prepare
from iso18091lab.stats.did.table import effectiveness_table


# --------------------------------------------------------------------------- _prepare: a panel worked by hand

NaN = np.nan
#        province body  label level     group         start        year rnd  score
_ROWS = [("A", "a0", "Xã 0", "phường", "comparison", (NaN, NaN), 2022, 1, 5.0),
         ("A", "a0", "Xã 0", "phường", "comparison", (NaN, NaN), 2023, 1, 9.0),   # not assessed in 2022/2
         ("A", "a1", "Xã 1", "xã", "pilot", (NaN, NaN), 2022, 1, 10.0),          # its start on later rows only
         ("A", "a1", "Xã 1", "xã", "pilot", (2022, 2), 2022, 2, 14.0),
         ("A", "a1", "Xã 1", "xã", "pilot", (2022, 2), 2022, 2, 14.0),           # an exact repeat collapses
         ("A", "a1", "Xã 1", "xã", "pilot", (2022, 2), 2023, 1, 16.0),
         ("A", "a2", "Xã 2", None, "comparison", (NaN, NaN), 2022, 1, 20.0),     # no level
         ("A", "a2", "Xã 2", None, "comparison", (NaN, NaN), 2022, 2, 21.0),
         ("A", "a2", "Xã 2", None, "comparison", (NaN, NaN), 2023, 1, 23.0),
         ("A", "a2", "Xã 2", None, "comparison", (NaN, NaN), 2023, 1, NaN),      # a row without a score
         ("A", "a3", "Xã 3", "xã", "pilot", (NaN, NaN), 2022, 1, 30.0),          # pilot without a start
         ("A", "a3", "Xã 3", "xã", "pilot", (NaN, NaN), 2023, 1, 31.0),
         ("A", "a4", "Xã 4", "xã", None, (NaN, NaN), 2022, 1, 40.0),             # no group
         ("A", "a4", "Xã 4", "xã", None, (NaN, NaN), 2023, 1, 41.0),
         ("A", "a5", "Xã 5", "xã", "pilot", (2022, 1), 2022, 1, 50.0),           # starts in its first wave
         ("A", "a5", "Xã 5", "xã", "pilot", (2022, 1), 2023, 1, 52.0),
         ("B", "b1", "Xã 6", "xã", "pilot", (2022, 1), 2021, 1, 60.0),
         ("B", "b1", "Xã 6", "xã", "pilot", (2022, 1), 2022, 1, 65.0),
         ("B", "b2", "Xã 7", "xã", "comparison", (NaN, NaN), 2021, 1, 70.0),
         ("B", "b2", "Xã 7", "xã", "comparison", (NaN, NaN), 2022, 1, 71.0),
         ("C", "c1", "Xã 8", "xã", "pilot", (2023, 1), 2022, 1, 80.0),           # a province without comparison
         ("C", "c1", "Xã 8", "xã", "pilot", (2023, 1), 2023, 1, 85.0)]


def _hand_panel(typed: bool = False, shuffle: int | None = None) -> pd.DataFrame:
    panel = pd.DataFrame([(p, b, lab, lev, g, s[0], s[1], y, r, v) for p, b, lab, lev, g, s, y, r, v in _ROWS],
                         columns=["province", "body_id", "body_label", "level", "group", "pilot_start",
                                  "pilot_start_round", "year", "round", "score"])
    if typed:  # text and nullable-integer columns, as read from Parquet
        for column in ("province", "body_id", "body_label", "level", "group"):
            panel[column] = panel[column].astype("string")
        for column in ("year", "round", "pilot_start", "pilot_start_round"):
            panel[column] = panel[column].astype("Int64")
    return panel if shuffle is None else panel.sample(frac=1.0, random_state=shuffle)


def _assert_block(block, province, labels, bodies, levels, pilot, start, y):
    assert block.province == province and block.wave_labels == labels
    assert np.all(np.diff(block.waves) > 0) and len(block.waves) == len(labels)
    assert list(block.body_ids) == bodies and list(block.levels) == levels
    np.testing.assert_array_equal(block.pilot, pilot)
    np.testing.assert_array_equal(block.start, start)
    np.testing.assert_array_equal(block.y, np.array(y, dtype=float))
    np.testing.assert_array_equal(block.obs, ~np.isnan(np.array(y, dtype=float)))


@pytest.mark.parametrize("typed, shuffle", [(False, None), (True, None), (False, 1), (True, 2)])
def test_prepare_on_a_panel_worked_by_hand(typed, shuffle):
    import statistics

    prepared = _prepare(_hand_panel(typed, shuffle), "score")
    a, b = prepared.blocks
    # A: 2022 has two rounds, so its waves are 2022/1, 2022/2, 2023; a1 starts at 2022/2 (position 1);
    # comparison bodies get the number of positions (3)
    _assert_block(a, "A", ["2022/1", "2022/2", "2023"], ["a0", "a1", "a2"], ["phường", "xã", ""],
                  [False, True, False], [3, 1, 3], [[5, NaN, 9], [10, 14, 16], [20, 21, 23]])
    _assert_block(b, "B", ["2021", "2022"], ["b1", "b2"], ["xã", "xã"], [True, False], [1, 2], [[60, 65], [70, 71]])
    assert prepared.skipped == [("C", "no_comparison")]
    excluded = prepared.excluded.astype(object).where(prepared.excluded.notna(), None)
    assert excluded.to_dict(orient="records") == [
        {"province": "A", "body_id": "a4", "body_label": "Xã 4", "group": "", "reason": "no_group"},
        {"province": "A", "body_id": "a3", "body_label": "Xã 3", "group": "pilot", "reason": "no_start"},
        {"province": "A", "body_id": "a5", "body_label": "Xã 5", "group": "pilot", "reason": "no_pre_wave"}]
    assert (prepared.n_pilot, prepared.n_comparison) == (2, 3)  # a1, b1; a0, a2, b2
    # the SD of every body's first score (all nine bodies)
    assert prepared.baseline_sd == pytest.approx(statistics.stdev([5, 10, 20, 30, 40, 50, 60, 70, 80]), rel=1e-12)
    # without the need for comparison bodies, C enters with its one pilot starting at 2023 (position 1)
    alone = _prepare(_hand_panel(typed, shuffle), "score", require_comparison=False)
    assert alone.skipped == [] and (alone.n_pilot, alone.n_comparison) == (3, 3)
    _assert_block(alone.blocks[2], "C", ["2022", "2023"], ["c1"], ["xã"], [True], [1], [[80, 85]])


def test_prepare_refuses_conflicting_repeats():
    panel = _hand_panel()
    panel.loc[4, "score"] = 15.0  # a1's repeated 2022/2 row now disagrees
    with pytest.raises(ValueError, match="conflicting values.*A / a1 / 2022/2"):
        _prepare(panel, "score")


@pytest.mark.parametrize("change, reason, values", [
    (lambda p: p.assign(score=np.nan), "no_scores", {}),
    (lambda p: p[(p["year"] == 2022) & (p["round"] == 1)], "one_wave", {"wave": "2022"}),
    (lambda p: p.drop(columns="group"), "no_groups", {}),
    (lambda p: p.assign(group="comparison"), "no_pilot", {}),
    (lambda p: p[p["group"] != "comparison"], "no_comparison", {}),
    (lambda p: p.assign(pilot_start=2099), "no_post_wave", {}),
    (lambda p: p.assign(pilot_start=2000), "no_pre_wave", {}),
])
def test_prepare_says_why_a_panel_cannot_be_compared(change, reason, values):
    with pytest.raises(NotEstimable) as info:
        _prepare(change(_hand_panel()), "score")
    assert info.value.reason == reason and info.value.values == values


# --------------------------------------------------------------------------- effectiveness table: indicator panels

def test_indicator_rows_equal_one_groupby_per_indicator(synthetic_ingest):
    """The indicator panels come from one groupby over all indicators; the reference builds each indicator's
    panel from its own rows and runs the public headline estimator on it (checked against diff-diff in
    test_did.py) with the same seed."""
    from iso18091lab.catalog import indicator_order
    from iso18091lab.stats.descriptive import BODY_KEYS, consensus

    result, _ = synthetic_ingest
    a = result.assessments[result.assessments["province"] == "Quảng Ninh"]
    table = effectiveness_table(a, None, result.units, n_permutations=40, seed=3).table
    rows = table[table["level"] == "indicator"].set_index("outcome")
    scored = consensus(a, "council").dropna(subset=["score_100"])
    keys = [k for k in BODY_KEYS if k in scored] + ["year", "round"]
    checked = 0
    for indicator in indicator_order(scored["indicator"]):
        part = scored[scored["indicator"] == indicator]
        panel = part.groupby(keys, dropna=False, observed=True)["score_100"].mean().rename("score").reset_index()
        try:
            ref = imputation_att(panel, "score", n_permutations=10, seed=3)
        except NotEstimable:
            assert f"indicator {indicator}" not in rows.index
            continue
        row = rows.loc[f"indicator {indicator}"]
        assert (row["estimate"], row["ci_low"], row["ci_high"], row["p_value"]) == (
            ref.estimate, ref.ci_low, ref.ci_high, ref.p_value)
        checked += 1
    assert checked >= 10
