"""The evidence pack's first page: did the pilot work, by how much, how sure; can the indicators be trusted; what
follows for a roll-out — sentences from the reports' typed summaries. The index page's main result gives the
same reason when there is no effect (:func:`headline_reason`).
"""
from __future__ import annotations

from pathlib import Path

from iso18091lab.i18n import number, t
from iso18091lab.render.effectiveness import effect_answer
from iso18091lab.render.national import left_out_sentence
from iso18091lab.render.notebook import reason_text
from iso18091lab.render.pack_content import _label
from iso18091lab.render.reliability import consistency_sentences
from iso18091lab.summaries.base import has_summary, load_summary
from iso18091lab.summaries.effect import effect_verdict_of
from iso18091lab.summaries.national import NationalSummary
from iso18091lab.summaries.reliability import ReliabilitySummary


def reliability_summary_of(folder: Path) -> ReliabilitySummary | None:
    """The reliability summary report 20 saved in a report folder, or None when it did not run there."""
    return load_summary(folder, "20_reliability") if has_summary(folder, "20_reliability") else None


#: The summary section whose ``NotEstimated`` is the reason there is no headline effect: the province's main
#: estimate (``summaries.effectiveness``), the national pooling (``summaries.national``).
HEADLINE_SECTIONS = ("main", "provinces")


def headline_reason(summary, lang: str = "vi") -> str:
    """Why ``summary`` (an effectiveness or national summary, or None) has no headline effect, in ``lang``: the
    reasons of its :data:`HEADLINE_SECTIONS` entries of ``not_estimated``, joined by "; " ("" when it recorded
    none). The Word pack's answer and the index page's main result both say this."""
    headline = [n for n in getattr(summary, "not_estimated", None) or []
                if n.section in HEADLINE_SECTIONS and n.reason]
    return "; ".join(dict.fromkeys(filter(None, (reason_text(n, lang) for n in headline))))


def _not_estimated(notebook: str, lang: str, summary=None) -> str:
    """Why a report's answer is missing, from its typed ``summary``: the reason of its headline section when it
    recorded one (so the effect's answer does not list the reasons of other sections: levels, sample size), else
    every reason it recorded; without a summary, that the report ``notebook`` did not run."""
    if summary is None:
        return _label("not_run", lang, report=t(f"title_{notebook}", lang))
    reason = headline_reason(summary, lang) or "; ".join(
        dict.fromkeys(filter(None, (reason_text(n, lang) for n in summary.not_estimated))))
    return _label("not_estimated_because", lang, reason=reason or _label("no_reason", lang))


#: The roll-out advice (``ev_rollout_<advice>``) for each reason of :func:`stats.verdict.effect_verdict`; any
#: other reason (inconclusive, design_too_small, inconsistent) is "unclear".
ROLLOUT_BY_REASON = {"improved": "up", "improved_small": "small", "worsened": "no", "below_min_effect": "no",
                     "not_estimated": "unknown"}


