"""iso18091lab: a research workbench for TCVN ISO 18091:2020 pilots in Vietnamese local government.

From Python::

    import iso18091lab as lab
    lab.ingest("data/raw", "data/processed")      # raw files -> clean tables + quarantine
    data = lab.load("data/processed")             # tidy DataFrames with documented dtypes
"""
from iso18091lab._version import __version__  # noqa: E402

from iso18091lab.catalog import load_catalog  # noqa: E402
from iso18091lab.intake.dataset import Dataset, load  # noqa: E402
from iso18091lab.intake.pipeline import IngestResult, ingest  # noqa: E402
from iso18091lab.render.notebook import NotebookReport  # noqa: E402

__all__ = ["Dataset", "IngestResult", "NotebookReport", "ingest", "load", "load_catalog", "__version__"]
