"""Statistics of a generated world: ``stats.json``, ``category_counts.csv``, a summary."""
from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..rare_split import RARE_THRESHOLD, rare_label
from ..vocab import vcoco_action_roles, vcoco_official_actions
from .hico_writer import hoi_id_by_pair, object_id_by_name, verb_id_by_name
from .records import ImageRecord

STATS_FILE = 'stats.json'
COUNTS_FILE = 'category_counts.csv'


@dataclass
class WorldStats:
    """What a generated world contains (per split where it says so)."""

    seed: int
    size: int
    images: dict[str, int]
    boxes: dict[str, int]
    people: dict[str, int]
    objects: dict[str, int]
    hoi_instances: dict[str, int]
    categories: dict[str, int]                 # HOI categories present per split
    head_categories: int                       # >= RARE_THRESHOLD train instances
    rare_categories: int                       # 1 .. RARE_THRESHOLD - 1 train instances
    rare_categories_in_test: int
    verbs: int                                 # distinct HICO verbs present (train)
    object_classes: int                        # distinct object classes with a HOI (train)
    multi_verb_pairs: dict[str, int]           # (person, object) pairs with >= 2 verbs
    idle_people: dict[str, int]                # people without an object interaction
    distractors: dict[str, int]                # objects nobody interacts with
    vcoco_instances: dict[str, int]
    vcoco_actions_missing_in_test: list[str]   # official actions without a test positive
    per_category: list[dict] = field(default_factory=list)
    vcoco_per_role: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        """A few human-readable lines."""
        s = self
        lines = [
            f'images       train {s.images["train"]:6d}   test {s.images["test"]:6d}'
            f'   ({s.size}x{s.size}, seed {s.seed})',
            f'boxes        train {s.boxes["train"]:6d}   test {s.boxes["test"]:6d}'
            f'   (people {s.people["train"]}/{s.people["test"]},'
            f' objects {s.objects["train"]}/{s.objects["test"]})',
            f'HOIs (HICO)  train {s.hoi_instances["train"]:6d}   test {s.hoi_instances["test"]:6d}'
            f'   multi-verb pairs {s.multi_verb_pairs["train"]}/{s.multi_verb_pairs["test"]}',
            f'categories   train {s.categories["train"]:6d}   test {s.categories["test"]:6d}'
            f'   head (>= {RARE_THRESHOLD} train) {s.head_categories},'
            f' rare {s.rare_categories} ({s.rare_categories_in_test} of them in test)',
            f'vocabulary   {s.verbs} verbs, {s.object_classes} object classes with HOIs',
            f'idle people  train {s.idle_people["train"]:6d}   test {s.idle_people["test"]:6d}'
            f'   distractors {s.distractors["train"]}/{s.distractors["test"]}',
            f'V-COCO HOIs  train {s.vcoco_instances["train"]:6d}'
            f'   test {s.vcoco_instances["test"]:6d}',
        ]
        if s.vcoco_actions_missing_in_test:
            lines.append('warning: V-COCO actions without a test positive (the official '
                         'vsrl_eval.py fails on them): '
                         + ', '.join(s.vcoco_actions_missing_in_test))
        return '\n'.join(lines)

    def category_table(self) -> str:
        """Per-category train/test counts, most frequent first (as in category_counts.csv)."""
        rows = sorted(self.per_category, key=lambda r: (-r['train'], r['hoi_id']))
        lines = [f'{"hoi":>4} {"verb":<12} {"object":<14} {"train":>6} {"test":>5}']
        lines += [f'{r["hoi_id"]:>4} {r["verb"]:<12} {r["object"]:<14} {r["train"]:>6} '
                  f'{r["test"]:>5}{"  rare" if r["rare"] else ""}' for r in rows]
        return '\n'.join(lines)


def _category_counts(records: list[ImageRecord]) -> Counter:
    obj_ids, verb_ids, hoi_ids = object_id_by_name(), verb_id_by_name(), hoi_id_by_pair()
    counts: Counter = Counter()
    for rec in records:
        for _, obj, verb in rec.scene.hico:
            counts[hoi_ids[(verb_ids[verb], obj_ids[rec.scene.boxes[obj][0]])]] += 1
    return counts


