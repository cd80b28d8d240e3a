"""Bodies across the 1 July 2025 reform: which map each body is on, what became of it, and the continued panel.

* :func:`annotate` fills, for every body of a dataset, its ``vintage`` (``pre2025`` / ``2025``), its official
  code on that map, ``successor_code`` (old bodies: the new commune(s) it went into, ';'-separated),
  ``predecessor_codes`` and ``pilot_exposure`` (new bodies: their study predecessors and the share of those that
  were pilots), ``lineage_status`` and ``continues`` (below).
* :func:`lineage_table` gives ``unit_lineage.csv``: ``old_code, old_name, old_province, new_code, new_name,
  new_province, relation`` for every body in the data, and ``map_rule``: which rule put the bodies' waves on
  their map (``date``, ``year``, or for a 2025 wave without a date ``undated_2025_new_terms`` /
  ``undated_2025_old_terms`` / ``undated_2025_same_unit`` / ``undated_2025_listed_first``).
* :func:`continued_panel` is the convention for panels that cross the reform (``docs/methods.md``):

  - a pre-reform body continues as its successor when all the successor's study predecessors are of one group
    (and one pilot start) and every relation is whole (nhập toàn bộ, giữ nguyên, đổi tên): the successor's scores
    are its later waves (``lineage_status = continued``; several such predecessors form one continued body whose
    pre-reform score is their mean);
  - a successor with pilot and comparison predecessors (``mixed``), or a partly merged / split body
    (``partial``), leaves both groups from the reform on: its pre-reform waves stay, its later ones are not used;
  - district bodies end on 30 June 2025 (``district_ended``), listed with that reason, never as missing.

Statuses: ``continued``, ``mixed``, ``partial``, ``district_ended``, ``new`` (a post-reform body with no study
predecessor), ``unplaced`` (a body not found on the official map: it is kept as it is).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from iso18091lab.intake import admin_map
from iso18091lab.intake.admin_map import NEW, OLD, NotOnMap
from iso18091lab.intake.provinces import name_2025
from iso18091lab.normalize import nfc

LINEAGE_COLUMNS = ["old_code", "old_name", "old_province", "new_code", "new_name", "new_province", "relation",
                   "map_rule"]
#: Columns a body gains (units table; the first three also on assessment and outcome rows). ``map_rule``: the
#: rule(s) that put its waves on their map (``admin_map.MAP_RULES``: date, year, or for an undated 2025 wave the
#: terms it is named in), ';'-separated.
BODY_LINEAGE = ["vintage", "lineage_status", "continues", "official_code", "successor_code", "predecessor_codes",
                "pilot_exposure", "label_today", "map_rule"]
LEFT_REASONS = ("reform_mixed", "reform_partial", "district_ended")
POST_REFORM_SUFFIX = "@2025"


def _blank(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value) or nfc(value) == ""


def place(province: object, name: object, code: object, tier: object = None) -> admin_map.OfficialUnit | None:
    """The official unit a units-table row names: on the old map first (a units table lists the bodies as
    assessed), else on the new one; None when on neither."""
    level = {"district": "district", "commune": "commune"}.get(nfc(tier)) if not _blank(tier) else None
    for vintage in (OLD, NEW):
        try:
            unit = admin_map.find(province, name, code, vintage, level=level if vintage == OLD else None)
        except NotOnMap:
            continue
        if _consistent(unit, name, code):
            return unit
    return None


def _consistent(unit: admin_map.OfficialUnit, name: object, code: object) -> bool:
    """A listed body is that unit only if the name and the code it was listed with both fit it (a body whose
    name is one unit's and code another's is not placed: its lineage is unknown)."""
    from iso18091lab.intake.clean import parse_code

    if not _blank(code) and parse_code(code).lstrip("0") != unit.code.lstrip("0"):
        return False
    if not _blank(name) and admin_map._keys(name)[1] != admin_map._keys(unit.name)[1]:
        return False
    return True


def same_territory(old_code: str, new_code: str) -> bool:
    """True when the old commune ``old_code`` became the new commune ``new_code`` whole and alone (kept,
    renamed, or merged whole with no other predecessor): a name or code of both maps then means one territory.

    Parameters
    ----------
    old_code, new_code : str
        Official codes on the old and on the new map.

    Returns
    -------
    bool
    """
    after = admin_map.successors(old_code)
    before = admin_map.predecessors(new_code)
    return (list(after["new_code"]) == [new_code] and list(before["old_code"]) == [old_code]
            and set(after["relation"]) <= set(admin_map.WHOLE_RELATIONS))


def post_reform_body(unit: admin_map.OfficialUnit) -> dict:
    """The body row of a commune of the new map that the units table does not list."""
    from iso18091lab.intake.clean import body_id

    province = name_2025(unit.province) or unit.province
    return {"province": province, "body_id": body_id(province, unit.code + POST_REFORM_SUFFIX, unit.name),
            "unit": unit.name, "body_label": unit.name, "code": unit.code, "level": unit.kind or pd.NA,
            "tier": "commune", "group": pd.NA, "pilot_start": pd.NA, "pilot_start_round": pd.NA,
            "province_2025": province, "vintage": NEW, "official_code": unit.code, "official_level": "commune"}


def annotate(rows: list[dict]) -> None:
    """Fill the lineage columns of every body row (in place). Rows that already carry ``vintage`` /
    ``official_code`` (post-reform bodies found on the official list) keep them; the others are placed on the
    official map by their province, code and name."""
    from iso18091lab.i18n import t

    for row in rows:
        if _blank(row.get("vintage")):
            unit = place(row.get("province"), row.get("unit"), row.get("code"), row.get("tier"))
            row["vintage"] = unit.vintage if unit else OLD
            row["official_code"] = unit.code if unit else pd.NA
            row["official_level"] = unit.level if unit else ""
        row["_level"] = row.get("official_level") or ("commune" if row["vintage"] == NEW else "")
    old = [r for r in rows if r["vintage"] == OLD and not _blank(r.get("official_code"))]
    new_by_code = {r["official_code"]: r for r in rows if r["vintage"] == NEW}
    # the successors of every study body of the old map
    successors: dict[int, pd.DataFrame] = {}
    for i, row in enumerate(old):
        if row["_level"] == "district":
            continue
        part = admin_map.successors(row["official_code"])
        part = part[part["old_province"].map(lambda p: name_2025(p) or p) == (name_2025(row["province"]) or
                                                                                 row["province"])] \
            if len(part) > 1 else part
        successors[i] = part
    predecessors: dict[str, list[tuple[int, str]]] = {}  # new code -> (index into old, relation)
    for i, part in successors.items():
        for new_code, relation in zip(part["new_code"], part["relation"]):
            predecessors.setdefault(new_code, []).append((i, relation))

    def status_of(new_code: str) -> str:
        members = predecessors.get(new_code, [])
        if not members:
            return "new"
        if any(rel not in admin_map.WHOLE_RELATIONS for _, rel in members):
            return "partial"
        groups = {(nfc(old[i].get("group")), nfc(old[i].get("pilot_start")), nfc(old[i].get("pilot_start_round")))
                  for i, _ in members}
        return "continued" if len(groups) == 1 and next(iter(groups))[0] in ("pilot", "comparison") else "mixed"

    for row in rows:
        row.setdefault("successor_code", pd.NA)
        row.setdefault("predecessor_codes", pd.NA)
        row.setdefault("pilot_exposure", np.nan)
        row.setdefault("continues", pd.NA)
        row["lineage_status"] = "unplaced" if _blank(row.get("official_code")) else pd.NA
    for i, row in enumerate(old):
        if row["_level"] == "district":
            row["lineage_status"] = "district_ended"
            continue
        part = successors.get(i)
        if part is None or part.empty:
            continue
        codes = list(dict.fromkeys(part["new_code"]))
        row["successor_code"] = ";".join(codes)
        if len(codes) > 1 or any(rel not in admin_map.WHOLE_RELATIONS for rel in part["relation"]):
            row["lineage_status"] = "partial"
            continue
        status = status_of(codes[0])
        row["lineage_status"] = status
        if status == "continued":
            new = new_by_code.get(codes[0])
            province = name_2025(row["province"]) or row["province"]
            row["continues"] = new["body_id"] if new is not None else _successor_id(province, part.iloc[0])
    for code, row in new_by_code.items():
        members = predecessors.get(code, [])
        row["predecessor_codes"] = ";".join(old[i]["official_code"] for i, _ in members) or pd.NA
        pilots = [nfc(old[i].get("group")) == "pilot" for i, _ in members]
        row["pilot_exposure"] = float(np.mean(pilots)) if pilots else np.nan
        status = status_of(code)
        row["lineage_status"] = status
        if status == "continued":
            first = old[members[0][0]]
            row["group"], row["pilot_start"] = first.get("group"), first.get("pilot_start")
            row["pilot_start_round"] = first.get("pilot_start_round")
            row["continues"] = row["body_id"]
    names = admin_map.units(NEW).query("level == 'commune'").set_index("code")["name"].to_dict()
    for row in old:  # shown as assessed and as it is now: 'xã A (nay thuộc phường B)'
        codes = [] if _blank(row.get("successor_code")) else str(row["successor_code"]).split(";")
        now = " / ".join(names.get(c, c) for c in codes)
        row["label_today"] = t("lineage_now_part_of", "vi", assessed=row["body_label"], now=now) if now else pd.NA
    for row in rows:
        row.pop("_level", None)
        row.pop("official_level", None)


def _successor_id(province: str, pair: pd.Series) -> str:
    from iso18091lab.intake.clean import body_id

    return body_id(province, pair["new_code"] + POST_REFORM_SUFFIX, pair["new_name"])


def lineage_table(units: pd.DataFrame) -> pd.DataFrame:
    """``unit_lineage.csv``: one row per (old body, new commune) pair of the bodies in the data — old bodies
    with each of their successors, post-reform bodies with each of their official predecessors; districts with
    no successor (``relation = district_ended``)."""
    if units.empty or "vintage" not in units:
        return pd.DataFrame(columns=LINEAGE_COLUMNS)
    rows = []
    read = ("official_code", "vintage", "lineage_status", "unit", "province", "map_rule")  # the columns read
    columns = [units[c].astype(object).where(units[c].notna(), None).tolist() if c in units else [None] * len(units)
               for c in read]  # missing values as None, as ``to_dict`` gives them
    for values in zip(*columns):
        unit = dict(zip(read, values))
        code = unit.get("official_code")
        if _blank(code):
            continue
        rule = "" if _blank(unit.get("map_rule")) else nfc(unit["map_rule"])
        if unit["vintage"] == OLD:
            if unit.get("lineage_status") == "district_ended":
                rows.append({"old_code": code, "old_name": unit["unit"], "old_province": unit["province"],
                             "new_code": "", "new_name": "", "new_province": "", "relation": "district_ended",
                             "map_rule": rule})
                continue
            positions = admin_map._rows_by("old_code").get(code, [])
        else:
            positions = admin_map._rows_by("new_code").get(code, [])
        pairs = _conversion_records()
        for pair in (pairs[i] for i in positions):
            rows.append({"old_code": pair["old_code"], "old_name": pair["old_name"],
                         "old_province": pair["old_province"], "new_code": pair["new_code"],
                         "new_name": pair["new_name"], "new_province": pair["new_province"],
                         "relation": pair["relation_vi"], "map_rule": rule})
    frame = pd.DataFrame(rows, columns=LINEAGE_COLUMNS)
    if frame.empty:
        return frame
    # a pair listed from both its old and its new body: one row, with the rules of both
    pair = LINEAGE_COLUMNS[:-1]
    frame = frame.groupby(pair, sort=False, dropna=False)["map_rule"].agg(
        lambda rules: ";".join(dict.fromkeys(r for part in rules for r in part.split(";") if r))).reset_index()
    return frame.sort_values(["old_province", "old_code", "new_code"], kind="stable").reset_index(drop=True)


@lru_cache(maxsize=1)
def _conversion_records() -> list[dict]:
    """The rows of :func:`~iso18091lab.intake.admin_map.conversion` as dicts, made once (a body's successors or
    predecessors are then read by position, not cut from the table body by body)."""
    return admin_map.conversion().to_dict(orient="records")


def post_reform(panel: pd.DataFrame) -> np.ndarray:
    """True for rows of waves on the new map (the waves of a panel split at 1 July 2025).

    A wave is a body's year and round. When its rows carry an assessment date (``assessed_on``), the wave is
    on the new map iff its date — the latest of its rows — is on or after 1 July 2025, whatever the names it was
    recorded under (a wave of September 2025 typed under a former commune's name is after the reform). A wave
    without a date goes by its year: from 2026 on the new map, to 2024 on the old one; a 2025 wave without a
    date is on the map its body was placed on (``map_rule`` of the units table: its body's ``vintage``).

    Parameters
    ----------
    panel : pandas.DataFrame
        Rows with ``year`` and, when known, ``body_id``, ``round``, ``vintage`` and ``assessed_on``.

    Returns
    -------
    numpy.ndarray of bool
    """
    year = pd.to_numeric(panel["year"], errors="coerce").to_numpy(dtype=float)
    vintage = (panel["vintage"].astype(object).where(panel["vintage"].notna(), "").to_numpy(dtype=object)
               if "vintage" in panel else np.full(len(panel), OLD, dtype=object))
    by_year = np.asarray(vintage == NEW, dtype=bool) | (year >= 2026)
    if "assessed_on" not in panel or panel.empty:
        return by_year
    day = pd.to_datetime(panel["assessed_on"].astype(object), errors="coerce")
    if not day.notna().any():
        return by_year
    keys = [panel[k] for k in ("body_id", "year", "round") if k in panel]
    wave_day = day.groupby(keys, dropna=False, sort=False).transform("max") if keys else day
    dated = wave_day.notna().to_numpy()
    return np.where(dated, (wave_day >= pd.Timestamp(admin_map.REFORM_DATE)).to_numpy(), by_year)


def on_new_map(panel: pd.DataFrame) -> bool:
    """True when some row of the panel names a body of the new map. A panel whose later waves still name only
    former bodies (as the bundled synthetic designs do) is taken as kept under those bodies throughout: the
    convention below is not applied to it."""
    return "vintage" in panel and bool((panel["vintage"].astype(object) == NEW).any())


def crosses_reform(panel: pd.DataFrame) -> bool:
    """True when a panel has waves on both maps (and names bodies of the new map)."""
    if "year" not in panel or panel.empty or not on_new_map(panel):
        return False
    post = post_reform(panel)
    return bool(post.any() and (~post).any())


def continued_panel(panel: pd.DataFrame, outcome: str = "score") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the continued panel, the bodies that leave at the reform with the reason).

    A panel without rows on the new map (:func:`on_new_map`), or without lineage columns, is returned unchanged. Otherwise every row
    is placed in the province of today (comparisons within today's province; ``wave_province`` keeps the former
    province of a pre-reform wave, whose province × wave effect is its own), continued bodies take their
    successor's id (several predecessors of one group: their mean per wave), the later waves of mixed and partly
    merged bodies are dropped, and districts end with the reform. A later wave is one on the new map by
    :func:`post_reform`: by the wave's assessment date when it has one, else by its year. ``body_label`` of a continued body reads as
    assessed and as it is now ('xã A (nay thuộc phường B)')."""
    from iso18091lab.i18n import t

    columns = ["province", "body_id", "body_label", "group", "reason"]
    empty = pd.DataFrame(columns=columns)
    if "lineage_status" not in panel or "year" not in panel or panel.empty:
        return panel, empty
    if not on_new_map(panel):
        return panel, empty
    post = post_reform(panel)
    data = panel.copy()
    status = data["lineage_status"].astype(object).where(data["lineage_status"].notna(), "").to_numpy()
    continues = data["continues"].astype(object).where(data["continues"].notna(), "").to_numpy() \
        if "continues" in data else np.full(len(data), "", dtype=object)
    vintage = (data["vintage"].astype(object).where(data["vintage"].notna(), "").to_numpy(dtype=object)
               if "vintage" in data else np.full(len(data), OLD, dtype=object))
    left_rows = []
    reason_of = {"mixed": "reform_mixed", "partial": "reform_partial", "district_ended": "district_ended"}
    leaving = data[(vintage == OLD) & np.isin(status, list(reason_of))]
    for body, part in leaving.groupby("body_id", sort=True):
        first = part.iloc[0]
        left_rows.append({"province": first["province"], "body_id": body,
                          "body_label": first["body_label"] if "body_label" in part else body,
                          "group": first["group"] if "group" in part else pd.NA,
                          "reason": reason_of[str(first["lineage_status"])]})
    # later waves of bodies that leave at the reform, and of post-reform bodies that do not continue a study body
    keep = ~(post & np.isin(status, ["mixed", "partial", "district_ended", "new"]))
    data = data[keep].copy()
    continues = continues[keep]
    status = status[keep]
    vintage = vintage[keep]
    moved = (status == "continued") & (continues != "")
    if moved.any():
        name_column = "unit" if "unit" in data else ("body_label" if "body_label" in data else "body_id")
        new_labels = dict(data.loc[moved & (vintage == NEW)].drop_duplicates("body_id")[["body_id", name_column]]
                          .itertuples(index=False, name=None))
        former = data.loc[moved & (vintage == OLD), ["body_id", name_column]].assign(
            _target=continues[moved & (vintage == OLD)]).drop_duplicates("body_id")
        members: dict[str, list[str]] = {}
        for target, label in zip(former["_target"], former[name_column]):
            if str(label) not in members.setdefault(target, []):
                members[target].append(str(label))
        labels = {target: t("lineage_now_part_of", "vi", assessed=", ".join(names_),
                            now=new_labels.get(target) or _new_name(target))
                  for target, names_ in members.items() if names_}
        data.loc[moved, "body_id"] = continues[moved]
        if "body_label" in data:
            data.loc[moved, "body_label"] = [labels.get(b, lab) for b, lab in
                                             zip(data.loc[moved, "body_id"], data.loc[moved, "body_label"])]
    if "province_2025" in data:
        today = data["province_2025"].astype(object)
        today = today.where(today.notna() & (today.astype(str) != ""), data["province"])
        # the province of each wave's map: the former one before the reform, today's after it (province × wave
        # effects are fitted per wave_province: stats.did)
        data["wave_province"] = np.where(post[keep], today.astype(object), data["province"].astype(object))
        data["province"] = today
    data = _mean_per_wave(data, outcome)
    return data.reset_index(drop=True), pd.DataFrame(left_rows, columns=columns)


def _new_name(body: str) -> str:
    code = body.rsplit(":", 1)[-1].replace(POST_REFORM_SUFFIX, "")
    table = admin_map.units(NEW)
    hit = table.loc[(table["level"] == "commune") & (table["code"] == code), "name"]
    return hit.iloc[0] if len(hit) else body


def _mean_per_wave(data: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """One row per (body, wave) of a continued body formed from several predecessors: the mean outcome; the
    other columns from the first row (a body's group, start and labels agree by construction)."""
    keys = ["body_id", "year"] + (["round"] if "round" in data else [])
    if outcome not in data or not data.duplicated(keys).any():
        return data
    extra = [c for c in ("rater", "pillar", "indicator") if c in data and data[c].nunique(dropna=False) > 1]
    keys += extra
    first = data.groupby(keys, sort=False, dropna=False).head(1).set_index(keys)
    means = data.groupby(keys, sort=False, dropna=False)[outcome].mean()
    first[outcome] = means.reindex(first.index).to_numpy()
    return first.reset_index()[list(data.columns)]
