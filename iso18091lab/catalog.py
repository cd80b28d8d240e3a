"""The indicator catalog: ids, pillars, names (vi/en) and maximum scores.

The bundled ``data/indicators.csv`` holds the 39 indicators in 4 pillars of TCVN ISO 18091:2020
Annex A. Its titles are *working titles* (renderings of a third-party transcription; the
official titles are not public). A province's own approved indicator set can replace it: pass
``path`` to :func:`load_catalog` or ``--catalog`` on the command line. No code assumes 39
indicators or 4 pillars.
"""
from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pandas as pd

from iso18091lab.i18n import both, t
from iso18091lab.normalize import fold, nfc, strip_diacritics

CATALOG_COLUMNS = ["indicator", "pillar", "pillar_name_vi", "pillar_name_en", "name_vi", "name_en", "max_score"]
_INDICATOR_ID = re.compile(r"^(\d{1,2})\s*[.,]\s*(\d{1,2})$")
_PREFIX = re.compile(r"^(chi so|indicator|cs|ind)\.?\s*")


class CatalogError(ValueError):
    """The catalog file is not usable."""


def default_catalog_path() -> Path:
    """Path of the bundled catalog CSV."""
    return Path(str(resources.files("iso18091lab") / "data" / "indicators.csv"))


def load_catalog(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate a catalog CSV; ``None`` gives the bundled working catalog.

    Returns one row per indicator with the columns of ``CATALOG_COLUMNS``; ``indicator`` is text
    ("1.10" stays "1.10"), ``pillar`` an integer, ``max_score`` a positive float.
    """
    path = Path(path) if path is not None else default_catalog_path()
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise CatalogError(both("catalog_unreadable", path=path, detail=exc)) from exc
    table.columns = [fold(c).replace(" ", "_") for c in table.columns]
    missing = [c for c in ("indicator", "pillar") if c not in table.columns]
    if missing:
        raise CatalogError(both("catalog_missing_columns", path=path, missing=missing, has=list(table.columns)))
    for column in CATALOG_COLUMNS:
        if column not in table.columns:
            table[column] = ""
    table = table[CATALOG_COLUMNS].map(nfc)
    problems = []
    ids = []
    for row_number, raw in enumerate(table["indicator"], start=2):
        normal = normalise_indicator_id(raw)
        if normal is None:
            problems.append(("catalog_bad_id", {"row": row_number, "value": repr(raw)}))
        ids.append(normal)
    table["indicator"] = ids
    table["max_score"] = table["max_score"].replace("", "10")
    try:
        table["pillar"] = table["pillar"].astype(int)
        table["max_score"] = table["max_score"].str.replace(",", ".").astype(float)
    except ValueError as exc:
        problems.append(("catalog_not_number", {"detail": exc}))
    if not problems:
        if (table["max_score"] <= 0).any():
            problems.append(("catalog_max_score_positive", {}))
        dup = table["indicator"][table["indicator"].duplicated()]
        if len(dup):
            problems.append(("catalog_duplicate_ids", {"ids": ", ".join(indicator_order(dup))}))
    if problems:
        raise CatalogError(_problems_message(path, problems))
    for column in ("pillar_name_vi", "pillar_name_en", "name_vi", "name_en"):
        table[column] = table[column].astype("string")
    return table.reset_index(drop=True)


def _problems_message(path: Path, problems: list[tuple[str, dict]]) -> str:
    """The message of a catalog with row problems, each a text key and its values: Vietnamese, then English."""
    def worded(lang: str) -> str:
        return t("catalog_invalid", lang, path=path, problems="; ".join(t(key, lang, **values)
                                                                       for key, values in problems))

    return f"{worded('vi')} / {worded('en')}"


def normalise_indicator_id(value: object) -> str | None:
    """'1.1', ' 1,10 ', 'Chỉ số 2.3', 'CS 4.9' -> '1.1', '1.10', '2.3', '4.9'; None if not an id."""
    folded = _PREFIX.sub("", strip_diacritics(nfc(value)).lower())
    match = _INDICATOR_ID.match(folded)
    if not match:
        return None
    return f"{int(match.group(1))}.{int(match.group(2))}"


def pillars(catalog: pd.DataFrame) -> pd.DataFrame:
    """One row per pillar: number, names and number of indicators."""
    return (
        catalog.groupby("pillar", sort=True)
        .agg(pillar_name_vi=("pillar_name_vi", "first"), pillar_name_en=("pillar_name_en", "first"),
             n_indicators=("indicator", "size"))
        .reset_index()
    )


def _id_key(indicator: object) -> tuple[int, int]:
    pillar, number = str(indicator).split(".")
    return int(pillar), int(number)


def indicator_order(ids) -> list[str]:
    """Indicator ids in catalog order ('1.2' before '1.10'), duplicates removed; no ids give []."""
    return sorted(set(ids), key=_id_key)


def indicator_sort_key(ids: pd.Series) -> pd.Series:
    """Sort key placing '1.2' before '1.10', for ``sort_values(key=...)``: an integer per id, on ``ids``' index.

    An empty Series gives an empty key (a wave with no red indicator sorts an empty table:
    ``str.split(expand=True)`` of no rows has no columns to read)."""
    keys = [pillar * 1000 + number for pillar, number in map(_id_key, ids.tolist())]
    return pd.Series(keys, index=ids.index, dtype="int64")
