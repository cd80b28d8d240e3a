"""The official map of Vietnam's administrative units before and after 1 July 2025, shipped with the package.

Since 1 July 2025 the district level is gone and 10,035 communes became 3,321 (Resolutions 202 and 203/2025/QH15,
Law 72/2025/QH15; one Standing Committee resolution per province). The package carries the official conversion
table ("Bảng chuyển đổi đơn vị hành chính mới – cũ", QĐ 19/2025/QĐ-TTg; see ``data/admin_map_PROVENANCE.md``)
and the unit lists derived from it; ``scripts/build_admin_map.py`` rebuilds them from the source file.

* :func:`conversion` — every new–old commune pair with its relation (``whole``, ``partial``, ``unchanged``,
  ``renamed``; the words of the source in ``relation_vi``);
* :func:`units` — the units of one vintage (``"2025"``: 34 provinces, 3,321 communes; ``"pre2025"``: the units of 30
  June 2025 — 63 provinces, 696 districts, 10,035 communes);
* :func:`wave_date`, :func:`map_of_wave`, :func:`map_rule` — which map a wave is on (a wave dated on or after 1 July
  2025 is on the new one; an undated 2025 wave is placed by the terms it names, ``MAP_RULES``);
* :func:`find` — a typed body (name and/or code) on one map, within a province, matched within that vintage only.

Codes were reused across vintages (3,310 of 3,321 new commune codes are an old code; 7 province codes now name a
merged province), so a unit is keyed on (code, vintage), never on the code alone.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from iso18091lab.intake.provinces import official_names, related_names
from iso18091lab.normalize import fold, modern_tones, nfc

NEW, OLD = "2025", "pre2025"
VINTAGES = (OLD, NEW)
#: The first day on the new map.
REFORM_DATE = "2025-07-01"
#: Relations under which an old commune continues whole into its successor.
WHOLE_RELATIONS = ("whole", "unchanged", "renamed")


def _read(name: str) -> pd.DataFrame:
    path = resources.files("iso18091lab") / "data" / name
    return pd.read_csv(str(path), dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def conversion() -> pd.DataFrame:
    """The official old -> new commune pairs (10,571 rows)."""
    return _read("admin_conversion_2025.csv")


@lru_cache(maxsize=2)
def units(vintage: str) -> pd.DataFrame:
    """Units of one vintage: ``level`` (province / district / commune), ``code``, ``name``, ``kind``, the
    province (``province_code``, ``province``; bare names as in :mod:`iso18091lab.intake.provinces`)."""
    if vintage not in VINTAGES:
        raise ValueError(f"vintage must be one of {VINTAGES}, not {vintage!r}")
    return _read("admin_units_2025.csv" if vintage == NEW else "admin_units_pre2025.csv")


_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:[ T].*)?$")
_YEAR_FIRST = re.compile(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})(?:[ T].*)?$")


def wave_date(value: object) -> date | None:
    """The assessment date a cell gives, or None for an empty cell.

    Parameters
    ----------
    value : object
        A date or datetime (an Excel date cell), an Excel day number (20000–80000: days since 1899-12-30, a
        date cell read as General), or text written day first as in Vietnam ('30/06/2025', '1-7-2025',
        '01.07.2025') or year first ('2025-07-01', '2025/07/01'); a time after the date is ignored.

    Returns
    -------
    datetime.date or None

    Raises
    ------
    ValueError
        When the value is no date ('tháng 7', '07/2025', '13/13/2025'): month-first text is never guessed.
    """
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        if 20000 <= float(value) < 80000:
            return date(1899, 12, 30) + timedelta(days=int(float(value)))
        raise ValueError(f"not a date: {value!r}")
    text = nfc(value)
    if not text:
        return None
    m = _DAY_FIRST.match(text)
    if m:
        return date(int(m[3]), int(m[2]), int(m[1]))
    m = _YEAR_FIRST.match(text)
    if m:
        return date(int(m[1]), int(m[2]), int(m[3]))
    raise ValueError(f"not a date: {value!r}")


def map_of_wave(year: object, round_: object = None, date: object = None) -> str | None:
    """The map a wave is on: ``"2025"`` from 1 July 2025, ``"pre2025"`` before; ``None`` for a wave of 2025 with
    no date (either map: ingest then looks at the terms the body is named in, and says which rule placed it).

    ``date`` (anything :func:`wave_date` reads) decides when given."""
    day = wave_date(date)
    if day is not None:
        return _map_of_day(day)
    return _map_of_year(_wave_year(year))


def _map_of_day(day: date) -> str:
    return NEW if day.isoformat() >= REFORM_DATE else OLD


def _wave_year(year: object) -> int | None:
    """The typed year as a whole number; None when it is no year (text, or a number too large to be one)."""
    try:
        return int(float(nfc(year)))
    except (ValueError, OverflowError):
        return None


def _map_of_year(year: int | None) -> str | None:
    """The map of a wave by its year alone: the old one to 2024, the new one from 2026; None in the reform's year
    (either map) or with no year."""
    if year is None or year == int(REFORM_DATE[:4]):
        return None
    return NEW if year > int(REFORM_DATE[:4]) else OLD


#: The rules that put a wave's row on a map (``map_rule`` of the units table and of ``unit_lineage.csv``):
#: its assessment date; its year (to 2024: the old map; from 2026: the new one); for a 2025 wave without a date,
#: the terms the body is named in.
MAP_RULES = ("date", "year", "undated_2025_new_terms", "undated_2025_old_terms", "undated_2025_same_unit",
             "undated_2025_listed_first")
UNDATED_2025 = "undated_2025"


def map_rule(year: object, day: date | None) -> tuple[str | None, str]:
    """(map, rule) of a row from its typed year and its assessment date: the date decides; else the year, except
    in 2025, whose map is then decided by the terms the body is named in (returned as ``(None, UNDATED_2025)``).

    Parameters
    ----------
    year : object
        The year as typed.
    day : datetime.date or None
        The assessment date (:func:`wave_date`), None when the row has none.

    Returns
    -------
    tuple of (str or None, str)
        The map (``"pre2025"``, ``"2025"``, None) and the rule: ``"date"``, ``"year"`` or ``UNDATED_2025``.
    """
    if day is not None:
        return _map_of_day(day), "date"
    year = _wave_year(year)  # None: no year (a bad_year problem of its own)
    if year == int(REFORM_DATE[:4]):
        return None, UNDATED_2025
    return _map_of_year(year), "year"


def _province_key(name: object) -> str:
    from iso18091lab.intake.provinces import province_key

    return province_key(modern_tones(nfc(name)))


@lru_cache(maxsize=1)
def _province_names() -> dict[str, dict[str, str]]:
    """vintage -> folded province key -> the map's own spelling of that province."""
    out: dict[str, dict[str, str]] = {}
    for vintage in VINTAGES:
        table = units(vintage)
        names = table.loc[table["level"] == "province", "name"]
        out[vintage] = {_province_key(n): n for n in names}
    return out


