"""Body + wave fixed effects fitted exactly on a masked panel (one mask or a batch of them at once): the
solver under the imputation estimator, its randomization inference, the event study's lead regression and the
two-way FE estimate."""
from __future__ import annotations

import numpy as np


def _wave_components(m: np.ndarray) -> np.ndarray:
    """(…, B, T) masks -> (…, T) component label of every wave: the smallest wave index linked to it through
    bodies with fitted cells in both (a wave without fitted cells is its own component). Transitive closure by
    repeated boolean squaring of the wave adjacency, so a batch of masks costs a few (T x T) products."""
    mf = m.astype(float)
    n_t = m.shape[-1]
    reach = (np.swapaxes(mf, -1, -2) @ mf) > 0
    reach |= np.eye(n_t, dtype=bool)
    for _ in range(max(int(np.ceil(np.log2(max(n_t, 2)))), 1)):
        reach = (reach.astype(float) @ reach.astype(float)) > 0
    return np.argmax(reach, axis=-1)


def _fe_solve(m: np.ndarray, zb: np.ndarray, zt: np.ndarray):
    """Solve the normal equations of body + wave effects on the cells where ``m`` is True, exactly.

    ``m``: (…, B, T) boolean; right-hand sides ``zb`` (…, B, K) and ``zt`` (…, T, K) — for a least-squares fit of
    ``y`` they are its body and wave sums over the cells. Body effects are eliminated, which leaves T x T normal
    equations for the wave effects; they are singular (one direction per connected component of the body-wave
    design), so one wave effect per component is fixed at 0 and the rest solved by LU on a non-singular system —
    not a pseudo-inverse, whose cutoff can keep a round-off eigenvalue (the ``mpdta`` failure). Returns body
    parts (…, B, K), wave parts (…, T, K), the component label of each wave (…, T), and which bodies / waves
    have cells. Within a component, ``gb_i + gt_t`` is unique."""
    mf = m.astype(float)
    n_b = mf.sum(-1)
    n_t = mf.sum(-2)
    inv_n = np.where(n_b > 0, 1.0 / np.maximum(n_b, 1), 0.0)
    scaled_t = np.swapaxes(mf * inv_n[..., None], -1, -2)
    a = -scaled_t @ mf
    idx = np.arange(a.shape[-1])
    a[..., idx, idx] += n_t
    rhs = zt - scaled_t @ zb
    label = _wave_components(m)
    fixed = label == idx  # one wave per component (its first) is the reference: its effect is 0
    a = np.where(fixed[..., :, None] | fixed[..., None, :], 0.0, a)
    a[..., idx, idx] = np.where(fixed, 1.0, a[..., idx, idx])
    rhs = np.where(fixed[..., None], 0.0, rhs)
    gt = np.linalg.solve(a, rhs)
    gb = (zb - mf @ gt) * inv_n[..., None]
    return gb, gt, label, n_b > 0, n_t > 0


def _fit_masked(y: np.ndarray, m: np.ndarray):
    """Least-squares body + wave effects of ``y`` (B, T) fitted on the cells where ``m`` is True.

    ``m``: (B, T) or (P, B, T) — P masks at once (one per permutation). Returns alpha (…, B), lambda (…, T),
    which bodies / waves have fitted cells, and the component label of each wave (…, T); see :func:`_fe_solve`."""
    ym = np.where(m, np.nan_to_num(y), 0.0)
    gb, gt, label, body_ok, wave_ok = _fe_solve(m, ym.sum(-1)[..., None], ym.sum(-2)[..., None])
    return gb[..., 0], gt[..., 0], body_ok, wave_ok, label


def _body_components(m: np.ndarray, label: np.ndarray) -> np.ndarray:
    """(…, B, T) masks and (…, T) wave labels -> (…, B) component of each body (that of its first fitted wave;
    -1 for a body without fitted cells)."""
    first = np.argmax(m, axis=-1)
    body_label = np.take_along_axis(label, first, axis=-1) if label.ndim > 1 else label[first]
    return np.where(m.any(axis=-1), body_label, -1)
