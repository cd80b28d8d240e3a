"""Fresh means fresh: processed data is made again when the ingest code or its data tables change, and a
province partition is judged by the content of the whole tables it was cut from, not by file times."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd

import importlib

import iso18091lab
from iso18091lab.intake.dataset import load
from iso18091lab.run.request import needs_ingest

PACKAGE = Path(iso18091lab.__file__).resolve().parent
ingest_module = importlib.import_module("iso18091lab.intake.pipeline")  # the module (the package exports the function)


def test_the_ingest_fingerprint_covers_the_rule_modules_it_imports_and_the_data_tables(tmp_path, monkeypatch):
    """A copy of the package whose cleaning rules (clean.py, imported by ingest) differ by one line gives
    another fingerprint; so does a changed data table; a module ingest never imports (plots.py) does not."""
    def fingerprint_of(root: Path) -> str:
        monkeypatch.setattr(ingest_module, "__file__", str(root / "intake" / "pipeline.py"))
        ingest_module.ingest_fingerprint.cache_clear()
        try:
            return ingest_module.ingest_fingerprint()
        finally:
            ingest_module.ingest_fingerprint.cache_clear()

    copy = tmp_path / "iso18091lab"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    base = fingerprint_of(copy)
    assert base == fingerprint_of(copy)
    (copy / "render" / "figures.py").write_text((copy / "render" / "figures.py").read_text(encoding="utf-8") + "\n# x\n", encoding="utf-8")
    assert fingerprint_of(copy) == base  # not an ingest dependency
    clean = copy / "intake" / "clean.py"
    clean.write_text(clean.read_text(encoding="utf-8") + "\n# a changed rule\n", encoding="utf-8")
    edited_rule = fingerprint_of(copy)
    assert edited_rule != base
    provinces = copy / "data" / "provinces.csv"
    provinces.write_text(provinces.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert fingerprint_of(copy) not in (base, edited_rule)


def test_processed_data_is_made_again_when_the_ingest_fingerprint_changes(small_processed, tmp_path, monkeypatch):
    processed = tmp_path / "processed"
    shutil.copytree(small_processed / "processed", processed)
    raw = small_processed / "raw"
    summary = json.loads((processed / "ingest_summary.json").read_text(encoding="utf-8"))
    assert summary["ingest_fingerprint"] == ingest_module.ingest_fingerprint()
    assert not needs_ingest(raw, processed)
    monkeypatch.setattr("iso18091lab.run.request.ingest_fingerprint", lambda: "edited cleaning rules")
    assert needs_ingest(raw, processed)


def test_a_partition_is_stale_when_the_whole_tables_change_whatever_the_file_times(small_processed, tmp_path):
    processed = tmp_path / "processed"
    shutil.copytree(small_processed / "processed", processed)
    province = load(processed).provinces[0]
    whole = load(processed)
    own = load(processed, province=province)
    assert len(own.assessments) == int((whole.assessments["province"] == province).sum())
    # change one score in the whole table and make it look *older* than the partition
    path = processed / "assessments.parquet"
    frame = pd.read_parquet(path)
    row = frame.index[frame["province"] == province][0]
    frame.loc[row, "score_100"] = 123.0
    frame.to_parquet(path, index=False)
    os.utime(path, ns=(1, 1))
    changed = load(processed, province=province)
    assert 123.0 in set(changed.assessments["score_100"])


def test_a_province_load_hashes_the_whole_tables_once_per_file_state(small_processed, tmp_path, monkeypatch):
    """Loading a province checks its partition against the national tables' digest: hashed on the first call,
    read from memory on the next ones while the files are unchanged, hashed again (and the change seen) once a
    table is rewritten, even with the same size and file time."""
    from iso18091lab.intake import dataset
    from iso18091lab.storage import tables_digest

    processed = tmp_path / "processed"
    shutil.copytree(small_processed / "processed", processed)
    calls = []
    monkeypatch.setattr(dataset, "tables_digest", lambda folder: calls.append(folder) or tables_digest(folder))
    province = load(processed).provinces[0]
    first = load(processed, province=province)
    second = load(processed, province=province)
    assert len(calls) == 1 and len(second.assessments) == len(first.assessments) > 0
    path = processed / "assessments.parquet"
    before = path.stat()
    frame = pd.read_parquet(path)
    row = frame.index[frame["province"] == province][0]
    frame.loc[row, "score_100"] = 123.0
    frame.to_parquet(path, index=False)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # the old file time
    changed = load(processed, province=province)
    assert len(calls) == 2 and 123.0 in set(changed.assessments["score_100"])
    load(processed, province=province)
    assert len(calls) == 2
