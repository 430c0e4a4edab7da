"""Teacher scores of positive and negative triplets over a split (the paper's Fig. 5).

For an image, the *positive* texts are those of its ground-truth (verb, object) pairs; every
other text of the prompt vocabulary is a *negative*. Two groups of hard negatives are also
reported: ``same_verb`` (a pair of the text has the verb of a ground-truth pair, not its
object) and ``same_object`` (the object of a ground-truth pair with another verb). A text
can be in both. ``rank_rate`` of a group is the fraction of (positive, group member) score
pairs of the same image where the positive scores higher (ties count half).
"""
from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .prompts import PromptVocabulary

KINDS = ('positive', 'negative', 'same_verb', 'same_object')
QUANTILES = (0.05, 0.5, 0.95)
TIE_WEIGHT = 0.5


def gt_pairs(data_info: dict) -> set[tuple[int, int]]:
    """(verb, object label) pairs of a data-info dict; object -1 (no object) as -1."""
    labels = [inst['bbox_label'] for inst in data_info['instances']]
    return {(v, labels[h['object']] if h['object'] >= 0 else -1)
            for h in data_info['hois'] for v in h['verbs']}


def text_groups(vocabulary: PromptVocabulary, pairs: set[tuple[int, int]]) -> dict:
    """Boolean (T,) masks of :data:`KINDS` for an image with ground-truth ``pairs``."""
    size = len(vocabulary.texts)
    masks = {kind: np.zeros(size, dtype=bool) for kind in KINDS}
    verbs = {v for v, _ in pairs}
    objects = {o for _, o in pairs if o >= 0}
    texts_of_verb: dict[int, set[int]] = {}
    for (v, _), t in zip(vocabulary.pairs, vocabulary.pair_to_text):
        texts_of_verb.setdefault(v, set()).add(t)
    for (v, o), t in zip(vocabulary.pairs, vocabulary.pair_to_text):
        # a pair without object matches its verb's text only when that text names no object
        if (v, o) in pairs or ((v, -1) in pairs and len(texts_of_verb[v]) == 1):
            masks['positive'][t] = True
    for (v, o), t in zip(vocabulary.pairs, vocabulary.pair_to_text):
        if masks['positive'][t]:
            continue
        masks['same_verb'][t] |= v in verbs
        masks['same_object'][t] |= o in objects
    masks['negative'] = ~masks['positive']
    return masks


def _rank_rate(pos: np.ndarray, other: np.ndarray) -> tuple[float, int]:
    if not len(pos) or not len(other):
        return 0.0, 0
    diff = pos[:, None] - other[None, :]
    return float((diff > 0).sum() + TIE_WEIGHT * (diff == 0).sum()), diff.size


@dataclass
class ScoreDistribution:
    """Scores of each kind over a split, and the positive-over-kind rate."""

    scores: dict[str, np.ndarray]
    rank_rate: dict[str, float]
    images: int

    def summary_rows(self, teacher: str) -> list[dict]:
        rows = []
        for kind in KINDS:
            values = self.scores[kind]
            qs = np.quantile(values, QUANTILES) if len(values) else [np.nan] * len(QUANTILES)
            rows.append(dict(teacher=teacher, kind=kind, count=len(values),
                             mean=float(values.mean()) if len(values) else np.nan,
                             std=float(values.std()) if len(values) else np.nan,
                             **{f'q{int(q * 100):02d}': float(v) for q, v in zip(QUANTILES, qs)},
                             positive_higher_rate=self.rank_rate.get(kind, np.nan)))
        return rows


def score_distribution(scores: np.ndarray, data_list: Sequence[dict],
                       vocabulary: PromptVocabulary) -> ScoreDistribution:
    """``scores`` (N, T) of the images of ``data_list`` (same order) -> distribution."""
    if scores.shape != (len(data_list), len(vocabulary.texts)):
        raise ValueError(f'scores {scores.shape} for {len(data_list)} images x '
                         f'{len(vocabulary.texts)} texts')
    parts = {kind: [] for kind in KINDS}
    wins = {kind: [0.0, 0] for kind in KINDS[1:]}
    for row, info in zip(np.asarray(scores, dtype=np.float32), data_list):
        masks = text_groups(vocabulary, gt_pairs(info))
        for kind in KINDS:
            parts[kind].append(row[masks[kind]])
        for kind in KINDS[1:]:
            won, total = _rank_rate(row[masks['positive']], row[masks[kind]])
            wins[kind][0] += won
            wins[kind][1] += total
    return ScoreDistribution(
        {kind: np.concatenate(parts[kind]) for kind in KINDS},
        {kind: won / total if total else float('nan') for kind, (won, total) in wins.items()},
        len(data_list))


def write_histogram(dist: ScoreDistribution, csv_path: Path, png_path: Path, title: str,
                    bins: int) -> None:
    """Counts per score bin of every kind (CSV) and their densities (PNG)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    edges = np.histogram_bin_edges(np.concatenate([dist.scores[k] for k in KINDS]), bins=bins)
    counts = {k: np.histogram(dist.scores[k], bins=edges)[0] for k in KINDS}
    with open(csv_path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['bin_low', 'bin_high', *KINDS])
        for i in range(len(edges) - 1):
            writer.writerow([f'{edges[i]:.6g}', f'{edges[i + 1]:.6g}',
                             *(int(counts[k][i]) for k in KINDS)])
    fig, ax = plt.subplots(figsize=(7, 4))
    for kind in KINDS:
        if len(dist.scores[kind]):
            ax.hist(dist.scores[kind], bins=edges, density=True, histtype='step',
                    linewidth=1.5, label=f'{kind} ({len(dist.scores[kind])})')
    ax.set_xlabel('teacher score')
    ax.set_ylabel('density')
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(png_path, dpi=120)
    plt.close(fig)
