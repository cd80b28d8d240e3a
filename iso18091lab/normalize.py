"""Text normalisation shared by header matching, value parsing and unit matching.

Staff type Vietnamese in NFC or NFD, with or without diacritics, with stray spaces and
varying tone-mark placement ("Hòa" / "Hoà"). Everything read is normalised to NFC on the
way in; comparisons use :func:`fold`, which also drops diacritics and case.
"""
from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache

from pandas import NA as _NA

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def nfc(value: object) -> str:
    """Return ``value`` as NFC text with spaces collapsed and trimmed ('' for missing)."""
    if type(value) is str:  # most cells: straight to the remembered text (ingest calls this ~500,000 times)
        return _nfc_text(value)
    if value is None or value is _NA:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    return _nfc_text(str(value))


@lru_cache(maxsize=1 << 16)
def _nfc_text(text: str) -> str:
    """:func:`nfc` of a string, remembered: cells of a sheet repeat the same few texts (scores, lights, names)."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    return _SPACES.sub(" ", text).strip()


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese diacritics: 'Hồng Bàng' -> 'Hong Bang', 'Đ' -> 'D'."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.replace("đ", "d").replace("Đ", "D")


def fold(value: object) -> str:
    """Comparison key: NFC, no diacritics, lower case, punctuation as single spaces."""
    return _fold_text(nfc(value))


@lru_cache(maxsize=1 << 16)
def _fold_text(text: str) -> str:
    """:func:`fold` of NFC text, remembered: unit, province and header names recur across rows and files."""
    return _NON_WORD.sub(" ", strip_diacritics(text).lower()).strip()


def slugify(value: object) -> str:
    """File-system-safe ASCII slug: 'Hải Phòng' -> 'hai-phong'."""
    return fold(value).replace(" ", "-") or "unnamed"


_OLD_TONES = {"oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa", "oè": "òe", "oé": "óe", "oẻ": "ỏe",
              "oẽ": "õe", "oẹ": "ọe", "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy"}
_OLD_TONE = re.compile("|".join(_OLD_TONES) + "|" + "|".join(k.upper() for k in _OLD_TONES))


def modern_tones(text: str) -> str:
    """Tone marks placed the modern way: 'Hoà' -> 'Hòa', 'Thuỷ' -> 'Thủy' (NFC text in, NFC text out)."""
    return _OLD_TONE.sub(lambda m: _OLD_TONES.get(m.group(0).lower(), m.group(0)) if m.group(0).islower()
                         else _OLD_TONES[m.group(0).lower()].upper(), text)
