"""Named synthetic designs: the bundled sample and small scenarios that each exercise one situation.

``design_by_name(name)`` returns a fresh :class:`~iso18091lab.synthetic.design.Design`; ``DESIGNS`` maps every
name to its factory. Small designs have 8-16 bodies per province and 2-3 waves, so a test can run
the notebooks on each in seconds; the designs in ``SMALLEST`` go below that (one body, 3 + 3 bodies, one pilot
per start cohort, one indicator, no red light in the latest wave). ``national(...)`` takes its sizes as
parameters.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from iso18091lab.catalog import load_catalog
from iso18091lab.synthetic import reform
from iso18091lab.synthetic.design import Body, Design, ProvinceDesign, SynthParams
from iso18091lab.normalize import fold

#: Provinces since the 2025 reform (Resolution 202/2025/QH15): 11 unchanged, then 23 merged.
PROVINCES_2025 = (
    "Hà Nội", "Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa", "Nghệ An", "Hà Tĩnh",
    "Cao Bằng", "Tuyên Quang", "Lào Cai", "Thái Nguyên", "Phú Thọ", "Bắc Ninh", "Hưng Yên", "Hải Phòng",
    "Ninh Bình", "Quảng Trị", "Đà Nẵng", "Quảng Ngãi", "Gia Lai", "Khánh Hòa", "Lâm Đồng", "Đắk Lắk",
    "Hồ Chí Minh", "Đồng Nai", "Tây Ninh", "Cần Thơ", "Vĩnh Long", "Đồng Tháp", "Cà Mau", "An Giang",
)
_SYLLABLES = ("An", "Bình", "Tân", "Phú", "Hòa", "Thạnh", "Long", "Hưng", "Phước", "Thịnh", "Đông", "Tây", "Nam",
              "Bắc", "Hải", "Sơn", "Thủy", "Minh", "Quang", "Thành", "Lộc", "Xuân", "Trung", "Hiệp", "Mỹ", "Vĩnh",
              "Đức", "Kim", "Lạc", "Nghĩa")

# (unit, code, level, group): Plan 61 pilot bodies and comparison bodies (ISO 9001 only)
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

# A spread of levels from each province's list (indices into its pilot and comparison bodies).
_HP_PILOT, _HP_COMPARISON = (0, 1, 6, 7, 2, 9), (0, 3, 6, 9, 1, 10)
_QN_PILOT, _QN_COMPARISON = (0, 4, 8, 13, 14, 9), (0, 2, 5, 11, 12, 6)


def _bodies(source: list, pilot_idx: tuple, comparison_idx: tuple, n: int) -> list[Body]:
    pilots = [b for b in source if b[3] == "pilot"]
    others = [b for b in source if b[3] == "comparison"]
    return [Body(*pilots[i]) for i in pilot_idx[:n]] + [Body(*others[i]) for i in comparison_idx[:n]]


def _hp(n: int = 4, waves=(2022, 2023), start: int | None = 2023, **kw) -> ProvinceDesign:
    """Hải Phòng with n pilot + n comparison bodies (quận, phường, huyện, xã)."""
    kw.setdefault("member_bodies", 2)
    return ProvinceDesign("Hải Phòng", _bodies(HAI_PHONG, _HP_PILOT, _HP_COMPARISON, n), waves, start, "xlsx_vi", **kw)


def _qn(n: int = 4, waves=(2024, 2025), start: int | None = 2025, **kw) -> ProvinceDesign:
    """Quảng Ninh with n pilot + n comparison bodies; communes and townships report traffic lights."""
    kw.setdefault("member_bodies", 2)
    kw.setdefault("light_levels", ("xã", "thị trấn"))
    return ProvinceDesign("Quảng Ninh", _bodies(QUANG_NINH, _QN_PILOT, _QN_COMPARISON, n), waves, start,
                          "csv_plain", **kw)


def _small(name: str, description: str, hp: dict | None = None, qn: dict | None = None, **design) -> Design:
    return Design(name, [_hp(**(hp or {})), _qn(**(qn or {}))], description=description, **design)


# --------------------------------------------------------------------------- the designs

def sample() -> Design:
    """The bundled sample: Hải Phòng 2022-2024 (Plan 61's 12 pilot + 12 comparison bodies, first wave
    under the pilot 2023) and Quảng Ninh (2024/1, 2024/2, 2025/1; 16 + 16; pilot from 2024 round 2)."""
    return Design("sample", [
        ProvinceDesign("Hải Phòng", HAI_PHONG, (2022, 2023, 2024), 2023, "xlsx_vi"),
        ProvinceDesign("Quảng Ninh", QUANG_NINH, ((2024, 1), (2024, 2), (2025, 1)), 2024, "csv_plain",
                       light_levels=("xã", "thị trấn"), pilot_start_round=2),
    ], description=sample.__doc__.split("\n\n")[0])


def one_year() -> Design:
    """One wave per province, pilot bodies already under the pilot (no baseline, no change)."""
    return _small("one_year", one_year.__doc__, hp={"waves": (2024,), "start": 2024},
                  qn={"waves": (2025,), "start": 2025})


def no_comparison() -> Design:
    """Pilot bodies only (no comparison group)."""
    hp = ProvinceDesign("Hải Phòng", [Body(*b) for b in HAI_PHONG[:8]], (2022, 2023, 2024), 2023, "xlsx_vi",
                        member_bodies=2)
    qn = ProvinceDesign("Quảng Ninh", [Body(*b) for b in QUANG_NINH[:8]], (2024, 2025), 2025, "csv_plain",
                        member_bodies=2)
    return Design("no_comparison", [hp, qn], description=no_comparison.__doc__)


def no_pilot() -> Design:
    """Comparison bodies only (no pilot: no treated body-wave, the ATT is undefined)."""
    hp = ProvinceDesign("Hải Phòng", [Body(*b) for b in HAI_PHONG[12:20]], (2022, 2023), None, "xlsx_vi",
                        member_bodies=2)
    qn = ProvinceDesign("Quảng Ninh", [Body(*b) for b in QUANG_NINH[16:24]], (2024, 2025), None, "csv_plain",
                        member_bodies=2)
    return Design("no_pilot", [hp, qn], description=no_pilot.__doc__)


def no_members() -> Design:
    """No council members' own scores anywhere."""
    return _small("no_members", no_members.__doc__, members=False)


