"""Defaults: folders, scale cut-offs and limits. Override from the CLI or by passing arguments."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_RAW = Path("data/raw")
DEFAULT_PROCESSED = Path("data/processed")
DEFAULT_REPORTS = Path("reports")

#: Traffic lights on the ordinal scale (red < yellow < green).
RATINGS = ("red", "yellow", "green")


@dataclass(frozen=True)
class Scale:
    """How points and traffic lights map to one 0-100 scale and one ordinal scale.

    * points -> 0-100: ``score_100 = 100 * score / max_score`` (max from the catalog);
    * 0-100 -> traffic light: below ``yellow_from`` red, below ``green_from`` yellow, else green;
    * traffic light only -> 0-100: the value in ``rating_to_100`` (default the band mid-points).
    """

    yellow_from: float = 40.0
    green_from: float = 70.0
    rating_to_100: dict = field(default_factory=lambda: {"red": 20.0, "yellow": 55.0, "green": 85.0})

    def rating_of(self, score_100: float) -> str | None:
        """Traffic light for a 0-100 score (None for missing)."""
        if score_100 is None or score_100 != score_100:
            return None
        if score_100 < self.yellow_from:
            return "red"
        if score_100 < self.green_from:
            return "yellow"
        return "green"


DEFAULT_SCALE = Scale()


@dataclass(frozen=True)
class ReadLimits:
    """Limits applied to untrusted workbooks before and while parsing them."""

    max_file_bytes: int = 200 * 1024**2
    max_uncompressed_bytes: int = 500 * 1024**2
    max_compression_ratio: float = 200.0
    max_sheet_cells: int = 20_000_000
    parse_memory_bytes: int = 4 * 1024**3
    parse_timeout_s: float = 300.0


DEFAULT_LIMITS = ReadLimits()
