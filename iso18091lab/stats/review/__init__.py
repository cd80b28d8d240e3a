"""Can the indicators be trusted? The indicator review: dataset-level tables built on the reliability statistics
(``stats.intraclass``, ``stats.reml``, ``stats.generalizability``, ``stats.scales``, ``stats.agreement``,
``stats.cluster_robust``), one module per concern. Two separate questions:

1. **Can the indicator be scored consistently?** Council members' agreement per indicator (where members'
   own scores exist), the *consistency* of self and council scores, ICC(C,1) (a constant self-inflation does
   not lower it) — :mod:`~iso18091lab.stats.review.rater_consistency` —, and the indicator's place in its pillar
   (alpha, omega, item-rest correlation) — :mod:`~iso18091lab.stats.review.pillar_items`.
2. **Do bodies score themselves leniently?** Self − council in points on 0–100 with a CR1 cluster-robust CI
   (clustered by body, t(bodies − 1)): overall, by pillar, by indicator and per body —
   :mod:`~iso18091lab.stats.review.leniency`.

Mixing the two is what went wrong before: a constant inflation lowers the *absolute-agreement* ICC(A,1) of
every indicator, so an offset read as "the indicators are unreliable". A flag names its rule and fires only when
the interval, not the point estimate, clears the threshold (``table.FLAG_RULES``).

* :mod:`~iso18091lab.stats.review.table` — :func:`review_indicators`, the review table (one row per indicator,
  the flags), :class:`IndicatorReview`, :func:`most_disagreed`.
* :mod:`~iso18091lab.stats.review.council_size` — the G study of council members' scores and the D study (how
  many members a reliable score needs), :class:`DStudy`.
* :mod:`~iso18091lab.stats.review.by_province` — flags per province, the cross-province comparison rows.
* :mod:`~iso18091lab.stats.review.bands` — interpretation bands of ICC and kappa (:func:`band_ci_key`).
* Underneath: :mod:`~iso18091lab.stats.review.assessments` (the input table, its check, the rows every part
  uses, ``MIN_BODIES``) and :mod:`~iso18091lab.stats.review.resampling` (bootstrap over bodies).

Every function takes the clean assessments table (``iso18091lab.load(...).assessments``); bodies are
``body_id`` (names repeat), subjects are body-waves (body_id, year, round); uncertainty of between-body
quantities treats the body as the unit (a cluster-robust interval or a resampling of bodies), which keeps a
body's waves together. Whether the set "can be scored consistently" is decided by
:func:`stats.verdict.indicator_set_verdict` from the intervals, never from the absence of flags. Bad input raises
``ValueError``; data that cannot support an analysis (no self scores, no council members ...) raises
:class:`iso18091lab.stats.NotEstimable`.
"""
