"""Text normalisation shared by header matching, value parsing and unit matching.

Staff type Vietnamese in NFC or NFD, with or without diacritics, with stray spaces and
varying tone-mark placement ("Hòa" / "Hoà"). Everything read is normalised to NFC on the
way in; comparisons use :func:`fold`, which also drops diacritics and case.
"""
from __future__ import annotations

import math
import re
import unicodedata

from pandas import NA as _NA

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def nfc(value: object) -> str:
    """Return ``value`` as NFC text with spaces collapsed and trimmed ('' for missing)."""
    if value is None or value is _NA:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    text = unicodedata.normalize("NFC", str(value))
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    return _SPACES.sub(" ", text).strip()


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese diacritics: 'Hồng Bàng' -> 'Hong Bang', 'Đ' -> 'D'."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.replace("đ", "d").replace("Đ", "D")


def fold(value: object) -> str:
    """Comparison key: NFC, no diacritics, lower case, punctuation as single spaces."""
    text = strip_diacritics(nfc(value)).lower()
    return _NON_WORD.sub(" ", text).strip()


def slugify(value: object) -> str:
    """File-system-safe ASCII slug: 'Hải Phòng' -> 'hai-phong'."""
    return fold(value).replace(" ", "-") or "unnamed"
