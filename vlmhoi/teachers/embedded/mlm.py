"""Image-conditioned masked language modelling, a training-only term of the BLIP teacher.

ALBEF's third pre-training loss (Li et al. 2021, Sec. 3.2): some words of a true caption
are replaced by ``[MASK]`` and predicted from the other words *and the image*, through the
same text encoder with cross-attention that the ITM head reads. Predicting the masked verb
of "a person [MASK] a sports ball" from the image is the verb-swap comparison, made dense:
every content word of every positive caption gives a gradient to the cross-attention, where
the ITM loss gives one bit per sentence. The prediction head is used only in training: the
saved teacher is the plain BLIP ITM model (``tests/teachers/test_embedded_mlm.py``).

Content words are those not shared by every sentence of a prompt form ("a", "person"):
masking them carries no information about the image.
"""
from __future__ import annotations

from functools import cache, reduce

import numpy as np
import torch
import torch.nn.functional as F
from transformers import PreTrainedTokenizerBase

from ..prompts import PROMPT_FORMS
from .captions import text, vocabulary_pairs

IGNORE_INDEX = -100             # label of the positions not masked (F.cross_entropy default)


@cache
def template_words(forms: tuple[str, ...] = PROMPT_FORMS) -> frozenset[str]:
    """Words that every sentence of some form contains (lower case): ``{'a', 'person'}``."""
    out: set[str] = set()
    for form in forms:
        sentences = [set(text(form, p).lower().split()) for p in vocabulary_pairs()]
        out |= reduce(set.intersection, sentences)
    return frozenset(out)


def content_token_mask(tokenizer: PreTrainedTokenizerBase) -> torch.Tensor:
    """(vocab,) bool: the token ids that may be masked (not special, not a template word)."""
    vocab = tokenizer.get_vocab()
    keep = torch.zeros(len(tokenizer), dtype=torch.bool)
    blocked = set(tokenizer.all_special_tokens) | template_words()
    for token, i in vocab.items():
        keep[i] = token not in blocked
    return keep


def mask_tokens(rng: np.random.Generator, ids: torch.Tensor, content: torch.Tensor,
                mask_id: int, prob: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Mask content tokens of ``ids`` (N, L) with probability ``prob``, at least one per row
    that has any. Returns (masked ids (N, L), labels (N, L): the original id where masked,
    ``IGNORE_INDEX`` elsewhere)."""
    if not 0.0 < prob <= 1.0:
        raise ValueError(f'mask_tokens: prob {prob} is not in (0, 1]')
    candidates = content[ids].numpy()
    chosen = (rng.random(ids.shape) < prob) & candidates
    for row in np.flatnonzero(~chosen.any(axis=1) & candidates.any(axis=1)):
        cols = np.flatnonzero(candidates[row])
        chosen[row, cols[int(rng.integers(len(cols)))]] = True
    chosen_t = torch.from_numpy(chosen)
    labels = torch.where(chosen_t, ids, torch.full_like(ids, IGNORE_INDEX))
    return ids.masked_fill(chosen_t, mask_id), labels


class MlmHead(torch.nn.Module):
    """BERT's prediction head: (N, L, D) text-encoder states -> (N, L, vocab) logits."""

    def __init__(self, hidden: int, vocab_size: int) -> None:
        super().__init__()
        self.transform = torch.nn.Sequential(torch.nn.Linear(hidden, hidden), torch.nn.GELU(),
                                             torch.nn.LayerNorm(hidden))
        self.decoder = torch.nn.Linear(hidden, vocab_size)

    def forward(self, states: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.transform(states))

    def loss(self, states: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Cross-entropy over the masked positions (mean)."""
        logits = self(states)
        return F.cross_entropy(logits.float().flatten(0, 1), labels.flatten(),
                               ignore_index=IGNORE_INDEX)
