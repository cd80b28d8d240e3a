"""Headers: the accepted spellings of each canonical column, the kinds of table and their required columns, which
kind a set of header cells makes, and the structural error of a table whose required column is missing or not
recognised (with a fix in Vietnamese and English).

Headers are recognised in Vietnamese or English, any case, with or without diacritics, below a title, over one or
two merged rows.
"""
from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from iso18091lab.i18n import t
from iso18091lab.normalize import fold, nfc

HEADER_SEARCH_ROWS = 25

#: Canonical column -> accepted header spellings, compared after :func:`fold`.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "province": ("province", "tinh", "tinh thanh pho", "tinh tp", "thanh pho", "tinh thanh", "dia phuong"),
    "unit": ("unit", "unit name", "body", "don vi", "ten don vi", "co quan", "ten co quan",
             "don vi duoc danh gia", "ubnd", "ten ubnd", "ubnd xa phuong", "ubnd xa phuong thi tran",
             "don vi hanh chinh", "ten don vi hanh chinh", "ten xa", "ten xa phuong", "xa phuong",
             "xa phuong thi tran"),
    "code": ("code", "unit code", "ma", "ma don vi", "ma dvhc", "ma hanh chinh", "ma so", "ma xa",
             "ma xa phuong", "ma huyen", "ma don vi hanh chinh"),
    "year": ("year", "nam", "nam danh gia"),
    "round": ("round", "dot", "dot danh gia", "ky danh gia", "lan danh gia"),
    "date": ("date", "assessment date", "date assessed", "ngay", "ngay danh gia", "ngay cham", "ngay cham diem",
             "thoi diem danh gia"),
    "rater": ("rater", "rater type", "nguoi danh gia", "loai danh gia", "ben danh gia", "hinh thuc danh gia"),
    "rater_id": ("rater id", "ma nguoi cham", "ma nguoi danh gia", "thanh vien hoi dong", "thanh vien",
                 "council member", "member"),
    "indicator": ("indicator", "indicator id", "chi so", "ma chi so", "so hieu chi so"),
    "score": ("score", "points", "diem", "diem so", "diem cham", "ket qua cham", "ket qua cham diem",
              "diem tu cham"),
    "rating": ("rating", "traffic light", "muc", "muc danh gia", "den", "mau", "xep loai", "den tin hieu"),
    "level": ("level", "cap", "cap hanh chinh", "loai don vi", "loai"),
    "group": ("group", "nhom", "nhom so sanh", "nhom doi tuong"),
    "pilot_start": ("pilot start", "nam bat dau thi diem", "bat dau thi diem", "nam thi diem",
                    "thi diem tu nam"),
    "pilot_start_round": ("pilot start round", "dot bat dau thi diem", "dot bat dau"),
    "aliases": ("aliases", "alias", "ten khac", "ten goi khac", "cach viet khac"),
    "measure": ("measure", "chi tieu", "thuoc do", "ten chi tieu"),
    "value": ("value", "gia tri", "ket qua"),
    "source": ("source", "data source", "nguon", "nguon du lieu"),
}
_ALIAS_LOOKUP = {alias: canonical for canonical, aliases in HEADER_ALIASES.items() for alias in aliases}
_PARENTHESES = re.compile(r"\(.*?\)|\[.*?\]")

#: Canonical column -> (Vietnamese, English) header shown in messages and proposed in fixes (text-table rows
#: ``hdr.<column>``; the template writes the same headers).
EXPECTED_HEADERS: dict[str, tuple[str, str]] = {
    column: (t(f"hdr.{column}", "vi"), t(f"hdr.{column}", "en"))
    for column in ("province", "unit", "code", "year", "round", "date", "rater", "rater_id", "indicator", "score",
                   "rating", "level", "group", "pilot_start", "pilot_start_round", "aliases", "measure", "value",
                   "source")
}

