"""Can the indicator be scored consistently by its raters? Per indicator, the consistency of self and council
scores (ICC(C,1): a constant self-inflation does not lower it) and council members' agreement (ICC(A,1), where
members' own scores exist); over all indicators, the council members' inter-rater reliability.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from iso18091lab.catalog import indicator_sort_key
from iso18091lab.stats import NotEstimable, _level, agreement, intraclass, method_part, method_token
from iso18091lab.stats.inputs import _check_confidence
from iso18091lab.stats.review.assessments import MIN_BODIES, _check, _members, _paired
from iso18091lab.stats.review.assessments import _example  # noqa: F401 (the docstrings' Examples)


def self_council_consistency(assessments: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Per indicator: consistency of self and council scores over body-waves, ICC(C,1) with its exact
    McGraw-Wong CI (a constant self-inflation does not change it), and, for contrast, the absolute-agreement
    ICC(A,1), which an offset lowers. Indicators scored by fewer than :data:`MIN_BODIES` bodies get no ICC.

    Parameters
    ----------
    assessments : DataFrame
        The clean assessments table.
    confidence : float
        Level of the intervals.

    Returns
    -------
    DataFrame
        ``indicator, pillar, n_bodies, n_pairs, icc_c1, icc_c1_ci_low, icc_c1_ci_high, icc_a1, method``
        (``method``: ``self_council_icc_c1``).

    References
    ----------
    McGraw, K. O. & Wong, S. P. (1996). Forming inferences about some intraclass correlation coefficients.
    Psychological Methods 1(1), 30-46.

    Examples
    --------
    >>> out = self_council_consistency(_example(n_bodies=8))
    >>> len(out), bool((out["icc_c1"] > out["icc_a1"]).all()), out.loc[0, "method"].split()[0]
    (6, True, 'self_council_icc_c1')
    """
    _check_confidence(confidence)
    paired = _paired(_check(assessments, "self_council_consistency"))
    rows = []
    for indicator, part in paired.groupby("indicator", sort=False):
        record = {"indicator": indicator, "pillar": int(part["pillar"].iloc[0]), "n_bodies": part["body_id"].nunique(),
                  "n_pairs": len(part), "icc_c1": np.nan, "icc_c1_ci_low": np.nan, "icc_c1_ci_high": np.nan,
                  "icc_a1": np.nan}
        if record["n_bodies"] >= MIN_BODIES and part[["self", "council"]].to_numpy().std() > 0:
            long = part.melt(id_vars=["wave"], value_vars=["self", "council"], var_name="rater", value_name="score")
            with np.errstate(all="ignore"):
                icc = intraclass.icc(long, "wave", "rater", "score", confidence)
            record.update(icc_c1=icc.loc["ICC3", "icc"], icc_c1_ci_low=icc.loc["ICC3", "ci_low"],
                          icc_c1_ci_high=icc.loc["ICC3", "ci_high"], icc_a1=icc.loc["ICC2", "icc"])
        rows.append(record)
    out = pd.DataFrame(rows).sort_values("indicator", key=indicator_sort_key).reset_index(drop=True)
    out["method"] = method_token("self_council_icc_c1", level=_level(confidence), min_bodies=MIN_BODIES)
    return out


