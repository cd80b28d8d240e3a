"""Ingest end to end on the mixed-mess workbook: every cleaning rule, reconciliation, nothing lost."""
from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import iso18091lab as lab
from iso18091lab.i18n import quarantine_reasons
from iso18091lab.intake.pipeline import IngestError, ingest
from iso18091lab.intake.schema import PROCESSED_FILES


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def messy_result(messy_raw, tmp_path):
    raw, expected = messy_raw
    before = _digest(raw)
    result = lab.ingest(raw, tmp_path / "processed")
    assert _digest(raw) == before, "raw files must never be modified"
    return result, expected, tmp_path / "processed"


def test_every_planted_problem_is_quarantined_with_its_rule(messy_result):
    result, expected, _ = messy_result
    scoring = result.quarantine[(result.quarantine["sheet"] == "Chấm điểm")]
    got = scoring.groupby("row")["rule"].apply(set).to_dict()
    want = {row: {rule} for row, rule in expected.items() if rule not in (None, "duplicate")}
    assert got == want


def test_quarantine_names_file_sheet_row_column_value_and_reason(messy_result):
    result, expected, _ = messy_result
    q = quarantine_reasons(result.quarantine).set_index("rule")
    out_of_range = q.loc["score_out_of_range"]
    assert out_of_range["file"] == "tong hop.xlsx"
    assert out_of_range["sheet"] == "Chấm điểm"
    assert out_of_range["column"] == "Điểm"
    assert out_of_range["value"] == "11"
    assert "0–10" in out_of_range["reason_vi"] and "0-10" in out_of_range["reason_en"]
    unknown = q.loc["unknown_unit"]
    assert unknown["value"] == "quận Hồng Bàg"
    assert "did you mean 'quận Hồng Bàng'" in unknown["reason_en"]
    assert "có phải 'quận Hồng Bàng'" in unknown["reason_vi"]
    ambiguous = q.loc["ambiguous_unit"]
    assert "huyện Ba Chẽ" in ambiguous["reason_en"] and "thị trấn Ba Chẽ" in ambiguous["reason_en"]
    conflicts = q.loc[["conflicting_duplicate"]]
    rows = sorted(conflicts["row"])
    assert len(rows) == 2 and str(rows[1]) in conflicts.iloc[0]["reason_en"]


def test_clean_values_from_messy_cells(messy_result):
    result, _, _ = messy_result
    a = result.assessments.set_index(["unit", "rater", "indicator"])
    assert a.loc[("quận Hồng Bàng", "self", "1.1"), "score"] == 7.5          # "7,5"
    assert a.loc[("quận Hồng Bàng", "council", "1.1"), "score"] == 6        # NFD text, "Q." prefix
    yellow = a.loc[("quận Hồng Bàng", "council", "1.2")]                     # "Hong Bang", letter V
    assert yellow["rating"] == "yellow" and pd.isna(yellow["score"]) and yellow["score_100"] == 55
    assert yellow["score_source"] == "rating"
    assert a.loc[("phường Hoàng Văn Thụ", "self", "1.10"), "score"] == 8     # "1.10" stays 1.10, " 8 "
    assert a.loc[("phường Hoàng Văn Thụ", "self", "1.10"), "pillar"] == 1
    assert a.loc[("phường Hoàng Văn Thụ", "self", "2.1"), "rating"] == "red"  # "Đ"
    grey = a.loc[("phường Hoàng Văn Thụ", "council", "3.2")]
    assert bool(grey["not_assessed"]) and pd.isna(grey["rating"]) and pd.isna(grey["score_100"])
    by_code = a.loc[("phường Hồng Gai", "council", "4.1")]
    assert by_code["unit_code"] == "06658" and by_code["province"] == "Quảng Ninh"
    assert a.loc[("thị trấn Ba Chẽ", "council", "4.1"), "level"] == "thị trấn"
    assert a.loc[("phường Bãi Cháy", "council", "4.2"), "rating"] == "green"
    assert set(result.assessments["province"]) == {"Hải Phòng", "Quảng Ninh"}
    assert (result.assessments["province"].str.normalize("NFC") == result.assessments["province"]).all()
    assert not result.assessments["synthetic"].any()


