"""Run the reference HICO-DET evaluators on our inputs (equality tests and benchmarks).

Checkouts are found under the folder named by the environment variable
:data:`REFERENCE_REPOS_ENV` (``VLMHOI_REFERENCE_REPOS``): ``$VLMHOI_REFERENCE_REPOS/CDN``,
``.../MUREN``, ``.../qpic``, ``.../gen-vlkt``, ``.../v-coco`` (names of the GitHub
repositories, matched case-insensitively). Nothing here is imported by the evaluators.

The QPIC-line evaluators (``datasets/hico_eval.py``, MUREN's ``hico_eval_ko.py``) are run
from the state their ``__init__`` builds, recreated from exchange-format input with their
rules (validity mask, stable sort, top 100) and their types (ground-truth and predicted
boxes float32, as the dataset class and the model produce them). GEN-VLKT's
``hico_eval_triplet.py`` is run through its own ``__init__``, fed array stand-ins for
torch tensors.
"""
from __future__ import annotations

import contextlib
import importlib
import importlib.util
import io
import os
import sys
import types
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from vlmhoi.rare_split import rare_split
from vlmhoi.vocab import hico_vocab

REFERENCE_REPOS_ENV = 'VLMHOI_REFERENCE_REPOS'
REF_KEYS = {'mAP': 'mAP_full', 'mAP rare': 'mAP_rare', 'mAP non-rare': 'mAP_non_rare',
            'mean max recall': 'mean_max_recall', 'mAP ko': 'mAP_full_ko',
            'mAP rare ko': 'mAP_rare_ko', 'mAP non-rare ko': 'mAP_non_rare_ko',
            'mean max recall ko': 'mean_max_recall_ko'}
_UNUSED_IMPORTS = ('cv2', 'pycocotools', 'pycocotools.coco', 'pycocotools.cocoeval', 'tqdm',
                   'matplotlib', 'matplotlib.pyplot', 'matplotlib.patches', 'torch')


def reference_checkout(name: str, *required: str) -> Path | None:
    """``$VLMHOI_REFERENCE_REPOS/<name>`` if it exists and holds the ``required`` files."""
    root = os.environ.get(REFERENCE_REPOS_ENV)
    if not root or not Path(root).is_dir():
        return None
    for path in Path(root).iterdir():
        if path.name.lower() == name.lower() and path.is_dir():
            return path if all((path / r).exists() for r in required) else None
    return None


def _stub_module(name: str) -> types.ModuleType:
    """A stand-in whose attributes are callables returning their first argument."""
    stub = types.ModuleType(name)

    def attr(key: str) -> Any:
        if key.startswith('__'):
            raise AttributeError(key)
        return lambda *a, **k: a[0] if a else None
    stub.__getattr__ = attr
    return stub


def stub_unused_imports() -> None:
    """Stand-ins for modules the reference files import but the evaluators never use."""
    for name in _UNUSED_IMPORTS:
        try:
            importlib.import_module(name)
        except ImportError:
            sys.modules[name] = _stub_module(name)


def load_reference(repo: str | Path) -> tuple[type, type | None]:
    """``HICOEvaluator`` (and ``HICOEvaluatorKO`` if present) from a QPIC-line checkout."""
    stub_unused_imports()
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


def rare_triplets(train: list[dict]) -> tuple[list, list]:
    """``set_rare_hois`` of the reference datasets: (rare, non-rare) contiguous triplets."""
    v = hico_vocab()
    counts: dict[tuple, int] = defaultdict(lambda: 0)
    for e in train:
        b = e['annotations']
        for h in e['hoi_annotation']:
            counts[(v.object_index(b[h['subject_id']]['category_id']),
                    v.object_index(b[h['object_id']]['category_id']),
                    v.verb_index(h['category_id']))] += 1
    keys = list(counts)
    rare, non_rare = rare_split([counts[k] for k in keys])
    return ([k for k, r in zip(keys, rare) if r], [k for k, r in zip(keys, non_rare) if r])


def _f32(bbox: list[float]) -> list:
    """What ``list(bbox)`` of a float32 tensor row gives the reference: float32 scalars."""
    return list(np.asarray(bbox, dtype=np.float32))


def reference_state(test: list[dict], train: list[dict], preds: list[dict],
                    max_hois: int = 100) -> dict[str, Any]:
    """The state the QPIC-line ``__init__`` builds, from exchange-format input."""
    v = hico_vocab()
    mat = v.correct_mat()
    oi, vi = v.object_index, v.verb_index
    rare, non_rare = rare_triplets(train)
    ref_preds = []
    for e, g in zip(preds, test):
        boxes = [{'bbox': _f32(b['bbox']), 'category_id': oi(b['category_id'])}
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
        anns = [{'bbox': _f32(b['bbox']), 'category_id': oi(b['category_id'])}
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
