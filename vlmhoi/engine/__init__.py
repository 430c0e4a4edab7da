"""Runner-level pieces: checkpoint loading under torch's weights_only default, CPU DDP."""
from .cpu_ddp import CPUFriendlyDDP, init_cpu_process_group
from .flush_denormal import apply_flush_denormal, denormals_flushed, flush_state
from .hoi_runner import HOIRunner
from .runner_cfg import add_runner_args, load_runner_cfg, parse_runner_args
from .trusted_checkpoint_loader import load_trusted_local_checkpoint

__all__ = ['CPUFriendlyDDP', 'HOIRunner', 'apply_flush_denormal', 'denormals_flushed',
           'flush_state', 'add_runner_args', 'init_cpu_process_group', 'load_runner_cfg',
           'load_trusted_local_checkpoint', 'parse_runner_args']
