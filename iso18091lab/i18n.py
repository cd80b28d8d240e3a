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
    # what cannot be estimated, and why (stats.NotEstimable reasons: "ne_" + reason)
    "not_estimable": {"vi": "Không ước lượng được", "en": "Cannot be estimated"},
    "partial": {"vi": "một phần", "en": "partial"},
    "ne_no_comparison": {"vi": "dữ liệu không có đơn vị đối chứng (chỉ áp dụng ISO 9001), nên không so sánh được "
                               "đơn vị thí điểm với đơn vị tương tự",
                         "en": "the data has no comparison bodies (ISO 9001 only), so pilot bodies cannot be "
                               "compared with similar bodies"},
    "ne_no_pilot": {"vi": "dữ liệu không có đơn vị thí điểm", "en": "the data has no pilot bodies"},
    "ne_no_groups": {"vi": "không biết đơn vị nào thí điểm, đơn vị nào đối chứng: thiếu danh sách đơn vị hoặc cột "
                           "“Nhóm”", "en": "it is not known which bodies are pilots and which are comparison "
                                          "bodies: the units table or its “Nhóm / group” column is missing"},
    "ne_one_wave": {"vi": "chỉ có một đợt đánh giá ({wave}); cần ít nhất hai đợt", "en": "there is only one "
                    "assessment wave ({wave}); at least two are needed"},
    "ne_no_pre_wave": {"vi": "không đơn vị thí điểm nào được đánh giá trước khi bắt đầu thí điểm",
                       "en": "no pilot body was assessed before its pilot started"},
    "ne_no_post_wave": {"vi": "chưa có đợt đánh giá nào trong thời gian thí điểm",
                        "en": "there is no assessment wave under the pilot yet"},
    "ne_no_members": {"vi": "không có điểm chấm riêng của từng thành viên hội đồng",
                      "en": "there are no individual council members' scores"},
    "ne_no_self": {"vi": "không có điểm tự đánh giá", "en": "there are no self-assessment scores"},
    "ne_no_council": {"vi": "không có điểm của hội đồng thẩm định", "en": "there are no appraisal council scores"},
    "ne_no_outcomes": {"vi": "không có bảng chỉ tiêu kết quả bên ngoài (mức hài lòng, hồ sơ đúng hạn…)",
                       "en": "there is no table of external outcomes (satisfaction, on-time procedures…)"},
    "ne_no_lights": {"vi": "không có đèn tín hiệu nào để so sánh", "en": "there are no traffic lights to compare"},
    "ne_one_province": {"vi": "tổng hợp toàn quốc cần ít nhất hai tỉnh/thành phố; dữ liệu có {n}",
                        "en": "a national synthesis needs at least two provinces; the data has {n}"},
    "ne_few_estimable": {"vi": "tổng hợp toàn quốc cần ít nhất hai tỉnh/thành phố có ước lượng; chỉ {n} trong {k} tỉnh "
                               "ước lượng được (lý do ở báo cáo hiệu quả của từng tỉnh)",
                         "en": "a national synthesis needs estimates from at least two provinces; only {n} of {k} "
                               "provinces could be estimated (see each province's effectiveness report for why)"},
    "ne_too_few": {"vi": "quá ít dữ liệu ({detail})", "en": "too little data ({detail})"},
    "ne_no_data": {"vi": "không có dữ liệu chấm điểm nào được chấp nhận cho tỉnh/thành phố này",
                   "en": "no assessment data was accepted for this province"},
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
    "dq_s2": {"vi": "{n_quarantined} dòng của tỉnh/thành phố này bị cách ly vì vi phạm quy tắc kiểm tra, và "
                    "{n_unattributed} dòng không xác định được tỉnh/thành phố (mục 3); {n_not_assessed} điểm được "
                    "ghi là 'không đánh giá' (coi là thiếu, không tính là 0).",
              "en": "{n_quarantined} rows of this province were quarantined for breaking a check, and "
                    "{n_unattributed} rows could not be attributed to any province (section 3); {n_not_assessed} "
                    "scores were marked 'not assessed' (treated as missing, never zero)."},
    "dq_s4": {"vi": "{n_pilot} đơn vị thí điểm; {n_unusable} đơn vị không có đợt đánh giá nào trước khi bắt đầu thí "
                    "điểm nên không đưa vào so sánh được (mục 2).",
              "en": "{n_pilot} pilot bodies; {n_unusable} have no assessment wave before their pilot started, so "
                    "they cannot enter the comparison (section 2)."},
    "dq_s5": {"vi": "{n_matches} cách viết tên đơn vị không trùng khớp hoàn toàn với danh sách đơn vị đã được đối "
                    "chiếu (mục 4): hãy kiểm tra lại.",
              "en": "{n_matches} spellings of body names that differ from the units table were matched (section 4): "
                    "please check them."},
    "dq_no_units": {"vi": "Không có danh sách đơn vị: tên đơn vị được giữ như đã ghi, và không biết đơn vị nào thí "
                          "điểm, đơn vị nào đối chứng.",
                    "en": "There is no units table: body names are kept as typed, and it is not known which bodies "
                          "are pilots and which are comparison bodies."},
    "dq_h_timing": {"vi": "2. Thời điểm thí điểm của từng đơn vị", "en": "2. Pilot timing per body"},
    "dq_tab_timing": {"vi": "Các đợt đánh giá được tính là trước và trong thời gian thí điểm, theo đơn vị thí điểm "
                            "(năm bắt đầu thí điểm = năm của đợt đánh giá đầu tiên trong thí điểm).",
                      "en": "Waves counted as before and under the pilot, per pilot body (pilot start = the year of "
                            "the first assessment wave under the pilot)."},
    "dq_no_timing": {"vi": "Không có đơn vị thí điểm trong dữ liệu của tỉnh/thành phố này.",
                     "en": "There are no pilot bodies in this province's data."},
    "dq_h_unattributed": {"vi": "Các dòng bị cách ly không xác định được tỉnh/thành phố",
                          "en": "Quarantined rows that could not be attributed to a province"},
    "dq_tab_unattributed": {"vi": "Dòng bị cách ly không thuộc tỉnh/thành phố nào đã biết, với tỉnh/thành phố có khả "
                                  "năng nhất.",
                            "en": "Quarantined rows not attributable to a known province, with the likeliest "
                                  "province."},
    "dq_h_matches": {"vi": "4. Tên đơn vị được đối chiếu không hoàn toàn trùng khớp",
                     "en": "4. Body names matched that were not written exactly as in the units table"},
    "dq_tab_matches": {"vi": "Tên như đã ghi trong tệp → đơn vị trong danh sách, cách khớp và số dòng.",
                       "en": "Name as typed in the files → body in the units table, how it matched, and rows."},
    "dq_no_matches": {"vi": "Mọi tên đơn vị đều trùng khớp với danh sách đơn vị.",
                      "en": "Every body name was written as in the units table."},
    "dq_h_files": {"vi": "5. Các tệp đầu vào", "en": "5. Input files"},
    "dq_tab_files": {"vi": "Mọi tệp trong thư mục dữ liệu thô: đã đọc, bỏ qua (và vì sao) hoặc lỗi (và vì sao).",
                     "en": "Every file in the raw folder: read, skipped (and why) or failed (and why)."},
    "how_code": {"vi": "theo mã", "en": "by code"}, "how_name": {"vi": "theo tên (khác dấu/chữ hoa)",
                                                                 "en": "by name (diacritics/case differ)"},
    "how_short name": {"vi": "theo tên bỏ cấp (Q., P., …)", "en": "by name without its level word"},
    "status_ok": {"vi": "đã đọc", "en": "read"}, "status_skipped": {"vi": "bỏ qua", "en": "skipped"},
    "status_error": {"vi": "lỗi", "en": "failed"},
    "dq_s3": {"vi": "{n_incomplete} lượt đánh giá (đơn vị × năm × bên chấm) thiếu từ 5 chỉ số trở lên.",
              "en": "{n_incomplete} assessments (body × year × rater) lack 5 or more indicators."},
    "dq_h_completeness": {"vi": "1. Mức đầy đủ theo đơn vị, năm và bên chấm",
                          "en": "1. Completeness by body, year and rater"},
    "dq_fig_completeness": {"vi": "Tỷ lệ chỉ số có điểm, theo đơn vị (hàng), năm và bên chấm (cột: TĐG = tự "
                                  "đánh giá, HĐ = hội đồng).",
                            "en": "Share of indicators scored, by body (rows), year and rater (columns: S = self, "
                                  "C = council)."},
    "dq_tab_missing": {"vi": "Các lượt đánh giá còn thiếu chỉ số.", "en": "Assessments with indicators missing."},
    "dq_h_quarantine": {"vi": "3. Các dòng bị cách ly và lý do", "en": "3. Quarantined rows and why"},
    "dq_fig_quarantine": {"vi": "Số dòng bị cách ly theo quy tắc bị vi phạm.",
                          "en": "Quarantined rows by the rule broken."},
    "dq_tab_quarantine": {"vi": "Các dòng bị cách ly: tệp, trang, dòng, cột, giá trị và lý do.",
                          "en": "Quarantined rows: file, sheet, row, column, value and reason."},
    "dq_no_quarantine": {"vi": "Không có dòng nào bị cách ly.", "en": "No row was quarantined."},
    "dq_h_indicators": {"vi": "6. Chỉ số ít được chấm", "en": "6. Indicators seldom scored"},
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
    "sc_s1_one": {"vi": "Năm {latest}, điểm tổng hợp trung bình ({rater}) là {score} (thang 0–100).",
                  "en": "In {latest} the mean overall score ({rater}) was {score} (0–100 scale)."},
    "sc_s2_all": {"vi": "Từ {baseline} đến {latest}, điểm tổng hợp thay đổi trung bình {change} điểm. Đây là mô tả, "
                        "chưa phải đánh giá hiệu quả.",
                  "en": "From {baseline} to {latest} the overall score changed by {change} points on average. This "
                        "is descriptive, not an effect estimate."},
    "sc_s3_none": {"vi": "Năm {latest} không có chỉ số nào bị đánh giá màu đỏ; đơn vị đứng đầu là {top}.",
                   "en": "In {latest} no indicator was rated red; the top-ranked body is {top}."},
    "all_bodies": {"vi": "mọi đơn vị", "en": "all bodies"},
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
    # 20_reliability
    "title_20_reliability": {"vi": "Độ tin cậy của bộ chỉ số và của việc tự chấm điểm",
                             "en": "Reliability of the indicators and of self-scoring"},
    "rel_trust_all": {"vi": "Bộ chỉ số chấm được nhất quán: không chỉ số nào trong {n} chỉ số bị đánh dấu theo các quy "
                            "tắc ở mục 4 (mỗi quy tắc chỉ đánh dấu khi cả khoảng tin cậy vượt ngưỡng).",
                      "en": "The indicator set can be scored consistently: none of the {n} indicators is flagged by "
                            "the rules of section 4 (a rule fires only when the whole confidence interval clears it)."},
    "rel_trust_some": {"vi": "{n_ok} trong {n} chỉ số chấm được nhất quán; {k} chỉ số cần xem xét lại trước khi dùng "
                             "để so sánh: {list}.",
                       "en": "{n_ok} of {n} indicators can be scored consistently; {k} need review before they are "
                             "used for comparisons: {list}."},
    "rel_trust_unknown": {"vi": "Chưa đủ dữ liệu để kết luận độ tin cậy của bộ chỉ số ({why}).",
                          "en": "There is not enough data to judge the indicator set ({why})."},
    "rel_self_wide": {"vi": "Điểm tự chấm kém nhất quán với hội đồng ở {k} trong {n} chỉ số: đây là vấn đề của việc tự "
                            "chấm điểm nói chung, không phải của từng chỉ số.",
                      "en": "Self-scores are inconsistent with the council on {k} of {n} indicators: a problem of "
                            "self-scoring as a whole rather than of the indicators."},
    "rel_lenient": {"vi": "Các đơn vị tự chấm cao hơn hội đồng trung bình {est} điểm trên thang 0–100 (KTC 95%: {low} "
                          "đến {high}; {n} đơn vị). Đây là sự dễ dãi khi tự chấm, không phải do chỉ số kém tin cậy.",
                    "en": "Bodies score themselves {est} points above the council on the 0–100 scale (95% CI {low} "
                          "to {high}; {n} bodies). This is lenient self-scoring, not unreliable indicators."},
    "rel_strict": {"vi": "Các đơn vị tự chấm thấp hơn hội đồng trung bình {est} điểm trên thang 0–100 (KTC 95%: {low} "
                         "đến {high}; {n} đơn vị).",
                   "en": "Bodies score themselves {est} points below the council on the 0–100 scale (95% CI {low} to "
                         "{high}; {n} bodies)."},
    "rel_no_offset": {"vi": "Không thấy chênh lệch rõ giữa tự chấm và hội đồng: {est} điểm (KTC 95%: {low} đến {high}; "
                            "{n} đơn vị).",
                      "en": "No clear difference between self-scores and the council: {est} points (95% CI {low} to "
                            "{high}; {n} bodies)."},
    "rel_lenient_bodies": {"vi": "Đơn vị tự chấm cao nhất so với hội đồng: {list}.",
                           "en": "Bodies that score themselves highest relative to the council: {list}."},
    "rel_rollout_council": {"vi": "Khi mở rộng: điểm tự chấm cần được hội đồng thẩm định trước khi dùng để so sánh, "
                                  "xếp hạng hay khen thưởng.",
                            "en": "For a roll-out: self-scores need appraisal by a council before they are used "
                                  "to compare, rank or reward bodies."},
    "rel_rollout_raters": {"vi": "Để điểm một chỉ số của một đơn vị đạt độ tin cậy 0,8 cần {m8} thành viên hội đồng chấm "
                                 "độc lập (KTC 95%: {lo8}–{hi8}); đạt 0,9 cần {m9} ({lo9}–{hi9}).",
                           "en": "For one body's indicator score to reach a reliability of 0.8, a council needs {m8} "
                                 "members scoring independently (95% CI {lo8}–{hi8}); for 0.9, {m9} ({lo9}–{hi9})."},
    "rel_few_member_bodies": {"vi": "Lưu ý: chỉ {n} đơn vị có điểm chấm riêng của từng thành viên hội đồng (dưới {m}), "
                                    "nên số thành viên cần có và khoảng tin cậy của nó chỉ mang tính tham khảo; cần thu "
                                    "điểm chấm riêng ở nhiều đơn vị hơn.",
                              "en": "Caution: only {n} bodies have individual council members' scores (fewer than {m}), "
                                    "so the council size and its interval are indicative only; collect members' own "
                                    "scores for more bodies."},
    "rel_rollout_guidance": {"vi": "Chỉ số mà các thành viên hội đồng chấm khác nhau nhiều nhất, cần hướng dẫn chấm điểm "
                                   "rõ hơn: {list}.",
                             "en": "Indicators on which council members disagree most, candidates for sharper scoring "
                                   "guidance: {list}."},
    "rel_points": {"vi": "Tự chấm − hội đồng (điểm)", "en": "Self − council (points)"},
    "rel_h_q1": {"vi": "1. Chỉ số có chấm được nhất quán không?", "en": "1. Can the indicators be scored consistently?"},
    "rel_h_q2": {"vi": "2. Các đơn vị có tự chấm dễ dãi không?", "en": "2. Do bodies score themselves leniently?"},
    "rel_h_council": {"vi": "3. Hội đồng thẩm định cần bao nhiêu thành viên?",
                      "en": "3. How many appraisers does a council need?"},
    "rel_h_flags": {"vi": "4. Chỉ số cần xem xét lại và quy tắc đánh dấu", "en": "4. Indicators to review and the rules"},
    "rel_h_pooled": {"vi": "5. So sánh giữa các tỉnh", "en": "5. Across provinces"},
    "rel_sec_members": {"vi": "Độ thống nhất giữa các thành viên hội đồng", "en": "Agreement among council members"},
    "rel_sec_self_council": {"vi": "Tự chấm so với hội đồng", "en": "Self-scores against the council"},
    "rel_sec_items": {"vi": "Vị trí của chỉ số trong trụ cột", "en": "Indicators within their pillar"},
    "rel_sec_inflation": {"vi": "Mức tự chấm cao hơn hội đồng", "en": "Self-scoring above the council"},
    "rel_tab_review": {"vi": "Xem xét từng chỉ số: độ thống nhất giữa thành viên hội đồng (ICC(A,1)), tính nhất quán "
                             "tự chấm – hội đồng (ICC(C,1), không bị ảnh hưởng bởi mức chênh cố định), tương quan với "
                             "phần còn lại của trụ cột, và quy tắc đánh dấu.",
                       "en": "Indicator by indicator: council members' agreement (ICC(A,1)), self–council consistency "
                             "(ICC(C,1), unaffected by a constant offset), correlation with the rest of the pillar, "
                             "and the flag rules."},
    "rel_fig_icc_c1": {"vi": "Tính nhất quán tự chấm – hội đồng ICC(C,1) theo chỉ số, với KTC 95%; đường chấm ở 0,5 / "
                             "0,75 / 0,9 (Koo & Li). Màu cam: chỉ số bị đánh dấu.",
                       "en": "Self–council consistency ICC(C,1) by indicator with 95% CI; dotted lines at 0.5 / 0.75 / "
                             "0.9 (Koo & Li). Orange: flagged indicators."},
    "rel_tab_consistency": {"vi": "Alpha của Cronbach (KTC 95% theo Feldt) và omega của McDonald theo trụ cột "
                                  "(điểm hội đồng; mỗi đơn vị × đợt là một quan sát).",
                            "en": "Cronbach's alpha (Feldt 95% CI) and McDonald's omega by pillar (council scores; "
                                  "each body-wave is one observation)."},
    "rel_fig_consistency": {"vi": "Alpha theo trụ cột với KTC 95%; đường chấm ở 0,7 và 0,9.",
                            "en": "Alpha by pillar with 95% CI; dotted lines at 0.7 and 0.9."},
    "rel_tab_council": {"vi": "Độ thống nhất giữa các thành viên hội đồng chấm riêng, trên mọi chỉ số (REML giữ mọi điểm; "
                              "bên cạnh là cách chỉ dùng các đối tượng đủ điểm).",
                        "en": "Agreement among council members scoring separately, over all indicators (REML keeps "
                              "every score; beside it the complete-targets-only version)."},
    "rel_tab_inflation": {"vi": "Tự chấm − hội đồng (điểm, thang 0–100): chung, theo trụ cột và theo chỉ số, KTC 95% "
                                "bootstrap lấy mẫu lại theo đơn vị.",
                          "en": "Self − council (points, 0–100): overall, by pillar and by indicator, 95% CI from a "
                                "bootstrap resampling bodies."},
    "rel_fig_inflation": {"vi": "Tự chấm − hội đồng (điểm) chung và theo trụ cột, với KTC 95%; đường chấm ở 0.",
                          "en": "Self − council (points) overall and by pillar with 95% CI; dotted line at 0."},
    "rel_tab_inflation_body": {"vi": "Tự chấm − hội đồng theo đơn vị (điểm), đơn vị tự chấm cao nhất trước.",
                               "en": "Self − council by body (points), most lenient first."},
    "rel_fig_bland_altman": {"vi": "Biểu đồ Bland–Altman của điểm tổng hợp: chênh lệch tự đánh giá − hội đồng theo "
                                   "mức điểm; đường liền là độ chênh trung bình, đường đứt là giới hạn thống nhất 95%.",
                             "en": "Bland–Altman plot of the overall score: self − council against the mean; solid "
                                   "line the mean inflation, dashed lines the 95% limits of agreement."},
    "rel_tab_gstudy": {"vi": "Nghiên cứu khái quát hóa (G): các thành phần phương sai của điểm thành viên hội đồng (REML).",
                       "en": "Generalizability (G) study: variance components of council members' scores (REML)."},
    "rel_tab_raters": {"vi": "Nghiên cứu quyết định (D): độ tin cậy của điểm một chỉ số khi hội đồng có m thành viên "
                             "(KTC 95% bootstrap theo đơn vị).",
                       "en": "Decision (D) study: reliability of one indicator score from a council of m members "
                             "(95% CI, bootstrap over bodies)."},
    "rel_tab_disagree": {"vi": "Chỉ số mà thành viên hội đồng chấm khác nhau nhiều nhất.",
                         "en": "Indicators on which council members disagree most."},
    "rel_tab_flags": {"vi": "Chỉ số bị đánh dấu và quy tắc đã áp dụng.", "en": "Indicators flagged and the rules that fired."},
    "rel_tab_rules": {"vi": "Các quy tắc đánh dấu.", "en": "The flag rules."},
    "rel_s4_none": {"vi": "Không có chỉ số nào bị đánh dấu cần xem xét lại.", "en": "No indicator is flagged for review."},
    "rel_tab_pooled": {"vi": "Các số đo chính theo tỉnh và gộp chung (tính một lần cho cả lần chạy).",
                       "en": "Key measures by province and pooled (computed once per run)."},
    "rel_m1": {"vi": "ICC theo Shrout & Fleiss (1979), khoảng tin cậy theo McGraw & Wong (1996); diễn giải theo Koo & Li "
                     "(2016) trên cả khoảng tin cậy: dưới 0,5 kém, 0,5–0,75 trung bình, 0,75–0,9 tốt, trên 0,9 rất tốt; "
                     "khoảng trải qua hai mức ghi \"kém đến trung bình\", trải rộng hơn ghi \"chưa chắc chắn\".",
               "en": "ICC after Shrout & Fleiss (1979), confidence intervals after McGraw & Wong (1996); read with Koo & "
                     "Li (2016) over the whole CI: below 0.5 poor, 0.5–0.75 moderate, 0.75–0.9 good, above 0.9 "
                     "excellent; an interval over two bands reads \"poor to moderate\", a wider one \"uncertain\"."},
    "rel_m2": {"vi": "Tự chấm so với hội đồng dùng ICC(C,1) (nhất quán): mức chênh cố định không làm giảm nó. Mức chênh "
                     "được đo riêng bằng điểm. Alpha của Cronbach với KTC Feldt; omega của McDonald từ mô hình một "
                     "nhân tố (ML).",
               "en": "Self vs council uses ICC(C,1) (consistency): a constant offset does not lower it. The offset "
                     "is measured separately, in points. Cronbach's alpha with Feldt CI; McDonald's omega from a "
                     "one-factor ML model."},
    "rel_m3": {"vi": "Mỗi đơn vị × đợt là một quan sát; khoảng tin cậy của mức chênh dùng bootstrap lấy mẫu lại theo "
                     "đơn vị ({n} lần) nên các đợt của cùng một đơn vị luôn đi cùng nhau.",
               "en": "Each body-wave is one observation; the CI of the inflation uses a bootstrap that resamples "
                     "bodies ({n} times), keeping one body's waves together."},
    "rel_m4": {"vi": "Chỉ số bị đánh dấu khi cả khoảng tin cậy 95% vượt ngưỡng: ICC(A,1) giữa thành viên hội đồng < 0,5; "
                     "ICC(C,1) tự chấm – hội đồng < 0,5; tương quan với phần còn lại của trụ cột < 0,3; alpha tăng ít "
                     "nhất 0,02 khi bỏ chỉ số (và KTC của mức tăng trên 0); hoặc trên 15% điểm ở mức 0 hay 100.",
               "en": "An indicator is flagged when the whole 95% CI clears a threshold: council members' ICC(A,1) "
                     "< 0.5; self–council ICC(C,1) < 0.5; correlation with the rest of its pillar < 0.3; alpha rising "
                     "by at least 0.02 without it (with the gain's CI above 0); or more than 15% of scores at 0 or 100."},
    "rel_m5": {"vi": "Khi thiếu điểm, ICC theo thành phần phương sai REML (như psych::ICC của R, mặc định lmer) giữ mọi "
                     "điểm; ICC chỉ dùng đối tượng đủ điểm được ghi rõ bên cạnh. Số thành viên hội đồng cần có theo "
                     "nghiên cứu G/D: phương sai đơn vị, chỉ số, đơn vị × chỉ số, thành viên và sai số (REML).",
               "en": "With missing scores, the ICC from REML variance components (as R psych::ICC by default, lmer) "
                     "keeps every score; the complete-targets-only ICC is labelled beside it. Council size from a "
                     "G/D study: variance of bodies, indicators, body × indicator, members and error (REML)."},
    # 30_effectiveness
    "title_30_effectiveness": {"vi": "Hiệu quả thí điểm so với các đơn vị chỉ áp dụng ISO 9001",
                               "en": "Pilot effectiveness against bodies with ISO 9001 only"},
    "eff_s1": {"vi": "Trong thời gian thí điểm, điểm tổng hợp do hội đồng thẩm định chấm của các đơn vị thí điểm {direction} "
                     "{estimate} điểm (thang 0–100) so với các đơn vị tương tự chỉ áp dụng ISO 9001 trong cùng tỉnh "
                     "(KTC 95%: {low} đến {high}; p {p}, kiểm định hoán vị); trung bình trên {n_treated} lượt đơn vị × "
                     "đợt đánh giá trong thời gian thí điểm của {n_pilot} đơn vị thí điểm, so với {n_comparison} đơn "
                     "vị đối chứng.",
               "en": "Under the pilot, the overall score given by the appraisal council to pilot bodies {direction} "
                     "{estimate} points (0–100 scale) compared with similar bodies with ISO 9001 only in the same "
                     "province (95% CI {low} to {high}; p {p}, permutation test); the average over {n_treated} "
                     "body-waves under the pilot of {n_pilot} pilot bodies, against {n_comparison} comparison "
                     "bodies."},
    "bodies_needed_for": {"vi": "Số đơn vị cần để phát hiện {effect} điểm", "en": "Bodies to detect {effect} points"},
    "dir_up": {"vi": "tăng", "en": "rose by"}, "dir_down": {"vi": "giảm", "en": "fell by"},
    "eff_s1_assoc": {"vi": "Thí điểm không được phân công ngẫu nhiên: kết quả cho thấy thí điểm gắn với mức thay đổi "
                           "này, không chứng minh thí điểm là nguyên nhân.",
                     "en": "Pilots were not assigned at random: the pilot is associated with this change; this does "
                           "not prove that the pilot caused it."},
    "eff_pretrend_reject": {"vi": "CẢNH BÁO: kiểm định xu hướng trước thí điểm bác bỏ giả định xu hướng song song "
                                  "(p {p}; {n_placebo} đợt trước thí điểm được kiểm tra). Trước khi thí điểm, các đơn "
                                  "vị thí điểm đã thay đổi khác các đơn vị đối chứng, nên con số trên có thể phản ánh "
                                  "khác biệt sẵn có chứ không chỉ thí điểm.",
                            "en": "WARNING: the pre-trend test rejects parallel trends (p {p}; {n_placebo} pre-pilot "
                                  "waves tested). Before the pilot, pilot bodies already changed differently from "
                                  "comparison bodies, so the number above may reflect that difference, not only the "
                                  "pilot."},
    "eff_pretrend_ok": {"vi": "Kiểm định xu hướng trước thí điểm ({n_placebo} đợt trước thí điểm) không phát hiện khác "
                              "biệt (p {p}); điều đó không chứng minh xu hướng song song.",
                        "en": "The pre-trend test ({n_placebo} pre-pilot waves) finds no difference (p {p}); that does "
                              "not prove parallel trends."},
    "eff_s_twfe": {"vi": "Ước lượng phụ (hồi quy hiệu ứng cố định hai chiều): {estimate} điểm (KTC 95%: {low} đến "
                         "{high}). Khi các đơn vị bắt đầu ở các đợt khác nhau hoặc hiệu quả thay đổi theo thời gian, "
                         "đây là bình quân có trọng số, không phải hiệu quả trung bình.",
                   "en": "Secondary estimate (two-way fixed effects): {estimate} points (95% CI {low} to {high}). "
                         "When bodies start in different waves or effects change over time this is a weighted "
                         "average, not the average effect."},
    "eff_s_excluded": {"vi": "{n} đơn vị thí điểm không được đưa vào so sánh vì không có đợt đánh giá nào trước khi "
                             "bắt đầu thí điểm (xem Bảng về thời điểm thí điểm).",
                       "en": "{n} pilot bodies cannot enter the comparison because they were not assessed before their "
                             "pilot started (see the pilot timing table)."},
    "eff_s2": {"vi": "Theo trụ cột: {pillars}.", "en": "By pillar: {pillars}."},
    "eff_s3": {"vi": "{n_sig} trong {n_ind} chỉ số thay đổi rõ rệt sau khi hiệu chỉnh so sánh bội (q < 0,05).",
               "en": "{n_sig} of {n_ind} indicators changed clearly after adjusting for multiple comparisons "
                     "(q < 0.05)."},
    "eff_s4": {"vi": "Điểm tự đánh giá cho mức thay đổi {estimate} điểm (KTC 95%: {low} đến {high}); chỉ để tham khảo "
                     "vì tự đánh giá chính là việc thí điểm huấn luyện, nên cách tự chấm có thể thay đổi theo.",
               "en": "Self-assessed scores give {estimate} points (95% CI {low} to {high}); shown for reference only, "
                     "since self-assessment is what the pilot trains, so the way bodies score themselves may change."},
    "eff_h_timing": {"vi": "1. Thời điểm thí điểm: đơn vị không đưa vào so sánh",
                     "en": "1. Pilot timing: bodies that cannot enter the comparison"},
    "eff_tab_timing": {"vi": "Đơn vị thí điểm không được đưa vào so sánh và lý do.",
                       "en": "Pilot bodies left out of the comparison, and why."},
    "eff_timing_none": {"vi": "Mọi đơn vị thí điểm đều có ít nhất một đợt đánh giá trước khi bắt đầu thí điểm.",
                        "en": "Every pilot body was assessed at least once before its pilot started."},
    "excl_no_pre_wave": {"vi": "không có đợt đánh giá nào trước đợt đầu tiên thí điểm",
                         "en": "no assessment wave before its first wave under the pilot"},
    "excl_no_start": {"vi": "thiếu năm bắt đầu thí điểm", "en": "no pilot start"},
    "excl_no_group": {"vi": "không rõ nhóm (thí điểm/đối chứng)", "en": "group (pilot/comparison) unknown"},
    "eff_h_main": {"vi": "2. Kết quả chính và theo trụ cột", "en": "2. Main result and pillars"},
    "eff_fig_forest": {"vi": "Mức thay đổi ước tính so với đơn vị đối chứng trong cùng tỉnh, KTC 95%: điểm tổng hợp và "
                             "từng trụ cột; xanh = hội đồng (kết quả chính), cam = tự đánh giá (tham khảo).",
                       "en": "Estimated change against comparison bodies in the same province, 95% CI: overall and "
                             "pillars; blue = council (primary), orange = self-assessment (reference)."},
    "eff_tab_main": {"vi": "Kết quả theo điểm tổng hợp và trụ cột, kèm cỡ hiệu ứng (theo độ lệch chuẩn đợt đầu); dòng "
                           "“secondary” là ước lượng phụ bằng hiệu ứng cố định hai chiều.",
                     "en": "Results on the overall and pillar scores, with effect sizes (first-wave SD units); the "
                           "“secondary” row is the two-way fixed-effects estimate."},
    "eff_h_event": {"vi": "3. Theo thời gian: trước và trong thời gian thí điểm", "en": "3. Over time: before and "
                                                                                      "under the pilot"},
    "eff_fig_event": {"vi": "Chênh lệch so với đơn vị đối chứng theo số đợt kể từ khi bắt đầu thí điểm (0 = đợt đầu "
                            "tiên thí điểm; −1 = đợt ngay trước, mốc so sánh). Bên trái: các đợt trước thí điểm (kiểm "
                            "tra giả định, nên gần 0); bên phải: trong thời gian thí điểm. KTC 95%.",
                      "en": "Difference from comparison bodies by waves since the pilot start (0 = first wave under "
                            "the pilot; −1 = the wave just before, the reference). Left: pre-pilot waves (placebo "
                            "checks, should be near 0); right: under the pilot. 95% CI."},
    "eff_tab_event": {"vi": "Nghiên cứu sự kiện: ước lượng theo đợt kể từ khi bắt đầu thí điểm.",
                      "en": "Event study: estimates by waves since the pilot start."},
    "eff_h_indicators": {"vi": "4. Theo từng chỉ số (kết quả phụ)", "en": "4. By indicator (secondary)"},
    "eff_tab_indicators": {"vi": "Kết quả theo chỉ số (hội đồng chấm), kèm giá trị q (Benjamini–Hochberg).",
                           "en": "Results by indicator (council scores), with q-values (Benjamini–Hochberg)."},
    "eff_h_external": {"vi": "5. Chỉ tiêu bên ngoài", "en": "5. External outcomes"},
    "eff_tab_external": {"vi": "Kết quả trên các chỉ tiêu bên ngoài (hài lòng, đúng hạn, hồ sơ trực tuyến; %).",
                         "en": "Results on external outcomes (satisfaction, on time, online applications; %)."},
    "eff_h_prepost": {"vi": "6. Trước và trong thời gian thí điểm ở các đơn vị thí điểm",
                      "en": "6. Before and under the pilot in pilot bodies"},
    "eff_tab_prepost": {"vi": "Mỗi đơn vị thí điểm: đợt đánh giá cuối cùng trước khi bắt đầu so với trung bình các đợt "
                              "trong thời gian thí điểm (điểm tổng hợp, hội đồng): kiểm định dấu-hạng Wilcoxon, ước "
                              "lượng Hodges–Lehmann (như R wilcox.test) và trung bình (bootstrap). Không có nhóm đối "
                              "chứng nên không tách được xu hướng chung.",
                        "en": "Each pilot body: its last wave before its start against the mean of its waves under the "
                              "pilot (overall council score): Wilcoxon signed-rank test, Hodges–Lehmann estimate (as R "
                              "wilcox.test) and mean (bootstrap). Without a comparison group this cannot separate the "
                              "pilot from common trends."},
    "eff_h_caveats": {"vi": "Những điều cần lưu ý", "en": "Caveats"},
    "eff_c1": {"vi": "Các đơn vị thí điểm không được chọn ngẫu nhiên; so sánh dựa trên giả định xu hướng song song, nên "
                     "kết quả là mức thay đổi gắn với thí điểm, không phải bằng chứng nhân quả.",
               "en": "Pilot bodies were not chosen at random; the comparison rests on parallel trends, so results are "
                     "changes associated with the pilot, not proof of cause."},
    "eff_c2": {"vi": "Chỉ có một đợt đánh giá trước thí điểm nên không kiểm tra được xu hướng trước thí điểm.",
               "en": "With a single pre-pilot wave, pre-trends cannot be checked."},
    "eff_c3": {"vi": "Hội đồng biết đơn vị nào thí điểm; điểm tự đánh giá còn có thể thay đổi vì chính việc thí điểm.",
               "en": "The council knows which bodies are pilots; self-scores may change because of the pilot itself."},
    "eff_c4": {"vi": "Số đơn vị nhỏ ({n} đơn vị): khoảng tin cậy rộng là thông tin thật, không phải lỗi.",
               "en": "Few bodies ({n}): wide confidence intervals are real information, not a flaw."},
    "eff_m1": {"vi": "Kết quả chính: mức thay đổi trung bình trên các lượt đơn vị × đợt trong thời gian thí điểm (mỗi "
                     "lượt có trọng số như nhau), ước lượng bằng phương pháp ngoại suy (Borusyak, Jaravel & Spiess "
                     "2024): hiệu ứng cố định đơn vị và tỉnh × đợt ước lượng trên các lượt chưa thí điểm, rồi so sánh "
                     "điểm thực tế với điểm ngoại suy; mỗi đơn vị dùng đợt bắt đầu của chính mình. Sai số chuẩn theo "
                     "Định lý 3 của BJS (cụm theo đơn vị, hiệu chỉnh bỏ-một); giá trị p từ {n_perm} lần hoán vị nhóm "
                     "thí điểm và đợt bắt đầu giữa các đơn vị cùng tỉnh và cùng cấp (cấp để trống là một nhóm riêng).",
               "en": "Main result: the average change over the pilot body-waves under the pilot (each weighs the "
                     "same), by the imputation estimator (Borusyak, Jaravel & Spiess 2024): body and province × wave "
                     "effects fitted on body-waves not under the pilot, actual scores compared with imputed ones, each "
                     "body with its own start. SE from BJS Theorem 3 (clustered by body, leave-one-out); p from "
                     "{n_perm} re-assignments of pilot status and start wave among bodies of the same province and "
                     "level (a blank level is a group of its own)."},
    "eff_m2": {"vi": "Kiểm định xu hướng trước thí điểm: hồi quy các đợt chưa thí điểm có thêm biến giả cho từng đợt "
                     "trước thí điểm của đơn vị thí điểm (mốc: đợt ngay trước), kiểm định Wald F đồng thời với ma trận "
                     "hiệp phương sai cụm theo đơn vị (như diff-diff và BJS). Các phương pháp đã được đối chiếu với "
                     "diff-diff 3.13 và R; hiệu chuẩn bằng mô phỏng trong docs/methods.md.",
               "en": "Pre-trend test: the untreated body-waves regressed with dummies for each pre-pilot wave of pilot "
                     "bodies (reference: the wave just before), joint Wald F with a covariance clustered by body (as "
                     "diff-diff and BJS). Methods are checked against diff-diff 3.13 and R; calibration by "
                     "simulation in docs/methods.md."},
    "eff_m3": {"vi": "Giá trị q theo Benjamini–Hochberg trên các chỉ số; cỡ hiệu ứng = ước lượng / độ lệch chuẩn giữa các "
                     "đơn vị ở đợt đầu.",
               "en": "Benjamini–Hochberg q-values across indicators; effect size = estimate / SD between bodies in "
                     "their first wave."},
    # 40_national
    "title_40_national": {"vi": "Tổng hợp toàn quốc và bằng chứng cho đề xuất nhân rộng",
                          "en": "National synthesis and evidence for a roll-out"},
    "nat_s1": {"vi": "Gộp {k} tỉnh/thành phố (phân tích gộp hiệu ứng ngẫu nhiên, REML, hiệu chỉnh Hartung–Knapp): "
                     "trong thời gian thí điểm, điểm tổng hợp do hội đồng chấm của đơn vị thí điểm {direction} "
                     "{estimate} điểm so với đơn vị tương tự trong cùng tỉnh (KTC 95%: {low} đến {high}).",
               "en": "Pooling {k} provinces (random-effects meta-analysis, REML, Hartung–Knapp): under the pilot, the "
                     "council overall score of pilot bodies {direction} {estimate} points compared with similar bodies "
                     "in the same province (95% CI {low} to {high})."},
    "nat_s4_range": {"vi": "Với {k} tỉnh/thành phố, không ước lượng được mức khác biệt hiệu quả giữa các tỉnh (τ²), nên "
                           "không giả định τ² = 0: để phát hiện {effect} điểm (độ mạnh 80%, α = 5%, 1 đợt gốc và 2 đợt "
                           "sau, {m} đơn vị mỗi tỉnh) cần từ {low} đơn vị (nếu các tỉnh như nhau) đến {high} đơn vị "
                           "(nếu hiệu quả giữa các tỉnh lệch nhau {tau} điểm); xem bảng độ nhạy.",
                     "en": "With {k} province(s) the between-province variation of the effect (τ²) cannot be "
                           "estimated, so τ² = 0 is not assumed: detecting {effect} points (80% power, α = 5%, one "
                           "baseline and two follow-up waves, {m} bodies per province) needs from {low} bodies (if "
                           "provinces are alike) to {high} bodies (if province effects differ by an SD of {tau} "
                           "points); see the sensitivity table."},
    "nat_tab_sensitivity": {"vi": "Số đơn vị cần thiết theo mức khác biệt giả định giữa các tỉnh (τ = độ lệch chuẩn của "
                                  "hiệu quả thật giữa các tỉnh, điểm), 80% độ mạnh, α = 5%.",
                            "en": "Bodies needed by assumed between-province heterogeneity (τ = SD of the true effect "
                                  "between provinces, points), 80% power, α = 5%."},
    "nat_why_two": {"vi": "Tổng hợp toàn quốc cần ít nhất hai tỉnh/thành phố: với một tỉnh, không biết hiệu quả khác "
                          "nhau thế nào giữa các tỉnh, nên không thể nói gì cho cả nước.",
                    "en": "A national synthesis needs at least two provinces: with one, nothing is known about how "
                          "the effect varies between provinces, so nothing can be said for the country."},
    "nat_s2": {"vi": "Khác biệt giữa các tỉnh: τ² = {tau2}, I² = {i2}%; khoảng dự báo cho một tỉnh mới: {pi_low} đến "
                     "{pi_high} điểm.",
               "en": "Between provinces: τ² = {tau2}, I² = {i2}%; prediction interval for a new province: {pi_low} "
                     "to {pi_high} points."},
    "nat_s3": {"vi": "Chỉ số cần xem lại ở mọi tỉnh: {list}.", "en": "Indicators to review in every province: {list}."},
    "nat_s3_none": {"vi": "Không có chỉ số nào bị đánh dấu ở mọi tỉnh.", "en": "No indicator is flagged in every province."},
    "nat_s4": {"vi": "Để phát hiện hiệu quả {effect} điểm với độ mạnh 80% (α = 5%), một đánh giá toàn quốc với 1 năm gốc "
                     "và {post} năm sau cần khoảng {n} đơn vị (một nửa thí điểm), tính cả hệ số thiết kế {deff} do các "
                     "đơn vị nằm trong cùng tỉnh.",
               "en": "To detect an effect of {effect} points with 80% power (α = 5%), a national evaluation with one "
                     "baseline and {post} follow-up years needs about {n} bodies (half pilot), including a design "
                     "effect of {deff} for bodies within provinces."},
    "nat_strength": {"vi": "Mức độ chắc chắn của bằng chứng: {strength}.", "en": "Strength of the evidence: {strength}."},
    "strength_strong": {"vi": "mạnh — khoảng tin cậy và khoảng dự báo đều loại trừ 0",
                        "en": "strong — both the confidence and the prediction interval exclude 0"},
    "strength_moderate": {"vi": "trung bình — hiệu quả gộp khác 0 nhưng một tỉnh mới có thể không thấy hiệu quả",
                          "en": "moderate — the pooled effect differs from 0, but a new province might see none"},
    "strength_weak": {"vi": "yếu — với số tỉnh hiện có, chưa loại trừ được khả năng không có hiệu quả",
                      "en": "weak — with the provinces so far, no effect cannot be ruled out"},
    "nat_h_provinces": {"vi": "1. Hiệu quả theo tỉnh và gộp chung", "en": "1. Effects by province and pooled"},
    "nat_fig_provinces": {"vi": "Hiệu quả thí điểm trên điểm tổng hợp (hội đồng) theo tỉnh và gộp chung (REML, "
                                "Hartung–Knapp), KTC 95%.",
                          "en": "Pilot effect on the council overall score by province and pooled (REML, "
                                "Hartung–Knapp), 95% CI."},
    "nat_tab_provinces": {"vi": "Ước lượng theo tỉnh (sai khác kép trong cùng tỉnh) dùng để gộp.",
                          "en": "Province estimates (within-province DiD) that are pooled."},
    "nat_h_tiers": {"vi": "2. Theo cấp đơn vị: cấp huyện và cấp xã", "en": "2. By level: district and commune bodies"},
    "nat_fig_tiers": {"vi": "Hiệu quả theo cấp đơn vị (gộp các tỉnh cho từng cấp).",
                      "en": "Effects by body level (provinces pooled within each level)."},
    "nat_tab_tiers": {"vi": "Ước lượng theo tỉnh và cấp đơn vị, và kết quả gộp theo cấp.",
                      "en": "Estimates by province and level, and pooled by level."},
    "nat_h_heterogeneity": {"vi": "3. Khác biệt giữa các tỉnh và độ nhạy theo phương pháp",
                            "en": "3. Heterogeneity and sensitivity to the method"},
    "nat_tab_heterogeneity": {"vi": "Kết quả gộp theo các cách ước lượng τ² (DL, REML, Paule–Mandel), có và không có "
                                    "hiệu chỉnh Hartung–Knapp.",
                              "en": "Pooled results by τ² estimator (DL, REML, Paule–Mandel), with and without "
                                    "Hartung–Knapp."},
    "nat_h_indicators": {"vi": "4. Chỉ số cần xem lại ở mọi tỉnh", "en": "4. Indicators to review in every province"},
    "nat_tab_indicators": {"vi": "Chỉ số bị đánh dấu cần xem xét, theo tỉnh.", "en": "Indicators flagged for review, by province."},
    "nat_h_power": {"vi": "5. Cỡ mẫu cho đánh giá toàn quốc", "en": "5. Sample size for a national evaluation"},
    "nat_fig_power": {"vi": "Hiệu quả nhỏ nhất phát hiện được (80% độ mạnh, α = 5%) theo tổng số đơn vị, với 1 năm gốc "
                            "và 1, 2 hoặc 3 năm sau; tham số ước lượng từ dữ liệu đã nạp.",
                      "en": "Minimum detectable effect (80% power, α = 5%) by total bodies, with one baseline and 1, 2 "
                            "or 3 follow-up years; inputs estimated from the loaded data."},
    "nat_tab_power": {"vi": "Số đơn vị cần thiết theo hiệu quả muốn phát hiện.", "en": "Bodies needed by effect to detect."},
    "nat_tab_inputs": {"vi": "Tham số dùng cho tính cỡ mẫu (ước lượng từ các đơn vị đối chứng).",
                       "en": "Inputs of the sample-size calculation (estimated from comparison bodies)."},
    "nat_h_summary": {"vi": "6. Tóm tắt một trang: phát hiện và mức độ chắc chắn",
                      "en": "6. One-page summary: findings and their strength"},
    "nat_m1": {"vi": "Mỗi tỉnh: mức thay đổi trung bình trên các lượt đơn vị × đợt trong thời gian thí điểm (phương pháp "
                     "ngoại suy BJS, hiệu ứng cố định đơn vị và đợt, sai số chuẩn cụm theo đơn vị). Gộp: phân tích gộp "
                     "hiệu ứng ngẫu nhiên, τ² theo REML, khoảng tin cậy Hartung–Knapp (t với k − 1 bậc tự do), khoảng "
                     "dự báo cho một tỉnh mới.",
               "en": "Each province: the average change over pilot body-waves under the pilot (BJS imputation "
                     "estimator, body and wave fixed effects, SE clustered by body). Pooled: random-effects "
                     "meta-analysis, REML τ², Hartung–Knapp CI (t with k − 1 df), prediction interval for a new "
                     "province."},
    "nat_m2": {"vi": "Cỡ mẫu: phương sai của sai khác kép trên điểm trung bình đơn vị với tương quan chuỗi (Burlig, "
                     "Preonas & Woerman 2020), nhân với hệ số thiết kế 1 + (m − 1)·ICC cho {m} đơn vị mỗi tỉnh; ICC "
                     "là tỷ lệ khác biệt hiệu quả giữa các tỉnh (τ²) trong phương sai thay đổi của một đơn vị, vì cú "
                     "sốc chung của tỉnh đã bị loại bởi hiệu ứng cố định tỉnh × năm.",
               "en": "Sample size: variance of a DiD on body means with serial correlation (Burlig, Preonas & Woerman "
                     "2020), times a design effect 1 + (m − 1)·ICC for {m} bodies per province; the ICC is the share "
                     "of between-province effect heterogeneity (τ²) in a body's change variance, since province "
                     "shocks are removed by the province × year effects."},
    "nat_c1": {"vi": "Với ít tỉnh, τ² và I² rất không chắc chắn; khoảng Hartung–Knapp rộng là phản ánh đúng điều đó.",
               "en": "With few provinces τ² and I² are very uncertain; the wide Hartung–Knapp interval says so."},
    "nat_c2": {"vi": "Các đơn vị cấp huyện đã bị bãi bỏ từ 1/7/2025: kết quả cấp huyện mô tả thí điểm đã qua, không "
                     "áp dụng trực tiếp cho chính quyền hai cấp hiện nay.",
               "en": "District-level bodies were abolished on 1 July 2025: district results describe the past pilot "
                     "and do not transfer directly to today's two-level local government."},
    # evidence pack
    "ev_title": {"vi": "Hồ sơ bằng chứng thí điểm TCVN ISO 18091:2020", "en": "TCVN ISO 18091:2020 pilot evidence pack"},
    "ev_provenance": {"vi": "Nguồn gốc số liệu", "en": "Provenance"},
    "ev_findings": {"vi": "Những phát hiện chính", "en": "Key findings"},
    "ev_tables": {"vi": "Bảng kết quả", "en": "Result tables"},
    "ev_figures": {"vi": "Hình", "en": "Figures"},
    "ev_methods": {"vi": "Phương pháp và lưu ý", "en": "Methods and caveats"},
    "ev_caveats": {"vi": "Lưu ý", "en": "Caveats"},
    "ev_more_rows": {"vi": "… còn {n} dòng nữa trong bảng Excel kèm theo.",
                  "en": "… {n} more rows in the accompanying Excel workbook."},
    "ev_data_hash": {"vi": "Mã băm dữ liệu đầu vào (SHA-256)", "en": "Input data hash (SHA-256)"},
    "ev_created": {"vi": "Ngày tạo", "en": "Created"},
    "ev_version": {"vi": "Phiên bản iso18091lab", "en": "iso18091lab version"},
    "ev_seed": {"vi": "Hạt giống ngẫu nhiên", "en": "Random seed"},
    "ev_scope": {"vi": "Phạm vi", "en": "Scope"},
    "ev_about": {"vi": "Thông tin", "en": "About"},
}

