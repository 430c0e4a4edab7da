"""The offline word-level tokenizers: every word known, saved and reloaded by AutoTokenizer."""
import pytest
from transformers import AutoTokenizer

from vlmhoi.teachers.tokenizer import build_word_tokenizer, special_token_ids

SENTENCES = ['A person hold a tennis_racket', 'a person ride a horse']


@pytest.mark.parametrize('kind', ['bert', 'clip'])
def test_round_trip_and_known_words(kind, tmp_path):
    tok = build_word_tokenizer(SENTENCES, kind, max_length=10)
    tok.save_pretrained(tmp_path)
    loaded = AutoTokenizer.from_pretrained(tmp_path)
    assert loaded.get_vocab() == tok.get_vocab()
    assert loaded.model_max_length == 10
    ids = loaded('a person hold a tennis racket')['input_ids']
    assert loaded.unk_token_id not in ids
    assert len(ids) == 6 + 2
    assert loaded('a person eats pizza')['input_ids'].count(loaded.unk_token_id) == 2
    special = special_token_ids(loaded)
    assert ids[0] == special['bos_token_id'] and ids[-1] == special['eos_token_id']
    assert special['pad_token_id'] == 0


@pytest.mark.parametrize('kind', ['bert', 'clip'])
def test_truncation_keeps_end_token(kind):
    tok = build_word_tokenizer(SENTENCES, kind, max_length=6)
    ids = tok(['a ' * 20], truncation=True)['input_ids'][0]
    assert len(ids) == 6 and ids[-1] == special_token_ids(tok)['eos_token_id']


def test_clip_end_of_text_is_the_largest_id():
    tok = build_word_tokenizer(SENTENCES, 'clip')
    assert tok.eos_token_id == len(tok) - 1 == max(tok.get_vocab().values())


def test_bad_kind_refused():
    with pytest.raises(ValueError, match='kind'):
        build_word_tokenizer(SENTENCES, 'gpt')
