"""The processed tables of an ingest: writing them atomically (whole and one folder per province), the provinces each
file holds, the hashes a province's reports depend on, and the fingerprints of the raw files, the catalog and the
processed tables."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from iso18091lab.intake import lineage
from iso18091lab.intake.columnar import _unique_rows
from iso18091lab.intake.files import iter_raw_files
from iso18091lab.intake.provinces import of_today
from iso18091lab.intake.schema import HASHED_FILES, PARTITIONS
from iso18091lab.storage import tables_digest, write_atomic, write_csv

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass
class IngestResult:
    """The clean tables, the quarantine, the per-sheet summary and the overall summary."""

    assessments: pd.DataFrame
    units: pd.DataFrame
    outcomes: pd.DataFrame
    quarantine: pd.DataFrame
    files: pd.DataFrame
    summary: dict = field(default_factory=dict)
    name_matches: pd.DataFrame | None = None
    catalog: pd.DataFrame | None = None
    checks: pd.DataFrame | None = None


def raw_fingerprint(raw_dir: str | Path) -> str:
    """SHA-256 over the names and contents of every raw input file."""
    raw_dir = Path(raw_dir)
    digest = hashlib.sha256()
    for path in iter_raw_files(raw_dir):
        digest.update(path.relative_to(raw_dir).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def catalog_fingerprint(catalog: pd.DataFrame) -> str:
    """SHA-256 of a catalog's content (ids, pillars, names, maxima), as written to ``catalog.csv``."""
    return hashlib.sha256(catalog.to_csv(index=False).encode("utf-8")).hexdigest()


