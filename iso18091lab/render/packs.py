"""The evidence pack: a Word document and an Excel workbook per province run and for the national run.

Both are built from the reports' typed summaries (``summaries/<report>.json``: the answer on the first page, what
could not be estimated and why, whether the data are synthetic), from the result tables *as the notebooks
produced them* (``tables/*.parquet``, typed: indicator and body codes stay text, counts integers, numbers
numbers) and from ``results.json`` (what each page showed: its sentences, notes, tables and figures; no number);
nothing is re-guessed from CSV. They say exactly what the HTML reports say.

The Word document is laid out as a Vietnamese administrative document (Nghị định 30/2020/NĐ-CP, Appendix I):
A4, Times New Roman, body text 13 pt, margins top/bottom 20 mm, left 30 mm, right 17 mm, page numbers at the
top from page 2. Its first page gives the answer — did the pilot work, by how much, how sure; can the
indicators be trusted; what follows for a roll-out — then recommendations and each body's action list (its red
indicators, with names), the detailed results with numbered tables and figures, methods, caveats, a glossary
and the provenance. The Excel workbook has one sheet per result table (codes as text, numbers as numbers with
display formats), the action list, and an "about" sheet.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.run import Run
from docx.shared import Mm, Pt, RGBColor

from iso18091lab._version import __version__
from iso18091lab.render.excel import write_excel_sheet
from iso18091lab.i18n import (COLUMN_LABELS, GLOSSARY, TEXT, date_text, number, readable, t,
                   value_label)
from iso18091lab.render.notebook import display_frame, read_typed, reason_text
from iso18091lab.render.effectiveness import effect_answer
from iso18091lab.render.national import left_out_sentence
from iso18091lab.render.reliability import consistency_sentences
from iso18091lab.summaries import data_quality, scorecard  # noqa: F401  (registers their summary classes)
from iso18091lab.summaries.base import SUMMARIES, has_summary, load_summary
from iso18091lab.summaries.effect import effect_summary, effect_verdict_of
from iso18091lab.summaries.national import NationalSummary
from iso18091lab.summaries.reliability import ReliabilitySummary
from iso18091lab.normalize import slugify

MAX_TABLE_ROWS = 15
FONT = "Times New Roman"
BODY_PT = 13
TABLE_PT = 11
TABLE_STYLE = "Table Text"
#: Nghị định 30/2020/NĐ-CP, Appendix I: A4; margins top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 17}


def _label(key: str, lang: str, **values) -> str:
    return t(f"ev_{key}", lang, **values)


def pack_names(slug: str) -> tuple[str, str]:
    """File names of the Word document and Excel workbook for a report folder."""
    return f"ho-so-bang-chung-{slug}.docx", f"bang-ket-qua-{slug}.xlsx"


# -- reading what the notebooks produced -----------------------------------------------------------------------
def load_result_tables(folder: Path, results: dict) -> dict[str, pd.DataFrame]:
    """Every table listed in ``results.json``, keyed by its CSV path, with the types the notebook gave it
    (from Parquet). A table saved before Parquet existed is read as text (never type-guessed)."""
    tables = {}
    for entry in results.values():
        for info in entry.get("tables", []):
            parquet = info.get("parquet") or info["csv"].rsplit(".", 1)[0] + ".parquet"
            if (folder / parquet).exists():
                tables[info["csv"]] = read_typed(folder / parquet)
            else:
                tables[info["csv"]] = pd.read_csv(folder / info["csv"], dtype=str, keep_default_na=False,
                                                  encoding="utf-8-sig")
    return tables


def indicator_names(catalog: pd.DataFrame | None, lang: str) -> dict[str, str]:
    """{"1.10": "Public safety", ...} in ``lang`` (Vietnamese title, else the English one)."""
    if catalog is None or not len(catalog):
        return {}
    first, second = ("name_vi", "name_en") if lang == "vi" else ("name_en", "name_vi")
    names = {}
    for row in catalog.itertuples():
        name = getattr(row, first, "") or getattr(row, second, "")
        names[str(row.indicator)] = str(name)
    return names


def _headers(*keys: str) -> set[str]:
    """A column's raw name and its localised headers in both languages (tables are saved localised)."""
    out = set(keys)
    for key in keys:
        entry = COLUMN_LABELS.get(key) or TEXT.get(key) or TEXT.get(f"ev_{key}") or {}
        out |= {entry.get("vi", key), entry.get("en", key)}
    return out


_INDICATOR_HEADERS = _headers("indicator")
_NAME_HEADERS = _headers("name_vi", "name_en", "indicator_name")
_LABELLED = re.compile(r"^(" + "|".join(re.escape(h) for h in sorted(_INDICATOR_HEADERS)) + r") (\d+\.\d+)$")


def with_indicator_names(frame: pd.DataFrame, names: dict[str, str], lang: str) -> pd.DataFrame:
    """The indicator's name beside its code: a name column after an indicator-code column (when the table has
    none), and "Chỉ số 1.10" cells completed to "Chỉ số 1.10 — An toàn công cộng". Codes stay text."""
    if not names:
        return frame
    out = frame.copy()
    has_name = any(str(c) in _NAME_HEADERS for c in out.columns)
    for position, column in reversed(list(enumerate(out.columns))):
        values = out.iloc[:, position]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
            continue
        texts = values.dropna().astype(str)
        if str(column) in _INDICATOR_HEADERS and not has_name and len(texts) and texts.isin(names.keys()).all():
            out.insert(position + 1, _label("indicator_name", lang),
                       values.map(lambda v: names.get(str(v), "") if isinstance(v, str) else "").astype("string"))
        elif len(texts) and texts.str.match(_LABELLED).any():
            out.iloc[:, position] = values.map(lambda v: _labelled(v, names))
    return out


