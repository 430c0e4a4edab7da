"""Word-level tokenizers built offline from a word list (tiny test models, embedded teachers).

Two kinds, both real ``transformers`` tokenizers that ``save_pretrained`` writes and
``AutoTokenizer.from_pretrained`` reads back:

``'bert'``  a :class:`~transformers.BertTokenizer` (what BLIP and BLIP-2 use) whose
            WordPiece vocabulary holds only whole words: ``[PAD]`` 0, ``[UNK]`` 1,
            ``[CLS]`` 2, ``[SEP]`` 3, ``[MASK]`` 4, then the words. Built with ``vocab=``
            (a dict): transformers 5.x silently ignores ``vocab_file=``.
``'clip'``  a :class:`~transformers.PreTrainedTokenizerFast` over a ``tokenizers``
            WordLevel model, lower-cased and split like BERT (whitespace, then every
            punctuation character on its own: ``tennis_racket`` is three words), wrapped as
            ``<|startoftext|> ... <|endoftext|>`` like CLIP's. ``<pad>`` 0, ``<unk>`` 1,
            the words, then ``<|startoftext|>`` and ``<|endoftext|>`` as the two *last*
            ids: CLIP's text pooling reads the end-of-text position, either as the first
            ``eos_token_id`` or, for configs whose ``eos_token_id`` is 2, as the argmax id;
            a last eos is right for both.

Words are collected with the tokenizer's own normaliser and pre-tokeniser, so every word of
every input string is one known token. ``model_max_length`` is always set (the 5.x default
of ~1e30 disables truncation). Build the model's text config with
:func:`special_token_ids` and ``vocab_size=len(tokenizer)``.
"""
from __future__ import annotations

from collections.abc import Iterable

from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
from transformers import BertTokenizer, PreTrainedTokenizerBase, PreTrainedTokenizerFast

TOKENIZER_KINDS = ('bert', 'clip')
BERT_SPECIALS = ('[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]')
CLIP_PAD, CLIP_UNK = '<pad>', '<unk>'
CLIP_BOS, CLIP_EOS = '<|startoftext|>', '<|endoftext|>'


def _collect_words(texts: Iterable[str], normalizer, pre_tokenizer) -> list[str]:
    words: set[str] = set()
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(f'build_word_tokenizer: words must be strings, got {text!r}')
        pieces = pre_tokenizer.pre_tokenize_str(normalizer.normalize_str(text))
        words.update(piece for piece, _ in pieces)
    return sorted(words)


def _bert_tokenizer(texts: Iterable[str], max_length: int) -> BertTokenizer:
    normalizer = normalizers.BertNormalizer(lowercase=True)
    words = _collect_words(texts, normalizer, pre_tokenizers.BertPreTokenizer())
    words = [w for w in words if w not in BERT_SPECIALS]
    vocab = {tok: i for i, tok in enumerate((*BERT_SPECIALS, *words))}
    return BertTokenizer(vocab=vocab, do_lower_case=True, model_max_length=max_length)


def _clip_tokenizer(texts: Iterable[str], max_length: int) -> PreTrainedTokenizerFast:
    normalizer = normalizers.Lowercase()
    pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    specials = (CLIP_PAD, CLIP_UNK, CLIP_BOS, CLIP_EOS)
    words = [w for w in _collect_words(texts, normalizer, pre_tokenizer) if w not in specials]
    vocab = {tok: i for i, tok in enumerate((CLIP_PAD, CLIP_UNK, *words, CLIP_BOS, CLIP_EOS))}
    backend = Tokenizer(models.WordLevel(vocab, unk_token=CLIP_UNK))
    backend.normalizer = normalizer
    backend.pre_tokenizer = pre_tokenizer
    backend.post_processor = processors.TemplateProcessing(
        single=f'{CLIP_BOS} $A {CLIP_EOS}',
        special_tokens=[(CLIP_BOS, vocab[CLIP_BOS]), (CLIP_EOS, vocab[CLIP_EOS])])
    return PreTrainedTokenizerFast(
        tokenizer_object=backend, bos_token=CLIP_BOS, eos_token=CLIP_EOS,
        pad_token=CLIP_PAD, unk_token=CLIP_UNK, model_max_length=max_length,
        model_input_names=['input_ids', 'attention_mask'])


def build_word_tokenizer(words: Iterable[str], kind: str = 'bert',
                         max_length: int = 32) -> PreTrainedTokenizerBase:
    """A word-level tokenizer of ``kind`` (``'bert'`` | ``'clip'``) knowing every word of ``words``.

    ``words`` may be whole sentences ("a person rides a horse"): they are split the way the
    tokenizer splits. ``max_length`` becomes ``model_max_length`` (truncation limit,
    special tokens included); it must not exceed the text model's position embeddings.
    """
    if kind not in TOKENIZER_KINDS:
        raise ValueError(f'build_word_tokenizer: kind {kind!r} is not one of {TOKENIZER_KINDS}')
    if max_length < 3:
        raise ValueError(f'build_word_tokenizer: max_length {max_length} leaves no room for a word')
    if kind == 'bert':
        return _bert_tokenizer(words, max_length)
    return _clip_tokenizer(words, max_length)


def special_token_ids(tokenizer: PreTrainedTokenizerBase) -> dict[str, int]:
    """``pad_token_id`` / ``bos_token_id`` / ``eos_token_id`` to put in the text model's config.

    BERT kind: bos is ``[CLS]``, eos is ``[SEP]`` (``sep_token_id`` too). CLIP kind: the
    ``<|startoftext|>`` / ``<|endoftext|>`` ids.
    """
    ids = {'pad_token_id': tokenizer.pad_token_id}
    if tokenizer.cls_token_id is not None:
        ids.update(bos_token_id=tokenizer.cls_token_id, eos_token_id=tokenizer.sep_token_id,
                   sep_token_id=tokenizer.sep_token_id)
    else:
        ids.update(bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id)
    return ids
