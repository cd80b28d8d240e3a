"""Rebuild the package's official map of Vietnam's administrative units before and after 1 July 2025.

Source: the official conversion table "Bảng chuyển đổi đơn vị hành chính mới – cũ" (attached to the Prime
Minister's decision on the code list, QĐ 19/2025/QĐ-TTg; one row per new–old commune pair; administrative
documents are not protected by copyright, Law on Intellectual Property Art. 15), as a CSV export.

Writes, into ``iso18091lab/data/``:

* ``admin_conversion_2025.csv`` — every new–old pair: the new province (code, name), new commune (code, name,
  kind), old commune (code, name, kind), old district (code, name), old province (code, name), the relation as
  written ("Ghi chú") and its class (``whole`` / ``partial`` / ``unchanged`` / ``renamed``);
* ``admin_units_2025.csv`` — the units on the map since 1 July 2025: 34 provinces and 3,321 communes;
* ``admin_units_pre2025.csv`` — the units on the map before it, the units of 30 June 2025 as the table's old side
  gives them: 63 provinces, 696 districts and 10,035 communes on 10,033 codes (the official counts; how the
  source's rows reconcile with them is in ``admin_map_PROVENANCE.md``). The table is the only official list the
  project has: units that had already gone before 30 June 2025 are not on it.

Usage: ``python scripts/build_admin_map.py [path/to/2025-commune-conversion.csv]``. The output is deterministic:
re-running on the same source gives byte-identical files (a test checks the shipped files against the rules
here when the source is present).
"""
from __future__ import annotations

import csv
import hashlib
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = next((p / "shared" / "data" / "2025-commune-conversion.csv" for p in ROOT.parents
                       if (p / "shared" / "data" / "2025-commune-conversion.csv").exists()),
                      ROOT.parent / "shared" / "data" / "2025-commune-conversion.csv")
OUT = ROOT / "iso18091lab" / "data"

_CODE = re.compile(r"^(?P<name>.*?)\s*\((?P<code>\d+)\)\s*$")
_KINDS = ("đặc khu", "thị trấn", "phường", "xã", "thành phố", "thị xã", "quận", "huyện", "tỉnh")


def nfc(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text or "")).strip()


def tidy_name(text: str) -> str:
    """NFC, one space, and the level word in the usual case ('Thị Xã Sa Pa' -> 'Thị xã Sa Pa')."""
    text = nfc(text)
    for wrong, right in (("Thị Xã ", "Thị xã "), ("Thành Phố ", "Thành phố "), ("Thị Trấn ", "Thị trấn "),
                         ("Đặc Khu ", "Đặc khu ")):
        if text.startswith(wrong):
            text = right + text[len(wrong):]
    return text


def majority(pairs) -> dict:
    """key -> its most frequent value (ties: the first seen), over (key, value) pairs."""
    counts: dict = {}
    for key, value in pairs:
        counts.setdefault(key, {}).setdefault(value, 0)
        counts[key][value] += 1
    return {key: max(values, key=lambda v: values[v]) for key, values in counts.items()}


def split_code(text: str) -> tuple[str, str]:
    """'Quận Ba Đình (001)' -> ('Quận Ba Đình', '001')."""
    text = nfc(text)
    m = _CODE.match(text)
    return (tidy_name(m["name"]), m["code"]) if m else (tidy_name(text), "")


