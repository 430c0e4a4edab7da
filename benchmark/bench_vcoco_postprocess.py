"""V-COCO AP_role of one fixed set of head outputs under the two post-processings.

    python benchmark/bench_vcoco_postprocess.py [--test 100] [--queries 100] [--seed 0]

Generates the synthetic world's V-COCO files (official ``v-coco/data`` files and the QPIC
``test_vcoco.json``), then head outputs of a fixed seed for every test image, as a DETR
HOI head would give them: a few near-duplicate queries per annotated (person, object)
pair with the right object class and noisy action logits, the other queries on random
boxes and classes with low action logits. The same outputs are post-processed with
``HOIPostProcessor(output='topk', max_per_img=100)`` (the suite's former V-COCO output)
and ``output='all_queries'`` (the reference ``generate_vcoco_official.py``: every query
with all 29 action-role scores), converted to the exchange format and evaluated with the
official rules (``vsrl_eval.py``); prints AP_role S1 / S2 and AP_agent of both.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vlmhoi.evaluation.pred_format import sample_to_entry  # noqa: E402
from vlmhoi.evaluation.vcoco_eval import evaluate_vcoco_predictions  # noqa: E402
from vlmhoi.evaluation.vcoco_from_qpic import load_vcoco_images  # noqa: E402
from vlmhoi.evaluation.vcoco_gt import load_vcoco_gt  # noqa: E402
from vlmhoi.models.hoi_postprocess import HOIPostProcessor  # noqa: E402
from vlmhoi.synth import generate_world  # noqa: E402
from vlmhoi.vocab import vcoco_vocab  # noqa: E402

NUM_OBJECTS, NUM_ACTIONS = 80, 29
COPIES = 3            # queries per annotated pair (DETR's near-duplicates)
TRUE_LOGIT, FALSE_LOGIT, LOGIT_NOISE = 1.0, -3.5, 1.5
BOX_JITTER = 0.03     # of the image size


def _cxcywh(box: list[float], w: int, h: int) -> list[float]:
    x1, y1, x2, y2 = box
    return [(x1 + x2) / 2 / w, (y1 + y2) / 2 / h, (x2 - x1) / w, (y2 - y1) / h]


def head_outputs(entry: dict, w: int, h: int, queries: int, rng: np.random.Generator,
                 vocab: Any) -> tuple[torch.Tensor, ...]:
    """Object logits (Q, 82), action logits (Q, 29), subject / object boxes (Q, 4)."""
    pairs: dict[tuple[int, int], list[int]] = {}
    for hoi in entry['hoi_annotation']:
        pairs.setdefault((hoi['subject_id'], hoi['object_id']), []).append(hoi['category_id'])
    obj_logits = rng.normal(0, 1, (queries, NUM_OBJECTS + 2))
    verb_logits = rng.normal(FALSE_LOGIT, LOGIT_NOISE, (queries, NUM_ACTIONS))
    sub = rng.uniform(0.1, 0.9, (queries, 4)) * [1, 1, 0.4, 0.4]
    obj = rng.uniform(0.1, 0.9, (queries, 4)) * [1, 1, 0.4, 0.4]
    obj_logits[np.arange(queries), rng.integers(0, NUM_OBJECTS + 1, queries)] += 2.0
    q = 0
    for (s, o), verbs in pairs.items():
        boxes = entry['annotations']
        for _ in range(COPIES):
            if q >= queries:
                break
            sub[q] = _cxcywh(boxes[s]['bbox'], w, h) + rng.normal(0, BOX_JITTER, 4)
            label = NUM_OBJECTS if o < 0 else vocab.object_index(boxes[o]['category_id'])
            obj[q] = sub[q] if o < 0 else _cxcywh(boxes[o]['bbox'], w, h) + rng.normal(
                0, BOX_JITTER, 4)
            obj_logits[q, label] += 4.0
            verb_logits[q, verbs] = rng.normal(TRUE_LOGIT, LOGIT_NOISE, len(verbs))
            q += 1
    to = lambda a: torch.tensor(a, dtype=torch.float32)   # noqa: E731
    return to(obj_logits), to(verb_logits), to(np.abs(sub)), to(np.abs(obj))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--test', type=int, default=100, help='test images of the world')
    p.add_argument('--queries', type=int, default=100, help='queries per image (V-COCO: 100)')
    p.add_argument('--seed', type=int, default=0)
    args = p.parse_args(argv)
    vocab = vcoco_vocab()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate_world(root, seed=args.seed, n_train=8, n_test=args.test, size=128,
                       progress=False)
        images = load_vcoco_images(root / 'annotations/test_vcoco.json')
        gt = load_vcoco_gt(root / 'v-coco/data/vcoco/vcoco_test.json',
                           root / 'v-coco/data/instances_vcoco_all_2014.json',
                           root / 'v-coco/data/splits/vcoco_test.ids')
        mat = np.load(root / 'annotations/corre_vcoco.npy')
        coco = json.loads((root / 'v-coco/data/instances_vcoco_all_2014.json').read_text())
    sizes = {im['id']: (im['width'], im['height']) for im in coco['images']}
    rng = np.random.default_rng(args.seed)
    outputs = []
    for e in images:
        w, h = sizes[e['img_id']]
        outputs.append((e, w, h, head_outputs(e, w, h, args.queries, rng, vocab)))
    report: dict[str, Any] = {'images': len(images), 'queries': args.queries}
    for name, cfg in (('old_topk100', dict(output='topk', max_per_img=100)),
                      ('new_all_queries', dict(output='all_queries'))):
        pp = HOIPostProcessor(NUM_OBJECTS, NUM_ACTIONS, no_object_class=True,
                              correct_mat=mat, **cfg)
        preds = []
        for e, w, h, (ol, vl, sb, ob) in outputs:
            meta = dict(img_shape=(h, w), ori_shape=(h, w), scale_factor=(1.0, 1.0))
            inst, hoi = pp(ol, vl, sb, ob, meta)
            preds.append(sample_to_entry(dict(file_name=e['file_name'], img_id=e['img_id'],
                                              pred_instances=inst, pred_hoi=hoi), vocab,
                                         allow_no_object=True))
        m = evaluate_vcoco_predictions(gt, images, preds, mat).metrics
        report[name] = {k: round(m[k], 2) for k in ('AP_role_S1', 'AP_role_S2', 'AP_agent')}
        report[name]['triplets'] = sum(len(x['hoi_prediction']) for x in preds)
    print(json.dumps(report, indent=1))
    return report


if __name__ == '__main__':
    main()
