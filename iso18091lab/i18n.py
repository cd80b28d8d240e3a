"""Vietnamese and English labels and sentences for plots and reports (Vietnamese first)."""
from __future__ import annotations

LANGS = ("vi", "en")

TEXT: dict[str, dict[str, str]] = {
    # title block
    "synthetic_banner": {"vi": "DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA — không phải số liệu thật",
                         "en": "SYNTHETIC DATA / DỮ LIỆU MÔ PHỎNG — not real data"},
    "province": {"vi": "Tỉnh/Thành phố", "en": "Province"},
    "period": {"vi": "Giai đoạn", "en": "Period"},
    "data_source": {"vi": "Nguồn dữ liệu", "en": "Data source"},
    "generated": {"vi": "Ngày tạo", "en": "Generated"},
    "summary": {"vi": "Tóm tắt", "en": "Summary"},
    "methods": {"vi": "Ghi chú phương pháp", "en": "Methods note"},
    "figure": {"vi": "Hình", "en": "Figure"},
    "table": {"vi": "Bảng", "en": "Table"},
    "source_synthetic": {"vi": "dữ liệu mô phỏng do iso18091lab tạo ra", "en": "synthetic data made by iso18091lab"},
    "source_files": {"vi": "{n} tệp dữ liệu đầu vào", "en": "{n} input files"},
    # raters, groups, lights
    "self": {"vi": "Tự đánh giá", "en": "Self-assessment"},
    "council": {"vi": "Hội đồng thẩm định", "en": "Appraisal council"},
    "self_short": {"vi": "TĐG", "en": "S"},
    "council_short": {"vi": "HĐ", "en": "C"},
    "pilot": {"vi": "Thí điểm", "en": "Pilot"},
    "comparison": {"vi": "Đối chứng (chỉ ISO 9001)", "en": "Comparison (ISO 9001 only)"},
    "red": {"vi": "Đỏ", "en": "Red"},
    "yellow": {"vi": "Vàng", "en": "Yellow"},
    "green": {"vi": "Xanh", "en": "Green"},
    "na": {"vi": "Không đánh giá", "en": "Not assessed"},
    "red_letter": {"vi": "Đ", "en": "R"},
    "yellow_letter": {"vi": "V", "en": "Y"},
    "green_letter": {"vi": "X", "en": "G"},
    "na_letter": {"vi": "–", "en": "–"},
    "pillar": {"vi": "Trụ cột", "en": "Pillar"},
    "indicator": {"vi": "Chỉ số", "en": "Indicator"},
    "unit": {"vi": "Đơn vị", "en": "Body"},
    "year": {"vi": "Năm", "en": "Year"},
    "score_100": {"vi": "Điểm (thang 0–100)", "en": "Score (0–100 scale)"},
    "overall": {"vi": "Điểm tổng hợp", "en": "Overall score"},
    "share_scored": {"vi": "Tỷ lệ chỉ số có điểm", "en": "Share of indicators scored"},
    "rule": {"vi": "Quy tắc", "en": "Rule"},
    "rows": {"vi": "Số dòng", "en": "Rows"},
    "baseline": {"vi": "Năm gốc", "en": "Baseline"},
    "latest": {"vi": "Năm gần nhất", "en": "Latest"},
    "change": {"vi": "Thay đổi", "en": "Change"},
    "rank": {"vi": "Hạng", "en": "Rank"},
    # notebook titles
    "title_00_data_quality": {"vi": "Chất lượng dữ liệu", "en": "Data quality"},
    "title_10_scorecard": {"vi": "Bảng điểm theo đèn tín hiệu", "en": "Traffic-light scorecard"},
    # 00_data_quality
    "dq_s1": {"vi": "{n_bodies} đơn vị, {n_rows} điểm đã nhận ({years}); trung bình {share}% số chỉ số của bộ "
                    "chỉ số có điểm ở mỗi lượt đánh giá.",
              "en": "{n_bodies} bodies, {n_rows} scores accepted ({years}); on average {share}% of the catalog's "
                    "indicators were scored in each assessment."},
    "dq_s2": {"vi": "{n_quarantined} dòng bị cách ly vì vi phạm quy tắc kiểm tra (chi tiết ở Bảng 2); "
                    "{n_not_assessed} điểm được ghi là 'không đánh giá' (coi là thiếu, không tính là 0).",
              "en": "{n_quarantined} rows were quarantined for breaking a check (details in Table 2); "
                    "{n_not_assessed} scores were marked 'not assessed' (treated as missing, never zero)."},
    "dq_s3": {"vi": "{n_incomplete} lượt đánh giá (đơn vị × năm × bên chấm) thiếu từ 5 chỉ số trở lên.",
              "en": "{n_incomplete} assessments (body × year × rater) lack 5 or more indicators."},
    "dq_h_completeness": {"vi": "1. Mức đầy đủ theo đơn vị, năm và bên chấm",
                          "en": "1. Completeness by body, year and rater"},
    "dq_fig_completeness": {"vi": "Tỷ lệ chỉ số có điểm, theo đơn vị (hàng), năm và bên chấm (cột: TĐG = tự "
                                  "đánh giá, HĐ = hội đồng).",
                            "en": "Share of indicators scored, by body (rows), year and rater (columns: S = self, "
                                  "C = council)."},
    "dq_tab_missing": {"vi": "Các lượt đánh giá còn thiếu chỉ số.", "en": "Assessments with indicators missing."},
    "dq_h_quarantine": {"vi": "2. Các dòng bị cách ly và lý do", "en": "2. Quarantined rows and why"},
    "dq_fig_quarantine": {"vi": "Số dòng bị cách ly theo quy tắc bị vi phạm.",
                          "en": "Quarantined rows by the rule broken."},
    "dq_tab_quarantine": {"vi": "Các dòng bị cách ly: tệp, trang, dòng, cột, giá trị và lý do.",
                          "en": "Quarantined rows: file, sheet, row, column, value and reason."},
    "dq_no_quarantine": {"vi": "Không có dòng nào bị cách ly.", "en": "No row was quarantined."},
    "dq_h_indicators": {"vi": "3. Chỉ số ít được chấm", "en": "3. Indicators seldom scored"},
    "dq_tab_indicators": {"vi": "Mười chỉ số có tỷ lệ được hội đồng chấm điểm thấp nhất.",
                          "en": "The ten indicators the council scored least often."},
    "dq_m1": {"vi": "Dữ liệu đọc từ các tệp gốc bằng `iso18091lab ingest`; tệp gốc không bị sửa. Mỗi dòng hoặc được "
                    "nhận, hoặc bị cách ly kèm lý do, hoặc là bản trùng hoàn toàn (giữ một bản).",
              "en": "Data read from the raw files by `iso18091lab ingest`; raw files are never modified. Every row "
                    "is accepted, quarantined with its reason, or an exact duplicate (kept once)."},
    "dq_m2": {"vi": "Mức đầy đủ = số chỉ số có điểm / số chỉ số của bộ chỉ số ({n_catalog}). Một đơn vị có thể áp "
                    "dụng một phần bộ chỉ số; chỉ số thiếu không được tính là 0.",
              "en": "Completeness = indicators scored / indicators in the catalog ({n_catalog}). A body may use "
                    "part of the set; a missing indicator is never counted as zero."},
    "dq_m3": {"vi": "Điểm hội đồng là điểm thống nhất của hội đồng; điểm của từng thành viên chỉ dùng để đánh giá "
                    "độ tin cậy.",
              "en": "Council scores are the council's consensus; individual members' scores are used for "
                    "reliability only."},
    # 10_scorecard
    "sc_s1": {"vi": "Năm {latest}, điểm tổng hợp trung bình do hội đồng thẩm định là {council} (thang 0–100); "
                    "tự đánh giá trung bình {self_score}, cao hơn hội đồng {gap} điểm.",
              "en": "In {latest} the mean overall score given by the appraisal council was {council} (0–100 "
                    "scale); self-assessment averaged {self_score}, {gap} points above the council."},
    "sc_s2": {"vi": "Từ {baseline} đến {latest}, điểm hội đồng của nhóm thí điểm thay đổi trung bình {pilot} điểm, "
                    "nhóm đối chứng {comparison} điểm. Đây là mô tả, chưa phải đánh giá hiệu quả (xem báo cáo hiệu "
                    "quả thí điểm).",
              "en": "From {baseline} to {latest} the council score of pilot bodies changed by {pilot} points on "
                    "average, comparison bodies by {comparison}. This is descriptive, not an effect estimate "
                    "(see the effectiveness report)."},
    "sc_s3": {"vi": "Năm {latest} có {n_red} chỉ số bị hội đồng đánh giá màu đỏ ở {n_bodies_red} đơn vị; đơn vị "
                    "đứng đầu là {top}.",
              "en": "In {latest} the council rated {n_red} indicators red across {n_bodies_red} bodies; the "
                    "top-ranked body is {top}."},
    "sc_h_matrix": {"vi": "1. Ma trận đèn tín hiệu năm {year}", "en": "1. Traffic-light matrix, {year}"},
    "sc_fig_matrix": {"vi": "Đèn tín hiệu theo chỉ số (hàng) và đơn vị ({group}); mỗi đơn vị có hai cột: tự đánh "
                            "giá (trái) và hội đồng (phải). Chữ trong ô: X = xanh, V = vàng, Đ = đỏ, – = không đánh giá.",
                      "en": "Traffic lights by indicator (rows) and body ({group}); each body has two columns: "
                            "self (left) and council (right). Letters: G = green, Y = yellow, R = red, "
                            "– = not assessed."},
    "sc_h_pillars": {"vi": "2. Điểm theo trụ cột năm {year}", "en": "2. Pillar scores, {year}"},
    "sc_fig_pillars": {"vi": "Điểm trung bình theo trụ cột do hội đồng chấm (thang 0–100).",
                       "en": "Mean council score by pillar (0–100 scale)."},
    "sc_h_change": {"vi": "3. Thay đổi so với năm gốc", "en": "3. Change since baseline"},
    "sc_fig_change": {"vi": "Điểm tổng hợp của hội đồng: năm gốc (chấm tròn) và năm gần nhất (đầu mũi tên).",
                      "en": "Council overall score: baseline (dot) and latest year (arrow head)."},
    "sc_tab_change": {"vi": "Điểm tổng hợp của hội đồng ở năm gốc, năm gần nhất và thay đổi.",
                      "en": "Council overall score at baseline, latest year and change."},
    "sc_h_ranking": {"vi": "4. Xếp hạng năm {year}", "en": "4. Ranking, {year}"},
    "sc_fig_ranking": {"vi": "Điểm tổng hợp do hội đồng chấm năm {year}, theo đơn vị.",
                       "en": "Council overall score in {year}, by body."},
    "sc_tab_ranking": {"vi": "Xếp hạng theo điểm tổng hợp của hội đồng năm {year}.",
                       "en": "Ranking by council overall score in {year}."},
    "sc_h_red": {"vi": "5. Chỉ số màu đỏ — đầu vào cho chương trình hành động",
                 "en": "5. Red indicators — input to each action programme"},
    "sc_tab_red": {"vi": "Các chỉ số hội đồng đánh giá màu đỏ năm {year}, theo đơn vị.",
                   "en": "Indicators the council rated red in {year}, by body."},
    "sc_m1": {"vi": "Điểm trụ cột = trung bình điểm (thang 0–100) của các chỉ số đã chấm trong trụ cột; điểm tổng "
                    "hợp = trung bình các điểm trụ cột (mỗi trụ cột có trọng số như nhau).",
              "en": "Pillar score = mean 0–100 score of the indicators scored in the pillar; overall score = mean "
                    "of the pillar scores (each pillar weighs the same)."},
    "sc_m2": {"vi": "Quy đổi: điểm → thang 0–100 = 100 × điểm / điểm tối đa; đèn: dưới 40 đỏ, 40–70 vàng, từ 70 xanh; "
                    "chỉ có đèn → 20 / 55 / 85. Tiêu chuẩn không quy định điểm tổng; đây là giả định làm việc.",
              "en": "Conversion: points → 0–100 = 100 × points / maximum; lights: below 40 red, 40–70 yellow, "
                    "70 and above green; light only → 20 / 55 / 85. The standard defines no total; these are "
                    "working assumptions."},
    "sc_m3": {"vi": "Thay đổi và xếp hạng ở đây là mô tả. So sánh nhóm thí điểm với nhóm đối chứng cần phương pháp "
                    "trong báo cáo hiệu quả thí điểm.",
              "en": "Changes and rankings here are descriptive. Comparing pilot with comparison bodies needs the "
                    "methods of the effectiveness report."},
}

