"""Distributed training without CUDA (torchrun + gloo on CPU machines).

mmengine's Runner always passes ``device_ids=[LOCAL_RANK]`` to the DDP wrapper, which
torch rejects for CPU modules. ``CPUFriendlyDDP`` drops ``device_ids`` /
``output_device`` when CUDA is absent and is otherwise mmengine's
``MMDistributedDataParallel``. It is registered in mmengine's root ``MODEL_WRAPPERS`` so
``model_wrapper_cfg=dict(type='CPUFriendlyDDP')`` resolves from any scope.
"""
from __future__ import annotations

import os

import torch
import torch.distributed as dist
from mmengine.model import MMDistributedDataParallel
from mmengine.registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
class CPUFriendlyDDP(MMDistributedDataParallel):
    """``MMDistributedDataParallel`` that also works for CPU modules."""

    def __init__(self, module: torch.nn.Module, **kwargs) -> None:
        if not torch.cuda.is_available():
            kwargs.pop('device_ids', None)
            kwargs.pop('output_device', None)
        super().__init__(module=module, **kwargs)


def init_cpu_process_group(launcher: str) -> bool:
    """Initialise a gloo process group for ``--launcher pytorch`` without CUDA.

    mmengine's pytorch launcher calls ``torch.cuda.set_device``, which fails on CPU
    machines; when this returns True the group exists and the Runner skips its own
    initialisation. Returns False (and does nothing) when CUDA is available, for
    ``--launcher none``, or when a group already exists.
    """
    if launcher != 'pytorch' or torch.cuda.is_available() or dist.is_initialized():
        return False
    if 'RANK' not in os.environ:
        raise RuntimeError('--launcher pytorch needs the torchrun environment '
                           '(RANK, WORLD_SIZE, MASTER_ADDR); start with torchrun')
    dist.init_process_group(backend='gloo')
    return True
