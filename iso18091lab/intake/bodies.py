"""Locating bodies: each typed (province, name, code) placed once on the map of its wave (the units table, the
official list of the 2025 map), with the problems and the non-exact name matches found on the way."""
from __future__ import annotations

import numpy as np
import pandas as pd

from iso18091lab.intake import admin_map
from iso18091lab.intake import lineage
from iso18091lab.intake.clean import (Problem, Rejected, UnitMatcher, body_id, exact_key, is_blank, parse_code,
                                      rejected_unit_hint)
from iso18091lab.intake.columnar import _Problems, _Table, _unique_rows
from iso18091lab.intake.provinces import name_2025, province_key
from iso18091lab.intake.schema import BODY_COLUMNS, UNIT_DTYPES
from iso18091lab.normalize import fold, nfc


class _Bodies:
    """Locates bodies typed as (province, name, code) — once per distinct combination — and keeps the table of
    bodies rows refer to: the units table's rows, or, without one, the bodies as typed."""

    def __init__(self, units: pd.DataFrame, rejected: list | None = None):
        self.matcher = UnitMatcher(units)
        # units rows that were rejected, by (province key, folded name) and (province key, folded code): a
        # score row for such a body says why its unit is missing, not "not in the units table"
        self.rejected: dict[tuple[str, str], str] = {}
        for province, name, code, found in rejected or []:
            why = rejected_unit_hint(found)
            for key in (name, code):
                if key:
                    self.rejected[(province_key(province), fold(key))] = why
        self.rows: list[dict] = units[BODY_COLUMNS].to_dict(orient="records") if len(units) else []
        self.n_units = len(self.rows)
        self._ad_hoc: dict[str, int] = {}
        self._cache: dict[tuple, tuple] = {}
        self._old: dict[tuple, tuple] = {}
        self.name_matches: dict[tuple, int] = {}
        # the 2025 reform: each listed body placed on its map; waves on the new map are matched to the bodies of
        # that map first (listed ones, then the official list), so a code reused by a new commune never points
        # at its predecessor (lineage.py)
        self._post_reform: dict[str, int] = {}
        new = []
        for index, row in enumerate(self.rows):
            unit = lineage.place(row["province"], row["unit"], row["code"], row["tier"])
            row.update(vintage=unit.vintage if unit else admin_map.OLD, official_code=unit.code if unit else pd.NA,
                       official_level=unit.level if unit else "")
            if row["vintage"] == admin_map.NEW:
                new.append(index)
                self._post_reform[unit.code] = index
        self._new_index = np.array(new, dtype=np.int64)
        self.matcher_new = UnitMatcher(units.iloc[new]) if new else None
        #: body index -> the rules that put its waves on a map (MAP_RULES; ``map_rule`` of the units table)
        self.map_rules: dict[int, set[str]] = {}

    def locate(self, table: _Table, problems: _Problems, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(body index per row, -1 where none; attributed province per row, '' where none); ``days``: the date of
        each distinct cell of the date column (:func:`_wave_dates`), which picks the map of each row's wave."""
        columns = ["province", "unit", "code", "year", "date"]
        combos, inverse = _unique_rows([table.codes(c) for c in columns])
        counts = np.bincount(inverse, minlength=len(combos))
        body = np.full(len(combos), -1, dtype=np.int64)
        province = np.full(len(combos), "", dtype=object)
        failures: list[tuple[int, Problem]] = []
        typed_values = [table.values(c) for c in ("province", "unit", "code")]
        texts = [[nfc(v) for v in values] for values in typed_values]  # each distinct cell normalised once
        years = table.values("year")
        cache = self._cache
        rules: dict[tuple[int, int], tuple] = {}  # (year cell, date cell) -> map rule: a table has few of them
        for k, (pc, uc, cc, yc, dc) in enumerate(combos.tolist()):
            vintage, rule = rules.get((yc, dc)) or rules.setdefault((yc, dc), admin_map.map_rule(years[yc], days[dc]))
            key = (texts[0][pc], texts[1][uc], texts[2][cc], vintage, rule)
            found = cache.get(key)
            if found is None:
                typed = (typed_values[0][pc], typed_values[1][uc], typed_values[2][cc])
                if rule == admin_map.UNDATED_2025:
                    found = self._locate_undated(*typed)
                else:
                    found = self._locate(*typed, vintage=vintage) + (rule,)
                cache[key] = found
            body[k], province[k], problem, match, placed_by = found
            if problem is not None:
                failures.append((k, problem))
            if match is not None:
                self.name_matches[match] = self.name_matches.get(match, 0) + int(counts[k])
            if body[k] >= 0:
                self.map_rules.setdefault(int(body[k]), set()).add(placed_by)
        if failures:  # the rows of each combination, found in one sort rather than one scan per failing one
            order = np.argsort(inverse, kind="stable")
            bounds = np.concatenate([[0], np.cumsum(counts)])
            for k, problem in failures:
                problems.add(order[bounds[k]:bounds[k + 1]], problem.column, problem.value, problem.rule,
                             problem.hint, problem.suggestion)
        return body[inverse], province[inverse]

    def _locate_undated(self, typed_province, name, code) -> tuple[int, str, Problem | None, tuple | None, str]:
        """A body typed in a wave of 2025 with no date, placed by the terms it is named in (the rule is returned
        last, ``admin_map.MAP_RULES``): a name or code only the new map has (a listed post-reform body, or a
        commune of the official list) -> the new map (``undated_2025_new_terms``); one only the listed former
        bodies have -> the old map (``undated_2025_old_terms``). Both: one territory (a commune kept whole) -> the
        listed former body (``undated_2025_same_unit``); else a typed code of one map only decides; else the body
        the units table lists comes first (``undated_2025_listed_first``), and the row is listed in the data-quality
        report's name matches, with the way to settle it (an assessment date)."""
        old = self._locate_old(typed_province, name, code)
        if self.matcher.empty or is_blank(typed_province) or (is_blank(name) and is_blank(code)):
            return old + ("undated_2025_old_terms",)
        old_body = old[0] if old[2] is None and old[0] >= 0 else -1
        if old_body >= 0 and self.rows[old_body].get("vintage") == admin_map.NEW:
            return old + ("undated_2025_new_terms",)
        if old_body >= 0 and not is_blank(name) and not is_blank(code) and \
                self._locate_old(typed_province, name, None)[:3] != (old_body, old[1], None):
            old_body = -1  # only the code names the listed body ('Xã An Quang' 11647, Xã Quang Trung's code)
        found = self._locate_new(typed_province, name, code, probe=True)
        if isinstance(found, admin_map.OfficialUnit):
            new_code = found.code
        elif found is not None and found[2] is None:
            new_code = nfc(self.rows[found[0]].get("official_code"))
        else:  # not on the new map (or several communes of it): the old map's answer
            return old + ("undated_2025_old_terms",)
        if old_body < 0:
            return self._locate_new(typed_province, name, code) + ("undated_2025_new_terms",)
        old_code = nfc(self.rows[old_body].get("official_code"))  # '' when blank (None, NA, NaN)
        if old_code and lineage.same_territory(old_code, new_code):
            return old + ("undated_2025_same_unit",)
        typed_code = parse_code(code).lstrip("0") if not is_blank(code) else ""
        if typed_code and typed_code == new_code.lstrip("0") != old_code.lstrip("0"):
            return self._locate_new(typed_province, name, code) + ("undated_2025_new_terms",)
        if typed_code and typed_code == old_code.lstrip("0") != new_code.lstrip("0"):
            return old + ("undated_2025_old_terms",)
        body = self.rows[old_body]
        match = (body["province"], nfc(name) or nfc(code), body["unit"], body["body_id"], "undated_2025_listed_first")
        return old[0], old[1], None, match, "undated_2025_listed_first"

    def _locate(self, typed_province, name, code, vintage: str | None = admin_map.OLD
                ) -> tuple[int, str, Problem | None, tuple | None]:
        """(body index, province, problem, non-exact match key) for one typed combination on the map of its wave
        (``vintage``: ``pre2025``, ``2025``, or None for a wave of 2025: the old map first, then the new)."""
        if self.matcher.empty or vintage == admin_map.OLD or is_blank(typed_province) or (
                is_blank(name) and is_blank(code)):
            return self._locate_old(typed_province, name, code)
        if vintage == admin_map.NEW:  # the new map first; else a former body's name typed after the reform
            found = self._locate_new(typed_province, name, code)
            if found is not None:
                return found
            old = self._locate_old(typed_province, name, code)
            if old[2] is not None and old[2].rule == "unknown_unit":
                from dataclasses import replace

                problem = replace(old[2], suggestion=self._new_suggestion(typed_province, name) or old[2].suggestion)
                return old[0], old[1], problem, old[3]
            return old
        old = self._locate_old(typed_province, name, code)  # a wave of 2025: the old map, then the new one
        if old[2] is None:
            return old
        found = self._locate_new(typed_province, name, code)
        return found if found is not None and found[2] is None else old

    @staticmethod
    def _new_suggestion(typed_province, name) -> str:
        """The commune of the new map closest in spelling to a typed name ('' when none is close)."""
        import difflib

        from iso18091lab.normalize import fold

        table = admin_map.units(admin_map.NEW)
        names = table.loc[(table["level"] == "commune")
                          & table["province"].isin(admin_map.provinces_on_map(typed_province, admin_map.NEW)), "name"]
        close = difflib.get_close_matches(fold(name), [fold(n) for n in names], n=1, cutoff=0.75)
        return next((n for n in names if fold(n) == close[0]), "") if close else ""

    def _locate_new(self, typed_province, name, code, probe: bool = False
                    ) -> tuple[int, str, Problem | None, tuple | None] | None:
        """A body typed in a wave on the new map: a listed post-reform body, else a commune of the official list
        (added as a post-reform body); None when neither has it (the name may be a former body's). ``probe``:
        only look — an official commune is returned as its :class:`OfficialUnit`, not added."""
        if self.matcher_new is not None:
            try:
                found = self.matcher_new.locate(typed_province, name, code)
            except Rejected:
                found = None
            if found is not None:
                index = int(self._new_index[found.index])
                body = self.rows[index]
                match = None if found.exact else (body["province"], nfc(name) or nfc(code), body["unit"],
                                                  body["body_id"], found.how)
                return index, body["province"], None, match
        try:
            unit = admin_map.find(typed_province, name, code, admin_map.NEW)
        except admin_map.NotOnMap as exc:
            if exc.candidates:
                hint = ": " + "; ".join(f"{u.name} ({u.code}, {u.province})" for u in exc.candidates)
                column = "unit" if not is_blank(name) else "code"
                return -1, "", Problem(column, nfc(name) or nfc(code), "ambiguous_unit", hint), None
            return None
        if not lineage._consistent(unit, name, code):  # name of one commune, code of another: not this one
            return None
        if probe:
            return unit
        if unit.code not in self._post_reform:
            self._post_reform[unit.code] = len(self.rows)
            self.rows.append(lineage.post_reform_body(unit))
        index = self._post_reform[unit.code]
        body = self.rows[index]
        typed = {exact_key(name)} | ({nfc(code)} if not is_blank(code) else set())
        exact = bool(typed & {exact_key(unit.name), unit.code})
        match = None if exact else (body["province"], nfc(name) or nfc(code), body["unit"], body["body_id"],
                                    "official list 2025")
        return index, body["province"], None, match

    def _locate_old(self, typed_province, name, code) -> tuple[int, str, Problem | None, tuple | None]:
        """(body index, province, problem, non-exact match key) for one typed combination (units table);
        remembered per typed (province, name, code): a wave of 2025 and a wave after it look a body up alike."""
        key = (nfc(typed_province), nfc(name), nfc(code))
        if key not in self._old:
            self._old[key] = self._locate_units(typed_province, name, code)
        return self._old[key]

    def _locate_units(self, typed_province, name, code) -> tuple[int, str, Problem | None, tuple | None]:
        matcher = self.matcher
        if is_blank(typed_province):
            return -1, "", Problem("province", "", "missing_value"), None
        try:
            province = matcher.province(typed_province)
        except Rejected as exc:
            return -1, "", Problem("province", nfc(typed_province), exc.rule, exc.hint, exc.suggestion), None
        if is_blank(name) and is_blank(code):
            return -1, province, Problem("unit", "", "missing_value"), None
        if matcher.empty:
            unit = nfc(name) or nfc(code)
            code_text = parse_code(code) if not is_blank(code) else ""
            identity = body_id(province, code_text, unit)
            if identity not in self._ad_hoc:
                self._ad_hoc[identity] = len(self.rows)
                self.rows.append({"province": province, "body_id": identity, "unit": unit, "body_label": unit,
                                  "code": code_text or pd.NA, "province_2025": name_2025(province) or pd.NA})
            return self._ad_hoc[identity], province, None, None
        column = "unit" if not is_blank(name) else "code"
        try:
            found = matcher.locate(typed_province, name, code)
        except Rejected as exc:
            typed = nfc(name if column == "unit" else code)
            why = self.rejected.get((province_key(province), fold(typed))) if exc.rule == "unknown_unit" else None
            if why:
                return -1, province, Problem(column, typed, "unit_rejected", why), None
            return -1, province, Problem(column, typed, exc.rule, exc.hint, exc.suggestion), None
        body = self.rows[found.index]
        match = None if found.exact else (body["province"], nfc(name) or nfc(code), body["unit"], body["body_id"],
                                          found.how)
        return found.index, body["province"], None, match

    def columns(self, index: np.ndarray) -> dict[str, pd.api.extensions.ExtensionArray]:
        """Body columns, typed as in the output tables, for rows pointing at ``index`` (assessment/outcome
        naming: ``code`` -> ``unit_code``). Cleaning keeps only the body's index per row (``_body``); the columns
        are taken from the bodies table for the accepted rows (no per-row Python objects)."""
        table = pd.DataFrame(self.rows, columns=BODY_COLUMNS).astype({c: UNIT_DTYPES[c] for c in BODY_COLUMNS})
        if table.empty:
            table = table.reindex(range(1))  # no body at all: every row is quarantined; one empty body to point at
        index = np.maximum(np.asarray(index, dtype=np.intp), 0)
        return {("unit_code" if c == "code" else c): table[c].array.take(index) for c in BODY_COLUMNS}
