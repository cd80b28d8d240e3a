"""What a notebook uses to build its report: title block, numbered figures and tables, results.json.

A notebook makes one :class:`NotebookReport` and calls it; everything it shows is also saved:
figures as PNG (and SVG when small) under ``figures/``, tables as CSV, XLSX and Parquet under ``tables/``, and
the report *as shown* in ``results.json`` (one entry per notebook, :meth:`NotebookReport.save`).

``results.json`` carries no number of its own: what a report states (estimates, counts, verdicts, what could not
be estimated and why, by reason key) is its typed summary (``summaries/<report>.json`` + Parquet, read with
:func:`iso18091lab.summaries.base.load_summary`), which tests, the Word pack and the index read. Each entry keeps
only what the notebook showed and where it put its files, because the summaries do not hold it:

* ``notebook``, ``lang``, ``title``, ``period``: the page's title block;
* ``summary``, ``caveats``, ``methods``: the sentences shown, which the Word pack prints again word for word;
* ``not_estimable``: each "cannot be estimated" note as shown (``section`` heading and ``reason`` in words): the
  Word pack prints them under their report, and the runner marks the report "partial" and lists the reasons in
  the manifest and the index (only the notes a page showed: a summary may keep parts its page does not show);
* ``figures`` and ``tables``: number, caption and file paths (PNG/SVG; CSV, XLSX, Parquet), rows, and for a figure
  its smallest text and the text it draws: the Word/Excel packs lay them out, the tables page links them.
"""
from __future__ import annotations

import json
from html import escape
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from iso18091lab.intake.dataset import Dataset
from iso18091lab.render.excel import write_excel_sheet
from iso18091lab.storage import write_csv
from iso18091lab.i18n import date_text, number, p_text, t
from iso18091lab.i18n import value_label as readable_text
from iso18091lab.storage import locked, write_atomic
from iso18091lab.normalize import slugify

def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if value != value else float(value)
    if value is pd.NA:
        return None
    return value


def write_typed(frame: pd.DataFrame, path: Path) -> None:
    """Save a result table with its column types (Parquet). Columns of mixed Python objects that Arrow cannot
    store are kept as text; numbers and codes keep their types ("1.10" stays the text "1.10")."""
    out = frame.reset_index(drop=True).copy()
    out.columns = [str(c) for c in out.columns]
    try:
        out.to_parquet(path, index=False)
    except Exception:  # noqa: BLE001 - pyarrow raises several types for mixed object columns
        for column in out.columns:
            if out[column].dtype == object:
                out[column] = out[column].map(lambda v: v if v is None or isinstance(v, str) or v != v else str(v))
                out[column] = out[column].astype("string")
        out.to_parquet(path, index=False)


def read_typed(path: str | Path) -> pd.DataFrame:
    """A result table saved by :class:`NotebookReport` with its types (codes stay text)."""
    return pd.read_parquet(path)


def reason_text(item, lang: str = "vi") -> str:
    """The words of a summary's :class:`~iso18091lab.summaries.base.NotEstimated`: ``ne_<reason>`` with its values;
    a reason ``""`` carries the error's own words in ``values["detail"]``."""
    return t(f"ne_{item.reason}", lang, **item.values) if item.reason else str(item.values.get("detail", ""))


def display_frame(frame: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """Cells as a reader sees them: counts as whole numbers, p/q-values as '< 0,001' or '0,012', other numbers
    with two decimals in the language's style, missing as '–'. Column names and text cells as readers of
    ``lang`` read them (:func:`iso18091lab.i18n.readable`: "overall" -> "Điểm tổng hợp", True -> "Có");
    codes such as "1.10" unchanged."""
    from iso18091lab.render.excel import column_kind
    from iso18091lab.i18n import readable

    frame = readable(frame, lang)
    out = pd.DataFrame(index=frame.index)
    for j, name in enumerate(frame.columns):
        column = frame.iloc[:, j]
        kind = column_kind(name, column)
        if kind == "integer":
            shown = column.map(lambda v: "–" if pd.isna(v) else number(float(v), lang, 0))
        elif kind == "year":
            shown = column.map(lambda v: "–" if pd.isna(v) else str(int(v)))
        elif kind == "p":
            shown = column.map(lambda v: "–" if pd.isna(v) else p_text(float(v), lang).removeprefix("= "))
        elif kind == "decimal":
            shown = column.map(lambda v: "–" if pd.isna(v) else number(float(v), lang, 2))
        else:
            shown = column.map(lambda v: "–" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v))
        out[str(name) if name not in out.columns else f"{name} "] = shown.to_numpy()
    return out


