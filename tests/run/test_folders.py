"""A reports folder belongs to one dataset (run.folders: folders of other data move away, the index lists only
the current data) and its manifest is written atomically under the folder's lock (run.manifest)."""
from __future__ import annotations

import json

import pytest


def _fake_run(reports, slug, input_hash, synthetic=False):
    folder = reports / slug
    folder.mkdir(parents=True)
    manifest = {"province": slug.title(), "slug": slug, "status": "ok", "finished": "2026-01-01T00:00:00",
                "input_hash": input_hash, "synthetic": synthetic, "scope": "province",
                "notebooks": [{"notebook": "10_scorecard", "status": "ok", "html": "10_scorecard.html"}],
                "evidence": {}}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (folder / "10_scorecard.html").write_text("<html></html>", encoding="utf-8")


def test_a_reports_folder_belongs_to_one_dataset(tmp_path):
    from iso18091lab.run.folders import OTHER_DATA, claim_reports_folder
    from iso18091lab.run.index_page import write_index

    reports = tmp_path / "reports"
    _fake_run(reports, "hai-phong", "a" * 64, synthetic=True)
    _fake_run(reports, "quang-ninh", "a" * 64, synthetic=True)
    write_index(reports, "vi", {"synthetic": "yes", "rows_read": 1, "accepted": 1, "quarantined": 0, "duplicates": 0},
                input_hash="a" * 64)
    assert "MÔ PHỎNG" in (reports / "index.html").read_text(encoding="utf-8")
    # a run on other (real) data: the old folders move away, the index lists only the new data, no banner
    moved = claim_reports_folder(reports, "b" * 64, synthetic=False)
    assert sorted(p.name for p in moved) == ["hai-phong", "quang-ninh"]
    assert (reports / OTHER_DATA / ("a" * 12) / "hai-phong" / "manifest.json").exists()
    _fake_run(reports, "ha-noi", "b" * 64)
    write_index(reports, "vi", {"synthetic": "no", "rows_read": 1, "accepted": 1, "quarantined": 0, "duplicates": 0})
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert "Ha-Noi" in index and "Hai-Phong" not in index and "Quang-Ninh" not in index
    assert "b" * 64 in index and "MÔ PHỎNG" not in index and OTHER_DATA in index


def test_manifests_are_written_atomically_and_under_the_folder_s_lock(tmp_path, monkeypatch):
    """A write that fails half-way (disk full) leaves the old manifest whole, where writing in place left half
    of one; a writer waits for whoever holds the folder's manifest lock (another run claiming the folder)."""
    import threading
    import time
    from pathlib import Path

    from iso18091lab.run.folders import claim_reports_folder
    from iso18091lab.run.manifest import MANIFEST_LOCK, write_manifest
    from iso18091lab.storage import locked

    folder = tmp_path / "reports" / "hai-phong"
    old = {"province": "Hải Phòng", "scope": "province", "input_hash": "a" * 64, "data_hash": "d" * 64}
    write_manifest(folder, old)
    path = folder / "manifest.json"
    assert json.loads(path.read_text(encoding="utf-8")) == old
    real_write_text = Path.write_text

    def half_then_full_disk(self, text, *args, **kwargs):
        real_write_text(self, text[: len(text) // 2], *args, **kwargs)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", half_then_full_disk)
    with pytest.raises(OSError):  # the province's rows are unchanged: claiming rewrites its input hash
        claim_reports_folder(tmp_path / "reports", "b" * 64, synthetic=False, province_hashes={"Hải Phòng": "d" * 64})
    with pytest.raises(OSError):
        write_manifest(folder, {**old, "status": "ok"})
    monkeypatch.undo()
    assert json.loads(path.read_text(encoding="utf-8")) == old
    assert sorted(p.name for p in folder.iterdir()) == sorted(["manifest.json", MANIFEST_LOCK])  # no temp file left
    claim_reports_folder(tmp_path / "reports", "b" * 64, synthetic=False, province_hashes={"Hải Phòng": "d" * 64})
    assert json.loads(path.read_text(encoding="utf-8"))["input_hash"] == "b" * 64
    with locked(folder / MANIFEST_LOCK):
        writer = threading.Thread(target=write_manifest, args=(folder, {**old, "status": "ok"}))
        writer.start()
        time.sleep(0.3)
        assert writer.is_alive() and "status" not in json.loads(path.read_text(encoding="utf-8"))
    writer.join(10)
    assert json.loads(path.read_text(encoding="utf-8"))["status"] == "ok"
