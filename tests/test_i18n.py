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
        used |= set(re.findall(r"\b(?:t|both|said|_both|_h)\(\s*[\"']([A-Za-z0-9_.]+)[\"']", text))
        used |= {f"ev_{k}" for k in re.findall(r"_label\(\s*[\"']([A-Za-z0-9_]+)[\"']", text)}
    missing = sorted(k for k in used if k not in i18n.TEXT and not k.endswith("_"))  # "_" ends a prefix
    assert len(used) > 100 and not missing, missing


#: Vietnamese letters (beyond plain Latin): a literal holding one is Vietnamese text.
VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹáàãéèíìóòõúùý]", re.I)
#: An English phrase: three words in a row (letters only, as a sentence has them).
ENGLISH = re.compile(r"\b[A-Za-z][a-z]+(?: [a-z][a-z]+){2,}\b")
#: Calls whose text arguments readers see: printing, the command's help, errors shown as one line to users.
READER_CALLS = {"print", "add_argument", "add_parser", "ArgumentParser", "UserError", "RunError", "IngestError",
                "DatasetNotFound", "CatalogError", "FileReadError", "SkippedSheet", "markdown", "heading", "table",
                "figure", "write_string", "merge_range"}
#: Literals that are data, not words for readers, by module and the name they are assigned to (or the function
#: they are in): spellings ingest RECOGNISES in input files and the canonical values it stores. They stay where
#: they are used; the guard tells them apart by these names, not by their content. The header aliases
#: (``reader.HEADER_ALIASES``) and the vocabularies of raters, lights and groups (``clean._RATERS`` ...) are folded
#: to plain ASCII and handed to no reader-facing call, so they pass without being listed.
DATA = {
    "intake/clean.py": {"LEVELS", "TIER", "unit_keys", "exact_key"},  # level names as stored; 'UBND' prefixes
    "normalize.py": {"strip_diacritics", "_OLD_TONES"},  # folding letters, tone-mark placement
    "run/simulation.py": {"CALIBRATION_DESIGNS", "simulate_calibration_panel", "simulate_national_panel"},  # levels
    "run/workbench.py": {"small_design"},  # the demo's provinces and levels
}
#: Whole packages whose Vietnamese is data: ``synthetic/`` writes raw files like the Departments' (unit names,
#: headers and banners as staff type them), which ingest then reads.
DATA_PACKAGES = ("synthetic/",)


def _enclosing_names(tree) -> dict[int, set[str]]:
    """For every node id: the names of the assignments, functions and classes it sits in."""
    import ast

    names: dict[int, set[str]] = {}

    def visit(node, inside: set[str]):
        here = set(inside)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            here.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            here |= {t.id for t in targets if isinstance(t, ast.Name)}
        names[id(node)] = here
        for child in ast.iter_child_nodes(node):
            visit(child, here)

    visit(tree, set())
    return names


def _texts_readers_may_see(source: str, data: set[str]) -> list[tuple[int, str]]:
    """(line, text) of every literal that is Vietnamese, or an English phrase handed to a call readers see;
    docstrings, comments, regular expressions, arguments of t() (keys) and the ``data`` tables left out."""
    import ast

    tree = ast.parse(source)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    skip, reader = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            parts = list(node.args) + [k.value for k in node.keywords]
            if name in ("t", "compile", "sub", "match", "search", "fullmatch", "split", "findall"):
                skip |= {id(n) for part in parts[:1] for n in ast.walk(part)}
            if name in READER_CALLS:
                reader |= {id(n) for part in parts for n in ast.walk(part)}
        if isinstance(node, ast.Raise) and node.exc is not None:
            call = node.exc
            if isinstance(call, ast.Call) and getattr(call.func, "id", "") in READER_CALLS:
                reader |= {id(n) for n in ast.walk(call)}
    enclosing = _enclosing_names(tree)
    hits = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in docstrings | skip:
            continue
        if enclosing[id(node)] & data:
            continue
        if VIETNAMESE.search(node.value) or (id(node) in reader and ENGLISH.search(node.value)):
            hits.append((node.lineno, node.value))
    return hits


def _notebook_code(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells
                     if c["cell_type"] == "code" and "parameters" not in c.get("metadata", {}).get("tags", []))


def test_no_sentences_in_code_only_in_the_text_table():
    """Every module of the package and every notebook: reader-facing words come from text.csv. A hit is a
    Vietnamese literal anywhere, or an English phrase (three words) given to print, the command's help, an error
    shown to users, a report's markdown, heading or caption, or a workbook cell. Spellings ingest recognises and
    the values it stores are data (:data:`DATA`, by name), as are the synthetic raw files (:data:`DATA_PACKAGES`)
    and a notebook's parameters cell (its defaults)."""
    package = ROOT / "iso18091lab"
    found = {}
    for path in sorted(package.rglob("*.py")):
        name = path.relative_to(package).as_posix()
        if name.startswith(DATA_PACKAGES):
            continue
        hits = _texts_readers_may_see(path.read_text(encoding="utf-8"), DATA.get(name, set()))
        if hits:
            found[name] = hits
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        hits = _texts_readers_may_see(_notebook_code(path), set())
        if hits:
            found[f"notebooks/{path.name}"] = hits
    assert not found, found


