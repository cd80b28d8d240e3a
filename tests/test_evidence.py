"""`iso18091lab run --all`: the national synthesis and the evidence packs (Word and Excel) open and hold
the expected headings, tables and figures."""
from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest
from docx import Document

from iso18091lab.evidence import pack_names
from iso18091lab.report import safe_for_excel
from iso18091lab.runner import NATIONAL_SLUG, run


@pytest.fixture(scope="module")
def everything(small_processed, tmp_path_factory):
    reports = tmp_path_factory.mktemp("all_reports")
    runs = run(all_provinces=True, raw=small_processed / "raw", processed=small_processed / "processed",
               reports=reports, progress=False)
    return runs, reports


def test_all_runs_provinces_then_the_nation(everything):
    runs, reports = everything
    assert [r.slug for r in runs] == ["hai-phong", "quang-ninh", NATIONAL_SLUG]
    assert all(r.status == "ok" for r in runs), [(r.slug, r.evidence, [(n.notebook, n.error) for n in r.notebooks])
                                                 for r in runs]
    national = json.loads((reports / NATIONAL_SLUG / "results.json").read_text(encoding="utf-8"))["40_national"]
    values = national["values"]
    assert values["pooled"]["k"] == 2 and values["pooled"]["ci_low"] < values["pooled"]["estimate"]
    assert {"variance", "cross", "design_effect"} <= set(values["power_inputs"])
    index = (reports / "index.html").read_text(encoding="utf-8")
    for slug in ("hai-phong", "quang-ninh", NATIONAL_SLUG):
        docx_name, xlsx_name = pack_names(slug)
        assert f"{slug}/{docx_name}" in index and f"{slug}/{xlsx_name}" in index


@pytest.mark.parametrize("slug", ["quang-ninh", NATIONAL_SLUG])
def test_word_document(everything, slug):
    _, reports = everything
    folder = reports / slug
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    doc = Document(folder / pack_names(slug)[0])
    text = [p.text for p in doc.paragraphs]
    assert text[0].startswith("DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA")
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading") or p.style.name == "Title"]
    for expected in ("Nguồn gốc số liệu", "Những phát hiện chính", "Bảng kết quả", "Hình", "Phương pháp và lưu ý"):
        assert expected in headings
    n_figures = sum(len(entry["figures"]) for entry in results.values())
    n_tables = sum(1 for entry in results.values() for t in entry["tables"] if t["number"] is not None)
    assert len(doc.inline_shapes) == n_figures > 0
    assert len(doc.tables) == n_tables + 1  # + the provenance table
    provenance = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows}
    assert len(provenance["Mã băm dữ liệu đầu vào (SHA-256)"]) == 64
    for entry in results.values():
        for sentence in entry["summary"]:
            assert sentence.replace("`", "") in text


@pytest.mark.parametrize("slug", ["hai-phong", NATIONAL_SLUG])
def test_excel_workbook(everything, slug):
    _, reports = everything
    folder = reports / slug
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    book = openpyxl.load_workbook(folder / pack_names(slug)[1])
    n_tables = sum(len(entry["tables"]) for entry in results.values())
    assert len(book.sheetnames) == n_tables + 1 and book.sheetnames[0] == "Thông tin"
    assert "SYNTHETIC DATA" in book["Thông tin"]["A1"].value
    for name in book.sheetnames[1:]:
        sheet = book[name]
        assert sheet.freeze_panes == "A3" and sheet["A2"].font.bold
    if slug == "hai-phong":
        sheet = book["effectiveness"]
        header = [c.value for c in sheet[2]]
        assert header == ["outcome", "level", "rater", "estimate", "ci_low", "ci_high", "p_value", "q_value", "method",
                          "n_pilot", "n_comparison"]
        csv = pd.read_csv(folder / "tables" / "effectiveness.csv", keep_default_na=False)
        assert sheet.max_row - 2 == len(csv)


def test_cells_excel_would_read_as_formulas_are_made_safe(tmp_path):
    frame = pd.DataFrame({"a": ["=1+1", "+84", "-x", "@SUM(A1)", "bình thường"], "b": [1, 2, 3, 4, 5]})
    safe = safe_for_excel(frame)
    assert list(safe["a"]) == ["'=1+1", "'+84", "'-x", "'@SUM(A1)", "bình thường"]
    assert list(safe["b"]) == [1, 2, 3, 4, 5]
