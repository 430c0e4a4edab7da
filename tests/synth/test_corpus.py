"""The teachers' caption corpus: deterministic, balanced, cached, disjoint from the detector."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vlmhoi.synth import world
from vlmhoi.synth.corpus import (
    CAPTIONS_FILE,
    IMAGES_FILE,
    allocate_corpus,
    corpus_key,
    load_corpus,
    render_corpus,
    to_teacher_image,
)
from vlmhoi.synth.generate import allocate, sample_split
from vlmhoi.synth.records import SPLIT_CODE
from vlmhoi.synth.render import render_scene

from .conftest import TINY

SMALL = dict(n_images=10, size=96, image_size=48)
# Two renders of different scenes differ by far more than this mean absolute pixel value
# (JPEG noise between two encodings of the same scene is below 2).
NEAR_DUPLICATE = 4.0


def test_same_seed_same_corpus_other_seed_other_corpus():
    a, b = render_corpus(0, **SMALL), render_corpus(0, **SMALL)
    c = render_corpus(1, **SMALL)
    assert a.images.shape == (10, 48, 48, 3) and a.images.dtype == np.uint8
    assert np.array_equal(a.images, b.images) and a.pairs == b.pairs and a.combos == b.combos
    assert not np.array_equal(a.images, c.images)


def test_every_template_about_equally_often():
    alloc = allocate_corpus(0, 600)
    counts = Counter(i for image in alloc for i in image)
    assert set(counts) == set(range(len(world.COMBOS)))
    assert max(counts.values()) - min(counts.values()) <= 1
    # the detector's split of the same size is long-tailed: the corpus is where its tail is common
    det = Counter(i for image in allocate(0, 600, 10)['train'] for i in image)
    assert max(det.values()) > 10 * min(det.get(i, 0) + 1 for i in range(len(world.COMBOS)))
    assert min(counts.values()) > det[len(world.COMBOS) - 1]


def test_captions_are_the_scene_truth():
    corpus = render_corpus(0, **SMALL)
    verbs = {c.name: {(v, r.obj) for r in c.roles for v in r.verbs} for c in world.COMBOS}
    for pairs, combos in zip(corpus.pairs, corpus.combos):
        assert combos and len(set(pairs)) == len(pairs)
        assert set(pairs) == set().union(*(verbs[name] for name in combos))


def test_split_code_is_its_own():
    assert len(set(SPLIT_CODE.values())) == len(SPLIT_CODE)
    assert 'corpus' in SPLIT_CODE


def test_no_corpus_image_is_a_detector_image(tiny_world):
    """Same seed and size as the generated world: no corpus image is one of its images."""
    corpus = render_corpus(0, n_images=TINY['n_train'], size=TINY['size'],
                           image_size=TINY['size'])
    world_images = [np.asarray(Image.open(p).convert('RGB'), dtype=np.float32)
                    for p in sorted((tiny_world / 'images').rglob('*.jpg'))]
    assert len(world_images) == TINY['n_train'] + TINY['n_test']
    for k, image in enumerate(corpus.images.astype(np.float32)):
        nearest = min(float(np.abs(image - w).mean()) for w in world_images)
        assert nearest > NEAR_DUPLICATE, f'corpus image {k} is a detector image ({nearest:.2f})'
    # the check can fail: the detector's first training scene rendered the corpus way is a
    # near duplicate of its JPEG
    alloc = allocate(0, TINY['n_train'], TINY['n_test'])
    scene = sample_split(0, 'train', alloc['train'][:1], TINY['size'])[0].scene
    again = to_teacher_image(render_scene(scene, world.SUPERSAMPLE), TINY['size'])
    first = np.asarray(Image.open(tiny_world / 'images/train2015/HICO_train2015_00000001.jpg'))
    assert float(np.abs(again.astype(np.float32) - first).mean()) < NEAR_DUPLICATE


def test_cached_once_and_read_back(tmp_path):
    built = load_corpus(0, cache_root=tmp_path, progress=False, **SMALL)
    folder = tmp_path / corpus_key(0, **SMALL)
    assert sorted(p.name for p in folder.iterdir()) == sorted([CAPTIONS_FILE, IMAGES_FILE])
    stamp = (folder / IMAGES_FILE).stat().st_mtime_ns
    again = load_corpus(0, cache_root=tmp_path, progress=False, **SMALL)
    assert (folder / IMAGES_FILE).stat().st_mtime_ns == stamp          # not rebuilt
    assert np.array_equal(np.asarray(again.images), render_corpus(0, **SMALL).images)
    assert again.pairs == built.pairs and again.meta['seed'] == 0
    assert corpus_key(1, **SMALL) != corpus_key(0, **SMALL)
    assert corpus_key(0, **dict(SMALL, n_images=11)) != corpus_key(0, **SMALL)


def test_damaged_cache_is_refused_with_its_path(tmp_path):
    load_corpus(0, cache_root=tmp_path, progress=False, **SMALL)
    captions = tmp_path / corpus_key(0, **SMALL) / CAPTIONS_FILE
    data = json.loads(captions.read_text())
    data['pairs'] = data['pairs'][:-1]
    captions.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=str(Path(captions).parent.name)):
        load_corpus(0, cache_root=tmp_path, progress=False, **SMALL)


def test_bad_arguments_refused():
    with pytest.raises(ValueError, match='at least one image'):
        render_corpus(0, n_images=0)
    with pytest.raises(ValueError, match='image_size'):
        render_corpus(0, n_images=2, size=96, image_size=128)
