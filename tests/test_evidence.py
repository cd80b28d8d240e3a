"""`iso18091lab run --all`: the national synthesis and the evidence packs (Word and Excel), checked cell by cell
against the typed result tables the notebooks wrote: codes as text, numbers as numbers, counts as integers,
p-values as '< 0,001', A4, Times New Roman, the margins of Nghị định 30/2020/NĐ-CP, and the answer first."""
from __future__ import annotations

import json

import numpy as np
import openpyxl
import pandas as pd
import pytest
from docx import Document
from docx.shared import Mm

from iso18091lab.catalog import load_catalog
from iso18091lab.evidence import (FONT, action_list, answer, indicator_names, load_result_tables, pack_names,
                                  sheet_names, with_indicator_names)
from iso18091lab.excel import safe_for_excel, write_csv
from iso18091lab.report import display_frame
from iso18091lab.runner import NATIONAL_SLUG, run


@pytest.fixture(scope="module")
def everything(small_processed, tmp_path_factory):
    reports = tmp_path_factory.mktemp("all_reports")
    runs = run(all_provinces=True, raw=small_processed / "raw", processed=small_processed / "processed",
               reports=reports, progress=False)
    return runs, reports


def _typed_tables(folder):
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    names = indicator_names(load_catalog(), "vi")
    tables = {k: with_indicator_names(v, names, "vi") for k, v in load_result_tables(folder, results).items()}
    return results, tables, names


def test_all_runs_provinces_then_the_nation(everything):
    runs, reports = everything
    assert [r.slug for r in runs] == ["hai-phong", "quang-ninh", NATIONAL_SLUG]
    # a section the small fixture cannot support (e.g. pooling by body level) makes a report "partial", never failed
    assert all(r.status in ("ok", "partial") for r in runs), [(r.slug, r.evidence, [(n.notebook, n.error)
                                                                                   for n in r.notebooks]) for r in runs]
    assert all(note["reason"] for r in runs for n in r.notebooks for note in n.not_estimable)
    national = json.loads((reports / NATIONAL_SLUG / "results.json").read_text(encoding="utf-8"))["40_national"]
    values = national["values"]
    assert values["pooled"]["k"] == 2 and values["pooled"]["ci_low"] < values["pooled"]["estimate"]
    index = (reports / "index.html").read_text(encoding="utf-8")
    for slug in ("hai-phong", "quang-ninh", NATIONAL_SLUG):
        docx_name, xlsx_name = pack_names(slug)
        assert f"{slug}/{docx_name}" in index and f"{slug}/{xlsx_name}" in index


def test_tables_are_saved_typed(everything):
    _, reports = everything
    results, tables, _ = _typed_tables(reports / "hai-phong")
    agreement = next(v for k, v in tables.items() if "indicator-review" in k)
    codes = agreement["Chỉ số"].tolist()
    assert "1.10" in codes and "1.1" in codes and "1.2" in codes  # never 1,1 / 1,10 / 1,20
    assert pd.api.types.is_string_dtype(agreement["Chỉ số"])
    assert pd.api.types.is_float_dtype(agreement["ICC(C,1) tự đánh giá – hội đồng"])
    # the indicator's name beside its code
    assert list(agreement.columns[:2]) == ["Chỉ số", "Tên chỉ số"]
    assert agreement.loc[agreement["Chỉ số"] == "1.10", "Tên chỉ số"].iloc[0] == "An ninh trật tự công cộng"


