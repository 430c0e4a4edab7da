"""Study definitions: grids with seeds, parameter -> config overrides, the study files."""
from __future__ import annotations

import pytest

from vlmhoi.sweeps import SEED_KEY, Param, StudyError, StudySpec, available_studies, load_spec
from vlmhoi.sweeps.cfg_check import check_study_config, parse_cfg_options


def test_grid_has_every_point_times_seed():
    spec = load_spec('table3_margin')
    points = spec.grid_points([0, 1, 2])
    assert len(points) == 9 and len({tuple(p.items()) for p in points}) == 9
    assert {p['alpha'] for p in points} == {0.0, 1.0, 2.0}
    assert spec.cfg_overrides({'alpha': 2.0}, 7) == {
        'model.bbox_head.extra_losses.0.alpha': 2.0, SEED_KEY: 7}


def test_study_files_declare_what_the_issue_asks():
    assert {'table3_margin', 'table4_prompt', 'teacher', 'tune', 'lr_grid'} <= set(
        available_studies())
    assert load_spec('table4_prompt').params[0].choices == ('verb', 'object', 'full')
    tune = load_spec('tune')
    assert tune.sampler == 'tpe' and tune.pruning and tune.n_trials
    assert {p.name for p in tune.params} == {'alpha', 'itm_weight', 'lr'}
    teacher = load_spec('teacher').restricted({'teacher': ['clip']})
    assert teacher.params[0].choices == ('clip',)
    over = teacher.cfg_overrides({'teacher': 'clip'}, 0)
    assert over['teacher.score'] == 'cosine' and over['teacher.type'] == 'ClipTeacher'


@pytest.mark.parametrize('name', ['table3_margin', 'table4_prompt', 'teacher', 'tune'])
def test_paper_studies_set_keys_of_the_vlmhoi_config(name):
    """Every key a paper study sets exists in its default config, and the trial first
    builds (or finds) the teacher-score cache of its teacher and prompt form."""
    spec = load_spec(name)
    assert spec.config == 'mm_configs/vlmhoi_tiny_synth_hico.py'
    assert spec.prepare_script == 'tools/build_teacher_cache.py'
    check_study_config(spec, spec.config, {}, spec.grid_points([0]) if spec.sampler == 'grid'
                       else [{p.name: p.low for p in spec.params} | {'seed': 0}])


def test_bad_definitions_are_refused():
    with pytest.raises(StudyError, match='exactly one of key= or overrides='):
        Param('x', choices=(1,))
    with pytest.raises(StudyError, match='not .seed.'):
        StudySpec('s', (Param('seed', key='a', choices=(1,)),), metric='m')
    with pytest.raises(StudyError, match='grid study needs choices'):
        StudySpec('s', (Param('x', key='a', low=0.0, high=1.0),), metric='m')
    with pytest.raises(StudyError, match='TPE study needs n_trials'):
        StudySpec('s', (Param('x', key='a', low=0.0, high=1.0),), metric='m', sampler='tpe')


def test_keys_are_checked_through_lists_and_base_options(tmp_path):
    cfg = tmp_path / 'c.py'
    cfg.write_text("model = dict(bbox_head=dict(extra_losses=[dict(alpha=1.0)]))\n")
    spec = StudySpec('s', (Param('alpha', key='model.bbox_head.extra_losses.0.alpha',
                                 choices=(0.0, 2.0)),), metric='m', source='s.py')
    check_study_config(spec, str(cfg), {}, spec.grid_points([0]))
    bad = StudySpec('s', (Param('alpha', key='model.bbox_head.extra_losses.1.alpha',
                                choices=(0.0,)),), metric='m', source='s.py')
    with pytest.raises(StudyError, match=r'extra_losses has 1 entries, no \[1\]'):
        check_study_config(bad, str(cfg), {}, bad.grid_points([0]))
    added = StudySpec('s', (Param('w', key='extra.w', choices=(1,)),), metric='m', source='s.py')
    with pytest.raises(StudyError, match="the config has no 'extra'"):
        check_study_config(added, str(cfg), {}, added.grid_points([0]))
    # a key that the study's --cfg-options add is there for the parameters
    check_study_config(added, str(cfg), parse_cfg_options(['extra.w=3']),
                       added.grid_points([0]))
