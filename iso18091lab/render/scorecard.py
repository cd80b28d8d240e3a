"""Report 10 in words, tables and figures, from its :class:`~iso18091lab.summaries.scorecard.ScorecardSummary`.
Every word comes from the text table."""
from __future__ import annotations

import pandas as pd

from iso18091lab.i18n import localise, number
from iso18091lab.render import figures as plots
from iso18091lab.render.notebook import NotebookReport
from iso18091lab.summaries.scorecard import ScorecardSummary


def light_matrix(summary: ScorecardSummary) -> pd.DataFrame:
    """The traffic-light matrix, indicators (catalog order) x (body_label, rater), from the summary's rows
    (as :func:`iso18091lab.stats.descriptive.light_matrix` gave it)."""
    lights = summary.lights
    matrix = lights.pivot(index="indicator", columns=["body_label", "rater"], values="light")
    return matrix.loc[list(dict.fromkeys(lights["indicator"]))]


def red_with_names(summary: ScorecardSummary, lang: str = "vi") -> pd.DataFrame:
    """Each body's red indicators with their names in ``lang`` ("1.4 Tài chính công; 1.10 An ninh …")."""
    names = dict(zip(summary.indicator_names["indicator"],
                     summary.indicator_names["name_vi" if lang == "vi" else "name_en"]))
    reds = summary.red_indicators
    named = reds["indicators"].map(lambda codes: "; ".join(f"{c} {names.get(c, '')}".strip()
                                                           for c in str(codes).split("; ")))
    return reds.assign(indicators=named)


def summary_section(rep: NotebookReport, summary: ScorecardSummary) -> None:
    """Show the summary sentences."""
    s, num = summary, (lambda x: number(x, rep.lang))  # noqa: E731
    if not s.estimated:
        rep.summary([rep.not_estimable(s.not_estimated[0])])
        return
    if len(s.raters) == 2:
        sentences = [rep.t("sc_s1", latest=s.latest_year, council=num(s.council_mean_latest),
                           self_score=num(s.self_mean_latest), gap=num(s.self_minus_council_latest))]
    else:
        sentences = [rep.t("sc_s1_one", latest=s.latest_year, rater=rep.t(s.main_rater), score=num(s.mean_latest))]
    change = s.change_by_group
    if len(s.wave_labels) < 2:
        sentences.append(rep.not_estimable(s.not_estimated[0], section=rep.t("sc_h_change")))
    elif "all" in change:
        sentences.append(rep.t("sc_s2_all", baseline=s.baseline_year, latest=s.latest_year, change=num(change["all"])))
    else:
        sentences.append(rep.t("sc_s2", baseline=s.baseline_year, latest=s.latest_year,
                               pilot=num(change.get("pilot", float("nan"))),
                               comparison=num(change.get("comparison", float("nan")))))
    sentences.append(rep.t("sc_s3", latest=s.latest_year, n_red=s.n_red, n_bodies_red=s.n_bodies_red, top=s.top_body)
                     if s.n_bodies_red else rep.t("sc_s3_none", latest=s.latest_year, top=s.top_body))
    rep.summary(sentences)


def matrix_section(rep: NotebookReport, summary: ScorecardSummary) -> None:
    """1. The traffic-light matrix, one figure per group, pillar and part (printable at 9 pt)."""
    if not summary.estimated:
        return
    rep.heading(rep.t("sc_h_matrix", year=summary.latest_year))
    matrix, bodies = light_matrix(summary), summary.bodies
    groups = [g for g in ("pilot", "comparison") if (bodies["group"] == g).any()] or [None]
    for group in groups:
        labels = bodies["body_label"] if group is None else bodies.loc[bodies["group"] == group, "body_label"]
        part = matrix.loc[:, matrix.columns.get_level_values(0).isin(labels)]
        name = rep.t(group) if group else rep.t("all_bodies")
        for pillar, k, n_parts, piece in (plots.light_matrix_parts(part) if part.shape[1] else []):
            rep.figure(plots.light_matrix_plot(piece, rep.lang), f"lights_{group or 'all'}_p{pillar}_{k}",
                       rep.t("sc_fig_matrix_part", group=name, pillar=pillar,
                             part=rep.t("sc_fig_matrix_part_n", k=k, n=n_parts) if n_parts > 1 else ""))


def scores_section(rep: NotebookReport, summary: ScorecardSummary) -> None:
    """2. Pillar scores; 3. change since the baseline; 4. ranking; 5. red indicators."""
    if not summary.estimated:
        return
    lang, latest = rep.lang, summary.latest_year
    rep.heading(rep.t("sc_h_pillars", year=latest))
    grid = summary.pillar_scores.pivot_table(index="body_label", columns="pillar", values="score")
    rep.figure(plots.pillar_heatmap(grid, lang), "pillars", rep.t("sc_fig_pillars"))
    if len(summary.wave_labels) > 1:
        change = summary.change
        rep.heading(rep.t("sc_h_change"))
        rep.figure(plots.change_plot(change, lang), "change", rep.t("sc_fig_change"))
        rep.table(localise(change[["body_label", "group", "baseline_year", "baseline", "latest_year", "latest",
                                   "change"]].sort_values("change", ascending=False), lang), "change",
                  rep.t("sc_tab_change"))
    ranked = summary.ranking
    rep.heading(rep.t("sc_h_ranking", year=latest))
    rep.figure(plots.score_bars(ranked, lang), "ranking", rep.t("sc_fig_ranking", year=latest))
    rep.table(localise(ranked[["rank", "body_label", "group", "level", "score", "n_pillars", "n_indicators"]], lang),
              "ranking", rep.t("sc_tab_ranking", year=latest))
    rep.heading(rep.t("sc_h_red"))
    rep.table(localise(red_with_names(summary, lang)[["body_label", "group", "n_red", "indicators"]], lang),
              "red_indicators", rep.t("sc_tab_red", year=latest))


def methods_section(rep: NotebookReport, summary: ScorecardSummary) -> None:
    """The methods note; saves the report's results."""
    rep.methods([rep.t("sc_m1"), rep.t("sc_m2"), rep.t("sc_m3")])
    rep.save()
