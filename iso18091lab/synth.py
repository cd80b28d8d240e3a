"""Synthetic pilot data: a documented generative model, written as messy raw files.

Everything this module writes is **synthetic** and says so: file names start with
``SYNTHETIC_``, every sheet has a "DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA" title, every row has a
``source`` cell reading ``synthetic``, and the truth and planted parameters go to
``<out>/_synthetic/`` (which ingest skips, as it skips every name starting with ``_``).

Generative model (0-100 scale; see :class:`SynthParams` for the planted values)::

    T[b,i,t] = mu + level[b] + theta[b] + gamma[b,pillar(i)] + beta[i] + trend * (t - t0[prov])
               + shock[prov,t] + effect[pillar(i)] * post[b,t] + e[b,i,t],   e ~ N(0, sigma_i^2)
    council  = T + N(0, council_noise_sd^2)
    self     = T + self_inflation + N(0, self_noise_sd^2)
    member k = T + bias[k] + N(0, member_noise_sd^2)

``post[b,t] = 1`` for pilot bodies in years after ``pilot_start`` (the pilot's baseline year).
Scores become points (0-10 in steps of 0.5); bodies that report traffic lights get the light
of their points under the default cut-offs. Indicator reliability (share of between-body
variance that is signal) is planted per indicator through ``sigma_i`` and written to the
manifest. Outcomes per body and year follow the same body quality with their own planted
pilot effects.
"""
from __future__ import annotations

import csv
import json
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from .catalog import load_catalog
from .clean import Rejected, UnitMatcher
from .config import DEFAULT_SCALE, Scale
from .text import strip_diacritics

BANNER = "DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA — không phải số liệu thật, chỉ dùng để thử nghiệm"
SOURCE_MARK = "synthetic"

# (province, unit, code, level, group, pilot_start)
HAI_PHONG = [
    ("quận Hải An", "306", "quận", "pilot"), ("phường Đằng Lâm", "11407", "phường", "pilot"),
    ("quận Ngô Quyền", "304", "quận", "pilot"), ("phường Cầu Tre", "11350", "phường", "pilot"),
    ("quận Hồng Bàng", "303", "quận", "pilot"), ("phường Hoàng Văn Thụ", "11311", "phường", "pilot"),
    ("huyện Thủy Nguyên", "311", "huyện", "pilot"), ("xã Thủy Sơn", "11605", "xã", "pilot"),
    ("huyện Tiên Lãng", "315", "huyện", "pilot"), ("xã Tự Cường", "12055", "xã", "pilot"),
    ("huyện Kiến Thụy", "314", "huyện", "pilot"), ("xã Du Lễ", "11944", "xã", "pilot"),
    ("quận Lê Chân", "305", "quận", "comparison"), ("quận Kiến An", "307", "quận", "comparison"),
    ("quận Dương Kinh", "309", "quận", "comparison"), ("huyện An Lão", "313", "huyện", "comparison"),
    ("huyện Vĩnh Bảo", "316", "huyện", "comparison"), ("huyện An Dương", "312", "huyện", "comparison"),
    ("phường Lạch Tray", "11365", "phường", "comparison"), ("phường Trại Chuối", "11314", "phường", "comparison"),
    ("phường Đông Hải 1", "11413", "phường", "comparison"), ("xã An Hòa", "12178", "xã", "comparison"),
    ("xã Đại Thắng", "12073", "xã", "comparison"), ("xã Ngũ Phúc", "11953", "xã", "comparison"),
]
QUANG_NINH = [
    ("thành phố Hạ Long", "193", "thành phố", "pilot"), ("thành phố Cẩm Phả", "195", "thành phố", "pilot"),
    ("thành phố Uông Bí", "196", "thành phố", "pilot"), ("thị xã Quảng Yên", "206", "thị xã", "pilot"),
    ("huyện Vân Đồn", "203", "huyện", "pilot"), ("huyện Tiên Yên", "199", "huyện", "pilot"),
    ("huyện Đầm Hà", "200", "huyện", "pilot"), ("huyện Bình Liêu", "198", "huyện", "pilot"),
    ("phường Hồng Gai", "06658", "phường", "pilot"), ("phường Bãi Cháy", "06661", "phường", "pilot"),
    ("phường Cẩm Trung", "06796", "phường", "pilot"), ("phường Quang Trung", "06838", "phường", "pilot"),
    ("phường Yên Giang", "07099", "phường", "pilot"), ("xã Hạ Long", "07198", "xã", "pilot"),
    ("thị trấn Tiên Yên", "06985", "thị trấn", "pilot"), ("xã Quảng Lâm", "07030", "xã", "pilot"),
    ("thành phố Móng Cái", "194", "thành phố", "comparison"), ("thị xã Đông Triều", "205", "thị xã", "comparison"),
    ("huyện Hải Hà", "201", "huyện", "comparison"), ("huyện Ba Chẽ", "202", "huyện", "comparison"),
    ("huyện Cô Tô", "207", "huyện", "comparison"), ("phường Hà Tu", "06670", "phường", "comparison"),
    ("phường Cao Xanh", "06676", "phường", "comparison"), ("phường Cẩm Phú", "06802", "phường", "comparison"),
    ("phường Thanh Sơn", "06841", "phường", "comparison"), ("phường Ka Long", "06724", "phường", "comparison"),
    ("phường Mạo Khê", "07102", "phường", "comparison"), ("xã Đông Xá", "07195", "xã", "comparison"),
    ("thị trấn Quảng Hà", "07042", "thị trấn", "comparison"), ("thị trấn Ba Chẽ", "07090", "thị trấn", "comparison"),
    ("xã Đồng Tiến", "07192", "xã", "comparison"), ("xã Quảng Long", "07036", "xã", "comparison"),
]