def provinces_on_map(typed_province: object, vintage: str) -> list[str]:
    """The provinces of ``vintage`` a typed province may mean, in that map's spelling: on the new map a former
    province means its successor ('Hải Dương' -> ['Hải Phòng']); on the old map a 2025 name means every former
    province merged into it ('Hải Phòng' -> ['Hải Dương', 'Hải Phòng'])."""
    try:
        return list(_provinces_on_map(typed_province, vintage))
    except TypeError:  # an unhashable value: not remembered
        return list(_provinces_on_map.__wrapped__(typed_province, vintage))


@lru_cache(maxsize=1 << 12, typed=True)
def _provinces_on_map(typed_province: object, vintage: str) -> tuple[str, ...]:
    """:func:`provinces_on_map`, remembered per typed value (a dataset types a few dozen provinces)."""
    names = _province_names()[vintage]
    out = []
    for official in related_names(typed_province) | official_names(typed_province):
        key = _province_key(official)
        if key in names:
            out.append(names[key])
    if vintage == NEW:  # a former province means its successor only
        from iso18091lab.intake.provinces import name_2025

        out = [n for n in out if _province_key(name_2025(n) or n) == _province_key(n)]
    return tuple(sorted(set(out)))


@dataclass(frozen=True)
class OfficialUnit:
    """One unit of one vintage."""

    vintage: str
    level: str
    code: str
    name: str
    kind: str
    province: str
    district: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return self.code, self.vintage


_LEVEL_WORDS = ("dac khu", "thi tran", "thi xa", "thanh pho", "phuong", "quan", "huyen", "xa", "tp", "tx", "tt",
                "p", "q", "h", "x")
_ABBREVIATION = {"tp": "thanh pho", "tx": "thi xa", "tt": "thi tran", "p": "phuong", "q": "quan", "h": "huyen",
                 "x": "xa"}


def _keys(name: object) -> tuple[str, str, str]:
    """(full key, key without the level word, level word) of a unit name, folded ('UBND P. Gia Viên' ->
    ('phuong gia vien', 'gia vien', 'phuong'))."""
    return _keys_of(fold(name))


@lru_cache(maxsize=1 << 15)
def _keys_of(folded: str) -> tuple[str, str, str]:
    """:func:`_keys` of a folded name, remembered (unit names recur across rows and look-ups)."""
    text = folded
    for prefix in ("uy ban nhan dan ", "ubnd "):
        if text.startswith(prefix):
            text = text[len(prefix):]
    for word in _LEVEL_WORDS:
        if text.startswith(word + " "):
            level = _ABBREVIATION.get(word, word)
            short = text[len(word) + 1:].strip()
            return f"{level} {short}", short, level
    return text, text, ""


@lru_cache(maxsize=2)
def _index(vintage: str) -> dict:
    """Lookups of one vintage: (province, code) -> units; (province, full key) and (province, short key) -> units."""
    table = units(vintage)
    by_code: dict[tuple, list] = {}
    by_full: dict[tuple, list] = {}
    by_short: dict[tuple, list] = {}
    columns = [table[c].tolist() for c in ("level", "code", "name", "kind", "province")]  # plain lists: no
    districts = table["district"].tolist() if "district" in table else [""] * len(table)  # per-cell Arrow access
    for level, code, name, kind, province, district in zip(*columns, districts):
        if level == "province":
            continue
        unit = OfficialUnit(vintage, level, code, name, kind, province, district or "")
        by_code.setdefault((province, code), []).append(unit)
        full, short, _ = _keys(name)
        by_full.setdefault((province, full), []).append(unit)
        by_short.setdefault((province, short), []).append(unit)
    return {"code": by_code, "full": by_full, "short": by_short}


