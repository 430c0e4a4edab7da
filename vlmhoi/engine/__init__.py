"""Runner-level pieces: safe checkpoint loading, training hygiene hooks, CPU DDP."""
from .checkpoint_loading import (
    CHECKPOINT_SAFE_GLOBALS,
    is_trusted,
    load_local_checkpoint,
    run_checkpoints,
    trust_of_cfg,
    trusted_checkpoints,
)
from .cpu_ddp import CPUFriendlyDDP, init_cpu_process_group
from .finite_loss_hook import StopOnNonFiniteLossHook
from .runner_cfg import add_runner_args, load_runner_cfg, parse_runner_args
from .synth_cfg_options import overfit_cfg_options, world_cfg_options

__all__ = ['CHECKPOINT_SAFE_GLOBALS', 'CPUFriendlyDDP', 'StopOnNonFiniteLossHook',
           'add_runner_args', 'init_cpu_process_group', 'is_trusted', 'load_local_checkpoint',
           'load_runner_cfg', 'overfit_cfg_options', 'parse_runner_args',
           'run_checkpoints', 'trust_of_cfg', 'trusted_checkpoints', 'world_cfg_options']
