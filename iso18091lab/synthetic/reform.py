"""Synthetic design ``reform_2025``: a Hải Phòng panel of 2023–2026 that crosses the reform of 1 July 2025.

**Synthetic data** (files start with ``SYNTHETIC_``, every row's source reads ``synthetic``). The bodies are real
units of the former Hải Phòng and Hải Dương and the lineage is the official one (``admin_map``); the scores are
simulated. Waves 2023, 2024 and 2025 (before July) are recorded under the former communes and districts with the
former province; the 2026 wave is recorded under the new communes (names and codes of the new map) and today's
province "Hải Phòng", as a Department of Science and Technology would keep it. Pilots start in 2024.

What the design holds (see :data:`BODIES`):

* new communes formed only from pilot predecessors (Xã Tứ Kỳ from two pilots; Xã Tiên Lãng, Xã An Trường,
  Xã Quyết Thắng, Xã Nghi Dương) and only from comparison predecessors (Xã Thanh Hà from two, Xã Hà Đông,
  Xã Kiến Minh from two, Xã Chấn Hưng, Xã An Hưng from two, Xã Vĩnh Lại): they continue;
* a *mixed* new commune, Xã An Quang, formed from a pilot (Xã Quang Hưng) and a comparison commune (Xã Quang
  Trung) whose code 11647 the new commune reuses;
* a *split* comparison ward, Phường Trần Phú (10528, Hải Dương), divided between two new wards;
* two districts (Quận Hồng Bàng, pilot; Huyện Kiến Thuỵ, comparison) that end on 30 June 2025.

Planted truth: score of body i in wave t = α_i + λ_t + τ·(pilot under the pilot) + ε, τ = :data:`EFFECT`
(points on the 0–100 scale), λ_t common to the province in every wave, ε ~ N(0, ``noise``); a new commune's α
is the mean of its study predecessors' α (its ε and τ as any body's). Every indicator of a body-wave gets the
same score, so the body-wave's overall score is exactly that value.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from iso18091lab.catalog import load_catalog

NAME = "reform_2025"
EFFECT = 6.0
WAVES_OLD = (2023, 2024, 2025)
WAVE_NEW = 2026
PILOT_START = 2024
SOURCE = "synthetic"

#: (former province, name, code, level, group, new commune code or '' for a district, new commune name)
BODIES = [
    ("Hải Dương", "Xã Quang Phục", "11101", "xã", "pilot", "11074", "Xã Tứ Kỳ"),
    ("Hải Dương", "Xã Quang Khải", "11116", "xã", "pilot", "11074", "Xã Tứ Kỳ"),
    ("Hải Phòng", "Xã Quyết Tiến", "11770", "xã", "pilot", "11755", "Xã Tiên Lãng"),
    ("Hải Phòng", "Xã Bát Trang", "11632", "xã", "pilot", "11635", "Xã An Trường"),
    ("Hải Phòng", "Xã Tự Cường", "11764", "xã", "pilot", "11761", "Xã Quyết Thắng"),
    ("Hải Phòng", "Xã Du Lễ", "11716", "xã", "pilot", "11713", "Xã Nghi Dương"),
    ("Hải Dương", "Xã Thanh Tân", "10861", "xã", "comparison", "10813", "Xã Thanh Hà"),
    ("Hải Dương", "Xã Thanh Sơn", "10867", "xã", "comparison", "10813", "Xã Thanh Hà"),
    ("Hải Dương", "Xã Thanh Quang", "10876", "xã", "comparison", "10882", "Xã Hà Đông"),
    ("Hải Dương", "Xã Ứng Hòe", "11161", "xã", "comparison", "11164", "Xã Vĩnh Lại"),
    ("Hải Phòng", "Xã Đông Phương", "11695", "xã", "comparison", "11725", "Xã Kiến Minh"),
    ("Hải Phòng", "Xã Đại Đồng", "11704", "xã", "comparison", "11725", "Xã Kiến Minh"),
    ("Hải Phòng", "Xã Bắc Hưng", "11803", "xã", "comparison", "11806", "Xã Chấn Hưng"),
    ("Hải Phòng", "Xã Chiến Thắng", "11671", "xã", "comparison", "11674", "Xã An Hưng"),
    ("Hải Phòng", "Xã An Thái", "11677", "xã", "comparison", "11674", "Xã An Hưng"),
    # mixed: a pilot and a comparison commune merged; the new commune reuses the comparison commune's code
    ("Hải Phòng", "Xã Quang Hưng", "11644", "xã", "pilot", "11647", "Xã An Quang"),
    ("Hải Phòng", "Xã Quang Trung", "11647", "xã", "comparison", "11647", "Xã An Quang"),
    # split over two new wards (nhập một phần)
    ("Hải Dương", "Phường Trần Phú", "10528", "phường", "comparison", "10532;10537", ""),
    # districts end on 30 June 2025
    ("Hải Phòng", "Quận Hồng Bàng", "303", "quận", "pilot", "", ""),
    ("Hải Phòng", "Huyện Kiến Thuỵ", "314", "huyện", "comparison", "", ""),
]
#: New communes whose later waves enter the headline, with their group.
CONTINUED = {"11074": "pilot", "11755": "pilot", "11635": "pilot", "11761": "pilot", "11713": "pilot",
             "10813": "comparison", "10882": "comparison", "11164": "comparison", "11725": "comparison",
             "11806": "comparison", "11674": "comparison"}


def simulate(seed: int = 2025, noise: float = 1.0, effect: float = EFFECT) -> dict[str, pd.DataFrame]:
    """The design's tables: ``units`` (the units table as a Department keeps it: former bodies only), ``scores``
    (one row per body, wave and indicator, council ratings) and ``truth`` (one row per body-wave: the value and
    whether it is under the pilot)."""
    rng = np.random.default_rng(seed)
    alpha = {b[2]: rng.normal(55.0, 8.0) for b in BODIES}
    wave_effect = {2023: 0.0, 2024: 1.5, 2025: 3.0, 2026: 4.0}
    units = pd.DataFrame([{"Tỉnh/Thành phố": p, "Tên đơn vị": n, "Mã ĐVHC": c, "Cấp": lv,
                           "Nhóm": "Thí điểm" if g == "pilot" else "Đối chứng",
                           "Năm bắt đầu thí điểm": PILOT_START if g == "pilot" else None,
                           "Nguồn dữ liệu": SOURCE} for p, n, c, lv, g, _, _ in BODIES])
    units["Năm bắt đầu thí điểm"] = units["Năm bắt đầu thí điểm"].astype("Int64")
    truth = []
    for province, name, code, _, group, _, _ in BODIES:
        for year in WAVES_OLD:
            treated = group == "pilot" and year >= PILOT_START
            value = alpha[code] + wave_effect[year] + effect * treated + rng.normal(0, noise)
            truth.append({"province": province, "unit": name, "code": code, "year": year, "group": group,
                          "treated": treated, "value": value})
    successors: dict[str, list[tuple]] = {}
    for b in BODIES:
        if b[6] and ";" not in b[5]:
            successors.setdefault(b[5], []).append(b)
    for new_code, members in successors.items():
        groups = {m[4] for m in members}
        group = groups.pop() if len(groups) == 1 else "mixed"
        treated = group == "pilot"
        value = (np.mean([alpha[m[2]] for m in members]) + wave_effect[WAVE_NEW] + effect * treated
                 + rng.normal(0, noise))
        truth.append({"province": "Hải Phòng", "unit": members[0][6], "code": new_code, "year": WAVE_NEW,
                      "group": group, "treated": treated, "value": value})
    truth = pd.DataFrame(truth)
    truth["value"] = truth["value"].clip(5, 95)
    catalog = load_catalog()
    rows = []
    for row in truth.itertuples(index=False):
        for indicator, max_score in zip(catalog["indicator"], catalog["max_score"]):
            rows.append({"Tỉnh/Thành phố": row.province, "Đơn vị": row.unit, "Mã đơn vị": row.code,
                         "Năm": row.year, "Đợt": 1, "Loại đánh giá": "Hội đồng thẩm định", "Chỉ số": indicator,
                         "Điểm": round(float(row.value) / 100.0 * float(max_score), 6), "Nguồn dữ liệu": SOURCE})
    return {"units": units, "scores": pd.DataFrame(rows), "truth": truth}


def write(raw_dir: str | Path, seed: int = 2025, noise: float = 1.0) -> dict[str, pd.DataFrame]:
    """Write the design as CSV files (text, so codes keep their leading zeros) into ``raw_dir``; the planted
    truth goes to ``<raw_dir>/_synthetic/reform_2025_truth.csv`` (not read by ingest)."""
    out = Path(raw_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = simulate(seed, noise)
    tables["units"].to_csv(out / "SYNTHETIC_reform_2025_don_vi.csv", index=False, encoding="utf-8-sig")
    tables["scores"].to_csv(out / "SYNTHETIC_reform_2025_diem.csv", index=False, encoding="utf-8-sig")
    (out / "_synthetic").mkdir(exist_ok=True)
    tables["truth"].to_csv(out / "_synthetic" / "reform_2025_truth.csv", index=False, encoding="utf-8-sig")
    return tables


def write_design(raw_dir: str | Path, seed: int = 2025) -> dict:
    """Write the design as ``iso18091lab synth --design reform_2025`` does: the files of :func:`write` and
    ``<raw_dir>/_synthetic/manifest.json`` (labelled synthetic), whose ``files``, ``counts``, ``planted_errors``
    (none: the design plants no row errors) and ``att`` (the planted effect :data:`EFFECT`) the command reports.

    Parameters
    ----------
    raw_dir : str or Path
        Folder to write into (created if missing).
    seed : int
        Random seed of the simulated scores.

    Returns
    -------
    dict
        The manifest, as written.
    """
    from iso18091lab.intake.provinces import name_2025
    from iso18091lab.synthetic.write import BANNER

    out = Path(raw_dir)
    tables = write(out, seed=seed)
    units = tables["units"]
    files = sorted(p.name for p in out.glob("SYNTHETIC_reform_2025_*.csv"))
    manifest = {
        "synthetic": True, "banner": BANNER, "generator": "iso18091lab.synthetic.reform", "seed": seed,
        "design_name": NAME, "files": files,
        "truth_files": {"body_waves": "_synthetic/reform_2025_truth.csv"},
        "waves": [*WAVES_OLD, WAVE_NEW], "pilot_start": PILOT_START,
        "planted_errors": [],
        "att": {"pooled": {"overall": EFFECT}},
        "counts": {"provinces": len({name_2025(p) or p for p in units["Tỉnh/Thành phố"]}), "bodies": len(units),
                   "pilot": int((units["Nhóm"] == "Thí điểm").sum()),
                   "comparison": int((units["Nhóm"] == "Đối chứng").sum()),
                   "assessment_rows_written": len(tables["scores"])},
    }
    (out / "_synthetic" / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2),
                                                      encoding="utf-8")
    return manifest
