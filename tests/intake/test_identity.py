"""Body identity, provinces across the 2025 reform, indicator ids Excel made numbers, and honest quarantine reasons.

Every expectation here is worked out by hand from the rows written in the test, not from the code's output.
"""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import iso18091lab as lab
from iso18091lab.catalog import load_catalog
from iso18091lab.i18n import quarantine_reasons
from iso18091lab.intake.provinces import canonical_name, name_2025, province_table, related_names
from iso18091lab.run.request import needs_ingest

UNIT_HEADERS = ["Tỉnh/Thành phố", "Tên đơn vị", "Mã ĐVHC", "Cấp", "Nhóm", "Năm bắt đầu thí điểm", "Đợt bắt đầu thí điểm"]
SCORE_HEADERS = ["Tỉnh/Thành phố", "Đơn vị", "Mã đơn vị", "Năm", "Đợt", "Loại đánh giá", "Chỉ số", "Điểm"]


def write_book(path: Path, sheets: dict[str, list[list]], text_columns: dict[str, set[int]] | None = None) -> None:
    """A workbook with one sheet per entry; the first row of each is its header."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for col in (text_columns or {}).get(name, set()):
            for cells in sheet.iter_cols(min_col=col + 1, max_col=col + 1, min_row=2):
                for cell in cells:
                    cell.number_format = "@"
    book.save(path)


# --------------------------------------------------------------------------- provinces across the reform

def test_province_table_has_63_former_and_34_current_provinces():
    table = province_table()
    assert len(table.former) == 63 and len(set(table.former)) == 63
    assert len(table.current) == 34
    assert sum(len(v) for v in table.predecessors.values()) == 63
    assert table.predecessors["Ninh Bình"] == ["Ninh Bình", "Hà Nam", "Nam Định"]
    assert name_2025("Hải Dương") == "Hải Phòng" and name_2025("Thừa Thiên Huế") == "Huế"
    assert name_2025("TP. Hồ Chí Minh") == "Hồ Chí Minh" and name_2025("Bà Rịa – Vũng Tàu") == "Hồ Chí Minh"
    assert canonical_name("tinh dak lak") == "Đắk Lắk" and canonical_name("Hue") == "Huế"
    assert related_names("Hải Phòng") == {"Hải Phòng", "Hải Dương"}
    assert related_names("Hải Dương") == {"Hải Dương", "Hải Phòng"}
    assert related_names("Huế") == {"Huế", "Thừa Thiên Huế"}
    assert related_names("Quảng Ninh") == {"Quảng Ninh"}
    assert related_names("Atlantis") == set()


@pytest.fixture
def reform_raw(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    units = [UNIT_HEADERS,
             ["Hải Phòng", "quận Hồng Bàng", "303", "quận", "Thí điểm", 2023, None],
             ["Hải Dương", "phường Trần Phú", "10507", "phường", "Đối chứng", None, None],
             ["Thừa Thiên Huế", "phường Phú Hội", "19990", "phường", "Thí điểm", 2024, 2],
             ["Hải Phòng", "xã Tân Hòa", "12001", "xã", "Đối chứng", None, None],
             ["Hải Phòng", "xã Tân Hòa", "12002", "xã", "Thí điểm", 2023, None],
             ["Hải Phòng", "xã Phú Mậu", "12003", "", "Đối chứng", None, None],          # blank level
             ["Hải Phòng", "xã Không Năm", "12004", "xã", "Thí điểm", None, None]]      # pilot without start
    scores = [SCORE_HEADERS,
              ["Hải Phòng", "phường Trần Phú", "", 2022, 1, "Hội đồng", "1.1", 5],       # 2025 name, former body
              ["Tỉnh Hải Dương", "P. Trần Phú", "", 2022, 1, "Tự đánh giá", "1.1", 6],
              ["Huế", "phường Phú Hội", "", 2024, 1, "Hội đồng", "1.1", 7],               # renamed province
              ["Hải Phòng", "xã Tân Hòa", "12001", 2022, 1, "Hội đồng", "1.1", 4],        # same name, by code
              ["Hải Phòng", "xã Tân Hòa", "12002", 2022, 1, "Hội đồng", "1.1", 8],
              ["Hải Phòng", "xã Tân Hòa", "", 2022, 1, "Hội đồng", "1.2", 8],             # ambiguous
              ["Hải Phòng", "xã Phú Mẫu", "", 2022, 1, "Hội đồng", "1.1", 3],             # diacritics differ
              ["Hà Nội", "quận Hồng Bàng", "", 2022, 1, "Hội đồng", "1.3", 3],            # no such body in Hà Nội
              ["Hai Phong", "quận Hồng Bàng", "", 2022, 1, "Hội đồng", "1.4", "7.5."]]    # not a number
    write_book(raw / "du lieu.xlsx", {"Đơn vị": units, "Điểm": scores}, {"Đơn vị": {2}})
    return raw


@pytest.fixture
def reform_result(reform_raw, tmp_path):
    return lab.ingest(reform_raw, tmp_path / "processed"), tmp_path / "processed"


def test_bodies_are_keyed_by_province_and_code(reform_result):
    result, _ = reform_result
    units = result.units.set_index("code")
    assert units.loc["12001", "body_id"] == "hai-phong:12001" != units.loc["12002", "body_id"]
    assert units.loc["12001", "body_label"] == "xã Tân Hòa (12001)"
    assert units.loc["303", "body_label"] == "quận Hồng Bàng"
    a = result.assessments
    tan_hoa = a[a["unit"] == "xã Tân Hòa"].set_index("body_id")["score"]
    assert tan_hoa.to_dict() == {"hai-phong:12001": 4.0, "hai-phong:12002": 8.0}


def test_an_ambiguous_name_is_quarantined_naming_the_candidates_and_codes(reform_result):
    result, _ = reform_result
    row = quarantine_reasons(result.quarantine)
    row = row[row["rule"] == "ambiguous_unit"]
    assert len(row) == 1 and row.iloc[0]["row"] == 7
    assert "12001" in row.iloc[0]["reason_vi"] and "12002" in row.iloc[0]["reason_vi"]
    assert "mã đơn vị" in row.iloc[0]["reason_vi"] and "add the unit code" in row.iloc[0]["reason_en"]


def test_province_names_match_across_the_2025_reform(reform_result):
    result, _ = reform_result
    a = result.assessments.set_index(["body_id", "rater"])
    tran_phu = a.loc[("hai-duong:10507", "council")]
    assert tran_phu["province"] == "Hải Dương" and tran_phu["province_2025"] == "Hải Phòng"
    assert a.loc[("hai-duong:10507", "self"), "score"] == 6.0
    hue = a.loc[("thua-thien-hue:19990", "council")]
    assert hue["province"] == "Thừa Thiên Huế" and hue["province_2025"] == "Huế"
    assert hue["pilot_start"] == 2024 and hue["pilot_start_round"] == 2


def test_blank_level_and_not_exact_matches_are_listed(reform_result):
    result, processed = reform_result
    units = result.units.set_index("code")
    assert pd.isna(units.loc["12003", "level"])
    matches = pd.read_csv(processed / "name_matches.csv", dtype=str, keep_default_na=False)
    pairs = set(zip(matches["typed"], matches["matched"]))
    assert ("xã Phú Mẫu", "xã Phú Mậu") in pairs
    assert ("P. Trần Phú", "phường Trần Phú") in pairs
    assert ("quận Hồng Bàng", "quận Hồng Bàng") not in pairs


def test_true_reasons_and_attribution_of_quarantined_rows(reform_result):
    result, processed = reform_result
    q = result.quarantine.set_index("row")
    assert q.loc[10, "rule"] == "bad_score" and q.loc[10, "value"] == "7.5." and q.loc[10, "province"] == "Hải Phòng"
    assert q.loc[9, "rule"] == "unknown_province" and q.loc[9, "province"] == ""
    assert q.loc[9, "province_suggested"] == "Hải Phòng"  # the only province with a body of that name
    pilot = result.quarantine[result.quarantine["rule"] == "pilot_without_start"]
    assert pilot["value"].tolist() == [""] and pilot["sheet"].tolist() == ["Đơn vị"] and pilot["row"].tolist() == [8]
    # a province's report sees its own quarantined rows and those of no province; the counts reconcile
    data = lab.load(processed)
    rows = lambda frame: len(frame[["file", "sheet", "row"]].drop_duplicates())  # noqa: E731
    by_province = {p: rows(data.for_province(p).quarantine[data.for_province(p).quarantine["province"] == p])
                   for p in data.provinces}
    unattributed = rows(data.quarantine[data.quarantine["province"] == ""])
    assert sum(by_province.values()) + unattributed == rows(data.quarantine) == result.summary["quarantined"]
    assert result.summary["quarantined_unattributed"] == unattributed == 1


def test_ingest_exit_status(reform_raw, tmp_path):
    assert lab.ingest(reform_raw, None).summary["exit_status"] == 1  # rows quarantined
    clean = tmp_path / "clean"
    clean.mkdir()
    write_book(clean / "a.xlsx", {"Điểm": [SCORE_HEADERS, ["Hải Phòng", "quận Hồng Bàng", "", 2022, 1, "Hội đồng",
                                                          "1.1", 5]]})
    assert lab.ingest(clean, None).summary["exit_status"] == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.csv").write_text("ghi chú\nkhông có dữ liệu\n", encoding="utf-8")
    assert lab.ingest(empty, None).summary["exit_status"] == 2


def test_cli_ingest_returns_the_exit_status(reform_raw, tmp_path):
    from iso18091lab.cli import main

    assert main(["ingest", "--raw", str(reform_raw), "--processed", str(tmp_path / "p"), "--quiet"]) == 1


# --------------------------------------------------------------------------- indicator ids Excel made numbers

def _block(ids: list, unit: str = "quận Hồng Bàng") -> list[list]:
    return [["Hải Phòng", unit, "", 2023, 1, "Hội đồng", ind, 5 + n % 4] for n, ind in enumerate(ids)]


def test_indicator_1_10_typed_as_a_number_is_recovered_from_the_row_order(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    pillar1 = ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8", "1.9", 1.1, "2.1"]  # 1.10 became 1.1
    pair = [1.1, 1.1]  # a block with only 1.1 and 1.10, both numbers, in catalog order
    alone = [1.1]      # one number 1.1 and nothing to order it by
    write_book(raw / "x.xlsx", {"Điểm": [SCORE_HEADERS] + _block(pillar1) + _block(pair, "xã Du Lễ")
                                + _block(alone, "xã Tự Cường")})
    result = lab.ingest(raw, None)
    a = result.assessments
    hong_bang = a[a["unit"] == "quận Hồng Bàng"].sort_values("source_row")
    assert hong_bang["indicator"].tolist() == ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8", "1.9",
                                               "1.10", "2.1"]
    assert hong_bang.set_index("indicator").loc["1.10", "score"] == 5 + 9 % 4
    assert a[a["unit"] == "xã Du Lễ"].sort_values("source_row")["indicator"].tolist() == ["1.1", "1.10"]
    q = quarantine_reasons(result.quarantine)
    assert q["rule"].tolist() == ["ambiguous_indicator"] and q["row"].tolist() == [2 + len(pillar1) + len(pair)]
    assert "1.1 / 1.10" in q.iloc[0]["reason_en"] and "Text" in q.iloc[0]["reason_en"]
    assert result.summary["duplicates"] == 0  # nothing dropped as a "duplicate"


def test_a_repeated_indicator_in_text_is_a_conflict_not_a_recovery(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    rows = _block(["3.1", "3.1", "3.2"])
    rows[1][-1] = rows[0][-1] + 1
    write_book(raw / "x.xlsx", {"Điểm": [SCORE_HEADERS] + rows}, {"Điểm": {6}})
    result = lab.ingest(raw, None)
    assert sorted(result.quarantine["rule"]) == ["conflicting_duplicate", "conflicting_duplicate"]


def test_a_text_1_1_repeated_is_read_as_1_10_only_when_rows_between_say_so(tmp_path):
    """Text ids (a CSV saved from Excel): '1.1' … '1.9' then '1.1' is the tenth indicator; '1.1' typed twice in a
    row is a duplicate, whether the rest of pillar 1 follows or nothing does (it never becomes '1.10')."""
    raw = tmp_path / "raw"
    raw.mkdir()
    ordered = [f"1.{i}" for i in range(1, 10)] + ["1.1"]
    twice = ["1.1", "1.1"] + [f"1.{i}" for i in range(2, 10)]
    repeated = [_block(twice, "xã Du Lễ"), _block(["1.1", "1.1"], "xã Tự Cường")]
    for rows in repeated:
        rows[1][-1] = rows[0][-1]  # the second "1.1" repeats the first one's score: an exact duplicate
    write_book(raw / "x.xlsx", {"Điểm": [SCORE_HEADERS] + _block(ordered) + repeated[0] + repeated[1]},
               {"Điểm": {6}})
    result = lab.ingest(raw, None)
    a = result.assessments
    assert a[a["unit"] == "quận Hồng Bàng"].sort_values("source_row")["indicator"].tolist()[-1] == "1.10"
    assert "1.10" not in set(a.loc[a["unit"] != "quận Hồng Bàng", "indicator"].astype(str))
    assert result.quarantine.empty and result.summary["duplicates"] == 2  # one per repeated block, none ambiguous


# --------------------------------------------------------------------------- the catalog travels with the data

def test_the_catalog_used_at_ingest_travels_with_the_data(reform_raw, tmp_path):
    own = load_catalog().query("pillar == 1").copy()
    own.loc[own["indicator"] == "1.1", "name_vi"] = "Chỉ số riêng của tỉnh"
    path = tmp_path / "bo_chi_so.csv"
    own.to_csv(path, index=False)
    processed = tmp_path / "processed"
    result = lab.ingest(reform_raw, processed, catalog=path)
    assert result.summary["catalog_indicators"] == 10
    data = lab.load(processed)
    assert len(data.catalog) == 10 and data.catalog.set_index("indicator").loc["1.1", "name_vi"] == "Chỉ số riêng của tỉnh"
    # re-ingest when the catalog changes, not when nothing changed
    assert needs_ingest(reform_raw, processed, catalog=path) is False
    assert needs_ingest(reform_raw, processed) is True  # bundled catalog now
    lab.ingest(reform_raw, processed)
    assert len(lab.load(processed).catalog) == 39


# --------------------------------------------------------------------------- property: nothing is lost, ever

_cells = st.one_of(st.none(), st.integers(-5, 2030), st.floats(allow_nan=True, allow_infinity=True),
                   st.text(alphabet="0123456789.,- xaăđĐỏÒHảiPhòngTựđánhgiá", max_size=8),
                   st.sampled_from(["Hải Phòng", "Hai Phong", "Huế", "quận Hồng Bàng", "Q. Hồng Bàng", "xã Tân Hòa",
                                    "Hội đồng", "self", "1.1", "1.10", "2.3", "7,5", "đỏ", "xanh", "2023", ""]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_cells, min_size=8, max_size=8), min_size=1, max_size=25))
def test_any_mix_of_rows_reconciles_and_never_raises(tmp_path_factory, rows):
    raw = tmp_path_factory.mktemp("prop")
    units = [UNIT_HEADERS, ["Hải Phòng", "quận Hồng Bàng", "303", "quận", "Thí điểm", 2023, 1],
             ["Hải Phòng", "xã Tân Hòa", "12001", "xã", "Đối chứng", None, None],
             ["Hải Phòng", "xã Tân Hòa", "12002", "", "Đối chứng", None, None]]
    clean = [[None if isinstance(c, float) and c != c else c for c in row] for row in rows]
    write_book(raw / "p.xlsx", {"Đơn vị": units, "Điểm": [SCORE_HEADERS] + clean})
    result = lab.ingest(raw, None)
    s = result.summary
    assert s["rows_read"] == s["accepted"] + s["quarantined"] + s["duplicates"]
    quarantined_rows = result.quarantine[["file", "sheet", "row"]].drop_duplicates()
    assert len(quarantined_rows) == s["quarantined"]
    assert s["accepted"] == len(result.assessments) + len(result.units) + len(result.outcomes)
    assert result.assessments["body_id"].notna().all()


# --------------------------------------------------------------------------- structural errors and every file

def test_a_missing_required_column_is_one_file_level_error(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    headers = [h for h in UNIT_HEADERS if h != "Nhóm"]
    write_book(raw / "don vi.xlsx", {"Đơn vị": [headers] + [["Hải Phòng", f"xã Số {i}", f"1200{i}", "xã", 2023, 1]
                                                            for i in range(150)]})
    write_book(raw / "diem.xlsx", {"Điểm": [SCORE_HEADERS, ["Hải Phòng", "xã Số 1", "", 2023, 1, "Hội đồng", "1.1", 5]]})
    (raw / "bien ban.pdf").write_bytes(b"%PDF-1.4")
    result = lab.ingest(raw, None)
    files = result.files.set_index("file")
    assert files.loc["don vi.xlsx", "status"] == "error"
    assert "Nhóm / group" in files.loc["don vi.xlsx", "message_vi"] and "don vi.xlsx" in files.loc["don vi.xlsx",
                                                                                                   "message_en"]
    assert files.loc["bien ban.pdf", "status"] == "skipped" and ".pdf" in files.loc["bien ban.pdf", "message_en"]
    assert result.quarantine.empty  # not 150 lines of "required value is missing"
    assert result.summary["files_failed"] == ["don vi.xlsx"] and result.summary["exit_status"] == 1
    assert len(result.assessments) == 1 and result.summary["units_table_empty"]