def processed_hash(processed_dir: str | Path) -> str:
    """SHA-256 of the processed tables: the identity of a dataset (reports folder, caches, evidence packs)."""
    if not isinstance(processed_dir, (str, os.PathLike)):
        raise ValueError(f"processed_dir must be a folder path, not {type(processed_dir).__name__}")
    folder = Path(processed_dir)
    if not (folder / "assessments.parquet").exists():
        raise ValueError(f"no processed data in {folder}")
    digest = hashlib.sha256()
    for name in HASHED_FILES:
        path = folder / name
        if path.exists():
            digest.update(name.encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def file_provinces(assessments: pd.DataFrame, units: pd.DataFrame, outcomes: pd.DataFrame,
                   quarantine: pd.DataFrame) -> dict[str, list[str]]:
    """Which provinces each input file holds rows of (accepted or quarantined); a file not listed holds none
    that could be attributed (unreadable, or only unattributable rows) and concerns every province."""
    pairs = [_distinct_rows(frame, ["source_file", "province"]).set_axis(["file", "province"], axis=1)
             for frame in (assessments, units, outcomes)]
    pairs.append(quarantine.loc[quarantine["province"] != "", ["file", "province"]])
    found = pd.concat(pairs, ignore_index=True).dropna().drop_duplicates()
    found["province"] = of_today(found["province"]).to_numpy()
    found = found.drop_duplicates()
    return {file: sorted(group["province"].astype(str)) for file, group in found.groupby("file", sort=True)}


def _distinct_rows(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The first row of each distinct combination of ``columns`` (missing values a value of their own), in
    row order: a national table repeats a few dozen (file, province) pairs a million times."""
    if not len(frame):
        return frame[columns]
    codes = [pd.factorize(frame[c], use_na_sentinel=True)[0] + 1 for c in columns]
    first = np.unique(_unique_rows(codes)[1], return_index=True)[1]
    return frame[columns].iloc[np.sort(first)]


def _rows_of_today(column: pd.Series) -> dict[str, np.ndarray]:
    """Positions of the rows of each province of today (:func:`~iso18091lab.intake.provinces.of_today`: a
    missing province is ''), in row order; the province of today of each distinct value is looked up once."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    today = of_today(pd.Series(np.asarray(uniques, dtype=object), dtype=object)).tolist() + [""]
    names = list(dict.fromkeys(today))
    group = np.array([names.index(t) for t in today], dtype=np.int64)[np.where(codes < 0, len(uniques), codes)]
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.arange(len(names) + 1))
    return {name: order[bounds[i]:bounds[i + 1]] for i, name in enumerate(names)}


def _positions(rows: dict[str, np.ndarray], province: str) -> np.ndarray:
    """The positions of ``province``'s rows in :func:`_rows_of_today`'s ``rows`` (none when it has no row)."""
    return rows.get(province, np.zeros(0, dtype=np.intp))


def province_files(summary: dict, province: str) -> list[dict]:
    """The file entries of an ingest summary that concern ``province``: the files holding its rows, and the
    files attributable to no province (unreadable ones, or with only unattributable rows)."""
    where = summary.get("file_provinces") or {}
    return [f for f in summary.get("files", []) if province in where.get(f["file"], [province])]


def by_province(result: IngestResult) -> dict[str, dict[str, pd.DataFrame]]:
    """Each province's rows of the three tables (row order kept, index reset), split in one pass per table."""
    parts = _Parts(result)
    return {province: parts[province] for province in parts}


class _Parts(Mapping):
    """:func:`by_province` made one province at a time, when asked (``parts[province]``): writing the province
    folders then holds one province's copy of the rows, not a second copy of every table. ``rows``: per table,
    the positions of each province's rows."""

    def __init__(self, result: IngestResult):
        self.result = result
        self.rows = {name: _rows_of_today(getattr(result, name)["province"]) if len(getattr(result, name)) else {}
                     for name in ("assessments", "units", "outcomes")}  # the province of today

    def __getitem__(self, province: str) -> dict[str, pd.DataFrame]:
        if province not in self.result.summary["provinces"]:
            raise KeyError(province)
        return {name: getattr(self.result, name).take(_positions(rows, province))
                .reset_index(drop=True) for name, rows in self.rows.items()}

    def __iter__(self):
        return iter(self.result.summary["provinces"])

    def __len__(self) -> int:
        return len(self.result.summary["provinces"])


def province_hashes(result: IngestResult, parts: dict[str, dict[str, pd.DataFrame]]) -> dict[str, str]:
    """SHA-256 of everything a province's reports read: its rows of the three tables (``parts``, from
    :func:`by_province`), its quarantine rows and the unattributed ones, its name matches, its files' entries,
    the catalog and the synthetic flag. A province whose hash is unchanged gets the same reports (the runner
    reuses them).

    A row's hash (``pandas.util.hash_pandas_object``) depends on that row alone, so each whole table is hashed
    once and a province's rows are taken from it (hashing each province's part column by column cost a
    thousand small hashes): the same bytes as hashing ``parts``."""
    summary = {**result.summary, "files": result.files.to_dict(orient="records")}
    common = json.dumps([summary.get("catalog_fingerprint"), summary.get("synthetic")]).encode()
    matches = result.name_matches if result.name_matches is not None else pd.DataFrame(columns=["province"])

    def update(digest, name: str, frame: pd.DataFrame) -> None:
        digest.update(name.encode())
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
        digest.update(",".join(map(str, frame.columns)).encode())

    rows, columns = {}, {}
    for name in ("assessments", "units", "outcomes"):
        frame = _dates_as_categories(getattr(result, name))
        if any(isinstance(dtype, pd.ArrowDtype) for dtype in frame.dtypes):
            continue  # Arrow numbers hash as their numpy form, which depends on the part's nulls: hash the parts
        where = parts.rows[name] if isinstance(parts, _Parts) else (
            _rows_of_today(frame["province"]) if len(frame) else {})
        rows[name] = (pd.util.hash_pandas_object(frame, index=False).to_numpy(), where)
        columns[name] = ",".join(map(str, frame.columns)).encode()
    hashes = {}
    for province in parts:
        digest = hashlib.sha256(common)
        for name in ("assessments", "units", "outcomes"):
            if name not in rows:
                update(digest, name, parts[province][name])
                continue
            row_hashes, where = rows[name]
            digest.update(name.encode())
            digest.update(row_hashes[_positions(where, province)].tobytes())
            digest.update(columns[name])
        update(digest, "name_matches", matches[of_today(matches["province"]).to_numpy() == province])
        update(digest, "quarantine", result.quarantine[of_today(result.quarantine["province"]).isin([province, ""])
                                                       .to_numpy()])
        if result.checks is not None and len(result.checks):
            update(digest, "total_checks", result.checks[of_today(result.checks["province"]).isin([province, ""])
                                                         .to_numpy()])
        digest.update(json.dumps(province_files(summary, province), sort_keys=True, default=str).encode())
        hashes[province] = digest.hexdigest()
    return hashes


def _dates_as_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its Arrow date columns as categoricals of the same ``datetime.date`` values, which
    ``pandas.util.hash_pandas_object`` hashes to the same row hashes (both hash each distinct date's text, and a
    missing date as the null hash) without making a Python object of every cell; other columns are shared.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table of the ingest.

    Returns
    -------
    pandas.DataFrame
        ``frame`` itself when it has no Arrow date column, else a shallow copy.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    dates = [name for name, dtype in frame.dtypes.items()
             if isinstance(dtype, pd.ArrowDtype) and pa.types.is_date(dtype.pyarrow_dtype)]
    if not dates:
        return frame
    frame = frame.copy(deep=False)
    for name in dates:
        column = pa.array(frame[name].array)
        encoded = pc.dictionary_encode(column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column)
        frame[name] = pd.Categorical.from_codes(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False),
                                                pd.Index(encoded.dictionary.to_pylist(), dtype=object))
    return frame


