"""Warm kernels: one kernel per worker thread kept across the notebooks it runs (papermill with our own engine
and a kernel manager we own), the hidden cells that import the package in a new kernel and give each report a
fresh namespace (the code they call is :mod:`iso18091lab.run.kernel_setup`), and running one notebook on one.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from iso18091lab.threads import child_environment


KERNEL_NAME = "python3"


def skip_slow_iri_format_checker() -> None:
    """Keep jsonschema from importing ``rfc3987_syntax`` in this process (when jsonschema is not loaded yet).

    papermill and nbformat import jsonschema, whose ``_format`` module imports ``rfc3987_syntax`` if it is
    installed (jupyterlab brings it, through jupyter-events' ``jsonschema[format-nongpl]``); that import builds a
    Lark grammar and takes ~1.6 s of CPU on every run (jsonschema issue #1428). It only serves the "iri" format
    checks, which notebook validation never uses. Marking the module absent makes jsonschema skip those two
    checkers in the runner's process; kernels and other processes are unaffected."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


def kernel_manager_class():
    """The kernel manager for report runs: it gives each kernel CurveZMQ keys (so its messages are encrypted
    and ipykernel has nothing to warn about), or — where pyzmq lacks CURVE — IPC transport on POSIX. A run then
    prints its progress bar and one line per report, not one transport warning per kernel."""
    import zmq
    from jupyter_client.manager import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        def write_connection_file(self, **kwargs):
            if self.curve_secretkey is None and zmq.has("curve"):
                self.curve_publickey, self.curve_secretkey = zmq.curve_keypair()
            elif self.curve_secretkey is None and os.name == "posix" and self.transport == "tcp":
                self.transport = "ipc"
                self.ip = str(Path(self.connection_file).with_suffix("")) + "-ipc"
            return super().write_connection_file(**kwargs)

    return QuietKernelManager


def thread_environment(workers: int) -> dict[str, str]:
    """Environment for report kernels: one BLAS/OpenMP thread each when several kernels run at once (the
    user's own settings win; :func:`iso18091lab.threads.child_environment`)."""
    return child_environment(workers)


#: The hidden first cell of every report on a warm kernel: a call, the code is :mod:`iso18091lab.run.kernel_setup`.
RESET_SOURCE = ("# iso18091lab: a fresh namespace for this report (the kernel is kept warm between reports)\n"
                "__import__('iso18091lab.run.kernel_setup', fromlist=['reset_namespace']).reset_namespace(get_ipython())")


class WarmKernel:
    """One kernel kept across the notebooks that one worker thread runs; created on first use, replaced after
    a failure, shut down by :meth:`close` (from the same thread: its event loop is that thread's)."""

    def __init__(self, env: dict[str, str]):
        self.env, self.manager = env, None

    def get(self):
        from jupyter_core.utils import run_sync

        if self.manager is None:
            manager = kernel_manager_class()(kernel_name=KERNEL_NAME)
            run_sync(manager.start_kernel)(env=self.env)
            self.manager = manager
        return self.manager

    def close(self) -> None:
        from jupyter_core.utils import run_sync

        if self.manager is not None:
            try:
                run_sync(self.manager.shutdown_kernel)(now=True)
            except Exception:  # noqa: BLE001 - already dead
                pass
            self.manager = None


def _warm_engine() -> str:
    """Register (once) the papermill engine that runs a notebook on a kernel it is given and leaves it running."""
    from papermill.engines import NBClientEngine, papermill_engines

    class WarmKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                     start_timeout=60, execution_timeout=None, km=None, **kwargs):
            from papermill.clientwrap import PapermillNotebookClient
            from papermill.log import logger

            client = PapermillNotebookClient(nb_man, km=km, kernel_name=kernel_name, timeout=execution_timeout,
                                             startup_timeout=start_timeout, log=logger, log_output=log_output,
                                             stdout_file=stdout_file, stderr_file=stderr_file)
            try:
                return client.execute()
            finally:
                if client.kc is not None:  # the channels of this notebook's client; the kernel stays
                    client.kc.stop_channels()

    papermill_engines.register("iso18091lab-warm", WarmKernelEngine)
    return "iso18091lab-warm"


def _with_reset_cell(notebook: Path):
    import nbformat

    node = nbformat.read(notebook, as_version=4)
    cell = nbformat.v4.new_code_cell(RESET_SOURCE, metadata={"tags": ["remove_cell", "iso18091lab-reset"]})
    node.cells.insert(0, cell)
    return node


def _execute(notebook: Path, executed: Path, parameters: dict, kernel: WarmKernel, keep: bool = True) -> None:
    """Run one notebook with papermill on the worker's kernel; ``keep=False`` shuts it down afterwards (the next
    notebook gets a fresh kernel). A failure always replaces the kernel, whatever state it left."""
    import papermill

    try:
        papermill.execute_notebook(_with_reset_cell(notebook), str(executed), parameters=parameters,
                                   kernel_name=KERNEL_NAME, progress_bar=False, log_output=False,
                                   request_save_on_cell_execute=False, engine_name=_warm_engine(),
                                   km=kernel.get())
    except BaseException:
        kernel.close()
        raise
    if not keep:
        kernel.close()


#: The one cell a new kernel runs while the data is ingested: a call, the code is :mod:`iso18091lab.run.kernel_setup`.
WARM_UP_SOURCE = ("# iso18091lab: import what the reports use while the data is ingested\n"
                  "__import__('iso18091lab.run.kernel_setup', fromlist=['warm_up']).warm_up()")


def _warm_up(kernel: WarmKernel) -> None:
    """Start ``kernel`` and import the package's report modules in it (a hidden notebook of one cell)."""
    import nbformat
    import papermill

    node = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(WARM_UP_SOURCE)])
    node.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python 3", "language": "python"}
    try:
        papermill.execute_notebook(node, None, kernel_name=KERNEL_NAME, progress_bar=False, log_output=False,
                                   engine_name=_warm_engine(), km=kernel.get())
    except Exception:  # noqa: BLE001 - only a head start: the first report starts a kernel if this one failed
        kernel.close()
