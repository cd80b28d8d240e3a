"""Reading files: every file type offices send, every file accounted for, header recognition and
structural errors, CSV dialects and encodings, hostile workbooks."""
from __future__ import annotations

import csv
import io
import os
import unicodedata
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
import xlwt
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from iso18091lab.config import ReadLimits
from iso18091lab.intake.decoding import DELIMITERS, detect_delimiter
from iso18091lab.intake.files import FileReadError, iter_raw_files, list_raw_files
from iso18091lab.intake.headers import (EXPECTED_HEADERS, HEADER_ALIASES, MissingColumn, StructuralError,
                                        UnrecognisedHeader, canonical_header, column_letter)
from iso18091lab.intake.reader import FoundTable, RawSheet, SkippedSheet, read_sheets, recognise_table
from iso18091lab.normalize import fold

ASSESSMENT_HEADERS = ["Tỉnh/Thành phố", "Đơn vị", "Năm", "Loại đánh giá", "Chỉ số", "Điểm"]


# --------------------------------------------------------------------------- headers

@pytest.mark.parametrize("text, canonical", [
    ("Tỉnh/Thành phố", "province"), ("TINH", "province"), ("tinh / thanh pho", "province"),
    ("Đơn vị", "unit"), ("  ĐƠN VỊ ", "unit"), ("Mã ĐVHC", "code"), ("Năm", "year"), ("Đợt", "round"),
    ("Loại đánh giá", "rater"), ("Người đánh giá", "rater"), ("Mã người chấm", "rater_id"),
    ("Chỉ số", "indicator"), ("Điểm (0–10)", "score"), ("Điểm", "score"), ("Mức", "rating"), ("Score", "score"),
    ("unit_code", "code"), ("Rater ID", "rater_id"), ("Năm bắt đầu thí điểm", "pilot_start"),
    # spellings offices use
    ("Tên UBND", "unit"), ("UBND xã/phường", "unit"), ("Đơn vị hành chính", "unit"), ("Mã xã", "code"),
    ("Kết quả chấm", "score"), ("Điểm chấm", "score"), ("Điểm tự chấm", "score"),
    ("Đợt bắt đầu thí điểm", "pilot_start_round"), ("pilot start round", "pilot_start_round"),
    ("Đợt bắt đầu", "pilot_start_round"), ("pilot_start_round", "pilot_start_round"),
    ("Kết quả", "value"),  # still the outcomes value: "Kết quả chấm" is the score
    ("Ghi chú", None), ("Tên chỉ số (tham khảo)", None), ("", None), ("Điểm tối đa", None),
])
def test_header_aliases(text, canonical):
    assert canonical_header(text) == canonical


def test_no_header_spelling_means_two_columns_and_expected_headers_are_accepted():
    counts = Counter(alias for aliases in HEADER_ALIASES.values() for alias in aliases)
    assert [a for a, n in counts.items() if n > 1] == []
    for canonical, (vi, en) in EXPECTED_HEADERS.items():
        assert canonical_header(vi) == canonical == canonical_header(en), (vi, en)
    assert set(EXPECTED_HEADERS) == set(HEADER_ALIASES)


def test_column_letters():
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 701, 702, 16383)] == [
        "A", "B", "Z", "AA", "AB", "ZZ", "AAA", "XFD"]


# --------------------------------------------------------------------------- recognising tables

def _sheet(rows, file="x.csv", sheet=""):
    return RawSheet(Path(file), sheet, rows)


def test_header_below_a_title_and_empty_rows_counted():
    found = recognise_table(_sheet([
        ["BẢNG ĐIỂM", "", "", "", "", ""], ["", "", "", "", "", ""], ASSESSMENT_HEADERS,
        ["HP", "A", "2023", "self", "1.1", "5"], [""] * 6, ["HP", "B", "2023", "self", "1.2", "6"]]))
    assert isinstance(found, FoundTable) and found.kind == "assessments"
    assert found.header_rows == (3,) and found.title == "BẢNG ĐIỂM"
    assert [r for r, _ in found.records] == [4, 6] and found.empty_rows == 1
    assert found.records[1][1] == {"province": "HP", "unit": "B", "year": "2023", "rater": "self",
                                   "indicator": "1.2", "score": "6"}


def test_two_row_header_without_merge_information():
    found = recognise_table(_sheet([
        ["Tỉnh", "Đơn vị", "Năm", "Loại đánh giá", "Chỉ số", "Kết quả", ""],
        ["", "", "", "", "", "Điểm", "Mức"],
        ["HP", "A", "2023", "self", "1.1", "5", "V"]]))
    assert found.header_rows == (1, 2)
    assert found.headers == {"province": "Tỉnh", "unit": "Đơn vị", "year": "Năm", "rater": "Loại đánh giá",
                             "indicator": "Chỉ số", "score": "Điểm", "rating": "Mức"}
    assert found.records == [(3, {"province": "HP", "unit": "A", "year": "2023", "rater": "self",
                                  "indicator": "1.1", "score": "5", "rating": "V"})]


