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
    "rel_s1": {"vi": "Các chỉ số trong mỗi trụ cột nhất quán với nhau: hệ số alpha của Cronbach từ {alpha_min} đến "
                     "{alpha_max} (omega của McDonald tương tự).",
               "en": "Indicators within each pillar hang together: Cronbach's alpha from {alpha_min} to {alpha_max} "
                     "(McDonald's omega similar)."},
    "rel_s2": {"vi": "Tự đánh giá cao hơn hội đồng trung bình {inflation} điểm (KTC 95%: {low} đến {high}) trên thang "
                     "0–100; mức thống nhất tuyệt đối về điểm tổng hợp ICC(A,1) = {icc} ({band}).",
               "en": "Self-assessment exceeds the council by {inflation} points on average (95% CI {low} to {high}) "
                     "on the 0–100 scale; absolute agreement on the overall score ICC(A,1) = {icc} ({band})."},
    "rel_s3": {"vi": "Các thành viên hội đồng chấm riêng thống nhất ở mức ICC(A,1) = {icc} ({band}) cho một thành viên; "
                     "điểm trung bình của {k} thành viên đạt {icck}.",
               "en": "Individual council members agree at ICC(A,1) = {icc} ({band}) for a single member; the mean of "
                     "{k} members reaches {icck}."},
    "rel_s3_none": {"vi": "Không có điểm chấm riêng của từng thành viên hội đồng để đánh giá độ thống nhất giữa họ.",
                    "en": "No individual council members' scores, so their agreement cannot be assessed."},
    "rel_s4": {"vi": "{n} chỉ số cần xem xét lại: {list}.", "en": "{n} indicators to review: {list}."},
    "rel_s4_none": {"vi": "Không có chỉ số nào bị đánh dấu cần xem xét lại.", "en": "No indicator is flagged for review."},
    "rel_h_consistency": {"vi": "1. Tính nhất quán nội tại của từng trụ cột", "en": "1. Internal consistency of each pillar"},
    "rel_tab_consistency": {"vi": "Alpha của Cronbach (KTC 95% theo Feldt) và omega của McDonald theo trụ cột "
                                  "(điểm hội đồng; mỗi đơn vị × năm là một quan sát).",
                            "en": "Cronbach's alpha (Feldt 95% CI) and McDonald's omega by pillar (council scores; "
                                  "each body-year is one observation)."},
    "rel_fig_consistency": {"vi": "Alpha theo trụ cột với KTC 95%; đường chấm ở 0,7 và 0,9.",
                            "en": "Alpha by pillar with 95% CI; dotted lines at 0.7 and 0.9."},
    "rel_h_self": {"vi": "2. Tự đánh giá so với hội đồng thẩm định", "en": "2. Self-assessment against the council"},
    "rel_tab_pillar_agreement": {"vi": "Mức thống nhất tuyệt đối ICC(A,1) giữa tự đánh giá và hội đồng theo trụ cột "
                                       "(0 = điểm tổng hợp) và mức chênh trung bình (KTC bootstrap theo đơn vị).",
                                 "en": "Absolute agreement ICC(A,1) of self and council by pillar (0 = overall) and "
                                       "mean inflation (bootstrap CI over bodies)."},
    "rel_fig_bland_altman": {"vi": "Biểu đồ Bland–Altman của điểm tổng hợp: chênh lệch tự đánh giá − hội đồng theo "
                                   "mức điểm; đường liền là độ chênh trung bình, đường đứt là giới hạn thống nhất 95%.",
                             "en": "Bland–Altman plot of the overall score: self − council against the mean; solid "
                                   "line the mean inflation, dashed lines the 95% limits of agreement."},
    "rel_fig_indicator_icc": {"vi": "ICC(A,1) giữa tự đánh giá và hội đồng theo chỉ số, với KTC 95%; đường chấm ở "
                                    "0,5 / 0,75 / 0,9 (Koo & Li). Màu cam: chỉ số cần xem xét.",
                              "en": "ICC(A,1) of self vs council by indicator with 95% CI; dotted lines at 0.5 / 0.75 / "
                                    "0.9 (Koo & Li). Orange: indicators flagged."},
    "rel_tab_indicator_agreement": {"vi": "Thống nhất giữa tự đánh giá và hội đồng theo chỉ số: ICC(A,1), kappa có "
                                          "trọng số tuyến tính trên đèn tín hiệu, chênh lệch trung bình.",
                                    "en": "Self vs council agreement by indicator: ICC(A,1), linear weighted kappa on "
                                          "the traffic lights, mean difference."},
    "rel_h_council": {"vi": "3. Độ thống nhất giữa các thành viên hội đồng", "en": "3. Agreement among council members"},
    "rel_tab_council": {"vi": "Độ thống nhất giữa các thành viên hội đồng chấm riêng.",
                        "en": "Agreement among council members scoring separately."},
    "rel_h_flags": {"vi": "4. Chỉ số cần xem xét lại", "en": "4. Indicators to review"},
    "rel_tab_flags": {"vi": "Chỉ số bị đánh dấu và lý do.", "en": "Indicators flagged and why."},
    "rel_h_pooled": {"vi": "5. So sánh giữa các tỉnh", "en": "5. Across provinces"},
    "rel_tab_pooled": {"vi": "Các số đo chính theo tỉnh và gộp chung.", "en": "Key measures by province and pooled."},
    "rel_m1": {"vi": "ICC theo Shrout & Fleiss (1979), khoảng tin cậy theo McGraw & Wong (1996); diễn giải theo Koo & Li "
                     "(2016): dưới 0,5 kém, 0,5–0,75 trung bình, 0,75–0,9 tốt, trên 0,9 rất tốt.",
               "en": "ICC after Shrout & Fleiss (1979), confidence intervals after McGraw & Wong (1996); read with Koo & "
                     "Li (2016): below 0.5 poor, 0.5–0.75 moderate, 0.75–0.9 good, above 0.9 excellent."},
    "rel_m2": {"vi": "Kappa có trọng số tuyến tính trên thang đỏ < vàng < xanh (luôn trên cả ba mức), diễn giải theo "
                     "Landis & Koch (1977). Alpha của Cronbach với KTC Feldt; omega của McDonald từ mô hình một nhân tố (ML).",
               "en": "Linear weighted kappa on red < yellow < green (always on all three levels), read with Landis & "
                     "Koch (1977). Cronbach's alpha with Feldt CI; McDonald's omega from a one-factor ML model."},
    "rel_m3": {"vi": "Mỗi đơn vị × năm là một quan sát; khoảng tin cậy của mức chênh dùng bootstrap lấy mẫu lại theo "
                     "đơn vị ({n} lần) nên các năm của cùng một đơn vị luôn đi cùng nhau.",
               "en": "Each body-year is one observation; the CI of the inflation uses a bootstrap that resamples "
                     "bodies ({n} times), keeping one body's years together."},
    "rel_m4": {"vi": "Chỉ số bị đánh dấu khi: ICC(A,1) < 0,5; tương quan với phần còn lại của trụ cột < 0,3; alpha "
                     "tăng khi bỏ chỉ số; hoặc trên 15% điểm ở mức sàn/trần.",
               "en": "An indicator is flagged when ICC(A,1) < 0.5; its correlation with the rest of its pillar < 0.3; "
                     "alpha rises without it; or more than 15% of scores sit at the floor or ceiling."},
    # 30_effectiveness
    "title_30_effectiveness": {"vi": "Hiệu quả thí điểm so với các đơn vị chỉ áp dụng ISO 9001",
                               "en": "Pilot effectiveness against bodies with ISO 9001 only"},
    "eff_s1": {"vi": "Điểm tổng hợp do hội đồng thẩm định chấm của {n_pilot} đơn vị thí điểm tăng thêm {estimate} điểm "
                     "trên thang 0–100 so với {n_comparison} đơn vị tương tự chỉ áp dụng ISO 9001 (KTC 95%: {low} đến "
                     "{high}; p {p}, kiểm định hoán vị). Các đơn vị thí điểm không được chọn ngẫu nhiên: đây là mức "
                     "chênh so với đơn vị tương tự, không chứng minh riêng thí điểm là nguyên nhân.",
               "en": "The council-appraised overall score of {n_pilot} pilot bodies rose by {estimate} points on the "
                     "0–100 scale compared with {n_comparison} similar bodies with ISO 9001 only (95% CI {low} to "
                     "{high}; p {p}, permutation test). Pilot bodies were not chosen at random: this is a difference "
                     "from similar bodies, not proof that the pilot alone caused it."},
    "eff_s1_none": {"vi": "Không ước tính được hiệu quả chính: cần cả đơn vị thí điểm và đối chứng ở năm gốc và sau đó.",
                    "en": "The main effect cannot be estimated: pilot and comparison bodies are needed at baseline "
                          "and after."},
    "eff_s2": {"vi": "Theo trụ cột: {pillars}.", "en": "By pillar: {pillars}."},
    "eff_s3": {"vi": "{n_sig} trong {n_ind} chỉ số thay đổi rõ rệt sau khi hiệu chỉnh so sánh bội (q < 0,05).",
               "en": "{n_sig} of {n_ind} indicators changed clearly after adjusting for multiple comparisons "
                     "(q < 0.05)."},
    "eff_s4": {"vi": "Điểm tự đánh giá cho hiệu quả {estimate} điểm (KTC 95%: {low} đến {high}); chỉ để tham khảo "
                     "vì tự đánh giá chính là việc thí điểm huấn luyện, nên cách tự chấm có thể thay đổi theo.",
               "en": "Self-assessed scores give {estimate} points (95% CI {low} to {high}); shown for reference only, "
                     "since self-assessment is what the pilot trains, so the way bodies score themselves may change."},
    "eff_h_main": {"vi": "1. Kết quả chính và theo trụ cột", "en": "1. Main result and pillars"},
    "eff_fig_forest": {"vi": "Hiệu quả ước tính (sai khác kép trong cùng tỉnh) với KTC 95%: điểm tổng hợp và từng trụ "
                             "cột; xanh = hội đồng (kết quả chính), cam = tự đánh giá (tham khảo).",
                       "en": "Estimated effects (within-province difference-in-differences) with 95% CI: overall "
                             "and pillars; blue = council (primary), orange = self-assessment (reference)."},
    "eff_tab_main": {"vi": "Hiệu quả theo điểm tổng hợp và trụ cột, kèm cỡ hiệu ứng (theo độ lệch chuẩn năm gốc).",
                     "en": "Effects on the overall and pillar scores, with effect sizes (baseline SD units)."},
    "eff_h_event": {"vi": "2. Hiệu quả theo thời gian", "en": "2. Effect over time"},
    "eff_fig_event": {"vi": "Hiệu quả theo số năm kể từ năm gốc (ước lượng quy gán — imputation, Borusyak–Jaravel–Spiess); "
                            "năm gốc (0) là mốc so sánh.",
                      "en": "Effect by years since baseline (imputation estimator); the baseline year (0) is the "
                            "reference."},
    "eff_h_indicators": {"vi": "3. Theo từng chỉ số (kết quả phụ)", "en": "3. By indicator (secondary)"},
    "eff_tab_indicators": {"vi": "Hiệu quả theo chỉ số (hội đồng chấm), kèm giá trị q (Benjamini–Hochberg).",
                           "en": "Effects by indicator (council scores), with q-values (Benjamini–Hochberg)."},
    "eff_h_external": {"vi": "4. Chỉ tiêu bên ngoài", "en": "4. External outcomes"},
    "eff_tab_external": {"vi": "Hiệu quả trên các chỉ tiêu bên ngoài (hài lòng, đúng hạn, hồ sơ trực tuyến; %).",
                         "en": "Effects on external outcomes (satisfaction, on time, online applications; %)."},
    "eff_h_prepost": {"vi": "5. Trước và sau ở các đơn vị thí điểm", "en": "5. Before and after in pilot bodies"},
    "eff_tab_prepost": {"vi": "Thay đổi điểm tổng hợp (hội đồng) của đơn vị thí điểm từ năm gốc đến năm sau: kiểm định "
                              "dấu-hạng Wilcoxon, ước lượng Hodges–Lehmann và trung bình (bootstrap). Không có nhóm "
                              "đối chứng nên không tách được xu hướng chung.",
                        "en": "Change in the council overall score of pilot bodies from baseline to the next year: "
                              "Wilcoxon signed-rank test, Hodges–Lehmann estimate and mean (bootstrap). Without a "
                              "comparison group this cannot separate the pilot from common trends."},
    "eff_h_caveats": {"vi": "Những điều cần lưu ý", "en": "Caveats"},
    "eff_c1": {"vi": "Các đơn vị thí điểm không được chọn ngẫu nhiên; so sánh dựa trên giả định xu hướng song song.",
               "en": "Pilot bodies were not chosen at random; the comparison rests on parallel trends."},
    "eff_c2": {"vi": "Chỉ có một năm gốc nên không kiểm tra được xu hướng trước thí điểm.",
               "en": "With a single baseline year, pre-pilot trends cannot be checked."},
    "eff_c3": {"vi": "Hội đồng biết đơn vị nào thí điểm; điểm tự đánh giá còn có thể thay đổi vì chính việc thí điểm.",
               "en": "The council knows which bodies are pilots; self-scores may change because of the pilot itself."},
    "eff_c4": {"vi": "Số đơn vị nhỏ ({n} đơn vị): khoảng tin cậy rộng là thông tin thật, không phải lỗi.",
               "en": "Few bodies ({n}): wide confidence intervals are real information, not a flaw."},
    "eff_m1": {"vi": "Ước lượng chính: sai khác kép trong cùng tỉnh (hiệu ứng cố định đơn vị và tỉnh × năm), sai số chuẩn "
                     "cụm theo đơn vị; giá trị p từ hoán vị nhóm thí điểm giữa các đơn vị cùng tỉnh và cùng cấp "
                     "({n_perm} lần).",
               "en": "Main estimate: within-province difference-in-differences (body and province × year fixed "
                     "effects), standard errors clustered by body; p-values from permuting pilot status among bodies "
                     "of the same province and level ({n_perm} permutations)."},
    "eff_m2": {"vi": "Trong mô phỏng thiết kế này, hồi quy hiệu ứng cố định đơn vị + năm gộp các tỉnh cho 19% dương tính "
                     "giả ở mức 5%; so sánh trong cùng tỉnh giữ đúng 5% (xem docs/methods.md).",
               "en": "In simulations of this design, pooled unit + year fixed effects gave 19% false positives at 5%; "
                     "comparing within province held 5% (see docs/methods.md)."},
    "eff_m3": {"vi": "Giá trị q theo Benjamini–Hochberg trên các chỉ số; cỡ hiệu ứng = ước lượng / độ lệch chuẩn giữa các "
                     "đơn vị ở năm gốc.",
               "en": "Benjamini–Hochberg q-values across indicators; effect size = estimate / SD between bodies at "
                     "baseline."},
    # 40_national
    "title_40_national": {"vi": "Tổng hợp toàn quốc và bằng chứng cho đề xuất nhân rộng",
                          "en": "National synthesis and evidence for a roll-out"},
    "nat_s1": {"vi": "Gộp {k} tỉnh/thành phố (phân tích gộp hiệu ứng ngẫu nhiên, REML, hiệu chỉnh Hartung–Knapp): điểm "
                     "tổng hợp do hội đồng chấm của đơn vị thí điểm tăng thêm {estimate} điểm so với đơn vị tương tự "
                     "(KTC 95%: {low} đến {high}); thiết kế không ngẫu nhiên nên đây là mối liên hệ, không phải bằng "
                     "chứng nhân quả.",
               "en": "Pooling {k} provinces (random-effects meta-analysis, REML, Hartung–Knapp): the council overall "
                     "score of pilot bodies rose by {estimate} points compared with similar bodies (95% CI {low} to "
                     "{high}); the design is not randomised, so this is an association, not proof of cause."},
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
    "nat_m1": {"vi": "Mỗi tỉnh: sai khác kép trong cùng tỉnh (hiệu ứng cố định đơn vị và năm, sai số chuẩn cụm theo đơn "
                     "vị). Gộp: phân tích gộp hiệu ứng ngẫu nhiên, τ² theo REML, khoảng tin cậy Hartung–Knapp (t với "
                     "k − 1 bậc tự do), khoảng dự báo cho một tỉnh mới.",
               "en": "Each province: within-province DiD (body and year fixed effects, SE clustered by body). Pooled: "
                     "random-effects meta-analysis, REML τ², Hartung–Knapp CI (t with k − 1 df), prediction interval "
                     "for a new province."},
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
    # navigation, index page, tables page
    "nav_index": {"vi": "Trang tổng hợp", "en": "Index"},
    "nav_tables": {"vi": "Bảng số liệu", "en": "Tables"},
    "nav_label": {"vi": "Điều hướng giữa các báo cáo", "en": "Report navigation"},
    "tables_report": {"vi": "Báo cáo", "en": "Report"},
    "tables_caption": {"vi": "Nội dung", "en": "Content"},
    "tables_files": {"vi": "Tệp", "en": "Files"},
    "failed": {"vi": "lỗi", "en": "failed"},
    "index_title": {"vi": "Báo cáo thí điểm TCVN ISO 18091:2020", "en": "TCVN ISO 18091:2020 pilot reports"},
    "index_dataset": {"vi": "Các báo cáo dưới đây được tạo từ cùng một bộ dữ liệu, mã băm SHA-256:",
                      "en": "The reports below were made from one dataset, SHA-256 hash:"},
    "index_archived": {"vi": "Báo cáo tạo từ dữ liệu khác được chuyển vào thư mục {folder}/ (không liệt kê ở đây).",
                       "en": "Reports made from other data were moved to the folder {folder}/ (not listed here)."},
    "index_province": {"vi": "Tỉnh/Thành phố", "en": "Province"},
    "index_status": {"vi": "Trạng thái", "en": "Status"},
    "index_time": {"vi": "Thời gian (UTC)", "en": "Time (UTC)"},
    "index_headline": {"vi": "Kết quả chính", "en": "Main result"},
    "index_reports": {"vi": "Báo cáo", "en": "Reports"},
    "index_record": {"vi": "Lý lịch chạy", "en": "Run record"},
    # evidence pack
    "ev_title": {"vi": "Hồ sơ bằng chứng thí điểm TCVN ISO 18091:2020", "en": "TCVN ISO 18091:2020 pilot evidence pack"},
    "ev_provenance": {"vi": "Nguồn gốc số liệu", "en": "Provenance"},
    "ev_findings": {"vi": "Kết quả chi tiết", "en": "Detailed results"},
    "ev_methods": {"vi": "Phương pháp", "en": "Methods"},
    "ev_caveats": {"vi": "Những điều cần lưu ý", "en": "Caveats"},
    "ev_glossary": {"vi": "Thuật ngữ", "en": "Glossary"},
    "ev_answer": {"vi": "Kết luận chính", "en": "The answer"},
    "ev_q_effect": {"vi": "Thí điểm có hiệu quả không, bao nhiêu, chắc chắn đến đâu?",
                    "en": "Did the pilot work, by how much, and how sure are we?"},
    "ev_q_trust": {"vi": "Có tin được bộ chỉ số và việc chấm điểm không?", "en": "Can the indicators and the scoring be trusted?"},
    "ev_q_rollout": {"vi": "Ý nghĩa đối với việc nhân rộng", "en": "What follows for a roll-out"},
    "ev_recommendations": {"vi": "Khuyến nghị và việc cần làm của từng đơn vị",
                           "en": "Recommendations and each body's action list"},
    "ev_actions": {"vi": "Chỉ số màu đỏ của từng đơn vị (đầu vào cho chương trình hành động)",
                   "en": "Each body's red indicators (input to its action programme)"},
    "ev_actions_intro": {"vi": "Các chỉ số hội đồng thẩm định đánh giá màu đỏ ở đợt đánh giá gần nhất; mỗi đơn vị "
                               "nên đưa các chỉ số này vào chương trình hành động của mình.",
                         "en": "The indicators the appraisal council rated red in the latest wave; each body should "
                               "put them in its action programme."},
    "ev_actions_sheet": {"vi": "Việc cần làm", "en": "Action list"},
    "ev_n_red": {"vi": "{n} chỉ số màu đỏ", "en": "{n} red indicators"},
    "ev_indicator_name": {"vi": "Tên chỉ số", "en": "Indicator name"},
    "ev_col_body": {"vi": "Đơn vị", "en": "Body"},
    "ev_col_group": {"vi": "Nhóm", "en": "Group"},
    "ev_col_code": {"vi": "Mã chỉ số", "en": "Indicator code"},
    "ev_effect_up": {"vi": "Có. Điểm tổng hợp do hội đồng thẩm định chấm của {n_pilot} đơn vị thí điểm tăng thêm "
                           "{estimate} điểm (thang 0–100) so với {n_comparison} đơn vị tương tự chỉ áp dụng ISO 9001 "
                           "(KTC 95%: {low} đến {high}; p {p}). Khoảng tin cậy không chứa 0, nên mức tăng này khó "
                           "là do ngẫu nhiên.",
                     "en": "Yes. The council-appraised overall score of {n_pilot} pilot bodies rose by {estimate} "
                           "points (0–100 scale) compared with {n_comparison} similar bodies with ISO 9001 only "
                           "(95% CI {low} to {high}; p {p}). The interval excludes 0, so chance alone is an unlikely "
                           "explanation."},
    "ev_effect_down": {"vi": "Không. Điểm tổng hợp do hội đồng chấm của {n_pilot} đơn vị thí điểm thay đổi {estimate} "
                             "điểm so với {n_comparison} đơn vị tương tự chỉ áp dụng ISO 9001 (KTC 95%: {low} đến "
                             "{high}; p {p}), tức là kém hơn.",
                       "en": "No. The council overall score of {n_pilot} pilot bodies changed by {estimate} points "
                             "compared with {n_comparison} similar bodies with ISO 9001 only (95% CI {low} to {high}; "
                             "p {p}), i.e. it fell behind."},
    "ev_effect_unclear": {"vi": "Chưa rõ. Ước lượng là {estimate} điểm so với {n_comparison} đơn vị tương tự chỉ áp "
                                "dụng ISO 9001, nhưng khoảng tin cậy 95% ({low} đến {high}; p {p}) chứa 0, nên chưa "
                                "loại trừ được khả năng thí điểm không tạo ra khác biệt.",
                          "en": "Not clear. The estimate is {estimate} points compared with {n_comparison} similar "
                                "bodies with ISO 9001 only, but the 95% CI ({low} to {high}; p {p}) includes 0, so "
                                "no difference cannot be ruled out."},
    "ev_national_up": {"vi": "Có. Gộp {k} tỉnh/thành phố, điểm tổng hợp do hội đồng chấm của các đơn vị thí điểm tăng "
                             "thêm {estimate} điểm so với các đơn vị tương tự (KTC 95%: {low} đến {high}); một tỉnh "
                             "mới có thể thấy từ {pi_low} đến {pi_high} điểm (khoảng dự báo).",
                       "en": "Yes. Pooling {k} provinces, the council overall score of pilot bodies rose by {estimate} "
                             "points compared with similar bodies (95% CI {low} to {high}); a new province might see "
                             "{pi_low} to {pi_high} points (prediction interval)."},
    "ev_national_down": {"vi": "Không. Gộp {k} tỉnh/thành phố, điểm của các đơn vị thí điểm thay đổi {estimate} điểm so "
                               "với các đơn vị tương tự (KTC 95%: {low} đến {high}).",
                         "en": "No. Pooling {k} provinces, pilot bodies' scores changed by {estimate} points compared "
                               "with similar bodies (95% CI {low} to {high})."},
    "ev_national_unclear": {"vi": "Chưa rõ. Gộp {k} tỉnh/thành phố, ước lượng là {estimate} điểm nhưng khoảng tin cậy "
                                  "95% ({low} đến {high}) chứa 0; một tỉnh mới có thể thấy từ {pi_low} đến {pi_high} "
                                  "điểm.",
                            "en": "Not clear. Pooling {k} provinces, the estimate is {estimate} points but the 95% CI "
                                  "({low} to {high}) includes 0; a new province might see {pi_low} to {pi_high} "
                                  "points."},
    "ev_effect_none": {"vi": "Chưa ước lượng được hiệu quả: {why}", "en": "The effect was not estimated: {why}"},
    "ev_effect_caveat": {"vi": "Lưu ý: các đơn vị thí điểm không được chọn ngẫu nhiên; kết quả cho biết điểm của họ "
                               "tăng nhiều hơn so với các đơn vị tương tự, không chứng minh riêng thí điểm là nguyên "
                               "nhân, và dựa trên giả định hai nhóm sẽ có xu hướng như nhau nếu không thí điểm.",
                         "en": "Caveat: pilot bodies were not chosen at random; the result says their scores rose "
                               "more than those of similar bodies, it does not prove that the pilot alone caused it, "
                               "and it rests on the assumption that both groups would have moved alike without it."},
    "ev_not_run": {"vi": "báo cáo “{report}” không chạy được hoặc không có trong lần chạy này (xem trang tổng hợp).",
                   "en": "the report “{report}” failed or was not part of this run (see the index page)."},
    "ev_not_estimated_because": {"vi": "không ước lượng được, vì {reason}.", "en": "not estimated, because {reason}."},
    "ev_no_reason": {"vi": "báo cáo không ghi lý do", "en": "the report recorded no reason"},
    "ev_trust_agreement": {"vi": "Tự đánh giá và hội đồng thẩm định thống nhất ở mức ICC(A,1) = {icc} ({band}) trên "
                                 "điểm tổng hợp; tự đánh giá cao hơn hội đồng trung bình {inflation} điểm (KTC 95%: "
                                 "{low} đến {high}).",
                           "en": "Self-assessment and the appraisal council agree at ICC(A,1) = {icc} ({band}) on the "
                                 "overall score; self-assessment is {inflation} points above the council on average "
                                 "(95% CI {low} to {high})."},
    "ev_trust_flagged": {"vi": "{n} chỉ số cần xem lại trước khi dùng rộng rãi: {list}.",
                         "en": "{n} indicators need review before wider use: {list}."},
    "ev_trust_none_flagged": {"vi": "Không chỉ số nào bị đánh dấu cần xem lại.", "en": "No indicator is flagged for review."},
    "ev_trust_national": {"vi": "{n} chỉ số cần xem lại ở mọi tỉnh: {list}.",
                          "en": "{n} indicators need review in every province: {list}."},
    "ev_trust_national_none": {"vi": "Không chỉ số nào bị đánh dấu cần xem lại ở mọi tỉnh.",
                               "en": "No indicator is flagged in every province."},
    "ev_trust_none": {"vi": "Chưa đánh giá được độ tin cậy: {why}", "en": "Reliability was not assessed: {why}"},
    "ev_rollout_up": {"vi": "Kết quả ủng hộ việc nhân rộng thí điểm, kèm theo dõi bằng cùng bộ chỉ số và nhóm đối "
                            "chứng để kiểm chứng ở địa bàn mới.",
                      "en": "The results support a roll-out, monitored with the same indicators and a comparison "
                            "group to check it in new places."},
    "ev_rollout_unclear": {"vi": "Chưa đủ bằng chứng để khẳng định hiệu quả; nếu nhân rộng, nên thiết kế để đánh giá "
                                 "được: có năm gốc, có nhóm đối chứng và đủ số đơn vị.",
                           "en": "The evidence does not yet establish an effect; a roll-out should be designed to be "
                                 "evaluated: a baseline, a comparison group and enough bodies."},
    "ev_rollout_unknown": {"vi": "Chưa thể kết luận về hiệu quả; cần bổ sung dữ liệu nêu trên trước khi đề xuất nhân "
                                 "rộng.",
                           "en": "No conclusion on the effect is possible yet; the data above is needed before "
                                 "proposing a roll-out."},
    "ev_rollout_keep_council": {"vi": "Giữ việc thẩm định độc lập của hội đồng: tự đánh giá cao hơn hội đồng một cách "
                                      "có hệ thống.",
                                "en": "Keep the council's independent appraisal: self-assessment is systematically "
                                      "higher than the council's."},
    "ev_rollout_guidance": {"vi": "Ban hành hướng dẫn chấm điểm chi tiết cho các chỉ số cần xem lại ({list}) trước khi "
                                  "nhân rộng.",
                            "en": "Issue detailed scoring guidance for the indicators to review ({list}) before a "
                                  "roll-out."},
    "ev_rollout_sample": {"vi": "Để phát hiện hiệu quả {effect} điểm trong một đánh giá toàn quốc (1 năm gốc, 2 năm "
                                "sau) cần khoảng {n} đơn vị, một nửa thí điểm.",
                          "en": "Detecting an effect of {effect} points in a national evaluation (one baseline, two "
                                "follow-up years) needs about {n} bodies, half of them pilots."},
    "ev_more_rows": {"vi": "… còn {n} dòng nữa trong bảng Excel kèm theo.",
                     "en": "… {n} more rows in the accompanying Excel workbook."},
    "ev_data_hash": {"vi": "Mã băm dữ liệu đầu vào (SHA-256)", "en": "Input data hash (SHA-256)"},
    "ev_data_kind": {"vi": "Loại dữ liệu", "en": "Data"},
    "ev_synthetic": {"vi": "DỮ LIỆU MÔ PHỎNG (không phải số liệu thật)", "en": "SYNTHETIC (not real data)"},
    "ev_real": {"vi": "số liệu do địa phương cung cấp", "en": "data supplied by the province"},
    "ev_created": {"vi": "Ngày tạo", "en": "Created"},
    "ev_version": {"vi": "Phiên bản iso18091lab", "en": "iso18091lab version"},
    "ev_seed": {"vi": "Hạt giống ngẫu nhiên", "en": "Random seed"},
    "ev_scope": {"vi": "Phạm vi", "en": "Scope"},
    "ev_about": {"vi": "Thông tin", "en": "About"},
    # glossary (docs/glossary.md says the same)
    "gl_att": {"vi": "Hiệu quả trung bình trên đơn vị thí điểm (ATT, average treatment effect on the treated): mức "
                     "chênh điểm của đơn vị thí điểm so với mức dự kiến nếu không thí điểm, ước lượng từ các đơn vị "
                     "đối chứng.",
               "en": "ATT (average treatment effect on the treated): how far pilot bodies' scores differ from what "
                     "they would have been without the pilot, estimated from comparison bodies."},
    "gl_did": {"vi": "Sai khác kép (DiD, difference-in-differences): so sánh mức thay đổi của nhóm thí điểm với mức "
                     "thay đổi của nhóm đối chứng trong cùng tỉnh.",
               "en": "Difference-in-differences (DiD): the change in pilot bodies compared with the change in "
                     "comparison bodies of the same province."},
    "gl_imputation": {"vi": "Ước lượng quy gán (imputation): dự tính điểm mà đơn vị thí điểm sẽ có nếu không thí "
                            "điểm, từ các đơn vị và năm chưa thí điểm, rồi lấy điểm thật trừ điểm dự tính. Không phải "
                            "ngoại suy.",
                      "en": "Imputation estimator: predicts the score a pilot body would have had without the pilot "
                            "from untreated bodies and years, then subtracts it from the real score."},
    "gl_ci": {"vi": "Khoảng tin cậy 95% (KTC 95%): khoảng giá trị phù hợp với dữ liệu; khoảng không chứa 0 nghĩa là "
                    "khác biệt khó do ngẫu nhiên.",
              "en": "95% confidence interval (CI): the range of values compatible with the data; an interval "
                    "without 0 means the difference is unlikely to be chance."},
    "gl_p": {"vi": "Giá trị p: xác suất thấy khác biệt ít nhất như vậy nếu thực ra không có hiệu quả; “< 0,001” là "
                   "rất nhỏ. Giá trị q là p đã hiệu chỉnh khi kiểm định nhiều chỉ số.",
             "en": "p-value: the chance of a difference at least this large if there were no effect; q-values are "
                   "p-values adjusted for testing many indicators."},
    "gl_icc": {"vi": "Hệ số tương quan nội lớp (ICC): mức thống nhất giữa hai bên chấm, từ 0 (không) đến 1 (hoàn "
                     "toàn); dưới 0,5 kém, 0,5–0,75 trung bình, 0,75–0,9 tốt, trên 0,9 rất tốt.",
               "en": "Intraclass correlation (ICC): agreement between raters, from 0 (none) to 1 (perfect); below 0.5 "
                     "poor, 0.5–0.75 moderate, 0.75–0.9 good, above 0.9 excellent."},
    "gl_kappa": {"vi": "Hệ số kappa: mức thống nhất về đèn tín hiệu sau khi trừ phần trùng hợp ngẫu nhiên.",
                 "en": "Kappa: agreement on traffic lights beyond chance."},
    "gl_alpha": {"vi": "Alpha của Cronbach: mức các chỉ số trong một trụ cột cùng đo một điều; từ 0,7 là chấp nhận "
                       "được.",
                 "en": "Cronbach's alpha: how far the indicators of a pillar measure one thing; 0.7 or more is "
                       "acceptable."},
    "gl_leniency": {"vi": "Chấm nới tay (leniency, self-inflation): tự đánh giá cao hơn hội đồng thẩm định.",
                    "en": "Leniency (self-inflation): self-assessment scores above the appraisal council's."},
    "gl_quarantine": {"vi": "Cách ly (quarantine): dòng dữ liệu không qua được kiểm tra, được giữ riêng trong tệp "
                            "quarantine.csv kèm lý do, không dùng để tính toán.",
                      "en": "Quarantine: rows that failed a check, kept apart in quarantine.csv with the reason and "
                            "not used in any calculation."},
    "gl_permutation": {"vi": "Kiểm định hoán vị (permutation test): đổi ngẫu nhiên nhãn thí điểm giữa các đơn vị cùng "
                             "tỉnh, cùng cấp nhiều lần để xem khác biệt thật hiếm đến đâu.",
                       "en": "Permutation test: reshuffles the pilot label among bodies of the same province and "
                             "level many times to see how rare the real difference is."},
    "gl_meta": {"vi": "Phân tích gộp hiệu ứng ngẫu nhiên (random-effects meta-analysis): gộp kết quả các tỉnh, cho "
                      "phép hiệu quả khác nhau giữa các tỉnh; khoảng dự báo cho biết một tỉnh mới có thể thấy gì.",
                "en": "Random-effects meta-analysis: combines provinces' results allowing the effect to differ "
                      "between them; the prediction interval says what a new province might see."},
}

