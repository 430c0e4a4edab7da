"""Checkpoints load under torch's weights_only protection; full unpickling only on trust."""
from __future__ import annotations

import argparse
import os
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.logging import HistoryBuffer
from mmengine.runner import CheckpointLoader

import vlmhoi  # noqa: F401  re-registers the local scheme
from vlmhoi.engine import is_trusted, run_checkpoints, trust_of_cfg, trusted_checkpoints


def _resume_like_checkpoint(path):
    buffer = HistoryBuffer()
    buffer.update(0.5)
    ckpt = dict(meta=dict(epoch=1, iter=8, seed=np.int64(3), lr=np.float32(0.1)),
                message_hub=dict(log_scalars={'train/loss': buffer}),
                state_dict={'w': torch.ones(2)})
    torch.save(ckpt, path)


class _MkdirOnLoad:
    """Unpickling this runs ``os.mkdir(marker)``: a stand-in for a malicious payload."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return os.mkdir, (self.marker,)


def _crafted_checkpoint(path, marker):
    torch.save({'state_dict': {'w': torch.ones(2)}, 'meta': _MkdirOnLoad(str(marker))}, path)


def test_import_vlmhoi_keeps_torch_default_protection(tmp_path):
    """torch.load outside vlmhoi's loader still refuses both kinds of file."""
    path = tmp_path / 'epoch_1.pth'
    _resume_like_checkpoint(path)
    with pytest.raises(pickle.UnpicklingError, match='[Ww]eights'):
        torch.load(path)
    crafted, marker = tmp_path / 'evil.pth', tmp_path / 'pwned'
    _crafted_checkpoint(crafted, marker)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(crafted)
    assert not marker.exists()
    assert HistoryBuffer not in torch.serialization.get_safe_globals()
    assert os.environ.get('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD') is None


def test_mmengine_local_scheme_loads_resume_checkpoints_with_the_allow_list(tmp_path):
    path = tmp_path / 'epoch_1.pth'
    _resume_like_checkpoint(path)
    ckpt = CheckpointLoader.load_checkpoint(str(path), map_location='cpu')
    assert ckpt['meta']['iter'] == 8 and ckpt['meta']['seed'] == 3
    buffer = ckpt['message_hub']['log_scalars']['train/loss']
    assert isinstance(buffer, HistoryBuffer) and buffer.current() == 0.5
    assert torch.equal(ckpt['state_dict']['w'], torch.ones(2))
    # the allow-list was active only while loading
    assert HistoryBuffer not in torch.serialization.get_safe_globals()


def test_detr_args_namespace_is_allowed(tmp_path):
    """facebookresearch DETR checkpoints store their argparse Namespace under 'args'."""
    path = tmp_path / 'detr-r50.pth'
    torch.save({'model': {'w': torch.ones(1)}, 'args': argparse.Namespace(lr=1e-4),
                'epoch': 499}, path)
    assert CheckpointLoader.load_checkpoint(str(path))['args'].lr == 1e-4


def test_crafted_pickle_is_refused_and_its_side_effect_does_not_happen(tmp_path):
    crafted, marker = tmp_path / 'evil.pth', tmp_path / 'pwned'
    _crafted_checkpoint(crafted, marker)
    with pytest.raises(pickle.UnpicklingError, match=r'evil\.pth.*--trust-checkpoint'):
        CheckpointLoader.load_checkpoint(str(crafted), map_location='cpu')
    assert not marker.exists()


class _GetattrOnLoad:
    """Unpickles as ``getattr(owner, name)``: the form HistoryBuffer's methods take."""

    def __init__(self, owner, name: str) -> None:
        self.owner, self.name = owner, name

    def __reduce__(self):
        return getattr, (self.owner, self.name)


def test_getattr_is_allowed_only_for_history_buffer_methods(tmp_path):
    path = tmp_path / 'ok.pth'
    torch.save({'m': _GetattrOnLoad(HistoryBuffer, 'mean')}, path)
    assert CheckpointLoader.load_checkpoint(str(path))['m'] is HistoryBuffer.mean
    for owner, name in ((np.ndarray, 'tofile'), (HistoryBuffer, '__init__'),
                        (HistoryBuffer, 'max_length'), (argparse.Namespace, '__init__')):
        bad = tmp_path / 'bad.pth'
        torch.save({'m': _GetattrOnLoad(owner, name)}, bad)
        with pytest.raises(pickle.UnpicklingError, match='bad.pth'):
            CheckpointLoader.load_checkpoint(str(bad))


def test_trusted_file_is_unpickled_in_full_with_a_warning(tmp_path):
    crafted, marker = tmp_path / 'evil.pth', tmp_path / 'pwned'
    _crafted_checkpoint(crafted, marker)
    other, other_marker = tmp_path / 'other.pth', tmp_path / 'other_pwned'
    _crafted_checkpoint(other, other_marker)
    with trusted_checkpoints([str(crafted)]):
        assert is_trusted(str(crafted)) and not is_trusted(str(other))
        with pytest.warns(UserWarning, match='full unpickling.*trusted'):
            ckpt = CheckpointLoader.load_checkpoint(str(crafted), map_location='cpu')
        assert marker.is_dir()  # trusted means: its code ran
        assert torch.equal(ckpt['state_dict']['w'], torch.ones(2))
        with pytest.raises(pickle.UnpicklingError):  # trust is per file
            CheckpointLoader.load_checkpoint(str(other))
    assert not other_marker.exists()
    marker.rmdir()
    with pytest.raises(pickle.UnpicklingError):  # and ends with the block
        CheckpointLoader.load_checkpoint(str(crafted))
    assert not marker.exists()


def test_trust_of_cfg_covers_exactly_the_run_checkpoint(tmp_path):
    ckpt = tmp_path / 'epoch_3.pth'
    _resume_like_checkpoint(ckpt)
    cfg = Config(dict(load_from=str(ckpt), resume=False, work_dir=str(tmp_path)))
    with trust_of_cfg(cfg):  # no trust_checkpoint key: allow-list only
        assert not is_trusted(str(ckpt))
    cfg.trust_checkpoint = True
    with trust_of_cfg(cfg):
        assert is_trusted(str(ckpt))
    assert not is_trusted(str(ckpt))
    # --resume without a path: the work dir's latest checkpoint
    (tmp_path / 'last_checkpoint').write_text(str(ckpt))
    auto = Config(dict(load_from=None, resume=True, work_dir=str(tmp_path)))
    assert run_checkpoints(auto) == [str(ckpt)]


def test_train_and_test_cli_flag_sets_the_config_key(tmp_path):
    from tools import test as test_tool
    from tools import train as train_tool
    config = str(Path(__file__).resolve().parents[2] / 'mm_configs/muren_tiny_synth_hico.py')
    args = train_tool.parse_args([config, '--trust-checkpoint', '--work-dir', str(tmp_path)])
    assert train_tool.build_cfg(args).trust_checkpoint is True
    args = train_tool.parse_args([config, '--work-dir', str(tmp_path)])
    assert train_tool.build_cfg(args).trust_checkpoint is False  # default_runtime.py
    args = test_tool.parse_args([config, 'x.pth', '--trust-checkpoint'])
    cfg = test_tool.build_cfg(args)
    assert cfg.trust_checkpoint is True and run_checkpoints(cfg) == ['x.pth']


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        CheckpointLoader.load_checkpoint(str(tmp_path / 'nope.pth'))
