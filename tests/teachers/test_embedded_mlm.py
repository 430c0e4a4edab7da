"""The BLIP teacher's training-only masked language modelling term: which words are masked,
the batch that feeds it, and that its head does not leak into the saved teacher."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from transformers import BlipForImageTextRetrieval

from tests.teachers.tiny_models import TINY_SHAPE
from vlmhoi.synth.corpus import render_corpus
from vlmhoi.teachers.embedded import models
from vlmhoi.teachers.embedded.batches import TokenTable
from vlmhoi.teachers.embedded.config import RECIPES
from vlmhoi.teachers.embedded.mlm import (
    IGNORE_INDEX,
    MlmHead,
    content_token_mask,
    mask_tokens,
    template_words,
)
from vlmhoi.teachers.embedded.train import (
    ITC_TEMPERATURE,
    _blip_batch,
    _blip_loss,
    _multi_positive_nll,
    train_teacher,
)

TEXTS = ['A person hold a sports ball', 'a person riding a bicycle', 'person ride bicycle']


@pytest.fixture(scope='module')
def tokenizer():
    return models.build_tokenizer('blip')


def test_template_words_are_those_every_sentence_of_a_form_has():
    assert template_words() == {'a', 'person'}
    assert template_words(('reference_code',)) == {'person'}


def test_only_content_words_are_masked_and_every_caption_loses_one(tokenizer):
    content = content_token_mask(tokenizer)
    ids, _ = TokenTable(tokenizer)(TEXTS * 20)
    masked, labels = mask_tokens(np.random.default_rng(0), ids, content,
                                 tokenizer.mask_token_id, prob=0.3)
    hit = masked == tokenizer.mask_token_id
    assert hit.any(dim=1).all()
    assert torch.equal(hit, labels != IGNORE_INDEX)
    assert torch.equal(labels[hit], ids[hit]) and torch.equal(masked[~hit], ids[~hit])
    words = set(tokenizer.convert_ids_to_tokens(ids[hit].tolist()))
    assert words and not words & {'a', 'person', '[CLS]', '[SEP]', '[PAD]'}
    # probability 1 masks every content word: "hold", "sports", "ball" of the first text
    all_masked, _ = mask_tokens(np.random.default_rng(0), ids[:1], content,
                                tokenizer.mask_token_id, prob=1.0)
    assert (all_masked == tokenizer.mask_token_id).sum() == 3
    with pytest.raises(ValueError, match='prob 0'):
        mask_tokens(np.random.default_rng(0), ids, content, tokenizer.mask_token_id, prob=0)


def test_the_batch_masks_the_positives_of_each_image(tokenizer):
    recipe = RECIPES['blip'].override(mlm_weight=1.0, positives=2)
    pairs = [[('ride', 'bicycle'), ('hold', 'cup')], [('kick', 'sports ball')]]
    batch = _blip_batch(np.random.default_rng(0), pairs, recipe, TokenTable(tokenizer))
    mlm, per_image = batch['mlm'], len(batch['ids']) // len(pairs)
    rows = torch.nonzero(batch['labels'] == 1).squeeze(1)
    assert len(mlm['ids']) == 2 * len(pairs) == len(rows)
    assert torch.equal(mlm['image'], rows // per_image) and mlm['image'].tolist() == [0, 0, 1, 1]
    unmasked = torch.where(mlm['labels'] == IGNORE_INDEX, mlm['ids'], mlm['labels'])
    assert torch.equal(unmasked, batch['ids'][rows])
    assert _blip_batch(np.random.default_rng(0), pairs, recipe.override(mlm_weight=0.0),
                       TokenTable(tokenizer))['mlm'] is None


def test_head_loss_is_the_cross_entropy_of_the_masked_positions():
    torch.manual_seed(0)
    head = MlmHead(hidden=8, vocab_size=11)
    states = torch.randn(2, 4, 8)
    labels = torch.full((2, 4), IGNORE_INDEX)
    labels[0, 1], labels[1, 3] = 5, 7
    logits = head(states)
    want = torch.nn.functional.cross_entropy(logits[[0, 1], [1, 3]], torch.tensor([5, 7]))
    assert head.loss(states, labels).item() == pytest.approx(want.item())


def test_mlm_trains_the_text_encoder_of_a_plain_blip(tokenizer, tmp_path):
    torch.manual_seed(0)
    corpus = render_corpus(0, n_images=16, size=64, image_size=32)
    base = RECIPES['blip'].override(**TINY_SHAPE, tag_weight=0.0, itc_weight=0.0)
    runs = {}
    for weight in (0.0, 1.0):
        torch.manual_seed(0)
        recipe = base.override(mlm_weight=weight)
        processor = models.build_image_processor(recipe)
        model = models.build_model(recipe, tokenizer)
        log = train_teacher(model, tokenizer, processor, corpus, recipe, minutes=2,
                            progress=False)
        runs[weight] = (model, log)
    (plain, plain_log), (model, log) = runs[0.0], runs[1.0]
    # the term is in the loss: about log(vocabulary) above the ITM loss alone
    assert log.final_loss - plain_log.final_loss > 0.5 * np.log(len(tokenizer))
    cross = 'text_encoder.encoder.layer.0.crossattention.self.query.weight'
    assert not torch.equal(model.state_dict()[cross], plain.state_dict()[cross])
    folder = models.save_teacher(tmp_path / 'teacher', model, tokenizer,
                                 models.build_image_processor(base))
    loaded = BlipForImageTextRetrieval.from_pretrained(folder)
    assert loaded.state_dict().keys() == plain.state_dict().keys()


def test_masked_positives_share_the_itm_encoder_call_without_changing_the_loss(tokenizer):
    """``_blip_loss`` feeds the masked positives through the same text-encoder call as the
    ITM texts; the loss equals the ITM term (class weights times the balance weights of the
    positives) and the MLM term computed by separate calls, and the ITC term, when on, still
    reads the ITM texts alone."""
    torch.manual_seed(0)
    recipe = RECIPES['blip'].override(**TINY_SHAPE, tag_weight=0.0, itc_weight=0.0,
                                      mlm_weight=0.7, positives=2, balance_positives=True)
    model = models.build_model(recipe, tokenizer).eval()
    heads = {'mlm': MlmHead(recipe.text_hidden, len(tokenizer))}
    pairs = [[('ride', 'bicycle'), ('hold', 'cup')], [('kick', 'sports ball')]]
    batch = _blip_batch(np.random.default_rng(0), pairs, recipe, TokenTable(tokenizer))
    pixels = torch.randn(len(pairs), 3, recipe.image_size, recipe.image_size)
    with torch.no_grad():
        got = _blip_loss(model, pixels, heads, recipe, **batch)
        embeds = model.vision_model(pixel_values=pixels).last_hidden_state
        per_image, mlm = len(batch['ids']) // len(pairs), batch['mlm']
        hidden = model.text_encoder(input_ids=batch['ids'], attention_mask=batch['mask'],
                                    encoder_hidden_states=embeds.repeat_interleave(per_image, 0)
                                    ).last_hidden_state
        nll = torch.nn.functional.cross_entropy(model.itm_head(hidden[:, 0]), batch['labels'],
                                                reduction='none')
        w = torch.tensor([1.0, recipe.positive_weight])[batch['labels']] * batch['weights']
        itm = (w * nll).sum() / w.sum()
        states = model.text_encoder(input_ids=mlm['ids'], attention_mask=mlm['mask'],
                                    encoder_hidden_states=embeds[mlm['image']]).last_hidden_state
        want = itm + recipe.mlm_weight * heads['mlm'].loss(states, mlm['labels'])
        # with ITC on, its unimodal pass reads the ITM texts only, not the masked positives
        with_itc = _blip_loss(model, pixels, heads, recipe.override(itc_weight=1.0), **batch)
        text_cls = model.text_encoder(input_ids=batch['ids'],
                                      attention_mask=batch['mask']).last_hidden_state[:, 0]
        sims = (torch.nn.functional.normalize(model.vision_proj(embeds[:, 0]), dim=-1)
                @ torch.nn.functional.normalize(model.text_proj(text_cls), dim=-1).t()
                ) / ITC_TEMPERATURE
        truth = batch['itc_truth']
        itc = 0.5 * (_multi_positive_nll(sims, truth) + _multi_positive_nll(sims.t(), truth.t()))
    assert got.item() == pytest.approx(want.item(), abs=1e-5)
    assert with_itc.item() == pytest.approx((want + itc).item(), abs=1e-5)