def _labelled(value, names: dict[str, str]):
    if not isinstance(value, str):
        return value
    match = _LABELLED.match(value)
    if match and match.group(2) in names:
        return f"{value} — {names[match.group(2)]}"
    return value


def action_list(tables: dict[str, pd.DataFrame], results: dict, names: dict[str, str], lang: str) -> pd.DataFrame:
    """One row per body and red indicator (council, latest year): body, group, code, name — from the
    scorecard's red-indicator table."""
    entry = results.get("10_scorecard", {})
    info = next((i for i in entry.get("tables", []) if "red" in i["csv"]), None)
    columns = [t("unit", lang), _label("col_group", lang), _label("col_code", lang),
               _label("indicator_name", lang)]
    if info is None or info["csv"] not in tables:
        return pd.DataFrame(columns=columns, dtype="string")
    frame = tables[info["csv"]]
    body = next((c for c in frame.columns if c in _headers("body_label", "unit")), frame.columns[0])
    group = next((c for c in frame.columns if c in _headers("group")), None)
    codes = next((c for c in frame.columns if c in _headers("indicators")), None)
    rows = []
    for _, row in frame.iterrows():
        # "1.4, 1.10" or "1.4 Tài chính công…; 1.10 An ninh trật tự công cộng"
        listed = re.split(r"[;,]\s*(?=\d+\.\d+)", str(row[codes])) if codes is not None else []
        for part in listed:
            match = re.match(r"\s*(\d+\.\d+)\s*(.*)$", part)
            if match:
                code = match.group(1)
                known = group is not None and not pd.isna(row[group]) and str(row[group]).strip()
                rows.append([str(row[body]), str(row[group]) if known else "", code,
                             names.get(code) or match.group(2).strip()])
    return pd.DataFrame(rows, columns=columns).astype("string")


# -- the answer ------------------------------------------------------------------------------------------------
def reliability_summary_of(folder: Path) -> ReliabilitySummary | None:
    """The reliability summary report 20 saved in a report folder, or None when it did not run there."""
    return load_summary(folder, "20_reliability") if has_summary(folder, "20_reliability") else None


#: The summary section whose ``NotEstimated`` is the reason there is no headline effect: the province's main
#: estimate (``summaries.effectiveness``), the national pooling (``summaries.national``).
HEADLINE_SECTIONS = ("main", "provinces")


def headline_reason(summary, lang: str = "vi") -> str:
    """Why ``summary`` (an effectiveness or national summary, or None) has no headline effect, in ``lang``: the
    reasons of its :data:`HEADLINE_SECTIONS` entries of ``not_estimated``, joined by "; " ("" when it recorded
    none). The Word pack's answer and the index page's main result both say this."""
    headline = [n for n in getattr(summary, "not_estimated", None) or []
                if n.section in HEADLINE_SECTIONS and n.reason]
    return "; ".join(dict.fromkeys(filter(None, (reason_text(n, lang) for n in headline))))


def _not_estimated(notebook: str, lang: str, summary=None) -> str:
    """Why a report's answer is missing, from its typed ``summary``: the reason of its headline section when it
    recorded one (so the effect's answer does not list the reasons of other sections: levels, sample size), else
    every reason it recorded; without a summary, that the report ``notebook`` did not run."""
    if summary is None:
        return _label("not_run", lang, report=t(f"title_{notebook}", lang))
    reason = headline_reason(summary, lang) or "; ".join(
        dict.fromkeys(filter(None, (reason_text(n, lang) for n in summary.not_estimated))))
    return _label("not_estimated_because", lang, reason=reason or _label("no_reason", lang))


#: The roll-out advice (``ev_rollout_<advice>``) for each reason of :func:`stats.verdict.effect_verdict`; any
#: other reason (inconclusive, design_too_small, inconsistent) is "unclear".
ROLLOUT_BY_REASON = {"improved": "up", "improved_small": "small", "worsened": "no", "below_min_effect": "no",
                     "not_estimated": "unknown"}


