"""Bad input to sweeps/run.py and sweeps/status.py: one clear error (exit status 2) and
nothing written: no study folder, no storage file, no MLflow store."""
from __future__ import annotations

import importlib.util

import pytest

from .conftest import ROOT, free_port, write_study


def cli(name: str):
    spec = importlib.util.spec_from_file_location(f'sweeps_{name}', ROOT / 'sweeps' / f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def run(args, capsys) -> tuple[int, str]:
    rc = cli('run')(args)
    return rc, capsys.readouterr().err


@pytest.fixture
def study_dir(tmp_path):
    return tmp_path / 'study'


def assert_nothing_written(study_dir):
    assert not study_dir.exists(), sorted(study_dir.rglob('*'))


def test_unknown_study(tmp_path, study_dir, capsys):
    rc, err = run(['no_such_study', '--study-dir', str(study_dir)], capsys)
    assert rc == 2 and "unknown study 'no_such_study'" in err and 'table3_margin' in err
    not_a_study = tmp_path / 'x.py'
    not_a_study.write_text('X = 1\n')
    rc, err = run([str(not_a_study), '--study-dir', str(study_dir)], capsys)
    assert rc == 2 and f'{not_a_study}: a study file must define STUDY' in err
    assert_nothing_written(study_dir)


def test_parameter_key_not_in_config(tmp_path, study_dir, capsys):
    study = write_study(tmp_path)
    study.write_text(study.read_text().replace('optimizer.lr"', 'optimizer.lrr"'))
    rc, err = run([str(study), '--study-dir', str(study_dir)], capsys)
    assert rc == 2
    assert (f"{study}: parameter 'lr' sets 'optim_wrapper.optimizer.lrr', which config "
            in err and "optim_wrapper.optimizer has no 'lrr'" in err)
    assert_nothing_written(study_dir)


def test_real_study_on_a_config_without_the_itm_loss(study_dir, capsys):
    """table3_margin's alpha key on the baseline config, which has no ITM loss."""
    rc, err = run(['table3_margin', '--config', 'mm_configs/muren_tiny_synth_hico.py',
                   '--study-dir', str(study_dir)], capsys)
    assert rc == 2
    assert "parameter 'alpha' sets 'model.bbox_head.extra_losses.0.alpha'" in err
    assert "model.bbox_head has no 'extra_losses'" in err
    assert_nothing_written(study_dir)


def test_unreachable_storage_is_named_without_its_password(tmp_path, study_dir, capsys):
    study = write_study(tmp_path)
    url = f'postgresql://sweeper:hunter2@127.0.0.1:{free_port()}/sweeps'
    rc, err = run([str(study), '--study-dir', str(study_dir), '--storage', url], capsys)
    assert rc == 2 and 'cannot open the study storage postgresql://sweeper:***@127.0.0.1' in err
    assert 'hunter2' not in err
    assert_nothing_written(study_dir)


def test_unreachable_tracking_server(tmp_path, study_dir, capsys):
    study = write_study(tmp_path)
    uri = f'http://127.0.0.1:{free_port()}'
    rc, err = run([str(study), '--study-dir', str(study_dir), '--tracking-uri', uri], capsys)
    assert rc == 2 and f'MLflow tracking server {uri} is not reachable' in err
    assert_nothing_written(study_dir)


def test_bad_seeds_and_param_limits(tmp_path, study_dir, capsys):
    study = write_study(tmp_path)
    rc, err = run([str(study), '--study-dir', str(study_dir), '--seeds', '0', '0'], capsys)
    assert rc == 2 and 'repeated seeds' in err
    rc, err = run([str(study), '--study-dir', str(study_dir), '--param', 'lr=0.5'], capsys)
    assert rc == 2 and "--param lr: ['0.5'] not among the choices" in err
    rc, err = run(['tune', '--study-dir', str(study_dir), '--seeds', '0', '1'], capsys)
    assert rc == 2 and 'a TPE study runs one seed per trial' in err
    assert_nothing_written(study_dir)


def test_status_of_a_missing_study_creates_nothing(tmp_path, study_dir, capsys):
    rc = cli('status')(['quad', '--study-dir', str(study_dir)])
    assert rc == 2 and 'no study storage at' in capsys.readouterr().err
    assert_nothing_written(study_dir)