def test_ket_qua_cham_is_the_score_of_an_assessments_table_and_ket_qua_the_value_of_outcomes():
    scores = recognise_table(_sheet([["Tỉnh", "Mã xã", "Năm", "Loại đánh giá", "Chỉ số", "Kết quả chấm"],
                                     ["QN", "06658", "2024", "Hội đồng", "1.1", "7"]]))
    assert scores.kind == "assessments" and scores.headers["score"] == "Kết quả chấm"
    assert scores.headers["code"] == "Mã xã" and scores.records[0][1]["code"] == "06658"
    outcomes = recognise_table(_sheet([["Tỉnh", "Đơn vị", "Năm", "Chỉ tiêu", "Kết quả"], ["QN", "A", "2024", "x", "1"]]))
    assert outcomes.kind == "outcomes" and outcomes.headers["value"] == "Kết quả"


@pytest.mark.parametrize("headers, kind", [
    (["Tỉnh", "Đơn vị", "Mã", "Cấp", "Nhóm"], "units"),
    (["Tỉnh/Thành phố", "Tên UBND", "Mã xã", "Nhóm", "Năm bắt đầu thí điểm", "Đợt bắt đầu thí điểm"], "units"),
    (["Tỉnh", "Đơn vị", "Nhóm", "Điểm"], "units"),  # a units table with an extra column
    (["province", "unit", "year", "measure", "value"], "outcomes"),
    (["Tỉnh", "Mã đơn vị", "Năm", "Người đánh giá", "Chỉ số", "Mức"], "assessments"),
])
def test_table_kind_from_headers(headers, kind):
    found = recognise_table(_sheet([headers, ["x"] * len(headers)]))
    assert isinstance(found, FoundTable) and found.kind == kind


@pytest.mark.parametrize("rows", [
    [["Hướng dẫn điền phiếu"], ["Chỉ số", "Tên"]],
    # the template's catalog sheet
    [["Chỉ số", "Trụ cột", "Tên trụ cột", "Tên chỉ số", "Indicator (working title)", "Điểm tối đa"],
     ["1.1", "1", "Lãnh đạo", "Cam kết", "Commitment", "10"]],
    # a two-column explanation of the columns
    [["Cột", "Ý nghĩa"], ["Tỉnh/Thành phố", "tên tỉnh"], ["Chỉ số", "mã chỉ số 1.1 đến 4.9"], ["Điểm", "từ 0 đến 10"],
     ["Mức", "xanh, vàng, đỏ"]],
])
def test_instructions_and_lists_are_skipped_not_errors(rows):
    skipped = recognise_table(_sheet(rows))
    assert type(skipped) is SkippedSheet and "no data table" in skipped.reason_en


def test_skipped_sheet_says_which_headers_it_did_recognise():
    skipped = recognise_table(_sheet([["Tỉnh", "Đơn vị", "Mã"], ["HP", "A", "303"]]))
    assert type(skipped) is SkippedSheet
    assert "row 1" in skipped.reason_en and "'Tỉnh' (province)" in skipped.reason_en and "'Mã' (code)" in skipped.reason_en
    assert "dòng 1" in skipped.reason_vi


def test_empty_sheet_is_skipped():
    skipped = recognise_table(_sheet([["", None], []]))
    assert type(skipped) is SkippedSheet and skipped.reason_en == "empty sheet"


# --------------------------------------------------------------------------- structural errors

