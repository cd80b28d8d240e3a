"""The verdict on "did the pilot work?" of a report folder, read from its typed summaries — the one place that
knows where each conclusion is kept, so the Word pack, the index and the CLI never re-derive it differently."""
from __future__ import annotations

from pathlib import Path

from iso18091lab.stats.verdict import Verdict, bodies_to_answer, effect_verdict
from iso18091lab.summaries import effectiveness, national  # noqa: F401  (registers their summary classes)
from iso18091lab.summaries.base import has_summary, load_summary


def effect_summary(folder: str | Path):
    """The summary that answers "did the pilot work?" in a report folder: the national one
    (:class:`~iso18091lab.summaries.national.NationalSummary`) when there is one, else the province's
    (:class:`~iso18091lab.summaries.effectiveness.EffectivenessSummary`), else ``None``."""
    for report in ("40_national", "30_effectiveness"):
        if has_summary(folder, report):
            return load_summary(folder, report)
    return None


def effect_verdict_of(summary) -> Verdict:
    """The verdict of an effectiveness or national summary (``None``: not estimated)."""
    if summary is None or summary.verdict is None:
        return effect_verdict(float("nan"), float("nan"), float("nan"))
    return summary.verdict


def answer_values(verdict: Verdict | dict, record: dict) -> dict:
    """The numbers the sentence answering "did the pilot work?" for a province needs (no words), from its verdict
    (:func:`iso18091lab.stats.verdict.effect_verdict`) and the primary effectiveness row it was made from
    (estimate, ci_low, ci_high, p_value, p_min, n_assignments, n_pilot, n_comparison, inference): the verdict's
    values, the design's bodies and the smallest design that could answer
    (:func:`~iso18091lab.stats.verdict.bodies_to_answer`)."""
    verdict = Verdict.from_dict(verdict) if isinstance(verdict, dict) else verdict
    n_pilot, n_comparison = int(record.get("n_pilot") or 0), int(record.get("n_comparison") or 0)
    n_assign = record.get("n_assignments")
    n_assign = float(n_assign) if isinstance(n_assign, (int, float)) else None
    needed = bodies_to_answer(n_pilot, n_comparison, n_assignments=n_assign)
    return {"reason": verdict.reason, "values": dict(verdict.values or {}), "n_pilot": n_pilot,
            "n_comparison": n_comparison, "n_assignments": n_assign, "inference": record.get("inference"),
            "n_needed_pilot": needed[0], "n_needed_comparison": needed[1]}
