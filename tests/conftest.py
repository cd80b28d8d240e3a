"""Shared fixtures: a messy workbook that mixes every kind of mess, and a synthetic dataset."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import openpyxl
import pytest

from iso18091lab.intake.pipeline import ingest
from iso18091lab.run.workbench import small_design  # noqa: F401 - one small design for demo --small and tests
from iso18091lab.synthetic.write import write_synthetic

UNIT_ROWS = [
    # province, unit, code, level, group, pilot start
    ("Hải Phòng", "quận Hồng Bàng", "303", "quận", "thí điểm", 2022),
    ("Hải Phòng", "phường Hoàng Văn Thụ", "11311", "phường", "Thí điểm", 2022),
    ("Hải Phòng", "quận Lê Chân", 305, "Quận", "Đối chứng", None),          # code typed as a number
    ("Quảng Ninh", "phường Hồng Gai", "06658", "phường", "thí điểm", 2024),  # leading zero kept (text)
    ("Quảng Ninh", "phường Bãi Cháy", 6661, "phường", "đối chứng", None),    # number: padded to 06661
    ("Quảng Ninh", "huyện Ba Chẽ", "202", "huyện", "đối chứng", None),
    ("Quảng Ninh", "thị trấn Ba Chẽ", "07090", "thị trấn", "đối chứng", None),
    ("Quảng Ninh", "xã Lạ", "07999", "làng", "đối chứng", None),            # bad level -> quarantined
]

NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731

# (province, unit, code, year, rater, indicator, score, rating) -> expectation (rule, or None if accepted)
MESSY_ROWS = [
    (("Hải Phòng", "UBND quận Hồng Bàng", "", 2023, "Tự đánh giá", "1.1", "7,5", ""), None),
    ((NFD("Hải Phòng"), NFD("Q. Hồng Bàng"), "", "2023", "  hội   đồng ", "1.1", 6, ""), None),
    (("TP. Hải Phòng", "Hong Bang", "", 2023, "Thẩm định", "1.2", "", "V"), None),
    "EMPTY",
    (("Hải Phòng", "phường Hoàng Văn Thụ", "", 2023, "self", "1.10", "  8 ", ""), None),
    (("Hải Phòng", "P. Hoàng Văn Thụ", "", 2023, "tự đánh giá", "2.1", "", "Đ"), None),
    (("Hải Phòng", "Hồng Bàng", "", 2023, "Tự đánh giá", "2.1", 11, ""), "score_out_of_range"),
    (("Hải Phòng", "quận Hồng Bàng", "", 2023, "Tự đánh giá", "9.9", 5, ""), "unknown_indicator"),
    (("Hải Phòng", "quận Hồng Bàg", "", 2023, "Tự đánh giá", "2.2", 5, ""), "unknown_unit"),
    (("Hải Phòng", "quận Hồng Bàng", "", 2023, "Tự đánh giá", "1.1", "7.5", ""), "duplicate"),
    (("Hải Phòng", "phường Hoàng Văn Thụ", "", 2023, "hội đồng", "3.1", 5, ""), "conflicting_duplicate"),
    (("Hải Phòng", "phường Hoàng Văn Thụ", "", 2023, "hội đồng", "3.1", 6, ""), "conflicting_duplicate"),
    (("Hải Phòng", "phường Hoàng Văn Thụ", "", 2023, "hội đồng", "3.2", "", "không đánh giá"), None),
    (("Hải Phòng", "phường Hoàng Văn Thụ", "", 2023, "khách", "3.3", 5, ""), "bad_rater"),
    (("Hải Phòng", "phường Hoàng Văn Thụ", "", "hai nghìn", "hội đồng", "3.3", 5, ""), "bad_year"),
    (("Hải Phòng", "phường Hoàng Văn Thụ", "", 2023, "hội đồng", "3.4", "", "tím"), "bad_rating"),
    (("Hải Phòng", "phường Hoàng Văn Thụ", "", 2023, "hội đồng", "3.5", "", ""), "missing_score"),
    (("Hà Nội", "quận Hồng Bàng", "", 2023, "hội đồng", "3.5", 4, ""), "unknown_province"),
    (("Hải Phòng", "phường Hoàng Văn Thụ", "", 2023, "hội đồng", "3.6", "abc", ""), "bad_score"),
    (("Quảng Ninh", "", "06658", 2024, "hội đồng", "4.1", 9, ""), None),
    (("Quảng Ninh", "Ba Chẽ", "", 2024, "hội đồng", "4.1", 3, ""), "ambiguous_unit"),
    (("Quảng Ninh", "TT. Ba Chẽ", "", 2024, "hội đồng", "4.1", 3, ""), None),
    (("Quang Ninh", "Bai Chay", "", 2024, "Hội đồng", "4.2", "", "xanh"), None),
    (("Quảng Ninh", "phường Bãi Cháy", "", 2024, "Hội đồng", "4.3", 4, "không đánh giá"), "score_and_not_assessed"),
]
MESSY_FIRST_DATA_ROW = 4


def write_messy_workbook(path: Path) -> dict[int, str | None]:
    """Write the mixed-mess workbook; returns {spreadsheet row: expected rule or None}."""
    book = openpyxl.Workbook()
    guide = book.active
    guide.title = "Hướng dẫn"
    guide["A1"] = "Hướng dẫn điền phiếu: mỗi dòng là một chỉ số."
    guide["A2"] = "Không sửa tiêu đề cột."

    sheet = book.create_sheet("Chấm điểm")
    sheet["A1"] = "BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM BỘ CHỈ SỐ ISO 18091"
    sheet.merge_cells("A1:I1")
    for col, header in zip("ABCDEF", ["Tỉnh/Thành phố", "Đơn vị", "Mã đơn vị", "Năm", "Loại đánh giá", "Chỉ số"]):
        sheet[f"{col}2"] = header
        sheet.merge_cells(f"{col}2:{col}3")  # header merged over two rows
    sheet["G2"] = "Kết quả chấm"
    sheet.merge_cells("G2:H2")
    sheet["G3"], sheet["H3"], sheet["I2"] = "Điểm", "Mức", "Ghi chú"
    expected = {}
    row = MESSY_FIRST_DATA_ROW
    for item in MESSY_ROWS:
        if item == "EMPTY":
            row += 1
            continue
        values, rule = item
        for col, value in zip("ABCDEFGH", values):
            if value != "":
                sheet[f"{col}{row}"] = value
        sheet[f"F{row}"].number_format = "@"
        expected[row] = rule
        row += 1

    units = book.create_sheet("Danh sách đơn vị")
    units.append(["DANH SÁCH ĐƠN VỊ"])
    units.append(["Tỉnh/Thành phố", "Tên đơn vị", "Mã ĐVHC", "Cấp", "Nhóm", "Năm bắt đầu thí điểm"])
    for unit in UNIT_ROWS:
        units.append(list(unit))
    book.save(path)
    return expected


#: Test files handed out first to the xdist workers (``-n 2 --dist loadfile --no-loadscope-reorder``, the
#: Makefile's line), longest first, so that the short files fill the end of the run on both workers instead of one
#: worker finishing a long file alone; the other files follow in collection order. Measured on 2026-12-05 with
#: ``--durations=0``, one directory at a time at ``-n 0`` on a shared machine (load 5-10), seconds in brackets
#: (the two halves of the design matrix at ``-n 2``, each with its run's two kernels). Re-measure when a file
#: grows: a long file left out only starts when collection order reaches it.
LONGEST_FIRST = (
    "tests/test_designs.py",                      # (290) the mixed dataset's first half, one province
    "tests/test_designs_situations.py",           # (300) its second half, units without a group column
    "tests/render/test_national_notebooks.py",    # (340)
    "tests/render/test_notebooks.py",             # (190)
    "tests/render/test_html_browser.py",          # (160)
    "tests/render/test_packs.py",                 # (110)
    "tests/stats/test_references.py",             # (110)
    "tests/test_reliability_designs.py",          # (110)
    "tests/synthetic/test_write.py",              # (90, was test_model.py before the synthetic split)
    "tests/run/test_incremental.py",              # (90)
    "tests/render/test_effect_notebooks.py",      # (80)
    "tests/test_install.py",                      # (75)
    "tests/render/test_figures.py",               # (65)
    "tests/summaries/test_national.py",           # (65)
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """In an xdist worker (whose collection order the scheduler keeps when it does not reorder): the files of
    :data:`LONGEST_FIRST` first, in that order; a stable sort, so the order within a file is kept."""
    if hasattr(config, "workerinput"):
        rank = {path: k for k, path in enumerate(LONGEST_FIRST)}
        items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


@pytest.fixture
def messy_raw(tmp_path: Path) -> tuple[Path, dict]:
    raw = tmp_path / "raw"
    raw.mkdir()
    expected = write_messy_workbook(raw / "tong hop.xlsx")
    return raw, expected


@pytest.fixture(scope="session")
def synthetic_raw(tmp_path_factory) -> tuple[Path, dict]:
    raw = tmp_path_factory.mktemp("synthetic_raw")
    manifest = write_synthetic(raw, seed=11)
    return raw, manifest


@pytest.fixture(scope="session")
def synthetic_ingest(synthetic_raw, tmp_path_factory):
    raw, _ = synthetic_raw
    processed = tmp_path_factory.mktemp("synthetic_processed")
    return ingest(raw, processed), processed


@pytest.fixture(scope="session")
def small_processed(tmp_path_factory) -> Path:
    """The small synthetic design, written as raw files and ingested."""
    root = tmp_path_factory.mktemp("small")
    write_synthetic(root / "raw", seed=5, design=small_design())
    ingest(root / "raw", root / "processed")
    return root

