"""Shared file helpers: atomic writes (with the Windows retry) and the keyed result cache."""
from __future__ import annotations

import os

import pandas as pd
import pytest

from iso18091lab import storage as files
from iso18091lab.run import cache


def test_write_atomic_retries_while_the_target_is_held_open(tmp_path, monkeypatch):
    target = tmp_path / "results.json"
    target.write_text("old", encoding="utf-8")
    real, refusals = os.replace, []

    def refuse_twice(source, destination):  # what Windows does while another process reads the file
        if len(refusals) < 2:
            refusals.append(destination)
            raise PermissionError("the file is open in another process")
        real(source, destination)

    monkeypatch.setattr(files.os, "replace", refuse_twice)
    monkeypatch.setattr(files.time, "sleep", lambda seconds: None)
    files.write_atomic(target, lambda tmp: tmp.write_text("new", encoding="utf-8"))
    assert target.read_text(encoding="utf-8") == "new" and len(refusals) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]  # no temporary file left


def test_a_failed_write_leaves_the_old_file_whole(tmp_path):
    target = tmp_path / "table.csv"
    target.write_text("a,b\n1,2\n", encoding="utf-8")

    def half_then_fail(tmp):
        tmp.write_text("a,b\n", encoding="utf-8")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        files.write_atomic(target, half_then_fail)
    assert target.read_text(encoding="utf-8") == "a,b\n1,2\n" and len(list(tmp_path.iterdir())) == 1


def test_the_cache_key_follows_rows_order_columns_and_values():
    frame = pd.DataFrame({"body_id": ["A", "B"], "score_100": [50.0, 70.0]})
    key = cache.cache_key([frame, 10, 3])
    assert key == cache.cache_key([frame.copy(), 10, 3])
    assert key != cache.cache_key([frame.iloc[::-1], 10, 3])  # another order: other resamples
    assert key != cache.cache_key([frame.rename(columns={"score_100": "score"}), 10, 3])
    assert key != cache.cache_key([frame.assign(score_100=[50.0, 70.5]), 10, 3])
    assert key != cache.cache_key([frame, 10, 4])
