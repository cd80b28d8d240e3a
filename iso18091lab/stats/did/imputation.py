"""The headline: the imputation estimator of the ATT (Borusyak, Jaravel & Spiess 2024), its BJS standard
error, and the rule choosing BJS or randomization inference (:func:`imputation_att`)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from iso18091lab.stats import NotEstimable, method_part, method_token
from iso18091lab.stats.did.fixed_effects import _body_components, _fe_solve, _fit_masked
from iso18091lab.stats.did.panel import _Block, _prepare, start_cohort_sizes
from iso18091lab.stats.did.randomization import _n_assignments, randomization_inference
from iso18091lab.stats.did.result import EffectResult
from iso18091lab.stats.verdict import MIN_PILOTS_PER_START


@dataclass
class _Imputed:
    block: _Block
    treated: np.ndarray  # (B, T) treated and imputable
    not_imputable: np.ndarray  # (B, T) treated but not imputable
    tau: np.ndarray  # (B, T) effect where treated
    resid: np.ndarray  # (B, T) residual where untreated
    event: np.ndarray  # (B, T) wave index - start


def _impute(block: _Block) -> _Imputed:
    treated = block.treated
    m0 = block.obs & ~treated
    alpha, lam, body_ok, wave_ok, label = _fit_masked(block.y, m0)
    fitted = alpha[:, None] + lam[None, :]
    linked = _body_components(m0, label)[:, None] == label[None, :]
    ok = treated & body_ok[:, None] & wave_ok[None, :] & linked
    tau = np.where(ok, block.y - fitted, np.nan)
    resid = np.where(m0, block.y - fitted, np.nan)
    event = block.pos[None, :] - block.start[:, None]
    return _Imputed(block, ok, treated & ~ok, tau, resid, event)


def _bjs_se(fits: list[_Imputed], weights: list[np.ndarray], leave_one_out: bool) -> np.ndarray:
    """BJS (2024) Theorem 3 conservative SE, clustered by body, for K estimands at once.

    ``weights[j]``: (B, T, K) weights of block j's treated cells (each estimand's weights sum to 1 over all
    blocks). The estimator is linear in the outcomes: the untreated cells' weights are
    v0 = -X0 (X0'X0)^+ X1' w1. Treated residuals are tau minus its cohort x horizon mean (``leave_one_out``:
    rescaled by n_g / (n_g - 1), BJS Supplementary Appendix A.9)."""
    total = None
    for fit, w in zip(fits, weights):
        block = fit.block
        n_b = block.y.shape[0]
        m0 = block.obs & ~block.treated
        i0, t0 = np.nonzero(m0)
        i1, t1 = np.nonzero(fit.treated)
        w1 = w[i1, t1]  # (n1, K)
        # v0 = -X0 g with g solving X0'X0 g = X1'w1 (X0, X1: body + wave dummies), by the exact FE solver
        w_treated = np.where(fit.treated[..., None], w, 0.0)
        gb, gt, *_ = _fe_solve(m0, w_treated.sum(axis=1), w_treated.sum(axis=0))
        v0 = -(gb[i0] + gt[t0])
        tau = fit.tau[i1, t1]
        groups = pd.factorize(pd.Series(list(zip(block.start[i1], fit.event[i1, t1]))))[0]
        sizes = np.bincount(groups)
        means = np.bincount(groups, weights=tau) / sizes
        e1 = tau - means[groups]
        if leave_one_out:
            e1 = e1 * np.where(sizes[groups] > 1, sizes[groups] / np.maximum(sizes[groups] - 1, 1), 1.0)
        e0 = fit.resid[i0, t0]
        scores = np.zeros((n_b, w.shape[-1]))
        np.add.at(scores, i0, v0 * e0[:, None])
        np.add.at(scores, i1, w1 * e1[:, None])
        part = (scores ** 2).sum(axis=0)
        total = part if total is None else total + part
    return np.sqrt(total)


INFERENCES = ("auto", "bjs", "randomization")


def imputation_att(panel: pd.DataFrame, outcome: str = "score", confidence: float = 0.95,
                   n_permutations: int = 2000, seed: int | None = None, leave_one_out: bool = True,
                   df: str = "t", inference: str = "auto") -> EffectResult:
    """The headline: the average effect on pilot body-waves under the pilot (ATT), within province.

    Imputation estimator (Borusyak, Jaravel & Spiess 2024): body effects and province × wave effects are fitted
    on the untreated body-waves (comparison bodies, and pilot bodies before their own start); each treated
    body-wave's effect is its outcome minus the imputed untreated outcome; the ATT is their plain mean (each
    treated body-wave weighs the same).

    The CI and the p-value always come from **one** procedure, chosen by the design's size (``inference="auto"``)
    and named in ``inference``:

    * ``"bjs"`` — when every start cohort of every province has at least :data:`MIN_PILOTS_PER_START` pilot
      bodies: BJS Theorem 3 SE clustered by body (``leave_one_out``: their finite-sample refinement), CI and p
      with t on (bodies − 1) df (``df="t"``) or normal (``df="normal"``);
    * ``"randomization"`` — otherwise: (pilot status, start wave) re-assigned among the bodies of each province ×
      level stratum — every distinct assignment when there are at most :data:`EXACT_LIMIT`, else
      ``n_permutations`` random ones, p = (1 + extreme) / (1 + draws) — and the CI by inverting that test under a
      constant effect (the c with p(c) ≥ 1 − confidence). ``p_min`` = 1 / (distinct assignments) is the
      smallest p the design allows: with 3 + 3 bodies over two waves there are 20, so p ≥ 0.05 whatever happens,
      and the CI is unbounded.

    ``n_permutations=0`` skips randomization (``"bjs"`` only). ``details``: ``excluded`` (pilot bodies that
    cannot enter, with the reason), ``skipped_provinces``, ``n_treated`` (body-waves), ``cohorts`` (pilots per
    start cohort), ``bjs`` (the BJS CI and p, whichever procedure is the headline), ``permutations`` (assignments
    used), ``exact``, ``by_province`` (ATT, SE, n per province).

    References
    ----------
    Borusyak, K., Jaravel, X. & Spiess, J. (2024). Revisiting event-study designs: robust and efficient
    estimation. Review of Economic Studies 91(6), 3253–3285.
    Imbens, G. W. & Rubin, D. B. (2015). Causal Inference for Statistics, Social, and Biomedical Sciences,
    ch. 5 (Fisher exact p-values; intervals by inverting sharp-null tests).

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [("A", b, y, g, 2024 if g == "pilot" else None, s)
    ...         for b, g, base in [("p1", "pilot", 50), ("p2", "pilot", 60), ("p3", "pilot", 55),
    ...                            ("c1", "comparison", 52), ("c2", "comparison", 58), ("c3", "comparison", 61)]
    ...         for y, s in [(2023, base), (2024, base + (8 if g == "pilot" else 1))]]
    >>> panel = pd.DataFrame(rows, columns=["province", "body_id", "year", "group", "pilot_start", "score"])
    >>> r = imputation_att(panel)
    >>> r.inference, round(r.estimate, 6), r.p_min, r.p_value >= 0.05
    ('randomization', 7.0, 0.05, True)
    """
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    if df not in ("t", "normal"):
        raise ValueError("df must be 't' or 'normal'")
    if inference not in INFERENCES:
        raise ValueError(f"inference must be one of {INFERENCES}")
    if isinstance(n_permutations, bool) or not isinstance(n_permutations, (int, np.integer)) or n_permutations < 0:
        raise ValueError(f"n_permutations must be a whole number ≥ 0, not {n_permutations!r}")
    prepared = _prepare(panel, outcome)
    fits = [_impute(b) for b in prepared.blocks]
    n1 = sum(int(f.treated.sum()) for f in fits)
    if n1 == 0:
        raise NotEstimable("no_post_wave", "no treated body-wave can be imputed")
    att = sum(np.nansum(f.tau[f.treated]) for f in fits) / n1
    by_province = [{"province": f.block.province, "estimate": float(np.mean(f.tau[f.treated])),
                    "n_treated": int(f.treated.sum())} for f in fits]
    weights = [np.where(f.treated, 1.0 / n1, 0.0)[:, :, None] for f in fits]
    se = float(_bjs_se(fits, weights, leave_one_out)[0])
    n_bodies = prepared.n_pilot + prepared.n_comparison
    crit_df = max(n_bodies - 1, 1)
    crit = stats.t.ppf((1 + confidence) / 2, crit_df) if df == "t" else stats.norm.ppf((1 + confidence) / 2)
    p_bjs = float(2 * (stats.t.sf(abs(att / se), crit_df) if df == "t" else stats.norm.sf(abs(att / se)))) \
        if se > 0 else float("nan")
    bjs = {"ci_low": float(att - crit * se), "ci_high": float(att + crit * se), "p_value": p_bjs, "se": se}
    for row, f in zip(by_province, fits):
        own = np.where(f.treated, 1.0 / row["n_treated"], 0.0)[:, :, None]
        row["se"] = float(_bjs_se([f], [own], leave_one_out)[0])
    cohorts = start_cohort_sizes(prepared)
    smallest = int(cohorts["n_pilot"].min()) if len(cohorts) else 0
    chosen = inference if inference != "auto" else ("bjs" if smallest >= MIN_PILOTS_PER_START else "randomization")
    if n_permutations == 0:
        chosen = "bjs"
    se_part = method_part(f"se_bjs{'_loo' if leave_one_out else ''}_{'t' if df == 't' else 'normal'}",
                          **({"df": int(crit_df)} if df == "t" else {}))
    estimator = method_part("att_imputation")
    n_assign, exact, p_min = _n_assignments(prepared.blocks), False, float("nan")
    if chosen == "bjs":
        low, high, p = bjs["ci_low"], bjs["ci_high"], p_bjs
        draws = 0
        why = (method_part("why_cohorts", min=MIN_PILOTS_PER_START) if smallest >= MIN_PILOTS_PER_START
               else method_part("why_caller"))
        method = method_token("att_bjs", estimator=estimator, se=se_part, why=why)
    else:
        ri = randomization_inference(prepared, att, n_permutations, seed)
        low, high = ri.interval(confidence)
        p, exact, p_min, draws = ri.p_value(0.0), ri.exact, ri.p_min, len(ri.a)
        possible = f"{int(n_assign)}" if n_assign < 1e15 else method_part("more_than_1e15")
        sizes = {"estimator": estimator, "draws": int(draws), "smallest": smallest, "needed": MIN_PILOTS_PER_START}
        method = (method_token("att_ri_exact", **sizes) if exact
                  else method_token("att_ri_mc", possible=possible, **sizes))
    not_imputable = [(f.block.province, f.block.body_ids[i], f.block.wave_labels[t])
                     for f in fits for i, t in zip(*np.nonzero(f.not_imputable))]
    return EffectResult(float(att), float(low), float(high), float(p), method,
                        prepared.n_pilot, prepared.n_comparison, se=se,
                        effect_size=float(att / prepared.baseline_sd), confidence=confidence,
                        inference=chosen, p_min=p_min, n_assignments=n_assign,
                        details={"excluded": prepared.excluded, "skipped_provinces": prepared.skipped,
                                 "n_treated": n1, "p_analytic": p_bjs, "bjs": bjs, "permutations": draws,
                                 "exact": exact, "cohorts": cohorts, "smallest_cohort": smallest,
                                 "by_province": pd.DataFrame(by_province), "not_imputable": not_imputable})
