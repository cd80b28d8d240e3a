"""What the runner's warm kernels run before a report: code kept here, not in strings, and called from one line.

A worker keeps one kernel for all its reports (:mod:`iso18091lab.run.kernels`); each new kernel first imports what
the reports use (:func:`warm_up`, while the data is ingested), and each report starts with a hidden cell that
gives it a fresh namespace (:func:`reset_namespace`).
"""
from __future__ import annotations

#: The modules every report imports.
REPORT_MODULES = ("matplotlib.pyplot", "iso18091lab.render.figures", "iso18091lab.render.notebook", "iso18091lab.stats.descriptive",
                  "iso18091lab.stats.did.table", "iso18091lab.stats.did.event_study", "iso18091lab.stats.did.pre_post",
                  "iso18091lab.stats.review.table", "iso18091lab.stats.agreement", "iso18091lab.stats.synthesis")


def warm_up() -> None:
    """Import the report modules, so the first report does not wait for them."""
    import importlib

    for name in REPORT_MODULES:
        importlib.import_module(name)


def reset_namespace(shell) -> None:
    """Give the next report a fresh namespace: close every figure, forget output history, and delete every
    user name (not IPython's hidden ones nor dunders such as ``__name__`` and ``__builtins__``), without
    ``%reset``'s two full garbage collections."""
    import matplotlib.pyplot as plt

    plt.close("all")
    shell.displayhook._ = shell.displayhook.__ = shell.displayhook.___ = ""
    shell.user_ns["_oh"].clear()
    for name in [n for n in shell.user_ns if n not in shell.user_ns_hidden
                 and not (n.startswith("__") and n.endswith("__"))]:
        del shell.user_ns[name]
