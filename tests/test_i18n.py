"""All report text lives in one file (iso18091lab/data/text.csv) that opens in Excel; keys are unique, both
languages carry the same placeholders, and every key the code and notebooks ask for exists."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from iso18091lab import i18n
from iso18091lab.i18n import TEXT_FILE, TextFileError, load_text, localise, method_label, number, p_text, t

ROOT = Path(__file__).resolve().parents[1]


def test_the_text_file_opens_as_a_table_and_has_unique_keys():
    table = pd.read_csv(TEXT_FILE, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(table.columns[:3]) == ["key", "vi", "en"]
    assert table["key"].is_unique and (table["vi"] != "").all() and (table["en"] != "").all()
    assert TEXT_FILE.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads Vietnamese correctly
    assert len(i18n.TEXT) == len(table)


def test_a_duplicate_key_or_mismatched_placeholder_is_refused(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("key,vi,en\na,một,one\na,hai,two\n", encoding="utf-8")
    with pytest.raises(TextFileError, match="twice"):
        load_text(path)
    path.write_text("key,vi,en\na,{n} dòng,{m} rows\n", encoding="utf-8")
    with pytest.raises(TextFileError, match="placeholders"):
        load_text(path)


def test_every_key_used_exists():
    sources = [p.read_text(encoding="utf-8") for p in (ROOT / "iso18091lab").rglob("*.py")]
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        nb = json.loads(notebook.read_text(encoding="utf-8"))
        sources.append("\n".join("".join(c["source"]) for c in nb["cells"]))
    used = set()
    for text in sources:
        used |= set(re.findall(r"\bt\(\s*[\"']([A-Za-z0-9_.]+)[\"']", text))
        used |= {f"ev_{k}" for k in re.findall(r"_label\(\s*[\"']([A-Za-z0-9_]+)[\"']", text)}
    missing = sorted(k for k in used if k not in i18n.TEXT and not k.endswith("_"))  # "_" ends a prefix
    assert len(used) > 100 and not missing, missing


def test_no_sentences_left_in_plots_reports_or_evidence_code():
    vietnamese = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)
    for name in ("render/figures.py", "render/notebook.py", "render/packs.py", "render/excel.py"):
        code = (ROOT / "iso18091lab" / name).read_text(encoding="utf-8")
        code = re.sub(r'"""(.|\n)*?"""', "", code)  # docstrings may describe formats in Vietnamese
        code = "\n".join(line.split("#")[0] for line in code.splitlines())
        hits = [line for line in code.splitlines() if vietnamese.search(line)]
        assert not hits, (name, hits[:5])


def test_one_wording_per_concept():
    assert i18n.COLUMN_LABELS["share_scored"] is i18n.TEXT["share_scored"]
    assert i18n.COLUMN_LABELS["baseline"]["vi"] == t("baseline") == "Điểm năm gốc"
    assert len({v["vi"] for k, v in i18n.TEXT.items() if k.startswith("ev_")}) == \
        len([k for k in i18n.TEXT if k.startswith("ev_")])


def test_public_helpers_still_work():
    assert number(7.5) == "7,5" and number(1234.5, "en") == "1,234.5" and number(1234.5) == "1.234,5"
    assert p_text(0.0004) == "< 0,001" and p_text(0.0123) == "= 0,012"
    frame = localise(pd.DataFrame({"unit": ["A"], "rater": ["self"], "method": ["wilcoxon_exact"]}))
    assert list(frame.columns) == ["Đơn vị", "Bên chấm", "Phương pháp"]
    assert frame.iloc[0].tolist() == ["A", "Tự đánh giá", "Kiểm định dấu-hạng Wilcoxon (Wilcoxon signed-rank), phân "
                                                          "phối chính xác (như wilcox.test của R)"]
    assert method_label("wilcoxon_exact", "en") == "Wilcoxon signed-rank test, exact distribution (as R wilcox.test)"
    assert method_label("Wilcoxon signed-rank test", "en") == "Wilcoxon signed-rank test"  # not a method key: as is
    assert "ngoại suy" not in t("eff_fig_event") and "quy gán" in t("eff_fig_event")
    assert "làm tăng" not in i18n.TEXT["eff_s1"]["vi"] and "làm tăng" not in i18n.TEXT["nat_s1"]["vi"]


def test_localise_keeps_missing_groups_and_raters():
    import pandas as pd

    from iso18091lab.i18n import localise, t

    frame = pd.DataFrame({"group": pd.Series(["pilot", pd.NA], dtype="string"),
                          "rater": pd.Series([pd.NA, "council"], dtype="string")})
    out = localise(frame, "vi")
    assert out.iloc[0, 0] == t("pilot", "vi") and pd.isna(out.iloc[1, 0])
    assert pd.isna(out.iloc[0, 1]) and out.iloc[1, 1] == t("council", "vi")


def test_dates_are_vietnam_time_written_the_vietnamese_way():
    from iso18091lab.i18n import date_text

    # 20:10 UTC on 5 December is 03:10 on 6 December in Hà Nội (UTC+7, no daylight saving)
    assert date_text("2026-12-05T20:10:00+00:00", "vi", time=True) == "03:10 ngày 06/12/2026"
    assert date_text("2026-12-05T20:10:00", "vi") == "06/12/2026"  # a time without a zone is UTC (manifests)
    assert date_text("2026-01-02T01:00:00+00:00", "vi", formal=True) == "ngày 02 tháng 01 năm 2026"
    assert date_text("2026-12-05T20:10:00+00:00", "en", time=True) == "06/12/2026, 03:10 (UTC+7)"


def test_counts_in_running_text_have_a_thousands_separator_years_do_not():
    from iso18091lab.i18n import t

    line = t("index_ingest", "vi", rows_read=14112, accepted=13000, quarantined=1112, duplicates=0, unattributed=0)
    assert "đã đọc 14.112 dòng" in line and "nhận 13.000" in line and "cách ly 1.112" in line
    assert "năm 2024 " in t("sc_s3", "vi", latest=2024, top="xã A", n_red=1, n_bodies_red=1)


def _methods_the_statistics_return() -> list[str]:
    """Method descriptions as the statistics return them (keys and values, no words), from real calls where they
    are cheap and, for the ATT's inference variants, as imputation_att builds them."""
    from iso18091lab.stats import effect as ef
    from iso18091lab.stats import method_part, method_token
    from iso18091lab.stats import synthesis as syn

    after, before = [61.5, 55, 70, 48, 62, 66.5, 52, 59.5, 63.5, 57.5, 68, 60], [60, 53, 70, 49, 60, 63, 52, 58, 61,
                                                                                  58, 64, 58]
    exact = [1.1, 2.3, -0.4, 3.9, 5.2, 0.7, 2.8]
    out = [ef.wilcoxon_signed_rank(exact).method, ef.wilcoxon_signed_rank(after, before).method,
           ef.wilcoxon_signed_rank(after, before, correct=False).method, ef.hodges_lehmann(exact).method,
           ef.hodges_lehmann(after, before).method, ef.hodges_lehmann(after, before, correct=False).method,
           ef.bootstrap_mean_change([2, 2, 2]).method, ef.bootstrap_mean_change(exact, n_resamples=99, seed=1).method,
           method_token("hl_too_few"), method_token("twfe")]
    for method in syn.METHODS:
        for hk in (False, True):
            out.append(syn.meta_analysis([0.1, 0.5, 0.3, 0.9], [0.04, 0.05, 0.03, 0.06], method=method,
                                         hartung_knapp=hk).method)
    estimator = method_part("att_imputation")
    for se in ("se_bjs_loo_t", "se_bjs_t"):
        for why in (method_part("why_cohorts", min=3), method_part("why_caller")):
            out.append(method_token("att_bjs", estimator=estimator, se=method_part(se, df=41), why=why))
    for se in ("se_bjs_loo_normal", "se_bjs_normal"):
        out.append(method_token("att_bjs", estimator=estimator, se=method_part(se), why=method_part("why_caller")))
    sizes = {"estimator": estimator, "draws": 20, "smallest": 2, "needed": 3}
    out += [method_token("att_ri_exact", **sizes), method_token("att_ri_mc", possible="1287", **sizes),
            method_token("att_ri_mc", possible=method_part("more_than_1e15"), **sizes)]
    for fit in ("fit_reml_kept", "fit_complete_only"):
        out += [method_token(form, fit=method_part(fit)) for form in ("icc_a1", "icc_ak")]
    return out + [method_token("krippendorff_interval")]