#: The kinds of table, in the order preferred when the evidence ties.
TABLE_KINDS = ("assessments", "units", "outcomes")
#: Required columns of each kind: each entry is a group of alternatives (one of them suffices).
REQUIRED_COLUMNS: dict[str, tuple[tuple[str, ...], ...]] = {
    "assessments": (("province",), ("unit", "code"), ("year",), ("rater",), ("indicator",), ("score", "rating")),
    "units": (("province",), ("unit",), ("group",)),
    "outcomes": (("province",), ("unit", "code"), ("year",), ("measure",), ("value",)),
}
#: Every column a table of each kind may have.
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "assessments": ("province", "unit", "code", "year", "round", "date", "rater", "rater_id", "indicator", "score",
                    "rating", "source"),
    "units": ("province", "unit", "code", "level", "group", "pilot_start", "pilot_start_round", "aliases",
              "source"),
    "outcomes": ("province", "unit", "code", "year", "date", "measure", "value", "source"),
}
#: Columns only a table of that kind has (the evidence for a kind when its signature is incomplete).
_KIND_COLUMNS = {
    "assessments": {"indicator", "score", "rating", "rater", "rater_id"},
    "units": {"level", "group", "pilot_start", "pilot_start_round", "aliases"},
    "outcomes": {"measure", "value"},
}
_IDENTITY = {"province", "unit", "code", "year"}
#: What each kind of table is called in messages (text-table rows ``io_kind_<kind>``).
KIND_NAMES: dict[str, tuple[str, str]] = {kind: (t(f"io_kind_{kind}", "vi"), t(f"io_kind_{kind}", "en"))
                                          for kind in TABLE_KINDS}


@dataclass(frozen=True)
class MissingColumn:
    """A required column a table lacks: ``column`` or one of ``alternatives`` is needed."""

    column: str
    alternatives: tuple[str, ...] = ()

    @property
    def header_vi(self) -> str:
        """The Vietnamese header to use, e.g. 'Nhóm'."""
        return EXPECTED_HEADERS[self.column][0]

    @property
    def header_en(self) -> str:
        """The English header to use, e.g. 'group'."""
        return EXPECTED_HEADERS[self.column][1]

    @property
    def expected(self) -> str:
        """Both headers, e.g. 'Nhóm / group'."""
        return f"{self.header_vi} / {self.header_en}"


@dataclass(frozen=True)
class UnrecognisedHeader:
    """A header cell that matches no accepted spelling, with the closest accepted one if close."""

    column: str  # spreadsheet column letter, e.g. "B"
    header: str  # as written (NFC)
    suggestion: str | None = None  # canonical column it probably means

    @property
    def suggested(self) -> str:
        """The suggested header in both languages ('Tên đơn vị / unit'), or ''."""
        if not self.suggestion:
            return ""
        vi, en = EXPECTED_HEADERS[self.suggestion]
        return f"{vi} / {en}"


