"""Statistics: descriptive scores, reliability, indicator review, effectiveness, national synthesis.

Every public function raises :class:`NotEstimable` (a ``ValueError``) with a plain reason when the data given
cannot support the analysis (one wave only, no comparison bodies, no council members' scores ...), so that a
report can say what cannot be estimated and why instead of failing.
"""
from __future__ import annotations


class NotEstimable(ValueError):
    """The data cannot support an analysis. ``reason`` is a key of the report texts (``ne_<reason>``) and
    ``values`` fill its placeholders; ``str(exc)`` is a plain English sentence for programmers."""

    def __init__(self, reason: str, message: str = "", **values):
        self.reason, self.values = reason, values
        super().__init__(message or f"cannot be estimated: {reason} {values or ''}".strip())
