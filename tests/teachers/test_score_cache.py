"""The teacher-score cache: layout, done masks, the cache-vs-on-the-fly equality, refusals."""
from __future__ import annotations

import copy
import json
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from tests.teachers.cache_world import cache_cfg, make_teacher, make_world
from vlmhoi.datasets.transforms import LoadTeacherScores, PackHOIInputs
from vlmhoi.teachers.base import build_teacher
from vlmhoi.teachers.cache_builder import (
    TeacherScorer,
    fill_cache,
    open_configured_cache,
    shard_rows,
)
from vlmhoi.teachers.cache_config import (
    add_teacher_scores,
    build_dataset,
    split_dataset_cfg,
    teacher_identity,
)
from vlmhoi.teachers.prompts import build_vocabulary
from vlmhoi.teachers.score_cache import ScoreCache, TeacherCacheError, cache_key, key_digest
from vlmhoi.vocab import hico_vocab


@pytest.fixture(scope='module')
def world(tmp_path_factory):
    return make_world(tmp_path_factory.mktemp('cache_world'))


@pytest.fixture(scope='module')
def teacher_dir(tmp_path_factory):
    return make_teacher(tmp_path_factory.mktemp('cache_teacher'))


@pytest.fixture(scope='module')
def built(world, teacher_dir, tmp_path_factory):
    """A complete cache of the world's training images: (cfg, root, ScoreCache)."""
    root = tmp_path_factory.mktemp('cache_root')
    cfg = cache_cfg(world, teacher_dir)
    target = open_configured_cache(cfg, root=root)
    fill_cache(target.scorer, target.cache, target.image_paths, batch_size=2, progress=False)
    return cfg, root, target


def transform_for(cfg, root, **kw):
    settings = dict(prompt_form=cfg.teacher_cache.prompt_form)
    settings.update(kw)
    dataset = {k: v for k, v in split_dataset_cfg(cfg, 'train').items() if k != 'pipeline'}
    return LoadTeacherScores(teacher=dict(cfg.teacher), dataset=dataset, root=str(root),
                             **settings)


def fake_key(texts=('A person ride a horse', 'A person hold a cup'), sha='0' * 64) -> dict:
    return {'format': 1, 'teacher': {'teacher': 'X', 'model': '/m', 'weights_sha256': sha,
                                     'score': 'itm_logodds', 'dtype': 'float32'},
            'prompt_form': 'full', 'vocabulary': {'dataset': 'hico', 'digest': 'd',
                                                  'texts': list(texts)},
            'annotations': {'file': 'a.json', 'sha256': '1' * 64}}


def test_store_layout_done_masks_and_incomplete_refusal(tmp_path):
    key, images = fake_key(), ['a.jpg', 'b.jpg', 'c.jpg']
    cache = ScoreCache.create_or_open(tmp_path, key, images)
    assert cache.path == tmp_path / key_digest(key)
    assert json.loads((cache.path / 'key.json').read_text()) == key
    assert np.load(cache.path / 'scores.npy', mmap_mode='r').shape == (3, 2)
    writer = cache.writer('shard-0-of-1')
    writer.write([0, 2], np.array([[1, 2], [5, 6]], dtype=np.float32))
    writer.write_rows(np.array([1]), np.array([[3, 4]], dtype=np.float32))  # "killed" here
    assert cache.done_mask().tolist() == [True, False, True]
    with pytest.raises(TeacherCacheError, match=r'incomplete: 1 of 3 images.*b\.jpg') as err:
        ScoreCache.open_complete(tmp_path, key)
    assert str(cache.path) in str(err.value)
    cache.writer('shard-0-of-1').mark_done(np.array([1]))   # a resumed writer keeps its mask
    done = ScoreCache.open_complete(tmp_path, key)
    np.testing.assert_array_equal(done.scores, [[1, 2], [3, 4], [5, 6]])
    assert sorted(p.name for p in (cache.path / 'done').iterdir()) == ['shard-0-of-1.npy']


