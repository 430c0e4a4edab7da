"""The BLIP teacher's training-only tagging term: targets, max pooling, and that neither the
head nor bf16 autocast leaks into the saved teacher."""
from __future__ import annotations

import pytest
import torch
from transformers import BlipForImageTextRetrieval

from tests.teachers.tiny_models import TINY_SHAPE
from vlmhoi.synth.corpus import render_corpus
from vlmhoi.teachers.embedded import models
from vlmhoi.teachers.embedded.config import RECIPES
from vlmhoi.teachers.embedded.tags import TagHead, tag_names, tag_targets
from vlmhoi.teachers.embedded.train import bf16_autocast_available, train_teacher


def test_targets_are_the_verbs_objects_and_pairs_of_the_truth():
    names = tag_names()
    got = tag_targets([[('ride', 'bicycle'), ('hold', 'cup')], []])
    on = {names[j] for j in got[0].nonzero().flatten().tolist()}
    assert on == {'ride', 'bicycle', 'ride bicycle', 'hold', 'cup', 'hold cup'}
    assert got[1].sum() == 0 and len(set(names)) == len(names)


def test_a_pair_outside_the_world_is_refused_by_name():
    with pytest.raises(ValueError, match=r"image 1: 'no_such_verb' .*\(no_such_verb, cup\)"):
        tag_targets([[('hold', 'cup')], [('no_such_verb', 'cup')]])


def test_head_pools_the_tokens_by_their_maximum():
    torch.manual_seed(0)
    head = TagHead(hidden=4)
    tokens = torch.zeros(1, 36, 4)
    tokens[0, 7] = torch.tensor([3.0, -1.0, 2.0, 0.5])      # one object, one patch
    assert torch.allclose(head(tokens), head.fc(torch.tensor([[3.0, 0.0, 2.0, 0.5]])))
    targets = torch.zeros(1, len(tag_names()))
    loss = head.loss(tokens, targets)
    want = torch.nn.functional.binary_cross_entropy_with_logits(head(tokens), targets,
                                                                reduction='sum')
    assert loss.item() == pytest.approx(want.item())


def test_tagging_and_bf16_train_a_plain_fp32_blip(tmp_path):
    torch.manual_seed(0)
    corpus = render_corpus(0, n_images=16, size=64, image_size=32)
    recipe = RECIPES['blip'].override(**TINY_SHAPE, tag_weight=1.0, autocast_bf16=True)
    tokenizer = models.build_tokenizer('blip')
    processor = models.build_image_processor(recipe)
    model = models.build_model(recipe, tokenizer)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    log = train_teacher(model, tokenizer, processor, corpus, recipe, minutes=2,
                        progress=False)
    assert log.steps == 2 and torch.isfinite(torch.tensor(log.final_loss))
    assert log.autocast_bf16 == bf16_autocast_available()
    # the tagging term is in the loss: near n_tags * log(2) after two steps, the rest ~3
    assert log.final_loss > 0.2 * len(tag_names())
    state = model.state_dict()
    assert state.keys() == before.keys()
    assert all(v.dtype == before[k].dtype for k, v in state.items())
    assert not torch.equal(state['vision_model.embeddings.patch_embedding.weight'],
                           before['vision_model.embeddings.patch_embedding.weight'])
    folder = models.save_teacher(tmp_path / 'teacher', model, tokenizer, processor)
    loaded = BlipForImageTextRetrieval.from_pretrained(folder)
    assert loaded.state_dict().keys() == state.keys()