def test_assessments_with_an_unrecognised_unit_header_is_a_structural_error():
    rows = [["KẾT QUẢ CHẤM ĐIỂM 2023"], [],
            ["Tỉnh", "Tên ĐV", "Năm", "Loại đánh giá", "Chỉ số", "Điểm", "Ghi chú"]]
    rows += [["Hải Phòng", f"xã {i}", "2023", "Tự đánh giá", "1.1", "7", ""] for i in range(156)]
    rows += [["", "", "", "", "", "", ""]]
    error = recognise_table(_sheet(rows, "tong hop/ket qua.xlsx", "Chấm điểm"))
    assert isinstance(error, StructuralError)
    assert (error.file, error.sheet, error.kind, error.header_rows) == (
        Path("tong hop/ket qua.xlsx"), "Chấm điểm", "assessments", (3,))
    assert error.headers == {"A": "Tỉnh", "B": "Tên ĐV", "C": "Năm", "D": "Loại đánh giá", "E": "Chỉ số",
                             "F": "Điểm", "G": "Ghi chú"}
    assert error.recognised == {"province": "Tỉnh", "year": "Năm", "rater": "Loại đánh giá", "indicator": "Chỉ số",
                                "score": "Điểm"}
    assert error.missing == [MissingColumn("unit", ("code",))]
    assert error.missing[0].expected == "Tên đơn vị / unit"
    assert error.unrecognised == [UnrecognisedHeader("B", "Tên ĐV", "unit"), UnrecognisedHeader("G", "Ghi chú", None)]
    assert error.unrecognised[0].suggested == "Tên đơn vị / unit"
    assert error.data_rows == 156
    assert error.fixes_vi == ["Đổi tiêu đề cột B 'Tên ĐV' thành 'Tên đơn vị'"]
    assert error.fixes_en == ["Rename column B 'Tên ĐV' to 'Tên đơn vị' (unit)"]
    vi, en = error.message_vi, error.message_en
    for part in ("'tong hop/ket qua.xlsx'", "trang 'Chấm điểm'", "dòng tiêu đề 3", "bảng kết quả chấm điểm",
                 "Tên đơn vị / unit (hoặc Mã đơn vị / code)", "B: 'Tên ĐV'", "G: 'Ghi chú'",
                 "Đổi tiêu đề cột B 'Tên ĐV' thành 'Tên đơn vị'", "156 dòng dữ liệu"):
        assert part in vi, part
    for part in ("'tong hop/ket qua.xlsx'", "sheet 'Chấm điểm'", "header row 3", "assessments",
                 "Tên đơn vị / unit (or Mã đơn vị / code)", "B: 'Tên ĐV'", "close to 'Tên đơn vị / unit'",
                 "Rename column B 'Tên ĐV' to 'Tên đơn vị' (unit)", "156 data rows"):
        assert part in en, part


def test_units_table_without_group_says_add_the_column():
    error = recognise_table(_sheet([["Tỉnh/Thành phố", "Tên UBND", "Mã xã", "Cấp", "Năm bắt đầu thí điểm"],
                                    ["Quảng Ninh", "UBND phường Hồng Gai", "06658", "phường", "2024"]], "don vi.csv"))
    assert isinstance(error, StructuralError) and error.kind == "units"
    assert [m.expected for m in error.missing] == ["Nhóm / group"]
    assert error.unrecognised == []
    assert error.fixes_vi == ["Thêm cột 'Nhóm'"] and error.fixes_en == ["Add a column 'Nhóm' (group)"]
    assert "Nhóm / group" in error.message_vi and "'don vi.csv', dòng tiêu đề 1" in error.message_vi
    assert "sheet" not in error.message_en and "1 data rows" in error.message_en


def test_several_missing_columns_with_suggestions_and_alternatives():
    error = recognise_table(_sheet([["Tỉnh", "Năm", "Loại hình đánh giá", "Mã chỉ tiêu", "Điểm", "Mức"],
                                    ["HP", "2023", "tự đánh giá", "1.1", "7", ""]]))
    assert isinstance(error, StructuralError) and error.kind == "assessments"
    assert [m.column for m in error.missing] == ["unit", "rater", "indicator"]
    assert [m.expected for m in error.missing] == ["Tên đơn vị / unit", "Loại đánh giá / rater", "Chỉ số / indicator"]
    assert [(u.column, u.suggestion) for u in error.unrecognised] == [("C", "rater"), ("D", "indicator")]
    assert error.fixes_vi == ["Thêm cột 'Tên đơn vị' hoặc 'Mã đơn vị'",
                              "Đổi tiêu đề cột C 'Loại hình đánh giá' thành 'Loại đánh giá'",
                              "Đổi tiêu đề cột D 'Mã chỉ tiêu' thành 'Chỉ số'"]
    assert error.fixes_en[0] == "Add a column 'Tên đơn vị' (unit) or 'Mã đơn vị' (code)"


def test_outcomes_without_value_column():
    error = recognise_table(_sheet([["Tỉnh", "Đơn vị", "Năm", "Chỉ tiêu", "Tỷ lệ (%)"],
                                    ["HP", "A", "2023", "satisfaction_pct", "85,5"]]))
    assert isinstance(error, StructuralError) and error.kind == "outcomes"
    assert [m.expected for m in error.missing] == ["Giá trị / value"]
    assert error.unrecognised == [UnrecognisedHeader("E", "Tỷ lệ (%)", None)]
    assert error.fixes_en == ["Add a column 'Giá trị' (value)"]


def test_a_valid_header_row_wins_over_a_broken_looking_one():
    rows = [["Tỉnh", "Đơn vị", "Năm"], ["Hải Phòng", "quận Hồng Bàng", "2023"], ASSESSMENT_HEADERS,
            ["HP", "A", "2023", "self", "1.1", "5"]]
    found = recognise_table(_sheet(rows))
    assert isinstance(found, FoundTable) and found.header_rows == (3,)