def test_methods_are_keys_with_values_worded_in_either_language():
    from english import english_words

    from iso18091lab.i18n import METHODS, method_text, split_method

    tokens = _methods_the_statistics_return()
    assert split_method("wilcoxon_exact") == ("wilcoxon_exact", {})
    assert split_method("Wilcoxon signed-rank test") is None and split_method("twfe {not json") is None
    used = set()
    for token in tokens:
        key, values = split_method(token)
        for lang in ("vi", "en"):
            text = method_label(token, lang)
            assert text != token and "{" not in text and text[:1] == text[:1].upper(), (lang, text)
        assert not english_words(method_label(token, "vi")), method_label(token, "vi")
        used |= {key} | set(re.findall(r'"key": "([a-z0-9_]+)"', token))
    assert used == set(METHODS)  # every method.* row words something the statistics return
    # hand-worked: values filled in, a part worded in place, a list of parts as an aside in brackets
    bca = method_label('mean_change_bca {"resamples": 9999}', "en")
    assert bca == "Mean change, BCa bootstrap (9999 resamples)"
    why = [{"key": "zeros_dropped", "n": 2}, {"key": "ties"}]
    assert method_text("wilcoxon_normal_cc", {"why": why}, "en") == (
        "Wilcoxon signed-rank test, normal approximation with continuity correction, tie-corrected variance "
        "(2 zero difference(s) dropped; ties) (as R wilcox.test)")
    assert method_text("wilcoxon_normal_cc", {"why": []}, "vi").endswith("theo hạng trùng (như wilcox.test của R)")
    assert method_text("meta_hk", {"tau2": {"key": "tau2_dl"}}, "vi") == (
        "Phân tích gộp hiệu ứng ngẫu nhiên (random-effects meta-analysis), τ² theo DerSimonian–Laird, hiệu chỉnh "
        "Hartung–Knapp")