def no_self() -> Design:
    """Council scores only (no self-assessment rows)."""
    return _small("no_self", no_self.__doc__, self_scores=False)


def no_units() -> Design:
    """No units table at all: bodies known only from the score sheets (names and codes as written)."""
    return _small("no_units", no_units.__doc__, hp={"code_column": True}, qn={"code_column": True},
                  units_table="none")


def units_without_group() -> Design:
    """A units table without the group column (pilot start columns still there)."""
    return _small("units_without_group", units_without_group.__doc__, units_table="no_group")


def blank_levels() -> Design:
    """Every other body has a blank level in the units table."""
    design = _small("blank_levels", blank_levels.__doc__)
    for province in design.provinces:
        province.bodies = [replace(b, level="") if k % 2 else b for k, b in enumerate(province.bodies)]
    return design


def lights_only() -> Design:
    """Every body reports traffic lights (no points)."""
    return _small("lights_only", lights_only.__doc__, hp={"score_format": "lights"}, qn={"score_format": "lights"})


def points_only() -> Design:
    """Every body reports points (no traffic lights)."""
    return _small("points_only", points_only.__doc__, hp={"score_format": "points"}, qn={"score_format": "points"})


def indicator_subset() -> Design:
    """Each body uses its own subset of 12-30 indicators; one body has no indicator of pillar 4."""
    design = _small("indicator_subset", indicator_subset.__doc__)
    catalog = load_catalog()
    ids = catalog["indicator"].tolist()
    rng = np.random.default_rng(18091)
    for province in design.provinces:
        bodies = []
        for body in province.bodies:
            chosen = rng.choice(ids, size=int(rng.integers(12, 31)), replace=False)
            bodies.append(replace(body, indicators=tuple(sorted(chosen, key=ids.index))))
        province.bodies = bodies
    first = design.provinces[0].bodies[0]
    no_p4 = tuple(i for i in ids if not i.startswith("4."))[::2]
    design.provinces[0].bodies[0] = replace(first, indicators=no_p4)
    return design


