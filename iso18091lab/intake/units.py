"""The units table: cleaning its rows, the label of each body, and each body's place across the 2025 reform."""
from __future__ import annotations

import numpy as np
import pandas as pd

from iso18091lab.intake import admin_map
from iso18091lab.intake import lineage
from iso18091lab.intake.bodies import _Bodies
from iso18091lab.intake.clean import (TIER, Problem, Rejected, body_id, exact_key, is_blank, parse_code, parse_group,
                                      parse_level)
from iso18091lab.intake.columnar import _Cleaned, _Problems, _Table, _whole
from iso18091lab.intake.kinds import _typed_units
from iso18091lab.intake.provinces import canonical_name, name_2025
from iso18091lab.intake.schema import UNIT_COLUMNS, UNIT_DTYPES
from iso18091lab.normalize import nfc


def _clean_units(table: _Table, problems: _Problems) -> _Cleaned:
    """Units rows, one by one (a units table is small)."""
    rows = []
    raw = {c: table.raw(c) for c in ("province", "unit", "code", "level", "group", "pilot_start",
                                      "pilot_start_round", "aliases")}
    provinces = np.full(table.n, "", dtype=object)
    rejected: list[tuple[str, str, str, list[Problem]]] = []
    for i in range(table.n):
        found: list[Problem] = []

        def check(column, parse, required=False, default=None):
            value = raw[column][i]
            if is_blank(value):
                if required:
                    found.append(Problem(column, "", "missing_value"))
                return default
            try:
                return parse(value)
            except Rejected as exc:
                found.append(Problem(column, nfc(value), exc.rule, exc.hint, exc.suggestion))
                return default

        province = check("province", nfc, required=True)
        if province is not None:
            province = canonical_name(province) or province
            provinces[i] = province
        name = check("unit", nfc, required=True)
        level = check("level", parse_level)
        tier = TIER.get(level) if level else None
        group = check("group", parse_group, required=True)
        pilot_start = check("pilot_start", _whole(1990, 2100, "bad_year"), default=pd.NA)
        pilot_round = check("pilot_start_round", _whole(1, 1000, "bad_round"), default=pd.NA)
        if group == "pilot" and is_blank(raw["pilot_start"][i]):
            found.append(Problem("pilot_start", "", "pilot_without_start"))
        for problem in found:
            problems.add([i], problem.column, problem.value, problem.rule, problem.hint, problem.suggestion)
        if found:
            rows.append(None)
            if province is not None and name is not None:  # its score rows will say why it is not there
                rejected.append((province, name, nfc(raw["code"][i]), found))
            continue
        if group == "pilot":
            pilot_round = 1 if pilot_round is pd.NA else pilot_round
        else:  # a comparison body has no pilot start; what was typed there is not used
            pilot_start = pilot_round = pd.NA
        code = parse_code(raw["code"][i], tier) if not is_blank(raw["code"][i]) else ""
        rows.append({
            "province": province, "body_id": body_id(province, code, name), "unit": name, "body_label": name,
            "code": code or pd.NA, "level": level or pd.NA, "tier": tier or pd.NA, "group": group,
            "pilot_start": pilot_start, "pilot_start_round": pilot_round, "province_2025": name_2025(province) or pd.NA,
            "aliases": ";".join(filter(None, map(nfc, nfc(raw["aliases"][i]).replace("|", ";").split(";")))) or pd.NA,
        })
    empty = {c: None for c in UNIT_COLUMNS if c not in ("synthetic", "source_file", "source_sheet", "source_row")}
    frame = pd.DataFrame([r if r is not None else empty for r in rows],
                         columns=[c for c in UNIT_COLUMNS if c not in ("synthetic", "source_file", "source_sheet",
                                                                     "source_row")])
    return _Cleaned(dict(frame.items()), provinces, rejected=rejected)


def _label_bodies(units: pd.DataFrame) -> pd.DataFrame:
    """``body_label``: the name, with the code added where two bodies of a province share the name."""
    if units.empty:
        return units
    key = units["province"].astype(str) + "|" + units["unit"].map(exact_key)
    shared = key.duplicated(keep=False)
    code = units["code"].astype(object).where(units["code"].notna(), "?")
    units = units.copy()
    units["body_label"] = units["unit"].where(~shared, units["unit"] + " (" + code.astype(str) + ")")
    return units


def _with_lineage(units: pd.DataFrame, bodies: _Bodies) -> pd.DataFrame:
    """The units table with each body's place across the 2025 reform (:func:`iso18091lab.intake.lineage.annotate`), and
    the communes of the new map that waves after 1 July 2025 named without the units table listing them (rows
    with no source file: they come from the official list)."""
    if bodies.matcher.empty:
        return units
    for index, rules in bodies.map_rules.items():  # which rule put the body's waves on their map
        bodies.rows[index]["map_rule"] = ";".join(r for r in admin_map.MAP_RULES if r in rules)
    lineage.annotate(bodies.rows)
    units = units.copy()
    if any(row.get("vintage") == admin_map.NEW for row in bodies.rows):  # data on the map of today: labels speak it
        for index, row in enumerate(bodies.rows[:bodies.n_units]):
            if not lineage._blank(row.get("label_today")):
                row["body_label"] = row["label_today"]
                units.at[index, "body_label"] = row["label_today"]
    for column in lineage.BODY_LINEAGE:  # group and pilot start: listed bodies keep what the units table says
        units[column] = pd.array([row.get(column, pd.NA) for row in bodies.rows[:bodies.n_units]],
                                 dtype=UNIT_DTYPES[column])
    added = bodies.rows[bodies.n_units:]
    if added:
        extra = pd.DataFrame(added).reindex(columns=UNIT_COLUMNS)
        extra["synthetic"] = bool(units["synthetic"].any()) if len(units) else False
        extra["aliases"] = pd.NA
        units = pd.concat([units, _typed_units(extra)], ignore_index=True)
    return _typed_units(units)
