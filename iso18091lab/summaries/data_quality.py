"""Report 00 (data quality): what the data hold, what was quarantined and why, names matched that were not
written exactly, every input file, the indicators seldom scored. :func:`build_data_quality` computes it once;
``render.data_quality`` words and draws it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import pandas as pd

from iso18091lab.intake.dataset import Dataset
from iso18091lab.stats import NotEstimable
from iso18091lab.stats import descriptive as d
from iso18091lab.summaries.base import NotEstimated, Summary, register

#: An assessment (body x year x rater) missing this many indicators or more is counted as incomplete.
INCOMPLETE_FROM = 5
#: How many of the least-scored indicators the report lists.
N_LEAST_SCORED = 10


@register
@dataclass
class DataQualitySummary(Summary):
    """Everything report 00 states. Counts are of the province's rows; ``quarantine_unattributed`` holds the
    rows no province could be found for. Tables keep their machine column names; ``files.status`` is a key
    (``ok``, ``skipped``, ``error``), its message is kept in both languages as ingest wrote it."""

    report: ClassVar[str] = "00_data_quality"

    n_bodies: int = 0
    n_scores: int = 0
    wave_labels: list[str] = field(default_factory=list)
    share_scored: float | None = None
    n_quarantined_rows: int = 0
    n_unattributed_rows: int = 0
    n_not_assessed: int = 0
    n_incomplete: int = 0
    n_pilot: int = 0
    n_pilot_unusable: int = 0
    n_name_matches: int = 0
    n_indicators_recovered: int = 0
    has_units: bool = True
    n_catalog: int = 0
    #: Totals written beside the scores that ingest checked (0: none in the files).
    n_total_checks: int = 0
    completeness: pd.DataFrame = field(default_factory=pd.DataFrame)
    pilot_timing: pd.DataFrame = field(default_factory=pd.DataFrame)
    quarantine: pd.DataFrame = field(default_factory=pd.DataFrame)
    quarantine_counts: pd.DataFrame = field(default_factory=pd.DataFrame)
    quarantine_unattributed: pd.DataFrame = field(default_factory=pd.DataFrame)
    total_checks: pd.DataFrame = field(default_factory=pd.DataFrame)
    name_matches: pd.DataFrame = field(default_factory=pd.DataFrame)
    files: pd.DataFrame = field(default_factory=pd.DataFrame)
    least_scored: pd.DataFrame = field(default_factory=pd.DataFrame)


def build_data_quality(data: Dataset, params: dict) -> DataQualitySummary:
    """The data-quality summary of one province's data.

    Parameters
    ----------
    data : Dataset
        ``iso18091lab.load(processed_dir, province=...)``: the province's rows.
    params : dict
        The report's parameters; ``province`` names the province (its quarantined rows are those with this
        province), the rest are kept with the summary.

    Returns
    -------
    DataQualitySummary
    """
    province = params["province"]
    a = data.assessments
    completeness = d.completeness(a, data.units, data.catalog)
    timing = d.pilot_timing(a)
    waves = d.waves(a)
    quarantine = data.quarantine
    own = quarantine[quarantine["province"] == province]
    unattributed = quarantine[quarantine["province"] == ""]
    matches = data.name_matches if data.name_matches is not None else pd.DataFrame(
        columns=["typed", "matched", "how", "rows"])
    # indicator ids read from the row order (Excel turned "1.10" into 1.1) are listed with the name matches
    recovered = matches[matches["how"] == "indicator_order"]
    checks = data.checks if data.checks is not None else pd.DataFrame()
    not_estimated = [] if len(a) else [NotEstimated.of("summary", NotEstimable("no_data"))]
    return DataQualitySummary(
        province=province, synthetic=data.synthetic, params=dict(params), not_estimated=not_estimated,
        n_bodies=len(d.body_table(a, data.units)), n_scores=len(a), wave_labels=[str(w) for w in waves["label"]],
        share_scored=float(completeness["share_scored"].mean()) if len(completeness) else None,
        n_quarantined_rows=d.count_rows(own), n_unattributed_rows=d.count_rows(unattributed),
        n_not_assessed=int(a["not_assessed"].sum()),
        n_incomplete=int((completeness["missing"] >= INCOMPLETE_FROM).sum()),
        n_pilot=len(timing), n_pilot_unusable=int((~timing["usable"].astype(bool)).sum()),
        n_name_matches=len(matches) - len(recovered),
        n_indicators_recovered=int(pd.to_numeric(recovered["rows"]).sum()),
        has_units=not data.units.empty, n_catalog=len(data.catalog),
        n_total_checks=int(data.summary.get("total_checks") or 0),
        completeness=completeness, pilot_timing=timing,
        quarantine=own.reset_index(drop=True), quarantine_counts=_rule_counts(own),
        quarantine_unattributed=unattributed.reset_index(drop=True),
        total_checks=checks.reset_index(drop=True), name_matches=matches.reset_index(drop=True),
        files=d.file_rows(data.summary),
        least_scored=d.indicator_coverage(a, data.catalog).sort_values(["share_scored", "indicator"])
        .head(N_LEAST_SCORED).reset_index(drop=True))


def _rule_counts(quarantine: pd.DataFrame) -> pd.DataFrame:
    """Quarantined input rows per rule broken (a row counts once per rule), most frequent first."""
    if quarantine.empty:
        return pd.DataFrame({"rule": pd.Series(dtype="string"), "rows": pd.Series(dtype="int64")})
    counts = quarantine.drop_duplicates(["file", "sheet", "row", "rule"])["rule"].value_counts()
    return pd.DataFrame({"rule": counts.index.astype(str), "rows": counts.to_numpy(int)})
