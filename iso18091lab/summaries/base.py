"""Typed report summaries: everything a report states, computed once and saved typed, rendered many times.

A report's builder (``build_<report>(data, params) -> <Report>Summary``, one module per report in this package)
returns a :class:`Summary` subclass: plain fields (numbers, keys, :class:`Estimate`, verdicts), tables
(``DataFrame`` fields, saved as Parquet with their dtypes) and what could not be estimated and why
(:class:`NotEstimated`). No words: reasons, methods and verdicts are keys of the text table, worded by
``render`` in the reader's language.

Saved in a report folder as ``summaries/<report>.json`` (schema name, version, kind and the plain fields) and
``summaries/<report>/<field>.parquet`` (one file per table field). :func:`load_summary` reads it back into the
same class; a file of another schema version is refused with a clear error rather than read wrongly.
"""
from __future__ import annotations

import dataclasses
import importlib
import json
import math
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from iso18091lab.stats.verdict import Verdict
from iso18091lab.storage import write_atomic

#: The schema name and version written into every summary file; bump the version when a field changes meaning.
SCHEMA = "iso18091lab.summary"
SCHEMA_VERSION = 1

#: Summary classes by report name (``"30_effectiveness"``), filled by :func:`register`.
SUMMARIES: dict[str, type["Summary"]] = {}


@dataclass(frozen=True)
class Estimate:
    """One estimate with its uncertainty: the result convention of every summary (as scipy.stats and
    statsmodels results carry them).

    ``method`` is a key of the text table (``method.<key>``) and ``params`` fill its placeholders (number of
    permutations, resamples, the inference procedure ...). An unbounded interval is ``-inf`` / ``inf``."""

    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    n: int
    method: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class NotEstimated:
    """A part of a report the data cannot support: its section key, the reason key (``ne_<reason>`` in the text
    table, as :class:`iso18091lab.stats.NotEstimable` gives it) and the values its sentence needs."""

    section: str
    reason: str
    values: dict = field(default_factory=dict)

    @classmethod
    def of(cls, section: str, exc) -> "NotEstimated":
        """From a :class:`iso18091lab.stats.NotEstimable` raised while building ``section``."""
        return cls(section, exc.reason, dict(exc.values))


