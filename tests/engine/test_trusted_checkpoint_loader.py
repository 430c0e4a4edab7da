"""Resume checkpoints (with mmengine HistoryBuffer / numpy objects) load under torch 2.13."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner import CheckpointLoader

import vlmhoi.engine  # noqa: F401  re-registers the local scheme


def _resume_like_checkpoint(path):
    buffer = HistoryBuffer()
    buffer.update(0.5)
    ckpt = dict(meta=dict(epoch=1, iter=8, seed=np.int64(3)),
                message_hub=dict(log_scalars={'train/loss': buffer}),
                state_dict={'w': torch.ones(2)})
    torch.save(ckpt, path)


def test_torch_default_refuses_resume_checkpoints(tmp_path):
    """The problem being fixed: torch's weights_only default rejects these files."""
    path = tmp_path / 'epoch_1.pth'
    _resume_like_checkpoint(path)
    with pytest.raises(Exception, match='[Ww]eights'):
        torch.load(path)


def test_mmengine_local_scheme_loads_them(tmp_path):
    path = tmp_path / 'epoch_1.pth'
    _resume_like_checkpoint(path)
    ckpt = CheckpointLoader.load_checkpoint(str(path), map_location='cpu')
    assert ckpt['meta']['iter'] == 8
    assert isinstance(ckpt['message_hub']['log_scalars']['train/loss'], HistoryBuffer)
    assert torch.equal(ckpt['state_dict']['w'], torch.ones(2))


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        CheckpointLoader.load_checkpoint(str(tmp_path / 'nope.pth'))
