"""Secrets are masked; params keep MLflow's limits; the summary params read the config."""
from __future__ import annotations

import io
import logging

import pytest
from mlflow.utils import validation
from mmengine.config import Config

from vlmhoi.tracking import params as P
from vlmhoi.tracking.redact import MASK, install_redaction, redact

CONFIG = 'mm_configs/muren_tiny_synth_hico.py'


@pytest.mark.parametrize('url, expected', [
    ('postgresql://user:secret@db.example:5432/optuna',
     f'postgresql://user:{MASK}@db.example:5432/optuna'),
    ('mysql+pymysql://root:p@ss:w0rd@10.0.0.1/db', f'mysql+pymysql://root:{MASK}@10.0.0.1/db'),
    ('host=h dbname=d password=secret', f'host=h dbname=d password={MASK}'),
    ('http://h:5000/api?token=secret&x=1', f'http://h:5000/api?token={MASK}&x=1'),
])
def test_passwords_are_masked(url, expected):
    assert redact(url) == expected
    assert redact(f'storage {url} in a sentence') == f'storage {expected} in a sentence'


@pytest.mark.parametrize('text', ['http://127.0.0.1:5000', 'sqlite:////tmp/a/mlruns.db',
                                  'postgresql://user@host/db', 'user:pw@host', 'loss: 1.0'])
def test_text_without_a_password_is_unchanged(text):
    assert redact(text) == text


def test_logger_filter_masks_formatted_messages():
    logger = logging.getLogger('vlmhoi-test-redaction')
    stream = io.StringIO()
    logger.addHandler(logging.StreamHandler(stream))
    logger.setLevel(logging.INFO)
    install_redaction(install_redaction(logger))  # idempotent
    assert len(logger.filters) == 1
    logger.info('storage %s', 'postgresql://u:secret@h/db')
    assert 'secret' not in stream.getvalue() and f'u:{MASK}@h' in stream.getvalue()


def test_limits_are_mlflows():
    assert P.MAX_PARAM_LENGTH == validation.MAX_PARAM_VAL_LENGTH
    assert P.MAX_TAG_LENGTH == validation.MAX_TAG_VAL_LENGTH
    assert P.MAX_KEY_LENGTH == validation.MAX_ENTITY_KEY_LENGTH


def test_long_values_are_cut_with_the_marker_and_secrets_masked():
    params = P.config_params({'a': {'b': 'x' * 10_000}, 'db': 'mysql://u:secret@h/d',
                              'hooks': [dict(type='A', k=1), dict(type='B')]})
    assert len(params['cfg.a.b']) == P.MAX_PARAM_LENGTH
    assert params['cfg.a.b'].endswith(P.TRUNCATION_MARKER)
    assert params['cfg.db'] == f'mysql://u:{MASK}@h/d'
    assert params['cfg.hooks.0.type'] == 'A' and params['cfg.hooks.1.type'] == 'B'


def test_summary_params_of_a_baseline_and_an_itm_run():
    cfg = Config.fromfile(CONFIG)
    base = P.summary_params(cfg, 'train', seed=3, world_size=2)
    assert base['alpha'] == base['teacher'] == base['score_mode'] == base['prompt_form'] == 'none'
    assert base['num_queries'] == str(cfg.model.num_queries)
    assert base['lr'] == str(cfg.optim_wrapper.optimizer.lr)
    assert base['max_epochs'] == str(cfg.train_cfg.max_epochs)
    assert base['dataset'] == cfg.train_dataloader.dataset.type
    assert base['total_batch_size'] == str(2 * cfg.train_dataloader.batch_size)
    assert (base['seed'], base['world_size']) == ('3', '2')
    assert base['method'] == 'MUREN'
    cfg.merge_from_dict({'model.bbox_head.extra_losses': [dict(
        type='ITMDistillLoss', alpha=2.0, loss_weight=0.5, prompt_form='verb',
        score_source='online', teacher=dict(type='BLIPTeacher', score='itm'))]})
    itm = P.summary_params(cfg, 'train')
    assert (itm['alpha'], itm['itm_loss_weight'], itm['prompt_form']) == ('2.0', '0.5', 'verb')
    assert (itm['teacher'], itm['score_mode'], itm['score_source']) == \
        ('BLIPTeacher', 'itm', 'online')
    assert itm['method'] == 'VLM-HOI'


def test_world_of_tells_a_synthetic_world_from_a_real_one(tmp_path):
    from vlmhoi.synth import generate_world
    generate_world(tmp_path / 'w', seed=0, n_train=2, n_test=1, size=64)
    assert P.world_of(str(tmp_path / 'w')) == 'synthetic'
    (tmp_path / 'hico').mkdir()
    assert P.world_of(str(tmp_path / 'hico')) == 'real'
    assert P.world_of(None) == 'real'


def test_provenance_tags():
    tags = P.provenance_tags(['tools/train.py', 'cfg.py', '--cfg-options',
                              'x=postgresql://u:secret@h/d'])
    assert len(tags['git.commit']) == 40 and tags['git.dirty'] in ('true', 'false')
    assert tags['version.mmengine'] and tags['version.torch'] and tags['devices']
    assert tags['host'] and 'secret' not in tags['command'] and 'tools/train.py' in tags['command']
