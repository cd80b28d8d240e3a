"""``reports/index.html``: the runs of one dataset with their status and main result in plain words
(:func:`headline`), links to the reports, tables and evidence packs, and the ingest totals.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

from iso18091lab._version import __version__
from iso18091lab.i18n import date_text, number, t
from iso18091lab.run.failures import failure_text
from iso18091lab.run.folders import DATASET_MARKER, OTHER_DATA
from iso18091lab.run.pages import _jinja, _notebook_title
from iso18091lab.summaries.base import has_summary
from iso18091lab.summaries.data_quality import DataQualitySummary
from iso18091lab.summaries.effect import effect_summary, effect_verdict_of
from iso18091lab.summaries.national import NationalSummary


def write_index(reports: Path, lang: str = "vi", summary: dict | None = None, input_hash: str | None = None,
                synthetic: bool | None = None) -> Path:
    """``reports/index.html`` (Jinja2 template ``templates/index.html.j2``): the runs of ONE input dataset —
    ``input_hash``, by default the one recorded in ``dataset.json`` — with status, date, main result, links to
    reports, tables and evidence packs, the ``not_estimable`` reasons, and the ingest totals (rows read,
    accepted, quarantined — also those not attributable to any province). Runs on other data are not listed;
    the synthetic banner follows the current data."""
    marker = reports / DATASET_MARKER
    recorded = json.loads(marker.read_text(encoding="utf-8")) if marker.exists() else {}
    input_hash = input_hash or recorded.get("input_hash")
    if synthetic is None:
        synthetic = (summary or {}).get("synthetic") in ("yes", "mixed") if summary else bool(recorded.get("synthetic"))
    manifests = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(reports.glob("*/manifest.json"))]
    manifests = [m for m in manifests if input_hash is None or m.get("input_hash") == input_hash]
    rows = []
    for m in sorted(manifests, key=lambda m: (m.get("scope") != "national", m["province"])):
        items = []
        for n in m["notebooks"]:
            title = _notebook_title(n["notebook"], lang)
            if n["status"] in ("ok", "partial") and n.get("html"):
                items.append({"title": title, "href": f"{m['slug']}/{n['html']}",
                              "notes": list(dict.fromkeys(x["reason"] for x in n.get("not_estimable", [])))})
            else:
                items.append({"title": title, "href": "", "error": n.get("error", ""), "where": failure_text(n, lang)})
        evidence = m.get("evidence", {})
        status = {"ok": "✔ " + t("index_status_ok", lang), "partial": "◐ " + t("index_status_partial", lang)
                  }.get(m["status"], "✘ " + t("failed", lang))
        tables_page = reports / m["slug"] / "tables.html"
        rows.append({"province": m["province"], "status": m["status"], "status_text": status,
                     "finished": date_text(m["finished"], lang, time=True), "headline": headline(reports / m["slug"], lang),
                     "reports": items, "manifest": f"{m['slug']}/manifest.json",
                     "tables_href": f"{m['slug']}/tables.html" if tables_page.exists() else "",
                     "docx": f"{m['slug']}/{evidence['docx']}" if evidence.get("docx") else "",
                     "xlsx": f"{m['slug']}/{evidence['xlsx']}" if evidence.get("xlsx") else "",
                     "evidence_error": evidence.get("error", "")})
    other = reports / OTHER_DATA
    archived = t("index_archived", lang, folder=OTHER_DATA) if other.is_dir() and any(other.iterdir()) else ""
    html = _jinja().get_template("index.html.j2").render(
        lang=lang, title=t("index_title", lang), synthetic=bool(synthetic), banner=t("synthetic_banner", lang),
        dataset_line=t("index_dataset", lang), input_hash=input_hash or "–",
        ingest_line=_ingest_line(summary, lang), heads=[t(k, lang) for k in ("province", "index_status", "index_time", "index_headline",
                                                       "index_reports", "index_record")],
        rows=rows, partial=t("partial", lang), tables_title=t("nav_tables", lang), archived=archived,
        record_link=t("index_record_link", lang),
        version=__version__)
    path = reports / "index.html"
    path.write_text(html, encoding="utf-8")
    return path


def _ingest_line(summary: dict | None, lang: str) -> str:
    """The ingest totals for the index page (plain text; the template escapes it)."""
    if not summary:
        return ""
    text = t("index_ingest", lang, rows_read=summary["rows_read"], accepted=summary["accepted"],
             quarantined=summary["quarantined"], duplicates=summary["duplicates"],
             unattributed=summary.get("quarantined_unattributed", 0))
    return text


def headline(folder: Path, lang: str = "vi") -> str:
    """The main result of a report folder in plain words, read from its typed summary (national, else the
    province's effectiveness): the verdict word ("Có", "Không", "Chưa rõ"), then how many points higher or lower
    the pilot bodies scored and the 95% interval as "from … to …" (and over how many provinces, nationally), or,
    nationally, that the provinces' designs cannot answer (no number); when the report could not estimate the
    effect, why (its not-estimated reason, never the data size); with no effect summary, the data size (bodies,
    from the data-quality summary)."""
    fmt = lambda x: number(x, lang)  # noqa: E731
    summary = effect_summary(folder)
    record, key, k = None, "index_effect", "–"
    if isinstance(summary, NationalSummary):
        verdict = effect_verdict_of(summary)
        if summary.pooled is None and verdict.reason == "design_too_small":  # the provinces cannot answer
            return t("index_effect_national_design_too_small", lang, verdict=t("verdict_" + verdict.answer, lang),
                     n=int(verdict.values.get("n_pooled") or 0), k=int(verdict.values.get("n_provinces") or 0))
        record, key = summary.pooled, "index_effect_national"
        k = record.n if record is not None else "–"
    elif summary is not None:
        record = summary.primary
    if summary is not None and record is None:  # the report ran but could not estimate the effect: say why
        from iso18091lab.render.answer import headline_reason

        why = headline_reason(summary, lang)
        return (t("index_effect_not_estimated", lang, verdict=verdict_word(effect_verdict_of(summary), lang),
                  why=why) if why else t("not_estimable", lang))
    if record is not None:
        estimate = float(record.estimate)
        direction = t("index_higher" if estimate >= 0 else "index_lower", lang)
        if not (math.isfinite(record.ci_low) and math.isfinite(record.ci_high)):
            key = "index_effect_unbounded"  # too few bodies: the interval has no end
        return t(key, lang, verdict=verdict_word(effect_verdict_of(summary), lang), direction=direction,
                 estimate=fmt(abs(estimate)), low=fmt(record.ci_low), high=fmt(record.ci_high), k=k)
    if has_summary(folder, "00_data_quality"):
        quality = DataQualitySummary.load(folder)
        return f"{number(float(quality.n_bodies), lang, 0)} {t('bodies', lang)}"
    return "–"


def verdict_word(verdict, lang: str = "vi") -> str:
    """The verdict word the index puts before the effect and its interval: "Có", "Không", "Chưa rõ", except
    where the interval lies wholly below MIN_EFFECT (``improved_small``: "Có, nhưng nhỏ"; ``below_min_effect``:
    no meaningful improvement, which a bare "Không" beside a positive estimate would misstate)."""
    if verdict.reason in ("improved_small", "below_min_effect"):
        return t(f"verdict_{verdict.reason}", lang,
                 min_effect=number(verdict.values.get("min_effect", float("nan")), lang, 0))
    return t("verdict_" + verdict.answer, lang)