def test_creation_race_keeps_one_folder(tmp_path):
    key, images = fake_key(), ['a.jpg', 'b.jpg']
    first = ScoreCache.create_or_open(tmp_path, key, images)
    first.writer('w').write([0], np.ones((1, 2), np.float32))
    ScoreCache._create(first.path, key, images)      # a second shard lost the rename race
    second = ScoreCache.create_or_open(tmp_path, key, images)
    assert [p.name for p in tmp_path.iterdir()] == [first.path.name]
    assert second.done_mask().tolist() == [True, False]
    with pytest.raises(TeacherCacheError, match='index lists 2 images'):
        ScoreCache.create_or_open(tmp_path, key, ['b.jpg', 'a.jpg'])


def test_key_ignores_model_location_not_weights():
    a, b = fake_key(), fake_key()
    b['teacher']['model'] = '/elsewhere'
    assert key_digest(a) == key_digest(b)
    assert key_digest(a) != key_digest(fake_key(sha='2' * 64))
    assert key_digest(a) != key_digest(fake_key(texts=('A person hold a cup',)))


def test_shards_are_disjoint_and_cover():
    rows = np.concatenate([shard_rows(11, i, 3) for i in range(3)])
    assert sorted(rows.tolist()) == list(range(11))


def test_identity_without_loading_equals_the_teacher(built):
    cfg = built[0]
    assert teacher_identity(dict(cfg.teacher)) == build_teacher(dict(cfg.teacher)).identity()


def test_cache_equals_on_the_fly_through_the_pipeline(built, teacher_dir):
    cfg, root, target = built
    dataset = build_dataset(split_dataset_cfg(cfg, 'train'))
    vocabulary = build_vocabulary(hico_vocab(), 'full')
    scorer = TeacherScorer(build_teacher(dict(cfg.teacher)), vocabulary)
    picks = [0, 5, len(dataset) - 1]
    infos = [dataset.get_data_info(i) for i in picks]
    fresh = scorer.score_files([info['img_path'] for info in infos])
    transform, pack = transform_for(cfg, root), PackHOIInputs()
    samples = []
    for info in infos:
        info['img'] = np.zeros((8, 8, 3), np.uint8)
        samples.append(pack(transform(info))['data_samples'])
    from_cache = torch.stack([sample.teacher_scores for sample in samples])
    assert torch.equal(scorer.score_data_samples(samples), fresh)
    assert from_cache.dtype == torch.float32 and from_cache.shape == (3, len(vocabulary))
    diff = (from_cache - fresh).abs().max().item()
    print(f'cache vs on-the-fly: max abs diff {diff:.3g} over {fresh.numel()} scores')
    assert diff <= 1e-5
    assert fresh.std() > 0.01             # the scores differ between texts and images


def test_transform_maps_missing_images_and_pickles_without_the_array(built):
    cfg, root, _ = built
    transform = transform_for(cfg, root)
    with pytest.raises(KeyError, match='not_there.jpg.*not in the teacher-score cache'):
        transform({'file_name': 'not_there.jpg', 'img_path': '/x/not_there.jpg'})
    name = next(iter(transform.row))
    row = transform({'file_name': name})['teacher_scores']
    clone = pickle.loads(pickle.dumps(transform))
    assert clone._scores is None                  # opened again, lazily, in the new process
    np.testing.assert_array_equal(clone({'file_name': name})['teacher_scores'], row)


@pytest.mark.parametrize('change, field', [
    (dict(score='itm_prob'), 'teacher.score'),
    (dict(dtype='bfloat16'), 'teacher.dtype'),
    ('other_weights', 'teacher.weights_sha256'),
    (dict(prompt_form='verb'), 'vocabulary.texts'),
    ('other_annotations', 'annotations.sha256'),
])
def test_mismatched_cache_is_refused(built, change, field, tmp_path):
    cfg, root, target = built
    cfg = copy.deepcopy(cfg)
    form = 'full'
    if change == 'other_weights':
        cfg.teacher.model_path = str(make_teacher(tmp_path / 'other', seed=1))
    elif change == 'other_annotations':
        dataset = cfg.train_dataloader.dataset
        ann = tmp_path / 'ann.json'
        entries = json.loads(Path(build_dataset(dict(dataset), lazy=True).ann_file).read_text())
        ann.write_text(json.dumps(entries[:-1]))
        dataset.ann_file = str(ann)
    elif 'prompt_form' in change:
        form = change['prompt_form']
    else:
        cfg.teacher.update(change)
    with pytest.raises(TeacherCacheError) as err:        # pointed at the built folder
        transform_for(cfg, root, prompt_form=form, cache_dir=str(target.cache.path))
    message = str(err.value)
    assert str(target.cache.path) in message and 'not read' in message and field in message
    with pytest.raises(TeacherCacheError, match=f'(?s)no teacher-score cache.*differs in.*{field}'):
        transform_for(cfg, root, prompt_form=form)      # looked up by key under the root


