"""Errors planted on purpose in the rendered rows of a written sheet, each recorded in the planted truth."""
from __future__ import annotations

import numpy as np
import pandas as pd

#: Errors planted on purpose, one of each per province (``unknown_unit`` only when a units table exists).
PLANTED_RULES = ("score_out_of_range", "unknown_indicator", "unknown_unit", "bad_rater", "bad_score",
                 "conflicting_duplicate")


def _plant_errors(rendered: list[dict], rows: pd.DataFrame, rng: np.random.Generator,
                  rules: tuple[str, ...]) -> list[dict]:
    """Spoil a few rows on purpose, one per rule, and add exact duplicate rows; returns the new list."""
    out = list(rendered)
    chosen = rng.choice(len(out), size=min(len(rules), len(out)), replace=False)
    for rule, index in zip(rules, chosen):
        item = out[index]
        cells = item["cells"]
        if rule == "score_out_of_range":
            cells["score"], cells["rating"] = 12.5, ""
        elif rule == "unknown_indicator":
            cells["indicator"] = "5.1"
        elif rule == "unknown_unit":
            cells["unit"], cells["code"] = "UBND phường Không Có Thật", ""
        elif rule == "bad_rater":
            cells["rater"] = "khách mời"
        elif rule == "bad_score":
            cells["score"], cells["rating"] = "tám", ""
        elif rule == "conflicting_duplicate":
            twin = {"cells": dict(cells), "truth": item["truth"], "planted": rule}
            twin["cells"]["score"], twin["cells"]["rating"] = _other_value(rows.iloc[item["truth"]])
            out.insert(int(index) + 1 + int(rng.integers(0, 20)), twin)
        item["planted"] = rule
    free = [k for k, item in enumerate(out) if item["planted"] is None]
    for index in sorted(rng.choice(free, size=min(3, len(free)), replace=False), reverse=True):
        out.insert(int(index) + 1, {"cells": dict(out[index]["cells"]), "truth": out[index]["truth"],
                                    "planted": "exact_duplicate"})  # kept once, counted as a duplicate
    return out


def _other_value(truth: pd.Series) -> tuple[object, str]:
    if truth["score"] == truth["score"]:
        return (truth["score"] + 1.0 if truth["score"] <= 8 else truth["score"] - 1.0), ""
    return "", {"red": "Xanh", "yellow": "Đỏ", "green": "Vàng"}.get(truth["rating"], "Xanh")
