"""`iso18091lab run --all`: the national synthesis and the evidence packs (Word and Excel), checked cell by cell
against the typed result tables the notebooks wrote: codes as text, numbers as numbers, counts as integers,
p-values as '< 0,001', A4, Times New Roman, the margins of Nghị định 30/2020/NĐ-CP, and the answer first."""
from __future__ import annotations

import json
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm

from iso18091lab.catalog import load_catalog
from iso18091lab.render.answer import answer
from iso18091lab.render.excel_pack import sheet_names
from iso18091lab.render.pack_content import (action_list, indicator_names, load_result_tables, pack_names,
                                             with_indicator_names)
from iso18091lab.render.page_layout import said_once
from iso18091lab.render.word_document import FONT
from iso18091lab.i18n import number, readable
from iso18091lab.storage import safe_for_excel, write_csv
from iso18091lab.render.notebook import display_frame
from iso18091lab.run.request import NATIONAL_SLUG
from iso18091lab.run.runner import run
from iso18091lab.summaries.base import Estimate, load_summary


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
    pooled = load_summary(reports / NATIONAL_SLUG, "40_national").pooled
    assert pooled.n == 2 and pooled.ci_low < pooled.estimate
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
    for section in doc.sections:  # A4, portrait or (a wide table's page) landscape
        sides = sorted([section.page_width, section.page_height])
        assert abs(sides[0] - Mm(210)) < Mm(0.5) and abs(sides[1] - Mm(297)) < Mm(0.5)
        assert (section.page_width > section.page_height) == (section.orientation == WD_ORIENT.LANDSCAPE)
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
    body = "\n".join(p.text for p in doc.paragraphs)
    for info, table in zip(numbered, doc.tables):
        shown, notes = said_once(tables[info["csv"]].head(15))
        for header, text in notes:  # a text repeated down a column is said once, under the table
            original = header.split(") ", 1)[-1]
            assert original in tables[info["csv"]].columns and text[5:40] in body
            assert (tables[info["csv"]].head(15)[original].astype(str).isin([text])).any()
        expected = display_frame(shown, "vi")
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
    names = sheet_names(results)
    assert [names[i["csv"]] for e in results.values() for i in e["tables"] if i["number"] is not None][:3] == [
        "Bảng 1", "Bảng 2", "Bảng 3"]  # numbered as in the Word document
    listed = [(r[0].value, r[1].value) for r in book["Thông tin"].iter_rows(min_row=3)]
    assert all((name, None) != (name, caption) for name, caption in listed if name in names.values())
    assert set(names.values()) <= {name for name, _ in listed}
    for csv, name in names.items():
        sheet = book[name]
        frame = readable(tables[csv], "vi")  # what people read: headers and text cells in Vietnamese
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
                    assert cell.data_type == "s" and cell.value == ("∞" if value > 0 else "-∞"), (name, i, j)
                else:
                    assert cell.data_type == "n" and cell.value == pytest.approx(float(value)), (name, i, j)
                    checked_numbers += 1
    assert checked_text > 100 and checked_numbers > 100
    sheet = book[names["tables/effectiveness.csv"]]
    header = [c.value for c in sheet[2]]
    # the table saved for re-analysis keeps its machine names under tables/; the workbook shows them translated
    assert pd.read_csv(folder / "tables/effectiveness.csv", nrows=0).columns.tolist() == [
        "outcome", "level", "rater", "estimate", "ci_low", "ci_high", "p_value", "q_value", "method", "n_pilot",
        "n_comparison"]
    assert header == ["Kết quả", "Cấp", "Bên chấm", "Ước lượng", "Cận dưới", "Cận trên", "p", "q", "Phương pháp",
                      "Số đơn vị thí điểm", "Số đơn vị đối chứng"]
    levels = {c.value for c in next(sheet.iter_cols(min_col=2, max_col=2, min_row=3))}
    assert levels <= {"Điểm tổng hợp", "trụ cột", "chỉ số", "phụ", "chỉ số bên ngoài"} and "trụ cột" in levels
    row = [c for c in sheet[3]]
    assert isinstance(row[header.index("Số đơn vị thí điểm")].value, int)
    assert "< 0,001" in row[header.index("p")].number_format
    assert row[header.index("Ước lượng")].number_format.endswith("#,##0.00")
    agreement = book[sheet_names(results)[next(k for k in results["20_reliability"]["tables"]
                                               if "indicator-review" in k["csv"])["csv"]]]
    codes = [r[0].value for r in agreement.iter_rows(min_row=3)]
    assert "1.10" in codes and all(isinstance(c, str) for c in codes)


