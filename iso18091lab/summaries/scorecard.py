"""Report 10 (scorecard): traffic lights, pillar scores, change since the first wave, ranking and each body's
red indicators. :func:`build_scorecard` computes it once; ``render.scorecard`` words and draws it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import pandas as pd

from iso18091lab.intake.dataset import Dataset
from iso18091lab.stats import NotEstimable
from iso18091lab.stats import descriptive as d
from iso18091lab.summaries.base import NotEstimated, Summary, register

#: The rater whose scores the scorecard shows when both scored (the council's are appraised).
RATERS = ("council", "self")


@register
@dataclass
class ScorecardSummary(Summary):
    """Everything report 10 states, for the latest wave (``latest_year``, ``last_round``) and since the first
    (``baseline_year``). Scores are on 0–100 from ``main_rater`` (the council when it scored). ``lights`` is the
    traffic-light matrix in long form (``indicator, body_label, rater, light``; indicators in catalog order);
    ``red_indicators.indicators`` lists codes ("1.4; 1.10"); ``indicator_names`` gives their names."""

    report: ClassVar[str] = "10_scorecard"

    raters: list[str] = field(default_factory=list)
    main_rater: str = "council"
    wave_labels: list[str] = field(default_factory=list)
    baseline_year: int | None = None
    latest_year: int | None = None
    last_round: int | None = None
    mean_latest: float | None = None
    council_mean_latest: float | None = None
    self_mean_latest: float | None = None
    self_minus_council_latest: float | None = None
    #: Mean change since the baseline by group (pilot / comparison) when groups are known, else ``all``.
    change_by_group: dict[str, float] = field(default_factory=dict)
    lights: pd.DataFrame = field(default_factory=pd.DataFrame)
    bodies: pd.DataFrame = field(default_factory=pd.DataFrame)
    pillar_scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    change: pd.DataFrame = field(default_factory=pd.DataFrame)
    ranking: pd.DataFrame = field(default_factory=pd.DataFrame)
    red_indicators: pd.DataFrame = field(default_factory=pd.DataFrame)
    indicator_names: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def estimated(self) -> bool:
        """Whether there are scores to show (a wave and a rater)."""
        return self.latest_year is not None

    # -- read from the tables above, not stored beside them ----------------------------------------------------
    @property
    def n_red(self) -> int:
        """Red indicators in the latest wave, over every body (``red_indicators``)."""
        return int(self.red_indicators["n_red"].sum()) if "n_red" in self.red_indicators else 0

    @property
    def n_bodies_red(self) -> int:
        """Bodies with at least one red indicator in the latest wave (a row each in ``red_indicators``)."""
        return len(self.red_indicators)

    @property
    def top_body(self) -> str | None:
        """The body ranked first in the latest wave (``ranking``), ``None`` without one."""
        return str(self.ranking["body_label"].iloc[0]) if len(self.ranking) else None


def build_scorecard(data: Dataset, params: dict) -> ScorecardSummary:
    """The scorecard summary of one province's data.

    Parameters
    ----------
    data : Dataset
        ``iso18091lab.load(processed_dir, province=...)``.
    params : dict
        The report's parameters (``province`` names the province); kept with the summary.

    Returns
    -------
    ScorecardSummary
        Without scores (no wave or no rater) only ``not_estimated`` (``no_data``) is filled; with one wave the
        change is not estimated (``one_wave``).
    """
    a = data.assessments
    waves = d.waves(a)
    raters = [r for r in RATERS if (a["rater"] == r).any()]
    base = dict(province=params["province"], synthetic=data.synthetic, params=dict(params), raters=raters,
                main_rater=raters[0] if raters else RATERS[0], wave_labels=[str(w) for w in waves["label"]])
    if not len(waves) or not raters:
        return ScorecardSummary(**base, not_estimated=[NotEstimated.of("summary", NotEstimable("no_data"))])
    main_rater = base["main_rater"]
    baseline, latest, last_round = int(waves["year"].iloc[0]), int(waves["year"].iloc[-1]), int(waves["round"].iloc[-1])
    scores = {r: d.overall_scores(a, r) for r in raters}
    main = scores[main_rater]

    def in_last(frame):
        return frame[(frame["year"] == latest) & (frame["round"] == last_round)]

    change = d.change_since_baseline(main)
    ranked = d.ranking(main, latest)
    reds = d.red_indicators(a, latest, main_rater)
    pillars = d.pillar_scores(a, main_rater)
    summary = ScorecardSummary(
        **base, baseline_year=baseline, latest_year=latest, last_round=last_round,
        mean_latest=float(in_last(main)["score"].mean()),
        lights=_long(d.light_matrix(a, latest)), bodies=d.body_table(a, data.units),
        pillar_scores=pillars[pillars["year"] == latest].reset_index(drop=True),
        change=change if len(waves) > 1 else change.iloc[:0], ranking=ranked, red_indicators=reds,
        indicator_names=data.catalog[["indicator", "name_vi", "name_en"]].astype(str).reset_index(drop=True))
    if len(raters) == 2:
        gap = in_last(d.self_minus_council(scores["self"], scores["council"]))
        summary.council_mean_latest = summary.mean_latest
        summary.self_mean_latest = float(in_last(scores["self"])["score"].mean())
        summary.self_minus_council_latest = float(gap["difference"].mean())
    if len(waves) < 2:
        summary.not_estimated.append(NotEstimated.of("change", NotEstimable("one_wave", wave=waves["label"].iloc[0])))
    elif change["group"].notna().any():
        summary.change_by_group = {str(g): float(v) for g, v in change.groupby("group")["change"].mean().items()}
    else:
        summary.change_by_group = {"all": float(change["change"].mean())}
    return summary


def _long(matrix: pd.DataFrame) -> pd.DataFrame:
    """The light matrix (indicators x (body_label, rater)) as rows ``indicator, body_label, rater, light``, in the
    matrix's order; ``render.scorecard.light_matrix`` turns it back."""
    long = matrix.rename_axis(index="indicator").stack(["body_label", "rater"], future_stack=True)
    return long.rename("light").reset_index().astype({"indicator": str, "body_label": str, "rater": str})
