"""Prompt forms on the real HICO-DET and V-COCO names."""
import numpy as np
import pytest

from vlmhoi.teachers.prompts import (
    PROMPT_FORMS,
    build_vocabulary,
    normalise_name,
    present_participle,
    triplet_text,
)
from vlmhoi.vocab import hico_vocab, vcoco_action_roles, vcoco_vocab


def _pair(vocab, verb: str, obj: str) -> tuple[int, int]:
    return vocab.verb_names.index(verb), vocab.object_names.index(obj)


@pytest.mark.parametrize('form, expected', [
    ('full', 'A person hold a tennis racket'),
    ('verb', 'A person hold'),
    ('object', 'A person tennis racket'),
    ('natural', 'a person holding a tennis racket'),
    ('reference_code', 'person hold tennis racket'),
])
def test_forms_of_one_hico_pair(form: str, expected: str) -> None:
    vocab = hico_vocab()
    pv = build_vocabulary(vocab, form)
    assert pv.text_of(*_pair(vocab, 'hold', 'tennis racket')) == expected


def test_multiword_verbs_and_articles() -> None:
    vocab = hico_vocab()
    sit_on_bicycle = _pair(vocab, 'sit_on', 'bicycle')
    assert build_vocabulary(vocab, 'full').text_of(*sit_on_bicycle) == 'A person sit on a bicycle'
    assert build_vocabulary(vocab, 'natural').text_of(*sit_on_bicycle) == \
        'a person sitting on a bicycle'
    # the published code keeps only the first word of the verb and drops the article
    assert build_vocabulary(vocab, 'reference_code').text_of(*sit_on_bicycle) == \
        'person sit bicycle'
    eat_apple = _pair(vocab, 'eat', 'apple')
    assert build_vocabulary(vocab, 'full').text_of(*eat_apple) == 'A person eat a apple'  # Eq. 2
    assert build_vocabulary(vocab, 'natural').text_of(*eat_apple) == 'a person eating an apple'


@pytest.mark.parametrize('verb, ing', [('sit', 'sitting'), ('ride', 'riding'), ('lie', 'lying'),
                                       ('hold', 'holding'), ('open', 'opening'),
                                       ('control', 'controlling'), ('ski', 'skiing'),
                                       ('row', 'rowing'), ('greet', 'greeting')])
def test_present_participle(verb: str, ing: str) -> None:
    assert present_participle(verb) == ing


def test_hico_vocabulary_excludes_no_interaction_and_shares_texts() -> None:
    vocab = hico_vocab()
    no_inter = vocab.verb_names.index('no_interaction')
    n_valid = sum(v != no_inter for v, _ in vocab.valid_pairs)
    for form in PROMPT_FORMS:
        pv = build_vocabulary(vocab, form)
        assert len(pv.pairs) == n_valid == 520
        assert all(v != no_inter for v, _ in pv.pairs)
        assert len(set(pv.texts)) == len(pv.texts)
        assert all('_' not in t for t in pv.texts)
    assert len(build_vocabulary(vocab, 'full')) == 520
    assert len(build_vocabulary(vocab, 'verb')) == 116          # 117 verbs less no_interaction
    assert len(build_vocabulary(vocab, 'object')) == 80
    verb_pv = build_vocabulary(vocab, 'verb')
    a, b = _pair(vocab, 'hold', 'cup'), _pair(vocab, 'hold', 'knife')
    assert verb_pv.text_index(*a) == verb_pv.text_index(*b)


def test_vcoco_names_lose_role_suffix_and_agent_only_actions_have_no_object() -> None:
    roles = [a['name'] for a in vcoco_action_roles()]
    mat = np.zeros((len(roles), 80))
    obj = hico_vocab().object_names
    mat[roles.index('hold_obj'), obj.index('cup')] = 1
    mat[roles.index('talk_on_phone_instr'), obj.index('cell phone')] = 1
    mat[roles.index('stand'), :] = 1                     # agent-only: valid with every object
    vocab = vcoco_vocab(mat)
    full = build_vocabulary(vocab, 'full')
    assert full.text_of(roles.index('hold_obj'), obj.index('cup')) == 'A person hold a cup'
    assert full.text_of(roles.index('talk_on_phone_instr'), obj.index('cell phone')) == \
        'A person talk on phone a cell phone'
    stands = {full.text_index(roles.index('stand'), o) for o in range(80)}
    assert len(stands) == 1 and full.texts[stands.pop()] == 'A person stand'
    assert len(full) == 3


def test_bad_pairs_and_forms_are_refused() -> None:
    vocab = hico_vocab()
    with pytest.raises(ValueError, match='unknown prompt form'):
        build_vocabulary(vocab, 'poem')
    with pytest.raises(ValueError, match='not a valid hico HOI category'):
        build_vocabulary(vocab, 'full', pairs=[_pair(vocab, 'ride', 'cup')])
    pv = build_vocabulary(vocab, 'full', pairs=[_pair(vocab, 'hold', 'cup')])
    with pytest.raises(KeyError, match='not a valid'):
        pv.text_index(*_pair(vocab, 'hold', 'knife'))


def test_digest_changes_with_form_and_texts() -> None:
    vocab = hico_vocab()
    full = build_vocabulary(vocab, 'full')
    assert full.digest() == build_vocabulary(vocab, 'full').digest()
    assert full.digest() != build_vocabulary(vocab, 'natural').digest()
    assert full.digest() != build_vocabulary(vocab, 'full', pairs=full.pairs[:10]).digest()


def test_normalise_name() -> None:
    assert normalise_name('work_on_computer_instr') == 'work on computer'
    assert normalise_name('tennis racket') == 'tennis racket'
    assert triplet_text('object', 'stand', None) == 'A person'
