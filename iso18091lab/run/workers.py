"""The worker threads of a run, each with its own warm kernel (:class:`~iso18091lab.run.kernels.WarmKernel`), and
how many run at once by default.
"""
from __future__ import annotations

import os
import threading
from queue import Queue

from iso18091lab.run.kernels import WarmKernel, _warm_up


def default_workers() -> int:
    """Notebooks run at once by default: one per core, at most four."""
    return max(1, min(4, os.cpu_count() or 1))


class _Workers:
    """``count`` worker threads, each with its own warm kernel, started before the tasks are known: with
    ``warm=True`` each starts its kernel and imports the package in it at once (while the main thread ingests).
    :meth:`run` gives them the tasks; :meth:`close` stops them and their kernels (also after an error);
    :meth:`cancel` (Ctrl-C) drops the tasks not started yet. An exception in one task is raised by :meth:`run`
    once the other tasks are done (one province's failure does not stop the others)."""

    _STOP = object()

    def __init__(self, count: int, env: dict[str, str], warm: bool = False):
        self.queue: Queue = Queue()
        self.results: list = []
        self.errors: list[BaseException] = []
        self.cancelled = threading.Event()
        self.threads = [threading.Thread(target=self._worker, args=(WarmKernel(env), warm), daemon=True,
                                         name=f"iso18091lab-worker-{i}") for i in range(max(1, count))]
        for thread in self.threads:
            thread.start()

    def _worker(self, kernel: WarmKernel, warm: bool) -> None:
        try:
            if warm and not self.cancelled.is_set():
                _warm_up(kernel)
            while True:
                item = self.queue.get()
                if item is self._STOP:
                    return
                if self.cancelled.is_set():
                    continue
                work, task = item
                try:
                    self.results.append(work(task, kernel))
                except Exception as exc:  # noqa: BLE001 - raised again in the calling thread, after the others
                    self.errors.append(exc)
        except BaseException as exc:  # noqa: BLE001 - raised again in the calling thread
            self.errors.append(exc)
            self.cancelled.set()
        finally:
            kernel.close()

    def run(self, tasks: list, work) -> list:
        """``work(task, kernel)`` for every task, in order, then stop; the results (in completion order)."""
        for task in tasks:
            self.queue.put((work, task))
        self.close()
        if self.errors:
            raise self.errors[0]
        return self.results

    def cancel(self) -> None:
        """Drop every task not started yet (the running notebooks end, then the kernels are shut down)."""
        self.cancelled.set()

    def close(self) -> None:
        for _ in self.threads:
            self.queue.put(self._STOP)
        for thread in self.threads:
            thread.join()
