"""The same planted data as :func:`iso18091lab.synthetic.write.write_synthetic`, written in the wide layouts Departments keep.

Everything written here is **synthetic** and says so (``SYNTHETIC_`` names, the banner on every sheet, a
``Nguồn dữ liệu`` column or labelled cell reading ``synthetic``, the truth in ``<out>/_synthetic/``). The data
are :func:`iso18091lab.synthetic.model.simulate` of the design with the same parameters, so they are the rows of the long
files :func:`~iso18091lab.synthetic.write.write_synthetic` writes for the same seed (written there with
``plant_errors=False``): ingesting either gives the same assessment rows.

Layouts (``layout``: one for every province, or ``{province: layout}``):

* ``long``: the long table (one row per score), as ``write_synthetic`` writes it;
* ``matrix``: summary matrices, one sheet per wave and rater, one header row, rater, year and round in the
  title ("… CỦA HỘI ĐỒNG THẨM ĐỊNH THÀNH PHỐ HẢI PHÒNG NĂM 2024 ĐỢT 1"), council members in a sheet with a
  "Thành viên hội đồng" column;
* ``matrix2``: a two-row header (each pillar's name merged over its indicators), total columns ("Tổng trụ cột
  1" … "Tổng điểm"), the province in a labelled cell above the table, rater and year in the sheet name
  ("HĐTĐ 2024", "TĐG 2024 đợt 2");
* ``rater_column``: one sheet with province, body, year, round, rater and council member columns and one
  column per indicator ("CS 1.1");
* ``forms``: one workbook per body in nested folders (``SYNTHETIC_phieu/<province>/<level>/<body>.xlsx``), one
  sheet per wave ("Năm 2024" / "Năm 2024 đợt 2"), labelled cells above a table of indicator rows with a
  "Tự đánh giá" and a "Hội đồng thẩm định" column (each over "Điểm" and "Mức") and one column per council member,
  and a "Tổng cộng" row.

``total_mismatch=True`` writes one wrong total per province (matrix2 and forms), recorded in the manifest.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from iso18091lab.catalog import load_catalog
from iso18091lab.synthetic.cells import RATING_TEXT, SOURCE_MARK, _Messer, _render_assessments
from iso18091lab.synthetic.design import as_design
from iso18091lab.synthetic.model import simulate
from iso18091lab.synthetic.write import (BANNER, HEADERS, _layout, _truth_of, _unit_rows, _write_csv, _write_truth,
                                         _write_xlsx)
from iso18091lab.synthetic.xlsx import HEADER, Sheet, write_workbook
from iso18091lab.normalize import slugify

LAYOUTS = ("long", "matrix", "matrix2", "rater_column", "forms")
_PROVINCE_WORD = {"Hà Nội": "THÀNH PHỐ", "Hải Phòng": "THÀNH PHỐ", "Huế": "THÀNH PHỐ", "Đà Nẵng": "THÀNH PHỐ",
                  "Hồ Chí Minh": "THÀNH PHỐ", "Cần Thơ": "THÀNH PHỐ"}
_RATER_TITLE = {"self": "TỰ ĐÁNH GIÁ", "council": "HỘI ĐỒNG THẨM ĐỊNH"}
_RATER_SHEET = {"self": "TĐG", "council": "HĐTĐ"}


def _cell(row: pd.Series | tuple, rng: np.random.Generator) -> object:
    """What a wide cell holds for one long row: the points, else the traffic light as typed, else 'KĐG'."""
    score, rating, not_assessed = row
    if not_assessed:
        return str(rng.choice(RATING_TEXT["not_assessed"]))
    if score == score:
        return float(score)
    return str(rng.choice(RATING_TEXT[rating]))


def _province_title(name: str) -> str:
    return f"{_PROVINCE_WORD.get(name, 'TỈNH')} {name.upper()}"


def _wave_text(year: int, round_: int, rounds: int) -> str:
    return f"NĂM {year}" + (f" ĐỢT {round_}" if rounds > 1 else "")


def _sheet_name(name: str, used: set[str]) -> str:
    name = name[:31]
    base, k = name, 2
    while name in used:
        name, k = f"{base[:28]} {k}", k + 1
    used.add(name)
    return name


def _blocks(rows: pd.DataFrame) -> list[tuple[tuple, pd.DataFrame]]:
    """(year, round, rater, member?) blocks of a province's rows, in wave order: self, council, members."""
    order = {"self": 0, "council": 1}
    rows = rows.assign(_member=rows["rater_id"] != "", _order=rows["rater"].map(order))
    out = []
    for key, part in rows.groupby(["year", "round", "_member", "_order"], sort=True):
        out.append((key, part))
    return out


