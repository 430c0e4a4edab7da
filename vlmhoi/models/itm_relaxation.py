"""The differentiable relaxation of the paper's ITM loss (Eq. 4), as pure tensor maths.

Eq. 4: ``L_ITM = sum_i max(0, alpha - sim(I, s_i+)) + sum_j sim(I, s_j-)`` over the image's
predicted triplets, positives matched to ground truth by the Hungarian assignment.

A predicted triplet is a (query q, verb v) pair. With object probabilities ``p_o`` (softmax
over all object logits) and verb probabilities ``p_v`` (sigmoids), and the teacher's score
table ``S(v, o)`` of the image (one score per prompt text, spread over the valid pairs):

    den(q, v) = sum_{o valid with v} p_o(q, o)          (mass of objects the verb can take)
    E(q, v)   = sum_{o valid with v} p_o(q, o) S(v, o) / den(q, v)
    w(q, v)   = p_v(q, v) * den(q, v)                    (soft presence of the triplet)
    L_pos     = sum_{q matched}   sum_v w(q, v) max(0, alpha - E(q, v))
    L_neg     = sum_{q unmatched} sum_v w(q, v) E(q, v)

"No object" and background are never valid objects, so their probability mass carries no
triplet ("no interaction" has no prompt text, so it has no valid object either). When
``p_o`` is one-hot and ``p_v`` is 0/1, ``w`` is 1 exactly on the predicted triplets that are
valid HOI categories, ``E`` is their teacher score, and the sums are Eq. 4's. The gradient
reaches the object logits through ``E`` and ``den`` and the verb logits through ``w``.
"""
from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

DEN_EPS = 1e-12  # den is a sum of probabilities; guards 0 / 0 where w is 0 anyway


def pair_tables(pairs: Sequence[tuple[int, int]], pair_to_text: Sequence[int],
                num_verbs: int, num_obj_logits: int) -> tuple[Tensor, Tensor]:
    """Text index (V, K') of each valid (verb, object logit) pair, -1 elsewhere, and its
    0/1 validity mask (V, K') as float."""
    text_idx = torch.full((num_verbs, num_obj_logits), -1, dtype=torch.long)
    for (v, o), t in zip(pairs, pair_to_text):
        text_idx[v, o] = t
    return text_idx, (text_idx >= 0).float()


def score_grid(scores: Tensor, text_idx: Tensor) -> Tensor:
    """Teacher scores (B, T) -> (B, V, K') over (verb, object logit), 0 at invalid pairs."""
    grid = scores[:, text_idx.clamp(min=0)]
    return grid * (text_idx >= 0).to(scores.dtype)


def triplet_terms(obj_probs: Tensor, verb_probs: Tensor, grid: Tensor,
                  valid: Tensor) -> tuple[Tensor, Tensor]:
    """Soft triplet weights and expected teacher scores.

    Args:
        obj_probs: (B, Q, K') softmax over the object logits.
        verb_probs: (B, Q, V) verb sigmoids.
        grid: (B, V, K') teacher score per (verb, object logit).
        valid: (V, K') 0/1 validity of the pairs.

    Returns:
        ``w`` (B, Q, V) and ``E`` (B, Q, V) of the module docstring.
    """
    den = torch.einsum('bqk,vk->bqv', obj_probs, valid)
    num = torch.einsum('bqk,bvk->bqv', obj_probs, grid * valid)
    return verb_probs * den, num / den.clamp(min=DEN_EPS)


def relaxed_itm(obj_probs: Tensor, verb_probs: Tensor, grid: Tensor, valid: Tensor,
                matched: Tensor, alpha: float,
                neg_margin: float | None = None) -> tuple[Tensor, Tensor]:
    """Per-image positive and negative sums (B,) of the relaxed Eq. 4.

    ``matched`` (B, Q) bool: queries assigned to a ground-truth pair. ``neg_margin``: None is
    Eq. 4's linear negative term; a number m uses ``max(0, E - m)`` instead (for unbounded
    scores such as ``itm_logodds``, where the linear term rewards ever more negative
    scores; an option, off by default).
    """
    w, e = triplet_terms(obj_probs, verb_probs, grid, valid)
    pos = (w * (alpha - e).clamp(min=0)).sum(-1)
    neg_score = e if neg_margin is None else (e - neg_margin).clamp(min=0)
    neg = (w * neg_score).sum(-1)
    m = matched.to(pos.dtype)
    return (pos * m).sum(-1), (neg * (1 - m)).sum(-1)


def mean_scores(grid: Tensor, valid: Tensor, obj_probs: Tensor, verb_probs: Tensor,
                matched: Tensor) -> tuple[Tensor, Tensor]:
    """Log-only: weighted mean teacher score of positive and of negative triplets."""
    with torch.no_grad():
        w, e = triplet_terms(obj_probs, verb_probs, grid, valid)
        m = matched.to(w.dtype).unsqueeze(-1)
        pos_w, neg_w = (w * m).sum(), (w * (1 - m)).sum()
        pos = (w * m * e).sum() / pos_w.clamp(min=DEN_EPS)
        neg = (w * (1 - m) * e).sum() / neg_w.clamp(min=DEN_EPS)
    return pos, neg
