"""Synthetic pilot data: a documented generative model, driven by a design, written as messy raw files.

Everything this module writes is **synthetic** and says so: file names start with
``SYNTHETIC_``, every sheet has a "DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA" title, every row has a
``source`` cell reading ``synthetic``, and the planted truth goes to ``<out>/_synthetic/``
(which ingest skips, as it skips every name starting with ``_``).

A :class:`Design` says *who* is assessed *when* and *how the files look* (provinces, bodies,
waves, pilot starts, score formats, which tables exist); its :class:`SynthParams` say *what is
planted* (effects, trends, self-inflation, noise). Named designs are in :mod:`.synth_designs`.

Generative model (0-100 scale)::

    T[b,i,w] = mu + level[b] + theta[b] + gamma[b,p(i)] + beta[i] + trend * time[w] + shock[prov,w]
               + effect[p(i)](e[b,w]) * post[b,w] + pre_trend * min(e[b,w], 0) * pilot[b] + eps[b,i,w]
    effect[p](e) = pilot_effect[p] + effect_growth[p] * e,     eps ~ N(0, sigma_i^2)
    council  = T + N(0, council_noise_sd^2)
    self     = T + self_inflation + N(0, self_noise_sd^2)
    member k = T + bias[k] + N(0, member_noise_sd^2),            bias[k] ~ N(0, member_bias_sd^2)

Pilot timing (the product's convention): ``pilot_start`` is the year of the body's *first wave
under the pilot* and ``pilot_start_round`` (default 1) that wave's round; wave (year, round) is
under the pilot (``post = 1``) when ``(year, round) >= (pilot_start, pilot_start_round)``.
Event time ``e`` counts the province's waves from the body's first wave under the pilot (0 there,
-1 the wave before). ``time[w]`` is years since the province's first wave, rounds splitting a year
evenly. The pre-trend runs up to the start and stops there.

Scores become points (0..max in steps of 0.5, clipped) unless ``SynthParams.exact``; bodies that
report traffic lights get the light of their points under the scale's cut-offs. The truth
(:func:`planted_truth`) gives the treatment effect of every body-wave on each pillar and on the
overall score (the mean over pillars of the mean of the body's indicators in that pillar: the
effect is additive, so it is the mean over the body's pillars of ``effect[p](e)``), and the ATT.
"""
from __future__ import annotations

import csv
import json
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from iso18091lab.catalog import load_catalog
from iso18091lab.intake.clean import Rejected, UnitMatcher
from iso18091lab.config import DEFAULT_SCALE, Scale
from iso18091lab.synthetic.xlsx import HEADER, Sheet, number_text, write_workbook
from iso18091lab.normalize import slugify, strip_diacritics

BANNER = "DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA — không phải số liệu thật, chỉ dùng để thử nghiệm"
SOURCE_MARK = "synthetic"
PILOT_TIMING = ("pilot_start is the year of the first assessment wave under the pilot, pilot_start_round that "
                "wave's round (default 1); wave (year, round) is under the pilot when (year, round) >= "
                "(pilot_start, pilot_start_round)")

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
COMMUNE_LEVELS = ("phường", "xã", "thị trấn", "đặc khu")
FILE_STYLES = ("xlsx_vi", "xlsx_en", "csv_plain")
SCORE_FORMATS = ("points", "lights", "mixed")
UNITS_TABLES = ("full", "no_group", "none")

Wave = tuple[int, int]  # (year, round)


# --------------------------------------------------------------------------- the design

@dataclass(frozen=True)
class Body:
    """One assessed body. ``level`` may be ''; ``pilot_start`` is the (year, round) of its first wave
    under the pilot (None: the province's start); ``indicators`` its own indicator set (None: drawn);
    ``members`` whether council members' own scores are written (None: drawn for the province)."""

    name: str
    code: str = ""
    level: str = ""
    group: str = "comparison"
    pilot_start: Wave | None = None
    indicators: tuple[str, ...] | None = None
    members: bool | None = None


def _wave(value: object) -> Wave:
    if isinstance(value, (tuple, list)):
        year, round_ = value
        return int(year), int(round_)
    return int(value), 1


