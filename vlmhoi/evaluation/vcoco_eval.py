"""V-COCO role AP (Scenario 1 and 2) and agent AP, as the official ``vsrl_eval.py``.

Per action-role and image, detections are processed in ``scores.argsort()[::-1]`` order
(float32, NaN scores skipped). A detection is matched to the ground-truth person of
largest overlap; if that person is not annotated in V-COCO the detection is dropped
(not even counted as a false positive). It is a true positive when the person does the
action, its box overlap is >= 0.5, the role overlap is >= 0.5, and the person was not
covered before. Role overlap against a person without a ground-truth role box for this
action-role (including persons not doing the action): Scenario 1 gives 1 only if the
predicted role box is all zeros or all NaN, else 0; Scenario 2 always gives 1. AP is the
all-point VOC AP with ``npos`` = persons doing the action; AP_role is the NaN-mean over the
(action, role) table -- the 25 action-roles of the 22 actions that have a role (the
agent-only actions are NaN) -- and AP_agent the sum over all 26 actions divided by 26.

Where the official code would crash this module decides (documented deviations): a role
without test positives gets AP NaN (left out of the mean), one without detections AP 0,
and detections in an image without annotated persons are false positives. Records of
images outside the split are ignored, as officially, and counted.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vlmhoi.evaluation.ap import voc_allpoint_ap
from vlmhoi.evaluation.iou import iou_vsrl
from vlmhoi.evaluation.vcoco_dets import VCOCODetections, detections_from_exchange
from vlmhoi.evaluation.vcoco_gt import VCOCOGroundTruth


@dataclass
class VCOCOEvalResult:
    """Summary metrics (percent), per action-role rows and PR curves."""

    metrics: dict[str, Any]
    categories: list[dict[str, Any]]
    curves: dict[str, list[tuple[np.ndarray, np.ndarray]]] = field(repr=False)


def _descending(scores: np.ndarray) -> np.ndarray:
    """(C, n) orders: ``argsort()[::-1]`` of each column's non-NaN scores; -1 pads."""
    cols = np.ascontiguousarray(scores.T)
    nan = np.isnan(cols)
    if not nan.any():
        return np.argsort(cols, axis=1)[:, ::-1]
    out = np.full(cols.shape, -1, dtype=np.int64)
    for c in range(cols.shape[0]):
        valid = np.flatnonzero(~nan[c])
        out[c, :len(valid)] = valid[cols[c, valid].argsort()[::-1]]
    return out