class NotOnMap(LookupError):
    """A typed body is not on the map (``candidates`` empty) or matches several units (``candidates``)."""

    def __init__(self, candidates: list[OfficialUnit] | None = None):
        super().__init__("ambiguous" if candidates else "not found")
        self.candidates = candidates or []


def find(province: object, name: object = "", code: object = "", vintage: str = NEW,
         level: str | None = None) -> OfficialUnit:
    """The unit of ``vintage`` a typed (province, name, code) names, matched within that vintage only.

    The code decides when it is a unit of that province on that map; else the full name ('Phường Gia Viên'),
    else the name without its level word ('Gia Viên'), preferring the level the name implies and, on the old map,
    ``level`` ('commune' / 'district'). Raises :class:`NotOnMap` (with the candidates when several fit)."""
    try:
        found = _find(province, name, code, vintage, level)
    except TypeError:  # an unhashable value: not remembered
        found = _find.__wrapped__(province, name, code, vintage, level)
    if isinstance(found, OfficialUnit):
        return found
    raise NotOnMap(list(found))


@lru_cache(maxsize=1 << 15, typed=True)
def _find(province: object, name: object, code: object, vintage: str, level: str | None
          ) -> OfficialUnit | tuple[OfficialUnit, ...]:
    """:func:`find`, remembered per typed (province, name, code): the unit, or the candidates (maybe none) of
    :class:`NotOnMap`. A body is looked up when its units row is placed and again for each wave after the
    reform."""
    try:
        return _lookup(province, name, code, vintage, level)
    except NotOnMap as exc:
        return tuple(exc.candidates)


def _lookup(province: object, name: object, code: object, vintage: str, level: str | None) -> OfficialUnit:
    provinces = provinces_on_map(province, vintage)
    index = _index(vintage)
    code_text = nfc(code)
    if code_text.isdigit():
        widths = {code_text.zfill(5), code_text.zfill(3)} if len(code_text) <= 5 else {code_text}
        hits = [u for p in provinces for c in sorted(widths) for u in index["code"].get((p, c), [])]
        hits = [u for u in hits if level is None or u.level == level]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1 and nfc(name):  # the source names two units with one code: the name decides
            full = _keys(name)[0]
            named = [u for u in hits if _keys(u.name)[0] == full]
            if len(named) == 1:
                return named[0]
    if not nfc(name):
        raise NotOnMap()
    full, short, word = _keys(name)
    for key, table in ((full, index["full"]), (short, index["short"])):
        hits = [u for p in provinces for u in table.get((p, key), [])]
        if level is not None:
            hits = [u for u in hits if u.level == level] or hits
        if word:  # 'Quận Hồng Bàng' is not 'Phường Hồng Bàng'
            hits = [u for u in hits if _keys(u.name)[2] == word]
        if len(hits) > 1:
            exact = [u for u in hits if modern_tones(nfc(u.name)).lower().endswith(modern_tones(nfc(name)).lower())]
            hits = exact if len(exact) == 1 else hits
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise NotOnMap(hits)
    raise NotOnMap()


@lru_cache(maxsize=2)
def _rows_by(column: str) -> dict[str, np.ndarray]:
    """code -> positions of its rows in :func:`conversion` (one pass; lookups then cost a dict access)."""
    codes = conversion()[column].to_numpy()
    order = np.argsort(codes, kind="stable")
    keys, starts = np.unique(codes[order], return_index=True)
    return {k: order[a:b] for k, a, b in zip(keys, starts, list(starts[1:]) + [len(order)])}


def successors(old_code: str) -> pd.DataFrame:
    """The new communes an old commune went into, with the relation (several when it was split)."""
    return conversion().iloc[_rows_by("old_code").get(old_code, [])].reset_index(drop=True)


def predecessors(new_code: str) -> pd.DataFrame:
    """The old communes a new commune was formed from, with the relation."""
    return conversion().iloc[_rows_by("new_code").get(new_code, [])].reset_index(drop=True)


@lru_cache(maxsize=1)
def district_successors() -> dict[str, list[str]]:
    """Old district code -> the new communes its communes went into (a district itself has no successor)."""
    out: dict[str, list[str]] = {}
    for district, new in zip(conversion()["old_district_code"], conversion()["new_code"]):
        out.setdefault(district, [])
        if new not in out[district]:
            out[district].append(new)
    return out


def national_frame() -> dict[str, int]:
    """The units a national roll-out is sized against, on the map of today (from the shipped official list):
    ``provinces`` (34) and ``communes`` (3,321 commune-level units: xã, phường, đặc khu)."""
    table = units(NEW)
    return {"provinces": int((table["level"] == "province").sum()), "communes": int((table["level"] == "commune").sum())}