def _wide(part: pd.DataFrame, indicators: list[str], rng: np.random.Generator, by: list[str]) -> pd.DataFrame:
    """One row per ``by`` key and one column per indicator, cells as typed; keeps each key's first-row order."""
    values = [_cell(r, rng) for r in part[["score", "rating", "not_assessed"]].itertuples(index=False)]
    frame = part[by + ["indicator"]].assign(_v=values)
    keys = frame[by].drop_duplicates()
    table = frame.pivot(index=by, columns="indicator", values="_v")
    table = table.reindex(pd.MultiIndex.from_frame(keys) if len(by) > 1 else pd.Index(keys[by[0]]))
    return table.reindex(columns=[i for i in indicators if i in table.columns])


def _points(part: pd.DataFrame, by: list[str], pillar_of: dict) -> pd.DataFrame:
    """Sum of points per key, overall and per pillar (NaN where the key has no points)."""
    frame = part[by + ["indicator", "score"]].assign(pillar=part["indicator"].map(pillar_of))
    total = frame.groupby(by, sort=False)["score"].sum(min_count=1)
    pillars = frame.pivot_table(index=by, columns="pillar", values="score", aggfunc=lambda s: s.sum(min_count=1),
                                dropna=False)
    return pillars.assign(total=total)


class _Writer:
    def __init__(self, out: Path, sim: dict, rng: np.random.Generator, catalog: pd.DataFrame, total_mismatch: bool):
        self.out, self.sim, self.rng, self.catalog = out, sim, rng, catalog
        self.indicators = catalog["indicator"].tolist()
        self.pillar_of = dict(zip(catalog["indicator"], catalog["pillar"].astype(int)))
        self.pillar_names = dict(zip(catalog["pillar"].astype(int), catalog["pillar_name_vi"]))
        self.total_mismatch = total_mismatch
        self.truth: list[pd.DataFrame] = []
        self.written: list[str] = []
        self.planted: list[dict] = []

    def record(self, rows: pd.DataFrame, file: str, sheet: str, numbers: list[int]) -> None:
        where = pd.DataFrame({"file": file, "sheet": sheet, "row": numbers, "planted": ""})
        self.truth.append(pd.concat([where, rows.reset_index(drop=True)], axis=1))

    # ----------------------------------------------------------------- matrices

    def matrix(self, prov, rows: pd.DataFrame, two_rows: bool) -> None:
        name = f"SYNTHETIC_{slugify(prov.name)}_tong_hop{'_2' if two_rows else ''}.xlsx"
        rounds = rows.groupby("year")["round"].nunique().to_dict()
        sheets, used = [], set()
        planted = False
        for (year, round_, member, rater_order), part in _blocks(rows):
            rater = "self" if rater_order == 0 else "council"
            by = ["unit", "code"] + (["rater_id"] if member else [])
            table = _wide(part, self.indicators, self.rng, by)
            wave = _wave_text(year, round_, rounds[year])
            ids = list(table.columns)
            identity = ["STT", "Tên đơn vị"] + (["Mã ĐVHC"] if prov.code_column else []) + (
                ["Thành viên hội đồng"] if member else [])
            pillars = sorted({self.pillar_of[i] for i in ids})
            totals = ([f"Tổng trụ cột {p}" for p in pillars] + ["Tổng điểm"]) if two_rows else []
            width = len(identity) + len(ids) + len(totals) + 1
            if two_rows:
                sheet_name = _sheet_name(f"{_RATER_SHEET[rater]}{' TV' if member else ''} {year}"
                                         + (f" đợt {round_}" if rounds[year] > 1 else ""), used)
            else:
                sheet_name = _sheet_name(f"Bảng {len(sheets) + 1}", used)
            sheet = Sheet(sheet_name, width, text_columns=tuple(range(len(identity))))
            sheet.merge_title(1, BANNER)
            if two_rows:
                sheet.add(2, ["BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM BỘ CHỈ SỐ TCVN ISO 18091:2020"])
                sheet.add(3, ["Tỉnh/Thành phố:", prov.name])
                top = 5
                upper = identity + [f"Trụ cột {self.pillar_of[i]}: {self.pillar_names[self.pillar_of[i]]}"
                                    for i in ids] + totals + ["Nguồn dữ liệu"]
                lower = [""] * len(identity) + ids + [""] * (len(totals) + 1)
                sheet.add(top, upper, HEADER)
                sheet.add(top + 1, lower, HEADER)
                letters = sheet.letters
                for c in list(range(len(identity))) + list(range(len(identity) + len(ids), width)):
                    sheet.merges.append(f"{letters[c]}{top}:{letters[c]}{top + 1}")
                start = len(identity)
                for p in pillars:
                    n = sum(1 for i in ids if self.pillar_of[i] == p)
                    if n > 1:
                        sheet.merges.append(f"{letters[start]}{top}:{letters[start + n - 1]}{top}")
                    start += n
                first = top + 2
                sums = _points(part, by, self.pillar_of).reindex(table.index)
            else:
                who = ("TỰ ĐÁNH GIÁ" if rater == "self" else "CHẤM ĐIỂM CỦA HỘI ĐỒNG THẨM ĐỊNH") + (
                    " (TỪNG THÀNH VIÊN)" if member else "")
                sheet.add(2, [f"BẢNG TỔNG HỢP KẾT QUẢ {who} {_province_title(prov.name)} {wave}"])
                sheet.add(4, identity + ids + ["Nguồn dữ liệu"], HEADER)
                first = 5
            numbers = []
            for k, (key, values) in enumerate(table.iterrows()):
                key = key if isinstance(key, tuple) else (key,)
                unit, code = key[0], key[1]
                cells = [k + 1, unit] + ([code] if prov.code_column else []) + ([key[2]] if member else [])
                cells += [None if (isinstance(v, float) and v != v) else v for v in values.tolist()]
                if two_rows:
                    row_sums = sums.loc[key if len(key) > 1 else key[0]]
                    extra = [row_sums.get(p) for p in pillars] + [row_sums["total"]]
                    extra = [None if v is None or v != v else round(float(v), 6) for v in extra]
                    if self.total_mismatch and not planted and extra[-1] is not None:
                        extra[-1] = extra[-1] + 1.0
                        planted = True
                        self.planted.append({"file": name, "sheet": sheet_name, "row": first + k,
                                             "cell": f"{sheet.letters[width - 2]}{first + k}",
                                             "planted": "total_mismatch"})
                    cells += extra
                cells.append(SOURCE_MARK)
                sheet.add(first + k, cells)
                numbers.append(first + k)
            sheets.append(sheet)
            row_of = dict(zip(table.index, numbers))
            keys = list(zip(*[part[c] for c in by])) if len(by) > 1 else part[by[0]].tolist()
            self.record(part, name, sheet_name, [row_of[k] for k in keys])
        write_workbook(self.out / name, sheets)
        self.written.append(name)

    def rater_column(self, prov, rows: pd.DataFrame) -> None:
        name = f"SYNTHETIC_{slugify(prov.name)}_tong_hop_theo_loai.xlsx"
        by = ["unit", "code", "year", "round", "rater", "rater_id"]
        table = _wide(rows, self.indicators, self.rng, by)
        ids = list(table.columns)
        identity = ["Tỉnh/Thành phố", "Đơn vị", "Mã ĐVHC", "Năm", "Đợt", "Loại đánh giá", "Mã người chấm"]
        sheet = Sheet("Tổng hợp", len(identity) + len(ids) + 1, text_columns=(2, 6))
        sheet.merge_title(1, BANNER)
        sheet.add(2, ["BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM CÁC ĐƠN VỊ"])
        sheet.add(4, identity + [f"CS {i}" for i in ids] + ["Nguồn dữ liệu"], HEADER)
        numbers = {}
        for k, (key, values) in enumerate(table.iterrows()):
            unit, code, year, round_, rater, rater_id = key
            cells = [prov.name, unit, code, int(year), int(round_), "Tự đánh giá" if rater == "self" else
                     "Hội đồng thẩm định", rater_id]
            cells += [None if (isinstance(v, float) and v != v) else
                      (str(v).replace(".", ",") if isinstance(v, float) and k % 2 else v) for v in values.tolist()]
            sheet.add(5 + k, cells + [SOURCE_MARK])
            numbers[key] = 5 + k
        write_workbook(self.out / name, [sheet])
        self.written.append(name)
        self.record(rows, name, "Tổng hợp", [numbers[k] for k in zip(*[rows[c] for c in by])])

    # ----------------------------------------------------------------- forms

    def forms(self, prov, rows: pd.DataFrame, units: pd.DataFrame) -> None:
        rounds = rows.groupby("year")["round"].nunique().to_dict()
        levels = dict(zip(zip(units["province"], units["unit"], units["code"]), units["level"]))
        names = self.catalog.set_index("indicator")["name_vi"].to_dict()
        planted = False
        for (unit, code), body in rows.groupby(["unit", "code"], sort=False):
            level = levels.get((prov.name, unit, code)) or "khac"
            folder = Path("SYNTHETIC_phieu") / slugify(prov.name) / slugify(level)
            (self.out / folder).mkdir(parents=True, exist_ok=True)
            name = (folder / f"{slugify(unit)}{'-' + code if code else ''}.xlsx").as_posix()
            sheets, used = [], set()
            for (year, round_), wave in body.groupby(["year", "round"], sort=True):
                members = sorted(m for m in wave["rater_id"].unique() if m)
                raters = [("self", ""), ("council", "")] + [("council", m) for m in members]
                raters = [r for r in raters if ((wave["rater"] == r[0]) & (wave["rater_id"] == r[1])).any()]
                ids = [i for i in self.indicators if i in set(wave["indicator"])]
                width = 2 + 2 * len(raters) + 1
                sheet_name = _sheet_name(f"Năm {year}" + (f" đợt {round_}" if rounds[year] > 1 else ""), used)
                sheet = Sheet(sheet_name, width, text_columns=(0,))
                sheet.merge_title(1, BANNER)
                sheet.add(2, ["PHIẾU CHẤM ĐIỂM BỘ CHỈ SỐ TCVN ISO 18091:2020"])
                sheet.add(3, ["Tỉnh/Thành phố:", prov.name])
                sheet.add(4, [f"Đơn vị: {unit}"])
                line = 5
                if code:
                    sheet.add(line, ["Mã đơn vị:", code])
                    line += 1
                sheet.add(line, ["Năm:", int(year), "Đợt:", int(round_)])
                sheet.add(line + 1, ["Nguồn dữ liệu:", SOURCE_MARK])
                top = line + 3
                upper = ["Chỉ số", "Tên chỉ số"]
                for rater, member in raters:
                    label = member or ("Tự đánh giá" if rater == "self" else "Hội đồng thẩm định")
                    upper += [label, label]
                sheet.add(top, upper + ["Ghi chú"], HEADER)
                sheet.add(top + 1, ["", ""] + ["Điểm", "Mức"] * len(raters) + [""], HEADER)
                letters = sheet.letters
                for c in (0, 1, width - 1):
                    sheet.merges.append(f"{letters[c]}{top}:{letters[c]}{top + 1}")
                for k in range(len(raters)):
                    sheet.merges.append(f"{letters[2 + 2 * k]}{top}:{letters[3 + 2 * k]}{top}")
                cells = {(r.rater, r.rater_id, r.indicator): r for r in wave.itertuples(index=False)}
                number, truth_rows, numbers = top + 2, [], []
                sums = [0.0] * len(raters)
                has_points = [False] * len(raters)
                for ind in ids:
                    row = [ind, names.get(ind, "")]
                    for k, (rater, member) in enumerate(raters):
                        item = cells.get((rater, member, ind))
                        if item is None:
                            row += [None, None]
                            continue
                        value = _cell((item.score, item.rating, item.not_assessed), self.rng)
                        row += [value, None] if isinstance(value, float) else [None, value]
                        if isinstance(value, float):
                            sums[k] += value
                            has_points[k] = True
                        truth_rows.append(item)
                        numbers.append(number)
                    sheet.add(number, row)
                    number += 1
                totals = [round(s, 6) if p else None for s, p in zip(sums, has_points)]
                if self.total_mismatch and not planted and totals and totals[0] is not None:
                    totals[0] += 1.0
                    planted = True
                    self.planted.append({"file": name, "sheet": sheet_name, "row": number,
                                         "cell": f"{letters[2]}{number}", "planted": "total_mismatch"})
                total_row = ["Tổng cộng", ""]
                for value in totals:
                    total_row += [value, None]
                sheet.add(number, total_row)
                sheets.append(sheet)
                self.record(pd.DataFrame(truth_rows, columns=wave.columns), name, sheet_name, numbers)
            write_workbook(self.out / name, sheets)
            self.written.append(name)

    def long(self, prov, rows: pd.DataFrame, messer: _Messer) -> None:
        from iso18091lab.synthetic.write import _assessment_keys

        name = f"SYNTHETIC_{slugify(prov.name)}.xlsx"
        rendered = _render_assessments(rows, messer, prov.code_column)
        laid = _layout(rendered, 4, self.rng)
        keys = _assessment_keys(prov)
        _write_xlsx(self.out / name, [("Chấm điểm", keys, laid, "xlsx_vi")],
                    notes=[f"Kết quả chấm điểm {prov.name} (mô phỏng)."])
        self.truth.append(_truth_of(laid, rows, name, "Chấm điểm"))
        self.written.append(name)