def test_a_national_report_whose_provinces_cannot_answer_gives_no_number(tmp_path):
    """No two provinces could be pooled because the provinces' own designs cannot answer: the first page, the
    roll-out advice and the index say so, name the provinces left out and why, and print no pooled number."""
    from iso18091lab.i18n import t
    from iso18091lab.run.index_page import headline
    from iso18091lab.stats.verdict import national_effect_verdict
    from iso18091lab.summaries.national import LeftOut, NationalSummary

    verdict = national_effect_verdict(n_pooled=1, n_cannot_answer=1, n_provinces=2)
    left = [LeftOut("Quảng Ninh", "unbounded")]
    by_province = pd.DataFrame([{"province": "Hải Phòng", "estimate": 4.8, "se": 1.2},
                                {"province": "Quảng Ninh", "estimate": 6.1, "se": float("inf")}])
    national = NationalSummary("Toàn quốc", True, by_province=by_province, left_out=left, verdict=verdict)
    results = {"40_national": {}}  # the report ran; everything the answer says comes from its summary
    said = answer(results, {}, "vi", effect=national)
    assert said["effect"][0] == t("ev_national_design_too_small", "vi", n=1, k=2)
    assert said["effect"][0].startswith("Chưa trả lời được với thiết kế này")
    assert said["effect"][1].startswith("Không đưa vào phần gộp: Quảng Ninh (thiết kế của tỉnh không trả lời được")
    assert not any(x in " ".join(said["effect"]) for x in ("4,8", "6,1", "Gộp ", "Có."))
    assert said["rollout"][0] == t("ev_rollout_unclear", "vi")
    assert answer(results, {}, "en", effect=national)["effect"][0].startswith("This design cannot answer")
    folder = tmp_path / NATIONAL_SLUG
    national.save(folder)  # the index reads the saved summary
    assert headline(folder, "vi") == "Chưa rõ — chưa trả lời được với thiết kế này: chỉ 1 trong 2 tỉnh/thành phố có " \
                                     "thiết kế đủ để trả lời."
    # with a pooled effect, the provinces left out are still named beside it
    national.pooled = Estimate(5.0, 1.0, 9.0, float("nan"), 2, "meta_reml_hk", {"pi_low": 0.5, "pi_high": 9.5})
    national.verdict = national_effect_verdict(5.0, 1.0, 9.0, n_pooled=2, n_cannot_answer=1, n_provinces=3)
    said = answer(results, {}, "vi", effect=national)["effect"]
    assert said[0].startswith("Có. Gộp 2 tỉnh/thành phố") and any(s.startswith("Không đưa vào phần gộp: Quảng Ninh")
                                                                  for s in said)
    # a pooled rise whose whole interval lies below the effect that matters is "yes, but small", as for a province
    national.pooled = Estimate(1.5, 0.5, 2.5, float("nan"), 2, "meta_reml_hk", {"pi_low": 0.2, "pi_high": 2.8})
    national.verdict = national_effect_verdict(1.5, 0.5, 2.5, n_pooled=2, n_cannot_answer=1, n_provinces=3)
    assert national.verdict.reason == "improved_small"
    said = answer(results, {}, "vi", effect=national)
    assert said["effect"][0].startswith("Có, nhưng nhỏ. Gộp 2 tỉnh/thành phố") and "0,5 đến 2,5" in said["effect"][0]
    assert said["rollout"][0] == t("ev_rollout_small", "vi", min_effect="3")
    assert answer(results, {}, "en", effect=national)["effect"][0].startswith("Yes, but small. Pooling 2 provinces")
    national.save(folder)  # the index says "small" too, never a bare "Có" beside it
    assert headline(folder, "vi").startswith("Có, nhưng nhỏ (cả khoảng tin cậy dưới 3 điểm) — tổng hợp 2 tỉnh")
    national.pooled = Estimate(1.0, -0.5, 2.5, float("nan"), 2, "meta_reml_hk", {"pi_low": -1.0, "pi_high": 3.0})
    national.verdict = national_effect_verdict(1.0, -0.5, 2.5, n_pooled=2, n_cannot_answer=1, n_provinces=3)
    national.save(folder)  # no meaningful rise: not a bare "Không" beside a positive estimate
    assert national.verdict.reason == "below_min_effect"
    assert headline(folder, "en").startswith("No meaningful improvement (the whole interval below 3 points) — over 2")
    national.pooled = Estimate(1.5, 0.5, 2.5, float("nan"), 2, "meta_reml_hk", {"pi_low": 0.2, "pi_high": 2.8})
    national.verdict = national_effect_verdict(1.5, 0.5, 2.5, n_pooled=2, n_cannot_answer=1, n_provinces=3)
    # the indicators flagged everywhere come from the national summary itself (results.json is not read for them)
    national.flagged_everywhere = ["1.10"]
    trust = answer({}, {"1.10": "An ninh trật tự công cộng"}, "vi", effect=national)["trust"]
    assert len(trust) == 1 and "1.10 An ninh trật tự công cộng" in trust[0]


