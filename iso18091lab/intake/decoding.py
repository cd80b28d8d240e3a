"""Text decoding of delimited files: the encoding (UTF-8 with or without BOM, UTF-16, Windows-1258) and the field
separator (``,`` ``;`` tab or ``|``), and the rows of cells of a CSV/TSV/TXT file (text in NFC)."""
from __future__ import annotations

import csv
import io as _io
import itertools
import unicodedata
from pathlib import Path

from iso18091lab.intake.files import FileReadError
from iso18091lab.intake.headers import HEADER_SEARCH_ROWS, canonical_header

#: Candidate field separators of delimited text, in the order preferred on a tie.
DELIMITERS = (",", ";", "\t", "|")


def decode_text(data: bytes) -> str:
    """Text of a CSV/TXT file: UTF-8 (with or without BOM), UTF-16 (BOM or not), else Windows-1258."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    head = data[:4096]
    if len(head) >= 4:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        # ASCII and Vietnamese letters have a zero high byte far more often than a zero low byte
        if odd > len(head) // 4 and even <= odd // 8:
            return data.decode("utf-16-le")
        if even > len(head) // 4 and odd <= even // 8:
            return data.decode("utf-16-be")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1258")


def _read_csv_rows(path: Path) -> list[list[object]]:
    data = path.read_bytes()
    try:
        text = decode_text(data)
    except UnicodeDecodeError:
        raise FileReadError(path, "encoding", "io_encoding")
    if "\x00" in text:
        raise FileReadError(path, "binary", "io_binary")
    default = "\t" if path.suffix.lower() in (".tsv", ".txt") else ","
    delimiter = detect_delimiter(text, default)
    cache: dict[str, str] = {}

    def cell(value: str) -> str:  # NFC; repeated values are normalised once
        if value.isascii():
            return value
        done = cache.get(value)
        if done is None:
            done = cache[value] = unicodedata.normalize("NFC", value)
        return done
    try:
        return [[cell(c) for c in row] for row in csv.reader(_io.StringIO(text), delimiter=delimiter)]
    except csv.Error as exc:
        raise FileReadError(path, "bad_csv", "io_bad_csv", detail=str(exc))


def detect_delimiter(text: str, default: str = ",") -> str:
    """The field separator of delimited ``text``: ``,`` ``;`` tab or ``|``.

    Judged on the first records of the file, for each candidate: first the number of recognised
    column headers in one row (the header row found), then the longest run of consecutive
    non-blank records splitting into the same number (≥ 2) of fields — title rows above the
    header and decimal commas inside fields do not break the table's run — then the later run,
    then the more fields; ``default`` wins a full tie.
    """
    limit = 65536
    sample, truncated = text[:limit], len(text) > limit
    order = [default] + [d for d in DELIMITERS if d != default]
    best_key, best = None, default
    for rank, delimiter in enumerate(order):
        try:
            records = list(itertools.islice(csv.reader(_io.StringIO(sample), delimiter=delimiter), 300))
        except csv.Error:
            continue
        if truncated and len(records) > 1:
            records = records[:-1]  # possibly cut in the middle
        hits = max((_header_hits(r) for r in records[:HEADER_SEARCH_ROWS]), default=0)
        run = run_count = run_end = 0
        length, count = 0, None
        position = 0
        for record in records:
            if not any(c.strip() for c in record):
                continue  # blank lines do not break a table
            position += 1
            if len(record) >= 2 and len(record) == count:
                length += 1
            else:
                count, length = len(record), (1 if len(record) >= 2 else 0)
            if length and (length, position) >= (run, run_end):
                run, run_count, run_end = length, count, position
        key = (hits if hits >= 2 else 0, run, run_end, run_count, -rank)
        if best_key is None or key > best_key:
            best_key, best = key, delimiter
    return best


def _header_hits(record: list[str]) -> int:
    return len({canonical_header(c) for c in record if len(c) <= 80} - {None})
