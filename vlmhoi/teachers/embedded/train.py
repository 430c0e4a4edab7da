"""Training loops of the embedded teachers on the caption corpus.

BLIP: image-text matching, cross-entropy over (no-match, match) on one positive and hard
negatives per image (``batches.itm_examples``); the ViT runs once per image, its output is
repeated for the image's texts exactly as ``BlipForImageTextRetrieval.forward`` feeds the
text encoder. CLIP: symmetric contrastive loss with several positives per image (a
caption is true for every image that contains its pair): ``-log`` of the softmax mass on
the positives, image-to-text and text-to-image.

Schedule: linear warm-up then cosine, driven by ``progress = max(step / total_steps,
elapsed / budget)``, so a run ends on time on a loaded machine with its learning rate
annealed, and ends by steps (``recipe.epochs``) on a fast one.
"""
from __future__ import annotations

import logging
import math
import sys
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from ...synth.corpus import CaptionCorpus
from .batches import TokenTable, all_true_texts, contrastive_texts, itm_examples, pixel_batch
from .config import TeacherRecipe
from .mlm import MlmHead, content_token_mask, mask_tokens
from .tags import TagHead, tag_targets

logger = logging.getLogger('vlmhoi.teachers.embedded')
LOG_EVERY = 20                  # steps between loss log lines
ITC_TEMPERATURE = 0.07          # BLIP's initial contrastive temperature


@dataclass
class TrainLog:
    """What a training run did (goes into the training report JSON)."""

    steps: int
    images_seen: int
    seconds: float
    cpu_seconds: float          # process CPU time (all threads): the load-independent cost
    stopped_by: str             # 'steps' | 'time'
    final_loss: float
    losses: list[float]         # mean loss per LOG_EVERY steps
    autocast_bf16: bool         # whether the forwards ran under bf16 autocast


def bf16_autocast_available() -> bool:
    """Whether oneDNN reports bf16 kernels on this CPU. ``recipe.autocast_bf16`` is applied
    only then: its speed-up was measured on an AVX512-BF16 CPU, not on older ones."""
    return bool(torch.backends.mkldnn.is_available()
                and torch.ops.mkldnn._is_mkldnn_bf16_supported())


def lr_factor(progress: float, warmup: float) -> float:
    """Warm-up then cosine multiplier of the base learning rate at ``progress`` in [0, 1]."""
    if progress < warmup:
        return max(progress / warmup, 1e-3)
    return 0.5 * (1 + math.cos(math.pi * min(1.0, (progress - warmup) / (1 - warmup))))


