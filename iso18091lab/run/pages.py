"""A report folder's HTML pages: each executed notebook without code (the project's nbconvert template) and the
tables page (every table of the province's reports and its evidence pack).
"""
from __future__ import annotations

import json
from pathlib import Path

from iso18091lab.i18n import TEXT, number, t


TEMPLATES = Path(__file__).resolve().parents[1] / "render" / "templates"
REMOVE_TAGS = {"remove_cell", "parameters", "injected-parameters"}


def render_html(executed: Path, html_path: Path, synthetic: bool, lang: str, reports: list[dict] | None = None,
                index_href: str = "../index.html", tables_href: str = "tables.html") -> None:
    """HTML without code cells or prompts, through the project's nbconvert template (``templates/nbconvert/
    iso18091lab``): page language ``lang``, figures embedded with their captions as alt text, nothing loaded
    from the network, the synthetic banner only for synthetic data, and navigation to ``reports`` (a list of
    {"title", "href", "current"}), the province's tables page and the index."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    notebook = nbformat.read(executed, as_version=4)
    exporter = HTMLExporter(template_name="iso18091lab", extra_template_basedirs=[str(TEMPLATES / "nbconvert")])
    exporter.language_code = lang
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    remover = TagRemovePreprocessor(remove_cell_tags=REMOVE_TAGS, enabled=True)
    exporter.register_preprocessor(remover, enabled=True)
    iso = {"synthetic": bool(synthetic), "banner": t("synthetic_banner", lang), "reports": reports or [],
           "index_href": index_href, "tables_href": tables_href, "index_title": t("nav_index", lang),
           "tables_title": t("nav_tables", lang), "nav_label": t("nav_label", lang),
           "figure_alt": t("figure", lang)}
    notebook.metadata["title"] = _notebook_title(executed.stem, lang)
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": executed.stem}, "iso": iso})
    html_path.write_text(body, encoding="utf-8")


def _jinja():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"]))


def write_tables_page(folder: Path, province: str, lang: str, synthetic: bool, reports: list[dict],
                      evidence: dict | None = None) -> Path:
    """``<province>/tables.html``: every table of the province's reports (XLSX and CSV) and the evidence pack."""
    from iso18091lab.render.excel_pack import table_caption

    results_path = folder / "results.json"
    results = json.loads(results_path.read_text(encoding="utf-8")) if results_path.exists() else {}
    rows = []
    for notebook, entry in results.items():
        for info in entry.get("tables", []):
            rows.append({"report": _notebook_title(notebook, lang), "caption": table_caption(info, lang),
                         "rows": number(float(info["rows"]), lang, 0),
                         "csv": info["csv"], "xlsx": info["xlsx"]})
    heads = [t(k, lang) for k in ("index_reports", "tables_caption", "rows", "tables_files")]
    html = _jinja().get_template("tables.html.j2").render(
        lang=lang, title=f"{t('nav_tables', lang)} — {province}", synthetic=synthetic,
        banner=t("synthetic_banner", lang), nav_label=t("nav_label", lang), index_title=t("nav_index", lang),
        reports=reports, heads=heads, rows=rows, evidence=evidence if evidence and evidence.get("docx") else None,
        evidence_title=t("ev_title", lang))
    path = folder / "tables.html"
    path.write_text(html, encoding="utf-8")
    return path


def _notebook_title(notebook: str, lang: str) -> str:
    """The report title of a notebook ('10_scorecard' -> 'Bảng điểm theo đèn tín hiệu'), else its name."""
    return t(f"title_{notebook}", lang) if f"title_{notebook}" in TEXT else notebook
