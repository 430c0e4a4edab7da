"""Ranking accuracy of a teacher on held-out images of a generated synthetic world.

For every test image, every true (verb, object) pair of it and every hard negative of that
pair (``captions.hard_negatives``: verb-swapped, object-swapped, compositional; all of
them, not a sample), a *win* is the true pair's sentence scoring strictly higher than the
negative's (a tie is a loss). The rate is split by the true pair's category: ``rare`` /
``head`` by its number of training instances in the detector's training split
(``vlmhoi.rare_split``, one rule; categories without a training instance count in
``all`` only). The default held-out images are the detector's **test** split: the
teacher never saw them (its corpus has its own random streams).
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

from ...rare_split import rare_label
from ...synth.records import IMAGE_DIR
from ...synth.splits import TEST_FILE, TRAINVAL_FILE
from ...vocab import hico_vocab
from .captions import NEGATIVE_TYPES, TRAIN_FORMS, Pair, hard_negatives, text

GROUPS = ('all', 'head', 'rare')
PRIMARY_FORM = 'full'


def read_split(ann_file: str | Path) -> list[tuple[str, list[Pair]]]:
    """(file name, distinct true (verb, object) names) per image of a QPIC-format file."""
    vocab = hico_vocab()
    ann_file = Path(ann_file)
    out = []
    for k, entry in enumerate(json.loads(ann_file.read_text(encoding='utf-8'))):
        try:
            boxes = entry['annotations']
            pairs: dict[Pair, None] = {}
            for hoi in entry['hoi_annotation']:
                obj = boxes[hoi['object_id']]['category_id']
                pairs.setdefault((vocab.verb_names[vocab.verb_index(hoi['category_id'])],
                                  vocab.object_names[vocab.object_index(obj)]), None)
            out.append((entry['file_name'], list(pairs)))
        except (KeyError, IndexError, TypeError) as err:
            raise ValueError(f'{ann_file}: entry {k} ({entry.get("file_name", "?")!r}) is not a '
                             f'valid HICO-DET annotation: {err!r}') from None
    return out


def train_pair_counts(world: str | Path) -> Counter:
    """Training instances per (verb, object) pair in the world's detector training split."""
    vocab = hico_vocab()
    data = json.loads((Path(world) / TRAINVAL_FILE).read_text(encoding='utf-8'))
    counts: Counter = Counter()
    for entry in data:
        for hoi in entry['hoi_annotation']:
            obj = entry['annotations'][hoi['object_id']]['category_id']
            counts[(vocab.verb_names[vocab.verb_index(hoi['category_id'])],
                    vocab.object_names[vocab.object_index(obj)])] += 1
    return counts


def _empty() -> dict:
    return {g: {'wins': 0, 'total': 0} for g in GROUPS}


def ranking_accuracy(teacher, world: str | Path, forms: Sequence[str] = TRAIN_FORMS,
                     max_images: int | None = None, progress: bool = False) -> dict:
    """``{form: {negative type: {group: {wins, total, rate}}}}`` on the world's test split.

    ``teacher`` is an ``HOITeacher`` (``score(images, texts) -> (B, T)``, higher = match).
    """
    world = Path(world)
    images = read_split(world / TEST_FILE)[:max_images]
    counts = train_pair_counts(world)
    table = {f: {k: _empty() for k in NEGATIVE_TYPES} for f in forms}
    items = images
    if progress:
        from tqdm import tqdm
        items = tqdm(images, desc='ranking', file=sys.stderr, leave=False)
    for file_name, truth in items:
        if not truth:
            continue
        comparisons = []           # (form, type, group label, positive text, negative text)
        for form in forms:
            for pair in truth:
                label = rare_label(counts.get(pair, 0))
                group = None if label is None else ('rare' if label else 'head')
                for kind, negs in hard_negatives(truth, pair, form).items():
                    comparisons += [(form, kind, group, text(form, pair), text(form, n))
                                    for n in negs]
        if not comparisons:
            continue
        texts = list(dict.fromkeys(t for c in comparisons for t in c[3:]))
        index = {t: j for j, t in enumerate(texts)}
        with Image.open(world / IMAGE_DIR['test'] / file_name) as im:
            scores = teacher.score([im.convert('RGB')], texts)[0]
        for form, kind, group, pos, neg in comparisons:
            win = int(scores[index[pos]] > scores[index[neg]])
            for g in ('all', group) if group else ('all',):
                cell = table[form][kind][g]
                cell['wins'] += win
                cell['total'] += 1
    for per_form in table.values():
        for per_kind in per_form.values():
            for cell in per_kind.values():
                cell['rate'] = cell['wins'] / cell['total'] if cell['total'] else None
    return table


def format_table(table: dict, title: str) -> str:
    """Rates as a text table: one row per form and negative type, head / rare / all."""
    lines = [title, f'{"form":<15}{"negative":<15}{"head":>16}{"rare":>16}{"all":>16}']
    for form, per_form in table.items():
        for kind, cells in per_form.items():
            row = f'{form:<15}{kind:<15}'
            for g in ('head', 'rare', 'all'):
                c = cells[g]
                row += (f'{100 * c["rate"]:>8.1f}% ({c["total"]:>4})' if c['total']
                        else f'{"-":>16}')
            lines.append(row)
    return '\n'.join(lines)
