"""What the evidence pack shows besides its answer, read from a report folder: the result tables as the notebooks
produced them (typed, from Parquet), the indicators' names beside their codes, each body's action list, the
provenance rows, and the pack's file names.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from iso18091lab._version import __version__
from iso18091lab.i18n import COLUMN_LABELS, TEXT, date_text, t
from iso18091lab.render.notebook import read_typed


def _label(key: str, lang: str, **values) -> str:
    return t(f"ev_{key}", lang, **values)


def pack_names(slug: str) -> tuple[str, str]:
    """File names of the Word document and Excel workbook for a report folder."""
    return f"ho-so-bang-chung-{slug}.docx", f"bang-ket-qua-{slug}.xlsx"


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


def _provenance_rows(scope: str, provenance: dict, synthetic: bool, lang: str) -> list[tuple[str, str]]:
    return [(_label("scope", lang), scope),
            (t("generated", lang), date_text(lang=lang, time=True)),
            (_label("data_kind", lang), _label("synthetic" if synthetic else "real", lang)),
            (_label("data_hash", lang), str(provenance.get("input_hash", "–"))),
            (_label("version", lang), __version__),
            (_label("seed", lang), str(provenance.get("seed", "–")))]
