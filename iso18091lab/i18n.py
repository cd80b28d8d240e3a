"""Vietnamese and English text for plots, reports, the index page and the evidence packs (Vietnamese first).

Every sentence and label lives in ONE file, ``iso18091lab/data/text.csv`` (columns ``key,vi,en,where``), which
opens in Excel: to change a wording, edit the ``vi`` or ``en`` cell and save as "CSV UTF-8". Values may contain
placeholders such as ``{n}``; keep them as they are in both languages. Keys are unique (a duplicate is an error
when the file is loaded). Sections by prefix: ``col.<column>`` table column headers (a column whose name is a
general key, e.g. ``unit``, uses that key), ``reason.<flag>`` reasons an indicator is flagged,
``measure.<name>`` external outcomes, ``rule.<name>`` why a row was quarantined, ``method.<key>`` method
descriptions (the statistics return a key and its values), ``ev_`` evidence pack, ``gl_`` glossary, ``ne_`` why
something cannot be estimated. To add text, add a row there (not in code). :func:`t` looks a key up.
"""
from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

LANGS = ("vi", "en")
TEXT_FILE = Path(__file__).resolve().parent / "data" / "text.csv"


class TextFileError(ValueError):
    """The text file is malformed (missing column, duplicate key, placeholders that differ between languages)."""


