"""Embedded teachers' captions: hard negatives are false for their image; training examples;
the word-level tokenizer knows every synthetic sentence."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from transformers import AutoTokenizer

from vlmhoi.synth import world
from vlmhoi.synth.corpus import render_corpus
from vlmhoi.teachers.embedded.batches import TokenTable, contrastive_texts, itm_examples
from vlmhoi.teachers.embedded.captions import (
    NEGATIVE_TYPES,
    TRAIN_FORMS,
    all_texts,
    candidate_pairs,
    false_vocabulary,
    hard_negatives,
    text,
    vocabulary_pairs,
)
from vlmhoi.teachers.embedded.config import RECIPES
from vlmhoi.teachers.embedded.models import build_tokenizer
from vlmhoi.teachers.embedded.train import _blip_batch

IMAGE = [('ride', 'bicycle'), ('sit_on', 'bicycle'), ('hold', 'cup')]


@pytest.fixture(scope='module')
def corpus():
    return render_corpus(0, n_images=40, size=96, image_size=32)


def test_negatives_are_false_for_the_whole_image(corpus):
    seen = dict.fromkeys(NEGATIVE_TYPES, 0)
    for truth in corpus.pairs:
        for form in TRAIN_FORMS:
            true_texts = {text(form, p) for p in truth}
            for v, o in truth:
                for kind, negs in hard_negatives(truth, (v, o), form).items():
                    seen[kind] += len(negs)
                    for neg in negs:
                        assert neg not in truth and text(form, neg) not in true_texts
                        if kind == 'verb_swap':
                            assert neg[1] == o and neg[0] != v and neg in candidate_pairs()
                        elif kind == 'object_swap':
                            assert neg[0] == v and neg[1] != o and neg in candidate_pairs()
                        else:
                            assert neg[0] == v and neg[1] in {p[1] for p in truth} - {o}
    assert all(seen.values()), seen


def test_negatives_of_a_known_image():
    negs = hard_negatives(IMAGE, ('hold', 'cup'), 'full')
    assert negs['compositional'] == [('hold', 'bicycle')]       # hold is true, of the cup only
    assert negs['verb_swap'] == [('carry', 'cup'), ('drink_with', 'cup')]
    assert ('hold', 'bicycle') in negs['object_swap'] and ('hold', 'cup') not in negs['object_swap']
    ride = hard_negatives(IMAGE, ('ride', 'bicycle'), 'full')
    assert ('sit_on', 'bicycle') not in ride['verb_swap']          # also true in the image
    assert ride['compositional'] == [('ride', 'cup')]
    # in the verb form "A person hold" is true whatever the object: no compositional negative
    assert hard_negatives(IMAGE, ('ride', 'bicycle'), 'verb')['compositional'] == []
    with pytest.raises(ValueError, match='not among the true pairs'):
        hard_negatives(IMAGE, ('kick', 'sports ball'), 'full')


def test_candidates_are_valid_categories_of_the_world():
    assert set(world.world_hoi_pairs()) <= set(candidate_pairs()) <= set(vocabulary_pairs())
    assert len(vocabulary_pairs()) == 600 - 80                      # no_interaction excluded
    false = false_vocabulary(IMAGE, 'full')
    assert text('full', ('hold', 'cup')) not in false and text('full', ('kick', 'cup')) not in \
        false and text('full', ('carry', 'cup')) in false


def test_itm_examples_label_the_truth(corpus):
    rng = np.random.default_rng(0)
    for truth in corpus.pairs:
        examples = itm_examples(rng, truth, vocabulary_negatives=2)
        assert len(examples) == 1 + len(NEGATIVE_TYPES) + 2
        assert [y for _, y, _ in examples] == [1] + [0] * (len(examples) - 1)
        form = next(f for f in TRAIN_FORMS if examples[0][0] in {text(f, p) for p in truth})
        true_texts = {text(form, p) for p in truth}
        assert not true_texts & {t for t, _, _ in examples[1:]}


@pytest.mark.parametrize('positives', [1, 2, 3, 5])
def test_each_positive_comes_with_its_negatives(positives):
    rng = np.random.default_rng(0)
    group = 1 + len(NEGATIVE_TYPES)
    for _ in range(10):
        examples = itm_examples(rng, IMAGE, vocabulary_negatives=1, positives=positives)
        assert len(examples) == positives * group + 1
        assert [y for _, y, _ in examples] == ([1] + [0] * (group - 1)) * positives + [0]
        form = next(f for f in TRAIN_FORMS if examples[0][0] in {text(f, p) for p in IMAGE})
        true_texts = {text(form, p) for p in IMAGE}
        shown = [examples[k * group][0] for k in range(positives)]
        assert set(shown) <= true_texts
        assert not true_texts & {t for t, y, _ in examples if y == 0}
        if len(true_texts) == len(IMAGE):   # verb / object forms: two pairs may share a text
            # distinct true pairs while the image has enough, then they repeat
            assert len(set(shown)) == min(positives, len(IMAGE))


@pytest.mark.parametrize('positives', [1, 3, 5])
def test_positive_balance_weights_give_every_true_text_one_in_expectation(positives):
    rng = np.random.default_rng(0)
    for truth in (IMAGE, [('kick', 'sports ball')]):
        for _ in range(20):
            examples = itm_examples(rng, truth, vocabulary_negatives=1, positives=positives)
            form = next(f for f in TRAIN_FORMS if examples[0][0] in {text(f, p) for p in truth})
            n_true = len({text(form, p) for p in truth})    # 2 in the object form of IMAGE
            assert [w for _, y, w in examples if y == 1] == [n_true / positives] * positives
            assert all(w == 1.0 for _, y, w in examples if y == 0)


def test_balance_weights_reach_the_blip_step_only_when_the_recipe_asks():
    pairs = [IMAGE, [('kick', 'sports ball')]]
    tokens = TokenTable(build_tokenizer('blip'))
    recipe = RECIPES['blip'].override(positives=3, vocabulary_negatives=1,
                                      balance_positives=False)
    plain = _blip_batch(np.random.default_rng(0), pairs, recipe, tokens)
    assert torch.equal(plain['weights'], torch.ones(len(plain['labels'])))
    balanced = _blip_batch(np.random.default_rng(0), pairs,
                           recipe.override(balance_positives=True), tokens)
    assert torch.equal(balanced['ids'], plain['ids'])
    kick = balanced['weights'].view(2, -1)[1]
    assert kick[balanced['labels'].view(2, -1)[1] == 1].tolist() == pytest.approx([1 / 3] * 3)


def test_the_recipe_positives_reach_the_blip_step():
    recipe = RECIPES['blip'].override(positives=2, vocabulary_negatives=1)
    batch = _blip_batch(np.random.default_rng(0), [IMAGE, [('kick', 'sports ball')]], recipe,
                        TokenTable(build_tokenizer('blip')))
    per_image = 2 * (1 + len(NEGATIVE_TYPES)) + 1
    assert batch['ids'].shape[0] == 2 * per_image
    assert batch['labels'].view(2, per_image).sum(1).tolist() == [2, 2]


def test_contrastive_truth_matrix(corpus):
    rng = np.random.default_rng(1)
    batch = corpus.pairs[:8]
    texts, truth = contrastive_texts(rng, batch, vocabulary_negatives=1)
    assert truth.shape == (8, len(texts)) and len(set(texts)) == len(texts)
    form = next(f for f in TRAIN_FORMS
                if all(t in {text(f, p) for p in vocabulary_pairs()} for t in texts))
    for b, pairs in enumerate(batch):
        expected = [t in {text(form, p) for p in pairs} for t in texts]
        assert truth[b].tolist() == expected
    assert (~truth).any(dim=1).all()                                # every image has negatives


@pytest.mark.parametrize('kind', ['blip', 'clip'])
def test_tokenizer_round_trip_on_the_synthetic_vocabulary(kind, tmp_path):
    tok = build_tokenizer(kind)
    tok.save_pretrained(tmp_path)
    loaded = AutoTokenizer.from_pretrained(tmp_path)
    texts = all_texts()
    ids = loaded(texts)['input_ids']
    assert ids == tok(texts)['input_ids']
    for t, row in zip(texts, ids):
        assert loaded.unk_token_id not in row
        assert loaded.decode(row, skip_special_tokens=True) == t.lower()
    assert loaded('a person juggling a pizza')['input_ids'].count(loaded.unk_token_id) == 1


def test_token_table_pads_and_masks():
    tok = build_tokenizer('blip')
    table = TokenTable(tok)
    ids, mask = table(['A person hold', 'a person holding a tennis racket'])
    assert ids.shape == mask.shape == (2, 8)
    assert mask[0].tolist() == [1] * 5 + [0] * 3 and (ids[0, 5:] == tok.pad_token_id).all()
    assert ids[1].tolist() == tok('a person holding a tennis racket')['input_ids']
