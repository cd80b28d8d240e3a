"""The evidence pack's Excel workbook: one sheet per result table (codes as text, numbers as numbers with display
formats), the action list, and an "about" sheet that lists what each sheet holds.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from iso18091lab.i18n import TEXT, readable, t
from iso18091lab.render.excel import write_excel_sheet
from iso18091lab.render.pack_content import _label, _provenance_rows


def _write_xlsx(path: Path, results: dict, tables: dict[str, pd.DataFrame], actions: pd.DataFrame, scope: str,
                provenance: dict, synthetic: bool, lang: str) -> None:
    banner = t("synthetic_banner", lang) if synthetic else ""
    names = sheet_names(results, lang)
    listed = [(names[info["csv"]], table_caption(info, lang)) for entry in results.values()
              for info in entry.get("tables", [])]
    about = pd.DataFrame(_provenance_rows(scope, provenance, synthetic, lang)
                         + ([("", ""), (_label("sheet_list", lang), "")] + listed if listed else []),
                         columns=[_label("title", lang), scope])
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        write_excel_sheet(writer, about, _label("about", lang), banner, lang=lang)
        writer.sheets[_label("about", lang)].set_column(0, 0, 38)
        writer.sheets[_label("about", lang)].set_column(1, 1, 70)
        if len(actions):
            write_excel_sheet(writer, actions, _label("actions_sheet", lang), banner, lang=lang)
        for entry in results.values():
            for info in entry.get("tables", []):
                write_excel_sheet(writer, readable(tables[info["csv"]], lang), names[info["csv"]], banner, lang=lang)


def sheet_names(results: dict, lang: str = "vi") -> dict[str, str]:
    """{table csv path: its sheet name in the evidence workbook}: "Bảng 7" for the pack's table 7 (numbered as
    in the Word document), "Dữ liệu 2" for a table saved for re-analysis; the about sheet lists what each holds."""
    names, table, data = {}, 0, 0
    for entry in results.values():
        for info in entry.get("tables", []):
            if info.get("number") is None:
                data += 1
                names[info["csv"]] = _label("sheet_data", lang, n=data)
            else:
                table += 1
                names[info["csv"]] = _label("sheet_table", lang, n=table)
    return names


def table_caption(info: dict, lang: str = "vi") -> str:
    """A table's caption as people read it: its caption, or for a table saved for re-analysis (no number) its
    description (``export.<name>`` in the text file) instead of its file name."""
    if info.get("number") is None and f"export.{info['caption']}" in TEXT:
        return t(f"export.{info['caption']}", lang)
    return info["caption"]