def test_structural_error_in_a_real_workbook_names_file_and_sheet(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Hướng dẫn"
    book.active["A1"] = "Điền mỗi dòng một chỉ số."
    sheet = book.create_sheet("Đánh giá 2024")
    sheet.append(["Tỉnh", "Đơn vị", "Năm", "Chỉ số", "Điểm"])
    sheet.append(["Quảng Ninh", "xã Quảng Lâm", 2024, "1.1", 6])
    book.save(tmp_path / "qn.xlsx")
    guide, scores = [recognise_table(s) for s in read_sheets(tmp_path / "qn.xlsx")]
    assert type(guide) is SkippedSheet
    assert isinstance(scores, StructuralError) and scores.sheet == "Đánh giá 2024"
    assert scores.file == tmp_path / "qn.xlsx" and scores.data_rows == 1
    assert [m.expected for m in scores.missing] == ["Loại đánh giá / rater"]
    assert "trang 'Đánh giá 2024'" in scores.message_vi and "Thêm cột 'Loại đánh giá'" in scores.message_vi


# --------------------------------------------------------------------------- delimited text

def _csv_text(rows, delimiter, quoting=csv.QUOTE_MINIMAL):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, quoting=quoting).writerows(rows)
    return buffer.getvalue()


def _cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letters precomposed, tone marks combining."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + "".join(c for c in parts if c in tones))
    return "".join(out).encode("cp1258")


def _encode(text: str, encoding: str) -> bytes:
    return _cp1258(text) if encoding == "cp1258" else text.encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp1258", "utf-16"])
@pytest.mark.parametrize("delimiter", DELIMITERS)
def test_csv_encodings_and_delimiters(tmp_path, encoding, delimiter):
    path = tmp_path / "a.csv"
    rows = [["Tỉnh", "Đơn vị", "Mã", "Điểm"], ["Hải Phòng", "Hồng Bàng", "06658", "7,5"],
            ["Quảng Ninh", "Thuỷ An, Đông Triều", "", "8"]]
    path.write_bytes(_encode(_csv_text(rows, delimiter), encoding))
    [sheet] = read_sheets(path)
    assert sheet.rows == rows and sheet.sheet == ""


TITLES = [["ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH"], ["Quảng Ninh, ngày 12 tháng 3 năm 2024"]]


@pytest.mark.parametrize("delimiter", DELIMITERS)
@pytest.mark.parametrize("titles", [0, 1, 2])
@pytest.mark.parametrize("quoting", [csv.QUOTE_MINIMAL, csv.QUOTE_ALL])
def test_delimiter_found_under_title_rows_with_decimal_commas(tmp_path, delimiter, titles, quoting):
    rows = TITLES[:titles] + [["Tỉnh", "Đơn vị", "Năm", "Loại đánh giá", "Chỉ số", "Điểm", "Ghi chú"],
                              ["Quảng Ninh", "xã Quảng Lâm", "2024", "Tự đánh giá", "1,10", "7,5", "đạt; khá"],
                              ["Quảng Ninh", "xã Đồng Văn", "2024", "Hội đồng", "1,10", "6,25", ""],
                              ["Quảng Ninh", "xã Hoành Mô", "2024", "Hội đồng", "2.1", "8", "a|b"]]
    path = tmp_path / "diem.csv"
    path.write_bytes(_csv_text(rows, delimiter, quoting).encode("utf-8"))
    [sheet] = read_sheets(path)
    assert sheet.rows == rows
    found = recognise_table(sheet)
    assert found.header_rows == (titles + 1,) and found.records[0][1]["score"] == "7,5"


def test_semicolon_export_with_a_comma_in_the_header_and_unquoted_decimal_commas(tmp_path):
    text = ("BẢNG TỔNG HỢP\r\nHải Phòng, ngày 5 tháng 1 năm 2024\r\n"
            "Tỉnh, thành phố;Đơn vị;Năm;Loại đánh giá;Chỉ số;Điểm\r\n"
            "Hải Phòng;quận Hồng Bàng;2023;Tự đánh giá;1.1;7,5\r\n"
            "Hải Phòng;quận Lê Chân;2023;Tự đánh giá;1.1;6,5\r\n")
    assert detect_delimiter(text) == ";"
    path = tmp_path / "hp.csv"
    path.write_bytes(text.encode("utf-8-sig"))
    [sheet] = read_sheets(path)
    assert sheet.rows[2] == ["Tỉnh, thành phố", "Đơn vị", "Năm", "Loại đánh giá", "Chỉ số", "Điểm"]
    assert sheet.rows[3] == ["Hải Phòng", "quận Hồng Bàng", "2023", "Tự đánh giá", "1.1", "7,5"]


def test_excel_padded_semicolon_export(tmp_path):
    text = "KẾT QUẢ;;;\r\n;;;\r\nTỉnh;Đơn vị;Chỉ tiêu;Giá trị\r\nHP;A;on_time_pct;85,5\r\n"
    assert detect_delimiter(text) == ";"


