"""Report 30 in words, figures and tables, from its :class:`~iso18091lab.summaries.effectiveness.EffectivenessSummary`.

:func:`summary_sentences`, :func:`caveats` and :func:`methods` word the summary in the reader's language (every
word from ``data/text.csv``); the ``show_*`` functions lay each section of the report out through a
:class:`~iso18091lab.render.notebook.NotebookReport`, so the notebook only calls them."""
from __future__ import annotations

from iso18091lab.i18n import TEXT, localise, number, outcome_label, p_text, t
from iso18091lab.render import figures as plots
from iso18091lab.summaries.effect import answer_values
from iso18091lab.summaries.effectiveness import (EFFECTIVENESS_COLUMNS, EVENT_STUDY_COLUMNS, PRE_REFORM_OUTCOME,
                                                 TWFE_OUTCOME, EffectivenessSummary)


def effect_answer(verdict, record: dict, lang: str = "vi") -> str:
    """The sentence that answers "did the pilot work?" for a province, from its verdict
    (:func:`iso18091lab.stats.verdict.effect_verdict`, a ``Verdict`` or its dict) and the primary effectiveness
    row it was made from (estimate, ci_low, ci_high, p_value, p_min, n_assignments, n_pilot, n_comparison,
    inference)."""
    a = answer_values(verdict, record)
    values, n_assign = a["values"], a["n_assignments"]
    how = t(f"inference_{a['inference']}", lang) if f"inference_{a['inference']}" in TEXT else ""
    fields = {"estimate": number(values.get("estimate", float("nan")), lang),
              "low": number(values.get("ci_low", float("nan")), lang),
              "high": number(values.get("ci_high", float("nan")), lang),
              "p": p_text(values.get("p_value", float("nan")), lang),
              "p_min": number(values.get("p_min", float("nan")), lang, 3).rstrip("0").rstrip(",."),
              "min_effect": number(values.get("min_effect", float("nan")), lang, 0),
              "n_pilot": a["n_pilot"], "n_comparison": a["n_comparison"], "how": how,
              "n_assignments": number(n_assign, lang, 0) if n_assign is not None and n_assign == n_assign
              and n_assign else "–",
              "n_needed_pilot": a["n_needed_pilot"], "n_needed_comparison": a["n_needed_comparison"]}
    return t(f"ev_effect_{a['reason']}", lang, **fields)


def _interval(row, lang: str) -> dict:
    return {"estimate": number(row["estimate"], lang), "low": number(row["ci_low"], lang),
            "high": number(row["ci_high"], lang)}


def _pretrend_sentence(s: EffectivenessSummary, lang: str) -> list[str]:
    if s.pretrend is not None and s.pretrend.df1 > 0:
        return [t("eff_pretrend_" + s.pretrend_verdict.reason, lang, p=p_text(s.pretrend.p_value, lang),
                  **s.pretrend_verdict.values)]
    if s.pretrend is not None and s.pretrend.n_pre_waves == 1:
        return [t("eff_c2", lang)]
    return []


def summary_sentences(s: EffectivenessSummary, lang: str = "vi") -> list[str]:
    """The plain-language summary at the top of report 30: the answer, what it is an average of, the pre-trend
    test, the secondary estimates, the bodies left out, pillars, indicators and self scores."""
    sentences = []
    primary = s.primary_record()
    if primary is not None:
        sentences.append(effect_answer(s.verdict, primary, lang))
        sentences.append(t("eff_s1", lang, n_treated=s.n_treated, n_pilot=int(primary["n_pilot"]),
                           n_comparison=int(primary["n_comparison"])))
        sentences += _pretrend_sentence(s, lang)
        sentences.append(t("eff_s1_assoc", lang))
        sentences += [t("eff_s_twfe", lang, **_interval(r, lang)) for _, r in s.secondary(TWFE_OUTCOME).iterrows()]
        for _, r in s.secondary(PRE_REFORM_OUTCOME).iterrows():  # the panel crosses 1 July 2025
            sentences += [t("eff_reform_note", lang), t("eff_s_pre_reform", lang, **_interval(r, lang))]
    excluded, left = s.excluded(), s.left_at_reform()
    if len(excluded):
        sentences.append(t("eff_s_excluded", lang, n=int((excluded["group"] == "pilot").sum())))
    if int((left["group"] == "pilot").sum()):
        sentences.append(t("eff_s_left_reform", lang, n=int((left["group"] == "pilot").sum())))
    pillars, indicators = s.rows("pillar", "council"), s.rows("indicator")
    if len(pillars):
        sentences.append(t("eff_s2", lang, pillars="; ".join(
            f"{outcome_label(r.outcome, lang)}: {number(r.estimate, lang)} ({number(r.ci_low, lang)} – "
            f"{number(r.ci_high, lang)})" for r in pillars.itertuples())))
    if len(indicators):
        sentences.append(t("eff_s3", lang, n_sig=int((indicators["q_value"] < 0.05).sum()), n_ind=len(indicators)))
    sentences += [t("eff_s4", lang, **_interval(r, lang)) for _, r in s.rows("overall", "self").iterrows()]
    return sentences


def caveats(s: EffectivenessSummary, lang: str = "vi") -> list[str]:
    """The caveats of report 30."""
    single = [t("eff_c2", lang)] if s.pretrend is not None and s.pretrend.n_pre_waves == 1 else []
    return [t("eff_c1", lang)] + single + [t("eff_c3", lang), t("eff_c4", lang, n=s.n_bodies)]


def methods(s: EffectivenessSummary, lang: str = "vi") -> list[str]:
    """The methods note of report 30."""
    return [t("eff_m1", lang, n_perm=s.params["n_permutations"], min_cohort=s.min_pilots_per_start),
            t("eff_m2", lang), t("eff_m3", lang)]


