"""The Excel workbooks a body or a Department fills in (``iso18091lab template``).

``--kind sheet`` (:func:`write_template`): the long scoring sheet described below; ``--kind form``
(:func:`write_form`): a per-body form (labelled cells above one row per indicator, a self and a council column);
``--kind units`` (:func:`write_units_template`): the units table (group, pilot start, start round).

Sheets: "Hướng dẫn" (instructions in Vietnamese and English), "Chấm điểm" (one row per indicator
of the catalog, with drop-down lists for the rater and the traffic light and validation of score
ranges), "Danh mục chỉ số" (the catalog). Ingest reads the filled workbook back unchanged: the
scoring sheet is recognised from its headers, the other two are reported as skipped.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import xlsxwriter

from iso18091lab.catalog import load_catalog

TEMPLATE_HEADERS = ["Tỉnh/Thành phố", "Đơn vị", "Mã đơn vị", "Năm", "Đợt", "Loại đánh giá", "Mã người chấm",
                    "Chỉ số", "Tên chỉ số (tham khảo)", "Điểm", "Mức", "Ghi chú"]
RATER_CHOICES = ["Tự đánh giá", "Hội đồng thẩm định"]
RATING_CHOICES = ["Xanh", "Vàng", "Đỏ", "Không đánh giá"]

INSTRUCTIONS = [
    "PHIẾU CHẤM ĐIỂM BỘ CHỈ SỐ TCVN ISO 18091:2020 / ISO 18091 SCORING WORKBOOK",
    "",
    "1. Điền vào trang 'Chấm điểm', mỗi dòng là một chỉ số. Không đổi tên các cột.",
    "   Fill in the 'Chấm điểm' sheet, one row per indicator. Do not rename the columns.",
    "2. Tỉnh/Thành phố, Đơn vị, Năm: ghi như trong danh sách đơn vị (có thể ghi mã đơn vị).",
    "   Province, unit, year: as in the units list (the unit code may be given instead).",
    "3. Loại đánh giá: chọn 'Tự đánh giá' hoặc 'Hội đồng thẩm định'. Khi từng thành viên hội đồng chấm riêng,",
    "   ghi mã thành viên ở cột 'Mã người chấm' (ví dụ TV01).",
    "   Rater: self-assessment or appraisal council; individual council members put their code in 'Mã người chấm'.",
    "4. Điểm: từ 0 đến điểm tối đa của chỉ số (xem trang 'Danh mục chỉ số'); có thể dùng dấu phẩy thập phân (7,5).",
    "   Score: 0 to the indicator's maximum; a decimal comma is accepted.",
    "5. Mức (đèn tín hiệu): Xanh = đạt mức tối thiểu chấp nhận được; Vàng = dưới mức chấp nhận được (có hoạt động",
    "   nhưng chưa có hệ thống); Đỏ = không chấp nhận được hoặc chưa có; Không đánh giá = chỉ số chưa được đánh giá.",
    "   Traffic light: green = minimum acceptable; yellow = below acceptable; red = unacceptable or none;",
    "   'Không đánh giá' = not assessed (treated as missing, never as zero).",
    "6. Ghi điểm, hoặc mức, hoặc cả hai. Chỉ số không áp dụng với đơn vị thì xóa dòng đó.",
    "   Give a score, a traffic light, or both. Delete the rows of indicators your body does not use.",
    "",
    "Tên chỉ số là tên tạm dịch (working titles); tên chính thức theo tiêu chuẩn TCVN ISO 18091:2020.",
]


def _new_workbook(path, catalog) -> tuple[Path, pd.DataFrame, "xlsxwriter.Workbook"]:
    """The output path (its folder made), the catalog (loaded unless given as a frame) and a new workbook."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not isinstance(catalog, pd.DataFrame):
        catalog = load_catalog(catalog)
    return path, catalog, xlsxwriter.Workbook(str(path))