def test_the_guard_finds_sentences_and_lets_data_through():
    code = ('''"""Docstring: mọi thứ."""\nimport re\nLEVELS = {"quận": ("quan",)}\nPATTERN = re.compile(r"^(ủy ban)")\n'''
            '''def f(t):\n    print("Đã xong")\n    print("the file was written")\n    print(t("cli_done"))\n'''
            '''    raise UserError(f"cannot read the file {1}")\n    return "ok"  # comment: chú thích\n''')
    hits = _texts_readers_may_see(code, {"LEVELS"})
    assert [text for _, text in hits] == ["Đã xong", "the file was written", "cannot read the file "]
    assert [text for _, text in _texts_readers_may_see(code, set())][0] == "quận"


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
    from iso18091lab.stats import method_part, method_token
    from iso18091lab.stats import synthesis as syn
    from iso18091lab.stats.rank import bootstrap_mean_change, hodges_lehmann, wilcoxon_signed_rank

    after, before = [61.5, 55, 70, 48, 62, 66.5, 52, 59.5, 63.5, 57.5, 68, 60], [60, 53, 70, 49, 60, 63, 52, 58, 61,
                                                                                  58, 64, 58]
    exact = [1.1, 2.3, -0.4, 3.9, 5.2, 0.7, 2.8]
    out = [wilcoxon_signed_rank(exact).method, wilcoxon_signed_rank(after, before).method,
           wilcoxon_signed_rank(after, before, correct=False).method, hodges_lehmann(exact).method,
           hodges_lehmann(after, before).method, hodges_lehmann(after, before, correct=False).method,
           bootstrap_mean_change([2, 2, 2]).method, bootstrap_mean_change(exact, n_resamples=99, seed=1).method,
           method_token("hl_too_few"), method_token("twfe"), method_token("event_study_bjs"),
           method_token("pretrend_bjs"), method_token("effectiveness_table")]
    from iso18091lab.stats.cluster_robust import cluster_robust_mean
    from iso18091lab.stats.did.callaway_santanna import callaway_santanna

    rows = [("A", b, y, g, 2024 if g == "pilot" else None, 50 + (8 if g == "pilot" and y == 2024 else 0))
            for b, g in [("p1", "pilot"), ("p2", "pilot"), ("c1", "comparison"), ("c2", "comparison")]
            for y in (2023, 2024)]
    panel = pd.DataFrame(rows, columns=["province", "body_id", "year", "group", "pilot_start", "score"])
    out += [callaway_santanna(panel).method, cluster_robust_mean([1.0, 2.0, 4.0, 3.0], [1, 1, 2, 2])["method"]]
    from iso18091lab.run.simulation import leniency_coverage

    coverage = leniency_coverage(bodies=(3,), runs=2, seed=1, n_resamples=9)
    out += [coverage.method, *coverage.table["method"]]  # the result's method and its rows' intervals
    for method in syn.METHODS:
        for hk, adhoc in ((False, False), (True, False), (True, True)):
            out.append(syn.meta_analysis([0.1, 0.5, 0.3, 0.9], [0.04, 0.05, 0.03, 0.06], method=method,
                                         hartung_knapp=hk, adhoc=adhoc).method)
    estimator = method_part("att_imputation")
    for se in ("se_bjs_loo_t", "se_bjs_t"):
        for why in (method_part("why_cohorts", min=3), method_part("why_caller")):
            out.append(method_token("att_bjs", estimator=estimator, se=method_part(se, df=41), why=why))
    for se in ("se_bjs_loo_normal", "se_bjs_normal"):
        out.append(method_token("att_bjs", estimator=estimator, se=method_part(se), why=method_part("why_caller")))
    sizes = {"estimator": estimator, "draws": 20, "smallest": 2, "needed": 3}
    out += [method_token("att_ri_exact", **sizes), method_token("att_ri_mc", possible="1287", **sizes),
            method_token("att_ri_mc", possible=method_part("more_than_1e15"), **sizes)]
    return out + _reliability_methods()


def _reliability_methods() -> list[str]:
    """The method descriptions of the reliability statistics, from real calls on a small synthetic table."""
    from iso18091lab.stats.review import council_size, leniency, pillar_items, rater_consistency
    from iso18091lab.stats.review import assessments as review_assessments
    from iso18091lab.stats.review import table as review_table
    from iso18091lab.stats.agreement import bland_altman, fleiss_kappa
    from iso18091lab.stats.intraclass import icc, icc_reml
    from iso18091lab.stats.reml import variance_components
    from iso18091lab.stats.scales import cronbach_alpha, floor_ceiling, mcdonald_omega

    members = review_assessments._example(n_bodies=6, members=3, seed=1)
    # ICC(A,1) and (A,k) by both fits, Krippendorff
    out = list(rater_consistency.council_interrater(members)["measure"])
    ratings = members[members["rater_id"].notna()].assign(target=lambda f: f["body_id"] + f["indicator"])
    for function in (icc, icc_reml):
        out += list(function(ratings, "target", "rater_id", "score_100")["method"])  # six forms
    out += [variance_components(ratings, "score_100", ["target", "rater_id"]).method,
            council_size.council_g_study(members).method, council_size.council_d_study(members, 3, 10, seed=1).method,
            floor_ceiling(members)["method"].iloc[0]]
    wide = ratings.pivot_table(index="target", columns="rater_id", values="score_100")
    out += [cronbach_alpha(wide).method, mcdonald_omega(wide).method,
            fleiss_kappa([[2, 1, 0], [0, 3, 0], [1, 1, 1]]).method,
            bland_altman(wide.iloc[:, 0], wide.iloc[:, 1]).method]
    results = [leniency.self_inflation(members), leniency.self_inflation_by_body(members),
               rater_consistency.self_council_consistency(members), rater_consistency.member_agreement(members),
               pillar_items.internal_consistency(members), pillar_items.internal_consistency(members, rater="self"),
               pillar_items.item_review(members, n_resamples=20, seed=1)]
    return out + [r["method"].iloc[0] for r in results] + [review_table.review_indicators(members, n_resamples=20,
                                                                                            seed=1).method]


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