def test_the_index_gives_the_reason_when_the_effect_could_not_be_estimated(tmp_path):
    """A province whose report 30 ran but could not estimate the effect (no comparison bodies): its main result on
    the index says why, as the pack does, never the data size ("8 đơn vị") as if it were a result."""
    from iso18091lab.run.index_page import headline
    from iso18091lab.summaries.base import NotEstimated
    from iso18091lab.summaries.data_quality import DataQualitySummary
    from iso18091lab.summaries.effectiveness import EffectivenessSummary

    folder = tmp_path / "hai-phong"
    DataQualitySummary("Hải Phòng", True, n_bodies=8).save(folder)
    assert headline(folder, "vi") == "8 đơn vị"  # no effect report: the data size is all there is
    EffectivenessSummary("Hải Phòng", True, not_estimated=[NotEstimated("main", "no_comparison"),
                                                            NotEstimated("event", "no_pilot")]).save(folder)
    assert headline(folder, "vi") == ("Chưa rõ — chưa ước lượng được hiệu quả: dữ liệu không có đơn vị đối chứng "
                                      "(chỉ áp dụng ISO 9001), nên không so sánh được đơn vị thí điểm với đơn vị "
                                      "tương tự.")
    assert headline(folder, "en").startswith("Not clear — the effect could not be estimated: the data has no "
                                             "comparison bodies")


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
    from iso18091lab.intake.pipeline import ingest

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


def test_a_tall_figure_fits_on_one_page_and_small_text_prints_at_9_pt(tmp_path):
    import matplotlib.pyplot as plt

    from iso18091lab.render.page_layout import MARGINS_MM, PAGE_MM
    from iso18091lab.render.word_document import _add_figure

    doc = Document()
    for name, size, text_pt in (("tall", (4, 14), 10), ("wide", (10, 4), 10), ("small", (5, 3), 7)):
        fig = plt.figure(figsize=size)
        with plt.rc_context({"savefig.bbox": "standard"}):  # the whole canvas, whatever style ran before
            fig.savefig(tmp_path / f"{name}.png", dpi=150)
        plt.close(fig)
        _add_figure(doc, tmp_path / f"{name}.png", ("Hình 1. ", name), text_pt)
    tall, wide, small = doc.inline_shapes
    assert tall.height <= Mm(PAGE_MM[1] - MARGINS_MM["top"] - MARGINS_MM["bottom"]) and tall.width < Mm(160)
    # 10 in = 254 mm wide with 10 pt text: 163 mm on a portrait page would print it at 6.4 pt, so it gets a
    # landscape page, 254 x 9 / 10 = 228.6 mm wide (9 pt)
    assert wide.width.mm == pytest.approx(228.6, abs=0.5)
    assert doc.sections[-2].orientation == WD_ORIENT.LANDSCAPE or doc.sections[-1].orientation == WD_ORIENT.LANDSCAPE
    # 5 in wide with 7 pt text: 9/7 larger would be 163.3 mm, the text width is 163 mm (8.98 pt): portrait
    assert small.width.mm == pytest.approx(163, abs=0.5)
    # the caption is kept with the picture above it
    pictures = [p for p in doc.paragraphs if p._p.xpath(".//pic:pic")]
    assert all(p.paragraph_format.keep_with_next for p in pictures)


