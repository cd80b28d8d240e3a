"""Verdicts: one rule per question that turns a result into the answer a report states, with its reason.

A verdict is what a Department reads first ("Có" / "Không" / "Chưa rõ"). It is decided here, once, from the
numbers printed beside it, so the answer can never contradict them: never "yes" when the printed p ≥ alpha or
the printed interval contains 0. Notebooks, the Word pack, the index and ``results.json`` all take it from here;
rendering only words it (``text.csv`` keys ``verdict_<answer>`` and ``verdict_reason_<reason>``).

* :func:`effect_verdict` — did the pilot work? (ATT with its CI and p, or a pooled national effect);
  :func:`national_effect_verdict` — nationally, including when no pooled effect can be given.
* :func:`consistency_verdict` — is one agreement measure (an ICC) shown above its threshold?
  :func:`indicator_verdicts` applies it to every indicator of a review table and :func:`indicator_set_verdict`
  to the set: "consistent" only when the intervals show it, flagged when they show the opposite, otherwise
  "not enough data to say", with the data that would answer (``render.reliability.consistency_sentences``
  words it).

Every verdict carries ``answer`` ("yes", "no", "unclear"), a ``reason`` key and the ``values`` its sentence
needs (all plain numbers, so it serialises to JSON as it is).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: the verdicts take plain numbers
    import pandas as pd

#: The smallest change of the overall score (points on 0–100) that matters for a roll-out decision: the effect a
#: national evaluation should be able to detect, and the margin below which a precise estimate counts as "no".
MIN_EFFECT = 3.0
#: Significance level of every verdict.
ALPHA = 0.05
#: Pilot bodies every start cohort needs before the BJS interval (and the clustered pre-trend test) is trusted;
#: below it the headline uses randomization inference (``stats.did.imputation``) and the pre-trend test is not read.
#: Calibrated in docs/methods.md (one pilot per cohort: BJS covers 43–54 %; six: 95 %).
MIN_PILOTS_PER_START = 6

ANSWERS = ("yes", "no", "unclear")


@dataclass(frozen=True)
class Verdict:
    """The answer to one question, why, and the numbers its sentence needs.

    ``answer``: "yes", "no" or "unclear". ``reason``: a key (``text.csv``: ``verdict_reason_<reason>``).
    ``values``: plain numbers and text for the sentence's placeholders."""

    answer: str
    reason: str
    values: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.answer not in ANSWERS:
            raise ValueError(f"answer must be one of {ANSWERS}, not {self.answer!r}")

    def to_dict(self) -> dict:
        """A JSON-ready dict (``answer``, ``reason``, ``values``)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Verdict":
        """The inverse of :meth:`to_dict`."""
        return cls(str(data["answer"]), str(data["reason"]), dict(data.get("values") or {}))


def _finite(x) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def effect_verdict(estimate, ci_low, ci_high, p_value=float("nan"), p_min=float("nan"), alpha: float = ALPHA,
                   min_effect: float = MIN_EFFECT) -> Verdict:
    """Did the pilot work? One rule for the headline effect (points on 0–100, pilot minus comparison).

    Parameters
    ----------
    estimate, ci_low, ci_high : float
        The effect and its (1 − alpha) confidence interval, from one inference procedure. An unbounded
        interval (``-inf`` / ``inf``) is allowed: randomization inference on a very small design gives one.
    p_value : float, optional
        The p-value of that same procedure (NaN when the procedure has none, e.g. a pooled meta-analysis
        interval; the interval alone then decides).
    p_min : float, optional
        The smallest p-value the design allows (randomization inference: 1 / number of distinct assignments).
        When it is not below ``alpha`` the design cannot answer, whatever the data.
    alpha : float
        Significance level (default 0.05, matching a 95 % interval).
    min_effect : float
        The smallest effect that matters (default :data:`MIN_EFFECT` points).

    Returns
    -------
    Verdict
        * ``unclear / not_estimated`` — no estimate;
        * ``unclear / design_too_small`` — ``p_min >= alpha``: no result of this design can be significant;
        * ``yes / improved`` — p < alpha (or no p) and the interval lies above 0 (``improved_small`` when it
          lies wholly below ``min_effect``: real but smaller than what matters);
        * ``no / worsened`` — p < alpha (or no p) and the interval lies below 0;
        * ``no / below_min_effect`` — the interval contains 0 but lies wholly below ``min_effect``: any
          improvement is smaller than what matters;
        * ``unclear / inconclusive`` — the interval contains 0 and values of ``min_effect`` or more;
        * ``unclear / inconsistent`` — p and interval disagree (they come from different procedures): the
          rule refuses to choose.

    Examples
    --------
    >>> effect_verdict(10.3, 0.6, 19.9, p_value=0.149).reason
    'inconsistent'
    >>> effect_verdict(4.5, 1.2, 7.8, p_value=0.01).answer
    'yes'
    >>> effect_verdict(10.3, float("-inf"), float("inf"), p_value=0.15, p_min=0.05).reason
    'design_too_small'
    >>> effect_verdict(0.4, -1.5, 2.2, p_value=0.6).answer
    'no'
    """
    if not 0 < alpha < 1:
        raise ValueError("alpha must be between 0 and 1")
    values = {"estimate": float(estimate) if _finite(estimate) else float("nan"),
              "ci_low": float(ci_low) if ci_low is not None else float("nan"),
              "ci_high": float(ci_high) if ci_high is not None else float("nan"),
              "p_value": float(p_value) if _finite(p_value) else float("nan"),
              "p_min": float(p_min) if _finite(p_min) else float("nan"),
              "alpha": float(alpha), "min_effect": float(min_effect)}
    if not _finite(estimate):
        return Verdict("unclear", "not_estimated", values)
    if _finite(p_min) and p_min >= alpha:
        return Verdict("unclear", "design_too_small", values)
    low, high = values["ci_low"], values["ci_high"]
    if math.isnan(low) or math.isnan(high):
        return Verdict("unclear", "not_estimated", values)
    has_p = _finite(p_value)
    significant = p_value < alpha if has_p else None
    excludes_zero = low > 0 or high < 0
    if has_p and significant != excludes_zero:
        return Verdict("unclear", "inconsistent", values)
    if excludes_zero:
        if low > 0:
            return Verdict("yes", "improved" if high >= min_effect else "improved_small", values)
        return Verdict("no", "worsened", values)
    if high < min_effect:
        return Verdict("no", "below_min_effect", values)
    return Verdict("unclear", "inconclusive", values)


def national_effect_verdict(estimate=float("nan"), ci_low=float("nan"), ci_high=float("nan"),
                            n_pooled: int = 0, n_cannot_answer: int = 0, n_provinces: int = 0,
                            alpha: float = ALPHA, min_effect: float = MIN_EFFECT) -> Verdict:
    """Did the pilot work, nationally? The pooled effect's verdict when there is one, else why there is none.

    Parameters
    ----------
    estimate, ci_low, ci_high : float
        The pooled effect and its interval (``stats.synthesis.national_effect``); NaN when nothing was pooled.
    n_pooled : int
        The provinces whose effect can be weighed (``stats.synthesis.poolable``); a pooled effect needs two.
    n_cannot_answer : int
        Provinces left out because their own inference cannot answer (an unbounded interval): the pooled
        interval must not be narrower than what its inputs support, so they never enter with another SE.
    n_provinces : int
        All provinces in the data (estimated or not), for the sentence.
    alpha, min_effect : float
        As :func:`effect_verdict`.

    Returns
    -------
    Verdict
        :func:`effect_verdict` of the pooled effect (no p: the interval decides); without one
        ``unclear / design_too_small`` when provinces were left out because their design cannot answer — never
        a number — else ``unclear / not_estimated``. ``values`` adds ``n_pooled``, ``n_cannot_answer`` and
        ``n_provinces``.

    Examples
    --------
    >>> national_effect_verdict(3.6, 1.0, 6.1, n_pooled=2).answer
    'yes'
    >>> national_effect_verdict(n_cannot_answer=2).reason
    'design_too_small'
    >>> national_effect_verdict().reason
    'not_estimated'
    """
    counts = {"n_pooled": int(n_pooled), "n_cannot_answer": int(n_cannot_answer), "n_provinces": int(n_provinces)}
    if _finite(estimate) and n_pooled >= 2:
        verdict = effect_verdict(estimate, ci_low, ci_high, alpha=alpha, min_effect=min_effect)
        return Verdict(verdict.answer, verdict.reason, {**verdict.values, **counts})
    values = {**effect_verdict(float("nan"), float("nan"), float("nan"), alpha=alpha, min_effect=min_effect).values,
              **counts}
    return Verdict("unclear", "design_too_small" if n_cannot_answer else "not_estimated", values)


def bodies_to_answer(n_pilot: int, n_comparison: int, alpha: float = ALPHA,
                     n_assignments: float | None = None) -> tuple[int, int]:
    """The smallest design, keeping at least the bodies there are, whose randomization test can reach
    p < ``alpha``: bodies are added to the smaller group until the assignments number at least 2 / alpha (the
    observed assignment and its mirror image can both be most extreme). ``n_assignments``: the assignments the
    design really has (levels and start cohorts allow fewer than C(pilots + comparisons, pilots)); the added
    bodies are taken to join the design's strata alike, so the count grows by the same factor as the binomial
    one. An indication, not a power calculation.

    Examples
    --------
    >>> bodies_to_answer(3, 3)
    (4, 4)
    >>> bodies_to_answer(1, 6)
    (3, 6)
    >>> bodies_to_answer(3, 5, n_assignments=12)  # one pilot per start: 12 assignments, not C(8, 3) = 56
    (5, 5)
    """
    p, c = max(int(n_pilot), 1), max(int(n_comparison), 1)
    base = math.comb(p + c, p)
    have = base if not n_assignments or not math.isfinite(n_assignments) else min(float(n_assignments), base)
    while have * math.comb(p + c, p) / base < 2 / alpha:
        if p <= c:
            p += 1
        else:
            c += 1
    return p, c


# --------------------------------------------------------------------------- can the indicators be scored consistently?

#: The agreement measures that answer "can this indicator be scored consistently?" (columns of
#: ``review.table.review_indicators``) and the flag rule whose threshold they are held to. Item-rest r,
#: alpha and floor/ceiling say whether an indicator fits its pillar: they can flag it, never show it consistent.
CONSISTENCY_MEASURES = {"member_icc": "members_disagree", "icc_c1": "self_council_inconsistent"}
#: The measures of an indicator review and their interval columns: a measure counts as measured only with both.
REVIEW_MEASURES = {"member_icc": ("member_icc_ci_low", "member_icc_ci_high"),
                   "icc_c1": ("icc_c1_ci_low", "icc_c1_ci_high"),
                   "item_rest_r": ("item_rest_ci_low", "item_rest_ci_high")}


def measured(review) -> "pd.Series":
    """Per row of a ``review_indicators`` table: whether any of its measures (:data:`REVIEW_MEASURES`) has an
    estimate *and* an interval. An estimate without an interval (an item-rest r of too few body-waves) says
    nothing a verdict can use, so it is not counted: such an indicator is "not enough data".

    Examples
    --------
    >>> import pandas as pd
    >>> measured(pd.DataFrame({"item_rest_r": [0.4, 0.4], "item_rest_ci_low": [float("nan"), 0.1],
    ...                        "item_rest_ci_high": [float("nan"), 0.6]})).tolist()
    [False, True]
    """
    import numpy as np
    import pandas as pd

    out = pd.Series(False, index=review.index)
    for measure, bounds in REVIEW_MEASURES.items():
        columns = [measure, *bounds]
        if set(columns) <= set(review.columns):
            values = review[columns].apply(pd.to_numeric, errors="coerce").to_numpy(float)
            out |= np.isfinite(values).all(axis=1)
    return out


def consistency_verdict(estimate, ci_low, ci_high, threshold: float, needed: dict | None = None) -> Verdict:
    """Is an agreement measure (an ICC and its CI) above ``threshold``? The interval decides, never the point.

    * ``yes / consistency_shown`` — the lower bound is above the threshold;
    * ``no / consistency_below`` — the upper bound is below it (the rule of ``FLAG_RULES``);
    * ``unclear / consistency_uncertain`` — the interval contains the threshold: not enough data to say;
      ``needed`` (e.g. ``{"subjects": 51}`` from :func:`stats.intraclass.icc_subjects_needed`) goes into
      ``values`` so the sentence can say what would answer;
    * ``unclear / consistency_not_measured`` — no estimate or no interval.

    >>> consistency_verdict(0.26, -0.5, 0.8, 0.5).reason
    'consistency_uncertain'
    >>> consistency_verdict(0.85, 0.62, 0.94, 0.5).answer
    'yes'
    """
    values = {"estimate": float(estimate) if _finite(estimate) else float("nan"),
              "ci_low": float(ci_low) if _finite(ci_low) else float("nan"),
              "ci_high": float(ci_high) if _finite(ci_high) else float("nan"), "threshold": float(threshold),
              **(needed or {})}
    if not (_finite(estimate) and _finite(ci_low) and _finite(ci_high)):
        return Verdict("unclear", "consistency_not_measured", values)
    if ci_low > threshold:
        return Verdict("yes", "consistency_shown", values)
    if ci_high < threshold:
        return Verdict("no", "consistency_below", values)
    return Verdict("unclear", "consistency_uncertain", values)


def _rules():
    from iso18091lab.stats.review.table import FLAG_RULES  # the thresholds live with the flag rules (imported late: no cycle)

    return FLAG_RULES


def indicator_verdicts(review) -> "pd.DataFrame":
    """One verdict per indicator of a ``review_indicators`` table: ``indicator, answer, reason, measured,
    subjects_needed``.

    * ``no / flagged`` — a flag rule fired (any of ``FLAG_RULES``);
    * ``yes / consistency_shown`` — not flagged, at least one agreement measure of :data:`CONSISTENCY_MEASURES`
      measured, and every measured one has its lower bound above its threshold;
    * ``unclear / consistency_uncertain`` — otherwise, when something was measured; ``subjects_needed`` is the
      number of body-waves whose self–council ICC(C,1) interval would clear 0.5 on one side if the true value
      were the one measured (:func:`stats.intraclass.icc_subjects_needed`), when that measure is the undecided one;
    * ``unclear / consistency_not_measured`` — no agreement measure and no flag.

    ``measured`` is True when any of the review's measures (agreement or item-rest r) has a value and its
    interval (:func:`measured`)."""
    import pandas as pd

    from iso18091lab.stats.intraclass import icc_subjects_needed

    rules = _rules()
    rows = []
    for row, has_interval in zip(review.to_dict("records"), measured(review)):
        needed = None
        if row.get("flag"):
            answer, reason = "no", "flagged"
        else:
            verdicts = {c: consistency_verdict(row.get(c), row.get(f"{c}_ci_low"), row.get(f"{c}_ci_high"),
                                               rules[rule][0]) for c, rule in CONSISTENCY_MEASURES.items()}
            shown = [v for v in verdicts.values() if v.reason != "consistency_not_measured"]
            if shown and all(v.answer == "yes" for v in shown):
                answer, reason = "yes", "consistency_shown"
            elif shown:
                answer, reason = "unclear", "consistency_uncertain"
                c1 = verdicts["icc_c1"]
                if c1.answer == "unclear" and c1.reason == "consistency_uncertain" and -1 < c1.values["estimate"] < 1:
                    needed = icc_subjects_needed(c1.values["estimate"], c1.values["threshold"], k=2)
            else:
                answer, reason = "unclear", "consistency_not_measured"
        rows.append({"indicator": row.get("indicator"), "answer": answer, "reason": reason, "measured": has_interval,
                     "subjects_needed": needed})
    return pd.DataFrame(rows, columns=["indicator", "answer", "reason", "measured", "subjects_needed"])


def indicator_set_verdict(review, raters=None) -> Verdict:
    """Can the indicator set be scored consistently? From the table of ``review_indicators`` (and, when council
    members' own scores exist, the :class:`~iso18091lab.stats.review.council_size.DStudy` of
    ``review.council_size.council_d_study``: its ``needed`` council size and ``n_bodies``).

    * ``unclear / consistency_not_measured`` — no indicator could be measured;
    * ``no / flagged`` — at least one indicator is flagged (values: which, and how many are shown consistent
      and how many undecided);
    * ``yes / consistency_shown`` — every measured indicator is shown consistent (lower bounds above the
      thresholds) and none is flagged;
    * ``unclear / consistency_uncertain`` — none flagged, but not every one shown: "not enough data to say".
      ``values`` carry the data that would answer: the range over the undecided indicators of the body-waves
      needed (self vs council, ICC(C,1)), the body-waves scored now, and the council size of the D study.

    A set where every interval is too wide to flag anything is therefore never called consistent.

    Parameters
    ----------
    review : DataFrame
        The ``table`` of :func:`~iso18091lab.stats.review.table.review_indicators`.
    raters : DStudy, optional
        The council's D study (:func:`~iso18091lab.stats.review.council_size.council_d_study`).

    Returns
    -------
    Verdict

    References
    ----------
    Koo, T. K. & Li, M. Y. (2016). A guideline of selecting and reporting intraclass correlation coefficients
    for reliability research. Journal of Chiropractic Medicine 15(2), 155-163.

    Examples
    --------
    >>> import pandas as pd
    >>> row = {"indicator": "1.1", "flag": False, "icc_c1": 0.9, "icc_c1_ci_low": 0.8, "icc_c1_ci_high": 0.95}
    >>> v = indicator_set_verdict(pd.DataFrame([row]))
    >>> v.answer, v.reason
    ('yes', 'consistency_shown')
    """
    table = indicator_verdicts(review)
    measured = table[table["measured"] | (table["answer"] != "unclear")]
    yes = measured[measured["answer"] == "yes"]
    no = measured[measured["answer"] == "no"]
    unclear = measured[measured["answer"] == "unclear"]
    needed = [int(n) for n in unclear["subjects_needed"] if n is not None and n == n]
    n_pairs = review["n_pairs"] if "n_pairs" in review else None
    values = {"n": int(len(measured)), "n_yes": int(len(yes)), "n_no": int(len(no)), "n_unclear": int(len(unclear)),
              "flagged": [str(i) for i in no["indicator"]], "unclear": [str(i) for i in unclear["indicator"]],
              "needed_low": min(needed) if needed else None, "needed_high": max(needed) if needed else None,
              "n_unmeasurable": int(len(unclear)) - len(needed),
              "subjects_now": int(n_pairs.max()) if n_pairs is not None and n_pairs.notna().any() else None,
              "n_bodies": int(review["n_bodies"].max()) if "n_bodies" in review and len(review) else 0}
    if raters is not None and raters.needed:
        values.update(members_needed=int(raters.needed[0.8]), member_bodies=int(raters.n_bodies))
    if len(measured) == 0:
        return Verdict("unclear", "consistency_not_measured", values)
    if len(no):
        return Verdict("no", "flagged", values)
    if len(unclear) == 0:
        return Verdict("yes", "consistency_shown", values)
    return Verdict("unclear", "consistency_uncertain", values)


def pretrend_verdict(p_value, n_placebo: int, smallest_cohort: int, alpha: float = ALPHA,
                     min_cohort: int | None = None) -> Verdict:
    """Did pilot and comparison bodies move alike before the pilot? The joint pre-trend test read honestly.

    * ``no / rejected`` — p < alpha: before the pilot, pilot bodies already moved differently;
    * ``unclear / not_rejected`` — p ≥ alpha: no difference found, which does not prove parallel trends;
    * ``unclear / unreliable`` — start cohorts smaller than ``min_cohort`` (default
      :data:`MIN_PILOTS_PER_START`): the test's clustered covariance over-rejects there
      (calibration: 64 % rejections without any drift at one pilot per cohort, 8 % at six), so neither answer is
      given;
    * ``unclear / not_tested`` — no placebo wave (a single wave before the pilot) or no p-value.

    Examples
    --------
    >>> pretrend_verdict(0.01, 3, 12).reason
    'rejected'
    >>> pretrend_verdict(0.01, 3, 1).reason
    'unreliable'
    """
    if min_cohort is None:
        min_cohort = MIN_PILOTS_PER_START
    values = {"p_value": float(p_value) if _finite(p_value) else float("nan"), "n_placebo": int(n_placebo or 0),
              "smallest_cohort": int(smallest_cohort or 0), "min_cohort": int(min_cohort)}
    if not n_placebo or not _finite(p_value):
        return Verdict("unclear", "not_tested", values)
    if smallest_cohort < min_cohort:
        return Verdict("unclear", "unreliable", values)
    if p_value < alpha:
        return Verdict("no", "rejected", values)
    return Verdict("unclear", "not_rejected", values)