def _first_pick(cond: np.ndarray, person: np.ndarray, n_person: int) -> np.ndarray:
    """TP where ``cond`` holds for the first time for (column, person), row-major order."""
    tp = np.zeros(cond.shape, dtype=bool)
    flat = np.flatnonzero(cond)
    keys = (flat // cond.shape[1]) * n_person + person.reshape(-1)[flat]
    _, first = np.unique(keys, return_index=True)
    tp.reshape(-1)[flat[first]] = True
    return tp


def _ap(score: np.ndarray, tp: np.ndarray, npos: float) -> tuple[float, tuple]:
    if npos == 0:
        return float('nan'), (np.zeros(0), np.zeros(0))
    if len(score) == 0:
        return 0.0, (np.zeros(0), np.zeros(0))
    a_sc = score.astype(np.float32)
    idx = a_sc.argsort()[::-1]
    a_tp = np.cumsum(tp.astype(np.float32)[idx])
    a_fp = np.cumsum((~tp).astype(np.float32)[idx])
    rec = a_tp / float(npos)
    prec = a_tp / np.maximum(a_tp + a_fp, np.finfo(np.float64).eps)
    return voc_allpoint_ap(rec, prec), (rec, prec)


def evaluate_vcoco(gt: VCOCOGroundTruth, dets: VCOCODetections,
                   threshold: float = 0.5) -> VCOCOEvalResult:
    """AP_role (Scenario 1, 2) and AP_agent of ``dets`` against ``gt``."""
    n_act = len(gt.action_names)
    cols = [(a, r) for a in range(n_act) for r in range(len(gt.role_names[a]) - 1)]
    col_aid = np.array([a for a, _ in cols])
    npos = np.zeros(n_act, dtype=np.float32)
    npos += np.sum(gt.actions == 1, axis=0).astype(np.float32)
    where = {int(i): k for k, i in enumerate(gt.image_ids.tolist())}
    img = np.array([where.get(int(i), -1) for i in dets.image_ids.tolist()], dtype=np.int64)
    inside = np.flatnonzero(img >= 0)
    by_img = inside[np.argsort(img[inside], kind='stable')]
    bounds = np.searchsorted(img[by_img], np.arange(len(gt.image_ids) + 1))
    ignore = gt.ignore
    acc: dict[str, list] = {k: [] for k in ('agent', 's1', 's2')}
    for i in range(len(gt.image_ids)):
        d = by_img[bounds[i]:bounds[i + 1]]
        if len(d):
            _image(gt, dets, d, i, cols, col_aid, ignore, threshold, acc)
    agent_ap = np.zeros(n_act, dtype=np.float32)
    role_ap = {s: np.full((n_act, 2), np.nan, dtype=np.float32) for s in ('s1', 's2')}
    curves: dict[str, list] = {'agent': [], 's1': [], 's2': []}
    for key, n_col in (('agent', n_act), ('s1', len(cols)), ('s2', len(cols))):
        parts = acc[key]
        sc = np.concatenate([p[0] for p in parts], axis=1) if parts else np.zeros((n_col, 0))
        tp = np.concatenate([p[1] for p in parts], axis=1) if parts else np.zeros((n_col, 0))
        keep = np.concatenate([p[2] for p in parts], axis=1) if parts else np.zeros((n_col, 0))
        for c in range(n_col):
            k = keep[c].astype(bool)
            aid = c if key == 'agent' else cols[c][0]
            ap, curve = _ap(sc[c][k], tp[c][k].astype(bool), float(npos[aid]))
            curves[key].append(curve)
            if key == 'agent':
                agent_ap[c] = ap
            else:
                role_ap[key][cols[c]] = ap
    return _result(gt, cols, npos, agent_ap, role_ap, curves, len(dets.image_ids) - len(inside))


def _image(gt: VCOCOGroundTruth, dets: VCOCODetections, d: np.ndarray, i: int, cols: list,
           col_aid: np.ndarray, ignore: np.ndarray, thr: float, acc: dict) -> None:
    lo, hi = gt.person_offsets[i], gt.person_offsets[i + 1]
    n_p, n_d = hi - lo, len(d)
    agents, roles = dets.agents[d], dets.roles[d]
    if n_p:
        ov = iou_vsrl(np.repeat(agents[:, :4], n_p, axis=0),
                      np.tile(gt.person_boxes[lo:hi], (n_d, 1))).reshape(n_d, n_p)
        jmax = ov.argmax(axis=1)
        ovmax = ov[np.arange(n_d), jmax]
        dropped = ignore[lo + jmax]
    else:  # the official code has no answer here: count false positives
        jmax, ovmax = np.zeros(n_d, dtype=np.int64), np.zeros(n_d, dtype=np.float32)
        dropped = np.zeros(n_d, dtype=bool)
    person = lo + jmax
    true_action = (gt.actions[person] == 1) if n_p else np.zeros((n_d, len(gt.action_names)),
                                                                bool)
    box_ok = ovmax >= thr
    # agents: (n_act, n_d) in processing order
    order = _descending(agents[:, 4:])
    _push(acc['agent'], agents[:, 4:], order, true_action & box_ok[:, None], jmax, dropped, n_p)
    role_scores = np.stack([roles[:, 5 * a + 4, r] for a, r in cols], axis=1)
    order = _descending(role_scores)
    pred_role = np.stack([roles[:, 5 * a:5 * a + 4, r] for a, r in cols], axis=1)  # (n_d, C, 4)
    if n_p:
        gt_role = gt.role_boxes[person][:, [a for a, _ in cols], [r for _, r in cols]]
    else:
        gt_role = -np.ones((n_d, len(cols), 4), dtype=np.float32)
    no_gt_role = np.all(gt_role == -1, axis=2)
    ov_role = iou_vsrl(pred_role.reshape(-1, 4), gt_role.reshape(-1, 4)).reshape(n_d, -1)
    empty_pred = np.all(pred_role == 0.0, axis=2) | np.all(np.isnan(pred_role), axis=2)
    base = true_action[:, col_aid] & box_ok[:, None]
    for key, if_no_role in (('s1', empty_pred), ('s2', np.ones_like(empty_pred))):
        role_ok = np.where(no_gt_role, if_no_role, ov_role >= thr)
        _push(acc[key], role_scores, order, base & role_ok, jmax, dropped, n_p)


def _push(parts: list, scores: np.ndarray, order: np.ndarray, cond: np.ndarray,
          jmax: np.ndarray, dropped: np.ndarray, n_p: int) -> None:
    """Append one image's (scores, tp, kept) columns in processing order."""
    c_idx = np.arange(order.shape[0])[:, None]
    valid = order >= 0
    o = np.where(valid, order, 0)
    keep = valid & ~dropped[o]
    cond_o = cond[o, c_idx] & keep
    tp = _first_pick(cond_o, jmax[o], max(n_p, 1))
    parts.append((scores[o, c_idx], tp, keep))


def _result(gt: VCOCOGroundTruth, cols: list, npos: np.ndarray, agent_ap: np.ndarray,
            role_ap: dict[str, np.ndarray], curves: dict, outside: int) -> VCOCOEvalResult:
    rows = []
    for a, r in cols:
        rows.append({'action': gt.action_names[a], 'role': gt.role_names[a][r + 1],
                     'n_test': int(npos[a]), 'ap_s1': float(role_ap['s1'][a, r]),
                     'ap_s2': float(role_ap['s2'][a, r])})
    n_act = len(gt.action_names)
    metrics = {
        'mode': 'official',
        'AP_role_S1': float(np.nanmean(role_ap['s1']) * 100.00),
        'AP_role_S2': float(np.nanmean(role_ap['s2']) * 100.00),
        'AP_agent': float(np.nansum(agent_ap) * 100.00 / n_act),
        'num_roles': int(np.sum(~np.isnan(role_ap['s1']))),
        'num_images': len(gt.image_ids),
        'num_detections_outside_split': outside,
    }
    return VCOCOEvalResult(metrics, rows, {'s1': curves['s1'], 's2': curves['s2'],
                                           'agent': curves['agent']})


def evaluate_vcoco_predictions(gt: VCOCOGroundTruth, image_entries: list[dict],
                               predictions: Any, correct_mat: np.ndarray | None = None,
                               source: str = 'predictions') -> VCOCOEvalResult:
    """Evaluate exchange-format ``predictions`` (one entry per image of ``image_entries``,
    the QPIC-format ``test_vcoco.json``, in its order) with the official rules."""
    dets = detections_from_exchange(image_entries, predictions, correct_mat, gt.action_names,
                                    gt.role_names, source)
    return evaluate_vcoco(gt, dets)
