"""Finding English in what a Vietnamese reader reads: the pages (HTML), the Word pack, the Excel workbook and the
text the figures draw (recorded by :func:`iso18091lab.render.figures.drawn_texts` in results.json; no OCR).

A word is English when it is written in plain Latin letters (no Vietnamese diacritics) and cannot be a Vietnamese
syllable (onset + vowels + one of the codas c, ch, m, n, ng, nh, p, t): "pillar", "reference", "effect",
"overall", "secondary", "False" fail the syllable shape; "True" is listed. Allowed: acronyms in capitals (ICC,
REML, KTC, ATT), proper names of methods and people from :data:`NAMES`, file names and paths, numbers, and
words in brackets (a method's English name kept after its Vietnamese name so that researchers can look it up).
Any snake_case word (``ci_low``, ``rows_read``) is a hit wherever it is. Independent of the package's text
table: the rules are Vietnamese spelling, not the keys the code uses.
"""
from __future__ import annotations

import json
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

SYLLABLE = re.compile(r"^(ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|b|c|d|g|h|k|l|m|n|p|r|s|t|v|x)?"
                      r"[aeiouy]{1,3}(ch|ng|nh|c|m|n|p|t)?$")
#: Plain-Latin English words that happen to have the shape of a Vietnamese syllable.
ENGLISH_ANYWAY = {"true", "the", "by", "be", "we", "she", "he", "ci"}
#: Names of people, methods, software and formats that stay as they are in Vietnamese text.
NAMES = {
    "excel", "word", "borusyak", "jaravel", "spiess", "callaway", "sant", "anna", "wilcoxon", "krippendorff",
    "cronbach", "bland", "altman", "hodges", "lehmann", "fleiss", "cohen", "kappa", "alpha", "omega", "mcdonald",
    "shrout", "benjamini", "hochberg", "holm", "bonferroni", "feldt", "satterthwaite", "kenward", "roger",
    "iso18091lab", "python", "parquet", "okabe", "ito", "chromium", "libreoffice", "wilson", "student",
    "welch", "fisher", "pearson", "spearman", "kendall", "gwet", "likert", "dersimonian", "laird", "paule",
    "mandel", "knapp", "hartung", "hedges", "olkin", "bootstrap", "jupyterlab", "jupyter", "notebook", "tau",
    "psi", "html", "xlsx", "csv", "docx", "png", "svg", "json", "sha", "tcvn", "iso", "ok", "cr1", "wald",
    "tukey", "stata", "did", "imputation", "lme4", "lmer", "psych", "irr", "pingouin", "statsmodels", "scipy",
    "numpy", "pandas", "matplotlib", "papermill", "nbconvert", "utf", "bom", "id", "ms", "ns", "mcgraw",
    "wong", "koo", "li", "walsh", "bca", "diff", "wilcox", "garcia", "hedges", "horvitz", "thompson",
}
#: Commands of the package quoted in the text ("iso18091lab ingest").
COMMAND = re.compile(r"iso18091lab\s+[a-z]+")
WORD = re.compile(r"[A-Za-zÀ-ỹĐđ_][A-Za-zÀ-ỹĐđ0-9_'’]*")
SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")


def _plain_latin(word: str) -> bool:
    return all(ord(c) < 128 for c in word)


def _bracketed(text: str) -> str:
    """The text with bracketed parts removed (nested brackets too)."""
    previous = None
    while previous != text:
        previous, text = text, re.sub(r"\([^()]*\)", " ", text)
    return text