@pytest.mark.parametrize("slug", ["hai-phong", NATIONAL_SLUG])
def test_word_document_is_an_official_document(everything, slug):
    _, reports = everything
    doc = Document(reports / slug / pack_names(slug)[0])
    for section in doc.sections:
        assert abs(section.page_width - Mm(210)) < Mm(0.5) and abs(section.page_height - Mm(297)) < Mm(0.5)
        assert Mm(20) <= section.top_margin <= Mm(25) and Mm(20) <= section.bottom_margin <= Mm(25)
        assert Mm(30) <= section.left_margin <= Mm(35) and Mm(15) <= section.right_margin <= Mm(20)
    normal = doc.styles["Normal"]
    assert normal.font.name == FONT and 13 <= normal.font.size.pt <= 14
    for name in ("Heading 1", "Heading 2", "Title", "List Bullet"):
        assert doc.styles[name].font.name == FONT, name
    xml = doc.element.xml + doc.styles.element.xml
    assert "DejaVu" not in xml and "Calibri" not in doc.styles.element.xml.split("w:latentStyles")[0].replace(
        "asciiTheme", "")
    body_sizes = {run.font.size.pt for p in doc.paragraphs if p.style.name in ("Normal", "List Bullet")
                  for run in p.runs if run.font.size is not None}
    assert body_sizes <= {13.0, 14.0}
    # numbered headings; the answer comes first, then recommendations, and methods/caveats/provenance later
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading 1")]
    assert headings[0] == "1. Kết luận chính" and headings[1].startswith("2. Khuyến nghị")
    assert [h.split(" ", 1)[1] for h in headings[-4:]] == ["Phương pháp", "Những điều cần lưu ý", "Thuật ngữ",
                                                         "Nguồn gốc số liệu"]
    assert all(h.split(" ", 1)[0] == f"{i}." for i, h in enumerate(headings, start=1))
    text = [p.text for p in doc.paragraphs]
    assert text[0].startswith("DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA")
    first_page = "\n".join(text[:text.index(next(p for p in text if p.startswith("2. Khuyến nghị")))])
    # can the indicators be trusted: leniency with its CI (province) or the indicators flagged everywhere (nation)
    assert ("KTC 95%" in first_page and "cao hơn hội đồng" in first_page) or "cần xem lại" in first_page
    assert "không chứng minh" in first_page  # the caveat sits next to the claim
    captions = [p.text for p in doc.paragraphs if p.text.startswith(("Bảng ", "Hình "))]
    tables = [c for c in captions if c.startswith("Bảng ")]
    assert [c.split(".")[0] for c in tables] == [f"Bảng {i}" for i in range(1, len(tables) + 1)]


def test_word_tables_match_the_result_tables_cell_by_cell(everything):
    _, reports = everything
    folder = reports / "hai-phong"
    results, tables, names = _typed_tables(folder)
    doc = Document(folder / pack_names("hai-phong")[0])
    numbered = [info for entry in results.values() for info in entry["tables"] if info["number"] is not None]
    assert len(doc.tables) == len(numbered) + 1  # + the provenance table
    for info, table in zip(numbered, doc.tables):
        expected = display_frame(tables[info["csv"]].head(15), "vi")
        assert [c.text for c in table.rows[0].cells] == [str(c) for c in expected.columns], info["csv"]
        for row, (_, values) in zip(table.rows[1:], expected.iterrows()):
            assert [c.text for c in row.cells] == [str(v) for v in values], info["csv"]
    codes = [row.cells[0].text for table in doc.tables if table.rows[0].cells[0].text == "Chỉ số"
             for row in table.rows[1:]]
    catalog = set(load_catalog()["indicator"])
    assert len(codes) > 20 and set(codes) <= catalog and not any("," in c for c in codes)
    years = [row.cells[2].text for row in doc.tables[0].rows[1:]]
    assert all(y.isdigit() and len(y) == 4 for y in years), years  # 2022, never "2.022"
    # counts print as whole numbers, p-values never as 0,00
    main = doc.tables[[i for i, info in enumerate(numbered) if "tab01_main" in info["csv"]][0]]
    header = [c.text for c in main.rows[0].cells]
    n_pilot = [r.cells[header.index("Số đơn vị thí điểm")].text for r in main.rows[1:]]
    assert all(v.isdigit() for v in n_pilot), n_pilot
    p_values = [r.cells[header.index("p")].text for r in main.rows[1:]]
    assert "0,00" not in p_values and all(v.startswith("< 0,001") or "," in v or v == "–" for v in p_values)
    # the action list names every red indicator
    actions = action_list(load_result_tables(folder, results), results, names, "vi")
    assert len(actions) and (actions["Tên chỉ số"] != "").all()
    action_text = "\n".join(p.text for p in doc.paragraphs)
    first = actions.iloc[0]
    assert f"{first['Mã chỉ số']} {first['Tên chỉ số']}" in action_text


