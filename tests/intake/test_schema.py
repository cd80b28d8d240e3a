"""The schema module owns the processed tables: what ingest writes is exactly its columns and dtypes, and the
reader gives the same frames back whatever the file stored."""
from __future__ import annotations

import pandas as pd
import pytest

import iso18091lab as lab
from iso18091lab.intake.schema import TABLES, conforming


@pytest.mark.parametrize("table", sorted(TABLES))
def test_ingest_writes_the_schema_and_the_reader_reads_it_back(small_processed, table):
    file, columns, dtypes = TABLES[table]
    written = pd.read_parquet(small_processed / "processed" / file)
    assert list(written.columns) == columns
    schema = {c: str(pd.api.types.pandas_dtype(d)) for c, d in dtypes.items()}
    # the writer's own dtypes, as stored (the reader's ``conforming`` would set them whatever was written)
    assert {c: str(written[c].dtype) for c in columns} == schema
    loaded = getattr(lab.load(small_processed / "processed"), table)
    assert {c: str(loaded[c].dtype) for c in columns} == schema
    assert len(loaded) == len(written)


def test_a_frame_from_another_version_is_refused_with_the_missing_columns(small_processed):
    written = pd.read_parquet(small_processed / "processed" / "assessments.parquet")
    with pytest.raises(ValueError, match=r"\['assessed_on'\].*ingest again"):
        conforming(written.drop(columns="assessed_on"), "assessments")
    # a column stored as plain text comes back as the schema's dtype
    as_text = written.assign(year=written["year"].astype(str).where(written["year"].notna()))
    assert str(conforming(as_text, "assessments")["year"].dtype) == "Int64"