def answer(results: dict, names: dict[str, str], lang: str, reliability: ReliabilitySummary | None = None,
           effect=None) -> dict[str, list[str]]:
    """The first page: {"effect": [...], "trust": [...], "rollout": [...]} sentences.

    Parameters
    ----------
    results : dict
        The folder's ``results.json``: only which reports the folder shows, to name the one that did not run
        (every number, list and reason comes from the summaries).
    names : dict
        Indicator names by code.
    lang : str
        ``"vi"`` or ``"en"``.
    reliability : ReliabilitySummary, optional
        The province's reliability summary (report 20, :func:`reliability_summary_of`): the trust answer.
    effect : NationalSummary or EffectivenessSummary, optional
        The folder's summary that answers "did the pilot work?" (:func:`iso18091lab.summaries.effect.
        effect_summary`): the effect, its verdict (nationally :func:`iso18091lab.stats.verdict.
        national_effect_verdict`: no number when the provinces' designs cannot answer), the provinces the
        pooling left out, the indicators flagged everywhere and the national sample size.

    Returns
    -------
    dict
        ``{"effect": [...], "trust": [...], "rollout": [...]}`` sentences in ``lang``.
    """
    fmt = lambda x: number(x, lang)  # noqa: E731
    effect_lines, trust, rollout = [], [], []
    clear = None
    nat = effect if isinstance(effect, NationalSummary) else None
    primary = effect.primary_record() if effect is not None and nat is None else None
    verdict = effect_verdict_of(effect)
    if nat is not None and nat.pooled is not None:
        p = nat.pooled
        clear = verdict.answer
        key = {"improved": "up", "improved_small": "up_small", "worsened": "down",
               "below_min_effect": "below_min_effect"}.get(verdict.reason, "unclear")
        effect_lines.append(_label(f"national_{key}", lang, k=p.n, estimate=fmt(p.estimate), low=fmt(p.ci_low),
                                   high=fmt(p.ci_high), pi_low=fmt(p.params["pi_low"]),
                                   pi_high=fmt(p.params["pi_high"]),
                                   min_effect=fmt(verdict.values.get("min_effect", float("nan")))))
        if nat.strength:
            effect_lines.append(t("nat_strength", lang, strength=t("strength_" + nat.strength, lang)))
    elif nat is not None and verdict.reason == "design_too_small":  # never a number
        clear = verdict.answer
        effect_lines.append(_label("national_design_too_small", lang, n=int(verdict.values.get("n_pooled") or 0),
                                   k=int(verdict.values.get("n_provinces") or 0)))
    elif primary is not None:
        clear = verdict.answer
        effect_lines.append(effect_answer(verdict, primary, lang))
    else:
        effect_lines.append(_label("effect_none", lang, why=_not_estimated(
            "40_national" if "40_national" in results else "30_effectiveness", lang, effect)))
    if nat is not None and nat.left_out:  # the provinces the pooling left out, and why
        effect_lines.append(left_out_sentence(nat.left_out, lang))
    if clear is not None:
        effect_lines.append(_label("effect_caveat", lang))
    effect = effect_lines

    flagged: list[str] = []
    if nat is not None:
        flagged = list(nat.flagged_everywhere)
        trust.append(_label("trust_national", lang, n=len(flagged), list=_named(flagged, names))
                     if flagged else _label("trust_national_none", lang))
    elif reliability is not None:
        overall = reliability.inflation_overall
        if overall is not None:
            trust.append(_label("trust_agreement", lang, inflation=fmt(overall.estimate), low=fmt(overall.ci_low),
                                high=fmt(overall.ci_high), n_bodies=overall.n))
        flagged = list(reliability.flagged)
        # "consistent" only where the intervals showed it (stats.verdict)
        trust += consistency_sentences(reliability.trust, lang, names)
        if overall is not None and overall.ci_low > 0:
            rollout.append(_label("rollout_keep_council", lang))
        if reliability.members_needed.get("0.8") is not None:
            rollout.append(_label("rollout_council_size", lang, m80=reliability.members_needed["0.8"],
                                  m90=reliability.members_needed.get("0.9") or "–"))
    else:
        trust.append(_label("trust_none", lang, why=_not_estimated("20_reliability", lang)))

    # the roll-out advice follows the verdict's reason, so it can never contradict the answer above it
    advice = "unknown" if clear is None else ROLLOUT_BY_REASON.get(verdict.reason, "unclear")
    min_effect = number(verdict.values.get("min_effect", float("nan")), lang, 0)
    rollout.insert(0, _label(f"rollout_{advice}", lang, min_effect=min_effect))
    if flagged:
        rollout.append(_label("rollout_guidance", lang, list=", ".join(flagged)))
    rollout += _bodies_needed(nat, fmt, lang)
    return {"effect": effect, "trust": trust, "rollout": rollout}


def _bodies_needed(national: NationalSummary | None, fmt, lang: str) -> list[str]:
    """The national sample size for an effect of MIN_EFFECT points as a range over the assumed between-province
    heterogeneity (the power sensitivity table: from tau = 0, the optimistic end, to the largest tau assumed),
    with the assumption said; the estimate from the provinces' own heterogeneity is added when there was one."""
    if national is None or national.power is None:
        return []
    effect = national.min_effect
    column = f"bodies_{effect:g}"
    if column not in national.power_sensitivity:
        return []
    rows = national.power_sensitivity.dropna(subset=[column]).sort_values("tau")
    if not len(rows):
        return []
    inputs = national.power
    out = [_label("rollout_sample", lang, effect=fmt(effect), low=int(rows[column].iloc[0]),
                  high=int(rows[column].iloc[-1]), tau=fmt(rows["tau"].iloc[-1]), m=inputs.bodies_per_province)]
    needed = national.bodies_needed
    row = needed[needed["effect"] == effect] if len(needed) else needed
    if inputs.tau2_estimated and len(row) and row["bodies_2y"].iloc[0]:
        out.append(_label("rollout_sample_estimated", lang, k=national.pooled.n if national.pooled else 0,
                          deff=number(inputs.design_effect, lang, 2), n=int(row["bodies_2y"].iloc[0])))
    return out


def _named(codes: list[str], names: dict[str, str]) -> str:
    return "; ".join(f"{c} {names[c]}" if names.get(c) else c for c in codes)