def write_template(path: str | Path, catalog: pd.DataFrame | str | Path | None = None, province: str = "",
                   unit: str = "", year: int | str = "", rater: str = "") -> Path:
    """Write a scoring workbook for one body (fields left blank are filled in by hand)."""
    path, catalog, book = _new_workbook(path, catalog)
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    text = book.add_format({"num_format": "@"})
    locked = book.add_format({"num_format": "@", "font_color": "#555555"})

    guide = book.add_worksheet("Hướng dẫn")
    guide.set_column(0, 0, 120)
    for r, line in enumerate(INSTRUCTIONS):
        guide.write_string(r, 0, line, title if r == 0 else None)

    sheet = book.add_worksheet("Chấm điểm")
    sheet.write_string(0, 0, "BẢNG CHẤM ĐIỂM BỘ CHỈ SỐ TCVN ISO 18091:2020", title)
    for c, header in enumerate(TEMPLATE_HEADERS):
        sheet.write_string(2, c, header, head)
    widths = [16, 28, 11, 8, 6, 20, 14, 8, 48, 8, 16, 30]
    for c, width in enumerate(widths):
        sheet.set_column(c, c, width, text if c in (2, 6, 7) else None)
    first, last = 3, 3 + len(catalog) - 1
    for r, row in enumerate(catalog.itertuples(index=False), start=first):
        values = [province, unit, "", year, 1, rater, ""]
        for c, value in enumerate(values):
            if value != "":
                (sheet.write_number if isinstance(value, int) else sheet.write_string)(r, c, value)
        sheet.write_string(r, 7, row.indicator, locked)
        sheet.write_string(r, 8, f"{row.name_vi} / {row.name_en}", locked)
        sheet.data_validation(r, 9, r, 9, {
            "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": float(row.max_score),
            "error_title": "Điểm không hợp lệ", "error_message": f"Điểm từ 0 đến {row.max_score:g}"})
    sheet.data_validation(first, 5, last, 5, {"validate": "list", "source": RATER_CHOICES})
    sheet.data_validation(first, 10, last, 10, {"validate": "list", "source": RATING_CHOICES})
    sheet.data_validation(first, 3, last, 3, {"validate": "integer", "criteria": "between",
                                              "minimum": 1990, "maximum": 2100})
    sheet.freeze_panes(first, 2)
    _catalog_sheet(book, catalog, head)
    book.close()
    return path


# --------------------------------------------------------------------------- per-body form and units sheet

FORM_LABELS = ["Tỉnh/Thành phố:", "Đơn vị:", "Mã đơn vị:", "Năm:"]
UNIT_HEADERS = ["Tỉnh/Thành phố", "Tên đơn vị", "Mã đơn vị", "Cấp", "Nhóm", "Năm bắt đầu thí điểm",
                "Đợt bắt đầu thí điểm", "Tên khác"]
GROUP_CHOICES = ["Thí điểm", "Đối chứng"]
LEVEL_CHOICES = ["quận", "huyện", "thị xã", "thành phố", "phường", "xã", "thị trấn", "đặc khu"]


def _guide(book, title_format, keys: list[str]) -> None:
    from iso18091lab.i18n import t

    guide = book.add_worksheet("Hướng dẫn")
    guide.set_column(0, 0, 130)
    guide.write_string(0, 0, f"{t(keys[0], 'vi')} / {t(keys[0], 'en')}", title_format)
    row = 2
    for key in keys[1:]:
        guide.write_string(row, 0, t(key, "vi"))
        guide.write_string(row + 1, 0, "   " + t(key, "en"))
        row += 2
    guide.write_string(row + 1, 0, INSTRUCTIONS[-1])