def _blip_batch(rng: np.random.Generator, batch_pairs, recipe: TeacherRecipe,
                tokens: TokenTable) -> dict:
    """Texts of a BLIP step, the same number per image (``batches.itm_examples``). Returns
    ids / mask (N, L), labels (N,), weights (N,) (the balance weights, or ones unless
    ``recipe.balance_positives``), itc_truth (B, N), tags (B, n_tags) or None, and mlm:
    None or the positives with their content tokens (``mlm.content_token_mask``) masked
    (``mlm.mask_tokens``): dict(ids, mask, labels (P, L), image (P,) their image's row)."""
    examples = [e for pairs in batch_pairs
                for e in itm_examples(rng, pairs, recipe.vocabulary_negatives,
                                      recipe.positives)]
    texts = [t for t, _, _ in examples]
    itc_truth = torch.tensor([[t in true for t in texts]
                              for true in map(all_true_texts, batch_pairs)])
    ids, mask = tokens(texts)
    labels = torch.tensor([y for _, y, _ in examples])
    weights = torch.tensor([w if recipe.balance_positives else 1.0 for _, _, w in examples])
    mlm = None
    if recipe.mlm_weight > 0:
        rows = torch.nonzero(labels == 1).squeeze(1)
        masked, mlm_labels = mask_tokens(rng, ids[rows], content_token_mask(tokens.tokenizer),
                                         tokens.tokenizer.mask_token_id, recipe.mlm_prob)
        mlm = dict(ids=masked, mask=mask[rows], labels=mlm_labels,
                   image=rows // (len(examples) // len(batch_pairs)))
    return dict(ids=ids, mask=mask, labels=labels, weights=weights, itc_truth=itc_truth,
                tags=tag_targets(batch_pairs) if recipe.tag_weight > 0 else None, mlm=mlm)


def _blip_loss(model, pixels: torch.Tensor, heads: dict, recipe: TeacherRecipe,
               ids: torch.Tensor, mask: torch.Tensor, labels: torch.Tensor,
               weights: torch.Tensor, itc_truth: torch.Tensor, tags: torch.Tensor | None,
               mlm: dict | None) -> torch.Tensor:
    """ITM cross-entropy over (no-match, match), weighted mean with the class weights (1,
    ``positive_weight``) times ``weights`` (+ ``itc_weight`` x BLIP's image-text contrastive
    loss on the unimodal text encoder and the projections, multi-positive over the batch's
    texts) (+ ``tag_weight`` x the tagging term of ``heads['tag']``, a ``tags.TagHead``, on the
    ViT's output tokens) (+ ``mlm_weight`` x masked-word cross-entropy of ``heads['mlm']``, an
    ``mlm.MlmHead``, on the cross-attending text encoder, in the same call as the ITM texts)."""
    per_image = len(ids) // len(pixels)
    embeds = model.vision_model(pixel_values=pixels).last_hidden_state
    n, enc_ids, enc_mask, images = len(ids), ids, mask, embeds.repeat_interleave(per_image, 0)
    if recipe.mlm_weight > 0:       # the masked positives ride in the same encoder call
        enc_ids, enc_mask = torch.cat([ids, mlm['ids']]), torch.cat([mask, mlm['mask']])
        images = torch.cat([images, embeds[mlm['image']]])
    hidden = model.text_encoder(input_ids=enc_ids, attention_mask=enc_mask,
                                encoder_hidden_states=images,
                                encoder_attention_mask=None).last_hidden_state
    logits = model.itm_head(hidden[:n, 0, :])
    w = torch.tensor([1.0, recipe.positive_weight])[labels] * weights
    loss = (w * F.cross_entropy(logits.float(), labels, reduction='none')).sum() / w.sum()
    if recipe.tag_weight > 0:
        loss = loss + recipe.tag_weight * heads['tag'].loss(embeds.float(), tags)
    if recipe.mlm_weight > 0:
        loss = loss + recipe.mlm_weight * heads['mlm'].loss(hidden[n:], mlm['labels'])
    if recipe.itc_weight > 0:
        text_cls = model.text_encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        image = F.normalize(model.vision_proj(embeds[:, 0, :]), dim=-1)
        txt = F.normalize(model.text_proj(text_cls[:, 0, :]), dim=-1)
        logits = (image @ txt.t()).float() / ITC_TEMPERATURE
        loss = loss + recipe.itc_weight * 0.5 * (
            _multi_positive_nll(logits, itc_truth) + _multi_positive_nll(logits.t(), itc_truth.t()))
    return loss


def _multi_positive_nll(logits: torch.Tensor, truth: torch.Tensor) -> torch.Tensor:
    """Mean over rows with a positive of ``-log sum_{pos} softmax(logits)``."""
    keep = truth.any(dim=1)
    logits, truth = logits[keep], truth[keep]
    pos = logits.masked_fill(~truth, float('-inf')).logsumexp(dim=1)
    return (logits.logsumexp(dim=1) - pos).mean()


def _clip_loss(model, pixels, ids, mask, truth) -> torch.Tensor:
    image = model.visual_projection(model.vision_model(pixel_values=pixels).pooler_output)
    txt = model.text_projection(model.text_model(input_ids=ids,
                                                 attention_mask=mask).pooler_output)
    image, txt = F.normalize(image, dim=-1), F.normalize(txt, dim=-1)
    logits = model.logit_scale.exp() * image @ txt.t()
    return 0.5 * (_multi_positive_nll(logits, truth) + _multi_positive_nll(logits.t(), truth.t()))


def train_teacher(model: torch.nn.Module, tokenizer, processor, corpus: CaptionCorpus,
                  recipe: TeacherRecipe, seed: int = 0, minutes: float = 5.0,
                  progress: bool = True) -> TrainLog:
    """Train ``model`` (BLIP ITM or CLIP, by ``recipe.kind``) in place on ``corpus``."""
    side = recipe.image_size
    if corpus.images.shape[1:3] != (side, side):
        raise ValueError(f'corpus images are {corpus.images.shape[1:3]}, the {recipe.kind} '
                         f'recipe wants {side} x {side}: build the corpus at image_size={side}')
    torch.manual_seed(seed)
    rng = np.random.default_rng([seed, 7])
    tokens = TokenTable(tokenizer)
    bf16 = recipe.autocast_bf16 and bf16_autocast_available()
    heads = {}
    if recipe.kind == 'blip' and recipe.tag_weight > 0:
        heads['tag'] = TagHead(recipe.vision_hidden)
    if recipe.kind == 'blip' and recipe.mlm_weight > 0:
        heads['mlm'] = MlmHead(recipe.text_hidden, len(tokenizer))
    params = [*model.parameters(), *(p for h in heads.values() for p in h.parameters())]
    opt = torch.optim.AdamW(params, lr=recipe.lr, weight_decay=recipe.weight_decay)
    n = len(corpus)
    per_epoch = max(1, n // recipe.batch_images)
    total = max(1, int(round(recipe.epochs * per_epoch)))
    budget = minutes * 60.0
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=total, desc=f'train {recipe.kind}', file=sys.stderr)
    model.train()
    start, cpu_start = time.perf_counter(), time.process_time()
    order: np.ndarray = np.empty(0, dtype=np.int64)
    losses, window, step, stopped_by, loss_value = [], [], 0, 'steps', float('nan')
    while True:
        elapsed = time.perf_counter() - start
        prog = max(step / total, elapsed / budget)
        if prog >= 1.0:
            stopped_by = 'steps' if step >= total else 'time'
            break
        for group in opt.param_groups:
            group['lr'] = recipe.lr * lr_factor(prog, recipe.warmup_fraction)
        if len(order) < recipe.batch_images:
            order = np.concatenate([order, rng.permutation(n)])
        idx, order = np.sort(order[:recipe.batch_images]), order[recipe.batch_images:]
        flip = rng.random(len(idx)) < recipe.flip_prob
        pixels = pixel_batch(corpus.images[idx], processor.image_mean, processor.image_std,
                             flip)
        batch_pairs = [corpus.pairs[i] for i in idx]
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16):
            if recipe.kind == 'blip':
                loss = _blip_loss(model, pixels, heads, recipe,
                                  **_blip_batch(rng, batch_pairs, recipe, tokens))
            else:
                texts, truth = contrastive_texts(rng, batch_pairs, recipe.vocabulary_negatives)
                ids, mask = tokens(texts)
                loss = _clip_loss(model, pixels, ids, mask, truth)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, recipe.grad_clip)
        opt.step()
        step += 1
        loss_value = float(loss.detach())
        window.append(loss_value)
        if bar is not None:
            bar.update(1)
            bar.set_postfix(loss=f'{loss_value:.3f}')
        if step % LOG_EVERY == 0:
            losses.append(float(np.mean(window)))
            window = []
            logger.info('%s step %d/%d  loss %.4f  lr %.2e  %.0fs', recipe.kind, step, total,
                        losses[-1], opt.param_groups[0]['lr'], time.perf_counter() - start)
    if bar is not None:
        bar.close()
    model.eval()
    return TrainLog(step, step * recipe.batch_images, time.perf_counter() - start,
                    time.process_time() - cpu_start, stopped_by, loss_value, losses, bf16)