def answer(results: dict, names: dict[str, str], lang: str, reliability: ReliabilitySummary | None = None,
           effect=None) -> dict[str, list[str]]:
    """The first page: {"effect": [...], "trust": [...], "rollout": [...]} sentences.

    Parameters
    ----------
    results : dict
        The folder's ``results.json``: only which reports the folder shows, to name the one that did not run
        (every number, list and reason comes from the summaries).
    names : dict
        Indicator names by code.
    lang : str
        ``"vi"`` or ``"en"``.
    reliability : ReliabilitySummary, optional
        The province's reliability summary (report 20, :func:`reliability_summary_of`): the trust answer.
    effect : NationalSummary or EffectivenessSummary, optional
        The folder's summary that answers "did the pilot work?" (:func:`iso18091lab.summaries.effect.
        effect_summary`): the effect, its verdict (nationally :func:`iso18091lab.stats.verdict.
        national_effect_verdict`: no number when the provinces' designs cannot answer), the provinces the
        pooling left out, the indicators flagged everywhere and the national sample size.

    Returns
    -------
    dict
        ``{"effect": [...], "trust": [...], "rollout": [...]}`` sentences in ``lang``.
    """
    fmt = lambda x: number(x, lang)  # noqa: E731
    effect_lines, trust, rollout = [], [], []
    clear = None
    nat = effect if isinstance(effect, NationalSummary) else None
    primary = effect.primary_record() if effect is not None and nat is None else None
    verdict = effect_verdict_of(effect)
    if nat is not None and nat.pooled is not None:
        p = nat.pooled
        clear = verdict.answer
        key = {"improved": "up", "improved_small": "up_small", "worsened": "down",
               "below_min_effect": "below_min_effect"}.get(verdict.reason, "unclear")
        effect_lines.append(_label(f"national_{key}", lang, k=p.n, estimate=fmt(p.estimate), low=fmt(p.ci_low),
                                   high=fmt(p.ci_high), pi_low=fmt(p.params["pi_low"]),
                                   pi_high=fmt(p.params["pi_high"]),
                                   min_effect=fmt(verdict.values.get("min_effect", float("nan")))))
        if nat.strength:
            effect_lines.append(t("nat_strength", lang, strength=t("strength_" + nat.strength, lang)))
    elif nat is not None and verdict.reason == "design_too_small":  # never a number
        clear = verdict.answer
        effect_lines.append(_label("national_design_too_small", lang, n=int(verdict.values.get("n_pooled") or 0),
                                   k=int(verdict.values.get("n_provinces") or 0)))
    elif primary is not None:
        clear = verdict.answer
        effect_lines.append(effect_answer(verdict, primary, lang))
    else:
        effect_lines.append(_label("effect_none", lang, why=_not_estimated(
            "40_national" if "40_national" in results else "30_effectiveness", lang, effect)))
    if nat is not None and nat.left_out:  # the provinces the pooling left out, and why
        effect_lines.append(left_out_sentence(nat.left_out, lang))
    if clear is not None:
        effect_lines.append(_label("effect_caveat", lang))
    effect = effect_lines

    flagged: list[str] = []
    if nat is not None:
        flagged = list(nat.flagged_everywhere)
        trust.append(_label("trust_national", lang, n=len(flagged), list=_named(flagged, names))
                     if flagged else _label("trust_national_none", lang))
    elif reliability is not None:
        overall = reliability.inflation_overall
        if overall is not None:
            trust.append(_label("trust_agreement", lang, inflation=fmt(overall.estimate), low=fmt(overall.ci_low),
                                high=fmt(overall.ci_high), n_bodies=overall.n))
        flagged = list(reliability.flagged)
        # "consistent" only where the intervals showed it (stats.verdict)
        trust += consistency_sentences(reliability.trust, lang, names)
        if overall is not None and overall.ci_low > 0:
            rollout.append(_label("rollout_keep_council", lang))
        if reliability.members_needed.get("0.8") is not None:
            rollout.append(_label("rollout_council_size", lang, m80=reliability.members_needed["0.8"],
                                  m90=reliability.members_needed.get("0.9") or "–"))
    else:
        trust.append(_label("trust_none", lang, why=_not_estimated("20_reliability", lang)))

    # the roll-out advice follows the verdict's reason, so it can never contradict the answer above it
    advice = "unknown" if clear is None else ROLLOUT_BY_REASON.get(verdict.reason, "unclear")
    min_effect = number(verdict.values.get("min_effect", float("nan")), lang, 0)
    rollout.insert(0, _label(f"rollout_{advice}", lang, min_effect=min_effect))
    if flagged:
        rollout.append(_label("rollout_guidance", lang, list=", ".join(flagged)))
    rollout += _bodies_needed(nat, fmt, lang)
    return {"effect": effect, "trust": trust, "rollout": rollout}


def _bodies_needed(national: NationalSummary | None, fmt, lang: str) -> list[str]:
    """The national sample size for an effect of MIN_EFFECT points as a range over the assumed between-province
    heterogeneity (the power sensitivity table: from tau = 0, the optimistic end, to the largest tau assumed),
    with the assumption said; the estimate from the provinces' own heterogeneity is added when there was one."""
    if national is None or national.power is None:
        return []
    effect = national.min_effect
    column = f"bodies_{effect:g}"
    if column not in national.power_sensitivity:
        return []
    rows = national.power_sensitivity.dropna(subset=[column]).sort_values("tau")
    if not len(rows):
        return []
    inputs = national.power
    out = [_label("rollout_sample", lang, effect=fmt(effect), low=int(rows[column].iloc[0]),
                  high=int(rows[column].iloc[-1]), tau=fmt(rows["tau"].iloc[-1]), m=inputs.bodies_per_province)]
    needed = national.bodies_needed
    row = needed[needed["effect"] == effect] if len(needed) else needed
    if inputs.tau2_estimated and len(row) and row["bodies_2y"].iloc[0]:
        out.append(_label("rollout_sample_estimated", lang, k=national.pooled.n if national.pooled else 0,
                          deff=number(inputs.design_effect, lang, 2), n=int(row["bodies_2y"].iloc[0])))
    return out


def _named(codes: list[str], names: dict[str, str]) -> str:
    return "; ".join(f"{c} {names[c]}" if names.get(c) else c for c in codes)