@dataclass
class StructuralError:
    """A sheet that clearly holds a table of kind ``kind`` but cannot be read: a required column is
    missing or its header is not recognised. No row of it is read.

    ``headers`` are the header cells as written (column letter -> text), ``recognised`` maps the
    canonical columns found to their header text, ``missing`` lists the required columns lacking,
    ``unrecognised`` the other header cells (with a suggestion when one is close), ``data_rows`` the
    non-empty rows below the header that were not read.
    """

    file: Path
    sheet: str
    kind: str
    header_rows: tuple[int, ...]
    headers: dict[str, str]
    recognised: dict[str, str]
    missing: list[MissingColumn]
    unrecognised: list[UnrecognisedHeader]
    data_rows: int = 0
    rule: str = "missing_columns"

    def _renames(self) -> list[tuple[MissingColumn, UnrecognisedHeader | None]]:
        used: set[int] = set()
        out = []
        for missing in self.missing:
            wanted = (missing.column, *missing.alternatives)
            match = next((i for i, u in enumerate(self.unrecognised) if u.suggestion in wanted and i not in used), None)
            if match is not None:
                used.add(match)
                # propose the header for the alternative the cell resembles ('Mã xã' -> code, not unit)
                out.append((MissingColumn(self.unrecognised[match].suggestion), self.unrecognised[match]))
            else:
                out.append((missing, None))
        return out

    def _fixes(self, lang: str) -> list[str]:
        """One fix per missing column: rename the cell that resembles it, else add the column."""
        english = lang == "en"
        fixes = []
        for missing, cell in self._renames():
            wanted = f"'{missing.header_vi}'" + (f" ({missing.header_en})" if english else "")
            if cell is not None:
                fixes.append(t("io_fix_rename", lang, column=cell.column, header=cell.header, wanted=wanted))
                continue
            names = [f"'{EXPECTED_HEADERS[a][0]}'" + (f" ({EXPECTED_HEADERS[a][1]})" if english else "")
                     for a in missing.alternatives]
            other = "".join(f" {t('io_or', lang)} {name}" for name in names)
            fixes.append(t("io_fix_add", lang, wanted=wanted, other=other))
        return fixes

    @property
    def fixes_vi(self) -> list[str]:
        """One fix per missing column, in Vietnamese."""
        return self._fixes("vi")

    @property
    def fixes_en(self) -> list[str]:
        """One fix per missing column, in English."""
        return self._fixes("en")

    def _where(self, lang: str) -> str:
        where = f"'{self.file.as_posix()}'"
        if self.sheet:
            where += f", {t('io_where_sheet', lang)} '{self.sheet}'"
        return where + f", {t('io_where_header_row', lang)} {'+'.join(map(str, self.header_rows))}"

    def _message(self, lang: str) -> str:
        missing = ", ".join(_missing_text(m, t("io_or", lang)) for m in self.missing)
        found = "; ".join(f"{c}: '{h}'" for c, h in self.headers.items()) or t("io_none", lang)
        text = t("io_structural", lang, where=self._where(lang), kind=t(f"io_kind_{self.kind}", lang),
                 missing=missing, found=found)
        hints = [t("io_close_to", lang, column=u.column, header=u.header,
                   suggested=EXPECTED_HEADERS[u.suggestion][0] if lang == "vi" else u.suggested)
                 for u in self.unrecognised if u.suggestion]
        if hints:
            text += " " + t("io_not_recognised", lang, hints=", ".join(hints))
        text += " " + t("io_fix", lang, fixes="; ".join(self._fixes(lang)))
        return text + " " + t("io_rows_not_read", lang, n=str(self.data_rows))

    @property
    def message_vi(self) -> str:
        """The whole problem and its fix in Vietnamese."""
        return self._message("vi")

    @property
    def message_en(self) -> str:
        """The whole problem and its fix in English."""
        return self._message("en")

    @property
    def reason_vi(self) -> str:
        """Same as :attr:`message_vi` (named like :class:`SkippedSheet`'s reason)."""
        return self.message_vi

    @property
    def reason_en(self) -> str:
        """Same as :attr:`message_en`."""
        return self.message_en


def _missing_text(missing: MissingColumn, word: str) -> str:
    others = "".join(f" ({word} {EXPECTED_HEADERS[a][0]} / {EXPECTED_HEADERS[a][1]})" for a in missing.alternatives)
    return missing.expected + others


