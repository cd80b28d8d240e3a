"""The generative model of the synthetic pilot data: what is planted, drawn for a :class:`~.design.Design`.

:func:`simulate` draws the clean tables (what ingest should recover) and :func:`planted_truth` gives the
planted values; :mod:`.write` renders them as raw files.

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

import json
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from iso18091lab.catalog import load_catalog
from iso18091lab.config import DEFAULT_SCALE, Scale
from iso18091lab.synthetic.design import Body, Design, ProvinceDesign, SynthParams, Wave, as_design

PILOT_TIMING = ("pilot_start is the year of the first assessment wave under the pilot, pilot_start_round that "
                "wave's round (default 1); wave (year, round) is under the pilot when (year, round) >= "
                "(pilot_start, pilot_start_round)")
COMMUNE_LEVELS = ("phường", "xã", "thị trấn", "đặc khu")


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
