"""The processed tables: their files, columns and dtypes — one description that the writer
(:mod:`iso18091lab.intake.store`, fed by :mod:`iso18091lab.intake.pipeline`) and the reader (:mod:`iso18091lab.intake.dataset`) both use, and that
``docs/data-format.md`` documents. A column added here is written, typed and read back the same way.
"""
from __future__ import annotations

import pandas as pd
import pyarrow as pa

from iso18091lab.config import RATINGS

ASSESSMENT_COLUMNS = [
    "province", "body_id", "unit", "body_label", "unit_code", "level", "tier", "group", "pilot_start",
    "pilot_start_round", "province_2025", "vintage", "lineage_status", "continues", "year", "round", "assessed_on",
    "rater", "rater_id", "indicator", "pillar", "score", "max_score", "score_100", "rating", "not_assessed",
    "score_source", "synthetic", "source_file", "source_sheet", "source_row", "source_column",
]
UNIT_COLUMNS = [
    "province", "body_id", "unit", "body_label", "code", "level", "tier", "group", "pilot_start", "pilot_start_round",
    "province_2025", "aliases", "synthetic",
    "source_file", "source_sheet", "source_row",
    "vintage", "lineage_status", "continues", "official_code", "successor_code", "predecessor_codes", "pilot_exposure",
    "label_today", "map_rule",
]
OUTCOME_COLUMNS = [
    "province", "body_id", "unit", "body_label", "unit_code", "level", "tier", "group", "pilot_start",
    "pilot_start_round", "province_2025", "vintage", "lineage_status", "continues", "year", "measure", "value",
    "synthetic",
    "source_file", "source_sheet", "source_row",
]
#: ``values``: what the rule's reason is worded with (JSON; :meth:`iso18091lab.intake.clean.Problem.values`). The
#: reason itself is worded from the text table when shown (:func:`iso18091lab.i18n.quarantine_reasons`).
QUARANTINE_COLUMNS = ["file", "sheet", "row", "table", "column", "cell", "value", "rule", "values",
                      "province", "province_suggested"]
#: Totals written beside the scores (summary-matrix columns, form rows) and their checks.
CHECK_COLUMNS = ["file", "sheet", "row", "cell", "column", "unit", "rater", "pillar", "total", "sum_scores",
                 "n_scores", "difference", "status", "province"]
#: Body columns copied from the units table onto assessment and outcome rows.
BODY_COLUMNS = ["province", "body_id", "unit", "body_label", "code", "level", "tier", "group", "pilot_start",
                "pilot_start_round", "province_2025", "vintage", "lineage_status", "continues"]
NAME_MATCH_COLUMNS = ["province", "typed", "matched", "body_id", "how", "rows"]
FILE_SUMMARY_COLUMNS = [
    "file", "sheet", "table", "status", "rows_read", "accepted", "quarantined", "duplicates", "empty_rows",
    "header_row", "message_vi", "message_en",
]
RATING_DTYPE = pd.CategoricalDtype(list(RATINGS), ordered=True)
#: ``assessed_on``: the assessment date of a row (a day; ``<NA>`` when the file gave none).
DATE_DTYPE = pd.ArrowDtype(pa.date32())
PROCESSED_FILES = ("assessments.parquet", "units.parquet", "outcomes.parquet", "quarantine.csv",
                   "ingest_summary.csv", "ingest_summary.json", "name_matches.csv", "catalog.csv", "total_checks.csv",
                   "unit_lineage.csv")

PARTITIONS = "provinces"  # <processed>/provinces/<slug>/{assessments,units,outcomes}.parquet
HASHED_FILES = ("assessments.parquet", "units.parquet", "outcomes.parquet", "quarantine.csv")

#: Body columns by type (units table, and copied onto assessment and outcome rows).
BODY_TEXT = ["province", "body_id", "unit", "body_label", "level", "tier", "group", "province_2025", "vintage",
             "lineage_status", "continues"]
BODY_WHOLE = {"pilot_start": "Int64", "pilot_start_round": "Int64"}

#: The dtype of every column of the processed tables (text as pandas ``string``, counts and years ``Int64``).
ASSESSMENT_DTYPES = {
    **{c: "string" for c in BODY_TEXT + ["unit_code", "rater", "rater_id", "indicator", "score_source",
                                         "source_file", "source_sheet", "source_column"]},
    **BODY_WHOLE, "year": "Int64", "round": "Int64", "pillar": "Int64", "source_row": "Int64", "score": "Float64",
    "max_score": "Float64", "score_100": "Float64", "not_assessed": "boolean", "synthetic": "boolean",
    "rating": RATING_DTYPE, "assessed_on": DATE_DTYPE,
}
UNIT_DTYPES = {
    **{c: "string" for c in BODY_TEXT + ["code", "aliases", "source_file", "source_sheet", "official_code",
                                         "successor_code", "predecessor_codes", "label_today", "map_rule"]},
    **BODY_WHOLE, "synthetic": "boolean", "source_row": "Int64", "pilot_exposure": "Float64",
}
OUTCOME_DTYPES = {
    **{c: "string" for c in BODY_TEXT + ["unit_code", "measure", "source_file", "source_sheet"]},
    **BODY_WHOLE, "year": "Int64", "value": "Float64", "synthetic": "boolean", "source_row": "Int64",
}
#: Each typed table: its file, its columns in order, their dtypes.
TABLES = {
    "assessments": ("assessments.parquet", ASSESSMENT_COLUMNS, ASSESSMENT_DTYPES),
    "units": ("units.parquet", UNIT_COLUMNS, UNIT_DTYPES),
    "outcomes": ("outcomes.parquet", OUTCOME_COLUMNS, OUTCOME_DTYPES),
}


def conforming(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """``frame`` as the schema says ``table`` is: its columns first, in order, and their dtypes. Used by the reader on
    what it reads (Parquet keeps most dtypes; the categorical rating is set here), so a reader never depends on
    how the writer happened to store a column. Raises ``ValueError`` naming the missing columns when the file
    was written by another version (run the ingest again)."""
    _, columns, dtypes = TABLES[table]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{table}: columns {missing} missing — processed data from another version; ingest again")
    frame = frame[columns + [c for c in frame.columns if c not in columns]]
    wrong = {c: d for c, d in dtypes.items() if str(frame[c].dtype) != str(pd.api.types.pandas_dtype(d))}
    return frame.astype(wrong) if wrong else frame
