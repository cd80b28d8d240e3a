"""The one place that limits BLAS/OpenMP threads.

Several report kernels or simulation workers on one machine each running a multi-threaded BLAS oversubscribe
the cores (4 kernels doing ``lstsq`` in a loop: 38 s with default threads, 9.7 s with one each; engineering
notes), and small dense algebra loses more to thread start-up than it gains. This module imports nothing of the
package, so the statistics, the runner and the executor can all use it.
"""
from __future__ import annotations

import os
from functools import lru_cache

#: Environment variables the BLAS and OpenMP libraries read at start-up.
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
                    "NUMEXPR_NUM_THREADS")


def child_environment(processes: int, base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for child processes (report kernels) of which ``processes`` run at once: one BLAS/OpenMP
    thread each when several run (the user's own settings win)."""
    env = dict(os.environ if base is None else base)
    if processes > 1:
        for name in THREAD_VARIABLES:
            env.setdefault(name, "1")
    return env


def limit_this_process() -> None:
    """One BLAS/OpenMP thread in this (worker) process from now on: the libraries already loaded through
    threadpoolctl, and the variables for anything loaded later."""
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        pass
    for name in THREAD_VARIABLES:
        os.environ[name] = "1"


@lru_cache(maxsize=1)
def _controller():
    """The thread-pool controller (slow to build: it scans the loaded libraries), made once, at first use, when
    numpy's and scipy's BLAS are loaded."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def one_blas_thread():
    """A context in which BLAS uses one thread (small dense algebra, e.g. each REML fit)."""
    return _controller().limit(limits=1)
