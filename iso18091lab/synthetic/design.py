"""The design of a synthetic scenario: who is assessed when, how the files look, and the planted parameters.

A :class:`Design` says *who* is assessed *when* and *how the files look* (provinces, bodies,
waves, pilot starts, score formats, which tables exist); its :class:`SynthParams` say *what is
planted* (effects, trends, self-inflation, noise), which :mod:`.model` draws from. Named designs are in
:mod:`.designs`.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

FILE_STYLES = ("xlsx_vi", "xlsx_en", "csv_plain")
SCORE_FORMATS = ("points", "lights", "mixed")
UNITS_TABLES = ("full", "no_group", "none")

Wave = tuple[int, int]  # (year, round)


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
