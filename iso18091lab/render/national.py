"""Report 40 in words, figures and tables, from its :class:`~iso18091lab.summaries.national.NationalSummary`.

:func:`summary_sentences`, :func:`caveats` and :func:`methods` word the summary in the reader's language (every
word from ``data/text.csv``); the ``show_*`` functions lay each section of the report out through a
:class:`~iso18091lab.render.notebook.NotebookReport`, so the notebook only calls them."""
from __future__ import annotations

import numpy as np
import pandas as pd

from iso18091lab.i18n import localise, number, reasons_text, t
from iso18091lab.render import figures as plots
from iso18091lab.summaries.national import LeftOut, NationalSummary

#: The columns of the by-province table the report shows (the provinces pooled).
SHOWN_COLUMNS = ["province", "estimate", "se", "ci_low", "ci_high", "n_pilot", "n_comparison", "n_treated"]


def left_out_sentence(items: list[LeftOut], lang: str = "vi") -> str:
    """The sentence that names the provinces the national pooling left out, and why (``text.csv``:
    ``nat_left_out`` and ``nat_left_out_<reason>``; a province that could not be estimated says why with
    ``ne_<detail>``), from :attr:`NationalSummary.left_out`; ``""`` when none was left out.

    Parameters
    ----------
    items : list of LeftOut
        The provinces left out (province, reason key, detail key, values).
    lang : str
        ``"vi"`` or ``"en"``.

    Returns
    -------
    str
        One sentence listing them, or ``""``.
    """
    parts = []
    for item in items:
        why = ""
        if item.reason == "not_estimable":
            try:
                why = t(f"ne_{item.detail}", lang, **dict(item.values))
            except KeyError:  # an unknown reason, or its values were not recorded
                why = t("ev_no_reason", lang)
        parts.append(t(f"nat_left_out_{item.reason}", lang, province=item.province, why=why))
    return t("nat_left_out", lang, list="; ".join(parts)) if parts else ""


def _power_sentence(s: NationalSummary, lang: str) -> str:
    num = lambda x: number(x, lang)  # noqa: E731
    low, high = s.power_sensitivity.iloc[0], s.power_sensitivity.iloc[-1]
    # the provinces pooled, else those estimated
    column, k = f"bodies_{s.main_effect:g}", s.pooled.n if s.pooled is not None else len(s.by_province)
    if s.power.tau2_estimated:
        # the estimate from few provinces, with the range over the assumed heterogeneity beside it (never one end)
        return t("nat_s4", lang, effect=num(s.main_effect), post=2, n=s.n_needed,
                 deff=number(s.power.design_effect, lang, 2), k=k, low=int(low[column]), high=int(high[column]),
                 tau=num(high["tau"]))
    return t("nat_s4_range", lang, k=k, effect=num(s.main_effect), m=s.power.bodies_per_province,
             low=int(low[column]), high=int(high[column]), tau=num(high["tau"]))


def missing_sentence(items: list[LeftOut], lang: str = "vi") -> str:
    """The provinces the national report lacks and why (``nat_missing`` and ``nat_missing_<reason>``, the report
    by its title), from :attr:`NationalSummary.missing`; ``""`` when none is missing."""
    parts = [t(f"nat_missing_{x.reason}", lang, province=x.province,
               report=t(f"title_{x.values.get('report', '')}", lang)) for x in items]
    return t("nat_missing", lang, list="; ".join(parts)) if parts else ""


