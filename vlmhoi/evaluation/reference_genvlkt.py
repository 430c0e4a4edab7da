"""Run GEN-VLKT's ``datasets/hico_eval_triplet.py`` on a random dense case (for tests).

GEN-VLKT's model emits, per query, a subject box, an object box and a score for each of
the 600 HOIs; its evaluator takes those as torch tensors. Here the tensors are numpy
stand-ins with ``.to()`` / ``.numpy()``, so its own ``__init__`` (top-k by value and the
``np.where`` look-up that turns tied scores into copies) and ``evaluate`` run unchanged.
:func:`dense_to_exchange` writes the same case in the exchange format, one HOI per (query,
HOI) in GEN-VLKT's raveled order, so ``mode='genvlkt'`` can be compared with it.
"""
from __future__ import annotations

import contextlib
import importlib.util
import io
import sys
import types
from pathlib import Path
from typing import Any

import numpy as np

from vlmhoi.evaluation.reference_harness import REF_KEYS, rare_triplets, stub_unused_imports
from vlmhoi.vocab import hico_vocab


class _Tensor(np.ndarray):
    """What the evaluator calls on a torch tensor: ``.to(device)`` and ``.numpy()``."""

    def to(self, *args: Any, **kwargs: Any) -> _Tensor:
        return self

    def numpy(self) -> np.ndarray:
        return np.asarray(self)


def _t(values: Any, dtype: type) -> _Tensor:
    return np.asarray(values, dtype=dtype).view(_Tensor)


def load_genvlkt_evaluator(repo: str | Path) -> type:
    """``HICOEvaluator`` of ``datasets/hico_eval_triplet.py`` (its package imports torch,
    so the module is loaded under stand-in parent packages)."""
    stub_unused_imports()
    repo = Path(repo)
    saved = {k: sys.modules.get(k) for k in ('util', 'util.topk', '_genvlkt_datasets')}
    try:
        for name, folder in (('util', 'util'), ('_genvlkt_datasets', 'datasets')):
            pkg = types.ModuleType(name)
            pkg.__path__ = [str(repo / folder)]
            sys.modules[name] = pkg
        sys.modules.pop('util.topk', None)
        spec = importlib.util.spec_from_file_location(
            '_genvlkt_datasets.hico_eval_triplet', repo / 'datasets' / 'hico_eval_triplet.py')
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
    finally:
        for k, m in saved.items():
            if m is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = m
    return mod.HICOEvaluator


def random_dense_case(test: list[dict], rng: np.random.Generator, queries: int = 4
                      ) -> list[dict[str, np.ndarray]]:
    """Per image: ``sub_boxes``, ``obj_boxes`` (Q, 4), ``sub_cats`` (Q,) COCO ids and
    ``hoi_scores`` (Q, 600) float32, with exact zeros and tied two-decimal scores."""
    v = hico_vocab()
    n_hoi = len(v.valid_pairs)
    out = []
    for e in test:
        boxes = [b['bbox'] for b in e['annotations']] or [[0, 0, 50, 50]]
        sub, obj = [], []
        scores = np.where(rng.random((queries, n_hoi)) < 0.7, 0.0,
                          rng.random((queries, n_hoi)) * 0.5)
        for q in range(queries):
            if e['hoi_annotation'] and rng.random() < 0.7:
                h = e['hoi_annotation'][int(rng.integers(len(e['hoi_annotation'])))]
                pair = (boxes[h['subject_id']], boxes[h['object_id']])
                hoi = v.valid_pairs.index((v.verb_index(h['category_id']), v.object_index(
                    e['annotations'][h['object_id']]['category_id'])))
                scores[q, hoi] = 0.5 + 0.5 * rng.random()
            else:
                pair = (boxes[int(rng.integers(len(boxes)))], boxes[int(rng.integers(len(boxes)))])
            for dst, box in zip((sub, obj), pair):
                d = rng.normal(0, 0.08, 4) * 30 if rng.random() < 0.6 else np.zeros(4)
                b = np.asarray(box, dtype=np.float64) + d
                dst.append([b[0], b[1], max(b[0], b[2]), max(b[1], b[3])])
        tied = rng.random(scores.shape) < 0.3
        scores[tied] = np.round(scores[tied], 2)
        cats = np.where(rng.random(queries) < 0.8, 1, v.object_ids[5])  # some non-person
        out.append({'sub_boxes': np.float32(sub), 'obj_boxes': np.float32(obj),
                    'sub_cats': cats, 'hoi_scores': scores.astype(np.float32)})
    return out


def dense_to_exchange(test: list[dict], dense: list[dict]) -> list[dict]:
    """Exchange-format entries: per query a subject box and one object box per object
    class, HOIs in GEN-VLKT's raveled (query, HOI) order."""
    v = hico_vocab()
    out = []
    for e, d in zip(test, dense):
        boxes, hois = [], []
        for q in range(len(d['sub_boxes'])):
            boxes.append({'bbox': d['sub_boxes'][q].tolist(), 'category_id': int(d['sub_cats'][q])})
            sub, first_obj = len(boxes) - 1, len(boxes)
            for oid in v.object_ids:
                boxes.append({'bbox': d['obj_boxes'][q].tolist(), 'category_id': oid})
            for h, (verb, obj) in enumerate(v.valid_pairs):
                hois.append({'subject_id': sub, 'object_id': first_obj + obj,
                             'category_id': v.verb_ids[verb],
                             'score': float(d['hoi_scores'][q, h])})
        out.append({'file_name': e['file_name'], 'predictions': boxes, 'hoi_prediction': hois})
    return out


def run_genvlkt(cls: type, test: list[dict], train: list[dict], dense: list[dict],
                json_file: str | Path) -> dict[str, float]:
    """GEN-VLKT's evaluator on the dense case; returns our key names (fractions)."""
    v = hico_vocab()
    preds, gts = [], []
    for i, (e, d) in enumerate(zip(test, dense)):
        q = len(d['sub_boxes'])
        preds.append({'boxes': _t(np.concatenate([d['sub_boxes'], d['obj_boxes']]), np.float32),
                      'sub_ids': _t(np.arange(q), np.int64),
                      'obj_ids': _t(np.arange(q, 2 * q), np.int64),
                      'hoi_scores': _t(d['hoi_scores'], np.float32),
                      'obj_scores': _t(np.zeros((q, v.num_objects)), np.float32)})
        hois = [(h['subject_id'], h['object_id'], v.verb_index(h['category_id']))
                for h in e['hoi_annotation']]
        gts.append({'filename': e['file_name'], 'id': i,
                    'boxes': _t([b['bbox'] for b in e['annotations']], np.float32).reshape(-1, 4),
                    'labels': _t([v.object_index(b['category_id']) for b in e['annotations']],
                                 np.int64),
                    'hois': _t(hois, np.int64).reshape(-1, 3)})
    rare, non_rare = rare_triplets(train)
    args = types.SimpleNamespace(zero_shot_type='default', use_nms_filter=False, thres_nms=0.7,
                                 nms_alpha=1.0, nms_beta=0.5, json_file=str(json_file))
    with contextlib.redirect_stdout(io.StringIO()):
        ev = cls(preds, gts, rare, non_rare, None, args)
        out = ev.evaluate()
    return {REF_KEYS[k]: float(val) for k, val in out.items() if k in REF_KEYS}
