"""Report 00 in words, tables and figures, from its :class:`~iso18091lab.summaries.data_quality.DataQualitySummary`.
Every word comes from the text table."""
from __future__ import annotations

import pandas as pd

from iso18091lab.i18n import localise, t
from iso18091lab.render import figures as plots
from iso18091lab.render.notebook import NotebookReport
from iso18091lab.summaries.data_quality import DataQualitySummary

#: The file statuses the text table words (``status_<key>``); any other is shown as it is.
FILE_STATUSES = ("ok", "skipped", "error")


def file_table(files: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """Every input file and sheet with its status and why in ``lang`` (from
    :func:`iso18091lab.stats.descriptive.file_rows`)."""
    columns = ["file", "sheet", "table", "status", "rows_read", "accepted", "quarantined", "duplicates", "message"]
    if files.empty:
        return pd.DataFrame(columns=columns)
    return files.assign(status=files["status"].map(lambda s: t(f"status_{s}", lang) if s in FILE_STATUSES else s),
                        message=files["message_vi" if lang == "vi" else "message_en"])[columns]


def summary_section(rep: NotebookReport, summary: DataQualitySummary) -> None:
    """Show the summary sentences (what cannot be estimated is said first)."""
    s = summary
    sentences = [rep.t("dq_s1", n_bodies=s.n_bodies, n_rows=s.n_scores, years=", ".join(s.wave_labels),
                       share=round(100 * s.share_scored)) if s.n_scores
                 else rep.not_estimable(s.not_estimated[0])]
    sentences.append(rep.t("dq_s2", n_quarantined=s.n_quarantined_rows, n_unattributed=s.n_unattributed_rows,
                           n_not_assessed=s.n_not_assessed))
    sentences.append(rep.t("dq_s3", n_incomplete=s.n_incomplete))
    sentences.append(rep.t("dq_s4", n_pilot=s.n_pilot, n_unusable=s.n_pilot_unusable) if s.n_pilot
                     else rep.t("dq_no_timing"))
    if s.n_name_matches:
        sentences.append(rep.t("dq_s5", n_matches=s.n_name_matches))
    if s.n_indicators_recovered:
        sentences.append(rep.t("dq_s6", n_recovered=s.n_indicators_recovered))
    if not s.has_units:
        sentences.append(rep.t("dq_no_units"))
    rep.summary(sentences)


def completeness_section(rep: NotebookReport, summary: DataQualitySummary) -> None:
    """1. Completeness by body, wave and rater."""
    lang, completeness = rep.lang, summary.completeness
    rep.heading(rep.t("dq_h_completeness"))
    if not len(completeness):
        rep.not_estimable(summary.not_estimated[0])
        return
    grid = completeness.pivot_table(index="body_label", columns=["wave", "rater"], values="share_scored")
    grid = grid[list(dict.fromkeys(zip(completeness["wave"], completeness["rater"])))]  # waves in time order
    rep.figure(plots.completeness_heatmap(grid, lang), "completeness", rep.t("dq_fig_completeness"))
    missing = completeness[completeness["missing"] > 0].sort_values(["missing", "body_label"], ascending=[False, True])
    rep.table(localise(missing[["body_label", "group", "wave", "rater", "scored", "not_assessed", "missing"]], lang),
              "missing", rep.t("dq_tab_missing"))


def timing_section(rep: NotebookReport, summary: DataQualitySummary) -> None:
    """2. Pilot timing per body."""
    rep.heading(rep.t("dq_h_timing"))
    if len(summary.pilot_timing):
        rep.table(localise(summary.pilot_timing[["body_label", "level", "pilot_start", "pilot_start_round",
                                                 "waves_before", "waves_under", "usable"]], rep.lang),
                  "pilot_timing", rep.t("dq_tab_timing"))
    else:
        rep.markdown(rep.t("dq_no_timing"))


def quarantine_section(rep: NotebookReport, summary: DataQualitySummary) -> None:
    """3. Quarantined rows and why (the province's, then those no province could be found for); the totals
    written beside the scores that do not match them."""
    lang = rep.lang
    reason = "reason_vi" if lang == "vi" else "reason_en"
    rep.heading(rep.t("dq_h_quarantine"))
    if len(summary.quarantine):
        counts = summary.quarantine_counts.set_index("rule")["rows"].rename("count")
        rep.figure(plots.count_bars(counts, lang), "quarantine", rep.t("dq_fig_quarantine"))
        rep.table(localise(summary.quarantine[["file", "sheet", "row", "column", "value", reason]], lang),
                  "quarantine", rep.t("dq_tab_quarantine"))
    else:
        rep.markdown(rep.t("dq_no_quarantine"))
    if len(summary.quarantine_unattributed):
        rep.heading(rep.t("dq_h_unattributed"))
        rep.table(localise(summary.quarantine_unattributed[["file", "sheet", "row", "column", "value", reason,
                                                            "province_suggested"]], lang),
                  "quarantine_unattributed", rep.t("dq_tab_unattributed"))
    if summary.n_total_checks:
        rep.heading(rep.t("dq_h_totals"))
        if len(summary.total_checks):
            shown = summary.total_checks[["file", "sheet", "cell", "unit", "rater", "column", "total", "sum_scores",
                                          "difference"]]
            rep.table(localise(shown, lang), "total_checks", rep.t("dq_tab_totals"))
        else:
            rep.markdown(rep.t("dq_no_totals", n=summary.n_total_checks))


def matches_section(rep: NotebookReport, summary: DataQualitySummary) -> None:
    """4. Body names and indicator ids matched that were not written exactly."""
    rep.heading(rep.t("dq_h_matches"))
    matches = summary.name_matches
    if len(matches):
        shown = matches.assign(how=matches["how"].map(lambda h: rep.t(f"how_{h}")))
        rep.table(localise(shown[["typed", "matched", "how", "rows"]].astype({"rows": int}), rep.lang),
                  "name_matches", rep.t("dq_tab_matches"))
    else:
        rep.markdown(rep.t("dq_no_matches"))


def files_section(rep: NotebookReport, summary: DataQualitySummary) -> None:
    """5. Every input file; 6. the indicators seldom scored."""
    lang = rep.lang
    rep.heading(rep.t("dq_h_files"))
    rep.table(localise(file_table(summary.files, lang), lang), "files", rep.t("dq_tab_files"))
    rep.heading(rep.t("dq_h_indicators"))
    name = "name_vi" if lang == "vi" else "name_en"
    rep.table(localise(summary.least_scored[["indicator", "pillar", name, "scored", "share_scored"]], lang),
              "indicator_coverage", rep.t("dq_tab_indicators"))


def methods_section(rep: NotebookReport, summary: DataQualitySummary) -> None:
    """The methods note; saves the report's results."""
    rep.methods([rep.t("dq_m1"), rep.t("dq_m2", n_catalog=summary.n_catalog), rep.t("dq_m3")])
    rep.save()
