"""Parsing and validating the values staff type, matching bodies to the units table.

Every rejected value becomes a :class:`Problem` naming the column, the value, the rule broken and the values
its reason is worded with (the words are rows ``rule.<name>`` of the text table, shown at report time). The
rules are listed in :data:`RULES` (and in ``docs/data-format.md``).
"""
from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

import pandas as pd

from iso18091lab.intake.provinces import canonical_name, official_names, official_names_all, province_key, related_names
from iso18091lab.normalize import fold, modern_tones, nfc, slugify

#: The cleaning rules a value can break. Each one's reason, in Vietnamese and English, is the text-table row
#: ``rule.<name>`` (``iso18091lab/data/text.csv``; ``{hint}`` is filled in from the problem's values) and is worded
#: when a report shows it (:func:`iso18091lab.i18n.rule_text`): ``quarantine.csv`` stores the rule and its values.
RULES: tuple[str, ...] = (
    "missing_value", "unknown_province", "unknown_unit", "unit_rejected", "ambiguous_unit", "bad_year", "bad_date",
    "date_year_mismatch", "bad_round", "bad_rater", "unknown_indicator", "bad_score", "score_out_of_range",
    "bad_rating", "score_and_not_assessed", "missing_score", "conflicting_duplicate", "bad_level", "bad_group",
    "duplicate_code", "bad_value", "pilot_without_start", "ambiguous_indicator",
)


@dataclass
class Problem:
    """One broken rule in one cell."""

    column: str  # canonical column name
    value: str
    rule: str
    hint: str = ""
    suggestion: str = ""

    def values(self) -> dict:
        """What fills the rule's reason in: ``hint`` (names, codes, a maximum — data, not words) and
        ``suggestion`` (a close spelling), each only when given; for ``unit_rejected``, ``reasons``: the rules the
        unit's own row broke (see :func:`problem_values`)."""
        return problem_values(self.rule, self.hint, self.suggestion)


def rejected_unit_hint(problems: list[Problem]) -> str:
    """The hint of ``unit_rejected``: the problems of the unit's own row, as JSON (each once)."""
    import json

    found = dict.fromkeys((p.rule, p.hint, p.suggestion) for p in problems)
    return json.dumps([list(each) for each in found], ensure_ascii=False)


def problem_values(rule: str, hint: object = "", suggestion: object = "") -> dict:
    """The values stored with a broken rule: ``{"hint": ..., "suggestion": ...}`` (empty ones left out); for
    ``unit_rejected`` the hint (:func:`rejected_unit_hint`) becomes ``reasons``, a list of
    ``{"rule": ..., "hint": ..., "suggestion": ...}``."""
    import json

    values: dict = {}
    if rule == "unit_rejected" and isinstance(hint, str) and hint.startswith("["):
        values["reasons"] = [{"rule": r, **problem_values(r, h, s)} for r, h, s in json.loads(hint)]
    elif isinstance(hint, str) and hint:
        values["hint"] = hint
    if isinstance(suggestion, str) and suggestion:
        values["suggestion"] = suggestion
    return values


class Rejected(Exception):
    """Raised by a parser: carries the rule broken."""

    def __init__(self, rule: str, hint: str = "", suggestion: str = ""):
        super().__init__(rule)
        self.rule, self.hint, self.suggestion = rule, hint, suggestion


def is_blank(value: object) -> bool:
    """True for None, NaN and text that is empty after trimming."""
    if type(value) is int:  # a whole number is never blank (most score cells)
        return False
    return nfc(value) == ""


# --------------------------------------------------------------------------- values

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
_THOUSANDS_VI = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")  # 1.234,5
_THOUSANDS_EN = re.compile(r"^[+-]?\d{1,3}(,\d{3})+\.\d+$")  # 1,234.5 (only with a decimal part: '1,234' is 1.234)


def parse_number(value: object) -> float:
    """'7,5' / '7.5' / 7.5 / '85 %' / '1.234,5' -> float. Raises :class:`Rejected` ('bad_score') otherwise:
    '7.5.' or '7,5,1' are not numbers (never read as 75 or 751)."""
    if isinstance(value, bool):
        raise Rejected("bad_score")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise Rejected("bad_score")
        return float(value)
    text = nfc(value).replace(" ", "").rstrip("%")
    if _THOUSANDS_VI.match(text) and text.count(".") and ("," in text or text.count(".") > 1):
        text = text.replace(".", "")
    elif _THOUSANDS_EN.match(text):
        text = text.replace(",", "")
    if not _NUMBER.match(text):
        raise Rejected("bad_score")
    return float(text.replace(",", "."))


def parse_whole(value: object, rule: str, low: int, high: int) -> int:
    """A whole number within [low, high], from 2022, 2022.0, '2022', 'Đợt 2'."""
    if isinstance(value, (datetime, date)):
        raise Rejected(rule)
    text = fold(value)
    text = re.sub(r"^(dot|lan|ky|round|nam|year)\s+", "", text)
    try:
        number = float(text) if not isinstance(value, (int, float)) else float(value)
    except ValueError:
        raise Rejected(rule)
    if not number.is_integer() or not low <= number <= high:
        raise Rejected(rule)
    return int(number)


def _vocabulary(words: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Spelling (folded) -> canonical value, from canonical -> accepted spellings."""
    return {alias: canonical for canonical, aliases in words.items() for alias in aliases}


def _word(value: object, vocabulary: dict[str, str], rule: str) -> str:
    """The canonical value of a typed word, or :class:`Rejected` with ``rule``."""
    folded = fold(value)
    if folded in vocabulary:
        return vocabulary[folded]
    raise Rejected(rule)


_RATERS = _vocabulary({
    "self": ("self", "tu danh gia", "tu cham", "tu cham diem", "tdg", "self assessment", "tu"),
    "council": ("council", "hoi dong", "tham dinh", "hoi dong tham dinh", "hd", "hdtd", "appraisal"),
})

NOT_ASSESSED = "not_assessed"
_RATINGS = _vocabulary({
    "red": ("red", "r", "do", "d"),
    "yellow": ("yellow", "y", "vang", "v"),
    "green": ("green", "g", "xanh", "x", "xanh la", "xanh la cay"),
    NOT_ASSESSED: ("grey", "gray", "xam", "khong danh gia", "kdg", "not assessed", "n a", "na"),
})

LEVELS = {
    "quận": ("quan", "urban district"),
    "huyện": ("huyen", "rural district", "district"),
    "thị xã": ("thi xa", "town"),
    "thành phố": ("thanh pho", "city", "tp"),
    "phường": ("phuong", "ward"),
    "xã": ("xa", "commune"),
    "thị trấn": ("thi tran", "township", "tt"),
    "đặc khu": ("dac khu", "special zone"),
}
_LEVEL_LOOKUP = _vocabulary(LEVELS)
#: Administrative tier of each level (district level was abolished on 1 July 2025).
TIER = {"quận": "district", "huyện": "district", "thị xã": "district", "thành phố": "district",
        "phường": "commune", "xã": "commune", "thị trấn": "commune", "đặc khu": "commune"}
CODE_WIDTH = {"district": 3, "commune": 5}

_GROUPS = _vocabulary({
    "pilot": ("pilot", "thi diem", "treatment", "tham gia thi diem"),
    "comparison": ("comparison", "doi chung", "control", "so sanh", "iso 9001"),
})


@lru_cache(maxsize=4096)
def parse_rater(value: str) -> str:
    """'Tự đánh giá' -> 'self'; 'Hội đồng thẩm định' -> 'council'."""
    return _word(value, _RATERS, "bad_rater")


@lru_cache(maxsize=4096)
def parse_rating(value: str) -> str:
    """Traffic light as typed -> 'red' / 'yellow' / 'green' / 'not_assessed'."""
    return _word(value, _RATINGS, "bad_rating")


def parse_level(value: str) -> str:
    """'Quận' / 'quan' / 'ward' -> canonical Vietnamese level name."""
    return _word(value, _LEVEL_LOOKUP, "bad_level")


def parse_group(value: str) -> str:
    """'Thí điểm' -> 'pilot'; 'Đối chứng' -> 'comparison'."""
    return _word(value, _GROUPS, "bad_group")


def parse_code(value: object, tier: str | None = None) -> str:
    """Administrative code as text. Text keeps its leading zeros; a code Excel stored as a
    number lost them, so it is zero-padded to the standard width of its tier (3 or 5)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = str(int(value)) if float(value).is_integer() else nfc(value)
        width = CODE_WIDTH.get(tier or "", 0)
        return text.zfill(width)
    return nfc(value)


def is_synthetic_marker(value: object) -> bool:
    """True when a source cell says the row is synthetic ('synthetic', 'mô phỏng')."""
    folded = fold(value)
    return "synthetic" in folded or "mo phong" in folded


# --------------------------------------------------------------------------- bodies

_ORGAN_PREFIX = re.compile(r"^(ubnd|uy ban nhan dan)\s+")
_LEVEL_PREFIX = re.compile(r"^(quan|huyen|thi xa|thanh pho|phuong|xa|thi tran|dac khu|q|h|tx|tp|p|x|tt)\s+(?=\S)")


def unit_keys(name: object) -> tuple[str, str, str | None]:
    """(full key, key without level word, level implied by the prefix or None)."""
    full = _ORGAN_PREFIX.sub("", fold(name))
    match = _LEVEL_PREFIX.match(full)
    if not match:
        return full, full, None
    word = match.group(1)
    level = {"q": "quận", "h": "huyện", "tx": "thị xã", "p": "phường", "x": "xã"}.get(word) or _LEVEL_LOOKUP.get(word)
    return full, full[match.end():], level


def exact_key(name: object) -> str:
    """Key that keeps diacritics: NFC, lower case, without a leading 'UBND' ('xã Phú Mẫu' != 'xã Phú Mậu')."""
    text = modern_tones(nfc(name).lower())
    return re.sub(r"^(ubnd|ủy ban nhân dân|uỷ ban nhân dân)\s+", "", text)


def body_id(province: object, code: object, name: object) -> str:
    """Identity of a body: ``province:code`` when a code is known, else ``province:canonical-name`` (slugs).

    Names repeat across Vietnam and even inside one province, so a code always wins; without one, two
    spellings of one name that differ only in diacritics, case or a leading 'UBND' give the same id.
    """
    code_text = nfc(code)
    if code_text:
        return f"{slugify(province)}:{code_text}"
    return f"{slugify(province)}:{slugify(unit_keys(name)[0])}"


@dataclass
class UnitMatch:
    """Where a typed body was found: the units-table row, and how the typed name differs from it."""

    index: int
    how: str  # "code", "name", "alias", "short name" (without its level word)
    exact: bool  # the typed text equals the units table's name, alias or code


class UnitMatcher:
    """Matches provinces and unit names or codes, as staff type them, to the units table.

    Provinces: a typed province matches the units-table provinces with the same name first (any spelling,
    'TP.' or 'Tỉnh' or not), then — across the 2025 reform — every province it may mean
    (:func:`iso18091lab.intake.provinces.related_names`): 'Hải Phòng' also finds bodies of the former Hải Dương,
    'Huế' those listed under 'Thừa Thiên Huế'. The body's own code or name decides.

    Bodies, in order: administrative code; full name or alias (ignoring diacritics, case, punctuation and a
    leading 'UBND'); name without its level word ('Q. Hồng Bàng' -> 'Hồng Bàng'). Among several candidates,
    those whose diacritics match exactly and those of the level the prefix implies are preferred; if several
    remain the row is ambiguous and the reason names the candidates with their codes. With an empty units
    table every name is accepted as written.
    """

    def __init__(self, units: pd.DataFrame):
        self.units = units.reset_index(drop=True)
        self.provinces: dict[str, str] = {}  # province key -> the units table's province name
        self._by_code: dict[tuple[str, str], int] = {}
        self._by_full: dict[tuple[str, str], set[int]] = {}
        self._by_short: dict[tuple[str, str], set[int]] = {}
        self._exact: dict[int, set[str]] = {}
        self._tiers: dict[str, list[list[str]]] = {}
        self._level = [nfc(v) for v in self.units.get("level", pd.Series([""] * len(self.units)))]
        for index, unit in enumerate(self.units.to_dict(orient="records")):
            province = unit["province"]
            self.provinces.setdefault(province_key(province), province)
            code = nfc(unit.get("code"))
            if code:
                self._by_code[(province, fold(code))] = index
            names = [unit["unit"]] + [a for a in nfc(unit.get("aliases")).split(";") if a.strip()]
            self._exact[index] = {exact_key(n) for n in names} | ({code.lower()} if code else set())
            for name in names:
                full, short, _ = unit_keys(name)
                self._by_full.setdefault((province, full), set()).add(index)
                self._by_short.setdefault((province, short), set()).add(index)

    @property
    def empty(self) -> bool:
        return self.units.empty

    def province_tiers(self, value: object) -> list[list[str]]:
        """Units-table provinces a typed province may mean: same name first, then across the 2025 reform."""
        key = province_key(value)
        if key not in self._tiers:
            self._tiers[key] = self._province_tiers(value)
        return self._tiers[key]

    def _province_tiers(self, value: object) -> list[list[str]]:
        same = {self.provinces[province_key(value)]} if province_key(value) in self.provinces else set()
        same |= {p for p in self.provinces.values() if p in official_names(value)}
        related = {p for p in self.provinces.values() if p in related_names(value)} - same
        return [sorted(tier) for tier in (same, related) if tier]

    def province(self, value: object) -> str:
        """The province a typed name means (its units-table spelling); :class:`Rejected` with a hint if none.

        With an empty units table the official spelling is returned when the name is a known province.
        """
        if self.empty:
            return canonical_name(value) or nfc(value)
        tiers = self.province_tiers(value)
        if tiers:
            return tiers[0][0]
        close = difflib.get_close_matches(province_key(value), list(self.provinces), n=1, cutoff=0.6)
        raise Rejected("unknown_province", suggestion=self.provinces[close[0]] if close else "")

    def unit(self, province: object, name: object, code: object = "") -> int | None:
        """Row index in the units table (None when the table is empty); see :meth:`locate`."""
        found = self.locate(province, name, code)
        return None if found is None else found.index

    def locate(self, province: object, name: object, code: object = "") -> UnitMatch | None:
        """Find a typed body of a typed province; raises :class:`Rejected` (unknown or ambiguous unit)."""
        if self.empty:
            return None
        tiers = self.province_tiers(province)
        if not tiers:
            self.province(province)  # raises unknown_province with a suggestion
        for tier in tiers:
            found: dict[int, str] = {}
            for each in tier:
                found.update(self._candidates(each, name, code))
            if len(found) > 1:
                found = self._narrow(found, name)
            if len(found) == 1:
                index, how = next(iter(found.items()))
                typed = {exact_key(name)} | ({nfc(code).lower()} if not is_blank(code) else set())
                return UnitMatch(index, how, bool(typed & self._exact[index]) and how != "short name")
            if len(found) > 1:
                raise Rejected("ambiguous_unit", ": " + "; ".join(self.describe(i) for i in sorted(found)))
        if not is_blank(code) and is_blank(name):
            raise Rejected("unknown_unit", f" ({nfc(code)})")
        shorts = {k[1]: v for k, v in self._by_short.items() if k[0] in {p for t in tiers for p in t}}
        close = difflib.get_close_matches(unit_keys(name)[1], list(shorts), n=1, cutoff=0.6)
        raise Rejected("unknown_unit", suggestion=self.units.at[min(shorts[close[0]]), "unit"] if close else "")

    def likely_province(self, typed_province: object, name: object) -> str:
        """The likeliest province of a row that could not be attributed: the only province with a body of
        that name, else the units-table province closest in spelling (or a known province's official name)."""
        if not is_blank(name):
            full = unit_keys(name)[0]
            owners = {p for (p, key) in self._by_full if key == full}
            if len(owners) == 1:
                return owners.pop()
        known = list(self.provinces) or [province_key(n) for n in official_names_all()]
        close = difflib.get_close_matches(province_key(typed_province), known, n=1, cutoff=0.6)
        if not close:
            return ""
        return self.provinces.get(close[0]) or canonical_name(close[0]) or ""

    def describe(self, index: int) -> str:
        """'xã Tân Hòa (12345, Hải Phòng)' — a candidate named in a quarantine reason (names and codes are data,
        the same in either language)."""
        unit = self.units.iloc[index]
        code = nfc(unit.get("code"))
        return f"{unit['unit']} ({code + ', ' if code else ''}{unit['province']})"

    def _candidates(self, province: str, name: object, code: object) -> dict[int, str]:
        if not is_blank(code):
            key = (province, fold(parse_code(code)))
            if key in self._by_code:
                return {self._by_code[key]: "code"}
            if is_blank(name):
                return {}
        if (province, fold(name)) in self._by_code:  # a code typed in the name column
            return {self._by_code[(province, fold(name))]: "code"}
        full, short, level = unit_keys(name)
        for candidates, how in ((self._by_full.get((province, full)), "name"),
                                (self._by_short.get((province, short)), "short name")):
            if candidates:
                if len(candidates) > 1 and level:
                    candidates = {i for i in candidates if self._level[i] == level} or candidates
                return {i: how for i in candidates}
        return {}

    def _narrow(self, found: dict[int, str], name: object) -> dict[int, str]:
        """Among several candidates keep those whose name or alias matches with its diacritics."""
        exact = {i: how for i, how in found.items() if exact_key(name) in self._exact[i]}
        return exact or found