@dataclass
class ProvinceDesign:
    """One province of the synthetic design."""

    name: str
    bodies: list
    years: tuple[int, ...]
    pilot_start: int
    file_style: str  # "xlsx_vi", "csv_plain", "xlsx_en"
    light_levels: tuple[str, ...] = ()  # levels that report traffic lights instead of points
    member_bodies: int = 4  # bodies whose individual council members' scores are written


def default_design() -> list[ProvinceDesign]:
    """Hải Phòng 2022-2024 (12 named pilot bodies) and Quảng Ninh 2024-2025 (16 pilot bodies)."""
    return [
        ProvinceDesign("Hải Phòng", HAI_PHONG, (2022, 2023, 2024), 2022, "xlsx_vi"),
        ProvinceDesign("Quảng Ninh", QUANG_NINH, (2024, 2025), 2024, "csv_plain",
                       light_levels=("xã", "thị trấn")),
    ]


@dataclass
class SynthParams:
    """Planted parameters of the generative model (0-100 scale unless said otherwise)."""

    seed: int = 2024
    mu: float = 55.0
    commune_offset: float = -5.0
    body_sd: float = 9.0
    pillar_body_sd: float = 4.0
    indicator_sd: float = 6.0
    trend_per_year: float = 1.5
    province_year_shock_sd: float = 3.0
    pilot_effect: dict = field(default_factory=lambda: {1: 8.0, 2: 4.0, 3: 5.0, 4: 3.0})
    self_inflation: float = 6.0
    self_noise_sd: float = 6.0
    council_noise_sd: float = 3.0
    member_noise_sd: float = 6.0
    member_bias_sd: float = 3.0
    members_per_council: int = 4
    residual_sd_reliable: float = 6.0
    residual_sd_unreliable: float = 20.0
    unreliable_indicators: tuple[str, ...] = ("1.9", "2.7", "3.2", "4.7")
    dropped_indicators_max: int = 3
    not_assessed_rate: float = 0.01
    outcome_effects: dict = field(default_factory=lambda: {
        "satisfaction_pct": 3.0, "on_time_pct": 2.0, "online_applications_pct": 5.0})
    plant_errors: bool = True