def write_partitions(parts: dict[str, dict[str, pd.DataFrame]], out: Path) -> None:
    """One folder per province under ``<out>/provinces/`` with its rows of the three tables (``parts``, from
    :func:`by_province`), so that a province report reads only its own province; the folder is replaced whole.
    Each records the digest of the whole tables it was cut from (``partition.json``), so a reader can tell a
    stale partition by content, not by file times."""
    _place_partitions(_stage_partitions(parts, out), parts, out)


def _stage_partitions(parts: dict[str, dict[str, pd.DataFrame]], out: Path,
                      arrow: dict[str, "pa.Table"] | None = None) -> Path:
    """The province folders' tables, written into a staging folder in ``out`` (returned). ``arrow``: the whole
    tables as Arrow tables (:func:`_arrow_table`) when ``parts`` is a :class:`_Parts` of them; each province's
    rows are then taken from them, not converted from pandas once more."""
    from iso18091lab.normalize import slugify

    staging = Path(tempfile.mkdtemp(dir=out, prefix=".provinces."))
    try:
        for province in parts:
            folder = staging / slugify(province)
            folder.mkdir()
            if arrow is not None and isinstance(parts, _Parts):
                for name, rows in parts.rows.items():
                    _write_parquet(arrow[name].take(_positions(rows, province)),
                                   folder / f"{name}.parquet")
                continue
            for name, frame in parts[province].items():
                _write_parquet(_arrow_table(frame), folder / f"{name}.parquet")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _arrow_table(frame: pd.DataFrame) -> "pa.Table":
    """``frame`` as the Arrow table ``frame.to_parquet(path, index=False)`` would write (pandas metadata
    included), converted once so that its province parts are taken from it."""
    import pyarrow as pa

    return pa.Table.from_pandas(frame, preserve_index=False)


def _write_parquet(table: "pa.Table", path: Path) -> None:
    """Write one processed table. No column statistics (min/max per column and row group): nothing reads the
    tables with filters, and computing them was a quarter of the writing time; readers get the same frames."""
    import pyarrow.parquet as pq

    pq.write_table(table, path, write_statistics=False)