# -- the Word pack laid out for A4, checked in its XML and once rendered by LibreOffice ---------------------------
def _twips_mm(value) -> float:
    return int(value) / 1440 * 25.4


def test_word_tables_fit_the_page_numbers_right_header_repeated(everything):
    from iso18091lab.render.page_layout import MARGINS_MM

    _, reports = everything
    doc = Document(reports / "hai-phong" / pack_names("hai-phong")[0])
    body = doc.element.body
    checked_right = checked_left = 0
    for k, table in enumerate(doc.tables):
        # the section a table is in: the first section break after it
        following = table._tbl.getnext()
        while following is not None and not following.xpath(".//w:sectPr") and following.tag != qn("w:sectPr"):
            following = following.getnext()
        sect = (following.xpath(".//w:sectPr")[0] if following is not None and following.tag != qn("w:sectPr")
                else body.find(qn("w:sectPr")))
        page_w = _twips_mm(sect.find(qn("w:pgSz")).get(qn("w:w")))
        text_w = page_w - MARGINS_MM["left"] - MARGINS_MM["right"]
        grid = [_twips_mm(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert sum(grid) <= text_w + 0.5, (table.rows[0].cells[0].text, sum(grid), text_w)
        assert len(set(round(w) for w in grid)) > 1 or len(grid) <= 2  # widths from content, not all equal
        assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        if k == len(doc.tables) - 1:  # the provenance table: two columns, no header
            continue
        first = table.rows[0]._tr.trPr
        assert first is not None and first.find(qn("w:tblHeader")) is not None  # header repeated on each page
        header = [c.text for c in table.rows[0].cells]
        for name, right in (("Ước lượng", True), ("Cận dưới", True), ("Đơn vị", False), ("Chỉ số", False)):
            if name in header and len(table.rows) > 1:
                cell = table.rows[1].cells[header.index(name)].paragraphs[0]
                is_right = cell.alignment is not None and cell.alignment == 2  # WD_ALIGN_PARAGRAPH.RIGHT
                assert is_right == right, (name, header)
                checked_right += right
                checked_left += not right
        # no long text repeated down a column (a method said once, under the table)
        for j in range(len(header)):
            cells = [row.cells[j].text for row in table.rows[1:]]
            assert not (len(cells) > 1 and len(set(cells)) == 1 and len(cells[0]) > 30), (header[j], cells[0])
        # the caption above the table is kept with it
        before = table._tbl.getprevious()
        if before is not None and before.tag == qn("w:p") and "".join(before.itertext()).startswith("Bảng "):
            assert before.pPr is not None and before.pPr.keepNext_val
    assert checked_right > 5 and checked_left > 5


@pytest.mark.parametrize("slug", ["hai-phong", NATIONAL_SLUG])
def test_word_styles_say_vietnamese(everything, slug):
    import zipfile

    _, reports = everything
    with zipfile.ZipFile(reports / slug / pack_names(slug)[0]) as docx:
        styles = docx.read("word/styles.xml").decode("utf-8")
        document = docx.read("word/document.xml").decode("utf-8")
    assert "en-US" not in styles and "en-US" not in document
    from lxml import etree

    root = etree.fromstring(styles.encode("utf-8"))
    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
    for style in root.findall("w:style", ns):
        langs = style.findall("w:rPr/w:lang", ns)
        assert langs and all(e.get(qn("w:val")) == "vi-VN" for e in langs), style.get(qn("w:styleId"))
    assert root.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", ns).get(qn("w:val")) == "vi-VN"


def test_nothing_in_english_in_what_a_vietnamese_reader_opens(everything, small_processed):
    from english import english_in_outputs, raw_words

    _, reports = everything
    found = english_in_outputs(reports, raw_words(small_processed / "raw"))
    assert not found, found


#: A hyphen-minus starting a number ("-2,5", "(-0,3"): not inside a word, a date or a range such as 2022-2024.
HYPHEN_NUMBER = re.compile(r"(?<![\w.,/:\-–−])-\d")


def test_every_negative_number_a_reader_sees_has_the_minus_sign(everything):
    """One minus sign (U+2212, i18n.number) in every page, pack, workbook and figure of a small run; the
    hand-worked formatter agrees (the packs and the figures' ticks wrote "-", the text "−")."""
    from english import reader_texts

    from iso18091lab.i18n import t

    assert number(-2.345, "vi", 2) == "\u22122,35" and number(-1234.5, "en") == "\u22121,234.5"
    assert number(-0.04, "vi", 1) == "0,0" and number(float("-inf")) == "\u2212∞"
    assert "(\u22120,00123)" in t("ne_nonpositive_change_variance", "vi", value=-0.00123)
    _, reports = everything
    texts = reader_texts(reports)
    assert any(p.endswith(".docx") for p in texts) and any(p.endswith(".html") for p in texts)
    shown = {where: [s for s in found if HYPHEN_NUMBER.search(str(s))] for where, found in texts.items()}
    assert not any(shown.values()), {k: v[:5] for k, v in shown.items() if v}
    assert any("\u2212" in str(s) for found in texts.values() for s in found)  # negative numbers are shown


def _soffice():
    import os
    import shutil

    found = shutil.which("soffice") or shutil.which("libreoffice")
    if (found is None or shutil.which("pdftotext") is None):
        if os.environ.get("CI"):
            pytest.fail("LibreOffice or poppler-utils missing: run scripts/install-test-tools.sh")
        pytest.skip("LibreOffice/poppler-utils not installed: run scripts/install-test-tools.sh")
    return found


def test_hai_phong_pack_renders_in_libreoffice_inside_the_page(everything, tmp_path):
    """One rendering (docx -> PDF) as a reviewer opens it: every word of every page inside the page's text area
    (a table wider than the page would run past the right margin), and no table or figure spread over more pages
    than its rows need (at most 16 rows a table: from one caption to the next at most 2 pages)."""
    import re
    import subprocess
    from xml.etree import ElementTree

    from iso18091lab.render.page_layout import MARGINS_MM

    soffice = _soffice()
    _, reports = everything
    docx = reports / "hai-phong" / pack_names("hai-phong")[0]
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(docx)], check=True, capture_output=True, timeout=300)
    pdf = tmp_path / (docx.stem + ".pdf")
    subprocess.run(["pdftotext", "-bbox", str(pdf), str(tmp_path / "words.html")], check=True, timeout=120)
    tree = ElementTree.parse(tmp_path / "words.html")
    ns = "{http://www.w3.org/1999/xhtml}"
    pages = tree.getroot().iter(f"{ns}page")
    pt_mm = 25.4 / 72
    texts, count = [], 0
    for page in pages:
        count += 1
        width = float(page.get("width")) * pt_mm
        words = list(page.iter(f"{ns}word"))
        for word in words:
            x_min, x_max = float(word.get("xMin")) * pt_mm, float(word.get("xMax")) * pt_mm
            assert x_min >= MARGINS_MM["left"] - 3 and x_max <= width - MARGINS_MM["right"] + 3, (
                count, word.text, x_min, x_max, width)
        texts.append(" ".join(w.text or "" for w in words))
    assert count >= 5
    # captions in page order: a table (<= 16 rows) never spans more than 2 pages up to the next caption
    caption_pages = [i for i, text in enumerate(texts) for _ in re.finditer(r"(?:Bảng|Hình) \d+\.", text)]
    assert len(caption_pages) >= 10
    gaps = [b - a for a, b in zip(caption_pages, caption_pages[1:])]
    assert max(gaps) <= 2, gaps