def test_units_codes_levels_and_groups(messy_result):
    result, _, _ = messy_result
    units = result.units.set_index("unit")
    assert units.loc["phường Hồng Gai", "code"] == "06658"
    assert units.loc["phường Bãi Cháy", "code"] == "06661"     # Excel number, padded to commune width
    assert units.loc["quận Lê Chân", "code"] == "305"
    assert units.loc["quận Lê Chân", "level"] == "quận" and units.loc["quận Lê Chân", "tier"] == "district"
    assert units.loc["quận Hồng Bàng", "group"] == "pilot" and units.loc["quận Hồng Bàng", "pilot_start"] == 2022
    assert units.loc["quận Lê Chân", "group"] == "comparison" and pd.isna(units.loc["quận Lê Chân", "pilot_start"])
    assert "xã Lạ" not in units.index
    bad = result.quarantine[result.quarantine["table"] == "units"]
    assert list(bad["rule"]) == ["bad_level"] and list(bad["value"]) == ["làng"]


def test_counts_reconcile_per_sheet_and_overall(messy_result):
    result, expected, _ = messy_result
    files = result.files
    ok = files[files["status"] == "ok"]
    assert (ok["rows_read"] == ok["accepted"] + ok["quarantined"] + ok["duplicates"]).all()
    scoring = files.set_index("sheet").loc["Chấm điểm"]
    assert scoring["rows_read"] == len(expected)
    assert scoring["duplicates"] == sum(rule == "duplicate" for rule in expected.values())
    assert scoring["accepted"] == sum(rule is None for rule in expected.values())
    assert scoring["empty_rows"] == 1
    assert scoring["header_row"] == "3"  # the merges fill row 3 with the headers of row 2
    assert files.set_index("sheet").loc["Hướng dẫn", "status"] == "skipped"
    s = result.summary
    assert s["rows_read"] == s["accepted"] + s["quarantined"] + s["duplicates"]
    assert s["accepted"] == len(result.assessments) + len(result.units) + len(result.outcomes)
    assert s["quarantined"] == result.quarantine[["file", "sheet", "row"]].drop_duplicates().shape[0]
    assert s["synthetic"] == "no"


def test_outputs_written_and_loadable_with_documented_dtypes(messy_result):
    result, _, processed = messy_result
    for name in PROCESSED_FILES:
        assert (processed / name).exists(), name
    assert not [p for p in processed.iterdir() if p.name.startswith(".")], "no temporary files left behind"
    data = lab.load(processed)
    a = data.assessments
    assert len(a) == len(result.assessments)
    assert a["indicator"].dtype == "string" and a["unit_code"].dtype == "string"
    assert a["year"].dtype == "Int64" and a["score_100"].dtype == "Float64"
    assert isinstance(a["rating"].dtype, pd.CategoricalDtype) and a["rating"].dtype.ordered
    assert list(a["rating"].cat.categories) == ["red", "yellow", "green"]
    # the files give no assessment date: the column is there, a date column, empty
    from iso18091lab.intake.schema import DATE_DTYPE

    assert a["assessed_on"].dtype == DATE_DTYPE and a["assessed_on"].isna().all()
    assert data.units["code"].dtype == "string"
    assert len(data.quarantine) == len(result.quarantine)
    assert data.catalog is not None and len(data.catalog) == 39
    assert data.synthetic is False


def test_an_unreadable_file_does_not_stop_the_others(messy_raw, tmp_path):
    raw, _ = messy_raw
    (raw / "hong.xlsx").write_bytes(b"this is not a workbook")
    (raw / "rong.csv").write_bytes(b"")
    result = lab.ingest(raw, None)
    files = result.files.set_index("file")
    assert files.loc["hong.xlsx", "status"] == "error"
    assert "not a valid .xlsx" in files.loc["hong.xlsx", "message_en"]
    assert files.loc["rong.csv", "status"] == "skipped"
    assert result.summary["files_failed"] == ["hong.xlsx"]
    assert len(result.assessments) > 0


def test_unit_names_accepted_as_written_without_units_table(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.csv").write_text("province,unit,year,rater,indicator,score\nHải Phòng,quận Hồng Bàng,2023,self,1.1,7\n",
                               encoding="utf-8")
    result = lab.ingest(raw, None)
    assert result.summary["units_table_empty"] is True
    assert result.assessments.loc[0, "unit"] == "quận Hồng Bàng" and pd.isna(result.assessments.loc[0, "group"])