def _place_partitions(staging: Path, parts: dict[str, dict[str, pd.DataFrame]], out: Path) -> None:
    """Record the whole tables' digest in each staged province folder and put the folders in place at once."""
    from iso18091lab.normalize import slugify

    source = tables_digest(out)
    for province in parts:
        (staging / slugify(province) / "partition.json").write_text(
            json.dumps({"province": province, "tables_digest": source}), encoding="utf-8")
    old = out / PARTITIONS
    if old.exists():
        retired = Path(tempfile.mkdtemp(dir=out, prefix=".old-provinces."))
        os.replace(old, retired / PARTITIONS)
        shutil.rmtree(retired, ignore_errors=True)
    os.replace(staging, old)


class _TableWriter:
    """Writes the Parquet tables of an ingest, whole and by province, in two threads (Arrow encodes and
    compresses without holding the GIL; each table is converted to Arrow once and its province parts taken from
    it) while the calling thread goes on with the province hashes and the CSV
    files. :meth:`finish` waits for them and puts the province folders in place; :meth:`close` waits and
    discards the province folders (the run failed)."""

    def __init__(self, result: IngestResult, out: Path, parts: dict[str, dict[str, pd.DataFrame]]):
        from concurrent.futures import ThreadPoolExecutor

        self.out, self.parts = Path(out), parts
        self.out.mkdir(parents=True, exist_ok=True)
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="iso18091lab-write")
        arrow = {name: _arrow_table(getattr(result, name)) for name in ("assessments", "units", "outcomes")}
        self._whole = [self._pool.submit(write_atomic, self.out / f"{name}.parquet",
                                         lambda p, t=table: _write_parquet(t, p)) for name, table in arrow.items()]
        self._staging = self._pool.submit(_stage_partitions, parts, self.out, arrow)

    def finish(self) -> None:
        try:
            for future in self._whole:
                future.result()
            staging = self._staging.result()
        except BaseException:
            self.close()
            raise
        self._pool.shutdown()
        _place_partitions(staging, self.parts, self.out)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        if self._staging.exception() is None:
            shutil.rmtree(self._staging.result(), ignore_errors=True)


def write_processed(result: IngestResult, processed_dir: str | Path,
                    parts: dict[str, dict[str, pd.DataFrame]] | None = None,
                    tables: _TableWriter | None = None) -> None:
    """Write the clean tables (whole and by province: ``parts`` from :func:`by_province`, split here when not
    given), quarantine and summary atomically into ``processed_dir``. ``tables``: the Parquet writes already
    under way (:class:`_TableWriter`), else started here; the summary is written last."""
    out = Path(processed_dir)
    if tables is None:
        tables = _TableWriter(result, out, parts if parts is not None else _Parts(result))
    try:
        # files people open in Excel: text that Excel would run as a formula is neutralised (excel.write_csv)
        write_atomic(out / "quarantine.csv", lambda p: write_csv(result.quarantine, p))
        write_atomic(out / "ingest_summary.csv", lambda p: write_csv(result.files, p))
        if result.name_matches is not None:
            write_atomic(out / "name_matches.csv", lambda p: write_csv(result.name_matches, p))
        if result.checks is not None:
            write_atomic(out / "total_checks.csv", lambda p: write_csv(result.checks, p))
        lineage_rows = lineage.lineage_table(result.units)
        write_atomic(out / "unit_lineage.csv", lambda p: write_csv(lineage_rows, p))
        if result.catalog is not None:
            write_atomic(out / "catalog.csv", lambda p: result.catalog.to_csv(p, index=False, encoding="utf-8-sig"))
    except BaseException:
        tables.close()
        raise
    tables.finish()
    write_atomic(out / "ingest_summary.json", lambda p: p.write_text(
        json.dumps({**result.summary, "files": result.files.to_dict(orient="records")}, ensure_ascii=False, indent=2),
        encoding="utf-8"))
