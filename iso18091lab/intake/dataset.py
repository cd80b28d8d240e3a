"""Loading the processed dataset for notebooks and outside users.

Column types (pandas extension dtypes, missing values as ``<NA>``):

* text columns (province, body_id, unit, body_label, unit_code, level, tier, group, province_2025, rater,
  rater_id, indicator, measure, source_file, ...): ``string``; codes and indicator ids stay text ("06658", "1.10");
* whole numbers (year, round, pillar, pilot_start, pilot_start_round, source_row): ``Int64``;

A body is identified by ``body_id`` (province and administrative code, or province and canonical name when no
code is known): names repeat, so every statistic, count and join uses ``body_id``; ``body_label`` is the name
to show (with the code added where two bodies of a province share a name). ``pilot_start`` is the year and
``pilot_start_round`` the round of a pilot body's first assessment wave under the pilot.
* scores (score, max_score, score_100, value): ``Float64``; ``score`` is the points as entered
  (missing when only a traffic light was given), ``score_100`` the common 0-100 scale;
* ``rating``: ordered categorical red < yellow < green (missing when not assessed);
* flags (not_assessed, synthetic): ``boolean``;
* ``assessed_on`` (assessments): the row's assessment date, a day (``date32[pyarrow]``), ``<NA>`` when the file
  gave none.
"""
from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from iso18091lab.catalog import load_catalog
from iso18091lab.config import DEFAULT_PROCESSED
from iso18091lab.storage import WHOLE_TABLES, tables_digest
from iso18091lab.i18n import quarantine_reasons, t
from iso18091lab.intake.store import province_files
from iso18091lab.intake.schema import PARTITIONS, conforming
from iso18091lab.intake.provinces import of_today
from iso18091lab.normalize import slugify


class DatasetNotFound(FileNotFoundError):
    """The processed folder has no ingested data."""


@dataclass
class Dataset:
    """The clean tables of one ingest run."""

    assessments: pd.DataFrame
    units: pd.DataFrame
    outcomes: pd.DataFrame
    #: quarantine.csv, with ``reason_vi`` and ``reason_en`` worded at load time from its ``rule`` and ``values``.
    quarantine: pd.DataFrame
    summary: dict = field(default_factory=dict)
    catalog: pd.DataFrame | None = None
    name_matches: pd.DataFrame | None = None
    #: Totals written beside the scores (summary matrices, forms) that do not match them or cannot be checked.
    checks: pd.DataFrame | None = None

    @property
    def synthetic(self) -> bool:
        """True when any accepted row comes from the synthetic-data generator."""
        return self.summary.get("synthetic") in ("yes", "mixed")

    @property
    def provinces(self) -> list[str]:
        return list(self.summary.get("provinces", []))

    def for_province(self, province: str) -> "Dataset":
        """The same dataset restricted to one province (canonical name). Its quarantine keeps the rows
        attributed to that province and the rows that could not be attributed to any (``province`` empty);
        its summary lists the files holding the province's rows and the files of no province."""
        pick = lambda frame: frame[(of_today(frame["province"]) == province).to_numpy()].reset_index(drop=True)  # noqa: E731
        return _restricted(self, province, pick(self.assessments), pick(self.units), pick(self.outcomes))


def _restricted(data: Dataset, province: str, assessments: pd.DataFrame, units: pd.DataFrame,
                outcomes: pd.DataFrame) -> Dataset:
    quarantine = data.quarantine[of_today(data.quarantine["province"]).isin([province, ""]).to_numpy()
                                 ].reset_index(drop=True)
    matches = (data.name_matches[(of_today(data.name_matches["province"]) == province).to_numpy()].reset_index(drop=True)
               if data.name_matches is not None else None)
    summary = {**data.summary, "files": province_files(data.summary, province)} if data.summary else data.summary
    checks = (data.checks[of_today(data.checks["province"]).isin([province, ""]).to_numpy()].reset_index(drop=True)
              if data.checks is not None else None)
    return Dataset(assessments, units, outcomes, quarantine, summary, data.catalog, matches, checks)