@dataclass
class Summary:
    """Base of every report summary: the province, whether the data are synthetic, the parameters the report was
    built with, and what could not be estimated. Subclasses add typed fields; a ``pd.DataFrame`` field is a
    table."""

    report: ClassVar[str] = ""

    province: str
    synthetic: bool
    params: dict = field(default_factory=dict)
    not_estimated: list[NotEstimated] = field(default_factory=list)

    # -- saving -------------------------------------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        """Write ``folder/summaries/<report>.json`` and one Parquet file per table field; returns the JSON path.
        Each file is written whole or not at all."""
        base = Path(folder) / "summaries"
        tables_dir = base / self.report
        plain, tables = {}, {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, pd.DataFrame):
                tables[f.name] = value
            else:
                plain[f.name] = _to_json(value)
        table_files = {}
        for name, frame in tables.items():
            path = tables_dir / f"{name}.parquet"
            _write_table(frame, path)
            table_files[name] = {"file": f"{self.report}/{name}.parquet",
                                 "columns": {str(c): str(t) for c, t in frame.dtypes.items()}}
        document = {"schema": SCHEMA, "version": SCHEMA_VERSION, "kind": type(self).__name__,
                    "report": self.report, "fields": plain, "tables": table_files}
        path = base / f"{self.report}.json"
        text = json.dumps(document, ensure_ascii=False, indent=1, allow_nan=False)
        write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        return path

    @classmethod
    def load(cls, folder: str | Path):
        """The summary saved by :meth:`save` in ``folder`` (a report folder)."""
        base = Path(folder) / "summaries"
        path = base / f"{cls.report}.json"
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("schema") != SCHEMA or document.get("version") != SCHEMA_VERSION:
            raise ValueError(f"{path}: summary schema {document.get('schema')!r} version {document.get('version')!r}"
                             f" is not {SCHEMA!r} version {SCHEMA_VERSION}; run the report again")
        if document.get("kind") != cls.__name__:
            raise ValueError(f"{path}: holds a {document.get('kind')}, not a {cls.__name__}")
        hints = typing.get_type_hints(cls)
        values = {}
        for f in dataclasses.fields(cls):
            if f.name in document["tables"]:
                values[f.name] = pd.read_parquet(base / document["tables"][f.name]["file"])
            elif f.name in document["fields"]:
                values[f.name] = _from_json(document["fields"][f.name], hints[f.name])
        return cls(**values)

    @classmethod
    def json_schema(cls) -> dict:
        """A JSON Schema (draft 2020-12) of this summary's JSON file, made from its fields' types."""
        hints = typing.get_type_hints(cls)
        plain = {f.name: _schema_of(hints[f.name]) for f in dataclasses.fields(cls)
                 if hints[f.name] is not pd.DataFrame}
        return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": cls.__name__,
                "type": "object", "required": ["schema", "version", "kind", "report", "fields", "tables"],
                "properties": {"schema": {"const": SCHEMA}, "version": {"const": SCHEMA_VERSION},
                               "kind": {"const": cls.__name__}, "report": {"const": cls.report},
                               "fields": {"type": "object", "properties": plain, "required": sorted(plain)},
                               "tables": {"type": "object"}}}


def register(cls: type[Summary]) -> type[Summary]:
    """Class decorator: make ``cls`` the summary of its report (:data:`SUMMARIES`, :func:`load_summary`)."""
    if not cls.report:
        raise ValueError(f"{cls.__name__} has no report name")
    SUMMARIES[cls.report] = cls
    return cls


def load_summary(folder: str | Path, report: str) -> Summary:
    """The summary of ``report`` (``"30_effectiveness"``) saved in the report folder ``folder`` (its class is
    registered by importing its module, ``iso18091lab.summaries.effectiveness``, when no one has yet)."""
    if report not in SUMMARIES:
        importlib.import_module(f"{__package__}.{report.partition('_')[2]}")
    return SUMMARIES[report].load(folder)


def has_summary(folder: str | Path, report: str) -> bool:
    """Whether the report folder holds a saved summary of ``report``."""
    return (Path(folder) / "summaries" / f"{report}.json").is_file()


# -- conversion ---------------------------------------------------------------------------------------------
_NONFINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}


def _to_json(value: Any):
    """Plain JSON values; floats that JSON cannot hold are written as the strings "inf", "-inf", "nan"."""
    if isinstance(value, Verdict):
        return _to_json(value.to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_json(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else ("nan" if value != value else ("inf" if value > 0 else "-inf"))
    if value is None or value is pd.NA:
        return None
    if isinstance(value, str):
        return value
    raise TypeError(f"a summary field cannot hold {type(value).__name__}: {value!r}")


def _from_json(value, hint):
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _from_json(value, inner[0]) if len(inner) == 1 else value
    if hint is float:
        return _NONFINITE[value] if isinstance(value, str) else (math.nan if value is None else float(value))
    if hint is int:
        return int(value)
    if hint is Verdict:
        return Verdict.from_dict({**value, "values": _untyped(value.get("values") or {})})
    if dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        return hint(**{f.name: _from_json(value[f.name], hints[f.name]) for f in dataclasses.fields(hint)
                       if f.name in value})
    if origin in (list, tuple):
        item = args[0] if args else Any
        out = [_from_json(v, item) for v in value]
        return tuple(out) if origin is tuple else out
    if origin is dict and len(args) == 2:
        return {k: _from_json(v, args[1]) for k, v in value.items()}
    return _untyped(value)


def _untyped(value):
    """A value of no declared type (a verdict's or an estimate's values, ``params``): the strings "inf", "-inf"
    and "nan" that :func:`_to_json` wrote for floats JSON cannot hold are floats again."""
    if isinstance(value, dict):
        return {k: _untyped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_untyped(v) for v in value]
    return _NONFINITE[value] if isinstance(value, str) and value in _NONFINITE else value


def _schema_of(hint) -> dict:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    number = {"oneOf": [{"type": "number"}, {"enum": ["inf", "-inf", "nan"]}]}
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [_schema_of(a) for a in args]}
    if hint is type(None):
        return {"type": "null"}
    if hint is float:
        return number
    if hint is int:
        return {"type": "integer"}
    if hint is bool:
        return {"type": "boolean"}
    if hint is str:
        return {"type": "string"}
    if hint is Verdict:
        return {"type": "object", "required": ["answer", "reason", "values"],
                "properties": {"answer": {"enum": ["yes", "no", "unclear"]}, "reason": {"type": "string"},
                               "values": {"type": "object"}}}
    if dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        props = {f.name: _schema_of(hints[f.name]) for f in dataclasses.fields(hint)}
        return {"type": "object", "properties": props, "required": sorted(props)}
    if origin in (list, tuple):
        return {"type": "array", "items": _schema_of(args[0]) if args else {}}
    if origin is dict or hint is dict:
        return {"type": "object"}
    return {}


def _write_table(frame: pd.DataFrame, path: Path) -> None:
    """A table with its dtypes (Parquet); ``attrs`` are not part of a summary table and must be empty."""
    if frame.attrs:
        raise ValueError(f"{path.name}: a summary table carries no DataFrame.attrs ({sorted(frame.attrs)}); "
                         "put them in typed fields")
    out = frame.reset_index(drop=True)
    out.columns = [str(c) for c in out.columns]
    write_atomic(path, lambda tmp: out.to_parquet(tmp, index=False))
