"""Checks on what the reliability statistics are given: tables with the columns named, numbers (text that is not
a number is an error, never silently dropped), no duplicate ratings, a confidence level between 0 and 1."""
from __future__ import annotations

import numpy as np
import pandas as pd


def _require_columns(data, columns, what: str) -> pd.DataFrame:
    """``data`` when it is a DataFrame with ``columns``, else a ValueError naming ``what`` and what is missing."""
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"{what} needs a DataFrame with columns {list(columns)}, not {type(data).__name__}")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"{what}: column(s) {missing} not in the data (have {list(data.columns)})")
    return data


def _require_frame(data, columns, what: str) -> pd.DataFrame:
    """:func:`_require_columns`, and not empty (an empty table is a ValueError here)."""
    _require_columns(data, columns, what)
    if data.empty:
        raise ValueError(f"{what}: the data is empty")
    return data


def _numeric(values, what: str, column: str = "ratings") -> np.ndarray:
    """Numbers as floats (missing as NaN); text that is not a number is an error, never silently dropped."""
    if isinstance(values, pd.Series) and pd.api.types.is_numeric_dtype(values) \
            and not pd.api.types.is_bool_dtype(values):  # already numbers: no per-value conversion
        out = values.to_numpy(dtype=float, na_value=np.nan)
        if np.isinf(out).any():
            raise ValueError(f"{what}: {column} contain infinite values")
        return out
    series = pd.Series(values).astype(object).where(pd.Series(values).notna(), np.nan)
    converted = pd.to_numeric(series, errors="coerce")
    bad = series.notna() & converted.isna()
    if bad.any():
        examples = sorted({str(v) for v in series[bad]})[:5]
        raise ValueError(f"{what}: {column} must be numbers; found text {examples}")
    out = converted.to_numpy(dtype=float)
    if np.isinf(out).any():
        raise ValueError(f"{what}: {column} contain infinite values")
    return out


def check_duplicates(data: pd.DataFrame, keys: list[str], what: str = "ratings") -> None:
    """Raise ``ValueError`` naming the first duplicates when a combination of ``keys`` occurs twice
    (e.g. one rater rating one target twice): duplicates are an error to report, never averaged."""
    dup = data.duplicated(subset=keys, keep=False)
    if dup.any():
        shown = data.loc[dup, keys].drop_duplicates().head(5)
        listed = "; ".join(", ".join(f"{k}={v}" for k, v in zip(keys, row)) for row in shown.itertuples(index=False))
        raise ValueError(f"duplicate {what}: {int(dup.sum())} rows share {'/'.join(keys)} ({listed}); "
                         "resolve them at ingest (conflicting_duplicate) instead of averaging")


def _check_confidence(confidence: float) -> None:
    if not (isinstance(confidence, (int, float)) and 0 < confidence < 1):
        raise ValueError(f"confidence must be between 0 and 1, not {confidence!r}")


def _items_frame(items, what: str) -> pd.DataFrame:
    """A subjects x items table of numbers: text cells are an error (never silently dropped)."""
    if isinstance(items, pd.Series) or (not isinstance(items, pd.DataFrame) and np.ndim(items) != 2):
        raise ValueError(f"{what} needs a 2-D table: rows = subjects, columns = items")
    frame = pd.DataFrame(items)
    if frame.empty:
        raise ValueError(f"{what}: the table is empty")
    return pd.DataFrame({c: _numeric(frame[c], what, f"item {c!r}") for c in frame.columns}, index=frame.index)