def column_letter(index: int) -> str:
    """Spreadsheet column letters of a 0-based column index: 0 -> 'A', 27 -> 'AB'."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def canonical_header(text: object) -> str | None:
    """Canonical column for a header cell ('Tỉnh/Thành phố' -> 'province'), or None."""
    if not isinstance(text, str):  # a number, date or empty cell is never a header: every alias is words
        return None
    if len(text) > 200:
        return _canonical_header(text)
    return _canonical_header_cached(text)


@functools.lru_cache(maxsize=65536)
def _canonical_header_cached(text: str) -> str | None:
    return _canonical_header(text)


def _canonical_header(text: str) -> str | None:
    folded = fold(_PARENTHESES.sub(" ", nfc(text)))
    if folded in _ALIAS_LOOKUP:
        return _ALIAS_LOOKUP[folded]
    compact = folded.replace(" ", "_")
    if compact in HEADER_ALIASES:
        return compact
    return None


def _header_map(*header_rows: list[object]) -> dict[int, tuple[str, str]]:
    """Column index -> (canonical, header text); later rows win (sub-headers under merged ones)."""
    memo: dict[object, str | None] = {}
    return _merged([(row, _row_canonicals(row, memo)) for row in header_rows])


def _row_canonicals(row: list[object], memo: dict[object, str | None]) -> dict[int, str]:
    """Column index -> canonical column of each recognised header cell of one row.

    ``canonical_header`` is called once per distinct cell (``memo`` keeps the answers across the rows of a sheet);
    a row without a text cell has none."""
    try:
        missing = set(row).difference(memo)
    except TypeError:  # an unhashable cell: no memo
        return {col: canonical for col, canonical in enumerate(map(canonical_header, row)) if canonical}
    for cell in missing:
        memo[cell] = canonical_header(cell)
    return {col: canonical for col, canonical in enumerate(map(memo.__getitem__, row)) if canonical}


def _merged(rows: list[tuple[list[object], dict[int, str]]]) -> dict[int, tuple[str, str]]:
    """:func:`_header_map` of rows whose canonical cells are known: later rows win, then the first column wins for a
    canonical name used twice."""
    found: dict[int, tuple[str, list[object]]] = {}
    for row, canonicals in rows:  # a later row's recognised cell replaces an earlier one's
        for col, canonical in canonicals.items():
            found[col] = (canonical, row)
    mapping: dict[int, tuple[str, str]] = {}
    seen: set[str] = set()
    for col in sorted(found):
        canonical, row = found[col]
        if canonical not in seen:
            seen.add(canonical)
            mapping[col] = (canonical, nfc(row[col]))
    return mapping


def _missing(kind: str, columns: set[str]) -> list[MissingColumn]:
    return [MissingColumn(group[0], group[1:]) for group in REQUIRED_COLUMNS[kind] if not columns & set(group)]


def table_kind(columns: set[str]) -> tuple[str, bool] | None:
    """(kind, complete signature) for a set of recognised canonical columns, or None (no table).

    Signatures: assessments = indicator and (score or rating); outcomes = measure and value;
    units = level, group, pilot start or aliases with province, unit or code, no indicator or
    measure, and no more assessment columns (rater, score...) than unit columns. Without a full
    signature a kind is still recognised (signature incomplete) from at least one of its own
    columns and two of province / unit / code / year, or two of its own columns and one of those:
    such a sheet is a table with a structural problem, not instructions.
    """
    if "indicator" in columns and columns & {"score", "rating"}:
        return "assessments", True
    if {"measure", "value"} <= columns:
        return "outcomes", True
    evidence = {kind: len(columns & _KIND_COLUMNS[kind]) for kind in TABLE_KINDS}
    if (evidence["units"] and evidence["units"] >= evidence["assessments"] and not columns & {"indicator", "measure"}
            and columns & {"province", "unit", "code"}):
        return "units", True
    identity = len(columns & _IDENTITY)
    kind = max(TABLE_KINDS, key=lambda k: evidence[k])  # first of the order on a tie
    if (evidence[kind] >= 1 and identity >= 2) or (evidence[kind] >= 2 and identity >= 1):
        return kind, False
    return None


def _suggest(header: str, candidates: list[str]) -> str | None:
    """The canonical column among ``candidates`` whose accepted spelling ``header`` resembles."""
    folded = fold(_PARENTHESES.sub(" ", header))
    if not folded:
        return None
    best, best_score = None, 0.0
    for canonical in candidates:
        for alias in HEADER_ALIASES[canonical]:
            if folded.startswith(alias + " ") and len(alias) >= 3:
                score = 0.9 + len(alias) / 1000  # Vietnamese puts the head noun first: 'Nhóm đơn vị' is a group
            else:
                score = difflib.SequenceMatcher(None, folded, alias).ratio()
            if score > best_score:
                best, best_score = canonical, score
    return best if best_score >= 0.7 else None


@dataclass
class _Candidate:
    rows: tuple[int, ...]  # 0-based
    mapping: dict[int, tuple[str, str]]
    kind: str | None
    complete: bool
    missing: list[MissingColumn]

    @property
    def valid(self) -> bool:
        return self.kind is not None and self.complete and not self.missing


def _candidates(rows: list[list[object]]) -> list[_Candidate]:
    limit = min(HEADER_SEARCH_ROWS, len(rows))
    memo: dict[object, str | None] = {}
    found = [_row_canonicals(rows[i], memo) if rows[i] else {} for i in range(limit)]
    singles = [_merged([(rows[i], found[i])]) for i in range(limit)]
    raw = []
    for start in range(limit):
        raw.append(((start,), singles[start]))
        if start + 1 < limit and singles[start] and rows[start + 1]:
            combined = _merged([(rows[start], found[start]), (rows[start + 1], found[start + 1])])
            if len(combined) > max(len(singles[start]), len(singles[start + 1])):
                raw.append(((start, start + 1), combined))
    out = []
    for header_rows, mapping in raw:
        columns = {c for c, _ in mapping.values()}
        found = table_kind(columns)
        kind, complete = found if found else (None, False)
        out.append(_Candidate(header_rows, mapping, kind, complete, _missing(kind, columns) if kind else []))
    return out
