"""Speed and agreement of the HICO-DET evaluator on a synthetic test set sized like HICO-DET.

    python benchmark/bench_hico_eval.py [--images 9658] [--reference-repo PATH]

Generates ground truth (9,658 test images, ~3.5 HOIs each, long-tailed over the 600 HOIs),
training annotations (for the rare split) and 100 predicted triplets per image from 64
query pairs (jittered ground-truth pairs and random ones, some tied scores), then times
``evaluate_hico`` (Default and Known-Object in one call) in both modes, split into
reading the exchange-format lists into arrays (``parse``) and evaluating them (``core``).
With ``--reference-repo`` (a checkout of CDN / QPIC / MUREN) it imports that repo's
``datasets/hico_eval.py`` (and ``hico_eval_ko.py`` if present), runs it on the same input
in the same process and prints the time ratio and the largest metric difference. The
reference's ``__init__`` (torch tensors -> lists, a json dump) is replaced by building its
state from the exchange format with the same rules (validity mask, stable sort, top 100),
so only its ``evaluate`` is timed (Default, plus Known-Object when ``hico_eval_ko.py``
exists). ``speedup`` compares it with our parse + core, ``speedup_core`` with our core.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import sys
import time
import types
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vlmhoi.evaluation.hico_eval import evaluate_hico  # noqa: E402
from vlmhoi.evaluation.hico_gt import hico_gt_from_entries  # noqa: E402
from vlmhoi.evaluation.pred_format import read_predictions  # noqa: E402
from vlmhoi.vocab import hico_vocab  # noqa: E402

REF_KEYS = {'mAP': 'mAP_full', 'mAP rare': 'mAP_rare', 'mAP non-rare': 'mAP_non_rare',
            'mean max recall': 'mean_max_recall', 'mAP ko': 'mAP_full_ko',
            'mAP rare ko': 'mAP_rare_ko', 'mAP non-rare ko': 'mAP_non_rare_ko',
            'mean max recall ko': 'mean_max_recall_ko'}


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


def _stub_module(name: str) -> types.ModuleType:
    """A stand-in whose attributes are callables returning their first argument."""
    stub = types.ModuleType(name)

    def attr(key: str) -> Any:
        if key.startswith('__'):
            raise AttributeError(key)
        return lambda *a, **k: a[0] if a else None
    stub.__getattr__ = attr
    return stub


def load_reference(repo: str | Path) -> tuple[type, type | None]:
    """``HICOEvaluator`` (and ``HICOEvaluatorKO`` if present) from a reference checkout.

    Imports it needs but never uses (cv2, pycocotools, matplotlib) are stubbed if missing.
    """
    for name in ('cv2', 'pycocotools', 'pycocotools.coco', 'pycocotools.cocoeval', 'tqdm',
                 'matplotlib', 'matplotlib.pyplot', 'matplotlib.patches', 'torch'):
        try:
            importlib.import_module(name)
        except ImportError:
            sys.modules[name] = _stub_module(name)
    classes = []
    for fname, cls in (('hico_eval.py', 'HICOEvaluator'), ('hico_eval_ko.py', 'HICOEvaluatorKO')):
        path = Path(repo) / 'datasets' / fname
        if not path.exists():
            classes.append(None)
            continue
        spec = importlib.util.spec_from_file_location(f'_ref_{path.stem}', path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        classes.append(getattr(mod, cls))
    if classes[0] is None:
        raise FileNotFoundError(f'{repo}/datasets/hico_eval.py not found')
    return classes[0], classes[1]


def reference_state(test: list[dict], train: list[dict], preds: list[dict],
                    max_hois: int = 100) -> dict[str, Any]:
    """The state the reference ``__init__`` builds, from exchange-format input."""
    v = hico_vocab()
    mat = v.correct_mat()
    oi, vi = v.object_index, v.verb_index
    counts: dict[tuple, int] = defaultdict(lambda: 0)   # set_rare_hois
    for e in train:
        b = e['annotations']
        for h in e['hoi_annotation']:
            counts[(oi(b[h['subject_id']]['category_id']), oi(b[h['object_id']]['category_id']),
                    vi(h['category_id']))] += 1
    rare = [t for t, c in counts.items() if c < 10]
    non_rare = [t for t, c in counts.items() if c >= 10]
    ref_preds = []
    for e, g in zip(preds, test):
        boxes = [{'bbox': list(b['bbox']), 'category_id': oi(b['category_id'])}
                 for b in e['predictions']]
        hois = [{'subject_id': h['subject_id'], 'object_id': h['object_id'],
                 'category_id': vi(h['category_id']),
                 'score': h['score'] * mat[vi(h['category_id']),
                                           boxes[h['object_id']]['category_id']]}
                for h in e['hoi_prediction']]
        hois.sort(key=lambda k: k.get('score', 0), reverse=True)
        ref_preds.append({'filename': g['file_name'], 'predictions': boxes,
                          'hoi_prediction': hois[:max_hois]})
    gts, gt_triplets, sum_gts = [], [], defaultdict(lambda: 0)
    for g in test:
        anns = [{'bbox': list(b['bbox']), 'category_id': oi(b['category_id'])}
                for b in g['annotations']]
        hois = [{'subject_id': h['subject_id'], 'object_id': h['object_id'],
                 'category_id': vi(h['category_id'])} for h in g['hoi_annotation']]
        gts.append({'filename': g['file_name'], 'annotations': anns, 'hoi_annotation': hois})
        for h in hois:
            t = (anns[h['subject_id']]['category_id'], anns[h['object_id']]['category_id'],
                 h['category_id'])
            if t not in gt_triplets:
                gt_triplets.append(t)
            sum_gts[t] += 1
    return dict(preds=ref_preds, gts=gts, gt_triplets=gt_triplets, sum_gts=sum_gts,
                rare_triplets=rare, non_rare_triplets=non_rare)


def run_reference(cls: type, state: dict[str, Any]) -> dict[str, float]:
    """Run the reference ``evaluate`` on a prepared state; returns our key names."""
    ev = cls.__new__(cls)
    ev.overlap_iou, ev.max_hois, ev.use_nms_filter = 0.5, 100, False
    ev.fp, ev.tp, ev.score = defaultdict(list), defaultdict(list), defaultdict(list)
    for k in ('preds', 'gts', 'gt_triplets', 'rare_triplets', 'non_rare_triplets'):
        setattr(ev, k, state[k])
    ev.sum_gts = state['sum_gts']
    with contextlib.redirect_stdout(io.StringIO()):
        out = ev.evaluate()
    return {REF_KEYS[k]: float(val) for k, val in out.items() if k in REF_KEYS}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--images', type=int, default=9658)
    p.add_argument('--train-images', type=int, default=38118)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--repeat', type=int, default=3, help='timed runs of ours (best is kept)')
    p.add_argument('--reference-repo', help='checkout of CDN / QPIC / MUREN')
    args = p.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    test = make_gt(args.images, rng)
    train = make_gt(args.train_images, rng, prefix='HICO_train2015')
    preds = make_predictions(test, rng)
    report: dict[str, Any] = {
        'images': len(test), 'gt_hois': sum(len(e['hoi_annotation']) for e in test),
        'pred_triplets': sum(len(e['hoi_prediction']) for e in preds),
        'generate_s': round(time.perf_counter() - t0, 2)}
    t0 = time.perf_counter()
    gt = hico_gt_from_entries(test, train)
    report['load_gt_s'] = round(time.perf_counter() - t0, 3)
    results = {}
    for mode in ('reference', 'official'):
        parse, core = [], []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            flat = read_predictions(preds, gt.file_names, gt.vocab, 'synthetic predictions')
            t1 = time.perf_counter()
            results[mode] = evaluate_hico(gt, flat, mode=mode)
            parse.append(t1 - t0)
            core.append(time.perf_counter() - t1)
        report[f'ours_{mode}_s'] = round(min(p + c for p, c in zip(parse, core)), 3)
        report[f'ours_{mode}_parse_s'] = round(min(parse), 3)
        report[f'ours_{mode}_core_s'] = round(min(core), 3)
        report[f'ours_{mode}'] = {k: results[mode].metrics[k] for k in (
            'mAP_full', 'mAP_rare', 'mAP_non_rare', 'mAP_full_ko', 'mAP_rare_ko',
            'mAP_non_rare_ko')}
    if args.reference_repo:
        ref_cls, ref_ko_cls = load_reference(args.reference_repo)
        state = reference_state(test, train, preds)
        t0 = time.perf_counter()
        ref = run_reference(ref_ko_cls or ref_cls, state)
        report['reference_s'] = round(time.perf_counter() - t0, 2)
        report['reference_evaluator'] = (ref_ko_cls or ref_cls).__name__
        report['reference'] = {k: val * 100 for k, val in ref.items()}
        report['speedup'] = round(report['reference_s'] / report['ours_reference_s'], 1)
        report['speedup_core'] = round(report['reference_s'] / report['ours_reference_core_s'], 1)
        report['max_abs_diff'] = max(abs(results['reference'].raw[k] - val)
                                     for k, val in ref.items())
        report['compared_keys'] = sorted(ref)
    print(json.dumps(report, indent=1))
    return report


if __name__ == '__main__':
    main()
