"""The evidence pack: a Word document and an Excel workbook per province run and for the national run.

Both are built from the reports' typed summaries (``summaries/<report>.json``: the answer on the first page, what
could not be estimated and why, whether the data are synthetic), from the result tables *as the notebooks
produced them* (``tables/*.parquet``, typed: indicator and body codes stay text, counts integers, numbers
numbers) and from ``results.json`` (what each page showed: its sentences, notes, tables and figures; no number);
nothing is re-guessed from CSV. They say exactly what the HTML reports say.

The Word document is laid out as a Vietnamese administrative document (Nghị định 30/2020/NĐ-CP, Appendix I):
A4, Times New Roman, body text 13 pt, margins top/bottom 20 mm, left 30 mm, right 17 mm, page numbers at the
top from page 2. Its first page gives the answer — did the pilot work, by how much, how sure; can the
indicators be trusted; what follows for a roll-out — then recommendations and each body's action list (its red
indicators, with names), the detailed results with numbered tables and figures, methods, caveats, a glossary
and the provenance. The Excel workbook has one sheet per result table (codes as text, numbers as numbers with
display formats), the action list, and an "about" sheet.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from iso18091lab.normalize import slugify
from iso18091lab.render.excel_pack import _write_xlsx
from iso18091lab.render.pack_content import (action_list, indicator_names, load_result_tables, pack_names,
                                             with_indicator_names)
from iso18091lab.render.word_pack import _write_docx
from iso18091lab.summaries.base import SUMMARIES, has_summary, load_summary


def write_evidence_pack(folder: str | Path, scope: str, provenance: dict, lang: str = "vi",
                        catalog: pd.DataFrame | None = None, document: dict | None = None) -> tuple[Path, Path]:
    """Write the Word document and Excel workbook for one report folder; returns their paths.

    ``document``: the head of an administrative document (Nghị định 30/2020/NĐ-CP, Appendix I), as the
    Department chooses: ``issuer`` (the issuing body, top left), ``number`` (the document's number and symbol,
    "Số: 123/BC-SKHCN", under it), ``motto`` (True: the national name and motto, top right).

    ``catalog`` gives the indicator names shown beside their codes (default: the catalog recorded with the
    processed data when ``provenance["processed"]`` names it, else the bundled one)."""
    folder = Path(folder)
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    synthetic = any(load_summary(folder, report).synthetic for report in SUMMARIES if has_summary(folder, report))
    if catalog is None:
        from iso18091lab.catalog import load_catalog

        recorded = Path(provenance.get("processed", "")) / "catalog.csv" if provenance.get("processed") else None
        catalog = load_catalog(recorded if recorded is not None and recorded.exists() else None)
    names = indicator_names(catalog, lang)
    tables = {key: with_indicator_names(frame, names, lang)
              for key, frame in load_result_tables(folder, results).items()}
    actions = action_list(load_result_tables(folder, results), results, names, lang)
    docx_name, xlsx_name = pack_names(slugify(scope) if scope else folder.name)
    docx_path, xlsx_path = folder / docx_name, folder / xlsx_name
    _write_docx(docx_path, folder, results, tables, actions, names, scope, provenance, synthetic, lang,
                document or {})
    _write_xlsx(xlsx_path, results, tables, actions, scope, provenance, synthetic, lang)
    return docx_path, xlsx_path


__all__ = ["write_evidence_pack"]