def test_own_catalog_with_other_indicators_and_maximum(tmp_path):
    catalog = tmp_path / "catalog.csv"
    catalog.write_text("indicator,pillar,name_vi,max_score\n1.1,1,Một,5\n7.12,7,Khác,20\n", encoding="utf-8")
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.csv").write_text(
        "province;unit;year;rater;indicator;score\nX;A;2023;self;7.12;15,5\nX;A;2023;self;1.1;6\nX;A;2023;self;1.2;3\n",
        encoding="utf-8")
    result = lab.ingest(raw, None, catalog=catalog)
    row = result.assessments.set_index("indicator").loc["7.12"]
    assert row["pillar"] == 7 and row["score_100"] == pytest.approx(77.5)
    assert sorted(result.quarantine["rule"]) == ["score_out_of_range", "unknown_indicator"]


def test_no_input_files_is_a_clear_error(tmp_path):
    with pytest.raises(IngestError, match="no data files"):
        lab.ingest(tmp_path, None)
    with pytest.raises(IngestError, match="not found"):
        lab.ingest(tmp_path / "missing", None)
    with pytest.raises(IngestError) as vi:  # run --lang vi: the reader's language only
        lab.ingest(tmp_path, None, lang="vi")
    assert str(vi.value) == f"không có tệp dữ liệu (CSV, XLSX, XLS, ODS, TXT) trong {tmp_path}"