def member_agreement(assessments: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Per indicator, where council members' own scores exist: ICC(A,1) among members from REML variance
    components (every rating kept, as R ``psych::ICC``), its McGraw-Wong bounds on those components (psych's
    bounds; exact for complete data), and the members' spread for one body, ``member_sd`` (points: the root
    mean within-body-wave variance).

    Parameters
    ----------
    assessments : DataFrame
        The clean assessments table; members' own scores are the council rows with a ``rater_id``.
    confidence : float
        Level of the intervals.

    Returns
    -------
    DataFrame
        ``indicator, pillar, n_bodies, n_members, member_icc, member_icc_ci_low, member_icc_ci_high, member_sd,
        method`` (``method``: ``member_icc_reml``).

    References
    ----------
    McGraw, K. O. & Wong, S. P. (1996). Psychological Methods 1(1), 30-46. Revelle, W. psych, ``ICC``
    (lmer = TRUE).

    Examples
    --------
    >>> out = member_agreement(_example(n_bodies=6, members=3))
    >>> len(out), int(out.loc[0, "n_members"]), out.loc[0, "method"].split()[0]
    (6, 3, 'member_icc_reml')
    """
    _check_confidence(confidence)
    members = _members(_check(assessments, "member_agreement"))
    rows = []
    for indicator, part in members.groupby("indicator", sort=False):
        rated = part.groupby("wave")["rater_id"].transform("size") >= 2
        part = part[rated]
        record = {"indicator": indicator, "pillar": int(members.loc[members["indicator"] == indicator, "pillar"].iloc[0]),
                  "n_bodies": part["body_id"].nunique(), "n_members": part["rater_id"].nunique(),
                  "member_icc": np.nan, "member_icc_ci_low": np.nan, "member_icc_ci_high": np.nan,
                  "member_sd": np.nan}
        if len(part):
            within = part.groupby("wave")["score_100"].var(ddof=1)
            record["member_sd"] = float(np.sqrt(within.mean()))
        if part["wave"].nunique() >= MIN_BODIES and record["n_members"] >= 2 and part["score_100"].std() > 0:
            try:
                with np.errstate(all="ignore"):
                    icc = intraclass.icc_reml(part, "wave", "rater_id", "score_100", confidence)
                record.update(member_icc=icc.loc["ICC2", "icc"], member_icc_ci_low=icc.loc["ICC2", "ci_low"],
                              member_icc_ci_high=icc.loc["ICC2", "ci_high"])
            except ValueError:
                pass
        rows.append(record)
    out = pd.DataFrame(rows).sort_values("indicator", key=indicator_sort_key).reset_index(drop=True)
    out["method"] = method_token("member_icc_reml", level=_level(confidence))
    return out


def council_interrater(assessments: pd.DataFrame) -> pd.DataFrame:
    """Agreement among individual council members over all indicators: ICC (single member and mean of
    members, REML with missing ratings kept, and complete-case, each labelled) and Krippendorff's interval
    alpha; targets are body-wave × indicator, raters the council members.

    Parameters
    ----------
    assessments : DataFrame
        The clean assessments table; members' own scores are the council rows with a ``rater_id``.

    Returns
    -------
    DataFrame
        ``measure`` (a method key with its fit: ``icc_a1``, ``icc_ak``, ``krippendorff_interval``), ``value,
        ci_low, ci_high, n_targets, n_raters``.

    References
    ----------
    McGraw, K. O. & Wong, S. P. (1996). Psychological Methods 1(1), 30-46. Krippendorff, K. (2011). Computing
    Krippendorff's alpha-reliability. University of Pennsylvania.

    Examples
    --------
    >>> out = council_interrater(_example(n_bodies=6, members=3))
    >>> [m.split()[0] for m in out["measure"]], sorted(set(out["n_raters"]))
    (['icc_a1', 'icc_ak', 'icc_a1', 'icc_ak', 'krippendorff_interval'], [3])
    """
    members = _members(_check(assessments, "council_interrater"))
    members = members.assign(target=members["wave"] + "\x1f" + members["indicator"].astype(str))
    out = []
    for fit, function in (("fit_reml_kept", intraclass.icc_reml), ("fit_complete_only", intraclass.icc)):
        try:
            icc = function(members, "target", "rater_id", "score_100")
        except ValueError:
            continue
        for form, name in (("ICC2", "icc_a1"), ("ICC2k", "icc_ak")):
            out.append({"measure": method_token(name, fit=method_part(fit)), "value": icc.loc[form, "icc"],
                        "ci_low": icc.loc[form, "ci_low"], "ci_high": icc.loc[form, "ci_high"],
                        "n_targets": int(icc.loc[form, "n"]), "n_raters": int(icc.loc[form, "k"])})
    wide = members.pivot(index="rater_id", columns="target", values="score_100")
    try:
        out.append({"measure": method_token("krippendorff_interval"),
                    "value": agreement.krippendorff_alpha(wide, "interval"),
                    "ci_low": np.nan, "ci_high": np.nan, "n_targets": wide.shape[1], "n_raters": wide.shape[0]})
    except ValueError:
        pass
    if not out:
        raise NotEstimable("too_few_pairs", "council_interrater: too few targets rated by two members")
    return pd.DataFrame(out)