def test_excel_workbook_cell_by_cell(everything):
    _, reports = everything
    folder = reports / "hai-phong"
    results, tables, _ = _typed_tables(folder)
    book = openpyxl.load_workbook(folder / pack_names("hai-phong")[1])
    n_tables = sum(len(entry["tables"]) for entry in results.values())
    assert book.sheetnames[:2] == ["Thông tin", "Việc cần làm"] and len(book.sheetnames) == n_tables + 2
    assert "SYNTHETIC DATA" in book["Thông tin"]["A1"].value
    checked_text = checked_numbers = 0
    for csv, name in sheet_names(results).items():
        sheet = book[name]
        frame = tables[csv]
        assert sheet.freeze_panes == "A3" and sheet["A2"].font.bold
        assert [c.value for c in sheet[2]][:len(frame.columns)] == [str(c) for c in frame.columns]
        assert sheet.max_row - 2 == len(frame)
        for i, row in enumerate(sheet.iter_rows(min_row=3, max_col=len(frame.columns))):
            for j, cell in enumerate(row):
                value = frame.iat[i, j]
                if value is None or value == "" or (not isinstance(value, str) and pd.isna(value)):
                    assert cell.value is None
                elif isinstance(value, (bool, np.bool_)):
                    assert cell.data_type == "b" and cell.value == bool(value)
                elif isinstance(value, str):
                    assert cell.data_type == "s" and cell.value == safe_for_excel(pd.DataFrame({"v": [value]}))["v"][0]
                    checked_text += 1
                elif not np.isfinite(float(value)):  # an unbounded CI (randomization inference on few bodies)
                    assert cell.data_type == "s" and cell.value == ("inf" if value > 0 else "-inf"), (name, i, j)
                else:
                    assert cell.data_type == "n" and cell.value == pytest.approx(float(value)), (name, i, j)
                    checked_numbers += 1
    assert checked_text > 100 and checked_numbers > 100
    sheet = book["effectiveness"]
    header = [c.value for c in sheet[2]]
    assert header == ["outcome", "level", "rater", "estimate", "ci_low", "ci_high", "p_value", "q_value", "method",
                      "n_pilot", "n_comparison"]
    row = [c for c in sheet[3]]
    assert isinstance(row[header.index("n_pilot")].value, int)
    assert "< 0,001" in row[header.index("p_value")].number_format
    assert row[header.index("estimate")].number_format.endswith("#,##0.00")
    agreement = book[sheet_names(results)[next(k for k in results["20_reliability"]["tables"]
                                               if "indicator-review" in k["csv"])["csv"]]]
    codes = [r[0].value for r in agreement.iter_rows(min_row=3)]
    assert "1.10" in codes and all(isinstance(c, str) for c in codes)


def test_the_answer_says_why_when_nothing_was_estimated():
    results = {"30_effectiveness": {"not_estimable": [{"section": "", "reason": "dữ liệu không có đơn vị đối chứng"}],
                                    "values": {}},
               "20_reliability": {"values": {"inflation": {"estimate": 5.0, "ci_low": 3.0, "ci_high": 7.0,
                                                           "n_bodies": 16}, "flagged": ["1.10"]}}}
    found = answer(results, {"1.10": "An ninh trật tự công cộng"}, "vi")
    assert found["effect"] == ["Chưa ước lượng được hiệu quả: không ước lượng được, vì dữ liệu không có đơn vị đối "
                               "chứng."]
    assert "1.10 An ninh trật tự công cộng" in found["trust"][1]
    assert any("hội đồng" in s for s in found["rollout"])
    missing = answer({}, {}, "vi")
    assert "không chạy được" in missing["effect"][0] and "không chạy được" in missing["trust"][0]


