"""Statistics: descriptive scores, reliability, indicator review, effectiveness, national synthesis.

Every public function raises :class:`NotEstimable` (a ``ValueError``) with a plain reason when the data given
cannot support the analysis (one wave only, no comparison bodies, no council members' scores ...), so that a
report can say what cannot be estimated and why instead of failing.
"""
from __future__ import annotations

import json


class NotEstimable(ValueError):
    """The data cannot support an analysis. ``reason`` is a key of the report texts (``ne_<reason>``) and
    ``values`` fill its placeholders; ``str(exc)`` is a plain English sentence for programmers."""

    def __init__(self, reason: str, message: str = "", **values):
        self.reason, self.values = reason, values
        super().__init__(message or f"cannot be estimated: {reason} {values or ''}".strip())


def method_token(key: str, **params) -> str:
    """A method description as results and tables carry it: the key of its words in the text table
    (``method.<key>``) and the values that fill them in, as one text — ``'mean_change_bca {"resamples": 9999}'``,
    or just the key. No words: :func:`iso18091lab.i18n.method_text` words it for readers. A value may itself be a
    description, :func:`method_part` (worded in place), or a list of them (worded as an aside in brackets)."""
    return f"{key} {json.dumps(params, ensure_ascii=False, sort_keys=True)}" if params else key


def method_params(token: str) -> tuple[str, dict]:
    """The key and values of a method description (the inverse of :func:`method_token`).

    Examples
    --------
    >>> method_params(method_token("mean_change_bca", resamples=9999))
    ('mean_change_bca', {'resamples': 9999})
    >>> method_params("twfe")
    ('twfe', {})
    """
    key, _, rest = str(token).strip().partition(" ")
    return key, (json.loads(rest) if rest else {})


def method_part(key: str, **params) -> dict:
    """A description inside another one (see :func:`method_token`): ``{"key": key, **params}``."""
    return {"key": key, **params}


def _plain_number(x) -> float | int:
    """A number as a method description states it: whole numbers without a decimal point."""
    x = float(x)
    return int(x) if x.is_integer() else x


def _level(confidence: float) -> float | int:
    """A confidence as the percentage a method description states (0.95 -> 95, 0.975 -> 97.5)."""
    return _plain_number(round(100 * float(confidence), 6))