def no_red_year() -> Design:
    """Hải Phòng 2022-2024 where 2023 has no red light (scores floored at the yellow cut-off)."""
    return _small("no_red_year", no_red_year.__doc__, hp={"waves": (2022, 2023, 2024), "no_red_years": (2023,)})


def one_province() -> Design:
    """A single province (Hải Phòng, 6 + 6 bodies, 2022-2024)."""
    return Design("one_province", [_hp(n=6, waves=(2022, 2023, 2024))], description=one_province.__doc__)


def no_outcomes() -> Design:
    """No outcomes table."""
    return _small("no_outcomes", no_outcomes.__doc__, outcomes=False)


def staggered() -> Design:
    """Pilot bodies of one province start in different waves (Hải Phòng 2023 or 2024; Quảng Ninh 2024/2
    or 2025/1)."""
    hp = _hp(n=6, waves=(2022, 2023, 2024), start=None)
    hp.bodies = [replace(b, pilot_start=(2023 + k % 2, 1)) if b.group == "pilot" else b
                 for k, b in enumerate(hp.bodies)]
    qn = _qn(waves=((2024, 1), (2024, 2), (2025, 1)), start=None)
    qn.bodies = [replace(b, pilot_start=((2024, 2), (2025, 1))[k % 2]) if b.group == "pilot" else b
                 for k, b in enumerate(qn.bodies)]
    return Design("staggered", [hp, qn], description=staggered.__doc__)


def growing_effect() -> Design:
    """The effect grows by wave under the pilot (growth 3/1/2/1 points per wave on pillars 1-4)."""
    params = SynthParams(effect_growth={1: 3.0, 2: 1.0, 3: 2.0, 4: 1.0})
    return _small("growing_effect", growing_effect.__doc__, params=params,
                  hp={"waves": (2022, 2023, 2024)}, qn={"waves": (2023, 2024, 2025), "start": 2024})


def two_rounds() -> Design:
    """Two rounds in one year: a baseline (round 1) and the first wave under the pilot (round 2)."""
    return _small("two_rounds", two_rounds.__doc__,
                  hp={"waves": ((2023, 1), (2023, 2), (2024, 1)), "pilot_start_round": 2},
                  qn={"waves": ((2024, 1), (2024, 2), (2025, 1)), "start": 2024, "pilot_start_round": 2})


def pre_trend() -> Design:
    """Pilot bodies gain 2.5 points per wave more than comparison bodies before their start."""
    return _small("pre_trend", pre_trend.__doc__, params=SynthParams(pre_trend=2.5),
                  hp={"waves": (2021, 2022, 2023), "start": 2023},
                  qn={"waves": (2023, 2024, 2025), "start": 2025})


def duplicate_names() -> Design:
    """Two bodies named "xã Tân Hòa" in one province, told apart by their codes (a code column in the
    score sheets)."""
    design = _small("duplicate_names", duplicate_names.__doc__, hp={"code_column": True})
    design.provinces[0].bodies += [Body("xã Tân Hòa", "12201", "xã", "pilot"),
                                   Body("xã Tân Hòa", "12202", "xã", "comparison")]
    return design


