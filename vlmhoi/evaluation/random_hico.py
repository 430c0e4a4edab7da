"""Random HICO-DET-format inputs for checking and timing the evaluators.

Ground truth with persons, objects and long-tailed HOIs over the 600 categories, and
exchange-format predictions over query pairs (jittered ground-truth pairs and random
ones, some tied scores). Used by ``benchmark/bench_hico_eval.py`` and the tests.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from vlmhoi.vocab import hico_vocab


def _box(rng: np.random.Generator, w: float = 640, h: float = 480) -> list[int]:
    x1, y1 = rng.integers(0, w - 40), rng.integers(0, h - 40)
    return [int(x1), int(y1), int(min(w - 1, x1 + rng.integers(20, 300))),
            int(min(h - 1, y1 + rng.integers(20, 300)))]


def make_gt(n_images: int, rng: np.random.Generator, tail: float = 1.2,
            prefix: str = 'HICO_test2015') -> list[dict]:
    """QPIC-format annotations: persons, objects and long-tailed HOIs."""
    v = hico_vocab()
    pairs = v.valid_pairs
    weights = 1.0 / np.arange(1, len(pairs) + 1) ** tail
    perm = np.random.default_rng(0).permutation(len(pairs))  # fixed popularity order
    probs = np.empty(len(pairs))
    probs[perm] = weights / weights.sum()
    entries = []
    for i in range(n_images):
        n_person = 1 + rng.poisson(0.5)
        boxes = [{'bbox': _box(rng), 'category_id': 1} for _ in range(n_person)]
        hois = []
        by_class: dict[int, list[int]] = defaultdict(list)
        for _ in range(1 + rng.poisson(2.5)):
            verb, obj = pairs[rng.choice(len(pairs), p=probs)]
            cid = v.object_ids[obj]
            if not by_class[cid] or rng.random() < 0.3:
                boxes.append({'bbox': _box(rng), 'category_id': cid})
                by_class[cid].append(len(boxes) - 1)
            hois.append({'subject_id': int(rng.integers(n_person)),
                         'object_id': int(rng.choice(by_class[cid])),
                         'category_id': v.verb_ids[verb]})
        entries.append({'file_name': f'{prefix}_{i:08d}.jpg', 'img_id': i,
                        'annotations': boxes, 'hoi_annotation': hois})
    return entries


def _jitter(rng: np.random.Generator, box: list[float], s: float) -> list[float]:
    w, h = box[2] - box[0] + 1, box[3] - box[1] + 1
    d = rng.normal(0, s, 4) * np.array([w, h, w, h])
    x1, y1 = box[0] + d[0], box[1] + d[1]
    return [float(x1), float(y1), float(max(x1, box[2] + d[2])), float(max(y1, box[3] + d[3]))]


def make_predictions(gt: list[dict], rng: np.random.Generator, queries: int = 64,
                     per_image: int = 100) -> list[dict]:
    """100 triplets per image over ``queries`` (subject, object) box pairs."""
    v = hico_vocab()
    mat = v.correct_mat()
    out = []
    for e in gt:
        subs, objs, labels, verbs_of = [], [], [], []
        for _ in range(queries):
            if e["hoi_annotation"] and rng.random() < 0.4:
                h = e['hoi_annotation'][rng.integers(len(e['hoi_annotation']))]
                sb, ob = e['annotations'][h['subject_id']], e['annotations'][h['object_id']]
                subs.append(_jitter(rng, sb["bbox"], 0.12))
                objs.append(_jitter(rng, ob["bbox"], 0.12))
                label = v.object_index(ob['category_id']) if rng.random() < 0.9 \
                    else int(rng.integers(v.num_objects))
                verbs_of.append(v.verb_index(h['category_id']))
            else:
                subs.append([float(c) for c in _box(rng)])
                objs.append([float(c) for c in _box(rng)])
                label = int(rng.integers(v.num_objects))
                verbs_of.append(-1)
            labels.append(label)
        boxes = [{'bbox': b, 'category_id': 1} for b in subs]
        boxes += [{'bbox': b, 'category_id': v.object_ids[lab]} for b, lab in zip(objs, labels)]
        hois = []
        for _ in range(per_image):
            q = int(rng.integers(queries))
            valid = np.flatnonzero(mat[:, labels[q]])
            if verbs_of[q] >= 0 and rng.random() < 0.6:
                verb = verbs_of[q]
            elif rng.random() < 0.9 and len(valid):
                verb = int(rng.choice(valid))
            else:
                verb = int(rng.integers(v.num_verbs))
            score = float(rng.random()) * (1.5 if verbs_of[q] >= 0 else 1.0)
            if rng.random() < 0.2:
                score = round(score, 2)  # ties
            if not mat[verb, labels[q]]:
                score = 0.0  # what the model's validity mask leaves
            hois.append({'subject_id': q, 'object_id': queries + q,
                         'category_id': v.verb_ids[verb], 'score': score})
        out.append({'file_name': e['file_name'], 'predictions': boxes, 'hoi_prediction': hois})
    return out
