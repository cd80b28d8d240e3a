"""The evidence pack: a Word document and an Excel workbook per province run and for the national run.

Both are built from what the notebooks saved (``results.json``, ``tables/``, ``figures/``), so they say exactly
what the HTML reports say. The Word document (python-docx) is in the report language (Vietnamese by default):
banner when the data is synthetic, provenance (data hash, date, version), key findings, tables, figures,
methods and caveats. The Excel workbook has one sheet per result table with formatted headers, frozen panes and
text cells that Excel would read as formulas made safe.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor

from . import __version__
from .i18n import number, t
from .report import write_excel_sheet
from .text import slugify

MAX_TABLE_ROWS = 15


def _label(key: str, lang: str, **values) -> str:
    return t(f"ev_{key}", lang, **values)


def pack_names(slug: str) -> tuple[str, str]:
    """File names of the Word document and Excel workbook for a report folder."""
    return f"ho-so-bang-chung-{slug}.docx", f"bang-ket-qua-{slug}.xlsx"


def write_evidence_pack(folder: str | Path, scope: str, provenance: dict, lang: str = "vi") -> tuple[Path, Path]:
    """Write the Word document and Excel workbook for one report folder; returns their paths."""
    folder = Path(folder)
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    synthetic = any(entry.get("synthetic") for entry in results.values())
    tables = {info["csv"]: pd.read_csv(folder / info["csv"], keep_default_na=False, encoding="utf-8-sig")
              for entry in results.values() for info in entry.get("tables", [])}
    docx_name, xlsx_name = pack_names(slugify(scope) if scope else folder.name)
    docx_path, xlsx_path = folder / docx_name, folder / xlsx_name
    _write_docx(docx_path, folder, results, tables, scope, provenance, synthetic, lang)
    _write_xlsx(xlsx_path, results, tables, scope, provenance, synthetic, lang)
    return docx_path, xlsx_path


def _provenance_rows(scope: str, provenance: dict, lang: str) -> list[tuple[str, str]]:
    return [(_label("scope", lang), scope),
            (_label("created", lang), datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
            (_label("data_hash", lang), str(provenance.get("input_hash", "–"))),
            (_label("version", lang), __version__),
            (_label("seed", lang), str(provenance.get("seed", "–")))]


def _write_docx(path: Path, folder: Path, results: dict, tables: dict[str, pd.DataFrame], scope: str,
                provenance: dict, synthetic: bool, lang: str) -> None:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "DejaVu Sans"
    style.font.size = Pt(10)
    if synthetic:
        banner = doc.add_paragraph()
        run = banner.add_run(t("synthetic_banner", lang))
        run.bold = True
        run.font.color.rgb = RGBColor(0x9C, 0x00, 0x06)
        banner.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_heading(f"{_label('title', lang)} — {scope}", level=0)

    doc.add_heading(_label("provenance", lang), level=1)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Light List Accent 1"
    for key, value in _provenance_rows(scope, provenance, lang):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = key, value

    doc.add_heading(_label("findings", lang), level=1)
    for entry in results.values():
        doc.add_heading(entry.get("title", entry["notebook"]), level=2)
        for sentence in entry.get("summary", []):
            doc.add_paragraph(_plain(sentence), style="List Bullet")

    doc.add_heading(_label("tables", lang), level=1)
    for entry in results.values():
        for info in entry.get("tables", []):
            if info.get("number") is None:
                continue
            frame = tables[info["csv"]]
            doc.add_paragraph(f"{t('table', lang)} — {entry.get('title', '')}: {info['caption']}").runs[0].bold = True
            _docx_table(doc, frame, lang)

    doc.add_heading(_label("figures", lang), level=1)
    for entry in results.values():
        for info in entry.get("figures", []):
            doc.add_picture(str(folder / info["png"]), width=Cm(16))
            caption = doc.add_paragraph(f"{t('figure', lang)} — {entry.get('title', '')}: {info['caption']}")
            caption.runs[0].italic = True

    doc.add_heading(_label("methods", lang), level=1)
    for entry in results.values():
        sentences = entry.get("methods", []) + entry.get("caveats", [])
        if sentences:
            doc.add_heading(entry.get("title", entry["notebook"]), level=2)
            for sentence in sentences:
                doc.add_paragraph(_plain(sentence), style="List Bullet")
    if synthetic:
        doc.add_paragraph(t("synthetic_banner", lang)).runs[0].bold = True
    doc.save(path)


def _plain(text: str) -> str:
    return text.replace("`", "")


def _docx_table(doc, frame: pd.DataFrame, lang: str) -> None:
    shown = frame.head(MAX_TABLE_ROWS)
    table = doc.add_table(rows=1, cols=len(shown.columns))
    table.style = "Light Grid Accent 1"
    for cell, column in zip(table.rows[0].cells, shown.columns):
        cell.text = str(column)
    for _, row in shown.iterrows():
        cells = table.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = _cell_text(value, lang)
    if len(frame) > MAX_TABLE_ROWS:
        doc.add_paragraph(_label("more_rows", lang, n=len(frame) - MAX_TABLE_ROWS))


def _cell_text(value, lang: str) -> str:
    return number(value, lang, 2) if isinstance(value, float) else str(value)


def _write_xlsx(path: Path, results: dict, tables: dict[str, pd.DataFrame], scope: str, provenance: dict,
                synthetic: bool, lang: str) -> None:
    banner = t("synthetic_banner", lang) if synthetic else ""
    about = pd.DataFrame(_provenance_rows(scope, provenance, lang), columns=[_label("title", lang), scope])
    used = {_label("about", lang)}
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        write_excel_sheet(writer, about, _label("about", lang), banner)
        writer.sheets[_label("about", lang)].set_column(0, 0, 38)
        writer.sheets[_label("about", lang)].set_column(1, 1, 70)
        for entry in results.values():
            for info in entry.get("tables", []):
                name = _sheet_name(Path(info["csv"]).stem, used)
                write_excel_sheet(writer, tables[info["csv"]], name, banner)


def _sheet_name(stem: str, used: set[str]) -> str:
    base = stem.replace("_tab", "_")[:31]
    for char in "[]:*?/\\":
        base = base.replace(char, "-")
    name, n = base, 1
    while name in used:
        n += 1
        name = f"{base[:28]}~{n}"
    used.add(name)
    return name
