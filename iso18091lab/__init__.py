"""iso18091lab: a research workbench for TCVN ISO 18091:2020 pilots in Vietnamese local government.

From Python::

    import iso18091lab as lab
    lab.ingest("data/raw", "data/processed")      # raw files -> clean tables + quarantine
    data = lab.load("data/processed")             # tidy DataFrames with documented dtypes

The names below are imported when first used, so the command line starts without loading what a job does not
need (matplotlib for an ingest, for instance).
"""
from __future__ import annotations

from importlib import import_module

from iso18091lab._version import __version__

#: Public name -> the module that defines it.
_EXPORTS = {"load_catalog": "iso18091lab.catalog", "Dataset": "iso18091lab.intake.dataset",
            "load": "iso18091lab.intake.dataset", "IngestResult": "iso18091lab.intake.store",
            "ingest": "iso18091lab.intake.pipeline", "NotebookReport": "iso18091lab.render.notebook"}

__all__ = ["Dataset", "IngestResult", "NotebookReport", "ingest", "load", "load_catalog", "__version__"]


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'iso18091lab' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