def summary_sentences(s: NationalSummary, lang: str = "vi") -> list[str]:
    """The plain-language summary at the top of report 40: the pooled effect, heterogeneity and the strength of
    the evidence (or why there is none: "cannot answer with this design" when the provinces' own designs cannot
    answer, never a number), the provinces left out of the pooling and why, the indicators flagged everywhere,
    and the sample a national evaluation needs."""
    num = lambda x: number(x, lang)  # noqa: E731
    sentences = []
    p = s.pooled
    if p is not None:
        sentences += [
            t("nat_s1", lang, k=p.n, direction=t("dir_up" if p.estimate >= 0 else "dir_down", lang),
              estimate=num(abs(p.estimate)), low=num(p.ci_low), high=num(p.ci_high)),
            t("eff_s1_assoc", lang),
            t("nat_s2", lang, tau2=number(p.params["tau2"], lang, 2), i2=number(p.params["i2"], lang, 0),
              pi_low=num(p.params["pi_low"]), pi_high=num(p.params["pi_high"])) if s.tau2_estimated
            else t("nat_s2_few", lang, k=p.n),
            t("nat_strength", lang, strength=t("strength_" + s.strength, lang))]
    elif s.verdict is not None and s.verdict.reason == "design_too_small":  # never a number
        sentences.append(t("nat_cannot_answer", lang, n=int(s.verdict.values.get("n_pooled") or 0),
                           k=int(s.verdict.values.get("n_provinces") or 0)))
    else:
        sentences.append(t("nat_why_two", lang))
    if s.left_out:
        sentences.append(left_out_sentence(s.left_out, lang))
    if s.missing:
        sentences.append(missing_sentence(s.missing, lang))
    if s.has_flags:
        sentences.append(t("nat_s3", lang, list=", ".join(s.flagged_everywhere)) if s.flagged_everywhere
                         else t("nat_s3_none", lang))
    if s.power is not None:
        sentences.append(_power_sentence(s, lang))
    return sentences


def caveats(s: NationalSummary, lang: str = "vi") -> list[str]:
    """The caveats of report 40."""
    return [t("nat_c1", lang), t("nat_c2", lang), t("eff_c1", lang)]


def methods(s: NationalSummary, lang: str = "vi") -> list[str]:
    """The methods note of report 40."""
    return [t("nat_m1", lang), t("nat_m3", lang, min_pilots=s.min_pilots_per_start),
            t("nat_m2", lang, m=s.params["bodies_per_province"]), t("eff_m2", lang)]


def _not_estimable(rep, s: NationalSummary, section: str, heading: str) -> None:
    for item in s.not_estimated:
        if item.section == section:
            rep.not_estimable(item, section=heading)


def _pooled_label(rep) -> str:
    return f"{rep.t('pooled')} (REML, HK)"


def show_summary(rep, s: NationalSummary) -> None:
    """The summary sentences."""
    rep.summary(summary_sentences(s, rep.lang))


def show_provinces(rep, s: NationalSummary) -> None:
    """Section 1: the province effects pooled and the pooled effect (forest plot and table; only the provinces
    the pooling weighs), then the provinces left out and why."""
    rep.heading(rep.t("nat_h_provinces"))
    _not_estimable(rep, s, "provinces", rep.t("nat_h_provinces"))
    weighed = s.weighed()
    if s.pooled is not None:
        p = s.pooled
        forest = pd.concat([weighed.assign(label=weighed["province"], primary=False),
                            pd.DataFrame([{"label": _pooled_label(rep), "estimate": p.estimate, "ci_low": p.ci_low,
                                           "ci_high": p.ci_high, "primary": True}])], ignore_index=True)
        rep.figure(plots.forest_plot(forest, "label", rep.lang), "provinces", rep.t("nat_fig_provinces"))
    if s.pooled is not None or len(weighed):
        rep.table(localise(weighed[SHOWN_COLUMNS], rep.lang), "by_province", rep.t("nat_tab_provinces"))
    if s.left_out:
        rep.markdown(left_out_sentence(s.left_out, rep.lang))


def show_tiers(rep, s: NationalSummary) -> None:
    """Section 2: effects by body level (district, commune), pooled over the provinces for each level."""
    rep.heading(rep.t("nat_h_tiers"))
    _not_estimable(rep, s, "tiers", rep.t("nat_h_tiers"))
    if not len(s.tier_pooled):
        return
    name = lambda v: rep.t(f"tier_{v}") if v in ("district", "commune") else str(v)  # noqa: E731
    by_tier = s.weighed_tiers()  # the province × level estimates the pooling by level weighs
    table = by_tier.assign(label=by_tier["tier"].map(name) + " · " + by_tier["province"], primary=False)
    extra = s.tier_pooled.assign(label=s.tier_pooled["tier"].map(lambda v: f"{name(v)} · {_pooled_label(rep)}"),
                                 primary=True)
    table = pd.concat([table, extra[["label", "tier", "estimate", "ci_low", "ci_high", "primary"]]],
                      ignore_index=True).sort_values(["tier", "primary"])
    rep.figure(plots.forest_plot(table, "label", rep.lang), "tiers", rep.t("nat_fig_tiers"))
    rep.table(localise(table[["label", "estimate", "ci_low", "ci_high", "n_pilot", "n_comparison"]]
                       .rename(columns={"label": "outcome"}), rep.lang), "by_tier", rep.t("nat_tab_tiers"))


