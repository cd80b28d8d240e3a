"""Verdicts: one rule per question that turns a result into the answer a report states, with its reason.

A verdict is what a Department reads first ("Có" / "Không" / "Chưa rõ"). It is decided here, once, from the
numbers printed beside it, so the answer can never contradict them: never "yes" when the printed p ≥ alpha or
the printed interval contains 0. Notebooks, the Word pack, the index and ``results.json`` all take it from here;
rendering only words it (``text.csv`` keys ``verdict_<answer>`` and ``verdict_reason_<reason>``).

* :func:`effect_verdict` — did the pilot work? (ATT with its CI and p, or a pooled national effect).

Every verdict carries ``answer`` ("yes", "no", "unclear"), a ``reason`` key and the ``values`` its sentence
needs (all plain numbers, so it serialises to JSON as it is).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

#: The smallest change of the overall score (points on 0–100) that matters for a roll-out decision: the effect a
#: national evaluation should be able to detect, and the margin below which a precise estimate counts as "no".
MIN_EFFECT = 3.0
#: Significance level of every verdict.
ALPHA = 0.05

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