def english_words(text: str) -> list[str]:
    """The English words and snake_case names in one piece of text a Vietnamese reader sees."""
    text = unicodedata.normalize("NFC", str(text))
    text = re.sub(r"\[[a-z0-9_]+\]", " ", COMMAND.sub(" ", text))  # a rule's code quoted as "[missing_value]"
    hits = SNAKE.findall(re.sub(r"\S*[/\\]\S*|\S+\.(csv|xlsx|json|html|parquet|png|svg|docx)\b", " ", text))
    outside = _bracketed(re.sub(r"\S*[/\\]\S*|\S+\.(csv|xlsx|json|html|parquet|png|svg|docx)\b|https?://\S+",
                                " ", text))
    for word in WORD.findall(outside):
        if "_" in word or not _plain_latin(word) or any(c.isdigit() for c in word):
            continue
        bare = word.strip("'’")
        low = bare.lower()
        if len(bare) < 2 or bare.isupper() or low in NAMES or (low.endswith("s") and low[:-1] in NAMES):
            continue
        if low in ENGLISH_ANYWAY or not SYLLABLE.match(low):
            hits.append(bare)
    return hits


class _Visible(HTMLParser):
    """The text a browser shows (no script, style or head), and the alt texts of images."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head"):
            self._skip += 1
        for name, value in attrs:
            if name in ("alt", "title", "aria-label") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head"):
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data)


def html_texts(path: Path) -> list[str]:
    parser = _Visible()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.parts


def docx_texts(path: Path) -> list[str]:
    from docx import Document

    doc = Document(path)
    texts = [p.text for p in doc.paragraphs]
    texts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return texts


def xlsx_texts(path: Path) -> list[str]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    texts = list(book.sheetnames)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            texts += [v for v in row if isinstance(v, str)]
    return texts


def figure_texts(folder: Path) -> dict[str, list[str]]:
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    return {info["png"]: info.get("texts") or [] for entry in results.values() for info in entry.get("figures", [])}


def english_in_outputs(reports: Path, quoted: set[str] = frozenset()) -> dict[str, list[str]]:
    """{file (or figure): [English words]} for every page, pack, workbook and figure under ``reports`` that a
    Vietnamese reader opens (the machine-readable tables under tables/ are contracts and are not read).
    ``quoted``: words of the raw input (a value typed "red" is shown as it was typed)."""
    found: dict[str, list[str]] = {}
    quoted = {w.lower() for w in quoted}
    for where, texts in reader_texts(reports).items():
        words = [w for text in texts for w in english_words(text) if w.lower() not in quoted]
        if words:
            found[where] = list(dict.fromkeys(words))
    return found


def reader_texts(reports: Path) -> dict[str, list[str]]:
    """{file (or figure): [texts]} of every page, pack, workbook and figure under ``reports`` that a reader
    opens (the machine-readable tables under tables/ and the folders of other data left out)."""
    texts: dict[str, list[str]] = {}
    for path in sorted(reports.rglob("*.html")):
        if "_du-lieu-khac" not in path.parts:
            texts[str(path.relative_to(reports))] = html_texts(path)
    for path in sorted(reports.rglob("*.docx")):
        texts[str(path.relative_to(reports))] = docx_texts(path)
    for path in sorted(reports.rglob("*.xlsx")):
        if path.parent.name != "tables":
            texts[str(path.relative_to(reports))] = xlsx_texts(path)
    for results in sorted(reports.rglob("results.json")):
        for png, shown in figure_texts(results.parent).items():
            texts[str(results.parent.relative_to(reports) / png)] = shown
    return texts


def raw_words(raw: Path) -> set[str]:
    """Every word in the raw input files (cells of workbooks and CSVs): values shown as they were typed."""
    import pandas as pd

    words: set[str] = set()
    for path in raw.rglob("*"):
        if path.suffix.lower() in (".xlsx", ".xls"):
            sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=str, engine="openpyxl")
            frames = list(sheets.values())
        elif path.suffix.lower() == ".csv":
            frames = [pd.read_csv(path, header=None, dtype=str, encoding="utf-8-sig", on_bad_lines="skip")]
        else:
            continue
        for frame in frames:
            for value in frame.stack().dropna():
                words |= set(WORD.findall(str(value)))
    return words