@pytest.mark.parametrize("slug", ["hai-phong", NATIONAL_SLUG])
def test_the_pack_says_each_thing_once(everything, slug):
    import re
    from collections import Counter

    _, reports = everything
    doc = Document(reports / slug / pack_names(slug)[0])
    sentences = Counter(p.text.strip() for p in doc.paragraphs if len(p.text.strip()) > 60)
    repeated = [s for s, k in sentences.items() if k > 1]
    assert not repeated, repeated
    text = "\n".join(p.text for p in doc.paragraphs)
    assert not re.search(r"\(mục \d+\)", text)  # the HTML pages' section numbers: the pack has its own
    assert "ISO 9001))" not in text  # a group name in brackets inside brackets


def test_the_index_speaks_plainly(everything):
    """The index a director reads: the verdict word, then the effect and its interval in words; the status in
    Vietnamese; the run's record linked as 'Nhật ký chạy'; the time in Vietnam's time (the manifest's UTC + 7 h)."""
    import re
    from datetime import datetime, timedelta
    from html import unescape

    _, reports = everything
    index = unescape((reports / "index.html").read_text(encoding="utf-8"))
    assert "manifest</a>" not in index and ">Nhật ký chạy</a>" in index and "✔ ok" not in index
    assert "k = " not in index
    for slug in ("hai-phong", NATIONAL_SLUG):
        record = (load_summary(reports / slug, "40_national").pooled if slug == NATIONAL_SLUG
                  else load_summary(reports / slug, "30_effectiveness").primary)
        if not np.isfinite(record.ci_low):  # randomization inference on few bodies: no bound
            assert "khoảng tin cậy 95% không có giới hạn" in index
            continue
        low = f"{abs(record.ci_low):.1f}".replace(".", ",")
        assert re.search(rf"(Có|Không|Chưa rõ) — .*điểm của đơn vị thí điểm (cao|thấp) hơn đơn vị đối chứng "
                         rf"[\d,]+ điểm .*khoảng tin cậy 95%: từ [-−]?{re.escape(low)} đến", index), slug
        finished = json.loads((reports / slug / "manifest.json").read_text(encoding="utf-8"))["finished"]
        local = datetime.fromisoformat(finished) + timedelta(hours=7)
        assert local.strftime("%H:%M ngày %d/%m/%Y") in index