@dataclass
class ProvinceDesign:
    """One province: its bodies, waves and how its offices write their files.

    ``waves`` are years or (year, round) pairs. ``pilot_start`` / ``pilot_start_round`` give the first
    wave under the pilot for pilot bodies without their own start. ``score_format``: "points",
    "lights" or "mixed" (bodies whose level is in ``light_levels`` report lights). ``member_bodies``:
    how many bodies (drawn, half pilot) have council members' scores, in ``member_waves`` (default the
    second wave). ``file_layout``: "year" (one file per year) or "province" (one workbook).
    """

    name: str
    bodies: list
    waves: tuple = ()
    pilot_start: int | None = None
    file_style: str = "xlsx_vi"
    light_levels: tuple[str, ...] = ()
    member_bodies: int = 4
    pilot_start_round: int = 1
    score_format: str = "mixed"
    member_waves: tuple | None = None
    no_red_years: tuple[int, ...] = ()
    file_layout: str = "year"
    code_column: bool = False

    def __post_init__(self) -> None:
        self.bodies = [b if isinstance(b, Body) else Body(*b) for b in self.bodies]
        self.waves = tuple(sorted({_wave(w) for w in self.waves}))
        if self.member_waves is not None:
            self.member_waves = tuple(sorted({_wave(w) for w in self.member_waves}))

    @property
    def years(self) -> tuple[int, ...]:
        """The distinct years of the waves."""
        return tuple(sorted({y for y, _ in self.waves}))

    def start_of(self, body: Body) -> Wave | None:
        """(year, round) of the body's first wave under the pilot; None for comparison bodies."""
        if body.group != "pilot":
            return None
        if body.pilot_start is not None:
            return _wave(body.pilot_start)
        if self.pilot_start is None:
            raise ValueError(f"{self.name}: pilot body {body.name!r} has no pilot start")
        return int(self.pilot_start), int(self.pilot_start_round)

    def lights(self, body: Body) -> bool:
        """True when the body reports traffic lights instead of points."""
        return self.score_format == "lights" or (self.score_format == "mixed" and body.level in self.light_levels)

    def validate(self) -> None:
        """Raise ValueError when the province cannot be generated or read back unambiguously."""
        where = f"province {self.name!r}"
        if not self.waves:
            raise ValueError(f"{where}: no waves")
        if not self.bodies:
            raise ValueError(f"{where}: no bodies")
        if self.file_style not in FILE_STYLES or self.score_format not in SCORE_FORMATS:
            raise ValueError(f"{where}: file_style must be one of {FILE_STYLES}, score_format one of {SCORE_FORMATS}")
        if self.file_layout not in ("year", "province"):
            raise ValueError(f"{where}: file_layout must be 'year' or 'province'")
        codes = [b.code for b in self.bodies if b.code]
        if len(codes) != len(set(codes)):
            raise ValueError(f"{where}: administrative codes repeat")
        names = [b.name for b in self.bodies]
        if len(names) != len(set(names)) and not (self.code_column and all(b.code for b in self.bodies)):
            raise ValueError(f"{where}: bodies with the same name need codes and code_column=True")
        for body in self.bodies:
            if body.group not in ("pilot", "comparison"):
                raise ValueError(f"{where}: group of {body.name!r} must be 'pilot' or 'comparison'")
            self.start_of(body)


@dataclass
class SynthParams:
    """Planted parameters of the generative model (0-100 scale unless said otherwise).

    ``pilot_effect`` is the effect per pillar at event time 0, ``effect_growth`` its change per wave
    under the pilot, ``pre_trend`` the differential change per wave of pilot bodies before their start.
    ``exact``: no rounding to half points and no clipping (an error if a score would leave 0..max);
    see :meth:`noiseless`.
    """

    seed: int = 2024
    mu: float = 55.0
    commune_offset: float = -5.0
    body_sd: float = 9.0
    pillar_body_sd: float = 4.0
    indicator_sd: float = 6.0
    trend_per_year: float = 1.5
    province_year_shock_sd: float = 3.0  # per province and wave
    pilot_effect: dict = field(default_factory=lambda: {1: 8.0, 2: 4.0, 3: 5.0, 4: 3.0})
    effect_growth: dict = field(default_factory=dict)
    pre_trend: float = 0.0
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
    outcome_noise_sd: float = 2.0
    exact: bool = False
    plant_errors: bool = True

    @classmethod
    def noiseless(cls, **overrides) -> "SynthParams":
        """Every noise SD 0, no not-assessed cells, exact scores: the data equal the model's means."""
        zero = dict(body_sd=0.0, pillar_body_sd=0.0, indicator_sd=0.0, province_year_shock_sd=0.0,
                    self_noise_sd=0.0, council_noise_sd=0.0, member_noise_sd=0.0, member_bias_sd=0.0,
                    residual_sd_reliable=0.0, residual_sd_unreliable=0.0, not_assessed_rate=0.0,
                    outcome_noise_sd=0.0, exact=True)
        return cls(**{**zero, **overrides})

    def effect_at(self, pillar: int, event_time: int) -> float:
        """Planted effect on a pillar at event time ``event_time`` >= 0."""
        return float(self.pilot_effect.get(pillar, 0.0)) + float(self.effect_growth.get(pillar, 0.0)) * event_time


@dataclass
class Design:
    """A scenario: provinces (with bodies, waves, formats), the tables written, and the planted params.

    ``units_table``: "full", "no_group" (no group column) or "none" (no units table at all);
    ``outcomes``, ``self_scores``, ``members``: whether those are written.
    """

    name: str
    provinces: list[ProvinceDesign]
    params: SynthParams = field(default_factory=SynthParams)
    units_table: str = "full"
    outcomes: bool = True
    self_scores: bool = True
    members: bool = True
    description: str = ""

    def validate(self) -> None:
        """Raise ValueError when the design is not usable."""
        if not self.provinces:
            raise ValueError("a design needs at least one province")
        names = [p.name for p in self.provinces]
        if len(names) != len(set(names)):
            raise ValueError("province names repeat")
        if self.units_table not in UNITS_TABLES:
            raise ValueError(f"units_table must be one of {UNITS_TABLES}")
        for province in self.provinces:
            province.validate()

    def to_dict(self, bodies: bool = True) -> dict:
        """JSON-ready description (``bodies=False`` leaves the body lists out)."""
        provinces = []
        for p in self.provinces:
            item = {k: v for k, v in asdict(p).items() if k != "bodies"}
            item["n_bodies"] = len(p.bodies)
            item["n_pilot"] = sum(b.group == "pilot" for b in p.bodies)
            item["n_comparison"] = sum(b.group == "comparison" for b in p.bodies)
            if bodies:
                item["bodies"] = [asdict(b) for b in p.bodies]
            provinces.append(item)
        out = {"name": self.name, "description": self.description, "units_table": self.units_table,
               "outcomes": self.outcomes, "self_scores": self.self_scores, "members": self.members,
               "provinces": provinces, "params": asdict(self.params)}
        return json.loads(json.dumps(out, ensure_ascii=False))