REASONS = {
    "low_agreement": {"vi": "tự đánh giá và hội đồng ít thống nhất", "en": "low self–council agreement"},
    "members_disagree": {"vi": "các thành viên hội đồng chấm không thống nhất (ICC(A,1) < 0,5 với KTC 95%)",
                         "en": "council members disagree (ICC(A,1) < 0.5 with 95% confidence)"},
    "self_council_inconsistent": {"vi": "tự chấm và hội đồng không nhất quán (ICC(C,1) < 0,5 với KTC 95%)",
                                  "en": "self and council scores inconsistent (ICC(C,1) < 0.5 with 95% confidence)"},
    "weak_item_rest": {"vi": "tương quan yếu với các chỉ số khác của trụ cột (< 0,3 với KTC 95%)",
                       "en": "weak correlation with its pillar (< 0.3 with 95% confidence)"},
    "alpha_rises_if_dropped": {"vi": "alpha của trụ cột tăng ít nhất 0,02 khi bỏ chỉ số",
                               "en": "pillar alpha rises by at least 0.02 without it"},
    "floor_or_ceiling": {"vi": "trên 15% điểm ở mức 0 hoặc 100", "en": "over 15% of scores at 0 or 100"},
}

#: Column and value labels for tables shown in reports.
COLUMN_LABELS = {
    "body_label": {"vi": "Đơn vị", "en": "Body"}, "body_id": {"vi": "Mã định danh đơn vị", "en": "Body id"},
    "waves_before": {"vi": "Đợt trước thí điểm", "en": "Waves before the pilot"},
    "waves_under": {"vi": "Đợt trong thí điểm", "en": "Waves under the pilot"},
    "usable": {"vi": "Dùng được để so sánh", "en": "Usable in the comparison"},
    "pilot_start": {"vi": "Năm bắt đầu thí điểm", "en": "Pilot start"},
    "pilot_start_round": {"vi": "Đợt bắt đầu", "en": "Start round"},
    "typed": {"vi": "Tên như đã ghi", "en": "Name as typed"}, "matched": {"vi": "Khớp với đơn vị", "en": "Matched body"},
    "how": {"vi": "Cách khớp", "en": "Matched by"}, "province": {"vi": "Tỉnh/Thành phố", "en": "Province"},
    "province_suggested": {"vi": "Tỉnh/TP có khả năng nhất", "en": "Likeliest province"},
    "status": {"vi": "Trạng thái", "en": "Status"}, "table": {"vi": "Loại bảng", "en": "Table"},
    "rows_read": {"vi": "Dòng đã đọc", "en": "Rows read"}, "accepted": {"vi": "Nhận", "en": "Accepted"},
    "quarantined": {"vi": "Cách ly", "en": "Quarantined"}, "duplicates": {"vi": "Trùng", "en": "Duplicates"},
    "message": {"vi": "Ghi chú", "en": "Note"}, "wave": {"vi": "Đợt", "en": "Wave"},
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
    "k": {"vi": "Số chỉ số", "en": "Indicators"}, "n_body_years": {"vi": "Số đơn vị × năm", "en": "Body-years"},
    "alpha": {"vi": "Alpha", "en": "Alpha"}, "alpha_ci_low": {"vi": "Alpha: cận dưới", "en": "Alpha: lower"},
    "alpha_ci_high": {"vi": "Alpha: cận trên", "en": "Alpha: upper"}, "omega": {"vi": "Omega", "en": "Omega"},
    "icc_a1": {"vi": "ICC(A,1)", "en": "ICC(A,1)"}, "icc_ci_low": {"vi": "ICC: cận dưới", "en": "ICC: lower"},
    "icc_ci_high": {"vi": "ICC: cận trên", "en": "ICC: upper"}, "icc_band": {"vi": "Mức", "en": "Band"},
    "inflation": {"vi": "Chênh TĐG − HĐ", "en": "Self − council"},
    "inflation_ci_low": {"vi": "Chênh: cận dưới", "en": "Inflation: lower"},
    "inflation_ci_high": {"vi": "Chênh: cận trên", "en": "Inflation: upper"},
    "n_bodies": {"vi": "Số đơn vị", "en": "Bodies"}, "n": {"vi": "n", "en": "n"},
    "kappa_w": {"vi": "Kappa (tuyến tính)", "en": "Kappa (linear)"}, "kappa_band": {"vi": "Mức kappa", "en": "Kappa band"},
    "mean_self_minus_council": {"vi": "Chênh trung bình", "en": "Mean difference"},
    "measure": {"vi": "Số đo", "en": "Measure"}, "ci_low": {"vi": "Cận dưới", "en": "Lower"},
    "ci_high": {"vi": "Cận trên", "en": "Upper"}, "n_targets": {"vi": "Số đối tượng", "en": "Targets"},
    "n_raters": {"vi": "Số người chấm", "en": "Raters"}, "reasons": {"vi": "Lý do", "en": "Reasons"},
    "item_rest_r": {"vi": "Tương quan với trụ cột", "en": "Item-rest r"},
    "alpha_if_deleted": {"vi": "Alpha nếu bỏ", "en": "Alpha if deleted"},
    "pillar_alpha": {"vi": "Alpha trụ cột", "en": "Pillar alpha"},
    "floor_share": {"vi": "Tỷ lệ sàn", "en": "Floor share"}, "ceiling_share": {"vi": "Tỷ lệ trần", "en": "Ceiling share"},
    "province": {"vi": "Tỉnh/Thành phố", "en": "Province"}, "flagged": {"vi": "Chỉ số cần xem xét", "en": "Flagged"},
    "alpha_min": {"vi": "Alpha nhỏ nhất", "en": "Lowest alpha"},
    "outcome": {"vi": "Kết quả", "en": "Outcome"}, "estimate": {"vi": "Ước lượng", "en": "Estimate"},
    "p_value": {"vi": "p", "en": "p"}, "q_value": {"vi": "q", "en": "q"}, "method": {"vi": "Phương pháp", "en": "Method"},
    "n_pilot": {"vi": "Số đơn vị thí điểm", "en": "Pilot bodies"},
    "n_comparison": {"vi": "Số đơn vị đối chứng", "en": "Comparison bodies"},
    "effect_size": {"vi": "Cỡ hiệu ứng (SD)", "en": "Effect size (SD)"}, "se": {"vi": "Sai số chuẩn", "en": "SE"},
    "event_time": {"vi": "Số đợt kể từ khi bắt đầu thí điểm", "en": "Waves since the pilot start"},
    "kind": {"vi": "Loại", "en": "Kind"}, "body_label": {"vi": "Đơn vị", "en": "Body"},
    "reason": {"vi": "Lý do", "en": "Reason"}, "n_treated": {"vi": "Số lượt đơn vị × đợt thí điểm",
                                                          "en": "Body-waves under the pilot"},
    "tau": {"vi": "τ giả định (điểm)", "en": "Assumed τ (points)"}, "icc": {"vi": "ICC (tỉnh)", "en": "ICC (province)"},
    "design_effect": {"vi": "Hệ số thiết kế", "en": "Design effect"},
    "tier": {"vi": "Cấp", "en": "Level"}, "tau2": {"vi": "τ²", "en": "τ²"}, "i2": {"vi": "I² (%)", "en": "I² (%)"},
    "pi_low": {"vi": "Dự báo: cận dưới", "en": "Prediction: lower"},
    "pi_high": {"vi": "Dự báo: cận trên", "en": "Prediction: upper"},
    "effect": {"vi": "Hiệu quả muốn phát hiện", "en": "Effect to detect"},
    "bodies_1y": {"vi": "Số đơn vị (1 năm sau)", "en": "Bodies (1 follow-up year)"},
    "bodies_2y": {"vi": "Số đơn vị (2 năm sau)", "en": "Bodies (2 follow-up years)"},
    "bodies_3y": {"vi": "Số đơn vị (3 năm sau)", "en": "Bodies (3 follow-up years)"},
    "parameter": {"vi": "Tham số", "en": "Parameter"}, "n_provinces": {"vi": "Số tỉnh", "en": "Provinces"},
}
VALUE_LABELS = {"rater": ("self", "council"), "group": ("pilot", "comparison")}


