"""Runner-level pieces: the project's Runner, safe checkpoint loading, training hygiene
hooks, CPU DDP."""
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
from .flush_denormal import apply_flush_denormal, denormals_flushed, flush_state
from .hoi_runner import HOIRunner
from .runner_cfg import add_runner_args, load_runner_cfg, parse_runner_args

__all__ = ['CHECKPOINT_SAFE_GLOBALS', 'CPUFriendlyDDP', 'HOIRunner', 'StopOnNonFiniteLossHook',
           'add_runner_args', 'apply_flush_denormal', 'denormals_flushed', 'flush_state',
           'init_cpu_process_group', 'is_trusted', 'load_local_checkpoint', 'load_runner_cfg',
           'parse_runner_args', 'run_checkpoints', 'trust_of_cfg', 'trusted_checkpoints']