def as_design(design: Design | list | None) -> Design:
    """A Design from a Design, a list of ProvinceDesign (old API) or None (the bundled sample)."""
    if design is None:
        from iso18091lab.synthetic.designs import sample
        return sample()
    if isinstance(design, Design):
        return design
    return Design("custom", list(design))


# --------------------------------------------------------------------------- timing

def under_pilot(wave: Wave, start: Wave | None) -> bool:
    """True when ``wave`` is under the pilot that started with wave ``start`` (the product's convention)."""
    return start is not None and tuple(wave) >= tuple(start)


def event_times(waves: tuple[Wave, ...], start: Wave | None) -> np.ndarray | None:
    """Event time of each wave (0 at the first wave under the pilot); None for comparison bodies.
    A start after the last wave puts event time 0 just after it; one before the first, at the first."""
    if start is None:
        return None
    first = next((i for i, w in enumerate(waves) if under_pilot(w, start)), len(waves))
    return np.arange(len(waves)) - first


def wave_times(waves: tuple[Wave, ...]) -> np.ndarray:
    """Years since the first wave; rounds split their year evenly (2024/1 -> 0, 2024/2 -> 0.5)."""
    rounds: dict[int, list[int]] = {}
    for year, round_ in waves:
        rounds.setdefault(year, []).append(round_)
    first = waves[0][0]
    return np.array([year - first + sorted(rounds[year]).index(round_) / len(rounds[year]) for year, round_ in waves])


# --------------------------------------------------------------------------- the model

class _Columns:
    """Accumulates column arrays (fast for national sizes), then makes one DataFrame."""

    def __init__(self) -> None:
        self.parts: dict[str, list] = {}

    def add(self, n: int, **columns) -> None:
        for key, value in columns.items():
            self.parts.setdefault(key, []).append(np.asarray(value) if np.ndim(value) else
                                                  np.full(n, value, dtype=object))

    def frame(self, dtypes: dict) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame({k: pd.Series(dtype=t) for k, t in dtypes.items()})
        frame = pd.DataFrame({k: np.concatenate(v) for k, v in self.parts.items()})
        return frame.astype(dtypes)


ASSESSMENT_DTYPES = {"province": object, "unit": object, "code": object, "year": int, "round": int,
                     "rater": object, "rater_id": object, "indicator": object, "score": float, "rating": object,
                     "not_assessed": bool, "true_score_100": float}


@dataclass
class _Model:
    """What every body shares: the catalog as arrays, indicator effects and noise, planted pillar effects."""

    params: SynthParams
    scale: Scale
    indicators: np.ndarray
    pillar_of: np.ndarray
    max_of: np.ndarray
    beta: np.ndarray
    sigma: np.ndarray
    base_effect: np.ndarray
    growth: np.ndarray
    red_floor: np.ndarray

    @property
    def pillars(self) -> list[int]:
        return sorted(set(self.pillar_of.tolist()))


def simulate(params: SynthParams | None = None, design: Design | list | None = None,
             catalog: pd.DataFrame | None = None, scale: Scale = DEFAULT_SCALE) -> dict:
    """Draw units, assessments (self, council, council members) and outcomes from the model.

    Returns the clean tables ``units``, ``assessments``, ``outcomes`` (what ingest should recover),
    ``body_waves`` (the true effect of every body-wave) and ``truth`` (JSON-ready planted values).
    ``params`` default to the design's.
    """
    design = as_design(design)
    design.validate()
    params = params or design.params
    catalog = catalog if catalog is not None else load_catalog()
    rng = np.random.default_rng(params.seed)
    indicators = np.array(catalog["indicator"].tolist(), dtype=object)
    pillar_of = catalog["pillar"].to_numpy(int)
    max_of = catalog["max_score"].to_numpy(float)
    beta = rng.normal(0, params.indicator_sd, len(indicators))
    red_floor = scale.yellow_from / 100 * max_of
    model = _Model(
        params, scale, indicators, pillar_of, max_of, beta,
        sigma=np.where(np.isin(indicators, list(params.unreliable_indicators)), params.residual_sd_unreliable,
                       params.residual_sd_reliable),
        base_effect=np.array([params.pilot_effect.get(p, 0.0) for p in pillar_of], float),
        growth=np.array([params.effect_growth.get(p, 0.0) for p in pillar_of], float),
        red_floor=red_floor if params.exact else np.ceil(red_floor * 2 - 1e-9) / 2)

    units, body_waves, shocks, member_biases, member_targets = [], [], [], {}, []
    rows, outcomes = _Columns(), []
    for prov in design.provinces:
        shock = rng.normal(0, params.province_year_shock_sd, len(prov.waves))
        shocks += [{"province": prov.name, "year": y, "round": r, "shock": float(s)}
                   for (y, r), s in zip(prov.waves, shock)]
        with_members = _member_bodies(prov, rng) if design.members else set()
        member_waves = prov.member_waves if prov.member_waves is not None else (prov.waves[min(1, len(prov.waves) - 1)],)
        member_w = [k for k, w in enumerate(prov.waves) if w in member_waves]
        for b, body in enumerate(prov.bodies):
            members = [f"TV{k + 1:02d}" for k in range(params.members_per_council)] if b in with_members else []
            unit, waves_truth, targets, theta = _simulate_body(model, design, prov, body, shock, members, member_w,
                                                               member_biases, rows, rng)
            units.append(unit)
            body_waves += waves_truth
            if members:
                member_targets.append(targets)
            outcomes += _outcomes(params, prov, body, prov.start_of(body), theta, rng)
    units = pd.DataFrame(units)
    body_waves = pd.DataFrame(body_waves)
    body_waves["event_time"] = body_waves["event_time"].astype("Int64")
    outcome_table = pd.DataFrame(outcomes, columns=["province", "unit", "code", "year", "measure", "value", "effect"])
    truth = planted_truth(design, params, catalog, units, body_waves, model.sigma, shocks, member_biases,
                          np.concatenate(member_targets) if member_targets else np.array([]))
    return {"design": design, "params": params, "units": units, "assessments": rows.frame(ASSESSMENT_DTYPES),
            "outcomes": outcome_table if design.outcomes else outcome_table.iloc[:0], "body_waves": body_waves,
            "truth": truth}