def test_skipped_names(tmp_path):
    from iso18091lab.intake.files import iter_raw_files

    for name in ["a.csv", "_truth/b.csv", ".hidden.csv", "~$lock.xlsx", "sub/c.xlsx", "notes.docx"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert [p.relative_to(tmp_path).as_posix() for p in iter_raw_files(tmp_path)] == ["a.csv", "sub/c.xlsx"]


def test_template_round_trip(tmp_path):
    from iso18091lab.render.forms import write_template

    path = write_template(tmp_path / "raw" / "phieu.xlsx", province="Hải Phòng", unit="quận Hồng Bàng", year=2024)
    book = openpyxl.load_workbook(path)
    sheet = book["Chấm điểm"]
    assert sheet.data_validations.dataValidation, "drop-down lists and ranges are set"
    filled = {}
    for r in range(4, 4 + 39):
        indicator = sheet.cell(r, 8).value
        sheet.cell(r, 6).value = "Tự đánh giá"
        if r % 3:
            sheet.cell(r, 10).value = (r % 10) + 0.5 if r % 10 < 10 else 10
            filled[indicator] = ("score", (r % 10) + 0.5)
        else:
            sheet.cell(r, 11).value = "Vàng"
            filled[indicator] = ("rating", "yellow")
    book.save(path)
    result = lab.ingest(tmp_path / "raw", None)
    assert result.quarantine.empty
    assert len(result.assessments) == 39
    got = result.assessments.set_index("indicator")
    for indicator, (kind, value) in filled.items():
        assert got.loc[indicator, kind] == value
    assert set(got["year"]) == {2024} and set(got["unit"]) == {"quận Hồng Bàng"}
    statuses = result.files.set_index("sheet")["status"].to_dict()
    assert statuses == {"Hướng dẫn": "skipped", "Chấm điểm": "ok", "Danh mục chỉ số": "skipped"}


def test_remaining_rules_for_units_outcomes_and_missing_values(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "units.csv").write_text(
        "Tỉnh;Đơn vị;Mã;Cấp;Nhóm;Năm bắt đầu thí điểm\n"
        "Hải Phòng;quận Hồng Bàng;303;quận;thí điểm;2022\n"
        "Hải Phòng;quận Lê Chân;303;quận;đối chứng;\n"          # same code as Hồng Bàng
        "Hải Phòng;xã Du Lễ;11944;xã;có lẽ;\n"                   # bad group
        "Hải Phòng;quận Kiến An;307;quận;đối chứng;khoảng 2020\n"  # bad pilot start year
        "Hải Phòng;quận Kiến An;307;quận;đối chứng;\n",
        encoding="utf-8")
    (raw / "scores.csv").write_text(
        "province,unit,year,round,rater,indicator,score\n"
        "Hải Phòng,Kiến An,,1,self,1.1,5\n"                     # missing year
        "Hải Phòng,Kiến An,2023,Đợt hai,self,1.1,5\n"           # bad round
        "Hải Phòng,Kiến An,2023,Đợt 2,self,1.1,5\n",            # accepted, round 2
        encoding="utf-8")
    (raw / "outcomes.csv").write_text(
        "province,unit,year,measure,value\n"
        "Hải Phòng,Kiến An,2023,satisfaction_pct,85.5 %\n"
        "Hải Phòng,Kiến An,2023,on_time_pct,nhiều\n"            # not a number
        "Hải Phòng,Kiến An,2023,,90\n",                          # missing measure
        encoding="utf-8")
    result = lab.ingest(raw, None)
    q = result.quarantine
    rules = {(r.file, r.row): r.rule for r in q.itertuples()}
    assert rules[("units.csv", 2)] == rules[("units.csv", 3)] == "duplicate_code"
    assert rules[("units.csv", 4)] == "bad_group" and rules[("units.csv", 5)] == "bad_year"
    assert rules[("scores.csv", 2)] == "missing_value" and rules[("scores.csv", 3)] == "bad_round"
    assert rules[("outcomes.csv", 3)] == "bad_value" and rules[("outcomes.csv", 4)] == "missing_value"
    assert result.assessments.loc[0, "round"] == 2
    assert list(result.units["unit"]) == ["quận Kiến An"]
    s = result.summary
    assert s["rows_read"] == s["accepted"] + s["quarantined"] + s["duplicates"] == 11


def test_rows_of_a_rejected_unit_say_why_the_unit_was_rejected(tmp_path):
    """A pilot without a start year and a group typed 'đối chiếu' are rejected from the units table; their score
    rows say so (and how to fix it), never 'not in the units table — did you mean …?'. A body that is in no
    row of the units table still gets 'not in the units table'."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "units.csv").write_text("province,unit,code,level,group,pilot_start\n"
                                   "Hải Phòng,xã Tân Thịnh,,xã,thí điểm,\n"
                                   "Hải Phòng,xã An Hòa,,xã,đối chiếu,\n"
                                   "Hải Phòng,quận Hồng Bàng,,quận,đối chứng,\n", encoding="utf-8")
    (raw / "a.csv").write_text("province,unit,year,rater,indicator,score\n"
                               + "".join(f"Hải Phòng,{u},2023,self,1.{k},5\n" for u in
                                         ("xã Tân Thịnh", "xã An Hòa", "quận Hồng Bàng", "xã Vô Danh")
                                         for k in (1, 2)), encoding="utf-8")
    ingest(raw, tmp_path / "p")
    quarantine = quarantine_reasons(pd.read_csv(tmp_path / "p" / "quarantine.csv", encoding="utf-8-sig", dtype=str))
    scores = quarantine[quarantine["file"] == "a.csv"].set_index("value")
    assert len(scores) == 6  # 2 rows each for the two rejected units and the unknown one; Hồng Bàng accepted
    for unit, why in (("xã Tân Thịnh", "chưa có năm bắt đầu thí điểm"), ("xã An Hòa", "nhóm không hợp lệ")):
        rows = scores.loc[[unit]]
        assert (rows["rule"] == "unit_rejected").all()
        assert rows["reason_vi"].str.contains(why).all() and not rows["reason_vi"].str.contains("có phải").any()
        assert not rows["reason_vi"].str.contains("không có trong danh sách").any()
    assert (scores.loc[["xã Vô Danh"], "rule"] == "unknown_unit").all()


def test_indicator_ids_recovered_from_the_row_order_are_listed(tmp_path):
    """A sheet typed in catalog order where Excel turned '1.10' into the number 1.1: the tenth row is read as
    1.10 (never dropped), and the recovery is listed (name_matches.csv, shown in the data-quality report)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["province", "unit", "year", "rater", "indicator", "score"])
    for k, number in enumerate([1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9, 1.1], start=1):
        sheet.append(["Hải Phòng", "quận Hồng Bàng", 2023, "self", number, k])
    book.save(raw / "a.xlsx")
    ingest(raw, tmp_path / "p")
    scores = pd.read_parquet(tmp_path / "p" / "assessments.parquet")
    assert scores.set_index("indicator").loc["1.10", "score"] == 10 and len(scores) == 10
    matches = pd.read_csv(tmp_path / "p" / "name_matches.csv", dtype=str, encoding="utf-8-sig")
    recovered = matches[matches["how"] == "indicator_order"]
    assert recovered[["typed", "matched", "rows"]].values.tolist() == [["1.1", "1.10", "1"]]
    assert (recovered["province"] == "Hải Phòng").all()


