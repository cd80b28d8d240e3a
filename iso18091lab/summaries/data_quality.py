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
    n_not_assessed: int = 0
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

    # -- counts of the tables above (read from them, not stored beside them) ----------------------------------
    @property
    def n_quarantined_rows(self) -> int:
        """Distinct input rows of the province quarantined (a row may break several rules)."""
        return d.count_rows(self.quarantine)

    @property
    def n_unattributed_rows(self) -> int:
        """Distinct quarantined input rows no province could be found for."""
        return d.count_rows(self.quarantine_unattributed)

    @property
    def n_incomplete(self) -> int:
        """Assessments (body x year x rater) missing :data:`INCOMPLETE_FROM` indicators or more."""
        c = self.completeness
        return int((c["missing"] >= INCOMPLETE_FROM).sum()) if "missing" in c else 0

    @property
    def n_pilot(self) -> int:
        """Pilot bodies in the timing table."""
        return len(self.pilot_timing)

    @property
    def n_pilot_unusable(self) -> int:
        """Pilot bodies whose timing leaves them out of the comparison."""
        timing = self.pilot_timing
        return int((~timing["usable"].astype(bool)).sum()) if "usable" in timing else 0

    @property
    def n_name_matches(self) -> int:
        """Names matched that were not written exactly (the indicator ids recovered from row order excluded)."""
        m = self.name_matches
        return int((m["how"] != "indicator_order").sum()) if "how" in m else 0

    @property
    def n_indicators_recovered(self) -> int:
        """Rows whose indicator id was read from the row order (Excel turned "1.10" into 1.1)."""
        m = self.name_matches
        return int(pd.to_numeric(m.loc[m["how"] == "indicator_order", "rows"]).sum()) if "how" in m else 0


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
    # indicator ids read from the row order (Excel turned "1.10" into 1.1) are listed with the name matches
    matches = data.name_matches if data.name_matches is not None else pd.DataFrame(
        columns=["typed", "matched", "how", "rows"])
    checks = data.checks if data.checks is not None else pd.DataFrame()
    not_estimated = [] if len(a) else [NotEstimated.of("summary", NotEstimable("no_data"))]
    return DataQualitySummary(
        province=province, synthetic=data.synthetic, params=dict(params), not_estimated=not_estimated,
        n_bodies=len(d.body_table(a, data.units)), n_scores=len(a), wave_labels=[str(w) for w in waves["label"]],
        share_scored=float(completeness["share_scored"].mean()) if len(completeness) else None,
        n_not_assessed=int(a["not_assessed"].sum()),
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
