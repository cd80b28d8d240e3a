"""The assessments table as the indicator review reads it: its columns, the input check (:func:`_check`), the rows
every part uses (self and council consensus, council members' own scores, self and council side by side), the
minimum number of bodies, and the small synthetic table of the docstrings' Examples (:func:`_example`).

Bodies are ``body_id`` (names repeat), subjects are body-waves (body_id, year, round). Bad input raises
``ValueError``; data that cannot support an analysis raises :class:`iso18091lab.stats.NotEstimable`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from iso18091lab.stats import NotEstimable
from iso18091lab.stats.inputs import _require_columns, check_duplicates


#: Minimum number of bodies (distinct ``body_id``) for a between-body statistic, and the one minimum number of
#: clusters of every CR1 interval here (bodies; a single body's indicators in :func:`self_inflation_by_body`):
#: the CR1 interval with t(G − 1) keeps its 95 % coverage from 3 clusters (``docs/methods.md``). Fewer raise
#: :class:`NotEstimable` (``too_few``) or leave the scope's interval empty (``not_estimable`` = ``too_few_bodies``).
MIN_BODIES = 3
ASSESSMENT_COLUMNS = ["body_id", "year", "round", "rater", "rater_id", "indicator", "pillar", "score_100"]


def _check(assessments, what: str) -> pd.DataFrame:
    """The assessments table ready for the review (scores as numbers, a wave key); an empty one is not
    estimable, a malformed one a ValueError (:func:`~iso18091lab.stats.inputs._require_columns`)."""
    _require_columns(assessments, ASSESSMENT_COLUMNS, what)
    if assessments.empty:
        raise NotEstimable("no_data", f"{what}: the assessments table is empty")
    scores = pd.to_numeric(assessments["score_100"].astype(object), errors="coerce")
    bad = assessments["score_100"].notna() & scores.isna()
    if bad.any():
        raise ValueError(f"{what}: score_100 must be numbers; found {sorted(map(str, assessments.loc[bad, 'score_100']))[:5]}")
    out = assessments.copy()
    out["score_100"] = scores.astype(float)
    out["rater_id"] = out["rater_id"].astype(object).where(out["rater_id"].notna() & (out["rater_id"].astype(str) != ""),
                                                           None)
    out["wave"] = out["body_id"].astype(str) + "\x1f" + out["year"].astype(str) + "\x1f" + out["round"].astype(str)
    return out


def _wave_body(a: pd.DataFrame) -> dict:
    """body-wave key -> body_id (the key is never parsed: body ids may contain any character). One entry per
    key, its last row's body_id (as a dict of every row would keep), from the distinct keys only."""
    last = a[["wave", "body_id"]].drop_duplicates("wave", keep="last")
    return dict(zip(last["wave"].to_numpy(object), last["body_id"].to_numpy(object)))


def _consensus(a: pd.DataFrame, rater: str) -> pd.DataFrame:
    rows = a[a["rater_id"].isna() & (a["rater"] == rater)].dropna(subset=["score_100"])
    check_duplicates(rows, ["wave", "indicator"], f"{rater} scores")
    return rows


def _need(rows: pd.DataFrame, reason: str, what: str) -> None:
    if rows.empty:
        raise NotEstimable(reason, f"{what}: {reason.replace('_', ' ')}")


def _enough_bodies(n: int, what: str) -> None:
    if n < MIN_BODIES:
        raise NotEstimable("too_few", f"{what}: {n} bodies", detail=f"{n} < {MIN_BODIES}")


def _paired(a: pd.DataFrame) -> pd.DataFrame:
    """Self and council consensus side by side: one row per body-wave and indicator scored by both."""
    self_rows, council = _consensus(a, "self"), _consensus(a, "council")
    _need(self_rows, "no_self", "self vs council")
    _need(council, "no_council", "self vs council")
    keys = ["wave", "body_id", "indicator", "pillar"]
    both = self_rows[keys + ["score_100"]].merge(council[keys + ["score_100"]], on=keys, suffixes=("_self", "_council"))
    both = both.rename(columns={"score_100_self": "self", "score_100_council": "council"})
    both["diff"] = both["self"] - both["council"]
    return both


def _members(a: pd.DataFrame) -> pd.DataFrame:
    members = a[a["rater_id"].notna() & (a["rater"] == "council")].dropna(subset=["score_100"])
    _need(members, "no_members", "council members")
    check_duplicates(members, ["wave", "indicator", "rater_id"], "member scores")
    return members


def _example(n_bodies: int = 6, members: int = 0, seed: int = 0) -> pd.DataFrame:
    """A small synthetic assessments table for the docstrings' Examples (synthetic: not real data): bodies
    scored once on six indicators of two pillars by self and council (self 5 points higher), and by
    ``members`` council members each."""
    rng = np.random.default_rng(seed)
    rows = []
    for b in range(n_bodies):
        body = rng.normal(60, 10)
        for indicator in ("1.1", "1.2", "1.3", "2.1", "2.2", "2.3"):
            true = body + rng.normal(0, 5)
            rows += [(f"B{b}", 2024, 1, "council", None, indicator, int(indicator[0]), true + rng.normal(0, 3)),
                     (f"B{b}", 2024, 1, "self", None, indicator, int(indicator[0]), true + 5 + rng.normal(0, 3))]
            rows += [(f"B{b}", 2024, 1, "council", f"M{m}", indicator, int(indicator[0]), true + rng.normal(0, 4))
                     for m in range(members)]
    return pd.DataFrame(rows, columns=ASSESSMENT_COLUMNS)