def test_the_department_can_add_the_head_of_an_administrative_document(everything, tmp_path):
    """Nghị định 30/2020/NĐ-CP, Appendix I: issuing body and document number top left, national name and motto
    top right — only when the Department asks for them (iso18091lab run --issuer --doc-number --motto)."""
    import shutil

    from iso18091lab.render.packs import write_evidence_pack

    _, reports = everything
    folder = tmp_path / "hai-phong"
    shutil.copytree(reports / "hai-phong", folder)
    docx, _ = write_evidence_pack(folder, "Hải Phòng", {"input_hash": "x"}, "vi",
                                  document={"issuer": "Sở Khoa học và Công nghệ Hải Phòng",
                                            "number": "123/BC-SKHCN", "motto": True})
    head = Document(docx).tables[0]
    left, right = [c.text.split("\n") for c in head.rows[0].cells]
    assert left == ["SỞ KHOA HỌC VÀ CÔNG NGHỆ HẢI PHÒNG", "Số: 123/BC-SKHCN"]
    assert right == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert head.rows[0].cells[1].paragraphs[1].runs[0].underline
    plain = Document(reports / "hai-phong" / pack_names("hai-phong")[0])
    assert "CỘNG HÒA" not in "\n".join(c.text for t in plain.tables for r in t.rows for c in r.cells)