def _simulate_body(model: _Model, design: Design, prov: ProvinceDesign, body: Body, shock: np.ndarray,
                   members: list[str], member_w: list[int], member_biases: dict, rows: _Columns,
                   rng: np.random.Generator) -> tuple[dict, list[dict], np.ndarray, float]:
    """One body: draw its true scores and every rater's scores into ``rows``; return its units row, the truth
    of each of its waves, the true scores its council members rated, and its quality ``theta``."""
    params, waves = model.params, prov.waves
    start = prov.start_of(body)
    theta = rng.normal(0, params.body_sd)
    gamma = dict(zip(model.pillars, rng.normal(0, params.pillar_body_sd, len(model.pillars))))
    if body.indicators is not None:
        position = {ind: k for k, ind in enumerate(model.indicators)}
        used = np.array(sorted(position[i] for i in body.indicators))
    else:
        n_drop = rng.integers(0, params.dropped_indicators_max + 1)
        dropped = set(rng.choice(len(model.indicators), size=n_drop, replace=False).tolist())
        used = np.array([k for k in range(len(model.indicators)) if k not in dropped])
    pillar_of, max_of = model.pillar_of[used], model.max_of[used]
    offset = params.commune_offset if body.level in COMMUNE_LEVELS else 0.0
    e = event_times(waves, start)
    treated = e >= 0 if e is not None else np.zeros(len(waves), bool)
    e_post = np.where(treated, e, 0) if e is not None else np.zeros(len(waves))
    effect = np.where(treated[:, None], model.base_effect[used] + model.growth[used] * e_post[:, None], 0.0)
    pre = params.pre_trend * np.minimum(e, 0) if e is not None else np.zeros(len(waves))
    true = (params.mu + offset + theta + np.array([gamma[p] for p in pillar_of]) + model.beta[used]
            + params.trend_per_year * wave_times(waves)[:, None] + shock[:, None] + effect + pre[:, None]
            + rng.normal(0, 1, (len(waves), len(used))) * model.sigma[used])
    all_waves = list(range(len(waves)))
    draws = [("self", "", all_waves, true + params.self_inflation + rng.normal(0, params.self_noise_sd, true.shape)),
             ("council", "", all_waves, true + rng.normal(0, params.council_noise_sd, true.shape))]
    for member in members:
        bias = member_biases.setdefault((prov.name, member), rng.normal(0, params.member_bias_sd))
        draws.append(("council", member, member_w, true[member_w] + bias
                      + rng.normal(0, params.member_noise_sd, (len(member_w), len(used)))))
    no_red = np.array([y in prov.no_red_years for y, _ in waves])
    for rater, rater_id, w_index, values in draws:
        points = _to_points(values, max_of, params.exact, model.red_floor[used], no_red[w_index])
        not_assessed = rng.random(points.shape) < params.not_assessed_rate
        if rater == "self" and not design.self_scores:
            continue
        score, rating = np.where(not_assessed, np.nan, points), np.full(points.shape, None, dtype=object)
        if prov.lights(body):
            rating = np.where(not_assessed, None, _lights(100 * points / max_of, model.scale))
            score = np.full(points.shape, np.nan)
        rows.add(points.size, province=prov.name, unit=body.name, code=body.code,
                 year=np.repeat([waves[k][0] for k in w_index], len(used)),
                 round=np.repeat([waves[k][1] for k in w_index], len(used)), rater=rater, rater_id=rater_id,
                 indicator=np.tile(model.indicators[used], len(w_index)), score=score.ravel(), rating=rating.ravel(),
                 not_assessed=not_assessed.ravel(), true_score_100=true[w_index].ravel())
    unit = {"province": prov.name, "unit": body.name, "code": body.code, "level": body.level, "group": body.group,
            "pilot_start": start[0] if start else None, "pilot_start_round": start[1] if start else None,
            "n_indicators": len(used), "members": bool(members), "lights": prov.lights(body)}
    truth = []
    for k, (year, round_) in enumerate(waves):
        by_pillar = {p: (params.effect_at(p, int(e[k])) if treated[k] else 0.0)
                     for p in model.pillars if (pillar_of == p).any()}
        truth.append({"province": prov.name, "code": body.code, "unit": body.name, "level": body.level,
                      "group": body.group, "year": year, "round": round_, "wave_index": k,
                      "event_time": int(e[k]) if e is not None else None, "treated": bool(treated[k]),
                      "effect_overall": float(np.mean(list(by_pillar.values()))),
                      **{f"effect_p{p}": by_pillar.get(p, np.nan) for p in model.pillars},
                      "pre_trend": float(pre[k]), "n_pillars": len(by_pillar)})
    return unit, truth, true[member_w].ravel(), theta