#: Glossary terms shown in the evidence pack, in order (keys gl_<term>).
GLOSSARY = ("att", "did", "imputation", "ci", "p", "icc", "kappa", "alpha", "leniency", "quarantine", "permutation",
            "meta")

REASONS = {
    "low_agreement": {"vi": "tự đánh giá và hội đồng ít thống nhất", "en": "low self–council agreement"},
    "weak_item_rest": {"vi": "tương quan yếu với các chỉ số khác của trụ cột", "en": "weak correlation with its pillar"},
    "alpha_rises_if_dropped": {"vi": "alpha của trụ cột tăng khi bỏ chỉ số", "en": "pillar alpha rises without it"},
    "floor_or_ceiling": {"vi": "nhiều điểm ở mức sàn/trần", "en": "many scores at floor or ceiling"},
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
    "body_label": {"vi": "Đơn vị", "en": "Body"}, "body_id": {"vi": "Mã định danh đơn vị", "en": "Body id"},
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
    "event_time": {"vi": "Năm kể từ năm gốc", "en": "Years since baseline"},
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
    """A copy of ``frame`` with column names, rater/group values and method/measure names in ``lang``."""
    out = frame.copy()
    for column, values in VALUE_LABELS.items():
        if column in out:
            out[column] = out[column].map(lambda v: t(v, lang) if v in values else v)
    for column in ("method", "measure"):
        if column in out:
            out[column] = out[column].map(lambda v: method_label(v, lang) if isinstance(v, str) else v)
    return out.rename(columns={c: COLUMN_LABELS[c][lang] for c in out.columns if c in COLUMN_LABELS})


#: Method and measure descriptions the statistics return (English), as Vietnamese readers see them: the
#: Vietnamese name first, the English name in brackets where a researcher would look it up. Patterns are tried in
#: order on each ";"/","-separated part; a part that matches none stays as it is.
METHOD_PATTERNS_VI: list[tuple[str, str]] = [
    (r"^DiD body FE \+ province×year FE$", "sai khác kép (DiD) với hiệu ứng cố định đơn vị và tỉnh × năm"),
    (r"^p from permutation of pilot status within province × level \((?:Monte Carlo, )?(\d+) permutations\)$",
     r"p từ hoán vị nhãn thí điểm trong cùng tỉnh × cấp (\1 lần)"),
    (r"^p from permutation of pilot status within province × level \(exact(?:, (\d+) permutations)?\)$",
     r"p từ hoán vị chính xác nhãn thí điểm trong cùng tỉnh × cấp"),
    (r"^CI from SE clustered by body$", "KTC từ sai số chuẩn cụm theo đơn vị"),
    (r"^Wilcoxon signed-rank test$", "kiểm định dấu-hạng Wilcoxon (Wilcoxon signed-rank)"),
    (r"^exact distribution$", "phân phối chính xác"),
    (r"^normal approximation$", "xấp xỉ chuẩn"),
    (r"^Hodges-Lehmann median of Walsh averages$", "ước lượng Hodges–Lehmann (trung vị các trung bình Walsh)"),
    (r"^exact signed-rank CI$", "KTC dấu-hạng chính xác"),
    (r"^mean change$", "thay đổi trung bình"),
    (r"^BCa bootstrap \((\d+) resamples\)$", r"KTC bootstrap BCa (\1 lần lấy mẫu lại)"),
    (r"^random-effects meta-analysis$", "phân tích gộp hiệu ứng ngẫu nhiên (random-effects meta-analysis)"),
    (r"^tau² by (.+)$", r"τ² theo \1"),
    (r"^Hartung-Knapp$", "hiệu chỉnh Hartung–Knapp"),
    (r"^imputation(?: estimator)?(.*)$", r"ước lượng quy gán (imputation)\1"),
    (r"^ICC\(A,1\) single member$", "ICC(A,1) của một thành viên"),
    (r"^ICC\(A,k\) mean of members$", "ICC(A,k) của điểm trung bình các thành viên"),
    (r"^Krippendorff alpha \(interval\)$", "alpha của Krippendorff (thang khoảng)"),
    (r"^Fleiss kappa \(traffic lights\)$", "kappa của Fleiss (đèn tín hiệu)"),
]


def method_label(text: str, lang: str = "vi") -> str:
    """A method or measure description from the statistics, in ``lang`` (English is returned as is)."""
    import re

    if lang != "vi" or not isinstance(text, str):
        return text
    out = []
    for clause in text.split("; "):
        parts = []
        for part in re.split(r", (?![^(]*\))", clause):
            for pattern, replacement in METHOD_PATTERNS_VI:
                if re.match(pattern, part.strip()):
                    part = re.sub(pattern, replacement, part.strip())
                    break
            parts.append(part)
        out.append(", ".join(parts))
    text = "; ".join(out)
    return text[:1].upper() + text[1:]


def rule_label(rule: str, lang: str = "vi") -> str:
    """A quarantine rule ('missing_value') as readers see it: 'thiếu giá trị bắt buộc [missing_value]'."""
    from .clean import RULES

    if rule not in RULES:
        return str(rule)
    vi, en = RULES[rule]
    text = (vi if lang == "vi" else en).replace("{hint}", "").strip()
    return f"{text} [{rule}]"


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