# -- laying tables out on A4 -------------------------------------------------------------------------------------
#: Width of one character of Times New Roman at 1 pt, in mm (0.55 em: wide letters, diacritics and bold
#: headers included, so that a word measured to fit does fit),
#: and the left + right padding of a cell (Word's default 1.9 mm each side).
CHAR_MM_PER_PT = 0.55 * 25.4 / 72
CELL_PAD_MM = 3.8
#: Longest cell text counted when a column's natural width is measured (longer text wraps).
NATURAL_CHARS = 42
#: A text column whose value is the same in every row and longer than this is said once, under the table.
REPEATED_TEXT_CHARS = 30


def readable_header(header: str, lang: str) -> str:
    """'(1) method' -> '(1) Phương pháp': a note's label with the column's name as readers see it."""
    mark, _, name = header.rpartition(") ")
    shown = COLUMN_LABELS.get(name, {}).get(lang, name) if name else COLUMN_LABELS.get(header, {}).get(lang, header)
    return f"{mark}) {shown}" if mark else shown


def text_width_mm(landscape: bool = False) -> float:
    """Width of the text area of an A4 page with the margins of Nghị định 30 (portrait 163 mm, landscape 247 mm)."""
    page = PAGE_MM[1] if landscape else PAGE_MM[0]
    return page - MARGINS_MM["left"] - MARGINS_MM["right"]


def _chars_mm(chars: int, pt: float) -> float:
    return chars * CHAR_MM_PER_PT * pt + CELL_PAD_MM