def show_heterogeneity(rep, s: NationalSummary) -> None:
    """Section 3: the pooled effect by every τ² estimator, with and without Hartung-Knapp."""
    rep.heading(rep.t("nat_h_heterogeneity"))
    _not_estimable(rep, s, "provinces", rep.t("nat_h_heterogeneity"))
    if s.pooled is not None:
        rep.table(localise(s.heterogeneity, rep.lang), "heterogeneity", rep.t("nat_tab_heterogeneity"))


def show_indicators(rep, s: NationalSummary) -> None:
    """Section 4: reliability by province and the indicators flagged, by province."""
    rep.heading(rep.t("nat_h_indicators"))
    _not_estimable(rep, s, "indicators", rep.t("nat_h_indicators"))
    if not s.has_flags:
        return
    reliability = s.reliability_by_province.replace({"province": {"pooled": rep.t("pooled")}})
    rep.table(localise(reliability, rep.lang), "reliability_by_province", rep.t("rel_tab_pooled"))
    matrix = s.flagged.assign(reasons=s.flagged["reasons"].map(lambda r: reasons_text(r, rep.lang)))
    rep.table(localise(matrix.sort_values(["indicator", "province"]), rep.lang), "flagged_by_province",
              rep.t("nat_tab_indicators"))


def show_power(rep, s: NationalSummary) -> None:
    """Section 5: the sample a national evaluation needs (power curves, bodies needed, the 2025 frame)."""
    rep.heading(rep.t("nat_h_power"))
    _not_estimable(rep, s, "power", rep.t("nat_h_power"))
    if s.power is None:
        return
    lang, num = rep.lang, lambda x: number(x, rep.lang)  # noqa: E731
    rep.figure(plots.power_curves(s.power_curves, lang, target=s.main_effect), "power", rep.t("nat_fig_power"))
    if not s.power.tau2_estimated:
        rep.markdown(_power_sentence(s, lang))
    effects = s.params["effects_to_detect"]
    shown = s.power_sensitivity.rename(columns={f"bodies_{float(e):g}": rep.t("bodies_needed_for", effect=num(e))
                                                for e in effects})
    rep.table(localise(shown, lang), "power_sensitivity", rep.t("nat_tab_sensitivity"))
    rep.table(localise(s.bodies_needed, lang), "bodies_needed", rep.t("nat_tab_power"))
    frame = s.frame_2025
    rep.markdown(rep.t("nat_frame_2025", provinces=frame["provinces"], communes=number(frame["communes"], lang, 0),
                       n=number(s.n_needed, lang, 0),
                       share=number(100 * s.n_needed / frame["communes"], lang, 1) + " %"))
    p = s.power
    inputs = pd.DataFrame({"parameter": ["σ²", "ψ pre", "ψ post", "ψ cross",
                                         t("col.icc", lang), "design effect"],
                           "value": [p.variance, p.pre, p.post, p.cross,
                                     p.icc_provinces if p.icc_provinces is not None else np.nan, p.design_effect]})
    rep.table(localise(inputs, lang), "power_inputs", rep.t("nat_tab_inputs"))


def show_end(rep, s: NationalSummary) -> None:
    """Caveats and methods (the summary is said once, at the top), then the report's entry of ``results.json``
    (what the page showed)."""
    rep.caveats(rep.t("eff_h_caveats"), caveats(s, rep.lang))
    rep.methods(methods(s, rep.lang))
    rep.save()
