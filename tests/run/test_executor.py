"""One executor interface for simulations: same seed, same results, in this process, in local processes and on a
Dask LocalCluster."""
from __future__ import annotations

import numpy as np
import pytest

from iso18091lab.run.executor import map_tasks, task_seeds


def draw(task: int, seed: int) -> tuple[int, float, int]:
    """A task whose result depends on its own seed: the mean of 1000 normal draws, and its seed."""
    rng = np.random.default_rng(seed)
    return task, float(rng.normal(size=1000).mean()), seed


def test_task_seeds_are_reproducible_and_distinct():
    assert task_seeds(7, 5) == task_seeds(7, 5)
    assert len(set(task_seeds(7, 50))) == 50
    assert task_seeds(7, 5) != task_seeds(8, 5)
    assert task_seeds(7, 3) == task_seeds(7, 5)[:3]  # a longer study extends a shorter one


def test_local_processes_give_the_in_process_results():
    serial = map_tasks(draw, range(8), seed=11, n_jobs=1)
    assert [r[0] for r in serial] == list(range(8))  # results in task order
    assert map_tasks(draw, range(8), seed=11, n_jobs=2) == serial
    assert map_tasks(draw, range(8), seed=12, n_jobs=1) != serial


@pytest.mark.parametrize("lang, label, unit", [("vi", "Mô phỏng", "lần"), ("en", "Simulating", "run")])
def test_the_progress_bar_speaks_the_language_asked_for(capsys, lang, label, unit):
    assert len(map_tasks(draw, range(3), seed=1, n_jobs=1, progress=True, lang=lang)) == 3
    err = capsys.readouterr().err
    assert f"{label}: 100%" in err and f"3/3 [" in err and f"{unit}/s]" in err, err


def test_a_dask_local_cluster_gives_the_same_results():
    distributed = pytest.importorskip("distributed")
    serial = map_tasks(draw, range(6), seed=3, n_jobs=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            assert map_tasks(draw, range(6), seed=3, scheduler=client) == serial
        assert map_tasks(draw, range(6), seed=3, scheduler=cluster.scheduler_address) == serial