def column_widths(shown: pd.DataFrame, numeric: list[bool], width_mm: float, pt: float) -> list[float] | None:
    """Column widths (mm) from the content, summing to at most ``width_mm``: each column at least as wide as its
    longest word (header included: no word is broken, "second/ary"), numbers and codes as wide as their longest
    value, text columns sharing what is left in proportion to their natural width. None when the longest words
    alone do not fit."""
    least, natural = [], []
    for j, header in enumerate(shown.columns):
        cells = [str(v) for v in shown.iloc[:, j]]
        words = [w for text in [str(header)] + cells for w in text.split()] or [""]
        longest_word = max(len(w) for w in words)
        longest_cell = max([len(c) for c in cells] + [0])
        if numeric[j]:  # as wide as the longest value; the header on at most two lines when there is room
            least.append(_chars_mm(max(longest_word, longest_cell), pt))
            natural.append(_chars_mm(max(longest_word, longest_cell, min(len(str(header)) // 2 + 1, 12)), pt))
        else:
            least.append(_chars_mm(longest_word, pt))
            natural.append(_chars_mm(max(longest_word, min(longest_cell, NATURAL_CHARS)), pt))
    if sum(least) > width_mm:
        return None
    if sum(natural) <= width_mm:
        return natural
    spare, wanted = width_mm - sum(least), sum(n - m for n, m in zip(natural, least))
    return [m + spare * (n - m) / wanted for n, m in zip(natural, least)]


def table_layout(shown: pd.DataFrame, numeric: list[bool]) -> tuple[bool, float, list[float]]:
    """(landscape, font size, column widths in mm) for a table: portrait at the table font size when it fits,
    else landscape, else landscape in a smaller font, else landscape with the widths scaled to the page (words
    may then break)."""
    for landscape, pt in ((False, TABLE_PT), (True, TABLE_PT), (True, TABLE_PT - 2)):
        widths = column_widths(shown, numeric, text_width_mm(landscape), pt)
        if widths is not None:
            return landscape, pt, widths
    pt = TABLE_PT - 2
    least = [max(_chars_mm(max([len(w) for t_ in [str(h)] + [str(v) for v in shown.iloc[:, j]] for w in t_.split()]
                                   + [1]), pt), 8.0) for j, h in enumerate(shown.columns)]
    scale = text_width_mm(True) / sum(least)
    return True, pt, [w * scale for w in least]


def said_once(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """Long texts repeated down a column — a method description in each row — said once under the table: a
    column with one such value is taken out of the table; a column with a few distinct long values keeps a
    note number, "(1)", in each row. Returns (the table, [(label, text)] to print under it)."""
    if len(frame) < 2:
        return frame, []
    notes, keep, out = [], [], frame.copy()
    for j, name in enumerate(frame.columns):
        column = frame.iloc[:, j]
        if not (column.dtype == object or pd.api.types.is_string_dtype(column)):
            keep.append(j)
            continue
        texts = column.dropna().astype(str)
        values = list(dict.fromkeys(texts))
        long = texts.str.len().max() > REPEATED_TEXT_CHARS if len(texts) else False
        if long and len(values) == 1 and column.notna().all():
            notes.append((str(name), values[0]))
            continue
        if long and len(values) <= max(3, len(frame) // 3) and len(values) < len(texts):
            marks = {v: f"({len(notes) + k + 1})" for k, v in enumerate(values)}
            notes += [(f"{marks[v]} {name}", v) for v in values]
            out.isetitem(j, column.map(lambda v: marks.get(str(v), v) if isinstance(v, str) else v).astype("string"))
        keep.append(j)
    return out.iloc[:, keep], notes


# -- Word ------------------------------------------------------------------------------------------------------
def write_evidence_pack(folder: str | Path, scope: str, provenance: dict, lang: str = "vi",
                        catalog: pd.DataFrame | None = None, document: dict | None = None) -> tuple[Path, Path]:
    """Write the Word document and Excel workbook for one report folder; returns their paths.

    ``document``: the head of an administrative document (Nghị định 30/2020/NĐ-CP, Appendix I), as the
    Department chooses: ``issuer`` (the issuing body, top left), ``number`` (the document's number and symbol,
    "Số: 123/BC-SKHCN", under it), ``motto`` (True: the national name and motto, top right).

    ``catalog`` gives the indicator names shown beside their codes (default: the catalog recorded with the
    processed data when ``provenance["processed"]`` names it, else the bundled one)."""
    folder = Path(folder)
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    synthetic = any(load_summary(folder, report).synthetic for report in SUMMARIES if has_summary(folder, report))
    if catalog is None:
        from iso18091lab.catalog import load_catalog

        recorded = Path(provenance.get("processed", "")) / "catalog.csv" if provenance.get("processed") else None
        catalog = load_catalog(recorded if recorded is not None and recorded.exists() else None)
    names = indicator_names(catalog, lang)
    tables = {key: with_indicator_names(frame, names, lang)
              for key, frame in load_result_tables(folder, results).items()}
    actions = action_list(load_result_tables(folder, results), results, names, lang)
    docx_name, xlsx_name = pack_names(slugify(scope) if scope else folder.name)
    docx_path, xlsx_path = folder / docx_name, folder / xlsx_name
    _write_docx(docx_path, folder, results, tables, actions, names, scope, provenance, synthetic, lang,
                document or {})
    _write_xlsx(xlsx_path, results, tables, actions, scope, provenance, synthetic, lang)
    return docx_path, xlsx_path


def _provenance_rows(scope: str, provenance: dict, synthetic: bool, lang: str) -> list[tuple[str, str]]:
    return [(_label("scope", lang), scope),
            (t("generated", lang), date_text(lang=lang, time=True)),
            (_label("data_kind", lang), _label("synthetic" if synthetic else "real", lang)),
            (_label("data_hash", lang), str(provenance.get("input_hash", "–"))),
            (_label("version", lang), __version__),
            (_label("seed", lang), str(provenance.get("seed", "–")))]


def _set_fonts(element, name: str) -> None:
    """Times New Roman for every script (ascii, hAnsi, eastAsia, cs), theme fonts removed."""
    rpr = element.get_or_add_rPr() if hasattr(element, "get_or_add_rPr") else element
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]


def _set_language(rpr, code: str) -> None:
    """The proofing language of a run-properties element (``w:lang``): Word spell-checks the text in it."""
    element = rpr.find(qn("w:lang"))
    if element is None:
        element = OxmlElement("w:lang")
        rpr.append(element)
    for attr in ("w:val", "w:eastAsia"):
        element.set(qn(attr), code)


#: Word's language code for each report language.
WORD_LANGUAGE = {"vi": "vi-VN", "en": "en-GB"}


def _setup_document(doc, lang: str = "vi") -> None:
    for section in doc.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
        section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
        section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
        section.header_distance = section.footer_distance = Mm(10)
        section.different_first_page_header_footer = True
        paragraph = section.header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _page_field(paragraph)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            _set_fonts(rpr, FONT)
            _set_language(rpr, WORD_LANGUAGE[lang])
    for style in doc.styles:
        if getattr(style, "font", None) is None or style.type != 1:  # paragraph styles
            continue
        style.font.name = FONT
        _set_fonts(style.element, FONT)
    cells = doc.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)  # the text of every table cell
    cells.base_style = doc.styles["Normal"]
    cells.font.name, cells.font.size = FONT, Pt(TABLE_PT)
    _set_fonts(cells.element, FONT)
    cells.paragraph_format.space_after = Pt(0)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    for name, size in (("Title", 14), ("Heading 1", 14), ("Heading 2", 13), ("Heading 3", 13)):
        style = doc.styles[name]
        style.font.size, style.font.bold = Pt(size), True
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.space_before, style.paragraph_format.space_after = Pt(12), Pt(6)
    doc.styles["List Bullet"].font.size = Pt(BODY_PT)
    for style in doc.styles.element.findall(qn("w:style")):  # every style says the language (no en-US left)
        rpr = style.find(qn("w:rPr"))
        if rpr is None:  # in schema order: before the table properties of a table style
            rpr = OxmlElement("w:rPr")
            later = [style.find(qn(tag)) for tag in ("w:tblPr", "w:trPr", "w:tcPr", "w:tblStylePr")]
            later = [e for e in later if e is not None]
            if later:
                later[0].addprevious(rpr)
            else:
                style.append(rpr)
        _set_language(rpr, WORD_LANGUAGE[lang])


def _page_field(paragraph) -> None:
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


#: Smallest printed text of a figure (pt), and the figure text assumed when results.json does not record it.
FIGURE_MIN_PT = 9.0
FIGURE_TEXT_PT = 7.0
FIGURE_DPI = 150  # plots.use_style: savefig.dpi


def figure_width_mm(px_width: int, px_height: int, min_font_pt: float | None, landscape: bool = False,
                    dpi: float = FIGURE_DPI) -> float:
    """Printed width of a figure: wide enough that its smallest text prints at :data:`FIGURE_MIN_PT` or more
    (its natural width x 9 / smallest font size), at least 160 mm when that fits, at most the text width, and
    not taller than the text area (a grid of a hundred bodies is tall)."""
    natural_mm = px_width / dpi * 25.4
    smallest = min_font_pt or FIGURE_TEXT_PT
    width = max(160.0, natural_mm * FIGURE_MIN_PT / smallest)
    width = min(width, text_width_mm(landscape))
    tallest = (PAGE_MM[0] if landscape else PAGE_MM[1]) - MARGINS_MM["top"] - MARGINS_MM["bottom"] - 25
    return min(width, tallest * px_width / px_height)


def _add_figure(doc, png: Path, caption: tuple[str, str], min_font_pt: float | None) -> None:
    """The figure sized by :func:`figure_width_mm` — on a landscape page of its own when its text would print
    below 9 pt on a portrait page but not on a landscape one — centred, kept with its caption below."""
    from docx.image.image import Image as DocxImage

    image = DocxImage.from_file(str(png))
    px_w, px_h = image.px_width, image.px_height
    portrait = figure_width_mm(px_w, px_h, min_font_pt)
    smallest = min_font_pt or FIGURE_TEXT_PT
    printed = lambda w: smallest * w / (px_w / FIGURE_DPI * 25.4)  # noqa: E731
    # landscape when the text would print clearly below 9 pt on a portrait page and larger on a landscape one
    landscape = printed(portrait) < FIGURE_MIN_PT - 0.5 and printed(figure_width_mm(px_w, px_h, min_font_pt, True)) > \
        printed(portrait) + 0.5
    _orient(doc, landscape)
    doc.add_picture(str(png), width=Mm(figure_width_mm(px_w, px_h, min_font_pt, landscape)))
    picture = doc.paragraphs[-1]
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.keep_with_next = True
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(caption[0]).bold = True
    paragraph.add_run(caption[1]).italic = True


class _Numbers:
    """Running numbers for headings, tables and figures."""

    def __init__(self):
        self.heading = [0, 0]
        self.table = 0
        self.figure = 0

    def h1(self) -> str:
        self.heading = [self.heading[0] + 1, 0]
        return f"{self.heading[0]}."

    def h2(self) -> str:
        self.heading[1] += 1
        return f"{self.heading[0]}.{self.heading[1]}."


def _document_head(doc, document: dict, lang: str) -> None:
    """The head of an administrative document (Nghị định 30/2020/NĐ-CP): the issuing body in capitals with the
    document number under it on the left, the national name and motto on the right, in a table without borders;
    only the parts the Department chose."""
    if not (document.get("issuer") or document.get("number") or document.get("motto")):
        return
    table = doc.add_table(rows=1, cols=2)
    _fixed_widths(table, [68.0, text_width_mm() - 68.0])
    left, right = table.rows[0].cells
    lines_left = []
    if document.get("issuer"):
        lines_left.append((str(document["issuer"]).upper(), True, False))
    if document.get("number"):
        lines_left.append((_label("doc_number", lang, number=document["number"]), False, False))
    lines_right = [(_label("nation", lang), True, False), (_label("motto", lang), True, True)] \
        if document.get("motto") else []
    for cell, lines in ((left, lines_left), (right, lines_right)):
        for k, (text, bold, underline) in enumerate(lines):
            paragraph = cell.paragraphs[0] if k == 0 else cell.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.space_after = Pt(0)
            run = paragraph.add_run(text)
            run.bold, run.underline, run.font.size = bold, underline, Pt(BODY_PT - 1 if k == 0 else BODY_PT)
            run.font.name = FONT
    doc.add_paragraph()


def _write_docx(path: Path, folder: Path, results: dict, tables: dict[str, pd.DataFrame], actions: pd.DataFrame,
                names: dict[str, str], scope: str, provenance: dict, synthetic: bool, lang: str,
                document: dict | None = None) -> None:
    doc = Document()
    _setup_document(doc, lang)
    _document_head(doc, document or {}, lang)
    n = _Numbers()
    if synthetic:
        banner = doc.add_paragraph()
        run = banner.add_run(t("synthetic_banner", lang))
        run.bold = True
        run.font.color.rgb = RGBColor(0x9C, 0x00, 0x06)
        banner.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = doc.add_paragraph(style="Title")
    title.add_run(_label("title", lang).upper())
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle = doc.add_paragraph()
    subtitle.add_run(f"{scope}, {date_text(lang=lang, formal=True)}").italic = True
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER

    # 1. the answer (first page)
    found = answer(results, names, lang, reliability_summary_of(folder), effect_summary(folder))
    doc.add_heading(f"{n.h1()} {_label('answer', lang)}", level=1)
    for key in ("effect", "trust", "rollout"):
        doc.add_heading(f"{n.h2()} {_label('q_' + key, lang)}", level=2)
        for sentence in found[key]:
            doc.add_paragraph(_plain(sentence))
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # 2. recommendations and each body's action list
    doc.add_heading(f"{n.h1()} {_label('recommendations', lang)}", level=1)
    # said once, in section 1.3; "each body's action list follows" only when one does
    doc.add_paragraph(_label("recommendations_see" if len(actions) else "recommendations_only", lang,
                             section="1.3"))
    card = load_summary(folder, "10_scorecard") if has_summary(folder, "10_scorecard") else None
    if not len(actions) and card is not None and card.estimated and card.n_red == 0:
        doc.add_paragraph(_label("actions_none", lang))  # no red light in the latest wave: nothing to act on
    if len(actions):
        doc.add_heading(f"{n.h2()} {_label('actions', lang)}", level=2)
        doc.add_paragraph(_label("actions_intro", lang))
        for body, part in actions.groupby(actions.columns[0], sort=False):
            group = part.iloc[0, 1]
            paragraph = doc.add_paragraph()
            paragraph.add_run(f"{body}").bold = True
            paragraph.add_run(f" — {group}: " if group else ": ")  # the group's name has its own brackets
            paragraph.add_run(f"{_label('n_red', lang, n=len(part))} — ")
            paragraph.add_run("; ".join(f"{row[2]} {row[3]}".strip() for row in part.itertuples(index=False)) + ".")

    # 3. results by report: summary, numbered tables and figures (each sentence once in the pack)
    said_already = {_plain(sentence) for key in ("effect", "trust", "rollout") for sentence in found[key]}
    doc.add_heading(f"{n.h1()} {_label('findings', lang)}", level=1)
    for entry in results.values():
        _orient(doc, landscape=False)
        doc.add_heading(f"{n.h2()} {entry.get('title', entry['notebook'])}", level=2)
        for sentence in entry.get("summary", []):
            if _plain(sentence) not in said_already:  # page 1 said it (the effect answer)
                said_already.add(_plain(sentence))
                doc.add_paragraph(_plain(sentence), style="List Bullet")
        said = set()
        for note in entry.get("not_estimable", []):
            if note["reason"] in said:  # each reason once
                continue
            said.add(note["reason"])
            text = f"{note['section']} — " if note.get("section") else ""
            doc.add_paragraph(f"{text}{t('not_estimable', lang)}: {note['reason']}.", style="List Bullet")
        for info in entry.get("tables", []):
            if info.get("number") is None:
                continue
            n.table += 1
            _docx_table(doc, tables[info["csv"]], lang, caption=(f"{t('table', lang)} {n.table}. ", info["caption"]))
        for info in entry.get("figures", []):
            n.figure += 1
            _add_figure(doc, folder / info["png"], (f"{t('figure', lang)} {n.figure}. ", info["caption"]),
                        info.get("min_font_pt"))

    # 4. methods; 5. caveats; 6. glossary; 7. provenance
    _orient(doc, landscape=False)
    doc.add_heading(f"{n.h1()} {_label('methods', lang)}", level=1)
    for entry in results.values():
        if entry.get("methods"):
            doc.add_heading(f"{n.h2()} {entry.get('title', entry['notebook'])}", level=2)
            for sentence in entry["methods"]:
                doc.add_paragraph(_plain(sentence), style="List Bullet")
    doc.add_heading(f"{n.h1()} {t('eff_h_caveats', lang)}", level=1)
    caveats = [c for entry in results.values() for c in entry.get("caveats", [])]
    # the caveat next to the effect claim on page 1 is not repeated here
    for sentence in dict.fromkeys(c for c in caveats if c != _label("effect_caveat", lang)
                                  and _plain(c) not in said_already):
        doc.add_paragraph(_plain(sentence), style="List Bullet")
    if synthetic:
        doc.add_paragraph(t("synthetic_banner", lang)).runs[0].bold = True
    doc.add_heading(f"{n.h1()} {_label('glossary', lang)}", level=1)
    for term in GLOSSARY:
        paragraph = doc.add_paragraph()
        paragraph.add_run(t(f"gl_{term}", lang).split(":", 1)[0] + ":").bold = True
        paragraph.add_run(t(f"gl_{term}", lang).split(":", 1)[1])
    doc.add_heading(f"{n.h1()} {_label('provenance', lang)}", level=1)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for key, value in _provenance_rows(scope, provenance, synthetic, lang):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = key, value
    _fixed_widths(table, [50.0, text_width_mm() - 50.0])
    _table_font(table)
    doc.save(path)


#: "(mục 3)" / "(section 3)": a reference to a section of an HTML report, which the pack does not have.
_PAGE_SECTION = re.compile(r" \((?:" + "|".join(re.escape(TEXT["section_word"][k]) for k in ("vi", "en"))
                           + r") \d+\)")


def _plain(text: str) -> str:
    """A report sentence for the pack: no Markdown code marks, no references to the HTML pages' sections."""
    return _PAGE_SECTION.sub("", text.replace("`", ""))


def _docx_table(doc, frame: pd.DataFrame, lang: str, caption: tuple[str, str] | None = None) -> None:
    """The table as the report shows it, laid out for A4: the caption kept with it, column widths from the
    content (codes and numbers narrow, names wide), numbers right-aligned, the header row repeated on each page,
    rows never split across pages, a text repeated in every row (a method) said once under the table, and a
    table too wide for a portrait page on a landscape page of its own (:func:`table_layout`). The rows are made
    in one go and filled through the XML elements: python-docx's ``add_row`` and ``cell.text`` re-walk the
    table per cell."""
    from iso18091lab.render.excel import column_kind

    head = frame.head(MAX_TABLE_ROWS)
    kept, notes = said_once(head)
    shown = display_frame(kept, lang)
    numeric = [column_kind(name, kept.iloc[:, j]) != "text" for j, name in enumerate(kept.columns)]
    landscape, pt, widths = table_layout(shown, numeric)
    _orient(doc, landscape)
    if caption is not None:
        paragraph = doc.add_paragraph()
        paragraph.add_run(caption[0]).bold = True
        paragraph.add_run(caption[1])
        paragraph.paragraph_format.keep_with_next = True
    table = doc.add_table(rows=len(shown) + 1, cols=len(shown.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fixed_widths(table, widths)
    rows = table._tbl.tr_lst
    values = [[str(c) for c in shown.columns]] + [[str(v) for v in row] for row in shown.itertuples(index=False)]
    for r, (tr, texts) in enumerate(zip(rows, values)):
        no_split = OxmlElement("w:cantSplit")
        tr.get_or_add_trPr().append(no_split)
        for tc, text, right in zip(tr.tc_lst, texts, numeric):
            paragraph = tc.p_lst[0]
            paragraph.add_r().text = text
            if right:
                paragraph.get_or_add_pPr().jc_val = WD_ALIGN_PARAGRAPH.RIGHT
    for run in rows[0].iter(qn("w:r")):
        Run(run, None).bold = True
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    rows[0].get_or_add_trPr().append(repeat)
    _table_font(table, pt)
    for header, text in notes:
        note = doc.add_paragraph()
        note.add_run(f"{readable_header(header, lang)}: ").italic = True
        note.add_run(_plain(str(value_label(text, lang))))
    if len(frame) > MAX_TABLE_ROWS:
        doc.add_paragraph(_label("more_rows", lang, n=len(frame) - MAX_TABLE_ROWS))


def _orient(doc, landscape: bool) -> None:
    """Continue on a page of the given orientation: a new section (new page) only when the current one differs
    (landscape tables and figures in a row share their pages)."""
    if (doc.sections[-1].orientation == WD_ORIENT.LANDSCAPE) != landscape:
        _new_section(doc, landscape)


def _new_section(doc, landscape: bool) -> None:
    """A new page in the given orientation, with the margins of Nghị định 30 and the page number at the top."""
    from docx.enum.section import WD_SECTION

    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    width, height = (PAGE_MM[1], PAGE_MM[0]) if landscape else PAGE_MM
    section.page_width, section.page_height = Mm(width), Mm(height)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.different_first_page_header_footer = False  # the page number on every page of this section


def _fixed_widths(table, widths_mm: list[float]) -> None:
    """Fixed layout with the given column widths on the grid and on every cell (Word and LibreOffice read the
    grid, some versions the cells), and the table as wide as their sum."""
    from docx.shared import Emu

    tbl = table._tbl
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl.tblPr.append(layout)
    twips = [int(round(w / 25.4 * 1440)) for w in widths_mm]
    tbl_w = tbl.tblPr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl.tblPr.append(tbl_w)
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(sum(twips)))
    for col, w in zip(tbl.tblGrid.gridCol_lst, twips):
        col.w = Emu(w * 635)
    for tr in tbl.tr_lst:
        for tc, w in zip(tr.tc_lst, twips):
            tc.width = Emu(w * 635)


def _table_font(table, pt: float = TABLE_PT) -> None:
    """Every cell paragraph in the table-text style (one attribute per paragraph: fast on long tables); a
    smaller size on the runs of a table that needs it to fit the page."""
    style_id = table.part.document.styles[TABLE_STYLE].style_id
    for paragraph in table._tbl.iter(qn("w:p")):
        paragraph.style = style_id
    if pt != TABLE_PT:
        for run in table._tbl.iter(qn("w:r")):
            Run(run, None).font.size = Pt(pt)


# -- Excel -----------------------------------------------------------------------------------------------------
def _write_xlsx(path: Path, results: dict, tables: dict[str, pd.DataFrame], actions: pd.DataFrame, scope: str,
                provenance: dict, synthetic: bool, lang: str) -> None:
    banner = t("synthetic_banner", lang) if synthetic else ""
    names = sheet_names(results, lang)
    listed = [(names[info["csv"]], table_caption(info, lang)) for entry in results.values()
              for info in entry.get("tables", [])]
    about = pd.DataFrame(_provenance_rows(scope, provenance, synthetic, lang)
                         + ([("", ""), (_label("sheet_list", lang), "")] + listed if listed else []),
                         columns=[_label("title", lang), scope])
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        write_excel_sheet(writer, about, _label("about", lang), banner, lang=lang)
        writer.sheets[_label("about", lang)].set_column(0, 0, 38)
        writer.sheets[_label("about", lang)].set_column(1, 1, 70)
        if len(actions):
            write_excel_sheet(writer, actions, _label("actions_sheet", lang), banner, lang=lang)
        for entry in results.values():
            for info in entry.get("tables", []):
                write_excel_sheet(writer, readable(tables[info["csv"]], lang), names[info["csv"]], banner, lang=lang)


def sheet_names(results: dict, lang: str = "vi") -> dict[str, str]:
    """{table csv path: its sheet name in the evidence workbook}: "Bảng 7" for the pack's table 7 (numbered as
    in the Word document), "Dữ liệu 2" for a table saved for re-analysis; the about sheet lists what each holds."""
    names, table, data = {}, 0, 0
    for entry in results.values():
        for info in entry.get("tables", []):
            if info.get("number") is None:
                data += 1
                names[info["csv"]] = _label("sheet_data", lang, n=data)
            else:
                table += 1
                names[info["csv"]] = _label("sheet_table", lang, n=table)
    return names


def table_caption(info: dict, lang: str = "vi") -> str:
    """A table's caption as people read it: its caption, or for a table saved for re-analysis (no number) its
    description (``export.<name>`` in the text file) instead of its file name."""
    if info.get("number") is None and f"export.{info['caption']}" in TEXT:
        return t(f"export.{info['caption']}", lang)
    return info["caption"]


__all__ = ["action_list", "answer", "indicator_names", "load_result_tables", "pack_names", "sheet_names", "table_caption",
           "with_indicator_names", "write_evidence_pack"]