def test_excel_unicode_text_export(tmp_path):
    # Excel "Unicode text": UTF-16 LE with a BOM, tab-separated, CRLF, quotes around cells with tabs/newlines
    text = ("Tỉnh/Thành phố\tĐơn vị\tMã đơn vị\tNăm\tLoại đánh giá\tChỉ số\tĐiểm\r\n"
            "Quảng Ninh\tphường Hồng Gai\t06658\t2024\tHội đồng\t1.10\t7,5\r\n"
            "Quảng Ninh\t\"xã Quảng\tLâm\"\t\t2024\t\"Tự\nđánh giá\"\t4.9\t\r\n")
    path = tmp_path / "unicode.txt"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    [sheet] = read_sheets(path)
    assert sheet.rows == [
        ["Tỉnh/Thành phố", "Đơn vị", "Mã đơn vị", "Năm", "Loại đánh giá", "Chỉ số", "Điểm"],
        ["Quảng Ninh", "phường Hồng Gai", "06658", "2024", "Hội đồng", "1.10", "7,5"],
        ["Quảng Ninh", "xã Quảng\tLâm", "", "2024", "Tự\nđánh giá", "4.9", ""]]
    # the same without the BOM (some tools drop it) is still UTF-16
    path.write_bytes(text.encode("utf-16-le"))
    assert read_sheets(path)[0].rows[1][1] == "phường Hồng Gai"
    path.write_bytes(unicodedata.normalize("NFD", text).encode("utf-16-le"))  # combining marks: zero low bytes
    assert read_sheets(path)[0].rows[1][1] == "phường Hồng Gai"
    path.write_bytes(text.encode("utf-16-be"))
    assert read_sheets(path)[0].rows[0][0] == "Tỉnh/Thành phố"


def test_nfd_text_is_read_as_nfc(tmp_path):
    path = tmp_path / "nfd.csv"
    path.write_bytes(unicodedata.normalize("NFD", "Tỉnh,Đơn vị\nQuảng Ninh,Hoà Bình\n").encode("utf-8"))
    rows = read_sheets(path)[0].rows
    assert rows == [["Tỉnh", "Đơn vị"], ["Quảng Ninh", "Hoà Bình"]]
    assert all(unicodedata.is_normalized("NFC", c) for r in rows for c in r)


