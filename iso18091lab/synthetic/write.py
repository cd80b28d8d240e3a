"""Synthetic raw files like real ones, with the planted truth beside them.

Everything this module writes is **synthetic** and says so: file names start with
``SYNTHETIC_``, every sheet has a "DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA" title, every row has a
``source`` cell reading ``synthetic``, and the planted truth goes to ``<out>/_synthetic/``
(which ingest skips, as it skips every name starting with ``_``).

:func:`write_synthetic` simulates a design (:mod:`.model`), renders its rows as staff type them
(:mod:`.cells`), plants errors (:mod:`.errors`) and writes long tables (XLSX or CSV), the units table, the
outcomes and ``_synthetic/manifest.json`` with the truth tables; :func:`read_truth` reads them back.
"""
from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from iso18091lab.synthetic.cells import SOURCE_MARK, _Messer, _render_assessments
from iso18091lab.synthetic.design import Design, ProvinceDesign, SynthParams, as_design
from iso18091lab.synthetic.errors import PLANTED_RULES, _plant_errors
from iso18091lab.synthetic.model import _json_default, simulate
from iso18091lab.synthetic.xlsx import HEADER, Sheet, number_text, write_workbook
from iso18091lab.normalize import slugify

#: The title row of every sheet and CSV file written, and the manifest's banner.
BANNER = "DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA — không phải số liệu thật, chỉ dùng để thử nghiệm"

#: Column headers of each file style (and of the units and outcomes tables), by column key.
HEADERS = {
    "xlsx_vi": {"province": "Tỉnh/Thành phố", "unit": "Đơn vị", "code": "Mã ĐVHC", "year": "Năm", "round": "Đợt",
                "rater": "Loại đánh giá", "rater_id": "Mã người chấm", "indicator": "Chỉ số", "score": "Điểm",
                "rating": "Mức", "source": "Nguồn dữ liệu"},
    "csv_plain": {"province": "TINH", "unit": "don vi", "code": "ma dvhc", "year": "nam", "round": "dot",
                  "rater": "nguoi danh gia", "rater_id": "ma nguoi cham", "indicator": "chi so", "score": "diem",
                  "rating": "muc", "source": "nguon"},
    "xlsx_en": {"province": "Province", "unit": "Unit", "code": "Unit code", "year": "Year", "round": "Round",
                "rater": "Rater", "rater_id": "Rater ID", "indicator": "Indicator", "score": "Score",
                "rating": "Rating", "source": "Source"},
    "units_vi": {"province": "Tỉnh/Thành phố", "unit": "Tên đơn vị", "code": "Mã ĐVHC", "level": "Cấp",
                 "group": "Nhóm", "pilot_start": "Năm bắt đầu thí điểm", "pilot_start_round": "Đợt bắt đầu thí điểm",
                 "source": "Nguồn dữ liệu"},
    "outcomes_en": {"province": "province", "unit": "unit", "code": "code", "year": "year", "measure": "measure",
                    "value": "value", "source": "source"},
}
SHEETS = {"xlsx_vi": ("Tự đánh giá", "Hội đồng", "Thành viên HĐ"),
          "xlsx_en": ("Self-assessment", "Council", "Council members")}


def _layout(rendered: list[dict], data_start: int, rng: np.random.Generator, empty_rate: float = 0.004) -> list:
    """Assign spreadsheet row numbers, leaving a few empty rows between data rows."""
    rows, number = [], data_start
    gaps = rng.random(len(rendered)) < empty_rate
    for item, gap in zip(rendered, gaps):
        if gap:
            rows.append(None)
            number += 1
        item["row"] = number
        rows.append(item)
        number += 1
    return rows


def _write_xlsx(path: Path, sheets: list[tuple[str, list[str], list, str]], notes: list[str] | None = None) -> None:
    """sheets: (sheet name, column keys, laid-out rows, header style); a banner title on every sheet."""
    out = []
    if notes:
        sheet = Sheet("Ghi chú", 1)
        sheet.merge_title(1, BANNER)
        for r, line in enumerate(notes, start=2):
            sheet.add(r, [line])
        out.append(sheet)
    for name, columns, laid_out, style in sheets:
        sheet = Sheet(name, len(columns), tuple(c for c, k in enumerate(columns) if k in ("indicator", "rater_id",
                                                                                          "code")))
        sheet.merge_title(1, BANNER)
        sheet.add(3, [HEADERS[style].get(k, k) for k in columns], HEADER)
        for item in laid_out:
            if item is not None:
                cells = item["cells"]
                sheet.add(item["row"], [cells.get(k, "") for k in columns])
        out.append(sheet)
    write_workbook(path, out)


def _write_csv(path: Path, columns: list[str], laid_out: list, style: str, delimiter: str = ";") -> None:
    """CSV as a Vietnamese-locale Excel exports it: UTF-8 with BOM, ';', decimal commas."""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow([BANNER])
        writer.writerow([HEADERS[style].get(k, k) for k in columns])
        for item in laid_out:
            if item is None:
                writer.writerow([])
                continue
            writer.writerow([_csv_cell(item["cells"].get(k, ""), delimiter) for k in columns])


