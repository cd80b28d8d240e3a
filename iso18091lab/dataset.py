"""Loading the processed dataset for notebooks and outside users.

Column types (pandas extension dtypes, missing values as ``<NA>``):

* text columns (province, unit, unit_code, level, tier, group, rater, rater_id, indicator,
  measure, source_file, ...): ``string``; codes and indicator ids stay text ("06658", "1.10");
* whole numbers (year, round, pillar, pilot_start, source_row): ``Int64``;
* scores (score, max_score, score_100, value): ``Float64``; ``score`` is the points as entered
  (missing when only a traffic light was given), ``score_100`` the common 0-100 scale;
* ``rating``: ordered categorical red < yellow < green (missing when not assessed);
* flags (not_assessed, synthetic): ``boolean``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .catalog import load_catalog
from .config import DEFAULT_PROCESSED
from .ingest import RATING_DTYPE


class DatasetNotFound(FileNotFoundError):
    """The processed folder has no ingested data."""


@dataclass
class Dataset:
    """The clean tables of one ingest run."""

    assessments: pd.DataFrame
    units: pd.DataFrame
    outcomes: pd.DataFrame
    quarantine: pd.DataFrame
    summary: dict = field(default_factory=dict)
    catalog: pd.DataFrame | None = None

    @property
    def synthetic(self) -> bool:
        """True when any accepted row comes from the synthetic-data generator."""
        return self.summary.get("synthetic") in ("yes", "mixed")

    @property
    def provinces(self) -> list[str]:
        return list(self.summary.get("provinces", []))

    def for_province(self, province: str) -> "Dataset":
        """The same dataset restricted to one province (canonical name)."""
        pick = lambda frame: frame[frame["province"] == province].reset_index(drop=True)  # noqa: E731
        return Dataset(pick(self.assessments), pick(self.units), pick(self.outcomes), self.quarantine,
                       self.summary, self.catalog)


def load(processed_dir: str | Path = DEFAULT_PROCESSED, catalog: str | Path | None = None) -> Dataset:
    """Read the tables written by :func:`iso18091lab.ingest` from ``processed_dir``."""
    folder = Path(processed_dir)
    if not (folder / "assessments.parquet").exists():
        raise DatasetNotFound(
            f"no processed data in {folder}: run 'iso18091lab ingest' first / "
            f"chưa có dữ liệu đã xử lý trong {folder}: hãy chạy 'iso18091lab ingest'")
    assessments = pd.read_parquet(folder / "assessments.parquet")
    assessments["rating"] = assessments["rating"].astype(RATING_DTYPE)
    quarantine = pd.read_csv(folder / "quarantine.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    summary = json.loads((folder / "ingest_summary.json").read_text(encoding="utf-8"))
    return Dataset(
        assessments=assessments,
        units=pd.read_parquet(folder / "units.parquet"),
        outcomes=pd.read_parquet(folder / "outcomes.parquet"),
        quarantine=quarantine,
        summary=summary,
        catalog=load_catalog(catalog),
    )