def test_the_answer_never_calls_unshown_consistency_consistent_and_gives_the_bodies_needed_as_a_range():
    from iso18091lab.stats.verdict import Verdict

    unsure = Verdict("unclear", "consistency_uncertain", {
        "n": 39, "n_yes": 0, "n_no": 0, "n_unclear": 39, "flagged": [], "unclear": ["1.1"], "needed_low": 35,
        "needed_high": 35, "n_unmeasurable": 0, "subjects_now": 6, "n_bodies": 6})
    results = {"20_reliability": {"values": {"inflation": {"estimate": 4.0, "ci_low": 1.0, "ci_high": 7.0,
                                                           "n_bodies": 6}, "flagged": [],
                                             "trust_verdict": unsure.to_dict()}}}
    trust = answer(results, {}, "vi")["trust"]
    assert not any("Bộ chỉ số chấm được nhất quán" in s or "Không chỉ số nào bị đánh dấu" in s for s in trust)
    assert any(s.startswith("Chưa đủ dữ liệu để nói") for s in trust) and any("35 cặp điểm" in s for s in trust)
    shown = Verdict("yes", "consistency_shown", {**unsure.values, "n_yes": 39, "n_unclear": 0})
    results["20_reliability"]["values"]["trust_verdict"] = shown.to_dict()
    assert any(s.startswith("Bộ chỉ số chấm được nhất quán") for s in answer(results, {}, "vi")["trust"])
    del results["20_reliability"]["values"]["trust_verdict"]  # an older results.json: no claim either way
    assert not any("nhất quán:" in s for s in answer(results, {}, "vi")["trust"])
    # national: the bodies needed span the assumed heterogeneity, never the optimistic end alone
    sensitivity = [{"tau": tau, "bodies_3": n} for tau, n in ((0.0, 18), (1.0, 40), (3.0, 339))]
    national = {"40_national": {"values": {"bodies_needed": [{"effect": 3.0, "bodies_2y": 18}],
                                           "power_sensitivity": sensitivity,
                                           "power_inputs": {"tau2_estimated": False, "bodies_per_province": 30}}}}
    rollout = " ".join(answer(national, {}, "vi")["rollout"])
    assert "từ 18 đơn vị" in rollout and "đến 339 đơn vị" in rollout and "giả định" in rollout
    assert "khoảng 18 đơn vị" not in rollout
    national["40_national"]["values"]["power_inputs"].update(tau2_estimated=True, design_effect=1.6)
    national["40_national"]["values"]["pooled"] = {"k": 6, "estimate": 2.0, "ci_low": -1.0, "ci_high": 5.0}
    rollout = answer(national, {}, "en")["rollout"]
    assert any("from 18 bodies" in s and "to 339 bodies" in s for s in rollout)
    assert any("estimated from 6 provinces" in s and "about 18 bodies" in s for s in rollout)


def test_cells_excel_would_read_as_formulas_are_made_safe(tmp_path):
    frame = pd.DataFrame({"a": ["=1+1", "+84", "-x", "@SUM(A1)", "bình thường"], "b": [1, -2, 3, 4, 5],
                          "c": [-1.5, 2.0, -3.25, 0.0, 1.0]})
    safe = safe_for_excel(frame)
    assert list(safe["a"]) == ["'=1+1", "'+84", "'-x", "'@SUM(A1)", "bình thường"]
    assert list(safe["b"]) == [1, -2, 3, 4, 5] and list(safe["c"]) == [-1.5, 2.0, -3.25, 0.0, 1.0]
    write_csv(frame, tmp_path / "t.csv")
    back = pd.read_csv(tmp_path / "t.csv", encoding="utf-8-sig")
    assert list(back["a"]) == ["'=1+1", "'+84", "'-x", "'@SUM(A1)", "bình thường"]
    assert list(back["b"]) == [1, -2, 3, 4, 5]  # negative numbers stay numbers


def test_quarantine_csv_is_formula_safe(tmp_path):
    from iso18091lab.ingest import ingest

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.csv").write_text("province,unit,year,rater,indicator,score\n"
                               "Hải Phòng,quận Hồng Bàng,2023,self,1.1,=1+1\n"
                               "Hải Phòng,quận Hồng Bàng,2023,self,1.2,-3\n", encoding="utf-8")
    ingest(raw, tmp_path / "p")
    quarantine = pd.read_csv(tmp_path / "p" / "quarantine.csv", dtype=str, keep_default_na=False,
                             encoding="utf-8-sig")
    assert len(quarantine) == 2
    values = set(quarantine["value"])
    assert "'=1+1" in values and "=1+1" not in values and "-3" not in values and "'-3" in values


def test_a_tall_figure_fits_on_one_page_a_wide_one_is_160_mm(tmp_path):
    import matplotlib.pyplot as plt

    from iso18091lab.evidence import MARGINS_MM, PAGE_MM, _add_figure

    doc = Document()
    for name, size in (("tall", (4, 14)), ("wide", (10, 4))):
        fig = plt.figure(figsize=size)
        fig.savefig(tmp_path / f"{name}.png", dpi=50)
        plt.close(fig)
        _add_figure(doc, tmp_path / f"{name}.png")
    tall, wide = doc.inline_shapes
    assert tall.height <= Mm(PAGE_MM[1] - MARGINS_MM["top"] - MARGINS_MM["bottom"]) and tall.width < Mm(160)
    assert wide.width == Mm(160)