def load_text(path: str | Path = TEXT_FILE) -> dict[str, dict[str, str]]:
    """{key: {"vi": ..., "en": ..., "where": ...}} from a ``key,vi,en[,where]`` CSV (UTF-8, with or without BOM)."""
    import string

    path = Path(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or not {"key", "vi", "en"} <= set(rows[0]):
        raise TextFileError(f"{path}: needs the columns key, vi, en")
    text: dict[str, dict[str, str]] = {}
    for number, row in enumerate(rows, start=2):
        key = (row["key"] or "").strip()
        if not key:
            continue
        if key in text:
            raise TextFileError(f"{path}, row {number}: key {key!r} appears twice")
        vi = unicodedata.normalize("NFC", row["vi"] or "")
        en = unicodedata.normalize("NFC", row["en"] or "") or vi
        fields = [{f for _, f, _, _ in string.Formatter().parse(v) if f} for v in (vi, en)]
        if fields[0] != fields[1]:
            raise TextFileError(f"{path}, row {number}: {key!r} has placeholders {sorted(fields[0])} in vi but "
                                f"{sorted(fields[1])} in en")
        text[key] = {"vi": vi, "en": en, "where": (row.get("where") or "").strip()}
    return text


TEXT: dict[str, dict[str, str]] = load_text()


def _section(prefix: str) -> dict[str, dict[str, str]]:
    return {key[len(prefix):]: value for key, value in TEXT.items() if key.startswith(prefix)}


#: Glossary terms shown in the evidence pack, in order (keys gl_<term>).
GLOSSARY = ("att", "did", "imputation", "ci", "p", "icc", "kappa", "alpha", "leniency", "quarantine", "permutation",
            "meta")

#: Why an indicator is flagged for review (``reason.<flag>`` in the text file).
REASONS = _section("reason.")

#: Column names that are shown with a general key's text (one wording for one concept).
_GENERAL_COLUMNS = ("province", "unit", "year", "share_scored", "indicator", "pillar", "baseline", "latest", "change",
                    "rank", "rows")
#: Column and value labels for tables shown in reports (``col.<column>`` in the text file).
COLUMN_LABELS = {**{c: TEXT[c] for c in _GENERAL_COLUMNS}, **_section("col.")}
VALUE_LABELS = {"rater": ("self", "council"), "group": ("pilot", "comparison")}


def localise(frame, lang: str = "vi"):
    """A copy of ``frame`` with column names, rater/group values and method/measure descriptions in ``lang``."""
    out = frame.copy()
    for column, values in VALUE_LABELS.items():
        if column in out:
            out[column] = out[column].map(lambda v: t(v, lang) if isinstance(v, str) and v in values else v)
    for column in ("method", "measure"):
        if column in out:
            out[column] = out[column].map(lambda v: method_label(v, lang) if isinstance(v, str) else v)
    return out.rename(columns={c: COLUMN_LABELS[c][lang] for c in out.columns if c in COLUMN_LABELS})


#: Method descriptions (``method.<key>`` in the text file): the statistics return a key and its values
#: (:func:`iso18091lab.stats.method_token`), worded here.
METHODS = _section("method.")


def split_method(token):
    """('key', {values}) of a method description as the statistics return it ('mean_change_bca {"resamples":
    9999}' or 'twfe'), or None when ``token`` is not one."""
    import json

    if not isinstance(token, str):
        return None
    key, _, rest = token.strip().partition(" ")
    if key not in METHODS:
        return None
    if not rest:
        return key, {}
    try:
        values = json.loads(rest)
    except ValueError:
        return None
    return (key, values) if isinstance(values, dict) else None


def method_text(key: str, values: dict | None = None, lang: str = "vi") -> str:
    """The words of method ``key`` (row ``method.<key>``) in ``lang`` with its ``values`` filled in. A value that
    is itself a description (``{"key": ..., ...}``) is worded in place; a list of them is an aside in brackets
    (' (a; b)', nothing when empty)."""
    def worded(value):
        if isinstance(value, dict) and "key" in value:
            return method_text(value["key"], {k: v for k, v in value.items() if k != "key"}, lang)
        if isinstance(value, list):
            return f" ({'; '.join(worded(v) for v in value)})" if value else ""
        return value

    return t(f"method.{key}", lang, **{name: worded(value) for name, value in (values or {}).items()})


def method_label(text: str, lang: str = "vi") -> str:
    """A method or measure description the statistics return (a key and its values, :func:`split_method`) as
    readers of ``lang`` see it; anything else is returned unchanged."""
    found = split_method(text)
    return text if found is None else method_text(*found, lang=lang)


#: Cell values shown in tables (``value.<text>`` in the text file: the English text the statistics return).
VALUES = {key: entry for key, entry in _section("value.").items()}


def value_label(value, lang: str = "vi"):
    """A text cell of a result table as readers of ``lang`` see it: True/False as "Có"/"Không", levels
    ("overall", "pillar 2", "secondary"), kinds and components (``value.*`` rows), flag lists ("low_agreement,
    floor_or_ceiling") in words, and method descriptions (:func:`method_label`). Anything else unchanged."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return t("yes" if value else "no", lang)
    if not isinstance(value, str) or not value.strip():
        return value
    if value in ("True", "False"):
        return t("yes" if value == "True" else "no", lang)
    if value in VALUES:
        return VALUES[value][lang]
    kind, _, rest = value.partition(" ")
    if value in ("overall", "overall (two-way FE)") or (kind in ("pillar", "indicator") and rest):
        return outcome_label(value, lang)
    flags = [f.strip() for f in value.split(",")]
    if all(f in REASONS for f in flags):
        return reasons_text(value, lang)
    return method_label(value, lang)


def readable(frame, lang: str = "vi"):
    """What people read of a result table (pages, Word, the evidence workbook): column names from the text file
    (``col.*``) where the table still has its machine name, text cells through :func:`value_label` (each
    distinct value once). The machine-readable tables under ``tables/`` keep their names."""
    import pandas as pd

    out = frame.copy()
    for j in range(out.shape[1]):
        column = out.iloc[:, j]
        if pd.api.types.is_bool_dtype(column):
            out.isetitem(j, column.map(lambda v: value_label(bool(v), lang) if pd.notna(v) else v).astype("string"))
        elif column.dtype == object or pd.api.types.is_string_dtype(column):
            labels = {v: value_label(v, lang) for v in column.dropna().unique() if isinstance(v, (str, bool))}
            if any(k != v for k, v in labels.items()):
                out.isetitem(j, column.map(lambda v: labels.get(v, v) if isinstance(v, (str, bool)) else v))
    return out.rename(columns={c: COLUMN_LABELS[c][lang] for c in out.columns if c in COLUMN_LABELS})


#: Quarantine rules (``rule.<name>`` in the text file; the rule names are :data:`iso18091lab.intake.clean.RULES`).
RULES = _section("rule.")


def _rule_values(values) -> dict:
    """The values stored with a broken rule: a dict, or its JSON text as ``quarantine.csv`` holds it."""
    import json

    if isinstance(values, dict):
        return values
    if isinstance(values, str) and values.strip():
        return json.loads(values)
    return {}


def rule_text(rule: str, values=None, lang: str = "vi") -> str:
    """The whole reason a row was quarantined, in ``lang``: the rule's words (row ``rule.<name>``) with its
    ``hint`` filled in, the reasons behind it for ``unit_rejected`` and the close spelling if any ('... — có phải
    'quận Hồng Bàng'?'). ``values`` is a dict or the JSON text of the ``values`` column of ``quarantine.csv``.
    Anything that is not a rule name is returned as it is."""
    if rule not in RULES:
        return str(rule)
    values = _rule_values(values)
    hint = values.get("hint", "")
    if values.get("reasons"):
        hint = "; ".join(dict.fromkeys(rule_text(r["rule"], r, lang) for r in values["reasons"]))
    text = t(f"rule.{rule}", lang, hint=hint)
    if values.get("suggestion"):
        text += " " + t("rule_suggestion", lang, suggestion=values["suggestion"])
    return text


def rule_label(rule: str, lang: str = "vi") -> str:
    """A quarantine rule ('missing_value') as readers see it: 'thiếu giá trị bắt buộc [missing_value]' (the rule
    name in brackets is what quarantine.csv says). Anything that is not a rule name is returned as it is."""
    if rule not in RULES:
        return str(rule)
    words = t(f"rule.{rule}", lang, hint="").split(" (")[0].split(";")[0]
    return f"{words} [{rule}]"


def quarantine_reasons(quarantine, langs=LANGS):
    """A copy of a quarantine table (``rule`` and ``values`` columns, as ingest writes it) with the reasons worded
    from the text file: ``reason_vi`` and ``reason_en`` (one column per language in ``langs``). Each distinct
    (rule, values) pair is worded once."""
    out = quarantine.copy()
    rules = out["rule"].astype(str).tolist() if "rule" in out else []
    values = out["values"].astype(str).tolist() if "values" in out else [""] * len(rules)
    for lang in langs:
        worded = {pair: rule_text(*pair, lang=lang) for pair in set(zip(rules, values))}
        out[f"reason_{lang}"] = [worded[pair] for pair in zip(rules, values)]
    return out


#: External outcomes (``measure.<name>`` in the text file).
MEASURES = _section("measure.")


def p_text(p: float, lang: str = "vi") -> str:
    """A p-value as reports print it: '< 0,001' below 0.001, else three decimals."""
    if p is None or p != p:
        return "–"
    return ("< 0,001" if lang == "vi" else "< 0.001") if p < 0.001 else "= " + number(p, lang, 3)


def outcome_label(outcome: str, lang: str = "vi") -> str:
    """'overall' / 'pillar 2' / 'indicator 1.10' / a measure name -> readable label in ``lang``."""
    if outcome == "overall":
        return t("overall", lang)
    if outcome == "overall (two-way FE)":
        return t("overall_twfe", lang)
    if outcome == "overall (pre-reform waves)":
        return t("eff_pre_reform_row", lang)
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
    return entry.get(lang, entry["vi"]).format(**{k: _in_text(k, v, lang) for k, v in values.items()})



def both(key: str, **values) -> str:
    """The text for ``key`` in both languages, Vietnamese first: 'vi / en' (messages of commands and functions
    that are not told the reader's language)."""
    return f"{t(key, 'vi', **values)} / {t(key, 'en', **values)}"


def said(key: str, lang: str | None = None, **values) -> str:
    """A message for readers: the text for ``key`` in ``lang``, or in both languages (:func:`both`) when
    ``lang`` is None (the caller was not told the reader's language)."""
    return both(key, **values) if lang is None else t(key, lang, **values)

#: Placeholders that always hold counts (of rows, bodies, ...): written with a thousands separator from 1.000.
_COUNTS = ("rows_read", "accepted", "quarantined", "duplicates", "unattributed", "rows", "count", "n")


def _in_text(name: str, value, lang: str):
    """A whole number put into running text with the thousands separator of the tables: a count (``n``,
    ``n_*``, ``rows_read`` ...) from 1.000 (14.112 dòng), any other whole number from 10.000 — a placeholder
    such as ``latest`` may hold a year, which is never written 2.024."""
    if isinstance(value, float) or _is_numpy_kind(value, "f"):
        return _TextNumber(value, lang)
    if isinstance(value, bool) or not isinstance(value, (int,)) and not _is_numpy_int(value):
        return value
    count = name in _COUNTS or name.startswith("n_")
    if abs(int(value)) < (1000 if count else 10000):
        return _as_written(str(int(value)), lang) if value < 0 else value
    return number(float(value), lang, 0)


class _TextNumber(float):
    """A decimal number put into running text: formatted by its placeholder's format spec (``{value:.3g}``),
    then written as :func:`number` writes numbers (decimal comma in Vietnamese, the minus sign U+2212)."""

    def __new__(cls, value, lang: str):
        made = super().__new__(cls, value)
        made.lang = lang
        return made

    def __format__(self, spec: str) -> str:
        return _as_written(float.__format__(float(self), spec), self.lang)


def _is_numpy_int(value) -> bool:
    return _is_numpy_kind(value, "iu")


def _is_numpy_kind(value, kinds: str) -> bool:
    """Whether ``value`` is a numpy scalar of one of the dtype ``kinds`` ("iu": integers, "f": floats)."""
    return type(value).__module__ == "numpy" and hasattr(value, "dtype") and value.dtype.kind in kinds


#: Vietnam's time zone: dates and times in reports and on the index page are local.
LOCAL_ZONE = "Asia/Ho_Chi_Minh"


def local_time(moment=None):
    """``moment`` (a datetime, or an ISO text as the manifests store it; now when None) in Vietnam's time. A
    moment without a zone is taken as UTC (how the manifests were written)."""
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo

    if moment is None:
        moment = datetime.now(timezone.utc)
    elif isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(ZoneInfo(LOCAL_ZONE))


def date_text(moment=None, lang: str = "vi", time: bool = False, formal: bool = False) -> str:
    """A date (and time) in Vietnam's time, written the way readers of ``lang`` write it: '05/12/2026',
    '13:43 ngày 05/12/2026', formal 'ngày 05 tháng 12 năm 2026' (Nghị định 30); English '05/12/2026',
    '05/12/2026, 13:43 (UTC+7)'."""
    local = local_time(moment)
    if formal:
        return t("date_formal", lang, day=f"{local.day:02d}", month=f"{local.month:02d}", year_=local.year)
    day = t("date_short", lang, day=f"{local.day:02d}", month=f"{local.month:02d}", year_=local.year)
    return t("date_time", lang, date=day, time=local.strftime("%H:%M")) if time else day


#: The minus sign of every number a reader sees (U+2212, as in "−∞" and "self − council"), never the hyphen.
MINUS = "\u2212"


def number(value: float, lang: str = "vi", digits: int = 1) -> str:
    """A number as readers of ``lang`` write it: 7,5 in Vietnamese, 7.5 in English; a negative one with the
    minus sign :data:`MINUS` (−2,5), and one that rounds to zero without a sign (0,0, never −0,0)."""
    if value is None or value != value:
        return "–"
    if value in (float("inf"), float("-inf")):
        return "+∞" if value > 0 else MINUS + "∞"
    return _as_written(f"{value:,.{digits}f}", lang)


def _as_written(text: str, lang: str) -> str:
    """A number formatted by Python (``-1,234.5``) as readers of ``lang`` write it: Vietnamese swaps the
    separators (1.234,5); the minus is :data:`MINUS` in both languages, and dropped from a number that was
    rounded to zero (-0.0)."""
    if text.startswith("-") and not any(c in "123456789" for c in text):
        text = text[1:]
    if lang == "vi":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return MINUS + text[1:] if text.startswith("-") else text