def write_form(path: str | Path, catalog: pd.DataFrame | str | Path | None = None, province: str = "",
               unit: str = "", code: str = "", year: int | str = "", round_: int = 1, members: int = 0) -> Path:
    """Write a per-body scoring form: labelled cells (province, body, code, year, round) above one row per
    indicator, with a 'Tự đánh giá' and a 'Hội đồng thẩm định' column pair ('Điểm' / 'Mức') and one pair per
    council member (``members``: TV01 …), and a 'Tổng cộng' row. Ingest reads it back as a per-body form
    (:mod:`iso18091lab.intake.layouts`)."""
    from iso18091lab.i18n import t

    path, catalog, book = _new_workbook(path, catalog)
    title = book.add_format({"bold": True, "font_size": 14})
    label = book.add_format({"bold": True, "align": "right"})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "align": "center",
                            "valign": "vcenter"})
    text = book.add_format({"num_format": "@"})
    locked = book.add_format({"num_format": "@", "font_color": "#555555"})
    bold = book.add_format({"bold": True})
    _guide(book, title, ["tpl_form_title", "tpl_form_1", "tpl_form_2", "tpl_form_3", "tpl_form_4", "tpl_form_5"])

    sheet = book.add_worksheet("Phiếu chấm điểm")
    sheet.write_string(0, 0, t("tpl_form_title", "vi"), title)
    values = [province, unit, code, year]
    for r, (name, value) in enumerate(zip(FORM_LABELS, values), start=2):
        sheet.write_string(r, 0, name, label)
        if value != "":
            (sheet.write_number if isinstance(value, int) else sheet.write_string)(r, 1, value, text if r == 4 else
                                                                                    None)
    sheet.write_string(5, 2, "Đợt:", label)
    sheet.write_number(5, 3, int(round_))
    raters = ["Tự đánh giá", "Hội đồng thẩm định"] + [f"TV{k + 1:02d}" for k in range(members)]
    top = 7
    sheet.merge_range(top, 0, top + 1, 0, "Chỉ số", head)
    sheet.merge_range(top, 1, top + 1, 1, "Tên chỉ số (tham khảo)", head)
    for k, rater in enumerate(raters):
        sheet.merge_range(top, 2 + 2 * k, top, 3 + 2 * k, rater, head)
        sheet.write_string(top + 1, 2 + 2 * k, "Điểm", head)
        sheet.write_string(top + 1, 3 + 2 * k, "Mức", head)
    notes = 2 + 2 * len(raters)
    sheet.merge_range(top, notes, top + 1, notes, "Ghi chú", head)
    sheet.set_column(0, 0, 16, text)
    sheet.set_column(1, 1, 48)
    sheet.set_column(2, notes - 1, 11)
    sheet.set_column(notes, notes, 30)
    first = top + 2
    for r, row in enumerate(catalog.itertuples(index=False), start=first):
        sheet.write_string(r, 0, row.indicator, locked)
        sheet.write_string(r, 1, f"{row.name_vi} / {row.name_en}", locked)
        for k in range(len(raters)):
            sheet.data_validation(r, 2 + 2 * k, r, 2 + 2 * k, {
                "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": float(row.max_score),
                "error_title": "Điểm không hợp lệ", "error_message": f"Điểm từ 0 đến {row.max_score:g}"})
    last = first + len(catalog) - 1
    for k in range(len(raters)):
        sheet.data_validation(first, 3 + 2 * k, last, 3 + 2 * k, {"validate": "list", "source": RATING_CHOICES})
        column = xlsxwriter.utility.xl_col_to_name(2 + 2 * k)
        sheet.write_formula(last + 1, 2 + 2 * k, f'=IF(COUNT({column}{first + 1}:{column}{last + 1})=0,"",'
                                                 f'SUM({column}{first + 1}:{column}{last + 1}))', bold, "")
    sheet.write_string(last + 1, 0, "Tổng cộng", bold)
    sheet.freeze_panes(first, 2)
    _catalog_sheet(book, catalog, head)
    book.close()
    return path


def write_units_template(path: str | Path, province: str = "", rows: int = 100) -> Path:
    """Write a units workbook: one row per body with its group, pilot start and start round (drop-down lists for
    the level and the group); ingest reads it as the units table."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    text = book.add_format({"num_format": "@"})
    _guide(book, title, ["tpl_units_title", "tpl_units_1", "tpl_units_2", "tpl_units_3", "tpl_units_4"])
    sheet = book.add_worksheet("Danh sách đơn vị")
    from iso18091lab.i18n import t

    sheet.write_string(0, 0, t("tpl_units_title", "vi"), title)
    for c, header in enumerate(UNIT_HEADERS):
        sheet.write_string(2, c, header, head)
    for c, width in enumerate([16, 30, 11, 11, 11, 12, 12, 40]):
        sheet.set_column(c, c, width, text if c in (2, 7) else None)
    first, last = 3, 3 + rows - 1
    if province:
        for r in range(first, last + 1):
            sheet.write_string(r, 0, province)
    sheet.data_validation(first, 3, last, 3, {"validate": "list", "source": LEVEL_CHOICES})
    sheet.data_validation(first, 4, last, 4, {"validate": "list", "source": GROUP_CHOICES})
    for column in (5, 6):
        low, high = (1990, 2100) if column == 5 else (1, 1000)
        sheet.data_validation(first, column, last, column, {"validate": "integer", "criteria": "between",
                                                             "minimum": low, "maximum": high})
    sheet.freeze_panes(first, 2)
    book.close()
    return path


def _catalog_sheet(book, catalog: pd.DataFrame, head) -> None:
    listing = book.add_worksheet("Danh mục chỉ số")
    columns = ["indicator", "pillar", "pillar_name_vi", "name_vi", "name_en", "max_score"]
    labels = ["Chỉ số", "Trụ cột", "Tên trụ cột", "Tên chỉ số", "Indicator (working title)", "Điểm tối đa"]
    for c, name in enumerate(labels):
        listing.write_string(0, c, name, head)
    for r, row in enumerate(catalog[columns].itertuples(index=False), start=1):
        listing.write_string(r, 0, row.indicator)
        listing.write_number(r, 1, int(row.pillar))
        listing.write_string(r, 2, row.pillar_name_vi)
        listing.write_string(r, 3, row.name_vi)
        listing.write_string(r, 4, row.name_en)
        listing.write_number(r, 5, float(row.max_score))
