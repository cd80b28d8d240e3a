"""The Excel scoring workbook a body fills in (``iso18091lab template``).

Sheets: "Hướng dẫn" (instructions in Vietnamese and English), "Chấm điểm" (one row per indicator
of the catalog, with drop-down lists for the rater and the traffic light and validation of score
ranges), "Danh mục chỉ số" (the catalog). Ingest reads the filled workbook back unchanged: the
scoring sheet is recognised from its headers, the other two are reported as skipped.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import xlsxwriter

from .catalog import load_catalog

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


def write_template(path: str | Path, catalog: pd.DataFrame | str | Path | None = None, province: str = "",
                   unit: str = "", year: int | str = "", rater: str = "") -> Path:
    """Write a scoring workbook for one body (fields left blank are filled in by hand)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not isinstance(catalog, pd.DataFrame):
        catalog = load_catalog(catalog)
    book = xlsxwriter.Workbook(str(path))
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

    listing = book.add_worksheet("Danh mục chỉ số")
    columns = ["indicator", "pillar", "pillar_name_vi", "name_vi", "name_en", "max_score"]
    labels = ["Chỉ số", "Trụ cột", "Tên trụ cột", "Tên chỉ số", "Indicator (working title)", "Điểm tối đa"]
    for c, label in enumerate(labels):
        listing.write_string(0, c, label, head)
    for r, row in enumerate(catalog[columns].itertuples(index=False), start=1):
        listing.write_string(r, 0, row.indicator)
        listing.write_number(r, 1, int(row.pillar))
        listing.write_string(r, 2, row.pillar_name_vi)
        listing.write_string(r, 3, row.name_vi)
        listing.write_string(r, 4, row.name_en)
        listing.write_number(r, 5, float(row.max_score))
    book.close()
    return path
