"""Runner-level pieces: checkpoint loading under torch's weights_only default, CPU DDP."""
from .cpu_ddp import CPUFriendlyDDP, init_cpu_process_group
from .runner_cfg import load_runner_cfg
from .trusted_checkpoint_loader import load_trusted_local_checkpoint

__all__ = ['CPUFriendlyDDP', 'init_cpu_process_group', 'load_runner_cfg',
           'load_trusted_local_checkpoint']
