"""Tiny random BLIP / BLIP-2 / CLIP model directories for tests (a test-support module).

Each ``save_tiny_*`` writes, with ``save_pretrained``, exactly what a hub snapshot holds: the
model (safetensors), a word-level tokenizer (:func:`vlmhoi.teachers.tokenizer.build_word_tokenizer`)
knowing every word of ``words``, and the image processor, so the teachers load it by path with
the same code as the real weights. Weights are random (seeded) with a wide
``initializer_range`` so that scores differ clearly between texts and images.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import torch
from transformers import (
    Blip2Config,
    Blip2ForImageTextRetrieval,
    BlipConfig,
    BlipForImageTextRetrieval,
    BlipImageProcessorPil,
    CLIPConfig,
    CLIPImageProcessorPil,
    CLIPModel,
)

from vlmhoi.teachers.tokenizer import build_word_tokenizer, special_token_ids

# A recipe shape (``TeacherRecipe.override``) that trains an embedded teacher in a second.
TINY_SHAPE = dict(image_size=32, patch_size=8, vision_hidden=32, vision_layers=1,
                  text_hidden=32, text_layers=1, heads=2, projection_dim=16,
                  corpus_images=16, batch_images=8, epochs=1.0)
TINY_TEXTS = ('A person hold a tennis racket', 'A person ride a horse', 'A person kick a ball',
              'a person sitting on a chair', 'person look at dog', 'A person carry')
IMAGE_SIZE = 32
PATCH_SIZE = 8
HIDDEN = 32
HEADS = 4
LAYERS = 2
FFN = 64
PROJECTION = 16
MAX_TEXT_LENGTH = 16
NUM_QUERY_TOKENS = 4
INIT_RANGE = 0.2


def _layers(**extra) -> dict:
    return dict(hidden_size=HIDDEN, num_attention_heads=HEADS, num_hidden_layers=LAYERS,
                intermediate_size=FFN, initializer_range=INIT_RANGE, **extra)


def _vision() -> dict:
    return _layers(image_size=IMAGE_SIZE, patch_size=PATCH_SIZE)


def _save(model: torch.nn.Module, tokenizer, processor, path: Path) -> Path:
    path = Path(path)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    processor.save_pretrained(path)
    return path


def save_tiny_blip(path: Path, words: Iterable[str] = TINY_TEXTS, seed: int = 0,
                   model_cls: type = BlipForImageTextRetrieval) -> Path:
    """A tiny BLIP (``model_cls``, default the ITM retrieval model) saved into ``path``."""
    tok = build_word_tokenizer(words, 'bert', MAX_TEXT_LENGTH)
    text = _layers(vocab_size=len(tok), max_position_embeddings=MAX_TEXT_LENGTH,
                   encoder_hidden_size=HIDDEN, **special_token_ids(tok))
    config = BlipConfig(text_config=text, vision_config=_vision(),
                        image_text_hidden_size=PROJECTION, projection_dim=PROJECTION,
                        initializer_range=INIT_RANGE)
    torch.manual_seed(seed)
    processor = BlipImageProcessorPil(size={'height': IMAGE_SIZE, 'width': IMAGE_SIZE})
    return _save(model_cls(config), tok, processor, path)


def save_tiny_blip2(path: Path, words: Iterable[str] = TINY_TEXTS, seed: int = 0,
                    image_token_index: int | None = None) -> Path:
    """A tiny BLIP-2 ``Blip2ForImageTextRetrieval`` (Q-Former with text input) into ``path``.

    ``image_token_index`` set: the newer hub layout, where the processor prefixes the text with
    one image token per query and the model strips that prefix.
    """
    tok = build_word_tokenizer(words, 'bert', MAX_TEXT_LENGTH)
    qformer = _layers(vocab_size=len(tok), max_position_embeddings=MAX_TEXT_LENGTH + 2,
                      encoder_hidden_size=HIDDEN, cross_attention_frequency=1,
                      use_qformer_text_input=True, pad_token_id=tok.pad_token_id)
    language = dict(vocab_size=len(tok), hidden_size=HIDDEN, num_hidden_layers=1,
                    num_attention_heads=HEADS, ffn_dim=FFN, word_embed_proj_dim=HIDDEN)
    config = Blip2Config(vision_config=_vision(), qformer_config=qformer,
                         text_config=language, num_query_tokens=NUM_QUERY_TOKENS,
                         image_text_hidden_size=PROJECTION, initializer_range=INIT_RANGE,
                         image_token_index=image_token_index)
    torch.manual_seed(seed)
    model = Blip2ForImageTextRetrieval(config)
    with torch.no_grad():  # the zero-initialised query tokens would make every query the same
        model.query_tokens.normal_(0.0, 1.0)
    processor = BlipImageProcessorPil(size={'height': IMAGE_SIZE, 'width': IMAGE_SIZE})
    return _save(model, tok, processor, path)


def save_tiny_clip(path: Path, words: Iterable[str] = TINY_TEXTS, seed: int = 0) -> Path:
    """A tiny ``CLIPModel`` with a CLIP-style word-level tokenizer into ``path``."""
    tok = build_word_tokenizer(words, 'clip', MAX_TEXT_LENGTH)
    text = _layers(vocab_size=len(tok), max_position_embeddings=MAX_TEXT_LENGTH,
                   **special_token_ids(tok))
    config = CLIPConfig(text_config=text, vision_config=_vision(), projection_dim=PROJECTION,
                        initializer_range=INIT_RANGE)
    torch.manual_seed(seed)
    processor = CLIPImageProcessorPil(size={'shortest_edge': IMAGE_SIZE},
                                   crop_size={'height': IMAGE_SIZE, 'width': IMAGE_SIZE})
    return _save(CLIPModel(config), tok, processor, path)


def random_images(count: int, seed: int = 0, size: tuple[int, int] = (40, 48)) -> list:
    """``count`` random (H, W, 3) uint8 RGB images of different content."""
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, size=(*size, 3), dtype=np.uint8) for _ in range(count)]