def _member_bodies(prov: ProvinceDesign, rng: np.random.Generator) -> set[int]:
    """Indices of the bodies with council members' scores: explicit flags, else drawn (half pilot)."""
    chosen = {k for k, b in enumerate(prov.bodies) if b.members}
    if any(b.members is not None for b in prov.bodies):
        return chosen
    pilots = [k for k, b in enumerate(prov.bodies) if b.group == "pilot"]
    others = [k for k, b in enumerate(prov.bodies) if b.group != "pilot"]
    n = min(prov.member_bodies, len(prov.bodies))
    n_pilot = min(n // 2, len(pilots))
    n_other = min(n - n_pilot, len(others))
    n_pilot = min(n - n_other, len(pilots))
    picked = (rng.choice(pilots, size=n_pilot, replace=False).tolist() if n_pilot else []) + \
             (rng.choice(others, size=n_other, replace=False).tolist() if n_other else [])
    return set(picked)


def _to_points(values: np.ndarray, max_score: np.ndarray, exact: bool, red_floor: np.ndarray,
               no_red: np.ndarray) -> np.ndarray:
    points = values / 100 * max_score
    if exact:
        if (points < 0).any() or (points > max_score).any():
            raise ValueError("exact scores would leave 0..max: lower the effects or mu, or drop exact")
    else:
        points = np.clip(np.round(points * 2) / 2, 0, max_score)
    return np.where(no_red[:, None], np.maximum(points, red_floor), points)


def _lights(score_100: np.ndarray, scale: Scale) -> np.ndarray:
    return np.where(score_100 < scale.yellow_from, "red", np.where(score_100 < scale.green_from, "yellow", "green"))


OUTCOME_LEVELS = {"satisfaction_pct": (80.0, 0.5), "on_time_pct": (88.0, 0.5), "online_applications_pct": (35.0, 6.0)}


def _outcomes(params: SynthParams, prov: ProvinceDesign, body: Body, start: Wave | None, theta: float,
              rng: np.random.Generator) -> list[dict]:
    """Outcomes per body and year; a year counts as under the pilot when its last wave is."""
    out = []
    for year in prov.years:
        last = max(w for w in prov.waves if w[0] == year)
        post = under_pilot(last, start)
        for measure, effect in params.outcome_effects.items():
            level, slope = OUTCOME_LEVELS.get(measure, (50.0, 0.5))
            value = (level + 0.3 * theta + (effect if post else 0.0) + slope * (year - prov.years[0])
                     + rng.normal(0, params.outcome_noise_sd))
            value = float(np.clip(value, 0, 100))
            out.append({"province": prov.name, "unit": body.name, "code": body.code, "year": year, "measure": measure,
                        "value": value if params.exact else round(value, 1), "effect": effect if post else 0.0})
    return out


# --------------------------------------------------------------------------- the truth

def _mean_or_none(values: pd.Series) -> float | None:
    values = values.dropna()
    return float(values.mean()) if len(values) else None


def att_table(body_waves: pd.DataFrame, pillar_list: list[int]) -> dict:
    """ATT = mean over treated body-waves (each weighs the same) of the true effect, overall and per pillar."""
    treated = body_waves[body_waves["treated"]]
    return {"overall": _mean_or_none(treated["effect_overall"]),
            "pillars": {str(p): _mean_or_none(treated[f"effect_p{p}"]) for p in pillar_list},
            "n_body_waves": int(len(treated)), "n_bodies": int(treated[["province", "code", "unit"]]
                                                               .drop_duplicates().shape[0])}


def planted_truth(design: Design, params: SynthParams, catalog: pd.DataFrame, units: pd.DataFrame,
                  body_waves: pd.DataFrame, sigma: np.ndarray, shocks: list[dict], member_biases: dict,
                  member_targets: np.ndarray) -> dict:
    """The planted values, JSON-ready: ATT, event-time effects, self-inflation, reliability, members."""
    pillar_list = sorted(set(catalog["pillar"].astype(int)))
    signal_var = params.body_sd ** 2 + params.pillar_body_sd ** 2
    reliability = {i: (round(signal_var / (signal_var + s ** 2), 4) if signal_var + s ** 2 > 0 else None)
                   for i, s in zip(catalog["indicator"], sigma)}
    event = []
    pilots = body_waves[body_waves["group"] == "pilot"]
    for e, part in pilots.groupby("event_time"):
        e = int(e)
        event.append({"event_time": e, "n_body_waves": int(len(part)),
                      "effect_overall": float(part["effect_overall"].mean()),
                      "planted_pillars": {str(p): (params.effect_at(p, e) if e >= 0 else 0.0) for p in pillar_list},
                      "pre_trend": params.pre_trend * min(e, 0)})
    has_members = bool(len(member_targets))
    members = None
    if has_members:
        target_var = float(np.var(member_targets, ddof=1)) if len(member_targets) > 1 else 0.0
        rater, residual = params.member_bias_sd ** 2, params.member_noise_sd ** 2
        total = target_var + rater + residual
        members = {
            "members_per_council": params.members_per_council, "bias_sd": params.member_bias_sd,
            "noise_sd": params.member_noise_sd,
            "bodies": int(units["members"].sum()),
            "variance_components": {"body": target_var, "rater": rater, "residual": residual},
            "variance_components_note": "body = variance of the true scores of the rated targets (body x wave x "
                                        "indicator, 0-100); rater = member_bias_sd^2; residual = member_noise_sd^2; "
                                        "rounding to half points adds about 2.1 to the residual",
            "icc_a1_planted": target_var / total if total > 0 else None,
            "realised_bias": [{"province": p, "rater_id": m, "bias": float(b)} for (p, m), b in member_biases.items()],
        }
    provinces = {p.name: att_table(body_waves[body_waves["province"] == p.name], pillar_list)
                 for p in design.provinces}
    return json.loads(json.dumps({
        "pilot_timing": PILOT_TIMING,
        "params": asdict(params),
        "att": {"pooled": att_table(body_waves, pillar_list), "by_province": provinces,
                "definition": "mean over treated body-waves (each weighs the same) of the true effect on the "
                              "overall score (mean over the body's pillars of the pillar effect) and on each pillar"},
        "event_time": event,
        "self_inflation": ({"self_minus_council": params.self_inflation, "self_noise_sd": params.self_noise_sd,
                            "council_noise_sd": params.council_noise_sd} if design.self_scores else None),
        "unreliable_indicators": list(params.unreliable_indicators),
        "indicator_reliability": reliability,
        "indicator_residual_sd": {i: float(s) for i, s in zip(catalog["indicator"], sigma)},
        "council_members": members,
        "council_member_bias": members["realised_bias"] if members else [],
        "province_wave_shocks": shocks,
    }, ensure_ascii=False, allow_nan=False, default=_json_default))


def _json_default(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value)}")


