"""Reading files: header recognition, CSV dialects and encodings, hostile workbooks."""
from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pytest

from iso18091lab.config import ReadLimits
from iso18091lab.text import nfc
from iso18091lab.io import FileReadError, FoundTable, RawSheet, SkippedSheet, canonical_header, find_table, read_sheets


@pytest.mark.parametrize("text, canonical", [
    ("Tỉnh/Thành phố", "province"), ("TINH", "province"), ("tinh / thanh pho", "province"),
    ("Đơn vị", "unit"), ("  ĐƠN VỊ ", "unit"), ("Mã ĐVHC", "code"), ("Năm", "year"), ("Đợt", "round"),
    ("Loại đánh giá", "rater"), ("Người đánh giá", "rater"), ("Mã người chấm", "rater_id"),
    ("Chỉ số", "indicator"), ("Điểm (0–10)", "score"), ("Điểm", "score"), ("Mức", "rating"), ("Score", "score"),
    ("unit_code", "code"), ("Rater ID", "rater_id"), ("Năm bắt đầu thí điểm", "pilot_start"),
    ("Ghi chú", None), ("Tên chỉ số (tham khảo)", None), ("", None),
])
def test_header_aliases(text, canonical):
    assert canonical_header(text) == canonical


def _sheet(rows):
    return RawSheet(Path("x.csv"), "", rows)


def test_header_below_a_title_and_empty_rows_counted():
    found = find_table(_sheet([
        ["BẢNG ĐIỂM", "", ""], ["", "", ""],
        ["Đơn vị", "Chỉ số", "Điểm"], ["A", "1.1", "5"], ["", "", ""], ["B", "1.2", "6"]]))
    assert isinstance(found, FoundTable) and found.kind == "assessments"
    assert found.header_rows == (3,) and found.title == "BẢNG ĐIỂM"
    assert [r for r, _ in found.records] == [4, 6] and found.empty_rows == 1


def test_two_row_header_without_merge_information():
    found = find_table(_sheet([
        ["Tỉnh", "Đơn vị", "Chỉ số", "Kết quả", ""], ["", "", "", "Điểm", "Mức"], ["HP", "A", "1.1", "5", "V"]]))
    assert found.header_rows == (1, 2)
    assert found.headers == {"province": "Tỉnh", "unit": "Đơn vị", "indicator": "Chỉ số", "score": "Điểm",
                             "rating": "Mức"}
    assert found.records == [(3, {"province": "HP", "unit": "A", "indicator": "1.1", "score": "5", "rating": "V"})]


@pytest.mark.parametrize("headers, kind", [
    (["Tỉnh", "Đơn vị", "Mã", "Cấp", "Nhóm"], "units"),
    (["province", "unit", "year", "measure", "value"], "outcomes"),
    (["Đơn vị", "Chỉ số", "Mức"], "assessments"),
])
def test_table_kind_from_headers(headers, kind):
    assert find_table(_sheet([headers, ["x"] * len(headers)])).kind == kind


def test_sheet_without_table_is_skipped():
    skipped = find_table(_sheet([["Hướng dẫn điền phiếu"], ["Chỉ số", "Tên"]]))
    assert isinstance(skipped, SkippedSheet) and "no data table" in skipped.reason_en


@pytest.mark.parametrize("encoding, delimiter", [("utf-8-sig", ";"), ("utf-8", ","), ("cp1258", "\t"),
                                                 ("utf-8", "|")])
def test_csv_encodings_and_delimiters(tmp_path, encoding, delimiter):
    path = tmp_path / "a.csv"
    rows = [["Tỉnh", "Đơn vị", "Điểm"], ["Hải Phòng", "Hồng Bàng", "7,5"]]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    text = buffer.getvalue()
    path.write_bytes(_cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    [sheet] = read_sheets(path)
    assert [[nfc(c) for c in r] for r in sheet.rows] == rows


def _cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letters precomposed, tone marks combining."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + "".join(c for c in parts if c in tones))
    return "".join(out).encode("cp1258")


def test_xlsx_rows_are_spreadsheet_rows_and_merges_filled(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Điểm"
    ws["B3"] = "Đơn vị"
    ws["B4"] = "quận Hồng Bàng"
    ws.merge_cells("B4:B6")
    ws["C5"] = "01"
    ws["C6"] = "1.10"
    book.save(tmp_path / "a.xlsx")
    [sheet] = read_sheets(tmp_path / "a.xlsx")
    assert sheet.sheet == "Điểm"
    assert sheet.rows[2][1] == "Đơn vị"
    assert [sheet.rows[i][1] for i in (3, 4, 5)] == ["quận Hồng Bàng"] * 3
    assert sheet.rows[4][2] == "01"  # text stays text


def test_not_a_workbook(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_text("hello")
    with pytest.raises(FileReadError) as err:
        read_sheets(path)
    assert err.value.rule == "not_xlsx"


def test_cell_at_the_last_column_and_row_is_rejected_before_parsing(tmp_path):
    book = openpyxl.Workbook()
    book.active["A1"] = "Đơn vị"
    book.active["XFD1048576"] = 1
    book.save(tmp_path / "far.xlsx")
    with pytest.raises(FileReadError) as err:
        read_sheets(tmp_path / "far.xlsx")
    assert err.value.rule == "sheet_too_large"


def test_zip_bomb_is_rejected(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * 20_000_000)
    with pytest.raises(FileReadError) as err:
        read_sheets(path)
    assert err.value.rule == "zip_bomb"
    with pytest.raises(FileReadError) as err:
        read_sheets(path, ReadLimits(max_uncompressed_bytes=1_000_000))
    assert err.value.rule == "too_large"


def test_reader_crash_is_contained(tmp_path):
    book = openpyxl.Workbook()
    book.active["A1"] = "x"
    book.save(tmp_path / "ok.xlsx")
    # a memory limit far too small for the reader process makes it die; the caller gets a clean error
    with pytest.raises(FileReadError) as err:
        read_sheets(tmp_path / "ok.xlsx", ReadLimits(parse_memory_bytes=4 * 1024**2))
    assert err.value.rule == "unreadable"
