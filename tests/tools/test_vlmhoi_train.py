"""VLM-HOI for real: the embedded-teacher config trains with the cached ITM loss; without
teacher weights or without the cache it stops at start-up saying what to do."""
from __future__ import annotations

import pytest
from mmengine.config import Config

from tests.teachers.cache_world import make_teacher
from tests.tools.conftest import ROOT, run_tool, world_options
from vlmhoi.engine.itm_teacher_link import link_itm_teacher

CONFIG = 'mm_configs/vlmhoi_tiny_synth_hico.py'


@pytest.fixture(scope='module')
def teacher_dir(tmp_path_factory):
    return make_teacher(tmp_path_factory.mktemp('vlm_teacher'))


def _options(world, teacher, root) -> list[str]:
    return [*world_options(world), f'teacher.model_path={teacher}',
            f'teacher_cache.root={root}']


def test_trains_with_the_cached_itm_loss(tiny_world, teacher_dir, tmp_path) -> None:
    root = tmp_path / 'scores'
    options = _options(tiny_world, teacher_dir, root)
    built = run_tool(['tools/build_teacher_cache.py', CONFIG, '--no-progress',
                      '--cfg-options', *options])
    assert built.returncode == 0, (built.stdout + built.stderr)[-3000:]
    res = run_tool(['tools/train.py', CONFIG, '--work-dir', str(tmp_path / 'work'),
                    '--cfg-options', *options])
    log = res.stdout + res.stderr
    assert res.returncode == 0, log[-3000:]
    for key in ('loss_itm:', 'loss_itm_pos:', 'loss_itm_neg:', 'itm_score_pos:'):
        assert key in log, key


def test_missing_teacher_weights_stop_at_start_up(tiny_world, tmp_path) -> None:
    res = run_tool(['tools/train.py', CONFIG, '--work-dir', str(tmp_path / 'work'),
                    '--cfg-options', *_options(tiny_world, tmp_path / 'no_such_teacher',
                                               tmp_path / 'scores')])
    out = res.stdout + res.stderr
    assert res.returncode != 0
    assert 'no_such_teacher' in out and 'download' in out, out[-3000:]
    assert 'Epoch(train)' not in out


def test_missing_cache_stops_at_start_up(tiny_world, teacher_dir, tmp_path) -> None:
    res = run_tool(['tools/train.py', CONFIG, '--work-dir', str(tmp_path / 'work'),
                    '--cfg-options', *_options(tiny_world, teacher_dir, tmp_path / 'empty')])
    out = res.stdout + res.stderr
    assert res.returncode != 0 and 'build_teacher_cache' in out, out[-3000:]
    assert 'Epoch(train)' not in out


def test_one_definition_of_teacher_and_prompt_form(tiny_world, teacher_dir) -> None:
    cfg = Config.fromfile(str(ROOT / CONFIG))
    cfg.merge_from_dict({'teacher.model_path': str(teacher_dir),
                         'teacher_cache.prompt_form': 'verb', 'teacher.score': 'itm_prob'})
    link_itm_teacher(cfg)
    loss = cfg.model.bbox_head.extra_losses[0]
    assert loss.prompt_form == 'verb' and loss.teacher['score'] == 'itm_prob'
    steps = [s['type'] for s in cfg.train_dataloader.dataset.pipeline]
    assert steps.index('LoadTeacherScores') == steps.index('PackHOIInputs') - 1
    clash = Config.fromfile(str(ROOT / CONFIG))
    clash.model.bbox_head.extra_losses[0]['prompt_form'] = 'object'
    with pytest.raises(ValueError, match='set it once'):
        link_itm_teacher(clash)
    wrong = Config.fromfile(str(ROOT / CONFIG))
    wrong.model.bbox_head.extra_losses[0]['dataset_vocab'] = 'vcoco'
    wrong.model.bbox_head.extra_losses[0]['correct_mat'] = str(
        tiny_world / 'annotations/corre_vcoco.npy')
    wrong.merge_from_dict({'teacher.model_path': str(teacher_dir),
                           'train_dataloader.dataset.data_root': str(tiny_world) + '/'})
    with pytest.raises(ValueError, match='not the training dataset'):
        link_itm_teacher(wrong)
