"""The result of an effect estimate: :class:`EffectResult` (estimate, CI, p-value, method token, bodies)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class EffectResult:
    """An estimate with its uncertainty, the method, and the sample (bodies)."""

    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    method: str  # the method's key and values (:func:`iso18091lab.stats.method_token`), worded by i18n
    n_pilot: int
    n_comparison: int
    se: float = float("nan")
    effect_size: float = float("nan")  # estimate / SD of the outcome among bodies in their first wave
    confidence: float = 0.95
    inference: str = ""  # "bjs" or "randomization" for the headline estimator (which procedure gave CI and p)
    p_min: float = float("nan")  # smallest p the design allows (randomization inference)
    n_assignments: float = float("nan")  # distinct assignments re-assigning pilot status within strata
    details: dict = field(default_factory=dict, repr=False)