# --------------------------------------------------------------------------- the mess

HEADERS = {
    "xlsx_vi": {"province": "Tỉnh/Thành phố", "unit": "Đơn vị", "code": "Mã ĐVHC", "year": "Năm", "round": "Đợt",
                "rater": "Loại đánh giá", "rater_id": "Mã người chấm", "indicator": "Chỉ số", "score": "Điểm",
                "rating": "Mức", "source": "Nguồn dữ liệu"},
    "csv_plain": {"province": "TINH", "unit": "don vi", "code": "ma dvhc", "year": "nam", "round": "dot",
                  "rater": "nguoi danh gia", "rater_id": "ma nguoi cham", "indicator": "chi so", "score": "diem",
                  "rating": "muc", "source": "nguon"},
    "xlsx_en": {"province": "Province", "unit": "Unit", "code": "Unit code", "year": "Year", "round": "Round",
                "rater": "Rater", "rater_id": "Rater ID", "indicator": "Indicator", "score": "Score",
                "rating": "Rating", "source": "Source"},
    "units_vi": {"province": "Tỉnh/Thành phố", "unit": "Tên đơn vị", "code": "Mã ĐVHC", "level": "Cấp",
                 "group": "Nhóm", "pilot_start": "Năm bắt đầu thí điểm", "pilot_start_round": "Đợt bắt đầu thí điểm",
                 "source": "Nguồn dữ liệu"},
    "outcomes_en": {"province": "province", "unit": "unit", "code": "code", "year": "year", "measure": "measure",
                    "value": "value", "source": "source"},
}
SHEETS = {"xlsx_vi": ("Tự đánh giá", "Hội đồng", "Thành viên HĐ"),
          "xlsx_en": ("Self-assessment", "Council", "Council members")}
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

#: Errors planted on purpose, one of each per province (``unknown_unit`` only when a units table exists).
PLANTED_RULES = ("score_out_of_range", "unknown_indicator", "unknown_unit", "bad_rater", "bad_score",
                 "conflicting_duplicate")


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


def _plant_errors(rendered: list[dict], rows: pd.DataFrame, rng: np.random.Generator,
                  rules: tuple[str, ...]) -> list[dict]:
    """Spoil a few rows on purpose, one per rule, and add exact duplicate rows; returns the new list."""
    out = list(rendered)
    chosen = rng.choice(len(out), size=min(len(rules), len(out)), replace=False)
    for rule, index in zip(rules, chosen):
        item = out[index]
        cells = item["cells"]
        if rule == "score_out_of_range":
            cells["score"], cells["rating"] = 12.5, ""
        elif rule == "unknown_indicator":
            cells["indicator"] = "5.1"
        elif rule == "unknown_unit":
            cells["unit"], cells["code"] = "UBND phường Không Có Thật", ""
        elif rule == "bad_rater":
            cells["rater"] = "khách mời"
        elif rule == "bad_score":
            cells["score"], cells["rating"] = "tám", ""
        elif rule == "conflicting_duplicate":
            twin = {"cells": dict(cells), "truth": item["truth"], "planted": rule}
            twin["cells"]["score"], twin["cells"]["rating"] = _other_value(rows.iloc[item["truth"]])
            out.insert(int(index) + 1 + int(rng.integers(0, 20)), twin)
        item["planted"] = rule
    free = [k for k, item in enumerate(out) if item["planted"] is None]
    for index in sorted(rng.choice(free, size=min(3, len(free)), replace=False), reverse=True):
        out.insert(int(index) + 1, {"cells": dict(out[index]["cells"]), "truth": out[index]["truth"],
                                    "planted": "exact_duplicate"})  # kept once, counted as a duplicate
    return out


def _other_value(truth: pd.Series) -> tuple[object, str]:
    if truth["score"] == truth["score"]:
        return (truth["score"] + 1.0 if truth["score"] <= 8 else truth["score"] - 1.0), ""
    return "", {"red": "Xanh", "yellow": "Đỏ", "green": "Vàng"}.get(truth["rating"], "Xanh")


def _layout(rendered: list[dict], data_start: int, rng: np.random.Generator, empty_rate: float = 0.004) -> list:
    """Assign spreadsheet row numbers, leaving a few empty rows between data rows."""
    rows, number = [], data_start
    gaps = rng.random(len(rendered)) < empty_rate
    for item, gap in zip(rendered, gaps):
        if gap:
            rows.append(None)
            number += 1
        item["row"] = number
        rows.append(item)
        number += 1
    return rows


