"""The teacher interface: a frozen vision-language model that scores (image, text) pairs.

Every teacher (BLIP ITM, BLIP-2 ITM, CLIP) is an :class:`HOITeacher` built from config through
the :data:`TEACHERS` registry::

    teacher = build_teacher(dict(type='BlipItmTeacher', model_path='Salesforce/blip-itm-base-coco'))
    scores = teacher.score(images, vocabulary.texts)        # (B, T) float32 on CPU

**Frozen, and invisible to the detector.** The transformers model is held *outside* the
``nn.Module`` tree (a plain attribute, reached as :attr:`HOITeacher.model`), so a detector that
holds a teacher as a submodule has no teacher keys in ``state_dict()`` (checkpoints stay
detector-only), no teacher tensors in ``parameters()`` (the optimizer, DDP and weight decay
never see them), and a parent's ``.to()`` / ``.half()`` / ``.train()`` does not touch it. The
teacher stays on the ``device`` and ``dtype`` it was built with, its parameters have
``requires_grad=False``, and :meth:`HOITeacher.train` keeps it in eval mode whatever the
parent asks. Scoring runs under ``torch.no_grad`` (not ``inference_mode``: the scores enter
the detector's loss, and autograd cannot save inference tensors for backward).

**Score modes** (DESIGN.md section 2), every one returned as float32:

=====================  ===========================================================
``itm_logodds``        match logit minus no-match logit (ITM teachers' default)
``itm_prob``           softmax probability of "match"
``itm_nomatch_logit``  ``itm_score[..., 0]``, what the published VLM-HOI code scores
``cosine``             cosine of image and text embeddings (CLIP; optionally times
                       the model's logit scale)
=====================  ===========================================================

**dtype**: ``'float32'`` | ``'float16'`` | ``'bfloat16'``. ``float16`` on CPU is refused (torch's
CPU half kernels are slow or missing; use ``bfloat16`` or ``float32`` there).

**Efficient scoring**: :meth:`HOITeacher.score` runs the vision side once per image
(:meth:`encode_images`) and scores all texts against it in batches of ``text_batch_size``
(:meth:`score_encoded`); :meth:`score_per_pair` is the reference, one full model forward per
pair. Tests prove both equal.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from mmengine.registry import Registry
from PIL import Image

from .loading import (
    DEFAULT_HUB_EXAMPLE,
    load_image_processor,
    load_model,
    load_tokenizer,
    resolve_model_dir,
    weights_sha256,
)

# The registry imports these when a config is built (vlmhoi.teachers itself is lazy).
TEACHER_MODULES = ['vlmhoi.teachers.blip', 'vlmhoi.teachers.blip2', 'vlmhoi.teachers.clip']
TEACHERS = Registry('teacher', locations=TEACHER_MODULES)

SCORE_MODES = ('itm_logodds', 'itm_prob', 'itm_nomatch_logit', 'cosine')
ITM_SCORE_MODES = ('itm_logodds', 'itm_prob', 'itm_nomatch_logit')
DTYPES = {'float32': torch.float32, 'float16': torch.float16, 'bfloat16': torch.bfloat16}
ITM_NOMATCH, ITM_MATCH = 0, 1  # column order of transformers' ITM heads (BLIP, BLIP-2)
TOKEN_CACHE_SIZE = 4  # tokenised vocabularies kept per teacher (one per prompt form in use)

ImageLike = Image.Image | np.ndarray


def itm_scores(itm_logits: torch.Tensor, mode: str) -> torch.Tensor:
    """ITM head logits (..., 2) -> float32 scores (...) in ``mode`` (one of ITM_SCORE_MODES)."""
    logits = itm_logits.float()
    if mode == 'itm_logodds':
        return logits[..., ITM_MATCH] - logits[..., ITM_NOMATCH]
    if mode == 'itm_prob':
        return logits.softmax(dim=-1)[..., ITM_MATCH]
    if mode == 'itm_nomatch_logit':
        return logits[..., ITM_NOMATCH]
    raise ValueError(f'itm_scores: score mode {mode!r} is not one of {ITM_SCORE_MODES}')


def to_rgb_image(image: ImageLike, index: int) -> Image.Image:
    """A PIL image or an (H, W, 3) uint8 array -> RGB PIL image; anything else is refused."""
    if isinstance(image, Image.Image):
        return image.convert('RGB')
    if isinstance(image, np.ndarray):
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(f'teacher images[{index}]: an array image must be (H, W, 3) uint8 '
                             f'RGB, got shape {image.shape} dtype {image.dtype}')
        return Image.fromarray(image, mode='RGB')
    raise TypeError(f'teacher images[{index}]: expected a PIL image or an (H, W, 3) uint8 array, '
                    f'got {type(image).__name__}')


class HOITeacher(torch.nn.Module):
    """Base class: loading, freezing, identity, preprocessing, text batching (see module doc).

    Subclasses set ``SCORE_MODES`` / ``DEFAULT_SCORE`` / ``MODEL_CLASS`` / ``MODEL_TYPES`` /
    ``HUB_EXAMPLE`` and implement :meth:`encode_images`, :meth:`score_encoded` and
    :meth:`_pair_forward` (and :meth:`load_model` when loading needs extra arguments).

    Args:
        model_path: a local model directory (``save_pretrained`` output with tokenizer and image
            processor) or a hub id already in the local Hugging Face cache. Never downloads.
        score: score mode, one of ``SCORE_MODES`` (default ``DEFAULT_SCORE``).
        dtype: ``'float32'`` | ``'float16'`` | ``'bfloat16'`` (weights and activations).
        device: where the model lives and runs (``'cpu'``, ``'cuda'``, ``'cuda:1'``...).
        text_batch_size: texts per forward in :meth:`score_encoded`.
        image_batch_size: images per vision forward in :meth:`score`.
    """

    SCORE_MODES: tuple[str, ...] = ()
    DEFAULT_SCORE: str = ''
    MODEL_CLASS: type | None = None  # the transformers class loaded with from_pretrained
    MODEL_TYPES: tuple[str, ...] = ()  # accepted config.model_type values
    HUB_EXAMPLE: str = DEFAULT_HUB_EXAMPLE  # named in the how-to-get-the-weights errors

    def __init__(self, model_path: str, score: str | None = None, dtype: str = 'float32',
                 device: str = 'cpu', text_batch_size: int = 64, image_batch_size: int = 8):
        super().__init__()
        name = type(self).__name__
        score = self.DEFAULT_SCORE if score is None else score
        if score not in self.SCORE_MODES:
            raise ValueError(f'{name}: score mode {score!r} is not available; '
                             f'this teacher can do {self.SCORE_MODES}')
        if dtype not in DTYPES:
            raise ValueError(f'{name}: dtype {dtype!r} is not one of {tuple(DTYPES)}')
        self.device = torch.device(device)
        if dtype == 'float16' and self.device.type == 'cpu':
            raise ValueError(f'{name}: dtype float16 on CPU is refused (slow or missing CPU half '
                             'kernels); use float32 or bfloat16 on CPU, float16 on a GPU')
        if text_batch_size < 1 or image_batch_size < 1:
            raise ValueError(f'{name}: text_batch_size and image_batch_size must be >= 1, got '
                             f'{text_batch_size} and {image_batch_size}')
        self.model_path = str(model_path)
        self.score_mode = score
        self.dtype_name = dtype
        self.torch_dtype = DTYPES[dtype]
        self.text_batch_size = text_batch_size
        self.image_batch_size = image_batch_size
        self.model_dir: Path = resolve_model_dir(self.model_path, self.HUB_EXAMPLE, name)
        model = self.load_model(self.model_dir, self.torch_dtype).to(self.device).eval()
        model.requires_grad_(False)
        # Outside the nn.Module tree on purpose: not in state_dict / parameters / .to().
        object.__setattr__(self, '_hf_model', model)
        self.tokenizer = load_tokenizer(self.model_dir)
        self.image_processor = load_image_processor(self.model_dir)
        self.weights_sha256 = weights_sha256(self.model_dir)
        self._token_cache: OrderedDict[tuple[str, ...], list[dict]] = OrderedDict()
        super().train(False)

    # -- model, freezing ------------------------------------------------------------------
    def load_model(self, model_dir: Path, dtype: torch.dtype) -> torch.nn.Module:
        """``MODEL_CLASS`` from ``model_dir``: offline, model type and weights checked."""
        return load_model(self.MODEL_CLASS, model_dir, self.MODEL_TYPES, dtype,
                          type(self).__name__, self.HUB_EXAMPLE)

    @property
    def model(self) -> torch.nn.Module:
        """The frozen transformers model (not a registered submodule)."""
        return self._hf_model

    def train(self, mode: bool = True) -> HOITeacher:
        """Always eval: a parent's ``.train()`` does not switch the teacher to training."""
        super().train(False)
        self._hf_model.eval()
        return self

    def extra_repr(self) -> str:
        return (f'model_path={self.model_path!r}, score={self.score_mode!r}, '
                f'dtype={self.dtype_name!r}, device={str(self.device)!r}')

    def identity(self) -> dict:
        """What a cached score depends on: teacher class, model, weights hash, score mode, dtype."""
        return {'teacher': type(self).__name__, 'model': self.model_path,
                'weights_sha256': self.weights_sha256, 'score': self.score_mode,
                'dtype': self.dtype_name}

    # -- inputs -----------------------------------------------------------------------------
    def preprocess(self, images: Sequence[ImageLike]) -> torch.Tensor:
        """RGB images -> pixel_values (B, 3, H, W) by the model's own saved image processor."""
        if len(images) == 0:
            raise ValueError(f'{type(self).__name__}.preprocess: no images')
        rgb = [to_rgb_image(image, i) for i, image in enumerate(images)]
        pixels = self.image_processor(images=rgb, return_tensors='pt')['pixel_values']
        return pixels.to(self.device, self.torch_dtype)

    def tokenize(self, texts: Sequence[str]) -> dict[str, torch.Tensor]:
        """Texts -> padded, truncated ``input_ids`` / ``attention_mask`` (N, L) on the device."""
        enc = self.tokenizer(list(texts), padding=True, truncation=True, return_tensors='pt')
        return {'input_ids': enc['input_ids'].to(self.device),
                'attention_mask': enc['attention_mask'].to(self.device)}

    def text_batches(self, texts: Sequence[str]) -> list[dict[str, torch.Tensor]]:
        """``texts`` tokenised in chunks of ``text_batch_size``, cached per vocabulary."""
        key = tuple(texts)
        if not key:
            raise ValueError(f'{type(self).__name__}: no texts to score')
        if key in self._token_cache:
            self._token_cache.move_to_end(key)
            return self._token_cache[key]
        step = self.text_batch_size
        batches = [self.tokenize(key[i:i + step]) for i in range(0, len(key), step)]
        self._token_cache[key] = batches
        while len(self._token_cache) > TOKEN_CACHE_SIZE:
            self._token_cache.popitem(last=False)
        return batches

    # -- scoring ----------------------------------------------------------------------------
    def encode_images(self, pixel_values: torch.Tensor) -> object:
        """pixel_values (B, 3, H, W) -> the vision side, run once per image (teacher-specific)."""
        raise NotImplementedError

    def score_encoded(self, encoded: object, texts: Sequence[str]) -> torch.Tensor:
        """Encoded images (B of them) x texts (T) -> scores (B, T) float32 on CPU."""
        raise NotImplementedError

    def _pair_forward(self, pixel_values: torch.Tensor, tokens: dict) -> torch.Tensor:
        """One full model forward of pixel_values (1, 3, H, W) and one text -> score (1,)."""
        raise NotImplementedError

    @torch.no_grad()
    def score(self, images: Sequence[ImageLike], texts: Sequence[str]) -> torch.Tensor:
        """Every image against every text: (B, T) float32 CPU; vision once per image."""
        if len(images) == 0:
            raise ValueError(f'{type(self).__name__}.score: no images')
        rows = []
        for start in range(0, len(images), self.image_batch_size):
            pixels = self.preprocess(images[start:start + self.image_batch_size])
            rows.append(self.score_encoded(self.encode_images(pixels), texts))
        return torch.cat(rows)

    forward = score

    @torch.no_grad()
    def score_per_pair(self, images: Sequence[ImageLike], texts: Sequence[str]) -> torch.Tensor:
        """Reference: one full model forward per (image, text) pair -> (B, T) float32 CPU."""
        pixels = self.preprocess(images)
        out = torch.empty(len(images), len(texts), dtype=torch.float32)
        for i in range(len(images)):
            for j, text in enumerate(texts):
                out[i, j] = self._pair_forward(pixels[i:i + 1], self.tokenize([text]))[0].cpu()
        return out