def test_assessment_date_is_kept_and_a_date_of_another_year_is_quarantined(tmp_path):
    """The date of each row is kept (``assessed_on``, a day); a date that is not in the row's year (typed 2024,
    dated 1 March 2025) is quarantined as ``date_year_mismatch``, naming file, sheet, row, column and value, its
    reason worded by the text table with the row's year."""
    from datetime import date, datetime

    from iso18091lab.i18n import TEXT
    from iso18091lab.intake.schema import DATE_DTYPE

    raw = tmp_path / "raw"
    raw.mkdir()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Chấm điểm"
    sheet.append(["Tỉnh", "Đơn vị", "Năm", "Đợt", "Loại đánh giá", "Chỉ số", "Điểm", "Ngày đánh giá"])
    sheet.append(["Hải Phòng", "quận Hồng Bàng", 2024, 1, "Tự đánh giá", "1.1", 5, "01/03/2025"])  # another year
    sheet.append(["Hải Phòng", "quận Hồng Bàng", 2024, 1, "Hội đồng", "1.1", 4, "15/10/2024"])
    sheet.append(["Hải Phòng", "quận Hồng Bàng", 2024, 2, "Hội đồng", "1.1", 6, datetime(2024, 12, 2)])  # a date cell
    sheet.append(["Hải Phòng", "quận Hồng Bàng", 2023, 1, "Hội đồng", "1.1", 3, datetime(2024, 1, 5)])  # another year
    sheet.append(["Hải Phòng", "quận Hồng Bàng", 2023, 2, "Hội đồng", "1.1", 3, None])  # no date
    book.save(raw / "diem.xlsx")
    (raw / "outcomes.csv").write_text("province,unit,year,date,measure,value\n"
                                      "Hải Phòng,quận Hồng Bàng,2024,30/06/2025,satisfaction_pct,80\n"
                                      "Hải Phòng,quận Hồng Bàng,2024,30/06/2024,on_time_pct,90\n", encoding="utf-8")
    result = lab.ingest(raw, tmp_path / "processed")
    q = quarantine_reasons(result.quarantine)  # quarantine.csv keeps the rule and its values; words at report time
    assert q["rule"].tolist() == ["date_year_mismatch"] * 3
    got = sorted(zip(q["file"], q["sheet"], q["row"], q["column"], q["cell"], q["value"]))
    assert got[0] == ("diem.xlsx", "Chấm điểm", 2, "Ngày đánh giá", "H2", "01/03/2025")
    assert got[1][:5] == ("diem.xlsx", "Chấm điểm", 5, "Ngày đánh giá", "H5") and got[1][5].startswith("2024-01-05")
    assert got[2][:3] == ("outcomes.csv", "", 2) and got[2][3:4] == ("date",) and got[2][5] == "30/06/2025"
    words = TEXT["rule.date_year_mismatch"]
    by_row = q.set_index(["file", "row"])
    assert by_row.loc[("diem.xlsx", 2), "reason_vi"] == words["vi"].format(hint="2024")
    assert by_row.loc[("diem.xlsx", 5), "reason_en"] == words["en"].format(hint="2023")
    # the accepted rows keep their date, a day; the undated row is empty
    a = lab.load(tmp_path / "processed").assessments
    assert a["assessed_on"].dtype == DATE_DTYPE
    kept = {(int(y), int(r)): d for y, r, d in zip(a["year"], a["round"], a["assessed_on"])}
    assert kept.keys() == {(2024, 1), (2024, 2), (2023, 2)}
    assert kept[(2024, 1)] == date(2024, 10, 15) and kept[(2024, 2)] == date(2024, 12, 2)
    assert pd.isna(kept[(2023, 2)])
    assert result.outcomes["measure"].tolist() == ["on_time_pct"]