def _bare(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", nfc(text).lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("đ", "d")


def kind_of(name: str) -> str:
    """The level word a name starts with ('Xa Ea Kly', typed without diacritics in the source, is a xã)."""
    low = _bare(name)
    for kind in _KINDS:
        if low.startswith(_bare(kind) + " "):
            return kind
    return ""


def bare_province(name: str) -> str:
    """'Thành phố Hải Phòng' / 'Tỉnh Ninh Bình' / 'Quảng Trị' -> 'Hải Phòng' / 'Ninh Bình' / 'Quảng Trị'."""
    return re.sub(r"^(Tỉnh|Thành phố|TP\.)\s+", "", nfc(name))


def relation_class(note: str) -> str:
    """The relation as written -> whole / partial / unchanged / renamed."""
    low = re.sub(r"\s+", " ", nfc(note).lower()).replace("nhâp", "nhập")
    if low == "giữ nguyên":
        return "unchanged"
    if "một phần" in low or "phần còn lại" in low:
        return "partial"
    if low.startswith("đổi tên") or low.startswith("đổi loại hình"):
        return "renamed"
    if "toàn bộ" in low:
        return "whole"
    raise ValueError(f"unknown relation {note!r}")


def build(source: Path) -> dict[str, list[dict]]:
    with open(source, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    pairs = []
    for r in rows[2:]:
        if not nfc(r[1]):  # a province heading
            continue
        new_province, new_province_code = split_code(r[0])
        district, district_code = split_code(r[6])
        old_province, old_province_code = split_code(r[7])
        old_name, old_code = tidy_name(r[3]), nfc(r[4])
        if not old_code and district_code and nfc(r[5]).startswith("Sắp xếp toàn bộ huyện"):
            old_name = district  # an island district became a special zone: the predecessor is the district
        pairs.append({
            "new_province_code": new_province_code, "new_province": bare_province(new_province),
            "new_code": nfc(r[2]), "new_name": tidy_name(r[1]), "new_kind": kind_of(r[1]),
            "old_code": old_code, "old_name": old_name, "old_kind": kind_of(old_name),
            "old_district_code": district_code, "old_district": district,
            "old_province_code": old_province_code, "old_province": bare_province(old_province),
            "relation_vi": re.sub(r"\s+", " ", nfc(r[5])), "relation": relation_class(r[5]),
        })
    # The source repeats some units under two spellings ('Xã Điềm Thuỵ' / 'Xã Điềm Thụy'; 'Thị Xã' / 'Thị xã')
    # and gives one old row the wrong province code ('Quảng Trị (44)' for huyện Cồn Cỏ, province 45): a code's
    # name, and a province's code, are the ones most rows give. Pairs keep the text as written in the source.
    province_code = majority((p["old_province"], p["old_province_code"]) for p in pairs)
    for p in pairs:
        p["old_province_code"] = province_code[p["old_province"]]
    # Two rows put a district under a neighbouring province ('Phường 4' of Thành phố Tân An (794) under Tiền
    # Giang, Long An's neighbour; 'Xã Tiên Hải' of Thành phố Hà Tiên (900) under An Giang): a district is in the
    # province most of its rows give, and so are its communes. Without this the old map lists 698 districts.
    district_province = majority((p["old_district_code"], (p["old_province_code"], p["old_province"]))
                                 for p in pairs if p["old_district_code"])
    for p in pairs:
        if p["old_district_code"]:
            p["old_province_code"], p["old_province"] = district_province[p["old_district_code"]]
    # The source gives 3 old codes to two communes each. Where one of the two is also listed under a code of its
    # own and holds fewer of the shared code's rows, the shared code is the other's and the row is given the
    # commune's own code: 'Xã Đặng Xá' (00556 in one row, 00553 in one) beside 'Xã Cổ Bi' (00553 in three rows).
    # 01615 (Xã Hồng Quang / Xã Mỹ Hưng) and 02485 (Xã Công Đa / Xã Phú Thịnh) stay as written: one row each,
    # and neither commune appears under another code (01612 and 02482, the gaps in their districts' sequences,
    # are not in the table, so which commune holds them cannot be read from it).
    rows_of: dict = {}
    for p in pairs:
        if p["old_code"]:
            rows_of.setdefault(p["old_code"], {}).setdefault(p["old_name"], []).append(p)
    own_codes: dict = {}
    for code, by_name in rows_of.items():
        for name, group in by_name.items():
            own_codes.setdefault((group[0]["old_district_code"], name), set()).add(code)
    for code, by_name in sorted(rows_of.items()):
        if len(by_name) < 2:
            continue
        most = max(len(group) for group in by_name.values())
        owners = [name for name, group in by_name.items() if len(group) == most]
        for name, group in by_name.items():
            other = own_codes[(group[0]["old_district_code"], name)] - {code}
            if len(owners) == 1 and name != owners[0] and len(other) == 1:
                for p in group:
                    p["old_code"] = next(iter(other))
    new_name = majority((p["new_code"], p["new_name"]) for p in pairs)
    district_name = majority((p["old_district_code"], p["old_district"]) for p in pairs)
    for p in pairs:
        p["new_name"], p["old_district"] = new_name[p["new_code"]], district_name[p["old_district_code"]]
    new_units = [{"level": "province", "code": c, "name": n, "kind": "", "province_code": c, "province": n}
                 for c, n in sorted({(p["new_province_code"], p["new_province"]) for p in pairs})]
    new_units += [{"level": "commune", "code": c, "name": n, "kind": k, "province_code": pc, "province": pn}
                  for c, n, k, pc, pn in sorted({(p["new_code"], p["new_name"], p["new_kind"], p["new_province_code"],
                                                  p["new_province"]) for p in pairs})]
    old_units = [{"level": "province", "code": c, "name": n, "kind": "", "district_code": "", "district": "",
                  "province_code": c, "province": n}
                 for c, n in sorted({(p["old_province_code"], p["old_province"]) for p in pairs})]
    old_units += [{"level": "district", "code": c, "name": n, "kind": kind_of(n), "district_code": c, "district": n,
                   "province_code": pc, "province": pn}
                  for c, n, pc, pn in sorted({(p["old_district_code"], p["old_district"], p["old_province_code"],
                                               p["old_province"]) for p in pairs if p["old_district_code"]})]
    old_units += [{"level": "commune", "code": c, "name": n, "kind": kind_of(n), "district_code": dc, "district": d,
                   "province_code": pc, "province": pn}
                  for c, n, dc, d, pc, pn in sorted({(p["old_code"], p["old_name"], p["old_district_code"],
                                                      p["old_district"], p["old_province_code"], p["old_province"])
                                                     for p in pairs if p["old_code"]})]
    return {"admin_conversion_2025.csv": pairs, "admin_units_2025.csv": new_units,
            "admin_units_pre2025.csv": old_units}


def write(tables: dict[str, list[dict]], out: Path = OUT) -> None:
    for name, rows in tables.items():
        with open(out / name, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    tables = build(source)
    write(tables)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    counts = {name: len(rows) for name, rows in tables.items()}
    print(f"source {source} sha256 {digest}")
    print(counts)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
