"""Cleaning an outcomes table: the measure and value of each body and year."""
from __future__ import annotations

import numpy as np

from iso18091lab.intake.bodies import _Bodies
from iso18091lab.intake.clean import Rejected, parse_number
from iso18091lab.intake.columnar import _Cleaned, _Problems, _Table, _assessed_on, _parse_unique, _wave_dates, _whole
from iso18091lab.normalize import nfc


def _clean_outcomes(table: _Table, bodies: _Bodies, problems: _Problems) -> _Cleaned:
    days = _wave_dates(table, problems)
    body, province = bodies.locate(table, problems, days)
    year = _parse_unique(table, "year", _whole(1990, 2100, "bad_year"), problems, required=True)
    _assessed_on(table, days, year, problems)
    measure = _parse_unique(table, "measure", nfc, problems, required=True)

    def value(v):
        try:
            return parse_number(v)
        except Rejected:
            raise Rejected("bad_value")
    values = np.array(_parse_unique(table, "value", value, problems, required=True, default=np.nan), dtype=float)
    return _Cleaned({"_body": body, "year": year, "measure": measure, "value": values}, province)
