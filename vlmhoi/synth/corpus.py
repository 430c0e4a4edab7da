"""The teachers' caption corpus: synthetic images balanced over interaction templates.

The analog of a VLM's web-scale pre-training data. Images are drawn by the same sampler and
renderer as the detector's world, from their own random streams (split code ``'corpus'``
of ``records.SPLIT_CODE``, stream ``(seed, 2, stage, index)``), so no corpus image is a
detector train or test image. Unlike the detector's Zipf-tailed splits, every template of
``world.COMBOS`` occurs about equally often (counts decided exactly, then packed into
images like a detector split), so the detector's rare categories are common here.

Each image is rendered at the world's size, JPEG-encoded and decoded at
``world.JPEG_QUALITY`` (the detector's images are such JPEGs), then resized to the teacher
input size (bicubic). The corpus is cached once under
``user_cache_dir('synth_corpus', <key>)`` as ``images.npy`` (N, S, S, 3) uint8 and
``captions.json`` (per image its true (HICO verb, object) pairs and templates); the key is
a hash of the generator's source, the seed and the sizes.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ..cache_dir import user_cache_dir
from . import world
from .allocate import combo_counts, pack
from .generate import STAGE_ALLOCATE, STAGE_IMAGE, stream
from .render import render_scene
from .scene import nominal_width, sample_scene

CORPUS_SPLIT = 'corpus'
CORPUS_FORMAT = 1                       # bump when the cached layout changes
IMAGES_FILE, CAPTIONS_FILE = 'images.npy', 'captions.json'
DEFAULT_CORPUS_IMAGES = 3000
DEFAULT_RENDER_SIZE = 256               # the default world's image size
# Source files whose change changes what the corpus contains (the cache key hashes them).
GENERATOR_SOURCES = ('world.py', 'poses.py', 'shapes.py', 'scene.py', 'render.py',
                     'allocate.py', 'corpus.py')


@dataclass
class CaptionCorpus:
    """Rendered corpus images and what is true in each.

    ``images``: (N, S, S, 3) uint8 RGB. ``pairs[i]``: the distinct (HICO verb, COCO object)
    names true in image ``i``. ``combos[i]``: its interaction templates.
    """

    images: np.ndarray
    pairs: list[list[tuple[str, str]]]
    combos: list[list[str]]
    meta: dict

    def __len__(self) -> int:
        return len(self.pairs)


def generator_digest() -> str:
    """sha256 over the generator's source files (the world spec, poses, looks, renderer)."""
    here = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for name in GENERATOR_SOURCES:
        h.update(name.encode())
        h.update((here / name).read_bytes())
    return h.hexdigest()