def _section(s: EffectivenessSummary, section: str):
    return [item for item in s.not_estimated if item.section == section]


def _labelled(frame, lang: str):
    return frame.assign(label=frame["outcome"].map(lambda o: outcome_label(o, lang)))


def show_summary(rep, s: EffectivenessSummary) -> None:
    """The headline part: why it was not estimated (if so), the fixed-column tables and the summary sentences."""
    for item in _section(s, "main"):
        rep.not_estimable(item, section=rep.t("eff_h_main"))
    rep.export_table(s.table[EFFECTIVENESS_COLUMNS], "effectiveness")
    rep.export_table(s.event_study[EVENT_STUDY_COLUMNS], "event_study")
    rep.summary(summary_sentences(s, rep.lang))


def show_timing(rep, s: EffectivenessSummary) -> None:
    """Section 1: the bodies that cannot enter the comparison, and why."""
    rep.heading(rep.t("eff_h_timing"))
    if len(s.exclusions):
        shown = s.exclusions.assign(reason=s.exclusions["reason"].map(lambda r: rep.t("excl_" + r)))
        rep.table(localise(shown[["body_label", "group", "reason"]], rep.lang), "pilot_timing",
                  rep.t("eff_tab_timing"))
    else:
        rep.markdown(rep.t("eff_timing_none"))


def show_main(rep, s: EffectivenessSummary) -> None:
    """Section 2: the overall, pillar and secondary estimates (forest plot and table); self scores and external
    outcomes that could not be estimated."""
    rep.heading(rep.t("eff_h_main"))
    main = _labelled(s.table, rep.lang)
    main = main[main["level"].isin(["overall", "pillar", "secondary"])].copy()
    if len(main):
        main["label"] = main["label"] + " · " + main["rater"].map(lambda r: rep.t(r + "_short"))
        main["primary"] = (main["level"] == "overall") & (main["rater"] == "council")
        rep.figure(plots.forest_plot(main, "label", rep.lang), "forest", rep.t("eff_fig_forest"))
        rep.table(localise(main[["label", "level", "rater", "estimate", "ci_low", "ci_high", "p_value",
                                 "effect_size", "n_pilot", "n_comparison", "method"]]
                           .rename(columns={"label": "outcome"}), rep.lang), "main", rep.t("eff_tab_main"))
    for item in _section(s, "self") + _section(s, "external"):
        rep.not_estimable(item, section=rep.t("self") if item.section == "self" else rep.t("eff_h_external"))
    for item in s.not_estimated:  # a row of this table that could not be estimated (the two-way FE "phụ" row …)
        outcome, _, rater = item.section.removeprefix("outcome:").partition("|")
        if item.section.startswith("outcome:") and not outcome.startswith("indicator"):
            rep.not_estimable(item, section=f"{outcome_label(outcome, rep.lang)} · {rep.t(rater + '_short')}")


def show_event_study(rep, s: EffectivenessSummary) -> None:
    """Section 3: effects by waves since the start, placebo waves before it and the pre-trend test."""
    rep.heading(rep.t("eff_h_event"))
    for item in _section(s, "event"):
        rep.not_estimable(item, section=rep.t("eff_h_event"))
    if not len(s.event_study):
        return
    shown = s.shown_events()
    caption = rep.t("eff_tab_event")
    if s.primary is not None and s.primary.params["inference"] == "randomization":
        # said in the caption, which travels with the table into the Word pack (a paragraph would not)
        caption = rep.t("eff_tab_event_small", min_cohort=s.min_pilots_per_start, smallest=s.smallest_cohort)
    rep.figure(plots.event_study_plot(shown, rep.lang), "event_study", rep.t("eff_fig_event"))
    rep.table(localise(shown[["event_time", "kind", "estimate", "ci_low", "ci_high", "n_bodies"]], rep.lang),
              "event_study", caption)
    for sentence in _pretrend_sentence(s, rep.lang):
        rep.markdown(sentence)


def show_indicators(rep, s: EffectivenessSummary) -> None:
    """Sections 4 and 5: indicators (with q-values) and external outcomes."""
    rep.heading(rep.t("eff_h_indicators"))
    indicators, external = _labelled(s.rows("indicator"), rep.lang), _labelled(s.rows("external"), rep.lang)
    if len(indicators):
        rep.table(localise(indicators[["label", "estimate", "ci_low", "ci_high", "p_value", "q_value", "effect_size"]]
                           .rename(columns={"label": "outcome"}), rep.lang), "indicators", rep.t("eff_tab_indicators"))
    rep.heading(rep.t("eff_h_external"))
    if len(external):
        rep.table(localise(external[["label", "estimate", "ci_low", "ci_high", "p_value", "effect_size", "n_pilot",
                                     "n_comparison"]].rename(columns={"label": "outcome"}), rep.lang), "external",
                  rep.t("eff_tab_external"))


def show_pre_post(rep, s: EffectivenessSummary) -> None:
    """Section 6: before and under the pilot in pilot bodies."""
    rep.heading(rep.t("eff_h_prepost"))
    for item in _section(s, "prepost"):
        rep.not_estimable(item, section=rep.t("eff_h_prepost"))
    if len(s.prepost):
        rep.table(localise(s.prepost, rep.lang), "pre_post", rep.t("eff_tab_prepost"))


def show_end(rep, s: EffectivenessSummary) -> None:
    """Caveats and methods, then the report's entry of ``results.json`` (what the page showed)."""
    rep.caveats(rep.t("eff_h_caveats"), caveats(s, rep.lang))
    rep.methods(methods(s, rep.lang))
    rep.save()