def no_noise() -> Design:
    """No noise at all (SynthParams.noiseless): every score equals the model's mean, so the ATT is known
    exactly. One province, 2022-2025; pilots start 2023 (2 bodies) or 2024 (2 bodies); 4 comparison."""
    params = SynthParams.noiseless(pilot_effect={1: 8.0, 2: 4.0, 3: 5.0, 4: 3.0},
                                   effect_growth={1: 2.0, 2: 0.0, 3: 1.0, 4: 0.0})
    bodies = [Body(f"xã {name}", f"{12300 + k}", "xã", "pilot" if k < 4 else "comparison",
                   pilot_start=((2023, 1) if k < 2 else (2024, 1)) if k < 4 else None)
              for k, name in enumerate(("An Hải", "Bình Minh", "Tân Phú", "Đông Sơn", "Hòa Bình", "Nam Hưng",
                                        "Quang Trung", "Vĩnh Lộc"))]
    province = ProvinceDesign("Hải Phòng", bodies, (2022, 2023, 2024, 2025), None, "xlsx_vi",
                              score_format="points", member_bodies=2)
    return Design("no_noise", [province], params=params, description=no_noise.__doc__)


# --------------------------------------------------------------------------- the smallest designs
# Fewer bodies than the other small designs (issue 19): each report must run and say what it cannot estimate.

def no_red_latest() -> Design:
    """No indicator red in the latest wave (every score floored at the yellow cut-off in Hải Phòng 2023 and
    Quảng Ninh 2025): the scorecard's list of red indicators is empty."""
    return _small("no_red_latest", no_red_latest.__doc__, hp={"no_red_years": (2023,)}, qn={"no_red_years": (2025,)})


def three_plus_three() -> Design:
    """3 pilot + 3 comparison bodies per province over two waves (Hải Phòng 2022-2023, Quảng Ninh 2024-2025):
    only C(6, 3) = 20 labellings of pilot status exist, so no permutation p-value can fall below 1/20."""
    return _small("three_plus_three", three_plus_three.__doc__, hp={"n": 3}, qn={"n": 3})


def one_pilot_per_start() -> Design:
    """Staggered starts with one pilot body per start cohort: Hải Phòng 2021-2024 with pilots starting 2022,
    2023 and 2024 (one each) and 5 comparison bodies; Quảng Ninh 2023-2025 with pilots starting 2024 and 2025
    (one each) and 4 comparison bodies. A cohort of one body has no within-cohort variance term."""
    hp = _hp(n=5, waves=(2021, 2022, 2023, 2024), start=None)
    pilots = [b for b in hp.bodies if b.group == "pilot"][:3]
    hp.bodies = [replace(b, pilot_start=(2022 + k, 1)) for k, b in enumerate(pilots)] + \
        [b for b in hp.bodies if b.group == "comparison"]
    qn = _qn(n=4, waves=(2023, 2024, 2025), start=None)
    pilots = [b for b in qn.bodies if b.group == "pilot"][:2]
    qn.bodies = [replace(b, pilot_start=(2024 + k, 1)) for k, b in enumerate(pilots)] + \
        [b for b in qn.bodies if b.group == "comparison"]
    return Design("one_pilot_per_start", [hp, qn], description=one_pilot_per_start.__doc__)


def one_body() -> Design:
    """One body per province: a pilot body in Hải Phòng (2022-2023, under the pilot from 2023, with council
    members' scores in 2023) and a comparison body in Quảng Ninh (2024-2025)."""
    hp = ProvinceDesign("Hải Phòng", [Body(*HAI_PHONG[0])], (2022, 2023), 2023, "xlsx_vi", member_bodies=1)
    qn = ProvinceDesign("Quảng Ninh", [Body(*QUANG_NINH[16])], (2024, 2025), None, "csv_plain", member_bodies=0)
    return Design("one_body", [hp, qn], description=one_body.__doc__)


def one_indicator() -> Design:
    """Every body scores a single indicator (Hải Phòng 1.2, Quảng Ninh 2.3): one pillar, no internal consistency,
    no indicator-by-indicator comparison. (Not 1.1: with one indicator per body, ingest cannot tell a repeated
    '1.1' from a '1.10' that Excel turned into a number.)"""
    design = _small("one_indicator", one_indicator.__doc__)
    for province, indicator in zip(design.provinces, ("1.2", "2.3")):
        province.bodies = [replace(b, indicators=(indicator,)) for b in province.bodies]
    return design


#: designs with fewer bodies, waves or indicators than the "small" ones (8-16 bodies per province)
SMALLEST = ("no_red_latest", "three_plus_three", "one_pilot_per_start", "one_body", "one_indicator")


