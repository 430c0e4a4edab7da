"""Stop training at the first non-finite loss and say which term it was (DETR's engine).

DETR (``engine.py: train_one_epoch``) prints the reduced loss dict and exits when the
loss is not finite. mmdet's ``CheckInvalidLossHook`` checks only every ``interval``
iterations, by ``assert`` (gone under ``python -O``), and does not show the terms. This
hook checks every iteration by default and raises ``FloatingPointError`` with every
logged value. Like mmdet's hook it runs after the optimizer step of that iteration; its
``NORMAL`` priority puts it before ``CheckpointHook`` (``VERY_LOW``), so no checkpoint
of the broken weights is written.
"""
from __future__ import annotations

import torch
from mmdet.registry import HOOKS
from mmengine.hooks import Hook


@HOOKS.register_module()
class StopOnNonFiniteLossHook(Hook):
    """Raise ``FloatingPointError`` with the loss dict when ``outputs['loss']`` is not finite.

    Args:
        interval: check every ``interval`` training iterations (1: every one, as DETR).
    """

    priority = 'NORMAL'

    def __init__(self, interval: int = 1) -> None:
        if interval < 1:
            raise ValueError(f'interval must be >= 1, got {interval}')
        self.interval = interval

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs: dict | None = None) -> None:
        if not outputs or 'loss' not in outputs or \
                not self.every_n_train_iters(runner, self.interval):
            return
        if bool(torch.isfinite(torch.as_tensor(outputs['loss'])).all()):
            return
        terms = ', '.join(f'{k}: {float(torch.as_tensor(v).float().mean()):.6g}'
                          for k, v in outputs.items())
        msg = (f'loss is not finite at iteration {runner.iter + 1} (epoch {runner.epoch + 1}), '
               f'stopping training. Loss dict: {{{terms}}}')
        runner.logger.error(msg)
        raise FloatingPointError(msg)
