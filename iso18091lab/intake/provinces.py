"""Vietnam's provinces across the 2025 reform: the 63 former provinces, the 34 since 1 July 2025, and which
former provinces make up each new one (Resolution 202/2025/QH15; Thừa Thiên Huế became the city of Huế on
1 January 2025).

Staff type either name ("Hải Dương" for data assessed in 2023, "Hải Phòng" for the same body today), with or
without "Tỉnh" / "Thành phố" / "TP.", with or without diacritics. :func:`related_names` gives every official
name a typed province may refer to, so a body of the former Hải Dương matches a row that says "Hải Phòng";
which body it is, is then decided by the body's own name or code. Bodies are kept as they were assessed.

The table is ``data/provinces.csv`` (one row per former province: ``former_name, name_2025, change_2025,
former_kind, kind_2025, aliases``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pandas as pd

from iso18091lab.normalize import fold

_PROVINCE_PREFIX = re.compile(r"^(tinh|thanh pho|tp)\s+")


def province_key(name: object) -> str:
    """Comparison key of a province: 'TP. Hải Phòng' / 'Thành phố Hải Phòng' / 'hai phong' -> 'hai phong'."""
    return _PROVINCE_PREFIX.sub("", fold(name)).replace(" ", "")


@dataclass(frozen=True)
class ProvinceTable:
    """Lookups over the former and current provinces."""

    table: pd.DataFrame
    by_key: dict  # folded key -> set of official names it can mean (former and/or 2025)
    successor: dict  # former name -> name since July 2025
    predecessors: dict  # 2025 name -> former names merged into it

    @property
    def former(self) -> list[str]:
        """The 63 provinces before the 2025 reform."""
        return self.table["former_name"].tolist()

    @property
    def current(self) -> list[str]:
        """The 34 provinces since 1 July 2025."""
        return list(dict.fromkeys(self.table["name_2025"]))


@lru_cache(maxsize=1)
def province_table() -> ProvinceTable:
    """The bundled province table and its lookups (cached)."""
    path = resources.files("iso18091lab") / "data" / "provinces.csv"
    table = pd.read_csv(str(path), dtype=str, keep_default_na=False)
    by_key: dict[str, set[str]] = {}
    successor, predecessors = {}, {}
    for row in table.itertuples(index=False):
        successor[row.former_name] = row.name_2025
        predecessors.setdefault(row.name_2025, []).append(row.former_name)
        names = [row.former_name] + [a for a in row.aliases.split(";") if a.strip()]
        for name in names:
            by_key.setdefault(province_key(name), set()).add(row.former_name)
        by_key.setdefault(province_key(row.name_2025), set()).add(row.name_2025)
    return ProvinceTable(table, by_key, successor, predecessors)


def official_names(typed: object) -> set[str]:
    """The official names (former or since 2025) that a typed province name spells; empty when unknown."""
    return set(province_table().by_key.get(province_key(typed), set()))


def canonical_name(typed: object) -> str | None:
    """The official spelling of a typed province name ('TP. Ha Noi' -> 'Hà Nội'; 'Hue' -> 'Huế'), or None."""
    names = official_names(typed)
    return min(names) if names else None  # former and 2025 spellings of one key are identical strings


def name_2025(name: object) -> str | None:
    """The province's name since 1 July 2025 ('Hải Dương' -> 'Hải Phòng'; 'Thừa Thiên Huế' -> 'Huế')."""
    table = province_table()
    for official in official_names(name):
        if official in table.successor:
            return table.successor[official]
        if official in table.predecessors:
            return official
    return None


def related_names(typed: object) -> set[str]:
    """Every official name a typed province may refer to, across the reform.

    A former name also means its successor ('Hải Dương' -> {'Hải Dương', 'Hải Phòng'}); a 2025 name also means
    every former province merged into it ('Hải Phòng' -> {'Hải Phòng', 'Hải Dương'}); a renamed province means
    both names ('Huế' <-> 'Thừa Thiên Huế'). Unknown names give an empty set.
    """
    table = province_table()
    out: set[str] = set()
    for official in official_names(typed):
        out.add(official)
        if official in table.successor:
            out.add(table.successor[official])
        out.update(table.predecessors.get(official, []))
    return out


def official_names_all() -> list[str]:
    """Every official province name, former and since 2025 (each once)."""
    table = province_table()
    return list(dict.fromkeys(table.former + table.current))


def province_of_today(name: object) -> str:
    """The province a report is written for: the name since 1 July 2025 of a known province ('Hải Dương' ->
    'Hải Phòng'), else the name as given. One report per province of today; bodies keep the province they were
    assessed in."""
    text = "" if name is None or name is pd.NA or (isinstance(name, float) and name != name) else str(name)
    return (name_2025(text) or text) if text else ""


def of_today(values) -> "pd.Series":
    """:func:`province_of_today` of every value of a column (computed once per distinct value)."""
    series = pd.Series(values, dtype=object) if not isinstance(values, pd.Series) else values.astype(object)
    mapping = {v: province_of_today(v) for v in series.dropna().unique()}
    return series.map(mapping).fillna("")


def province_title(province: str, former: list[str] | None = None, lang: str = "vi") -> str:
    """A province of today with the former provinces it comprises ('Hải Phòng (gồm Hải Phòng và Hải Dương trước
    2025)'); the bare name when it was not merged. ``former``: the former provinces to name (default: all)."""
    from iso18091lab.i18n import t

    table = province_table()
    names = former if former is not None else table.predecessors.get(province, [])
    order = {n: i for i, n in enumerate(table.predecessors.get(province, []))}  # the namesake first
    names = sorted((n for n in dict.fromkeys(names) if n), key=lambda n: (order.get(n, len(order)), n))
    if len(names) < 2 and (not names or names == [province]):
        return province
    joined = f" {t('word_and', lang)} ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 \
        else names[0]
    return t("province_with_former", lang, today=province, former=joined)