# --------------------------------------------------------------------------- the model

def simulate(params: SynthParams | None = None, design: list[ProvinceDesign] | None = None,
             catalog: pd.DataFrame | None = None, scale: Scale = DEFAULT_SCALE) -> dict:
    """Draw units, assessments (self, council, council members) and outcomes from the model.

    Returns clean tables (``units``, ``assessments``, ``outcomes``) and the planted values
    (``truth``): what ingest should recover from the raw files before any mess is added.
    """
    params = params or SynthParams()
    design = design or default_design()
    catalog = catalog if catalog is not None else load_catalog()
    rng = np.random.default_rng(params.seed)
    indicators = catalog["indicator"].tolist()
    pillar_of = dict(zip(catalog["indicator"], catalog["pillar"]))
    max_of = dict(zip(catalog["indicator"], catalog["max_score"]))
    beta = dict(zip(indicators, rng.normal(0, params.indicator_sd, len(indicators))))
    sigma = {i: params.residual_sd_unreliable if i in params.unreliable_indicators else params.residual_sd_reliable
             for i in indicators}
    signal_var = params.body_sd ** 2 + params.pillar_body_sd ** 2
    reliability = {i: signal_var / (signal_var + sigma[i] ** 2) for i in indicators}

    units, assessments, outcomes, shocks, member_biases = [], [], [], {}, {}
    for prov in design:
        for year in prov.years:
            shocks[(prov.name, year)] = rng.normal(0, params.province_year_shock_sd)
        member_targets = set()
        for group in ("pilot", "comparison"):
            names = [b[0] for b in prov.bodies if b[3] == group]
            member_targets |= set(rng.choice(names, size=min(prov.member_bodies // 2, len(names)), replace=False))
        for name, code, level, group in prov.bodies:
            pilot_start = prov.pilot_start if group == "pilot" else None
            units.append({"province": prov.name, "unit": name, "code": code, "level": level, "group": group,
                          "pilot_start": pilot_start})
            theta = rng.normal(0, params.body_sd)
            gamma = {p: rng.normal(0, params.pillar_body_sd) for p in set(pillar_of.values())}
            offset = params.commune_offset if level in ("phường", "xã", "thị trấn") else 0.0
            n_drop = rng.integers(0, params.dropped_indicators_max + 1)
            used = [i for i in indicators if i not in set(rng.choice(indicators, size=n_drop, replace=False))]
            lights = level in prov.light_levels
            members = [f"TV{k + 1:02d}" for k in range(params.members_per_council)] if name in member_targets else []
            for m in members:
                member_biases.setdefault((prov.name, m), rng.normal(0, params.member_bias_sd))
            for year in prov.years:
                post = group == "pilot" and year > prov.pilot_start
                base = (params.mu + offset + theta + params.trend_per_year * (year - prov.years[0])
                        + shocks[(prov.name, year)])
                for ind in used:
                    p = pillar_of[ind]
                    true = base + gamma[p] + beta[ind] + (params.pilot_effect.get(p, 0.0) if post else 0.0) \
                        + rng.normal(0, sigma[ind])
                    draws = [("self", "", true + params.self_inflation + rng.normal(0, params.self_noise_sd)),
                             ("council", "", true + rng.normal(0, params.council_noise_sd))]
                    if year == prov.years[1 if len(prov.years) > 1 else 0]:
                        draws += [("council", m, true + member_biases[(prov.name, m)]
                                   + rng.normal(0, params.member_noise_sd)) for m in members]
                    for rater, rater_id, value in draws:
                        points = float(np.clip(np.round(value / 100 * max_of[ind] * 2) / 2, 0, max_of[ind]))
                        row = {"province": prov.name, "unit": name, "year": year, "round": 1, "rater": rater,
                               "rater_id": rater_id, "indicator": ind, "score": points, "rating": None,
                               "not_assessed": False, "true_score_100": true}
                        if rng.random() < params.not_assessed_rate:
                            row.update(score=np.nan, not_assessed=True)
                        elif lights:
                            row.update(rating=scale.rating_of(100 * points / max_of[ind]), score=np.nan)
                        assessments.append(row)
                for measure, effect in params.outcome_effects.items():
                    level_value = {"satisfaction_pct": 80, "on_time_pct": 88, "online_applications_pct": 35}[measure]
                    value = (level_value + 0.3 * theta + (effect if post else 0.0)
                             + (6.0 if measure == "online_applications_pct" else 0.5) * (year - prov.years[0])
                             + rng.normal(0, 2.0))
                    outcomes.append({"province": prov.name, "unit": name, "year": year, "measure": measure,
                                     "value": round(float(np.clip(value, 0, 100)), 1)})
    truth = {
        "params": json.loads(json.dumps(asdict(params))),  # as the manifest file will hold them
        "indicator_reliability": {i: round(r, 4) for i, r in reliability.items()},
        "indicator_residual_sd": sigma,
        "province_year_shocks": [{"province": p, "year": y, "shock": round(float(s), 4)} for (p, y), s in shocks.items()],
        "council_member_bias": [{"province": p, "rater_id": m, "bias": round(float(b), 4)}
                                for (p, m), b in member_biases.items()],
        "design": [{"province": d.name, "years": list(d.years), "pilot_start": d.pilot_start,
                    "n_pilot": sum(b[3] == "pilot" for b in d.bodies),
                    "n_comparison": sum(b[3] == "comparison" for b in d.bodies)} for d in design],
    }
    return {"units": pd.DataFrame(units), "assessments": pd.DataFrame(assessments),
            "outcomes": pd.DataFrame(outcomes), "truth": truth}


# --------------------------------------------------------------------------- the mess

HEADERS = {
    "xlsx_vi": {"province": "Tỉnh/Thành phố", "unit": "Đơn vị", "year": "Năm", "round": "Đợt",
                "rater": "Loại đánh giá", "rater_id": "Mã người chấm", "indicator": "Chỉ số", "score": "Điểm",
                "rating": "Mức", "source": "Nguồn dữ liệu"},
    "csv_plain": {"province": "TINH", "unit": "don vi", "year": "nam", "round": "dot", "rater": "nguoi danh gia",
                  "rater_id": "ma nguoi cham", "indicator": "chi so", "score": "diem", "rating": "muc",
                  "source": "nguon"},
    "xlsx_en": {"province": "Province", "unit": "Unit", "year": "Year", "round": "Round", "rater": "Rater",
                "rater_id": "Rater ID", "indicator": "Indicator", "score": "Score", "rating": "Rating",
                "source": "Source"},
    "units_vi": {"province": "Tỉnh/Thành phố", "unit": "Tên đơn vị", "code": "Mã ĐVHC", "level": "Cấp",
                 "group": "Nhóm", "pilot_start": "Năm bắt đầu thí điểm", "source": "Nguồn dữ liệu"},
    "outcomes_en": {"province": "province", "unit": "unit", "year": "year", "measure": "measure",
                    "value": "value", "source": "source"},
}
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
PROVINCE_TEXT = {"Hải Phòng": ["Hải Phòng", "TP. Hải Phòng", "Thành phố Hải Phòng", "Hai Phong"],
                 "Quảng Ninh": ["Quảng Ninh", "Tỉnh Quảng Ninh", "Quang Ninh"]}

#: Errors planted on purpose: rule -> how the cell is spoiled.
PLANTED_RULES = ("score_out_of_range", "unknown_indicator", "unknown_unit", "bad_rater", "bad_score",
                 "conflicting_duplicate")


class _Messer:
    """Renders clean rows as staff would type them, and plants the recorded errors."""

    def __init__(self, rng: np.random.Generator, matcher: UnitMatcher):
        self.rng, self.matcher = rng, matcher
        self._variants: dict[tuple[str, str], list[str]] = {}

    def pick(self, options: list[str]) -> str:
        return options[int(self.rng.integers(len(options)))]

    def unit_name(self, province: str, name: str) -> str:
        key = (province, name)
        if key not in self._variants:
            level, _, bare = name.partition(" ") if not name.startswith(("thành phố", "thị xã", "thị trấn")) \
                else (" ".join(name.split()[:2]), " ", " ".join(name.split()[2:]))
            short = {"quận": "Q.", "huyện": "H.", "phường": "P.", "xã": "X.", "thành phố": "TP.", "thị xã": "TX.",
                     "thị trấn": "TT."}[level]
            candidates = [name, f"UBND {name}", f"{short} {bare}", strip_diacritics(bare), f"  {name.upper()} ",
                          unicodedata.normalize("NFD", name), f"{level.capitalize()} {old_style_tones(bare)}"]
            index = self.matcher.units.index[self.matcher.units["unit"] == name][0]
            safe = []
            for candidate in candidates:
                try:
                    if self.matcher.unit(province, candidate) == index:
                        safe.append(candidate)
                except Rejected:
                    pass
            self._variants[key] = safe
        return self.pick(self._variants[key])

    def score(self, value: float) -> object:
        if value != value:
            return ""
        roll = self.rng.random()
        if roll < 0.15 and not float(value).is_integer():
            return f"{value:g}".replace(".", ",")  # decimal comma typed as text
        if roll < 0.20:
            return f" {value:g} "
        return float(value)


def _render_assessments(rows: pd.DataFrame, style: str, messer: _Messer) -> list[dict]:
    """Each clean row -> cells as typed; also returns the truth for each rendered row."""
    rendered = []
    for row in rows.itertuples(index=False):
        rating_key = "not_assessed" if row.not_assessed else (row.rating if isinstance(row.rating, str) else None)
        cells = {
            "province": messer.pick(PROVINCE_TEXT.get(row.province, [row.province])),
            "unit": messer.unit_name(row.province, row.unit),
            "year": int(row.year) if messer.rng.random() < 0.9 else str(row.year),
            "round": int(row.round),
            "rater": messer.pick(RATER_TEXT[row.rater]),
            "rater_id": row.rater_id,
            "indicator": row.indicator,
            "score": messer.score(row.score),
            "rating": messer.pick(RATING_TEXT[rating_key]) if rating_key else "",
            "source": SOURCE_MARK,
        }
        rendered.append({"cells": cells, "truth": row._asdict(), "planted": None})
    return rendered


def _plant_errors(rendered: list[dict], rng: np.random.Generator) -> list[dict]:
    """Spoil a few rows on purpose, one per rule, and add duplicate rows; returns the new list."""
    out = list(rendered)
    chosen = rng.choice(len(out), size=len(PLANTED_RULES), replace=False)
    for rule, index in zip(PLANTED_RULES, chosen):
        item = out[index]
        cells = item["cells"]
        if rule == "score_out_of_range":
            cells["score"], cells["rating"] = 12.5, ""
        elif rule == "unknown_indicator":
            cells["indicator"] = "5.1"
        elif rule == "unknown_unit":
            cells["unit"] = "UBND phường Không Có Thật"
        elif rule == "bad_rater":
            cells["rater"] = "khách mời"
        elif rule == "bad_score":
            cells["score"], cells["rating"] = "tám", ""
        elif rule == "conflicting_duplicate":
            twin = {"cells": dict(cells), "truth": item["truth"], "planted": rule}
            twin["cells"]["score"], twin["cells"]["rating"] = _other_value(item["truth"])
            out.insert(int(index) + 1 + int(rng.integers(0, 20)), twin)
        item["planted"] = rule
    for index in rng.choice(len(out), size=3, replace=False):  # exact duplicates: kept once, counted
        if out[index]["planted"] is None:
            out.insert(int(index) + 1, {"cells": dict(out[index]["cells"]), "truth": out[index]["truth"],
                                        "planted": "exact_duplicate"})
    return out


def _other_value(truth: dict) -> tuple[object, str]:
    if truth["score"] == truth["score"]:
        return (truth["score"] + 1.0 if truth["score"] <= 8 else truth["score"] - 1.0), ""
    return "", {"red": "Xanh", "yellow": "Đỏ", "green": "Vàng"}.get(truth["rating"], "Xanh")


def _layout(rendered: list[dict], data_start: int, rng: np.random.Generator, empty_rate: float = 0.004) -> list:
    """Assign spreadsheet row numbers, leaving a few empty rows between data rows."""
    rows, number = [], data_start
    for item in rendered:
        if rng.random() < empty_rate:
            rows.append(None)
            number += 1
        item["row"] = number
        rows.append(item)
        number += 1
    return rows


def _write_xlsx(path: Path, sheets: list[tuple[str, list[str], list, str]], notes: list[str] | None = None) -> None:
    """sheets: (sheet name, column keys, laid-out rows, header style)."""
    book = xlsxwriter.Workbook(str(path))
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    banner = book.add_format({"bold": True, "font_color": "#9C0006", "bg_color": "#FFC7CE"})
    text = book.add_format({"num_format": "@"})
    if notes:
        sheet = book.add_worksheet("Ghi chú")
        for r, line in enumerate([BANNER, *notes]):
            sheet.write_string(r, 0, line, banner if r == 0 else None)
    for name, columns, laid_out, style in sheets:
        sheet = book.add_worksheet(name)
        sheet.merge_range(0, 0, 0, len(columns) - 1, BANNER, banner)
        for c, key in enumerate(columns):
            sheet.write_string(2, c, HEADERS[style][key] if key in HEADERS[style] else key, bold)
            sheet.set_column(c, c, 16, text if key in ("indicator", "rater_id", "code") else None)
        for item in laid_out:
            if item is None:
                continue
            for c, key in enumerate(columns):
                value = item["cells"].get(key, "")
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    sheet.write_number(item["row"] - 1, c, value)
                elif value != "":
                    sheet.write_string(item["row"] - 1, c, str(value))
    book.close()


def _write_csv(path: Path, columns: list[str], laid_out: list, style: str, delimiter: str = ";") -> None:
    """CSV as a Vietnamese-locale Excel exports it: UTF-8 with BOM, ';', decimal commas."""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow([BANNER])
        writer.writerow([HEADERS[style].get(k, k) for k in columns])
        for item in laid_out:
            if item is None:
                writer.writerow([])
                continue
            writer.writerow([_csv_cell(item["cells"].get(k, "")) for k in columns])


def _csv_cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


ASSESSMENT_KEYS = ["province", "unit", "year", "round", "rater", "rater_id", "indicator", "score", "rating", "source"]


def write_synthetic(out_dir: str | Path, seed: int = 2024, params: SynthParams | None = None,
                    design: list[ProvinceDesign] | None = None) -> dict:
    """Simulate and write raw files under ``out_dir``; returns the manifest (also written)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    params = params or SynthParams(seed=seed)
    design = design or default_design()
    sim = simulate(params, design)
    rng = np.random.default_rng(params.seed + 1)
    units = sim["units"]
    matcher = UnitMatcher(units.assign(aliases=""))
    messer = _Messer(rng, matcher)
    written, truth_rows = [], []

    def record(file: str, sheet: str, laid_out: list) -> None:
        for item in laid_out:
            if item is not None:
                truth_rows.append({"file": file, "sheet": sheet, "row": item["row"], "planted": item["planted"] or "",
                                   **{k: v for k, v in item["truth"].items()}})

    # units: one workbook, Vietnamese headers, codes as text, an instructions sheet
    unit_rows = [{"cells": {"province": u.province, "unit": u.unit, "code": u.code, "level": u.level,
                            "group": {"pilot": "Thí điểm", "comparison": "Đối chứng"}[u.group],
                            "pilot_start": "" if u.pilot_start != u.pilot_start or u.pilot_start is None
                            else int(u.pilot_start), "source": SOURCE_MARK}, "truth": {}, "planted": None}
                 for u in units.itertuples()]
    laid = _layout(unit_rows, 4, rng, empty_rate=0)
    _write_xlsx(out / "SYNTHETIC_don_vi_units.xlsx", [("Đơn vị", list(HEADERS["units_vi"]), laid, "units_vi")],
                notes=["Danh sách đơn vị thí điểm và đối chứng (mô phỏng).",
                       "Mã ĐVHC của cấp xã là mã giả định, không phải mã chính thức."])
    written.append("SYNTHETIC_don_vi_units.xlsx")

    assessments = sim["assessments"]
    for prov in design:
        slug = strip_diacritics(prov.name).lower().replace(" ", "-")
        rows = assessments[assessments["province"] == prov.name]
        for year in prov.years:
            block = rows[rows["year"] == year]
            members = block[block["rater_id"] != ""]
            main = block[block["rater_id"] == ""]
            if prov.file_style == "xlsx_vi":
                name = f"SYNTHETIC_{slug}_{year}.xlsx"
                sheets = []
                for sheet_name, part in (("Tự đánh giá", main[main["rater"] == "self"]),
                                         ("Hội đồng", main[main["rater"] == "council"]),
                                         ("Thành viên HĐ", members)):
                    if part.empty:
                        continue
                    rendered = _render_assessments(part, prov.file_style, messer)
                    if params.plant_errors and sheet_name == "Hội đồng" and year == prov.years[0]:
                        rendered = _plant_errors(rendered, rng)
                    laid = _layout(rendered, 4, rng)
                    sheets.append((sheet_name, ASSESSMENT_KEYS, laid, prov.file_style))
                    record(name, sheet_name, laid)
                _write_xlsx(out / name, sheets, notes=[f"Kết quả chấm điểm {prov.name} năm {year} (mô phỏng)."])
            else:
                name = f"SYNTHETIC_{slug}_{year}.csv"
                rendered = _render_assessments(block, prov.file_style, messer)
                if params.plant_errors and year == prov.years[0]:
                    rendered = _plant_errors(rendered, rng)
                laid = _layout(rendered, 3, rng)
                _write_csv(out / name, ASSESSMENT_KEYS, laid, prov.file_style)
                record(name, "", laid)
            written.append(name)

    outcome_rows = [{"cells": {**o._asdict(), "source": SOURCE_MARK}, "truth": o._asdict(), "planted": None}
                    for o in sim["outcomes"].itertuples(index=False)]
    laid = _layout(outcome_rows, 3, rng, empty_rate=0)
    _write_csv(out / "SYNTHETIC_outcomes.csv", list(HEADERS["outcomes_en"]), laid, "outcomes_en", delimiter=",")
    written.append("SYNTHETIC_outcomes.csv")

    meta = out / "_synthetic"
    meta.mkdir(exist_ok=True)
    truth = pd.DataFrame(truth_rows)
    truth.to_csv(meta / "truth_assessments.csv.gz", index=False)
    units.to_csv(meta / "truth_units.csv", index=False)
    sim["outcomes"].to_csv(meta / "truth_outcomes.csv", index=False)
    manifest = {
        "synthetic": True,
        "banner": BANNER,
        "generator": "iso18091lab.synth",
        "seed": params.seed,
        "files": written,
        **sim["truth"],
        "planted_errors": truth.loc[truth["planted"] != "", ["file", "sheet", "row", "planted"]]
        .to_dict(orient="records"),
        "counts": {"units": len(units), "assessment_rows_written": len(truth),
                   "outcome_rows_written": len(sim["outcomes"])},
    }
    (meta / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest
