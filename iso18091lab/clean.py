"""Parsing and validating the values staff type, matching bodies to the units table.

Every rejected value becomes a :class:`Problem` naming the column, the value and the rule broken,
with a reason in Vietnamese and English. The rules are listed in :data:`RULES` (and in
``docs/data-format.md``).
"""
from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

import pandas as pd

from .text import fold, nfc

#: rule code -> (Vietnamese, English) reason; ``{hint}`` is filled in.
RULES: dict[str, tuple[str, str]] = {
    "missing_value": ("thiếu giá trị bắt buộc", "required value is missing"),
    "unknown_province": ("tỉnh/thành phố không có trong danh sách đơn vị", "province not in the units table"),
    "unknown_unit": ("đơn vị không có trong danh sách đơn vị{hint}", "unit not in the units table{hint}"),
    "ambiguous_unit": ("tên đơn vị khớp với nhiều đơn vị{hint}", "unit name matches several units{hint}"),
    "bad_year": ("năm không hợp lệ (cần số nguyên 1990–2100)", "invalid year (whole number 1990-2100 expected)"),
    "bad_round": ("đợt đánh giá không hợp lệ (cần số nguyên dương)", "invalid round (positive whole number expected)"),
    "bad_rater": ("loại đánh giá không hợp lệ (tự đánh giá / hội đồng)", "invalid rater (self / council expected)"),
    "unknown_indicator": ("chỉ số không có trong bộ chỉ số", "indicator not in the catalog"),
    "bad_score": ("điểm không phải là số", "score is not a number"),
    "score_out_of_range": ("điểm nằm ngoài khoảng 0–{hint}", "score outside 0-{hint}"),
    "bad_rating": ("mức đánh giá không hợp lệ (xanh / vàng / đỏ / không đánh giá)",
                   "invalid traffic light (green / yellow / red / not assessed)"),
    "score_and_not_assessed": ("có điểm nhưng lại ghi 'không đánh giá'", "a score is given but marked not assessed"),
    "missing_score": ("thiếu cả điểm và mức đánh giá", "neither score nor traffic light given"),
    "conflicting_duplicate": ("trùng khóa với dòng khác nhưng khác giá trị{hint}",
                              "same key as another row with a different value{hint}"),
    "bad_level": ("cấp đơn vị không hợp lệ (quận, huyện, thị xã, thành phố, phường, xã, thị trấn)",
                  "invalid level (quận, huyện, thị xã, thành phố, phường, xã, thị trấn)"),
    "bad_group": ("nhóm không hợp lệ (thí điểm / đối chứng)", "invalid group (pilot / comparison expected)"),
    "duplicate_code": ("mã đơn vị trùng với đơn vị khác{hint}", "unit code used by another unit{hint}"),
    "bad_value": ("giá trị không phải là số", "value is not a number"),
}


@dataclass
class Problem:
    """One broken rule in one cell."""

    column: str  # canonical column name
    value: str
    rule: str
    hint: str = ""
    suggestion: str = ""

    def reasons(self) -> tuple[str, str]:
        """The reason in Vietnamese and in English, with the 'did you mean' suggestion if any."""
        vi, en = RULES[self.rule]
        vi, en = vi.format(hint=self.hint), en.format(hint=self.hint)
        if self.suggestion:
            vi += f" — có phải '{self.suggestion}'?"
            en += f" — did you mean '{self.suggestion}'?"
        return vi, en


class Rejected(Exception):
    """Raised by a parser: carries the rule broken."""

    def __init__(self, rule: str, hint: str = "", suggestion: str = ""):
        super().__init__(rule)
        self.rule, self.hint, self.suggestion = rule, hint, suggestion


def is_blank(value: object) -> bool:
    """True for None, NaN and text that is empty after trimming."""
    return nfc(value) == ""


# --------------------------------------------------------------------------- values

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}([. ]\d{3})+(,\d+)?$")


def parse_number(value: object) -> float:
    """'7,5' / '7.5' / 7.5 / '85 %' -> float. Raises :class:`Rejected` ('bad_score') otherwise."""
    if isinstance(value, bool):
        raise Rejected("bad_score")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise Rejected("bad_score")
        return float(value)
    text = nfc(value).replace(" ", "").rstrip("%")
    if _THOUSANDS.match(text) and "," in text or (text.count(".") > 1):
        text = text.replace(".", "").replace(" ", "")
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


# --------------------------------------------------------------------------- units

_ORGAN_PREFIX = re.compile(r"^(ubnd|uy ban nhan dan)\s+")
_LEVEL_PREFIX = re.compile(r"^(quan|huyen|thi xa|thanh pho|phuong|xa|thi tran|dac khu|q|h|tx|tp|p|x|tt)\s+(?=\S)")
_PROVINCE_PREFIX = re.compile(r"^(tinh|thanh pho|tp)\s+")


def province_key(name: object) -> str:
    """'TP. Hải Phòng' / 'Thành phố Hải Phòng' / 'hai phong' -> 'hai phong'."""
    return _PROVINCE_PREFIX.sub("", fold(name))


def unit_keys(name: object) -> tuple[str, str, str | None]:
    """(full key, key without level word, level implied by the prefix or None)."""
    full = _ORGAN_PREFIX.sub("", fold(name))
    match = _LEVEL_PREFIX.match(full)
    if not match:
        return full, full, None
    word = match.group(1)
    level = {"q": "quận", "h": "huyện", "tx": "thị xã", "p": "phường", "x": "xã"}.get(word) or _LEVEL_LOOKUP.get(word)
    return full, full[match.end():], level


class UnitMatcher:
    """Matches provinces and unit names or codes, as staff type them, to the units table.

    Match order: administrative code; full name or alias (ignoring diacritics, case,
    punctuation and a leading 'UBND'); name without its level word ('Q. Hồng Bàng' ->
    'Hồng Bàng'), narrowed by the level the prefix implies when several units share it.
    With an empty units table every name is accepted as written.
    """

    def __init__(self, units: pd.DataFrame):
        self.units = units.reset_index(drop=True)
        self.provinces: dict[str, str] = {}
        self._by_code: dict[tuple[str, str], int] = {}
        self._by_full: dict[tuple[str, str], set[int]] = {}
        self._by_short: dict[tuple[str, str], set[int]] = {}
        for index, unit in self.units.iterrows():
            pkey = province_key(unit["province"])
            self.provinces.setdefault(pkey, unit["province"])
            if isinstance(unit.get("code"), str) and unit["code"]:
                self._by_code[(pkey, fold(unit["code"]))] = index
            names = [unit["unit"]] + [a for a in nfc(unit.get("aliases")).split(";") if a.strip()]
            for name in names:
                full, short, _ = unit_keys(name)
                self._by_full.setdefault((pkey, full), set()).add(index)
                self._by_short.setdefault((pkey, short), set()).add(index)

    @property
    def empty(self) -> bool:
        return self.units.empty

    def province(self, value: object) -> str:
        """Canonical province name; raises :class:`Rejected` with a 'did you mean' hint."""
        if self.empty:
            return nfc(value)
        key = province_key(value)
        if key in self.provinces:
            return self.provinces[key]
        close = difflib.get_close_matches(key, list(self.provinces), n=1, cutoff=0.6)
        raise Rejected("unknown_province", suggestion=self.provinces[close[0]] if close else "")

    def unit(self, province: str, name: object, code: object = "") -> int | None:
        """Row index in the units table; None when the table is empty (no matching possible)."""
        if self.empty:
            return None
        pkey = province_key(province)
        if not is_blank(code):
            key = (pkey, fold(parse_code(code)))
            if key in self._by_code:
                return self._by_code[key]
            if is_blank(name):
                raise Rejected("unknown_unit", f" ({nfc(code)})")
        full, short, level = unit_keys(name)
        if (pkey, fold(name)) in self._by_code:  # a code typed in the name column
            return self._by_code[(pkey, fold(name))]
        for candidates in (self._by_full.get((pkey, full)), self._by_short.get((pkey, short))):
            if not candidates:
                continue
            if len(candidates) > 1 and level:
                candidates = {i for i in candidates if self.units.at[i, "level"] == level} or candidates
            if len(candidates) == 1:
                return next(iter(candidates))
            names = ", ".join(sorted(self.units.loc[sorted(candidates), "unit"]))
            raise Rejected("ambiguous_unit", f": {names}")
        shorts = {k[1]: v for k, v in self._by_short.items() if k[0] == pkey}
        close = difflib.get_close_matches(short, list(shorts), n=1, cutoff=0.6)
        suggestion = self.units.at[min(shorts[close[0]]), "unit"] if close else ""
        raise Rejected("unknown_unit", suggestion=suggestion)