def localise(frame, lang: str = "vi"):
    """A copy of ``frame`` with column names and rater/group values in ``lang``."""
    out = frame.copy()
    for column, values in VALUE_LABELS.items():
        if column in out:
            out[column] = out[column].map(lambda v: t(v, lang) if v in values else v)
    return out.rename(columns={c: COLUMN_LABELS[c][lang] for c in out.columns if c in COLUMN_LABELS})


MEASURES = {
    "satisfaction_pct": {"vi": "Mức hài lòng của người dân (%)", "en": "Citizen satisfaction (%)"},
    "on_time_pct": {"vi": "Hồ sơ giải quyết đúng hạn (%)", "en": "Procedures settled on time (%)"},
    "online_applications_pct": {"vi": "Hồ sơ nộp trực tuyến (%)", "en": "Online applications (%)"},
}


def p_text(p: float, lang: str = "vi") -> str:
    """A p-value as reports print it: '< 0,001' below 0.001, else three decimals."""
    if p != p:
        return "–"
    return ("< 0,001" if lang == "vi" else "< 0.001") if p < 0.001 else "= " + number(p, lang, 3)


def outcome_label(outcome: str, lang: str = "vi") -> str:
    """'overall' / 'pillar 2' / 'indicator 1.10' / a measure name -> readable label in ``lang``."""
    if outcome == "overall":
        return t("overall", lang)
    kind, _, rest = outcome.partition(" ")
    if kind == "pillar" and rest:
        return f"{t('pillar', lang)} {rest}"
    if kind == "indicator" and rest:
        return f"{t('indicator', lang)} {rest}"
    return MEASURES.get(outcome, {}).get(lang, outcome)


def reasons_text(reasons: str, lang: str = "vi") -> str:
    """'low_agreement, floor_or_ceiling' -> readable reasons in ``lang``."""
    return "; ".join(REASONS[r.strip()][lang] for r in reasons.split(",") if r.strip())


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