class ItmHeadTeacher(HOITeacher):
    """A teacher with an image-text matching head (BLIP, BLIP-2): subclasses give
    :meth:`itm_logits`; the texts are scored against each encoded image in batches."""

    def itm_logits(self, image_embeds: torch.Tensor, tokens: dict) -> torch.Tensor:
        """One image's encoding (1, ...) x N tokenised texts -> ITM logits (N, 2)."""
        raise NotImplementedError

    def score_encoded(self, encoded: torch.Tensor, texts: Sequence[str]) -> torch.Tensor:
        """Encoded images (B, ...) x T texts -> scores (B, T) float32 CPU."""
        batches = self.text_batches(texts)
        rows = []
        for b in range(encoded.shape[0]):
            image = encoded[b:b + 1]
            rows.append(torch.cat([itm_scores(self.itm_logits(image, tokens), self.score_mode)
                                   for tokens in batches]))
        return torch.stack(rows).cpu()


def build_teacher(cfg: dict | HOITeacher) -> HOITeacher:
    """A teacher from a config dict (``type``: a registered class name); a teacher passes."""
    if isinstance(cfg, HOITeacher):
        return cfg
    # looked up in vlmhoi's own registry directly: Registry.build would first search the
    # caller's default scope (mmdet in training), which has no teacher registry, and warn
    args = dict(cfg)
    name = args.pop('type', None)
    cls = TEACHERS.get(name) if isinstance(name, str) else name
    if cls is None:
        raise KeyError(f'build_teacher: {name!r} is not a registered teacher; registered: '
                       f'{sorted(TEACHERS.module_dict)}')
    teacher = cls(**args)
    if not isinstance(teacher, HOITeacher):
        raise TypeError(f'build_teacher: {cfg.get("type")!r} built a {type(teacher).__name__}, '
                        'not an HOITeacher')
    return teacher