class NotebookReport:
    """Collects and saves what one notebook shows, numbering figures and tables."""

    def __init__(self, notebook: str, output_dir: str | Path, data: Dataset, province: str, lang: str = "vi"):
        self.notebook, self.data, self.province, self.lang = notebook, data, province, lang
        self.output_dir = Path(output_dir)
        self.figures_dir = self.output_dir / "figures"
        self.tables_dir = self.output_dir / "tables"
        for folder in (self.figures_dir, self.tables_dir):
            folder.mkdir(parents=True, exist_ok=True)
        # what the page shows (module docstring); the report's numbers are in its typed summary
        self.results: dict = {"notebook": notebook, "lang": lang, "figures": [], "tables": []}
        self._figures = 0
        self._tables = 0

    # -- text ---------------------------------------------------------------------------------------
    def t(self, key: str, **values) -> str:
        """Shortcut for :func:`iso18091lab.i18n.t` in this report's language."""
        return t(key, self.lang, **values)

    def _show(self, html: str) -> None:
        from IPython.display import HTML, display

        display(HTML(html))

    def markdown(self, text: str) -> None:
        """Show Markdown text (prose, interpretation)."""
        from IPython.display import Markdown, display

        display(Markdown(text))

    def title_block(self, title: str) -> None:
        """Title, province, period, data source, date; the synthetic banner whenever it applies."""
        years = sorted(int(y) for y in self.data.assessments["year"].dropna().unique())
        period = f"{years[0]}–{years[-1]}" if years else "–"
        # every input file the report's rows come from: score sheets, the units list, outcomes
        n_files = len({str(f) for frame in (self.data.assessments, self.data.units, self.data.outcomes)
                       if frame is not None and "source_file" in frame for f in frame["source_file"].dropna()})
        source = self.t("source_synthetic") if self.data.synthetic else self.t("source_files", n=n_files)
        if self.data.synthetic:
            # shown in JupyterLab; the HTML report has its own page banner and leaves this one out (role "banner")
            from IPython.display import HTML, display

            display(HTML(f'<div style="background:#FFC7CE;color:#9C0006;border:2px solid #9C0006;padding:8px 12px;'
                         f'font-weight:bold;font-size:1.1em;margin-bottom:8px">{escape(self.t("synthetic_banner"))}'
                         '</div>'), metadata={"iso18091lab_role": "banner"})
        from iso18091lab.intake.provinces import province_title

        former = sorted(set(self.data.assessments["province"].dropna().astype(str))) if len(self.data.assessments) \
            else []
        shown = province_title(self.province, former, self.lang) if former else self.province
        rows = [(self.t("province"), shown), (self.t("period"), period), (self.t("data_source"), source),
                (self.t("generated"), date_text(lang=self.lang))]
        table = "".join(f"<tr><th style='text-align:left;padding-right:1em'>{escape(k)}</th>"
                        f"<td>{escape(str(v))}</td></tr>" for k, v in rows)
        self._show(f"<h1>{escape(title)}</h1><table>{table}</table>")
        self.results.update(title=title, period=period)

    def summary(self, sentences: list[str]) -> None:
        """The short plain-language summary at the top of the report."""
        self._show(f"<h2>{escape(self.t('summary'))}</h2>")
        self.markdown("\n".join(f"- {s}" for s in sentences))
        self.results["summary"] = sentences

    def heading(self, text: str) -> None:
        self._show(f"<h2>{escape(text)}</h2>")

    def not_estimable(self, why, section: str = "") -> str:
        """Say in plain words that a section cannot be estimated on this data, and why.

        ``why`` is a summary's :class:`~iso18091lab.summaries.base.NotEstimated` (its reason key is looked up
        as ``ne_<reason>``) or a sentence. The note is shown in the report and kept, as shown, in
        ``results.json`` under ``not_estimable`` (``section``, ``reason`` in words; the reason key is in the
        summary); the runner then marks the report "partial" with this reason. Returns the sentence.
        """
        from iso18091lab.summaries.base import NotEstimated

        reason = reason_text(why, self.lang) if isinstance(why, NotEstimated) else str(why)
        sentence = f"{self.t('not_estimable')}: {reason}."
        if section:
            sentence = f"{section} — {sentence}"
        self._show("<div class='not-estimable' style='border-left:4px solid #b26a00;background:#fff4e5;"
                   f"padding:6px 12px;margin:6px 0'>{escape(sentence)}</div>")
        self.results.setdefault("not_estimable", []).append({"section": section, "reason": reason})
        return sentence

    # -- figures and tables -------------------------------------------------------------------------
    def figure(self, fig: plt.Figure, name: str, caption: str) -> None:
        """Save ``fig`` as PNG, and as SVG too when the SVG stays small (at most
        :data:`~iso18091lab.render.figures.SVG_MAX_ELEMENTS` drawn elements: a grid of a hundred bodies would write
        megabytes slowly), and show it with a numbered caption. Paths go to results.json; ``svg`` is None
        when only the PNG was written (everything that shows or packs figures uses the PNG)."""
        from iso18091lab.render.figures import SVG_MAX_ELEMENTS, drawn_elements, drawn_texts, save_figure, smallest_text_pt

        self._figures += 1
        stem = f"{self.notebook}_fig{self._figures:02d}_{slugify(name)}"
        png = self.figures_dir / f"{stem}.png"
        svg = self.figures_dir / f"{stem}.svg" if drawn_elements(fig) <= SVG_MAX_ELEMENTS else None
        save_figure(fig, [png] if svg is None else [png, svg], lang=self.lang)
        smallest, texts = smallest_text_pt(fig), drawn_texts(fig)
        if svg is None:  # a re-run with more data must not leave the SVG of an earlier run next to the new PNG
            (self.figures_dir / f"{stem}.svg").unlink(missing_ok=True)
        from IPython.display import Image, display

        label = f"{self.t('figure')} {self._figures}. {caption}"
        # the caption is the image's alt text (read by screen readers and shown when the image cannot load)
        display(Image(filename=str(png), metadata={"alt": label}))
        plt.close(fig)
        self._show(f"<p style='font-style:italic;margin-top:0'>{escape(label)}</p>")
        self.results["figures"].append({"number": self._figures, "caption": caption,
                                        "png": f"figures/{png.name}",
                                        "svg": f"figures/{svg.name}" if svg is not None else None,
                                        "min_font_pt": smallest, "texts": texts})

    def table(self, frame: pd.DataFrame, name: str, caption: str, show: bool = True, max_rows: int = 60) -> None:
        """Save ``frame`` as CSV and XLSX and show it with a numbered caption (paths go to results.json)."""
        self._tables += 1
        stem = f"{self.notebook}_tab{self._tables:02d}_{slugify(name)}"
        csv_path, xlsx_path = self._write_table_files(frame, stem, sheet_name=slugify(name)[:31])
        label = f"{self.t('table')} {self._tables}. {caption}"
        if show:
            from iso18091lab.render.page_layout import said_once

            # a long text repeated down a column (a method) is said once, under the table
            shown, notes = said_once(frame.head(max_rows))
            html = display_frame(shown, self.lang).to_html(index=False, na_rep="–", border=0, classes="iso-table")
            html = html.replace("&lt; 0,001", "&lt;&nbsp;0,001").replace("&lt; 0.001", "&lt;&nbsp;0.001")
            html += "".join(f"<p class='table-note'><em>{escape(head)}:</em> {escape(readable_text(text, self.lang))}</p>"
                            for head, text in notes)
            more = (f"<p>{escape(self.t('more_rows_in', n=len(frame) - max_rows, file='tables/' + xlsx_path.name))}"
                    "</p>") if len(frame) > max_rows else ""
            self._show(f"<p style='font-weight:bold;margin-bottom:2px'>{escape(label)}</p>{html}{more}")
        self.results["tables"].append({"number": self._tables, "caption": caption, "csv": f"tables/{csv_path.name}",
                                       "xlsx": f"tables/{xlsx_path.name}", "parquet": f"tables/{stem}.parquet",
                                       "rows": len(frame)})

    def export_table(self, frame: pd.DataFrame, filename: str) -> None:
        """Save ``frame`` under a fixed name (``tables/<filename>.csv`` and ``.xlsx``), without showing it."""
        csv_path, xlsx_path = self._write_table_files(frame, filename, sheet_name=filename[:31])
        self.results["tables"].append({"number": None, "caption": filename, "csv": f"tables/{csv_path.name}",
                                       "xlsx": f"tables/{xlsx_path.name}", "parquet": f"tables/{filename}.parquet",
                                       "rows": len(frame)})

    def _write_table_files(self, frame: pd.DataFrame, stem: str, sheet_name: str) -> tuple[Path, Path]:
        """The table as the notebook made it: Parquet (typed; what the evidence pack reads), CSV and XLSX for
        people (formula-like text neutralised, numbers as numbers)."""
        csv_path, xlsx_path = self.tables_dir / f"{stem}.csv", self.tables_dir / f"{stem}.xlsx"
        write_typed(frame, self.tables_dir / f"{stem}.parquet")
        write_csv(frame, csv_path)
        with pd.ExcelWriter(xlsx_path, engine="xlsxwriter") as writer:
            write_excel_sheet(writer, frame, sheet_name, lang=self.lang)
        return csv_path, xlsx_path

    # -- results ------------------------------------------------------------------------------------
    def methods(self, sentences: list[str]) -> None:
        """The methods note at the end of the report."""
        self._show(f"<h2>{escape(self.t('methods'))}</h2>")
        self.markdown("\n".join(f"- {s}" for s in sentences))
        self.results["methods"] = list(sentences)

    def caveats(self, heading: str, sentences: list[str]) -> None:
        """The caveats that matter for reading the results (shown, and kept for the evidence pack)."""
        self.heading(heading)
        self.markdown("\n".join(f"- {s}" for s in sentences))
        self.results["caveats"] = list(sentences)

    def save(self) -> Path:
        """Write this notebook's entry of ``results.json`` (atomically, under the folder's lock: a province's
        notebooks may run at once in several kernels), the entries in reading order (by notebook name), whatever
        order the notebooks ran in."""
        entry = _jsonable(self.results)
        return _update_results(self.output_dir, lambda entries: {**entries, self.notebook: entry})


def forget_results(folder: str | Path, notebooks: list[str]) -> None:
    """Drop the ``results.json`` entries of ``notebooks`` in the report folder ``folder`` (those about to run
    again; the others keep theirs), the same way :meth:`NotebookReport.save` writes it (under the folder's lock,
    atomically); the file is removed when no entry is left."""
    drop = set(notebooks)
    _update_results(Path(folder), lambda entries: {k: v for k, v in entries.items() if k not in drop})


def _update_results(folder: Path, change) -> Path:
    """Read ``folder/results.json``, apply ``change`` to its entries and write them back in reading order (by
    notebook name), under the folder's lock and atomically; no entry left: no file."""
    path = folder / "results.json"
    with locked(folder / ".results.lock"):
        existing = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        entries = dict(sorted(change(existing).items()))
        if entries:
            write_atomic(path, lambda tmp: tmp.write_text(json.dumps(entries, ensure_ascii=False, indent=2),
                                                          encoding="utf-8"))
        elif path.exists():
            path.unlink()
    return path
