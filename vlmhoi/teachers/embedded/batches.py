"""Training batches of the embedded teachers: images as tensors, texts with labels.

Each image gets a prompt form drawn uniformly from ``captions.TRAIN_FORMS`` (``full``,
``verb``, ``object``, ``natural``, ``reference_code``: every form Table 4 and the reference
code score), so one teacher scores every form.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch.nn.utils.rnn import pad_sequence
from transformers import PreTrainedTokenizerBase

from .captions import (
    NEGATIVE_TYPES,
    TRAIN_FORMS,
    Pair,
    candidate_pairs,
    hard_negatives,
    text,
    vocabulary_pairs,
)

REJECTION_TRIES = 100           # random draws for a false vocabulary pair before giving up


def pixel_batch(images: np.ndarray, mean: Sequence[float], std: Sequence[float],
                flip: np.ndarray | None = None) -> torch.Tensor:
    """uint8 images (B, S, S, 3) -> normalised pixel_values (B, 3, S, S) float32.

    The same rescale (1/255) and normalisation as the saved image processor; ``flip`` (B,)
    bool mirrors some images horizontally.
    """
    x = torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2).float() / 255.0
    if flip is not None and flip.any():
        idx = torch.from_numpy(np.flatnonzero(flip))
        x[idx] = x[idx].flip(-1)
    m = torch.tensor(mean, dtype=torch.float32).view(1, 3, 1, 1)
    s = torch.tensor(std, dtype=torch.float32).view(1, 3, 1, 1)
    return (x - m) / s


def all_true_texts(true_pairs: Sequence[Pair]) -> set[str]:
    """The sentences of an image's true pairs in every training form."""
    return {text(f, p) for f in TRAIN_FORMS for p in true_pairs}


def _false_pair(rng: np.random.Generator, pool: Sequence[Pair], truth: set[Pair],
                true_texts: set[str], form: str) -> Pair:
    for _ in range(REJECTION_TRIES):
        p = pool[int(rng.integers(len(pool)))]
        if p not in truth and text(form, p) not in true_texts:
            return p
    raise RuntimeError(f'no false pair found in {REJECTION_TRIES} draws for {sorted(truth)}')


def itm_examples(rng: np.random.Generator, true_pairs: Sequence[Pair],
                 vocabulary_negatives: int, positives: int = 1
                 ) -> list[tuple[str, int, float]]:
    """(text, label, balance weight) of one image, in one prompt form: ``positives`` true
    pairs (distinct while the image has enough), each followed by one of each hard-negative
    type, then vocabulary negatives: ``positives * (1 + len(NEGATIVE_TYPES)) +
    vocabulary_negatives`` examples. A hard-negative type without a candidate is replaced by
    a false pair of the world's candidates (still built from the world's verbs and objects).

    The balance weight of a positive is ``n / positives`` for an image with ``n``
    distinct true texts in the form, so every true text of every image weighs 1 in
    expectation however often the slots repeat it (an image with one true pair shows it
    ``positives`` times); negatives weigh 1."""
    truth = set(true_pairs)
    form = TRAIN_FORMS[int(rng.integers(len(TRAIN_FORMS)))]
    true_texts = {text(form, p) for p in truth}
    order = rng.permutation(len(true_pairs))
    out = []
    balance = len(true_texts) / positives
    for k in range(positives):
        pair = true_pairs[int(order[k % len(order)])]
        out.append((text(form, pair), 1, balance))
        negatives = hard_negatives(truth, pair, form)
        for kind in NEGATIVE_TYPES:
            options = negatives[kind]
            neg = (options[int(rng.integers(len(options)))] if options
                   else _false_pair(rng, candidate_pairs(), truth, true_texts, form))
            out.append((text(form, neg), 0, 1.0))
    for _ in range(vocabulary_negatives):
        out.append((text(form, _false_pair(rng, vocabulary_pairs(), truth, true_texts, form)),
                    0, 1.0))
    return out


def contrastive_texts(rng: np.random.Generator, batch_pairs: Sequence[Sequence[Pair]],
                      vocabulary_negatives: int) -> tuple[list[str], torch.Tensor]:
    """Texts of a contrastive batch (one form for the batch) and the truth matrix.

    The texts are every true text of every image plus, per image, one hard negative of
    each type for a random true pair and ``vocabulary_negatives`` false vocabulary texts.
    Returns (texts, truth (B, T) bool: text t is true for image b).
    """
    form = TRAIN_FORMS[int(rng.integers(len(TRAIN_FORMS)))]
    chosen: dict[str, None] = {}
    for pairs in batch_pairs:
        truth = set(pairs)
        true_texts = {text(form, p) for p in truth}
        for t in sorted(true_texts):
            chosen.setdefault(t, None)
        pair = pairs[int(rng.integers(len(pairs)))]
        negatives = hard_negatives(truth, pair, form)
        for kind in NEGATIVE_TYPES:
            if negatives[kind]:
                chosen.setdefault(text(form, negatives[kind][int(rng.integers(
                    len(negatives[kind])))]), None)
        for _ in range(vocabulary_negatives):
            chosen.setdefault(text(form, _false_pair(rng, vocabulary_pairs(), truth,
                                                     true_texts, form)), None)
    texts = list(chosen)
    truth = torch.zeros(len(batch_pairs), len(texts), dtype=torch.bool)
    index = {t: j for j, t in enumerate(texts)}
    for b, pairs in enumerate(batch_pairs):
        for p in pairs:
            truth[b, index[text(form, p)]] = True
    return texts, truth


class TokenTable:
    """Tokenised texts, cached: texts -> (input_ids, attention_mask) (N, L) padded to the
    longest text of the call."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase) -> None:
        self.tokenizer = tokenizer
        self._ids: dict[str, torch.Tensor] = {}

    def __call__(self, texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
        missing = [t for t in dict.fromkeys(texts) if t not in self._ids]
        if missing:
            enc = self.tokenizer(missing, truncation=True)['input_ids']
            self._ids.update((t, torch.tensor(r, dtype=torch.long)) for t, r in zip(missing, enc))
        rows = [self._ids[t] for t in texts]
        ids = pad_sequence(rows, batch_first=True, padding_value=self.tokenizer.pad_token_id)
        lengths = torch.tensor([len(r) for r in rows])
        mask = (torch.arange(ids.shape[1]) < lengths[:, None]).long()
        return ids, mask
