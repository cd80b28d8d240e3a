"""Did the pilot work? Pilot-vs-comparison estimators for staggered pilots, one module per concern.

The design: pilot bodies and comparison bodies (ISO 9001 only) in each province, pilots starting in different
assessment waves (year, round), effects that may grow with time, province-wide shocks. A pilot body-wave is
*under the pilot* when (year, round) >= (pilot_start, pilot_start_round) — :func:`descriptive.under_pilot`, the
one timing rule. Every comparison stays **within province** (province × wave effects).

* :mod:`~iso18091lab.stats.did.imputation` — **the headline**, :func:`imputation_att`: the average effect on the
  pilot body-waves under the pilot (ATT), each treated body-wave weighing the same, by the imputation estimator
  (Borusyak, Jaravel & Spiess 2024): body effects and province × wave effects fitted on the untreated
  body-waves only, each treated outcome compared with its imputed untreated value. Standard error: BJS
  Theorem 3 (conservative, clustered by body) in closed form (the estimator is linear in the outcomes).
* :mod:`~iso18091lab.stats.did.randomization` — the p-value by re-assigning pilot status *and* start waves among
  the bodies of each province × level stratum (Monte Carlo, p = (1 + extreme) / (1 + draws)), and its interval.
* :mod:`~iso18091lab.stats.did.event_study` — effects by waves since each body's first wave under the pilot, all
  pre-pilot waves as placebo estimates (BJS test: leads on the untreated body-waves, reference = the wave just
  before), and the joint pre-trend test (cluster-robust Wald F, as diff-diff's ``ImputationDiD.pretrend_test``).
* :mod:`~iso18091lab.stats.did.callaway_santanna` — Callaway & Sant'Anna (2021) with not-yet-treated controls
  (point estimate; a cross-check).
* :mod:`~iso18091lab.stats.did.twfe` — :func:`did_within_province`, two-way fixed effects (body + province ×
  wave) with SE clustered by body: a labelled secondary estimate (a variance-weighted average, not the ATT, when
  starts are staggered or effects change over time).
* :mod:`~iso18091lab.stats.did.table` — :func:`effectiveness_table` (every estimate of a province, one row
  each) and :func:`bh_qvalues`.
* :mod:`~iso18091lab.stats.did.pre_post` — pilot bodies' last wave before the start against their waves under
  the pilot, with the rank tests of :mod:`iso18091lab.stats.rank`.
* Underneath: :mod:`~iso18091lab.stats.did.panel` (the panel cleaned and split by province,
  :func:`pilot_exclusions`), :mod:`~iso18091lab.stats.did.fixed_effects` (the exact FE solver),
  :mod:`~iso18091lab.stats.did.result` (:class:`EffectResult`).

Panels are tidy: one row per body (``body_id``) and wave (``year``, ``round``) with ``province``, ``group``,
``pilot_start``, ``pilot_start_round``, the outcome, and optionally ``level`` and ``body_label``. Every function
raises a ``ValueError`` — :class:`iso18091lab.stats.NotEstimable` with a report reason where the data cannot
support the analysis — on empty or invalid input.
"""