def _csv_cell(value: object, delimiter: str) -> str:
    if isinstance(value, float):
        text = number_text(value)
        return text.replace(".", ",") if delimiter != "," else text
    return "" if value is None else str(value)


ASSESSMENT_KEYS = ["province", "unit", "year", "round", "rater", "rater_id", "indicator", "score", "rating", "source"]


def _assessment_keys(prov: ProvinceDesign) -> list[str]:
    return ASSESSMENT_KEYS[:2] + ["code"] + ASSESSMENT_KEYS[2:] if prov.code_column else ASSESSMENT_KEYS


def _unit_rows(units: pd.DataFrame) -> list[dict]:
    rows = []
    for u in units.itertuples():
        start = u.pilot_start if u.pilot_start == u.pilot_start and u.pilot_start is not None else None
        rows.append({"cells": {"province": u.province, "unit": u.unit, "code": u.code, "level": u.level,
                               "group": {"pilot": "Thí điểm", "comparison": "Đối chứng"}[u.group],
                               "pilot_start": int(start) if start is not None else "",
                               "pilot_start_round": int(u.pilot_start_round) if start is not None else "",
                               "source": SOURCE_MARK}, "truth": None, "planted": None})
    return rows


def _truth_of(laid_out: list, rows: pd.DataFrame, file: str, sheet: str) -> pd.DataFrame:
    """The clean rows behind what was written, with file, sheet, row number and planted error."""
    items = [item for item in laid_out if item is not None]
    frame = rows.iloc[[item["truth"] for item in items]].reset_index(drop=True)
    where = pd.DataFrame({"file": file, "sheet": sheet, "row": [item["row"] for item in items],
                          "planted": [item["planted"] or "" for item in items]})
    return pd.concat([where, frame], axis=1)


