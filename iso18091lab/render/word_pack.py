"""The evidence pack's Word document: the answer on the first page, recommendations and each body's action list,
the detailed results with numbered tables and figures, methods, caveats, a glossary and the provenance.
"""
from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import RGBColor
import pandas as pd

from iso18091lab.i18n import GLOSSARY, date_text, t
from iso18091lab.render.answer import answer, reliability_summary_of
from iso18091lab.render.pack_content import _label, _provenance_rows
from iso18091lab.render.page_layout import text_width_mm
from iso18091lab.render.word_document import (_add_figure, _document_head, _docx_table, _fixed_widths, _orient, _plain,
                                              _setup_document, _table_font)
from iso18091lab.summaries.base import has_summary, load_summary
from iso18091lab.summaries.effect import effect_summary


class _Numbers:
    """Running numbers for headings, tables and figures."""

    def __init__(self):
        self.heading = [0, 0]
        self.table = 0
        self.figure = 0

    def h1(self) -> str:
        self.heading = [self.heading[0] + 1, 0]
        return f"{self.heading[0]}."

    def h2(self) -> str:
        self.heading[1] += 1
        return f"{self.heading[0]}.{self.heading[1]}."


def _write_docx(path: Path, folder: Path, results: dict, tables: dict[str, pd.DataFrame], actions: pd.DataFrame,
                names: dict[str, str], scope: str, provenance: dict, synthetic: bool, lang: str,
                document: dict | None = None) -> None:
    doc = Document()
    _setup_document(doc, lang)
    _document_head(doc, document or {}, lang)
    n = _Numbers()
    if synthetic:
        banner = doc.add_paragraph()
        run = banner.add_run(t("synthetic_banner", lang))
        run.bold = True
        run.font.color.rgb = RGBColor(0x9C, 0x00, 0x06)
        banner.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = doc.add_paragraph(style="Title")
    title.add_run(_label("title", lang).upper())
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle = doc.add_paragraph()
    subtitle.add_run(f"{scope}, {date_text(lang=lang, formal=True)}").italic = True
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER

    # 1. the answer (first page)
    found = answer(results, names, lang, reliability_summary_of(folder), effect_summary(folder))
    doc.add_heading(f"{n.h1()} {_label('answer', lang)}", level=1)
    for key in ("effect", "trust", "rollout"):
        doc.add_heading(f"{n.h2()} {_label('q_' + key, lang)}", level=2)
        for sentence in found[key]:
            doc.add_paragraph(_plain(sentence))
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # 2. recommendations and each body's action list
    doc.add_heading(f"{n.h1()} {_label('recommendations', lang)}", level=1)
    # said once, in section 1.3; "each body's action list follows" only when one does
    doc.add_paragraph(_label("recommendations_see" if len(actions) else "recommendations_only", lang,
                             section="1.3"))
    card = load_summary(folder, "10_scorecard") if has_summary(folder, "10_scorecard") else None
    if not len(actions) and card is not None and card.estimated and card.n_red == 0:
        doc.add_paragraph(_label("actions_none", lang))  # no red light in the latest wave: nothing to act on
    if len(actions):
        doc.add_heading(f"{n.h2()} {_label('actions', lang)}", level=2)
        doc.add_paragraph(_label("actions_intro", lang))
        for body, part in actions.groupby(actions.columns[0], sort=False):
            group = part.iloc[0, 1]
            paragraph = doc.add_paragraph()
            paragraph.add_run(f"{body}").bold = True
            paragraph.add_run(f" — {group}: " if group else ": ")  # the group's name has its own brackets
            paragraph.add_run(f"{_label('n_red', lang, n=len(part))} — ")
            paragraph.add_run("; ".join(f"{row[2]} {row[3]}".strip() for row in part.itertuples(index=False)) + ".")

    # 3. results by report: summary, numbered tables and figures (each sentence once in the pack)
    said_already = {_plain(sentence) for key in ("effect", "trust", "rollout") for sentence in found[key]}
    doc.add_heading(f"{n.h1()} {_label('findings', lang)}", level=1)
    for entry in results.values():
        _orient(doc, landscape=False)
        doc.add_heading(f"{n.h2()} {entry.get('title', entry['notebook'])}", level=2)
        for sentence in entry.get("summary", []):
            if _plain(sentence) not in said_already:  # page 1 said it (the effect answer)
                said_already.add(_plain(sentence))
                doc.add_paragraph(_plain(sentence), style="List Bullet")
        said = set()
        for note in entry.get("not_estimable", []):
            if note["reason"] in said:  # each reason once
                continue
            said.add(note["reason"])
            text = f"{note['section']} — " if note.get("section") else ""
            doc.add_paragraph(f"{text}{t('not_estimable', lang)}: {note['reason']}.", style="List Bullet")
        for info in entry.get("tables", []):
            if info.get("number") is None:
                continue
            n.table += 1
            _docx_table(doc, tables[info["csv"]], lang, caption=(f"{t('table', lang)} {n.table}. ", info["caption"]))
        for info in entry.get("figures", []):
            n.figure += 1
            _add_figure(doc, folder / info["png"], (f"{t('figure', lang)} {n.figure}. ", info["caption"]),
                        info.get("min_font_pt"))

    # 4. methods; 5. caveats; 6. glossary; 7. provenance
    _orient(doc, landscape=False)
    doc.add_heading(f"{n.h1()} {_label('methods', lang)}", level=1)
    for entry in results.values():
        if entry.get("methods"):
            doc.add_heading(f"{n.h2()} {entry.get('title', entry['notebook'])}", level=2)
            for sentence in entry["methods"]:
                doc.add_paragraph(_plain(sentence), style="List Bullet")
    doc.add_heading(f"{n.h1()} {t('eff_h_caveats', lang)}", level=1)
    caveats = [c for entry in results.values() for c in entry.get("caveats", [])]
    # the caveat next to the effect claim on page 1 is not repeated here
    for sentence in dict.fromkeys(c for c in caveats if c != _label("effect_caveat", lang)
                                  and _plain(c) not in said_already):
        doc.add_paragraph(_plain(sentence), style="List Bullet")
    if synthetic:
        doc.add_paragraph(t("synthetic_banner", lang)).runs[0].bold = True
    doc.add_heading(f"{n.h1()} {_label('glossary', lang)}", level=1)
    for term in GLOSSARY:
        paragraph = doc.add_paragraph()
        paragraph.add_run(t(f"gl_{term}", lang).split(":", 1)[0] + ":").bold = True
        paragraph.add_run(t(f"gl_{term}", lang).split(":", 1)[1])
    doc.add_heading(f"{n.h1()} {_label('provenance', lang)}", level=1)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for key, value in _provenance_rows(scope, provenance, synthetic, lang):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = key, value
    _fixed_widths(table, [50.0, text_width_mm() - 50.0])
    _table_font(table)
    doc.save(path)