def _write_xlsx(path: Path, sheets: list[tuple[str, list[str], list, str]], notes: list[str] | None = None) -> None:
    """sheets: (sheet name, column keys, laid-out rows, header style); a banner title on every sheet."""
    out = []
    if notes:
        sheet = Sheet("Ghi chú", 1)
        sheet.merge_title(1, BANNER)
        for r, line in enumerate(notes, start=2):
            sheet.add(r, [line])
        out.append(sheet)
    for name, columns, laid_out, style in sheets:
        sheet = Sheet(name, len(columns), tuple(c for c, k in enumerate(columns) if k in ("indicator", "rater_id",
                                                                                          "code")))
        sheet.merge_title(1, BANNER)
        sheet.add(3, [HEADERS[style].get(k, k) for k in columns], HEADER)
        for item in laid_out:
            if item is not None:
                cells = item["cells"]
                sheet.add(item["row"], [cells.get(k, "") for k in columns])
        out.append(sheet)
    write_workbook(path, out)


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
            writer.writerow([_csv_cell(item["cells"].get(k, ""), delimiter) for k in columns])


def _csv_cell(value: object, delimiter: str) -> str:
    if isinstance(value, float):
        text = number_text(value)
        return text.replace(".", ",") if delimiter != "," else text
    return "" if value is None else str(value)


ASSESSMENT_KEYS = ["province", "unit", "year", "round", "rater", "rater_id", "indicator", "score", "rating", "source"]


def _assessment_keys(prov: ProvinceDesign) -> list[str]:
    return ASSESSMENT_KEYS[:2] + ["code"] + ASSESSMENT_KEYS[2:] if prov.code_column else ASSESSMENT_KEYS


def _unit_rows(units: pd.DataFrame) -> list[dict]:
    rows = []
    for u in units.itertuples():
        start = u.pilot_start if u.pilot_start == u.pilot_start and u.pilot_start is not None else None
        rows.append({"cells": {"province": u.province, "unit": u.unit, "code": u.code, "level": u.level,
                               "group": {"pilot": "Thí điểm", "comparison": "Đối chứng"}[u.group],
                               "pilot_start": int(start) if start is not None else "",
                               "pilot_start_round": int(u.pilot_start_round) if start is not None else "",
                               "source": SOURCE_MARK}, "truth": None, "planted": None})
    return rows


def _truth_of(laid_out: list, rows: pd.DataFrame, file: str, sheet: str) -> pd.DataFrame:
    """The clean rows behind what was written, with file, sheet, row number and planted error."""
    items = [item for item in laid_out if item is not None]
    frame = rows.iloc[[item["truth"] for item in items]].reset_index(drop=True)
    where = pd.DataFrame({"file": file, "sheet": sheet, "row": [item["row"] for item in items],
                          "planted": [item["planted"] or "" for item in items]})
    return pd.concat([where, frame], axis=1)