#: Column and value labels for tables shown in reports.
COLUMN_LABELS = {
    "unit": {"vi": "Đơn vị", "en": "Body"}, "year": {"vi": "Năm", "en": "Year"},
    "rater": {"vi": "Bên chấm", "en": "Rater"}, "group": {"vi": "Nhóm", "en": "Group"},
    "level": {"vi": "Cấp", "en": "Level"}, "scored": {"vi": "Có điểm", "en": "Scored"},
    "not_assessed": {"vi": "Không đánh giá", "en": "Not assessed"}, "missing": {"vi": "Thiếu", "en": "Missing"},
    "share_scored": {"vi": "Tỷ lệ có điểm", "en": "Share scored"}, "indicator": {"vi": "Chỉ số", "en": "Indicator"},
    "pillar": {"vi": "Trụ cột", "en": "Pillar"}, "name_vi": {"vi": "Tên chỉ số", "en": "Name (vi)"},
    "name_en": {"vi": "Tên tiếng Anh", "en": "Indicator"}, "score": {"vi": "Điểm", "en": "Score"},
    "baseline": {"vi": "Điểm năm gốc", "en": "Baseline score"},
    "latest": {"vi": "Điểm gần nhất", "en": "Latest score"},
    "baseline_year": {"vi": "Năm gốc", "en": "Baseline year"}, "latest_year": {"vi": "Năm gần nhất", "en": "Latest year"},
    "change": {"vi": "Thay đổi", "en": "Change"}, "rank": {"vi": "Hạng", "en": "Rank"},
    "n_red": {"vi": "Số chỉ số đỏ", "en": "Red indicators"}, "indicators": {"vi": "Chỉ số", "en": "Indicators"},
    "file": {"vi": "Tệp", "en": "File"}, "sheet": {"vi": "Trang", "en": "Sheet"}, "row": {"vi": "Dòng", "en": "Row"},
    "column": {"vi": "Cột", "en": "Column"}, "value": {"vi": "Giá trị", "en": "Value"},
    "reason_vi": {"vi": "Lý do", "en": "Reason (vi)"}, "reason_en": {"vi": "Lý do (tiếng Anh)", "en": "Reason"},
    "n_indicators": {"vi": "Số chỉ số", "en": "Indicators"}, "n_pillars": {"vi": "Số trụ cột", "en": "Pillars"},
    "unit_code": {"vi": "Mã", "en": "Code"}, "scored_share": {"vi": "Tỷ lệ", "en": "Share"},
}
VALUE_LABELS = {"rater": ("self", "council"), "group": ("pilot", "comparison")}


def localise(frame, lang: str = "vi"):
    """A copy of ``frame`` with column names and rater/group values in ``lang``."""
    out = frame.copy()
    for column, values in VALUE_LABELS.items():
        if column in out:
            out[column] = out[column].map(lambda v: t(v, lang) if v in values else v)
    return out.rename(columns={c: COLUMN_LABELS[c][lang] for c in out.columns if c in COLUMN_LABELS})


def t(key: str, lang: str = "vi", **values) -> str:
    """The text for ``key`` in ``lang`` (falls back to Vietnamese), with ``values`` filled in."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {LANGS}")
    entry = TEXT[key]
    return entry.get(lang, entry["vi"]).format(**values)


def number(value: float, lang: str = "vi", digits: int = 1) -> str:
    """A number as readers of ``lang`` write it: 7,5 in Vietnamese, 7.5 in English."""
    if value != value:
        return "–"
    text = f"{value:,.{digits}f}"
    if lang == "vi":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text