#: Digests of the whole tables already hashed in this process, by the tables' file state (:func:`_file_state`).
_DIGESTS: dict[tuple, str] = {}
_DIGESTS_LOCK = threading.Lock()


def _file_state(folder: Path) -> tuple:
    """What identifies the whole tables' bytes without reading them: per file its inode, size, modification
    and change times (in ns). Any write or replacement changes the change time, which no program can set back,
    so a file changed since it was hashed has another state."""
    states = []
    for name in WHOLE_TABLES:
        stat = os.stat(folder / name)
        states.append((name, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns))
    return (str(folder.resolve()), *states)


def _current_digest(folder: Path) -> str:
    """:func:`iso18091lab.storage.tables_digest` of ``folder``, hashed once per file state: loading one province
    after another reads the national tables' bytes once, not on every call."""
    state = _file_state(folder)
    with _DIGESTS_LOCK:
        known = _DIGESTS.get(state)
    if known is None:
        known = tables_digest(folder)
        if _file_state(folder) == state:  # not written while it was read
            with _DIGESTS_LOCK:
                _DIGESTS[state] = known
    return known


def _partition_current(folder: Path, partition: Path) -> bool:
    """True when the province partition exists and was cut from the whole tables as they are now (the digest
    it recorded equals theirs: a table changed afterwards, by hand or by a test, makes it stale, whatever the
    file times say; the tables are hashed again only when their file state changed, :func:`_current_digest`)."""
    try:
        recorded = json.loads((partition / "partition.json").read_text(encoding="utf-8"))["tables_digest"]
        return recorded == _current_digest(folder)
    except (OSError, ValueError, KeyError):
        return False


def load(processed_dir: str | Path = DEFAULT_PROCESSED, catalog: str | Path | None = None,
         province: str | None = None) -> Dataset:
    """Read the tables written by :func:`iso18091lab.intake.pipeline` from ``processed_dir``.

    The catalog is the one used at ingest (``catalog.csv`` in ``processed_dir``); pass ``catalog`` only to
    override it (e.g. a processed folder written before the catalog was recorded). With ``province``, only
    that province's rows are read (its partition under ``provinces/``), as :meth:`Dataset.for_province`
    would give them."""
    folder = Path(processed_dir)
    if not (folder / "assessments.parquet").exists():
        raise DatasetNotFound(f"{t('data_not_found', 'vi', folder=folder)} / {t('data_not_found', 'en', folder=folder)}")
    tables = folder
    if province is not None:
        partition = folder / PARTITIONS / slugify(province)
        if not _partition_current(folder, partition):  # no such province, or the tables were written after it
            return load(folder, catalog).for_province(province)
        tables = partition
    assessments = conforming(pd.read_parquet(tables / "assessments.parquet"), "assessments")
    quarantine = pd.read_csv(folder / "quarantine.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    if "province_suggested" not in quarantine:
        quarantine["province_suggested"] = ""
    if "values" in quarantine:  # the reasons are worded now, from today's text table (quarantine.csv keeps keys)
        quarantine = quarantine_reasons(quarantine)
    summary = json.loads((folder / "ingest_summary.json").read_text(encoding="utf-8"))
    matches_path = folder / "name_matches.csv"
    name_matches = (pd.read_csv(matches_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
                    if matches_path.exists() else None)
    checks_path = folder / "total_checks.csv"
    checks = (pd.read_csv(checks_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
              if checks_path.exists() else None)
    if checks is not None:
        for column in ("sum_scores", "difference"):
            checks[column] = pd.to_numeric(checks[column], errors="coerce")
    if catalog is None and (folder / "catalog.csv").exists():
        catalog = folder / "catalog.csv"
    data = Dataset(
        assessments=assessments,
        units=conforming(pd.read_parquet(tables / "units.parquet"), "units"),
        outcomes=conforming(pd.read_parquet(tables / "outcomes.parquet"), "outcomes"),
        quarantine=quarantine,
        summary=summary,
        catalog=load_catalog(catalog),
        name_matches=name_matches,
        checks=checks,
    )
    return data if province is None else _restricted(data, province, data.assessments, data.units, data.outcomes)
