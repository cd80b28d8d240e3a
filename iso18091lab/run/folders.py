"""Which dataset a reports folder belongs to: ``dataset.json`` records it, and report folders written from other
data move to ``_du-lieu-khac/<hash>/`` (kept, never mixed into this dataset's index).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from iso18091lab.run.manifest import MANIFEST_LOCK, _write_json
from iso18091lab.storage import locked


DATASET_MARKER = "dataset.json"
OTHER_DATA = "_du-lieu-khac"


def claim_reports_folder(reports: Path, input_hash: str, synthetic: bool,
                         province_hashes: dict[str, str] | None = None) -> list[Path]:
    """Make ``reports`` belong to the dataset ``input_hash``: report folders written from other data (their
    manifest has another input hash) move to ``_du-lieu-khac/<hash>/`` — kept, never mixed into this
    dataset's index — and ``dataset.json`` records the current data. A province folder whose own data is
    unchanged (its ``data_hash`` equals the province's hash in ``province_hashes``) stays and is marked as
    belonging to this dataset: its reports are those of the same rows. Returns the folders moved."""
    moved = []
    for manifest_path in sorted(reports.glob("*/manifest.json")):
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("input_hash") == input_hash:
            continue
        same_rows = (manifest.get("scope") == "province" and manifest.get("data_hash")
                     and (province_hashes or {}).get(manifest.get("province")) == manifest["data_hash"])
        if same_rows:
            with locked(manifest_path.parent / MANIFEST_LOCK):  # read again: another run may have written it
                manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
                _write_json(manifest_path, {**manifest, "input_hash": input_hash})
            continue
        folder = manifest_path.parent
        target = reports / OTHER_DATA / str(manifest.get("input_hash") or "unknown")[:12] / folder.name
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(folder), str(target))
        moved.append(target)
    _write_json(reports / DATASET_MARKER, {"input_hash": input_hash, "synthetic": bool(synthetic)})
    return moved
