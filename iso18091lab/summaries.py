"""What a report folder concluded, read from its ``results.json`` — the one place that knows where each
conclusion is recorded, so the Word pack, the index and the CLI never re-derive it differently."""
from __future__ import annotations

from .stats.verdict import Verdict, effect_verdict


def effect_verdict_of(results: dict) -> Verdict:
    """The verdict on "did the pilot work?" of a report folder's results: the national pooled effect when there
    is one, else the province's primary row — as the notebook recorded it (``verdict``), else by the same rule
    from the recorded numbers (results written before verdicts were recorded)."""
    national = results.get("40_national", {}).get("values", {})
    if national.get("pooled"):
        p = national["pooled"]
        if national.get("verdict"):
            return Verdict.from_dict(national["verdict"])
        return effect_verdict(p["estimate"], p["ci_low"], p["ci_high"])
    values = results.get("30_effectiveness", {}).get("values", {})
    if values.get("verdict"):
        return Verdict.from_dict(values["verdict"])
    primary = values.get("primary") or {}
    return effect_verdict(primary.get("estimate", float("nan")), primary.get("ci_low", float("nan")),
                          primary.get("ci_high", float("nan")), primary.get("p_value", float("nan")),
                          primary.get("p_min", float("nan")))
