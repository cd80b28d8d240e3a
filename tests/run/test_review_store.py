"""The run layer around the indicator review: a province's review kept once per run (report 20), under a hash of
what it reads."""
from __future__ import annotations

import sys
import threading
from pathlib import Path

import pandas as pd
import pytest

from iso18091lab.run import review_store
from iso18091lab.intake.store import processed_hash
from iso18091lab.stats import NotEstimable
from iso18091lab.stats.review import table as review_table

from iso18091lab.catalog import load_catalog

sys.path.insert(0, str(Path(__file__).parents[1] / "stats"))
from planted_designs import planted_assessments  # noqa: E402

CATALOG = load_catalog()


@pytest.mark.parametrize("call", [lambda: review_store.cache_folder(None), lambda: processed_hash(None)])
def test_bad_folders_raise_valueerror(call):
    with pytest.raises(ValueError):
        call()


def _count_member_agreement(monkeypatch) -> list:
    """Count the indicator reviews actually computed (each computes members' agreement once)."""
    calls = []
    original = review_table.member_agreement  # the name the review table calls
    monkeypatch.setattr(review_table, "member_agreement", lambda *a, **k: calls.append(1) or original(*a, **k))
    return calls


def test_a_cached_review_is_the_review_and_is_computed_once(tmp_path, monkeypatch):
    a = planted_assessments(n_bodies=12, members=3, seed=5)
    plain = review_table.review_indicators(a, CATALOG, n_resamples=60, seed=2)
    calls = _count_member_agreement(monkeypatch)
    results = []
    threads = [threading.Thread(target=lambda: results.append(
        review_store.cached_review(a, CATALOG, n_resamples=60, seed=2, cache=tmp_path))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and len(results) == 3  # the other two waited on the entry's lock and read it
    for result in results:
        pd.testing.assert_frame_equal(result.table, plain.table)
        assert result.method == plain.method and result.not_estimable == plain.not_estimable == []
    # any change of rows, resamples or seed is another entry; no seed (fresh resamples) is never cached
    changed = a.assign(score_100=a["score_100"].where(a.index != a.index[0], 0.0))
    review_store.cached_review(changed, CATALOG, n_resamples=60, seed=2, cache=tmp_path)
    review_store.cached_review(a, CATALOG, n_resamples=61, seed=2, cache=tmp_path)
    review_store.cached_review(a, CATALOG, n_resamples=60, seed=3, cache=tmp_path)
    review_store.cached_review(a, CATALOG, n_resamples=60, seed=None, cache=tmp_path)
    review_store.cached_review(a, CATALOG, n_resamples=60, seed=None, cache=tmp_path)
    assert len(calls) == 6 and len(list(tmp_path.glob("review_*.pkl"))) == 4


def test_a_cached_review_keeps_what_could_not_be_estimated(tmp_path):
    no_members = planted_assessments(n_bodies=10, members=0, seed=1)
    first = review_store.cached_review(no_members, CATALOG, n_resamples=50, seed=1, cache=tmp_path)
    again = review_store.cached_review(no_members, CATALOG, n_resamples=50, seed=1, cache=tmp_path)
    (part, why), = again.not_estimable
    assert part == "members" and isinstance(why, NotEstimable)
    assert why.reason == first.not_estimable[0][1].reason and why.values == first.not_estimable[0][1].values


def test_an_unreadable_cache_entry_is_computed_again(tmp_path):
    a = planted_assessments(n_bodies=8, seed=6)
    first = review_store.cached_review(a, CATALOG, n_resamples=40, seed=1, cache=tmp_path)
    (entry,) = tmp_path.glob("review_*.pkl")
    entry.write_bytes(b"cut short")
    again = review_store.cached_review(a, CATALOG, n_resamples=40, seed=1, cache=tmp_path)
    pd.testing.assert_frame_equal(again.table, first.table)
    pd.testing.assert_frame_equal(pd.read_pickle(entry).table, first.table)  # and the entry is written again

