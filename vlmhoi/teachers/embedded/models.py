"""Building the small BLIP- and CLIP-architecture teachers and saving them like a hub snapshot.

A saved teacher folder holds ``save_pretrained`` output of the model, its word-level
tokenizer (``vlmhoi.teachers.tokenizer``, words of every prompt form of every valid
HICO-DET pair, so every vocabulary text tokenizes without ``[UNK]``) and its image
processor (sized to the model's input), so ``AutoTokenizer`` / ``AutoImageProcessor`` /
``from_pretrained`` read it back exactly like ``Salesforce/blip-itm-base-coco``.
"""
from __future__ import annotations

from pathlib import Path

import torch
from transformers import (
    BlipConfig,
    BlipForImageTextRetrieval,
    BlipImageProcessorPil,
    CLIPConfig,
    CLIPImageProcessorPil,
    CLIPModel,
    PreTrainedTokenizerBase,
)

from ..tokenizer import build_word_tokenizer, special_token_ids
from .captions import all_texts
from .config import MAX_TEXT_LENGTH, TeacherRecipe

TOKENIZER_KIND = {'blip': 'bert', 'clip': 'clip'}
RESAMPLE_BICUBIC = 3            # PIL.Image.Resampling.BICUBIC, as BLIP / CLIP processors use


def build_tokenizer(kind: str) -> PreTrainedTokenizerBase:
    """The word-level tokenizer of a teacher kind over the synthetic prompt vocabulary."""
    return build_word_tokenizer(all_texts(), kind=TOKENIZER_KIND[kind],
                                max_length=MAX_TEXT_LENGTH)


def build_image_processor(recipe: TeacherRecipe):
    """BLIP: resize to the square input. CLIP: shortest edge then centre crop (square)."""
    side = recipe.image_size
    if recipe.kind == 'blip':
        return BlipImageProcessorPil(size={'height': side, 'width': side},
                                     resample=RESAMPLE_BICUBIC)
    return CLIPImageProcessorPil(size={'shortest_edge': side},
                                 crop_size={'height': side, 'width': side},
                                 resample=RESAMPLE_BICUBIC)


def _vision(recipe: TeacherRecipe) -> dict:
    return dict(image_size=recipe.image_size, patch_size=recipe.patch_size,
                hidden_size=recipe.vision_hidden, num_hidden_layers=recipe.vision_layers,
                num_attention_heads=recipe.heads,
                intermediate_size=recipe.vision_hidden * recipe.mlp_ratio,
                initializer_range=recipe.init_std)


def _text(recipe: TeacherRecipe, tokenizer: PreTrainedTokenizerBase) -> dict:
    return dict(vocab_size=len(tokenizer), hidden_size=recipe.text_hidden,
                num_hidden_layers=recipe.text_layers, num_attention_heads=recipe.heads,
                intermediate_size=recipe.text_hidden * recipe.mlp_ratio,
                max_position_embeddings=MAX_TEXT_LENGTH, initializer_range=recipe.init_std,
                **special_token_ids(tokenizer))


def build_model(recipe: TeacherRecipe, tokenizer: PreTrainedTokenizerBase) -> torch.nn.Module:
    """A randomly initialised ``BlipForImageTextRetrieval`` or ``CLIPModel`` of the recipe."""
    if recipe.kind == 'blip':
        text = _text(recipe, tokenizer)
        text['encoder_hidden_size'] = recipe.vision_hidden
        config = BlipConfig(text_config=text, vision_config=_vision(recipe),
                            projection_dim=recipe.projection_dim)
        return BlipForImageTextRetrieval(config)
    if recipe.kind == 'clip':
        config = CLIPConfig(text_config=_text(recipe, tokenizer), vision_config=_vision(recipe),
                            projection_dim=recipe.projection_dim,
                            logit_scale_init_value=recipe.logit_scale_init)
        return CLIPModel(config)
    raise ValueError(f'unknown teacher kind {recipe.kind!r}; choose blip or clip')


def save_teacher(out: str | Path, model: torch.nn.Module, tokenizer: PreTrainedTokenizerBase,
                 processor) -> Path:
    """``save_pretrained`` of model, tokenizer and image processor into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    processor.save_pretrained(out)
    return out


def count_parameters(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