# Vietnamese letters (precomposed, every tone) and ASCII
_VOWELS = "aăâeêioôơuưy"
_VI = sorted({unicodedata.normalize("NFC", v + t) for v in _VOWELS + _VOWELS.upper()
              for t in ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")} | set("đĐ"))
_WORD = st.sampled_from(_VI + list("bcdghklmnpqrstvxBCDGHKLMNPQRSTVX0123456789 "))
_ANY = st.one_of(_WORD, st.sampled_from(list(",;\t|\"'.%-/()\n")))


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=st.data(), width=st.integers(2, 5), delimiter=st.sampled_from(DELIMITERS),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258"]),
       suffix=st.sampled_from([".csv", ".txt", ".tsv"]), pad_titles=st.booleans())
def test_any_table_is_read_back_cell_for_cell(tmp_path, data, width, delimiter, encoding, suffix, pad_titles):
    """Any table of Vietnamese/ASCII cells (delimiters, quotes and line breaks included), written with
    any supported delimiter and encoding under 0-3 title rows, is read back cell for cell. Header
    cells are words (a header with a comma is recognised by its spelling, tested above)."""
    header = data.draw(st.lists(st.text(_WORD, min_size=1, max_size=12).filter(str.strip),
                                min_size=width, max_size=width))
    body = data.draw(st.lists(st.lists(st.text(_ANY, max_size=12), min_size=width, max_size=width),
                              min_size=3, max_size=8))
    assume(sum(any(c.strip() for c in row) for row in body) >= 3)
    titles = data.draw(st.lists(st.text(_ANY, min_size=1, max_size=30), max_size=3))
    title_rows = [[t] + [""] * (width - 1) if pad_titles else [t] for t in titles]
    rows = title_rows + [header] + body
    path = tmp_path / f"t{suffix}"
    path.write_bytes(_encode(_csv_text(rows, delimiter), encoding))
    [sheet] = read_sheets(path)
    assert sheet.rows == rows


def test_unparseable_text_is_a_clear_error(tmp_path):
    path = tmp_path / "bin.csv"
    path.write_bytes(b"\x00\x01\x02\x03" * 10 + b"abc")
    with pytest.raises(FileReadError) as err:
        read_sheets(path)
    assert err.value.rule in ("binary", "encoding")


# --------------------------------------------------------------------------- workbooks

def test_xlsx_rows_are_spreadsheet_rows_and_merges_filled(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Điểm"
    ws["B3"] = "Đơn vị"
    ws["B4"] = "quận Hồng Bàng"
    ws.merge_cells("B4:B6")
    ws["C5"] = "01"
    ws["C6"] = "1.10"
    ws["D4"] = unicodedata.normalize("NFD", "Hoà Bình")
    book.save(tmp_path / "a.xlsx")
    [sheet] = read_sheets(tmp_path / "a.xlsx")
    assert sheet.sheet == "Điểm"
    assert sheet.rows[2][1] == "Đơn vị"
    assert [sheet.rows[i][1] for i in (3, 4, 5)] == ["quận Hồng Bàng"] * 3
    assert sheet.rows[4][2] == "01"  # text stays text
    assert sheet.rows[3][3] == "Hoà Bình"  # NFC


def _write_xls(path: Path) -> None:
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("Chấm điểm 2023")
    ws.write_merge(0, 0, 0, 6, "BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM")
    for c, header in enumerate(["Tỉnh/Thành phố", "Tên UBND", "Mã xã", "Năm", "Loại đánh giá", "Chỉ số", "Điểm chấm"]):
        ws.write(2, c, header)
    ws.write_merge(3, 5, 0, 0, "Quảng Ninh")  # province merged down three rows
    ws.write_merge(3, 5, 1, 1, "phường Hồng Gai")
    for r, (indicator, score) in enumerate([("1.1", 7.5), ("1.10", 8), ("4.9", "9,5")], start=3):
        ws.write(r, 2, "06658")  # a code typed as text
        ws.write(r, 3, 2024)
        ws.write(r, 4, "Hội đồng")
        ws.write(r, 5, indicator)
        ws.write(r, 6, score)
    book.add_sheet("Hướng dẫn").write(0, 0, "Mỗi dòng một chỉ số.")
    book.save(str(path))


def test_legacy_xls_workbook(tmp_path):
    path = tmp_path / "qn.xls"
    _write_xls(path)
    scores, guide = read_sheets(path)
    assert scores.sheet == "Chấm điểm 2023" and guide.sheet == "Hướng dẫn"
    assert scores.rows[0][0] == "BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM"
    assert scores.rows[2] == ["Tỉnh/Thành phố", "Tên UBND", "Mã xã", "Năm", "Loại đánh giá", "Chỉ số", "Điểm chấm"]
    assert scores.rows[3] == ["Quảng Ninh", "phường Hồng Gai", "06658", 2024, "Hội đồng", "1.1", 7.5]
    assert scores.rows[5] == ["Quảng Ninh", "phường Hồng Gai", "06658", 2024, "Hội đồng", "4.9", "9,5"]
    assert guide.rows == [["Mỗi dòng một chỉ số."]]
    found = recognise_table(scores)
    assert isinstance(found, FoundTable) and found.kind == "assessments" and found.header_rows == (3,)
    assert [cells["indicator"] for _, cells in found.records] == ["1.1", "1.10", "4.9"]
    assert isinstance(recognise_table(guide), SkippedSheet)


def test_xlsx_saved_with_an_xls_name_is_read(tmp_path):
    book = openpyxl.Workbook()
    book.active["A1"] = "Tỉnh"
    book.save(tmp_path / "renamed.xls")
    assert read_sheets(tmp_path / "renamed.xls")[0].rows == [["Tỉnh"]]


def test_text_and_web_pages_with_an_xls_name(tmp_path):
    (tmp_path / "export.xls").write_bytes("Tỉnh\tĐơn vị\nHải Phòng\tLê Chân\n".encode("utf-8"))
    assert read_sheets(tmp_path / "export.xls")[0].rows == [["Tỉnh", "Đơn vị"], ["Hải Phòng", "Lê Chân"]]
    (tmp_path / "page.xls").write_text("<html><body><table><tr><td>Tỉnh</td></tr></table></body></html>")
    with pytest.raises(FileReadError) as err:
        read_sheets(tmp_path / "page.xls")
    assert err.value.rule == "web_page_as_excel" and "Save As" in err.value.reason_en


def _cell(value, repeat=1):
    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    if value is None:
        return f"<table:table-cell{rep}/>"
    if isinstance(value, (int, float)):
        return (f'<table:table-cell{rep} office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>")
    return f'<table:table-cell{rep} office:value-type="string"><text:p>{value}</text:p></table:table-cell>'


def _row(cells, repeat=1):
    rep = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{rep}>" + "".join(cells) + "</table:table-row>"


def _write_ods(path: Path, tables: list[tuple[str, list[str]]]) -> None:
    body = "".join(f'<table:table table:name="{name}">' + "".join(rows) + "</table:table>" for name, rows in tables)
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               f"<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)


def test_ods_workbook(tmp_path):
    path = tmp_path / "hp.ods"
    _write_ods(path, [("Đơn vị", [
        _row([_cell("Tỉnh/Thành phố"), _cell("Tên đơn vị"), _cell("Mã ĐVHC"), _cell("Nhóm")]),
        _row([_cell("Hải Phòng"), _cell("quận Hồng Bàng"), _cell("303"), _cell("thí điểm")]),
        _row([_cell("Hải Phòng"), _cell("quận Lê Chân"), _cell(305), _cell("đối chứng")]),
        _row([_cell(None, 1024)], 1048573),  # LibreOffice's trailing empty rows
    ])])
    [sheet] = read_sheets(path)
    assert sheet.sheet == "Đơn vị"
    assert sheet.rows == [["Tỉnh/Thành phố", "Tên đơn vị", "Mã ĐVHC", "Nhóm"],
                          ["Hải Phòng", "quận Hồng Bàng", "303", "thí điểm"],
                          ["Hải Phòng", "quận Lê Chân", 305, "đối chứng"]]
    assert recognise_table(sheet).kind == "units"


def test_ods_with_a_repeated_cell_filling_the_sheet_is_rejected_before_parsing(tmp_path):
    path = tmp_path / "far.ods"
    _write_ods(path, [("S", [_row([_cell("Tỉnh")]), _row([_cell("x", 16384)], 1048575)])])
    with pytest.raises(FileReadError) as err:
        read_sheets(path)
    assert err.value.rule == "sheet_too_large" and "17179869184" in err.value.reason_en


def test_not_a_workbook(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_text("hello")
    with pytest.raises(FileReadError) as err:
        read_sheets(path)
    assert err.value.rule == "not_xlsx" and "not a valid .xlsx" in err.value.reason_en
    zipped = tmp_path / "b.ods"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("readme.txt", "x")
    with pytest.raises(FileReadError) as err:
        read_sheets(zipped)
    assert err.value.rule == "not_ods"


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
        archive.writestr("xl/workbook.xml", b"<workbook/>")
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


def test_xls_sheet_too_large_for_the_memory_limit_is_a_clean_error(tmp_path):
    book = xlwt.Workbook()
    sheet = book.add_sheet("S")
    sheet.write(0, 0, "Tỉnh")
    sheet.write(65535, 255, 1)  # the last cell of a BIFF8 sheet: 16.7 M cells from A1
    book.save(str(tmp_path / "far.xls"))
    with pytest.raises(FileReadError) as err:
        read_sheets(tmp_path / "far.xls", ReadLimits(parse_memory_bytes=300 * 1024**2))
    assert err.value.rule == "out_of_memory" and "0.29" in err.value.reason_en
    with pytest.raises(FileReadError) as err:
        read_sheets(tmp_path / "far.xls", ReadLimits(max_sheet_cells=1_000_000))
    assert err.value.rule == "sheet_too_large" and "16777216" in err.value.reason_en



def test_one_long_lived_child_reads_a_batch_and_each_file_fails_alone(tmp_path, monkeypatch):
    """Workbooks parsed by one long-lived child (``workbook_children``) give the same sheets and, file by file,
    the same errors as a child per workbook: a damaged workbook, one over the memory limit (the child dies) and one
    over the time limit each fail by name, and the workbook after each is still read."""
    import subprocess

    from iso18091lab.intake.reader import workbook_children

    book = openpyxl.Workbook()
    book.active["A1"] = "Tỉnh"
    book.active["B2"] = 3.5
    book.save(tmp_path / "ok.xlsx")
    far = xlwt.Workbook()
    far.add_sheet("S").write(65535, 255, 1)  # 16.7 M cells: over a 300 MiB reader
    far.save(str(tmp_path / "far.xls"))
    with zipfile.ZipFile(tmp_path / "broken.xlsx", "w") as archive:  # passes the checks, is no workbook
        archive.writestr("xl/workbook.xml", b"<workbook/>")
    small = ReadLimits(parse_memory_bytes=300 * 1024**2)
    cases = [("ok.xlsx", ReadLimits()), ("broken.xlsx", ReadLimits()), ("ok.xlsx", ReadLimits()),
             ("far.xls", small), ("ok.xlsx", small), ("far.xls", ReadLimits(parse_timeout_s=0.01)),
             ("ok.xlsx", ReadLimits()), ("ok.xlsx", ReadLimits())]

    def read_all(children):
        out = []
        for name, limits in cases:
            try:
                out.append([(s.sheet, s.rows) for s in read_sheets(tmp_path / name, limits, children)])
            except FileReadError as exc:
                out.append((exc.rule, exc.reason_en))
        return out

    started = []
    popen = subprocess.Popen
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: started.append(a[0]) or popen(*a, **k))
    alone = read_all(None)
    assert len(started) == len(cases)
    started.clear()
    with workbook_children() as children:
        batched = read_all(children)
    assert batched == alone
    assert [r if isinstance(r, list) else r[0] for r in batched] == [
        [("Sheet", [["Tỉnh", ""], ["", 3.5]])], "unreadable", [("Sheet", [["Tỉnh", ""], ["", 3.5]])],
        "out_of_memory", [("Sheet", [["Tỉnh", ""], ["", 3.5]])], "timeout", [("Sheet", [["Tỉnh", ""], ["", 3.5]])],
        [("Sheet", [["Tỉnh", ""], ["", 3.5]])]]
    # a child per change of memory limit (3) and one after the memory limit and the time limit ended a child (2);
    # the damaged workbook did not end its child
    assert all("--serve" in command for command in started) and len(started) == 5


# --------------------------------------------------------------------------- every file accounted for

def test_every_file_of_a_mixed_folder_is_listed_once_with_its_status(tmp_path):
    raw = tmp_path / "raw"
    files = {
        "a.csv": b"province,unit\n", "b.xlsx": b"PK", "c.xls": b"x", "d.ods": b"PK", "e.txt": b"x", "f.tsv": b"x",
        "G.XLSM": b"PK", "bao cao.pdf": b"%PDF", "README": b"notes", "hp.zip": b"PK", "so.xlsb": b"PK",
        "empty.csv": b"", "bom only.csv": b"\xef\xbb\xbf\r\n", ".hidden.csv": b"x", "~$b.xlsx": b"x",
        "_ghi chu.csv": b"x", "_synthetic/truth.json": b"{}", "_synthetic/sub/x.csv": b"x",
        ".git/config": b"x", "sub/f.csv": b"x", "sub/.DS_Store": b"x", "sub/deeper/g.xls": b"x",
    }
    for name, content in files.items():
        (raw / name).parent.mkdir(parents=True, exist_ok=True)
        (raw / name).write_bytes(content)
    listed = list_raw_files(raw)
    got = {f.relative: (f.status, f.rule) for f in listed}
    assert got == {
        ".git/": ("skipped", "hidden"), ".hidden.csv": ("skipped", "hidden"), "G.XLSM": ("read", ""),
        "README": ("skipped", "unsupported_type"), "_ghi chu.csv": ("skipped", "reserved"),
        "_synthetic/": ("skipped", "reserved"), "a.csv": ("read", ""), "b.xlsx": ("read", ""),
        "bao cao.pdf": ("skipped", "unsupported_type"), "bom only.csv": ("skipped", "empty_file"),
        "c.xls": ("read", ""), "d.ods": ("read", ""), "e.txt": ("read", ""), "empty.csv": ("skipped", "empty_file"),
        "f.tsv": ("read", ""), "hp.zip": ("skipped", "unsupported_type"), "so.xlsb": ("skipped", "unsupported_type"),
        "sub/.DS_Store": ("skipped", "hidden"), "sub/deeper/g.xls": ("read", ""), "sub/f.csv": ("read", ""),
        "~$b.xlsx": ("skipped", "lock_file"),
    }
    assert len(listed) == len(got)  # nobody twice
    # every file on disk is covered by exactly one entry: its own or its skipped folder's
    on_disk = [Path(d, f).relative_to(raw).as_posix() for d, _, fs in os.walk(raw) for f in fs]
    for name in on_disk:
        covering = [f for f in listed if f.relative == name or (f.is_folder and name.startswith(f.relative))]
        assert len(covering) == 1, name
    by_name = {f.relative: f for f in listed}
    assert by_name["bao cao.pdf"].reason_en == ".pdf: not a data file type; save the sheet as .xlsx or .csv"
    assert by_name["bao cao.pdf"].reason_vi == ".pdf: không phải loại tệp dữ liệu; hãy lưu trang tính thành .xlsx hoặc .csv"
    assert "Excel lock file" in by_name["~$b.xlsx"].reason_en and "tệp khóa" in by_name["~$b.xlsx"].reason_vi
    assert "hidden" in by_name[".hidden.csv"].reason_en and "ẩn" in by_name[".hidden.csv"].reason_vi
    synthetic = by_name["_synthetic/"]
    assert synthetic.is_folder and "reserved for notes and generator truth" in synthetic.reason_en
    assert "(2 files)" in synthetic.reason_en and "(2 tệp)" in synthetic.reason_vi
    assert by_name["empty.csv"].reason_en == "empty file, no data"
    assert "extract" in by_name["hp.zip"].reason_en and "save it as .xlsx" in by_name["so.xlsb"].reason_en
    assert all(f.path == raw / f.relative.rstrip("/") for f in listed)
    # iter_raw_files: exactly the readable files, in the same order
    assert [p.relative_to(raw).as_posix() for p in iter_raw_files(raw)] == [
        f.relative for f in listed if f.status == "read"] == [
        "G.XLSM", "a.csv", "b.xlsx", "c.xls", "d.ods", "e.txt", "f.tsv", "sub/deeper/g.xls", "sub/f.csv"]


def test_files_are_ordered_by_path_parts_as_before(tmp_path):
    for name in ["a-b.csv", "a/b.csv", "a/c.csv"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x,y\n")
    assert [p.relative_to(tmp_path).as_posix() for p in iter_raw_files(tmp_path)] == [
        p.relative_to(tmp_path).as_posix() for p in sorted(tmp_path.rglob("*.csv"))]