def corpus_key(seed: int, n_images: int, size: int, image_size: int) -> str:
    """Content key of a corpus: format, generator digest, seed, sizes, count."""
    payload = json.dumps(dict(format=CORPUS_FORMAT, generator=generator_digest(), seed=seed,
                              n_images=n_images, size=size, image_size=image_size),
                         sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def allocate_corpus(seed: int, n_images: int) -> list[list[int]]:
    """Combo indices per corpus image: every template about equally often."""
    rng = stream(seed, CORPUS_SPLIT, STAGE_ALLOCATE)
    keys = list(world.INTERACTIONS_PER_IMAGE)
    p = np.array([world.INTERACTIONS_PER_IMAGE[k] for k in keys], dtype=float)
    targets = [int(keys[i]) for i in rng.choice(len(keys), size=n_images, p=p / p.sum())]
    counts = combo_counts(sum(targets), range(len(world.COMBOS)), exponent=0.0)
    slots = [i for i in sorted(counts) for _ in range(counts[i])]
    widths = [nominal_width(c) for c in world.COMBOS]
    budget = (1 - 2 * world.MARGIN) / (world.PERSON_HEIGHT_MIN * world.GROUP_SCALE_RANGE[1])
    return pack(rng, slots, targets, widths, budget)


def _true_pairs(scene) -> list[tuple[str, str]]:
    seen: dict[tuple[str, str], None] = {}
    for _, obj, verb in scene.hico:
        seen.setdefault((verb, scene.boxes[obj][0]), None)
    return list(seen)


def to_teacher_image(image: Image.Image, image_size: int) -> np.ndarray:
    buf = io.BytesIO()
    image.save(buf, format='JPEG', quality=world.JPEG_QUALITY)
    buf.seek(0)
    decoded = Image.open(buf).convert('RGB')
    if decoded.size != (image_size, image_size):
        decoded = decoded.resize((image_size, image_size), Image.Resampling.BICUBIC)
    return np.asarray(decoded, dtype=np.uint8)


def render_corpus(seed: int = 0, n_images: int = DEFAULT_CORPUS_IMAGES,
                  size: int = DEFAULT_RENDER_SIZE, image_size: int = 128,
                  progress: bool = False) -> CaptionCorpus:
    """Render a corpus in memory (deterministic: same arguments, same arrays)."""
    if n_images < 1:
        raise ValueError(f'a caption corpus needs at least one image, got {n_images}')
    if image_size < 8 or image_size > size:
        raise ValueError(f'image_size must be in [8, size={size}], got {image_size}')
    allocation = allocate_corpus(seed, n_images)
    pool = world.world_objects()
    images = np.empty((len(allocation), image_size, image_size, 3), dtype=np.uint8)
    pairs, combos = [], []
    items = enumerate(allocation)
    if progress:
        from tqdm import tqdm
        items = tqdm(items, total=len(allocation), desc='render corpus', file=sys.stderr)
    for j, combo_ids in items:
        scene = sample_scene(stream(seed, CORPUS_SPLIT, STAGE_IMAGE, j), size,
                             [world.COMBOS[i] for i in combo_ids], pool)
        images[j] = to_teacher_image(render_scene(scene, world.SUPERSAMPLE), image_size)
        pairs.append(_true_pairs(scene))
        combos.append(list(scene.combos))
    meta = dict(format=CORPUS_FORMAT, generator=generator_digest(), seed=seed,
                n_images=n_images, size=size, image_size=image_size)
    return CaptionCorpus(images, pairs, combos, meta)


def _read_cached(folder: Path) -> CaptionCorpus:
    captions_path = folder / CAPTIONS_FILE
    data = json.loads(captions_path.read_text(encoding='utf-8'))
    images = np.load(folder / IMAGES_FILE, allow_pickle=False, mmap_mode='r')
    pairs = [[(str(v), str(o)) for v, o in entry] for entry in data['pairs']]
    if images.ndim != 4 or images.shape[0] != len(pairs) or images.dtype != np.uint8:
        raise ValueError(f'{folder / IMAGES_FILE}: shape {images.shape} dtype {images.dtype} '
                         f'does not match the {len(pairs)} captions of {captions_path}; '
                         f'delete the folder to rebuild it')
    return CaptionCorpus(images, pairs, data['combos'], data['meta'])


def load_corpus(seed: int = 0, n_images: int = DEFAULT_CORPUS_IMAGES,
                size: int = DEFAULT_RENDER_SIZE, image_size: int = 128,
                cache_root: str | Path | None = None, progress: bool = True) -> CaptionCorpus:
    """The corpus from the cache, rendered and cached first when absent.

    ``cache_root`` defaults to ``user_cache_dir('synth_corpus')``; the folder is named by
    :func:`corpus_key`, and files are written under temporary names then renamed, so a
    killed build leaves no half corpus behind.
    """
    root = Path(cache_root) if cache_root is not None else user_cache_dir('synth_corpus')
    folder = root / corpus_key(seed, n_images, size, image_size)
    if (folder / CAPTIONS_FILE).is_file() and (folder / IMAGES_FILE).is_file():
        return _read_cached(folder)
    corpus = render_corpus(seed, n_images, size, image_size, progress)
    folder.mkdir(parents=True, exist_ok=True)
    tmp_images = folder / f'{IMAGES_FILE}.{os.getpid()}.tmp.npy'
    np.save(tmp_images, corpus.images, allow_pickle=False)
    tmp_captions = folder / f'{CAPTIONS_FILE}.{os.getpid()}.tmp'
    tmp_captions.write_text(json.dumps(dict(meta=corpus.meta, pairs=corpus.pairs,
                                            combos=corpus.combos)), encoding='utf-8')
    os.replace(tmp_images, folder / IMAGES_FILE)
    os.replace(tmp_captions, folder / CAPTIONS_FILE)
    return _read_cached(folder)
