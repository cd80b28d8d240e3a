"""Clean rows as staff type them: spellings of provinces and bodies that still resolve to the right body,
raters and traffic lights in several wordings, scores as numbers or text; every row's source cell reads
:data:`SOURCE_MARK`.
"""
from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

from iso18091lab.intake.clean import Rejected, UnitMatcher
from iso18091lab.synthetic.xlsx import number_text
from iso18091lab.normalize import strip_diacritics

#: The source cell of every synthetic row.
SOURCE_MARK = "synthetic"

_OLD_STYLE = {"òa": "oà", "óa": "oá", "ỏa": "oả", "õa": "oã", "ọa": "oạ", "ùy": "uỳ", "úy": "uý", "ủy": "uỷ",
              "ũy": "uỹ", "ụy": "uỵ"}


def old_style_tones(text: str) -> str:
    """Old-style tone placement, as many keyboards type it: 'Hòa' -> 'Hoà', 'Thủy' -> 'Thuỷ'."""
    for new, old in _OLD_STYLE.items():
        text = text.replace(new, old)
    return text


RATER_TEXT = {"self": ["Tự đánh giá", "tự đánh giá", "self", "Tự chấm"],
              "council": ["Hội đồng", "Hội đồng thẩm định", "council", "Thẩm định"]}
RATING_TEXT = {"red": ["Đỏ", "đỏ", "red", "R", "Đ"], "yellow": ["Vàng", "vàng", "yellow", "Y", "V"],
               "green": ["Xanh", "xanh", "green", "G", "X"],
               "not_assessed": ["Không đánh giá", "không đánh giá", "grey", "KĐG"]}
CITIES = ("Hà Nội", "Hải Phòng", "Huế", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ")
LEVEL_SHORT = {"thành phố": "TP.", "thị xã": "TX.", "thị trấn": "TT.", "đặc khu": "ĐK.", "quận": "Q.", "huyện": "H.",
               "phường": "P.", "xã": "X."}


def _split_level(name: str) -> tuple[str, str]:
    for word in LEVEL_SHORT:
        if name.startswith(word + " "):
            return word, name[len(word) + 1:]
    return "", name


class _Messer:
    """Renders clean rows as staff would type them, and plants the recorded errors.

    Unit and province spellings are drawn among those the units table resolves to the right body;
    with no units table, only spellings equal to the name after NFC and trimming.
    """

    def __init__(self, rng: np.random.Generator, units: pd.DataFrame, with_units_table: bool):
        self.rng = rng
        self.matcher = UnitMatcher(units.assign(aliases="")) if with_units_table else None
        self._index = {key: k for k, key in enumerate(zip(units["province"], units["unit"], units["code"]))}
        self._variants: dict[tuple, list[str]] = {}

    def pick(self, options: list[str]) -> str:
        return options[int(self.rng.integers(len(options)))]

    def picks(self, options: list[list[str]]) -> list[str]:
        """One spelling from each row's list of options."""
        draws = self.rng.random(len(options))
        return [o[int(u * len(o))] for o, u in zip(options, draws)]

    def province(self, name: str) -> list[str]:
        """The spellings of a province that resolve to it."""
        key = ("province", name)
        if key not in self._variants:
            bare = [name, unicodedata.normalize("NFD", name)]
            if self.matcher is None:
                self._variants[key] = bare
            else:
                prefix, wide = ("TP.", "Thành phố") if name in CITIES else ("Tỉnh", "Tỉnh")
                candidates = bare + [f"{prefix} {name}", f"{wide} {name}", strip_diacritics(name)]
                self._variants[key] = [c for c in candidates if self._province_ok(c, name)]
        return self._variants[key]

    def _province_ok(self, candidate: str, name: str) -> bool:
        try:
            return self.matcher.province(candidate) == name
        except Rejected:
            return False

    def unit_name(self, province: str, name: str, code: str, by_code: bool) -> list[str]:
        """The spellings of a body's name that resolve to it (with its code when the sheet has codes)."""
        key = (province, name, code)
        if key not in self._variants:
            if self.matcher is None:
                self._variants[key] = [name, unicodedata.normalize("NFD", name), f"  {name} "]
            else:
                level, bare = _split_level(name)
                candidates = [name, f"UBND {name}", strip_diacritics(bare), f"  {name.upper()} ",
                              unicodedata.normalize("NFD", name)]
                if level:
                    candidates += [f"{LEVEL_SHORT[level]} {bare}", f"{level.capitalize()} {old_style_tones(bare)}"]
                index = self._index[key]
                safe = []
                for candidate in candidates:
                    try:
                        if self.matcher.unit(province, candidate, code if by_code else "") == index:
                            safe.append(candidate)
                    except Rejected:
                        pass
                if not safe:
                    raise ValueError(f"{province}: no spelling of {name!r} identifies it; add codes (code_column)")
                self._variants[key] = safe
        return self._variants[key]

    def scores(self, values: np.ndarray) -> list[object]:
        """Points as typed: mostly numbers, some text with a decimal comma or stray spaces."""
        rolls = self.rng.random(len(values))
        out = []
        for value, roll in zip(values.tolist(), rolls.tolist()):
            if value != value:
                out.append("")
            elif roll < 0.15 and not float(value).is_integer():
                out.append(number_text(value).replace(".", ","))  # decimal comma typed as text
            elif roll < 0.20:
                out.append(f" {number_text(value)} ")
            else:
                out.append(float(value))
        return out


def _render_assessments(rows: pd.DataFrame, messer: _Messer, by_code: bool) -> list[dict]:
    """Each clean row -> cells as typed; ``truth`` is the row's position in ``rows``."""
    n = len(rows)
    province = rows["province"].tolist()
    unit, code = rows["unit"].tolist(), rows["code"].tolist()
    rating_key = np.where(rows["not_assessed"].to_numpy(bool), "not_assessed", rows["rating"].fillna("").astype(str))
    cells = {
        "province": messer.picks([messer.province(p) for p in province]),
        "unit": messer.picks([messer.unit_name(p, u, c, by_code) for p, u, c in zip(province, unit, code)]),
        "code": code,
        "year": [int(y) if keep else str(y) for y, keep in zip(rows["year"].tolist(), messer.rng.random(n) < 0.9)],
        "round": rows["round"].astype(int).tolist(),
        "rater": messer.picks([RATER_TEXT[r] for r in rows["rater"].tolist()]),
        "rater_id": rows["rater_id"].tolist(),
        "indicator": rows["indicator"].tolist(),
        "score": messer.scores(rows["score"].to_numpy(float)),
        "rating": [choice if key else "" for key, choice in
                   zip(rating_key, messer.picks([RATING_TEXT.get(k, [""]) for k in rating_key]))],
    }
    keys = list(cells)
    return [{"cells": {**dict(zip(keys, values)), "source": SOURCE_MARK}, "truth": k, "planted": None}
            for k, values in enumerate(zip(*cells.values()))]