def write_synthetic(out_dir: str | Path, seed: int = 2024, params: SynthParams | None = None,
                    design: Design | list | None = None) -> dict:
    """Simulate ``design`` (default the bundled sample) and write raw files under ``out_dir``.

    ``params`` default to the design's with ``seed``. Returns the manifest, also written to
    ``<out>/_synthetic/manifest.json`` beside the truth tables.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    design = as_design(design)
    params = params or replace(design.params, seed=seed)
    sim = simulate(params, design)
    rng = np.random.default_rng(params.seed + 1)
    units = sim["units"]
    messer = _Messer(rng, units, design.units_table != "none")
    written, truth = [], []
    rules = tuple(r for r in PLANTED_RULES if r != "unknown_unit" or design.units_table != "none")

    unit_rows_written = 0
    if design.units_table != "none":
        columns = [k for k in HEADERS["units_vi"] if k != "group" or design.units_table == "full"]
        laid = _layout(_unit_rows(units), 4, rng, empty_rate=0)
        _write_xlsx(out / "SYNTHETIC_don_vi_units.xlsx", [("Đơn vị", columns, laid, "units_vi")],
                    notes=["Danh sách đơn vị thí điểm và đối chứng (mô phỏng).",
                           "Mã ĐVHC của cấp xã là mã giả định, không phải mã chính thức.",
                           "Năm/Đợt bắt đầu thí điểm: đợt đánh giá đầu tiên trong thời gian thí điểm."])
        written.append("SYNTHETIC_don_vi_units.xlsx")
        unit_rows_written = len(laid)

    by_province = dict(tuple(sim["assessments"].groupby("province", sort=False)))
    for prov in design.provinces:
        rows = by_province[prov.name]
        keys = _assessment_keys(prov)
        blocks = [(y, rows[rows["year"] == y]) for y in prov.years] if prov.file_layout == "year" else [(None, rows)]
        for year, block in blocks:
            stem = f"SYNTHETIC_{slugify(prov.name)}" + (f"_{year}" if year is not None else "")
            plant = params.plant_errors and (year is None or year == prov.years[0])
            members = block[block["rater_id"] != ""]
            main = block[block["rater_id"] == ""]
            if prov.file_style.startswith("xlsx"):
                name = f"{stem}.xlsx"
                sheets = []
                for sheet_name, part in zip(SHEETS[prov.file_style], (main[main["rater"] == "self"],
                                                                      main[main["rater"] == "council"], members)):
                    if part.empty:
                        continue
                    rendered = _render_assessments(part, messer, prov.code_column)
                    if plant and sheet_name == SHEETS[prov.file_style][1]:
                        rendered = _plant_errors(rendered, part, rng, rules)
                    laid = _layout(rendered, 4, rng)
                    sheets.append((sheet_name, keys, laid, prov.file_style))
                    truth.append(_truth_of(laid, part, name, sheet_name))
                when = f" năm {year}" if year is not None else ""
                _write_xlsx(out / name, sheets, notes=[f"Kết quả chấm điểm {prov.name}{when} (mô phỏng)."])
            else:
                name = f"{stem}.csv"
                rendered = _render_assessments(block, messer, prov.code_column)
                if plant:
                    rendered = _plant_errors(rendered, block, rng, rules)
                laid = _layout(rendered, 3, rng)
                _write_csv(out / name, keys, laid, prov.file_style)
                truth.append(_truth_of(laid, block, name, ""))
            written.append(name)

    if design.outcomes:
        outcome_rows = [{"cells": {**o._asdict(), "source": SOURCE_MARK}, "truth": None, "planted": None}
                        for o in sim["outcomes"].itertuples(index=False)]
        laid = _layout(outcome_rows, 3, rng, empty_rate=0)
        _write_csv(out / "SYNTHETIC_outcomes.csv", list(HEADERS["outcomes_en"]), laid, "outcomes_en", delimiter=",")
        written.append("SYNTHETIC_outcomes.csv")

    manifest = _write_truth(out, design, params, sim, pd.concat(truth, ignore_index=True), written,
                            unit_rows_written)
    return manifest


TRUTH_FILES = {"units": "truth_units.csv", "body_waves": "truth_body_waves.csv",
               "assessments": "truth_assessments.csv.gz", "outcomes": "truth_outcomes.csv"}


def _write_truth(out: Path, design: Design, params: SynthParams, sim: dict, truth: pd.DataFrame, written: list,
                 unit_rows_written: int) -> dict:
    meta = out / "_synthetic"
    meta.mkdir(exist_ok=True)
    truth.to_csv(meta / TRUTH_FILES["assessments"], index=False, compression={"method": "gzip", "compresslevel": 1,
                                                                             "mtime": 0})
    units, body_waves = sim["units"], sim["body_waves"]
    units.to_csv(meta / TRUTH_FILES["units"], index=False)
    body_waves.to_csv(meta / TRUTH_FILES["body_waves"], index=False)
    sim["outcomes"].to_csv(meta / TRUTH_FILES["outcomes"], index=False)
    planted = truth.loc[truth["planted"] != "", ["file", "sheet", "row", "planted"]]
    waves = {p.name: [list(w) for w in p.waves] for p in design.provinces}
    bodies = [{"province": u.province, "code": u.code, "name": u.unit, "level": u.level, "group": u.group,
               "pilot_start": None if u.pilot_start != u.pilot_start or u.pilot_start is None else int(u.pilot_start),
               "pilot_start_round": None if u.pilot_start != u.pilot_start or u.pilot_start is None
               else int(u.pilot_start_round),
               "n_indicators": int(u.n_indicators), "members": bool(u.members), "lights": bool(u.lights)}
              for u in units.itertuples()]
    counts = {
        "provinces": len(design.provinces), "bodies": len(units), "units": len(units),
        "pilot": int((units["group"] == "pilot").sum()), "comparison": int((units["group"] == "comparison").sum()),
        "waves": {p: len(w) for p, w in waves.items()}, "waves_total": sum(len(w) for w in waves.values()),
        "body_waves": len(body_waves), "treated_body_waves": int(body_waves["treated"].sum()),
        "assessment_rows_written": len(truth), "unit_rows_written": unit_rows_written,
        "outcome_rows_written": len(sim["outcomes"]),
        "planted_errors": planted["planted"].value_counts().sort_index().to_dict(),
    }
    manifest = {
        "synthetic": True,
        "banner": BANNER,
        "generator": "iso18091lab.synthetic.model",
        "seed": params.seed,
        "design_name": design.name,
        "files": written,
        "tables_written": {"units": design.units_table, "outcomes": design.outcomes, "self": design.self_scores,
                           "members": bool(units["members"].any())},
        "truth_files": {k: f"_synthetic/{v}" for k, v in TRUTH_FILES.items()},
        "design": design.to_dict(bodies=False),
        "waves": waves,
        "bodies": bodies,
        **sim["truth"],
        "planted_errors": json.loads(planted.to_json(orient="records", force_ascii=False)),
        "counts": counts,
    }
    manifest = json.loads(json.dumps(manifest, ensure_ascii=False, default=_json_default))
    (meta / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def read_truth(raw_dir: str | Path) -> dict:
    """The manifest and truth tables written beside synthetic raw files (codes and ids kept as text, '' for
    none; numbers as numbers, NaN for none)."""
    meta = Path(raw_dir) / "_synthetic"
    text = {"code": str, "indicator": str, "rater_id": str, "sheet": str, "planted": str, "unit": str, "level": str,
            "rating": str, "file": str, "province": str, "measure": str}
    numbers = ["score", "value", "event_time", "pilot_start", "pilot_start_round", "true_score_100", "effect",
               "effect_overall", "effect_p1", "effect_p2", "effect_p3", "effect_p4", "pre_trend"]
    out = {"manifest": json.loads((meta / "manifest.json").read_text(encoding="utf-8"))}
    for key, name in TRUTH_FILES.items():
        out[key] = pd.read_csv(meta / name, dtype=text, keep_default_na=False, na_values={c: [""] for c in numbers})
    return out