def _multi_verb_pairs(records: list[ImageRecord]) -> int:
    n = 0
    for rec in records:
        pairs = Counter((s, o) for s, o, _ in rec.scene.hico)
        n += sum(1 for c in pairs.values() if c >= 2)
    return n


def compute_stats(records: dict[str, list[ImageRecord]], seed: int, size: int) -> WorldStats:
    """Count everything ``WorldStats`` reports from the generated records."""
    splits = ('train', 'test')
    per = {sp: _category_counts(records[sp]) for sp in splits}
    hoi_meta = {h: (v, o) for (v, o), h in hoi_id_by_pair().items()}
    verb_names = {i: n for n, i in verb_id_by_name().items()}
    obj_names = {i: n for n, i in object_id_by_name().items()}
    rows = []
    for hoi in sorted(set(per['train']) | set(per['test'])):
        v, o = hoi_meta[hoi]
        rows.append({'hoi_id': hoi, 'verb_id': v, 'verb': verb_names[v], 'object_id': o,
                     'object': obj_names[o], 'train': per['train'][hoi],
                     'test': per['test'][hoi],
                     'rare': rare_label(per['train'][hoi])})   # None: not in training
    train_cats = [r for r in rows if r['train'] > 0]
    vc: dict[str, Counter] = {sp: Counter() for sp in splits}
    for sp in splits:
        for rec in records[sp]:
            for _, _, name in rec.scene.vcoco:
                vc[sp][name] += 1
    action_of = {a['name']: a['action'] for a in vcoco_action_roles()}
    test_actions = {action_of[name] for name in vc['test']}
    missing = [a['name'] for a in vcoco_official_actions() if a['name'] not in test_actions]

    def count(fn) -> dict[str, int]:
        return {sp: sum(fn(r) for r in records[sp]) for sp in splits}

    return WorldStats(
        seed=seed, size=size,
        images={sp: len(records[sp]) for sp in splits},
        boxes=count(lambda r: len(r.scene.boxes)),
        people=count(lambda r: sum(1 for n, _ in r.scene.boxes if n == 'person')),
        objects=count(lambda r: sum(1 for n, _ in r.scene.boxes if n != 'person')),
        hoi_instances=count(lambda r: len(r.scene.hico)),
        categories={sp: len(per[sp]) for sp in splits},
        head_categories=sum(1 for r in train_cats if r['rare'] is False),
        rare_categories=sum(1 for r in train_cats if r['rare'] is True),
        rare_categories_in_test=sum(1 for r in train_cats if r['rare'] and r['test'] > 0),
        verbs=len({r['verb'] for r in train_cats}),
        object_classes=len({r['object'] for r in train_cats}),
        multi_verb_pairs={sp: _multi_verb_pairs(records[sp]) for sp in splits},
        idle_people=count(lambda r: len(r.scene.idle)),
        distractors=count(lambda r: len(r.scene.distractors)),
        vcoco_instances=count(lambda r: len(r.scene.vcoco)),
        vcoco_actions_missing_in_test=missing,
        per_category=rows,
        vcoco_per_role={name: {sp: vc[sp][name] for sp in splits}
                        for name in sorted(set(vc['train']) | set(vc['test']))},
    )


def write_stats(out: Path, stats: WorldStats) -> list[Path]:
    """Write ``stats.json`` and ``category_counts.csv``; return their paths."""
    with open(out / STATS_FILE, 'w', encoding='utf-8') as f:
        json.dump(stats.to_dict(), f, indent=1)
    with open(out / COUNTS_FILE, 'w', encoding='utf-8', newline='') as f:
        writer = csv.DictWriter(f, fieldnames=['hoi_id', 'verb_id', 'verb', 'object_id',
                                               'object', 'train', 'test', 'rare'])
        writer.writeheader()
        writer.writerows(stats.per_category)
    return [out / STATS_FILE, out / COUNTS_FILE]