def national(provinces: int = 34, bodies: int = 97, years: int = 5, member_share: float = 0.1,
             first_year: int = 2025, pilot_share: float = 0.5, seed: int = 18091) -> Design:
    """A national roll-out after the 2025 reform: ``provinces`` provinces (the 34 of 2025 first), each with
    ``bodies`` communes and wards, ``years`` yearly waves from ``first_year``, pilot starts staggered over
    the waves after the first, ``member_share`` of bodies with council members' scores; one workbook per
    province with administrative codes, as offices would send them."""
    rng = np.random.default_rng(seed)
    pairs, folded = [], set()
    for a in _SYLLABLES:
        for b in _SYLLABLES:  # names that differ only by diacritics ('Thành'/'Thạnh') fold together: keep one
            if a != b and fold(f"{a} {b}") not in folded:
                folded.add(fold(f"{a} {b}"))
                pairs.append((a, b))
    waves = tuple(range(first_year, first_year + years))
    out = []
    for p in range(provinces):
        name = PROVINCES_2025[p] if p < len(PROVINCES_2025) else f"Mô Phỏng {p + 1}"
        picked = rng.choice(len(pairs), size=bodies, replace=False)
        is_pilot = rng.random(bodies) < pilot_share
        starts = rng.integers(1, years, size=bodies) if years > 1 else np.zeros(bodies, int)
        levels = np.where(rng.random(bodies) < 0.2, "phường", "xã")
        members = set(rng.choice(bodies, size=int(round(member_share * bodies)), replace=False).tolist())
        body_list = [Body(f"{levels[j]} {pairs[k][0]} {pairs[k][1]}", f"{p + 1:02d}{j + 1:03d}", str(levels[j]),
                          "pilot" if is_pilot[j] else "comparison",
                          pilot_start=(int(waves[starts[j]]), 1) if is_pilot[j] else None, members=j in members)
                     for j, k in enumerate(picked)]
        out.append(ProvinceDesign(name, body_list, waves, None, "xlsx_vi", file_layout="province", code_column=True,
                                  score_format="mixed" if p % 2 else "points", light_levels=("xã",)))
    return Design("national", out, description=national.__doc__.split("\n\n")[0])


DESIGNS: dict[str, Callable[..., Design]] = {
    "sample": sample, "one_year": one_year, "no_comparison": no_comparison, "no_pilot": no_pilot,
    "no_members": no_members, "no_self": no_self, "no_units": no_units, "units_without_group": units_without_group,
    "blank_levels": blank_levels, "lights_only": lights_only, "points_only": points_only,
    "indicator_subset": indicator_subset, "no_red_year": no_red_year, "one_province": one_province,
    "no_outcomes": no_outcomes, "staggered": staggered, "growing_effect": growing_effect, "two_rounds": two_rounds,
    "pre_trend": pre_trend, "duplicate_names": duplicate_names, "no_noise": no_noise, "national": national,
    "no_red_latest": no_red_latest, "three_plus_three": three_plus_three, "one_pilot_per_start": one_pilot_per_start,
    "one_body": one_body, "one_indicator": one_indicator,
}


#: Designs written by a writer of their own rather than from a :class:`Design` (name -> writer(out, seed=...)
#: returning the manifest): ``reform_2025``, a panel crossing the 1 July 2025 reform with real units.
FILE_DESIGNS: dict[str, Callable[..., dict]] = {"reform_2025": reform.write_design}


def design_names() -> list[str]:
    """Every name ``synth --design`` accepts: :data:`DESIGNS`, then :data:`FILE_DESIGNS`."""
    return [*DESIGNS, *FILE_DESIGNS]


def design_by_name(name: str, **sizes) -> Design:
    """A fresh named design; ``sizes`` go to designs that take them (``national``)."""
    if name not in DESIGNS:
        raise KeyError(f"unknown design {name!r}; known: {', '.join(DESIGNS)}")
    return DESIGNS[name](**sizes)