def write_layouts(out_dir: str | Path, seed: int = 2024, params=None, design=None, layout: str | dict = "matrix",
                  total_mismatch: bool = False) -> dict:
    """Simulate ``design`` (default the bundled sample) with ``params`` (default the design's with ``seed``) and
    write its assessments in ``layout`` (one of :data:`LAYOUTS`, or ``{province: layout}``), with the units table
    and outcomes as :func:`~iso18091lab.synthetic.write.write_synthetic` writes them. No row error is planted (the long
    equivalent is ``write_synthetic`` with ``plant_errors=False``). Returns the manifest (``_synthetic/``)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    design = as_design(design)
    params = replace(params or replace(design.params, seed=seed), plant_errors=False)
    sim = simulate(params, design)
    rng = np.random.default_rng(params.seed + 2)
    catalog = load_catalog()
    writer = _Writer(out, sim, rng, catalog, total_mismatch)
    units = sim["units"]
    messer = _Messer(rng, units, design.units_table != "none")
    unit_rows_written = 0
    if design.units_table != "none":
        columns = [k for k in HEADERS["units_vi"] if k != "group" or design.units_table == "full"]
        laid = _layout(_unit_rows(units), 4, rng, empty_rate=0)
        _write_xlsx(out / "SYNTHETIC_don_vi_units.xlsx", [("Đơn vị", columns, laid, "units_vi")],
                    notes=["Danh sách đơn vị thí điểm và đối chứng (mô phỏng)."])
        writer.written.append("SYNTHETIC_don_vi_units.xlsx")
        unit_rows_written = len(laid)
    by_province = dict(tuple(sim["assessments"].groupby("province", sort=False)))
    for prov in design.provinces:
        chosen = layout.get(prov.name, "long") if isinstance(layout, dict) else layout
        if chosen not in LAYOUTS:
            raise ValueError(f"layout must be one of {LAYOUTS}, not {chosen!r}")
        rows = by_province[prov.name].reset_index(drop=True)
        if chosen == "long":
            writer.long(prov, rows, messer)
        elif chosen in ("matrix", "matrix2"):
            writer.matrix(prov, rows, chosen == "matrix2")
        elif chosen == "rater_column":
            writer.rater_column(prov, rows)
        else:
            writer.forms(prov, rows, units)
    if design.outcomes:
        outcome_rows = [{"cells": {**o._asdict(), "source": SOURCE_MARK}, "truth": None, "planted": None}
                        for o in sim["outcomes"].itertuples(index=False)]
        laid = _layout(outcome_rows, 3, rng, empty_rate=0)
        _write_csv(out / "SYNTHETIC_outcomes.csv", list(HEADERS["outcomes_en"]), laid, "outcomes_en", delimiter=",")
        writer.written.append("SYNTHETIC_outcomes.csv")
    manifest = _write_truth(out, design, params, sim, pd.concat(writer.truth, ignore_index=True), writer.written,
                            unit_rows_written)
    manifest["layout"] = layout
    manifest["planted_totals"] = writer.planted
    import json

    (out / "_synthetic" / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2),
                                                     encoding="utf-8")
    return manifest