def test_unfinished_cache_is_refused_by_the_transform(built, tmp_path):
    cfg, root, target = built
    partial = tmp_path / 'partial'
    shutil.copytree(root, partial)
    folder = partial / target.cache.path.name
    (folder / 'done' / 'shard-0-of-1.npy').unlink()
    ScoreCache._open(folder, target.cache.key, writable=True).writer('x').mark_done(
        np.arange(3))
    with pytest.raises(TeacherCacheError, match=r'incomplete: \d+ of \d+ images'):
        transform_for(cfg, partial)


def test_add_teacher_scores_inserts_before_pack(built):
    cfg = copy.deepcopy(built[0])
    add_teacher_scores(cfg, 'train')
    types = [step['type'] for step in cfg.train_dataloader.dataset.pipeline]
    assert types[-2:] == ['LoadTeacherScores', 'PackHOIInputs']
    step = cfg.train_dataloader.dataset.pipeline[-2]
    assert step['dataset']['ann_file'] == cfg.train_dataloader.dataset.ann_file
    assert 'pipeline' not in step['dataset'] and step['teacher'] == cfg.teacher
    add_teacher_scores(cfg, 'train')
    assert [s['type'] for s in cfg.train_dataloader.dataset.pipeline].count(
        'LoadTeacherScores') == 1


def test_key_material_names_what_it_hashes(world):
    vocabulary = build_vocabulary(hico_vocab(), 'object')
    key = cache_key({'teacher': 'T', 'weights_sha256': 'w'}, vocabulary,
                    world / 'annotations' / 'trainval_hico.json')
    assert key['prompt_form'] == 'object' and key['vocabulary']['texts'] == list(
        vocabulary.texts)
    assert key['annotations']['file'] == 'trainval_hico.json'
    assert len(key['annotations']['sha256']) == 64


def test_a_finished_cache_loads_no_model(built):
    cfg, root, target = built
    again = open_configured_cache(cfg, root=root)
    assert again.cache.path == target.cache.path
    lines = []

    def no_model():
        raise AssertionError('the teacher was built for a finished cache')

    stats = fill_cache(no_model, again.cache, again.image_paths, progress=False,
                       log=lines.append)
    assert stats.scored == 0 and 'images already done, scoring 0' in lines[0]


@pytest.mark.parametrize('broken, message', [
    ('scores.npy', 'cannot map scores.npy'), ('key.json', 'cannot read key.json'),
    ('index.json', 'cannot read index.json')])
def test_damaged_files_are_refused(tmp_path, broken, message):
    key = fake_key()
    cache = ScoreCache.create_or_open(tmp_path, key, ['a.jpg'])
    cache.writer('w').write([0], np.ones((1, 2), np.float32))
    (cache.path / broken).write_bytes(b'\x93NUMPY garbage')
    with pytest.raises(TeacherCacheError, match=message) as err:
        ScoreCache.open_complete(tmp_path, key)
    assert str(cache.path) in str(err.value)


def test_the_training_dataset_delivers_rows_to_the_data_samples(built):
    from mmdet.registry import DATASETS
    from mmengine.registry import init_default_scope
    init_default_scope('mmdet')
    cfg, root, target = built
    cfg = copy.deepcopy(cfg)
    cfg.teacher_cache.root = str(root)
    add_teacher_scores(cfg, 'train')
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    for index in (0, len(dataset) - 1):
        sample = dataset[index]['data_samples']
        row = target.cache.row[sample.metainfo['file_name']]
        assert sample.teacher_scores.dtype == torch.float32
        np.testing.assert_array_equal(sample.teacher_scores.numpy(), target.cache.scores[row])
