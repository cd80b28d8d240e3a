"""What a report folder concluded, read from its ``results.json`` — the one place that knows where each
conclusion is recorded, so the Word pack, the index and the CLI never re-derive it differently."""
from __future__ import annotations

from iso18091lab.i18n import TEXT, number, p_text, t
from iso18091lab.stats.verdict import Verdict, bodies_to_answer, effect_verdict


def effect_verdict_of(results: dict) -> Verdict:
    """The verdict on "did the pilot work?" of a report folder's results: the national one when the folder is
    the national report (with or without a pooled effect: :func:`stats.verdict.national_effect_verdict`), else
    the province's primary row — as the notebook recorded it (``verdict``), else by the same rule from the
    recorded numbers (results written before verdicts were recorded)."""
    national = results.get("40_national", {}).get("values", {})
    if national.get("verdict"):  # stats.verdict.national_effect_verdict, with or without a pooled effect
        return Verdict.from_dict(national["verdict"])
    if national.get("pooled"):
        p = national["pooled"]
        return effect_verdict(p["estimate"], p["ci_low"], p["ci_high"])
    values = results.get("30_effectiveness", {}).get("values", {})
    if values.get("verdict"):
        return Verdict.from_dict(values["verdict"])
    primary = values.get("primary") or {}
    return effect_verdict(primary.get("estimate", float("nan")), primary.get("ci_low", float("nan")),
                          primary.get("ci_high", float("nan")), primary.get("p_value", float("nan")),
                          primary.get("p_min", float("nan")))


def effect_answer(verdict: dict, record: dict, lang: str = "vi") -> str:
    """The sentence that answers "did the pilot work?" for a province, from its verdict
    (:func:`iso18091lab.stats.verdict.effect_verdict`, as a dict) and the primary effectiveness row it was made
    from (estimate, ci_low, ci_high, p_value, p_min, n_assignments, n_pilot, n_comparison, inference)."""
    reason = verdict["reason"]
    values = verdict.get("values") or {}
    n_pilot, n_comparison = int(record.get("n_pilot") or 0), int(record.get("n_comparison") or 0)
    n_assign = record.get("n_assignments")
    needed = bodies_to_answer(n_pilot, n_comparison,
                              n_assignments=n_assign if isinstance(n_assign, (int, float)) else None)
    how = t(f"inference_{record.get('inference')}", lang) if f"inference_{record.get('inference')}" in TEXT else ""
    fields = {"estimate": number(values.get("estimate", float("nan")), lang),
              "low": number(values.get("ci_low", float("nan")), lang),
              "high": number(values.get("ci_high", float("nan")), lang),
              "p": p_text(values.get("p_value", float("nan")), lang),
              "p_min": number(values.get("p_min", float("nan")), lang, 3).rstrip("0").rstrip(",."),
              "min_effect": number(values.get("min_effect", float("nan")), lang, 0),
              "n_pilot": n_pilot, "n_comparison": n_comparison, "how": how,
              "n_assignments": number(float(n_assign), lang, 0) if n_assign == n_assign and n_assign else "–",
              "n_needed_pilot": needed[0], "n_needed_comparison": needed[1]}
    return t(f"ev_effect_{reason}", lang, **fields)


def left_out_sentence(items: list[dict], lang: str = "vi") -> str:
    """The sentence that names the provinces the national pooling left out, and why (``text.csv``:
    ``nat_left_out`` and ``nat_left_out_<reason>``), from the rows of
    :func:`iso18091lab.stats.synthesis.left_out` as notebook 40 records them (``province``, ``reason``,
    ``detail``: the NotEstimable key of a province that could not be estimated, ``values``). '' when none."""
    parts = []
    for item in items:
        reason = item["reason"]
        why = ""
        if reason == "not_estimable":
            detail = f"ne_{item.get('detail') or ''}"
            try:
                why = t(detail, lang, **(item.get("values") or {}))
            except KeyError:  # an unknown reason, or its values were not recorded
                why = t("ev_no_reason", lang)
        parts.append(t(f"nat_left_out_{reason}", lang, province=item["province"], why=why))
    return t("nat_left_out", lang, list="; ".join(parts)) if parts else ""
