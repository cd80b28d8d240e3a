"""Report 20 in words, tables and figures, from its :class:`~iso18091lab.summaries.reliability.ReliabilitySummary`:
the summary sentences, the words of the consistency verdict (also on the Word pack's first page), and each
section of the report. Every word comes from the text table."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from iso18091lab.i18n import localise, number, reasons_text, t
from iso18091lab.render import figures as plots
from iso18091lab.render.notebook import NotebookReport
from iso18091lab.summaries.base import Verdict
from iso18091lab.summaries.reliability import INFLATION_COLUMNS, MIN_BODIES, ReliabilitySummary

#: Columns of the review table shown in the report (the exported table has every measure, no bands).
REVIEW_SHOWN = ["indicator", "pillar", "n_bodies", "member_icc", "member_band", "member_sd", "icc_c1",
                "icc_c1_ci_low", "icc_c1_ci_high", "icc_c1_band", "item_rest_r", "flag"]
#: Columns of the review the report adds for reading (left out of the exported table).
READING_COLUMNS = ["n_body_years", "member_band", "icc_c1_band"]


def band_text(key: str, lang: str = "vi") -> str:
    """The words of a Koo & Li band key.

    Parameters
    ----------
    key : str
        ``"moderate"``, ``"poor/moderate"`` (an interval over two bands), ``"uncertain"``
        (:func:`iso18091lab.stats.review.bands.band_ci_key`), or a kappa band (``"almost perfect"``).
    lang : str
        ``"vi"`` or ``"en"``.

    Returns
    -------
    str
        "trung bình", "kém đến trung bình", "chưa chắc chắn" …
    """
    return f" {t('band_to', lang)} ".join(t(f"band_{name.replace(' ', '_')}", lang) for name in str(key).split("/"))


def consistency_sentences(verdict: Verdict, lang: str = "vi", names: dict | None = None,
                          with_members: bool = True) -> list[str]:
    """The words of :func:`iso18091lab.stats.verdict.indicator_set_verdict` (``text.csv``:
    ``verdict_consistency_*``): the answer, then, when some indicators are undecided, what data would decide
    them.

    Parameters
    ----------
    verdict : Verdict
        The set's verdict (``ReliabilitySummary.trust``).
    lang : str
        ``"vi"`` or ``"en"``.
    names : dict, optional
        Indicator names by code, said beside the codes.
    with_members : bool
        False leaves out the D study's council size (for a page that states it anyway).

    Returns
    -------
    list of str
    """
    v = verdict.values
    named = lambda codes: ", ".join(f"{c} {names[c]}" if names and names.get(c) else c for c in codes)  # noqa: E731
    if verdict.reason == "consistency_not_measured":
        return [t("verdict_consistency_not_measured", lang, min=MIN_BODIES)]
    if verdict.reason == "consistency_shown":
        return [t("verdict_consistency_shown", lang, n=v["n"])]
    out = []
    if verdict.reason == "flagged":
        out.append(t("verdict_consistency_flagged", lang, k=v["n_no"], n=v["n"], list=named(v["flagged"]),
                     n_yes=v["n_yes"], n_unclear=v["n_unclear"]))
    else:
        out.append(t("verdict_consistency_uncertain", lang, n_unclear=v["n_unclear"], n=v["n"], n_yes=v["n_yes"],
                     n_bodies=v["n_bodies"]))
    if v["n_unclear"]:
        if v.get("needed_low") is not None:
            span = (str(v["needed_low"]) if v["needed_low"] == v["needed_high"]
                    else t("range_to", lang, low=v["needed_low"], high=v["needed_high"]))
            out.append(t("verdict_consistency_needed", lang, span=span, now=v.get("subjects_now") or "–"))
        if with_members and v.get("members_needed") is not None:
            out.append(t("verdict_consistency_members", lang, m=v["members_needed"], n=v.get("member_bodies", 0)))
        elif v.get("needed_low") is None and v.get("members_needed") is None:
            out.append(t("verdict_consistency_what_data", lang))
    return out


def summary_sentences(summary: ReliabilitySummary, lang: str = "vi") -> list[str]:
    """The report's plain-language summary: can the indicator set be trusted (and where not), how lenient
    self-scoring is, and what follows for a roll-out (council appraisal, council size, indicators needing
    scoring guidance). Parts the summary does not hold are left out.

    Parameters
    ----------
    summary : ReliabilitySummary
    lang : str
        ``"vi"`` or ``"en"``.

    Returns
    -------
    list of str
    """
    num = lambda x, d=1: number(x, lang, d)  # noqa: E731
    review, sentences, n = summary.review, [], summary.n_reviewed
    if n == 0:
        why = "; ".join(t(f"ne_{e.reason}", lang, **e.values) for e in summary.review_not_estimated) \
            or t("ne_too_few", lang, detail="–")
        sentences.append(t("rel_trust_unknown", lang, why=why))
    else:  # "consistent" only where the intervals show it (stats.verdict)
        sentences += consistency_sentences(summary.trust, lang, with_members=False)
    inconsistent = review["reason"].astype(str).str.contains("self_council_inconsistent") if len(review) else []
    if n and sum(inconsistent) > n / 2:
        sentences.append(t("rel_self_wide", lang, k=int(sum(inconsistent)), n=n))
    overall = summary.inflation_overall
    if overall is not None:
        values = dict(est=num(abs(overall.estimate)), low=num(overall.ci_low), high=num(overall.ci_high),
                      n=overall.n)
        key = "rel_lenient" if overall.ci_low > 0 else "rel_strict" if overall.ci_high < 0 else "rel_no_offset"
        if key == "rel_no_offset":
            values["est"] = num(overall.estimate)
        sentences.append(t(key, lang, **values))
        by_body = summary.inflation_by_body
        if len(by_body) and key == "rel_lenient":
            top = by_body[by_body["ci_low"] > overall.estimate].head(3)
            if len(top):
                sentences.append(t("rel_lenient_bodies", lang, list=", ".join(
                    f"{label} (+{num(e)})" for label, e in zip(top["body_label"], top["estimate"]))))
        if key == "rel_lenient":
            sentences.append(t("rel_rollout_council", lang))
    if summary.members_needed:
        need, ci = summary.members_needed, summary.members_needed_ci
        bound = lambda target, i: "–" if ci[target][i] is None else ci[target][i]  # noqa: E731
        sentences.append(t("rel_rollout_raters", lang, m8=need["0.8"], lo8=bound("0.8", 0), hi8=bound("0.8", 1),
                           m9=need["0.9"], lo9=bound("0.9", 0), hi9=bound("0.9", 1)))
        if summary.member_bodies < summary.few_member_bodies:
            sentences.append(t("rel_few_member_bodies", lang, n=summary.member_bodies, m=summary.few_member_bodies))
    disagreed = summary.most_disagreed
    if len(disagreed):
        sentences.append(t("rel_rollout_guidance", lang, list=", ".join(
            f"{i} (ICC {num(v, 2)})" for i, v in zip(disagreed["indicator"], disagreed["member_icc"]))))
    return sentences


# -- the report, section by section ----------------------------------------------------------------------------
def summary_section(rep: NotebookReport, summary: ReliabilitySummary) -> None:
    """Export the tables re-analyses read, and show the summary sentences."""
    rep.export_table(summary.review.drop(columns=[c for c in READING_COLUMNS if c in summary.review]),
                     "indicator_review")
    # written in every report; header only when it cannot be estimated (the report says why)
    rep.export_table(summary.inflation.reindex(columns=INFLATION_COLUMNS), "self_inflation")
    if len(summary.raters_needed):
        rep.export_table(summary.raters_needed, "raters_needed")
    rep.summary(summary_sentences(summary, rep.lang))


def consistency_section(rep: NotebookReport, summary: ReliabilitySummary) -> None:
    """Question 1: can the indicators be scored consistently?"""
    lang = rep.lang
    rep.heading(rep.t("rel_h_q1"))
    for part, key in (("review", "rel_h_q1"), ("members", "rel_sec_members"),
                      ("self_council", "rel_sec_self_council"), ("items", "rel_sec_items")):
        if summary.missing(part):
            rep.not_estimable(summary.missing(part), section=rep.t(key))
    review = summary.review
    # only the indicators someone scored (the catalog's others are counted in one sentence)
    scored = review[review["n_bodies"] > 0]
    if len(scored) < len(review):
        rep.markdown(rep.t("rel_unscored", n=len(review) - len(scored), total=len(review)))
    shown = scored.assign(member_band=scored["member_band"].map(lambda k: band_text(k, lang)),
                          icc_c1_band=scored["icc_c1_band"].map(lambda k: band_text(k, lang)))
    rep.table(localise(shown[[c for c in REVIEW_SHOWN if c in shown]], lang), "indicator_review",
              rep.t("rel_tab_review"))
    if review["icc_c1"].notna().any():
        rep.figure(plots.interval_plot(review.dropna(subset=["icc_c1"]), "indicator", "icc_c1", "icc_c1_ci_low",
                                       "icc_c1_ci_high", lang, xlabel="ICC(C,1)", reference=[0.5, 0.75, 0.9],
                                       flagged=set(summary.flagged)), "icc_c1", rep.t("rel_fig_icc_c1"))
    if len(summary.council_interrater):
        rep.table(localise(summary.council_interrater, lang), "council_interrater", rep.t("rel_tab_council"))
    consistency = summary.internal_consistency
    if len(consistency):
        rep.table(localise(consistency, lang), "internal_consistency", rep.t("rel_tab_consistency"))
        pillars = consistency.dropna(subset=["alpha"]).assign(
            pillar=lambda f: f["pillar"].map(lambda p: f"{rep.t('pillar')} {p}"))
        rep.figure(plots.interval_plot(pillars, "pillar", "alpha", "alpha_ci_low", "alpha_ci_high", lang,
                                       xlabel="Alpha", reference=[0.7, 0.9]), "alpha", rep.t("rel_fig_consistency"))


def leniency_section(rep: NotebookReport, summary: ReliabilitySummary) -> None:
    """Question 2: do bodies score themselves leniently?"""
    lang = rep.lang
    rep.heading(rep.t("rel_h_q2"))
    if summary.inflation_overall is None:
        rep.not_estimable(summary.missing("inflation"), section=rep.t("rel_sec_inflation"))
        return
    inflation = summary.inflation
    shown = inflation.assign(not_estimable=inflation["not_estimable"].map(
        lambda r: rep.t(f"ne_{r}", min=summary.min_bodies) if r else ""))
    rep.table(localise(shown, lang), "self_inflation", rep.t("rel_tab_inflation"))
    top = inflation[~inflation["scope"].astype(str).str.match(r"^\d")].dropna(subset=["ci_low"])
    rep.figure(plots.interval_plot(top, "scope", "estimate", "ci_low", "ci_high", lang, xlabel=rep.t("rel_points"),
                                   reference=[0]), "inflation", rep.t("rel_fig_inflation"))
    rep.table(localise(summary.inflation_by_body, lang), "self_inflation_by_body", rep.t("rel_tab_inflation_body"),
              max_rows=20)
    limits = summary.limits_of_agreement
    if limits:
        points = summary.agreement_points
        drawn = SimpleNamespace(means=points["mean"].to_numpy(float), differences=points["difference"].to_numpy(float),
                                **{name: e.estimate for name, e in limits.items()},
                                **{f"{name}_ci": (e.ci_low, e.ci_high) for name, e in limits.items()})
        rep.figure(plots.bland_altman_plot(drawn, lang), "bland_altman", rep.t("rel_fig_bland_altman"))


def council_section(rep: NotebookReport, summary: ReliabilitySummary) -> None:
    """How many appraisers a council needs (G and D study), and the indicators members disagree on most."""
    rep.heading(rep.t("rel_h_council"))
    if not len(summary.raters_needed):
        rep.not_estimable(summary.missing("raters"), section=rep.t("rel_h_council"))
    else:
        rep.table(summary.g_study, "g_study", rep.t("rel_tab_gstudy"))
        rep.table(summary.raters_needed, "raters_needed", rep.t("rel_tab_raters"))
    disagreed = summary.most_disagreed
    if len(disagreed):
        rep.table(localise(disagreed[["indicator", "pillar", "n_bodies", "n_members", "member_icc", "member_icc_ci_low",
                                      "member_icc_ci_high", "member_sd"]], rep.lang), "most_disagreed",
                  rep.t("rel_tab_disagree"))


def flags_section(rep: NotebookReport, summary: ReliabilitySummary) -> None:
    """The flag rules and the indicators they flagged; the note on the comparison across provinces."""
    lang = rep.lang
    rep.heading(rep.t("rel_h_flags"))
    rules = [{"rule": name, "threshold": limit, "text": reasons_text(name, lang)}
             for name, limit in summary.flag_rules.items()]
    rep.table(localise(pd.DataFrame(rules), lang), "flag_rules", rep.t("rel_tab_rules"))
    flagged = summary.review[summary.review["flag"].astype(bool)]
    if len(flagged):
        shown = flagged.assign(reason=flagged["reason"].map(lambda r: reasons_text(r, lang)))
        rep.table(localise(shown[["indicator", "pillar", "reason"]], lang), "flagged_indicators",
                  rep.t("rel_tab_flags"))
    else:
        rep.markdown(rep.t("rel_s4_none"))
    if summary.n_provinces > 1:  # the comparison across provinces is computed once per run, in the national report
        rep.heading(rep.t("rel_h_pooled"))
        rep.markdown(rep.t("rel_pooled_national"))


def methods_section(rep: NotebookReport, summary: ReliabilitySummary) -> None:
    """The methods note; saves the report's results."""
    rep.methods([rep.t("rel_m1"), rep.t("rel_m2"), rep.t("rel_m3", min=summary.min_bodies), rep.t("rel_m4"),
                 rep.t("rel_m5")])
    rep.save()