def test_the_date_column_is_read_once_per_table(tmp_path, monkeypatch):
    """Each distinct cell of the date column is parsed once per table: the same days place the bodies on the map
    of their wave and are kept as ``assessed_on`` (an unreadable one is one ``bad_date`` problem per row)."""
    from iso18091lab.intake import admin_map

    parsed: list[str] = []
    wave_date = admin_map.wave_date

    def counting(value):
        if isinstance(value, str):
            parsed.append(value)
        return wave_date(value)

    monkeypatch.setattr(admin_map, "wave_date", counting)
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.csv").write_text("province,unit,year,rater,indicator,score,date\n"
                               + "".join(f"Hải Phòng,quận Hồng Bàng,2024,self,1.{k},5,{d}\n"
                                         for k in (1, 2, 3) for d in ("15/10/2024", "không rõ")), encoding="utf-8")
    result = lab.ingest(raw, tmp_path / "p")
    assert sorted(parsed) == ["15/10/2024", "không rõ"]
    assert result.quarantine["rule"].tolist() == ["bad_date"] * 3
    assert result.assessments["assessed_on"].astype(str).tolist() == ["2024-10-15"] * 3


def test_dates_as_categories_hash_as_pandas_hashes_the_arrow_dates():
    """The province hashes hash Arrow date columns as categoricals of the same dates: the row hashes must be the
    ones pandas gives the Arrow column itself (the reference), for a whole table and for any part of it."""
    import datetime

    import numpy as np
    import pyarrow as pa

    from iso18091lab.intake.store import _dates_as_categories

    days = [datetime.date(2024, 1, 1) + datetime.timedelta(days=i % 5) if i % 4 else None for i in range(40)]
    frame = pd.DataFrame({"province": pd.array(["A", "B"] * 20, dtype="string"),
                          "assessed_on": pd.array(days, dtype=pd.ArrowDtype(pa.date32())),
                          "score": pd.array(np.arange(40.0), dtype="Float64")})
    changed = _dates_as_categories(frame)
    assert isinstance(changed["assessed_on"].dtype, pd.CategoricalDtype)
    assert isinstance(frame["assessed_on"].dtype, pd.ArrowDtype)  # the table itself is left as it was
    whole = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    assert (pd.util.hash_pandas_object(changed, index=False).to_numpy() == whole).all()
    part = frame.iloc[1::4]  # a part without missing dates hashes the same rows
    assert (pd.util.hash_pandas_object(part, index=False).to_numpy() == whole[1::4]).all()
    no_dates = frame[["province", "score"]]
    assert _dates_as_categories(no_dates) is no_dates


def test_sheets_of_one_workbook_are_cleaned_together_but_keep_their_own_rows(tmp_path):
    """The sheets of a workbook are cleaned in one pass; what belongs to a sheet stays its own. Sheet 'A' holds one
    row of a body with the number 1.1 (1.1 or 1.10?): alone in its sheet it cannot be ordered, so it is quarantined
    as ambiguous (row 2, column E of 'A'). Sheet 'B' is the catalog-order block above for the same body, year and
    rater (its second 1.1 read as 1.10), all ten rows accepted. A block that ran across the two sheets would read
    'A''s row as 1.1 (before 1.2) and quarantine the first 1.1 of 'B' instead."""
    raw = tmp_path / "raw"
    raw.mkdir()
    book = openpyxl.Workbook()
    first = book.active
    first.title = "A"
    second = book.create_sheet("B")
    for sheet in (first, second):
        sheet.append(["province", "unit", "year", "rater", "indicator", "score"])
    first.append(["Hải Phòng", "quận Hồng Bàng", 2023, "self", 1.1, 5])
    for k, number in enumerate([1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9, 1.1], start=1):
        second.append(["Hải Phòng", "quận Hồng Bàng", 2023, "self", number, k])
    book.save(raw / "a.xlsx")
    result = ingest(raw, None)
    assert result.assessments.set_index("indicator")["score"].to_dict() == {
        "1.1": 1, "1.2": 2, "1.3": 3, "1.4": 4, "1.5": 5, "1.6": 6, "1.7": 7, "1.8": 8, "1.9": 9, "1.10": 10}
    counts = result.files.set_index("sheet")
    assert counts.loc["A", ["rows_read", "accepted", "quarantined", "duplicates"]].tolist() == [1, 0, 1, 0]
    assert counts.loc["B", ["rows_read", "accepted", "quarantined", "duplicates"]].tolist() == [10, 10, 0, 0]
    quarantined = result.quarantine
    assert quarantined[["sheet", "row", "cell", "rule"]].values.tolist() == [["A", 2, "E2", "ambiguous_indicator"]]
