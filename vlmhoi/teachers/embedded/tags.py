"""Image tags of the BLIP teacher's training-only tagging term.

A tag is a verb, an object or a (verb, object) pair of the synthetic world
(``captions.candidate_pairs``); an image's tags are those of its true pairs. The head is a
linear layer on the element-wise maximum of the ViT's output tokens (the patch tokens and
the class token), trained with binary cross-entropy beside the ITM loss: a dense, per-image
signal about what the image shows, which the ViT of a teacher trained from scratch on a few
thousand images otherwise gets only through the ITM head's cross-attention. The maximum,
not the mean, because a synthetic object covers one or two of the 36 patches: a probe
trained on the tagging loss alone barely left the tag prior with the mean (23.6 -> 20.7 per
image after 1,200 steps) and fell to 11.0 with the maximum (docs/embedded_teachers.md).
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import torch
import torch.nn.functional as F

from .captions import Pair, candidate_pairs


@cache
def tag_names() -> tuple[str, ...]:
    """Verbs, objects and pairs of the world's candidate pairs (sorted within each kind)."""
    pairs = candidate_pairs()
    return (*sorted({v for v, _ in pairs}), *sorted({o for _, o in pairs}),
            *(f'{v} {o}' for v, o in sorted(pairs)))


@cache
def _tag_index() -> dict[str, int]:
    return {t: j for j, t in enumerate(tag_names())}


def tag_targets(batch_pairs: Sequence[Sequence[Pair]]) -> torch.Tensor:
    """(B, n_tags) float 0 / 1: the tags of each image's true pairs."""
    index = _tag_index()
    out = torch.zeros(len(batch_pairs), len(index))
    for b, pairs in enumerate(batch_pairs):
        for v, o in pairs:
            for tag in (v, o, f'{v} {o}'):
                if tag not in index:
                    raise ValueError(f'image {b}: {tag!r} of its true pair ({v}, {o}) is not '
                                     'a tag of the synthetic world (captions.candidate_pairs)')
                out[b, index[tag]] = 1.0
    return out


class TagHead(torch.nn.Module):
    """Linear tag logits from the ViT's output tokens (B, N, D) -> (B, n_tags), max-pooled."""

    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.fc = torch.nn.Linear(hidden, len(tag_names()))

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.fc(tokens.amax(dim=1))

    def loss(self, tokens: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Binary cross-entropy summed over the tags, mean over the images."""
        return F.binary_cross_entropy_with_logits(self(tokens), targets,
                                                  reduction='sum') / len(targets)