def write_synthetic(out_dir: str | Path, seed: int = 2024, params: SynthParams | None = None,
                    design: Design | list | None = None) -> dict:
    """Simulate ``design`` (default the bundled sample) and write raw files under ``out_dir``.

    ``params`` default to the design's with ``seed``. Returns the manifest, also written to
    ``<out>/_synthetic/manifest.json`` beside the truth tables.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    design = as_design(design)
    params = params or replace(design.params, seed=seed)
    sim = simulate(params, design)
    rng = np.random.default_rng(params.seed + 1)
    units = sim["units"]
    messer = _Messer(rng, units, design.units_table != "none")
    written, truth = [], []
    rules = tuple(r for r in PLANTED_RULES if r != "unknown_unit" or design.units_table != "none")

    unit_rows_written = 0
    if design.units_table != "none":
        columns = [k for k in HEADERS["units_vi"] if k != "group" or design.units_table == "full"]
        laid = _layout(_unit_rows(units), 4, rng, empty_rate=0)
        _write_xlsx(out / "SYNTHETIC_don_vi_units.xlsx", [("Đơn vị", columns, laid, "units_vi")],
                    notes=["Danh sách đơn vị thí điểm và đối chứng (mô phỏng).",
                           "Mã ĐVHC của cấp xã là mã giả định, không phải mã chính thức.",
                           "Năm/Đợt bắt đầu thí điểm: đợt đánh giá đầu tiên trong thời gian thí điểm."])
        written.append("SYNTHETIC_don_vi_units.xlsx")
        unit_rows_written = len(laid)

    by_province = dict(tuple(sim["assessments"].groupby("province", sort=False)))
    for prov in design.provinces:
        rows = by_province[prov.name]
        keys = _assessment_keys(prov)
        blocks = [(y, rows[rows["year"] == y]) for y in prov.years] if prov.file_layout == "year" else [(None, rows)]
        for year, block in blocks:
            stem = f"SYNTHETIC_{slugify(prov.name)}" + (f"_{year}" if year is not None else "")
            plant = params.plant_errors and (year is None or year == prov.years[0])
            members = block[block["rater_id"] != ""]
            main = block[block["rater_id"] == ""]
            if prov.file_style.startswith("xlsx"):
                name = f"{stem}.xlsx"
                sheets = []
                for sheet_name, part in zip(SHEETS[prov.file_style], (main[main["rater"] == "self"],
                                                                      main[main["rater"] == "council"], members)):
                    if part.empty:
                        continue
                    rendered = _render_assessments(part, messer, prov.code_column)
                    if plant and sheet_name == SHEETS[prov.file_style][1]:
                        rendered = _plant_errors(rendered, part, rng, rules)
                    laid = _layout(rendered, 4, rng)
                    sheets.append((sheet_name, keys, laid, prov.file_style))
                    truth.append(_truth_of(laid, part, name, sheet_name))
                when = f" năm {year}" if year is not None else ""
                _write_xlsx(out / name, sheets, notes=[f"Kết quả chấm điểm {prov.name}{when} (mô phỏng)."])
            else:
                name = f"{stem}.csv"
                rendered = _render_assessments(block, messer, prov.code_column)
                if plant:
                    rendered = _plant_errors(rendered, block, rng, rules)
                laid = _layout(rendered, 3, rng)
                _write_csv(out / name, keys, laid, prov.file_style)
                truth.append(_truth_of(laid, block, name, ""))
            written.append(name)

    if design.outcomes:
        outcome_rows = [{"cells": {**o._asdict(), "source": SOURCE_MARK}, "truth": None, "planted": None}
                        for o in sim["outcomes"].itertuples(index=False)]
        laid = _layout(outcome_rows, 3, rng, empty_rate=0)
        _write_csv(out / "SYNTHETIC_outcomes.csv", list(HEADERS["outcomes_en"]), laid, "outcomes_en", delimiter=",")
        written.append("SYNTHETIC_outcomes.csv")

    manifest = _write_truth(out, design, params, sim, pd.concat(truth, ignore_index=True), written,
                            unit_rows_written)
    return manifest


TRUTH_FILES = {"units": "truth_units.csv", "body_waves": "truth_body_waves.csv",
               "assessments": "truth_assessments.csv.gz", "outcomes": "truth_outcomes.csv"}


def _write_truth(out: Path, design: Design, params: SynthParams, sim: dict, truth: pd.DataFrame, written: list,
                 unit_rows_written: int) -> dict:
    meta = out / "_synthetic"
    meta.mkdir(exist_ok=True)
    truth.to_csv(meta / TRUTH_FILES["assessments"], index=False, compression={"method": "gzip", "compresslevel": 1,
                                                                             "mtime": 0})
    units, body_waves = sim["units"], sim["body_waves"]
    units.to_csv(meta / TRUTH_FILES["units"], index=False)
    body_waves.to_csv(meta / TRUTH_FILES["body_waves"], index=False)
    sim["outcomes"].to_csv(meta / TRUTH_FILES["outcomes"], index=False)
    planted = truth.loc[truth["planted"] != "", ["file", "sheet", "row", "planted"]]
    waves = {p.name: [list(w) for w in p.waves] for p in design.provinces}
    bodies = [{"province": u.province, "code": u.code, "name": u.unit, "level": u.level, "group": u.group,
               "pilot_start": None if u.pilot_start != u.pilot_start or u.pilot_start is None else int(u.pilot_start),
               "pilot_start_round": None if u.pilot_start != u.pilot_start or u.pilot_start is None
               else int(u.pilot_start_round),
               "n_indicators": int(u.n_indicators), "members": bool(u.members), "lights": bool(u.lights)}
              for u in units.itertuples()]
    counts = {
        "provinces": len(design.provinces), "bodies": len(units), "units": len(units),
        "pilot": int((units["group"] == "pilot").sum()), "comparison": int((units["group"] == "comparison").sum()),
        "waves": {p: len(w) for p, w in waves.items()}, "waves_total": sum(len(w) for w in waves.values()),
        "body_waves": len(body_waves), "treated_body_waves": int(body_waves["treated"].sum()),
        "assessment_rows_written": len(truth), "unit_rows_written": unit_rows_written,
        "outcome_rows_written": len(sim["outcomes"]),
        "planted_errors": planted["planted"].value_counts().sort_index().to_dict(),
    }
    manifest = {
        "synthetic": True,
        "banner": BANNER,
        "generator": "iso18091lab.synthetic.model",
        "seed": params.seed,
        "design_name": design.name,
        "files": written,
        "tables_written": {"units": design.units_table, "outcomes": design.outcomes, "self": design.self_scores,
                           "members": bool(units["members"].any())},
        "truth_files": {k: f"_synthetic/{v}" for k, v in TRUTH_FILES.items()},
        "design": design.to_dict(bodies=False),
        "waves": waves,
        "bodies": bodies,
        **sim["truth"],
        "planted_errors": json.loads(planted.to_json(orient="records", force_ascii=False)),
        "counts": counts,
    }
    manifest = json.loads(json.dumps(manifest, ensure_ascii=False, default=_json_default))
    (meta / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def read_truth(raw_dir: str | Path) -> dict:
    """The manifest and truth tables written beside synthetic raw files (codes and ids kept as text, '' for
    none; numbers as numbers, NaN for none)."""
    meta = Path(raw_dir) / "_synthetic"
    text = {"code": str, "indicator": str, "rater_id": str, "sheet": str, "planted": str, "unit": str, "level": str,
            "rating": str, "file": str, "province": str, "measure": str}
    numbers = ["score", "value", "event_time", "pilot_start", "pilot_start_round", "true_score_100", "effect",
               "effect_overall", "effect_p1", "effect_p2", "effect_p3", "effect_p4", "pre_trend"]
    out = {"manifest": json.loads((meta / "manifest.json").read_text(encoding="utf-8"))}
    for key, name in TRUTH_FILES.items():
        out[key] = pd.read_csv(meta / name, dtype=text, keep_default_na=False, na_values={c: [""] for c in numbers})
    return out
