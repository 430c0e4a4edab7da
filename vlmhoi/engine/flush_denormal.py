"""Flush subnormal floats to zero in CPU runs: ``env_cfg.flush_denormal`` of ``HOIRunner``.

Subnormal (denormal) float32 values are handled in microcode on many x86 CPUs and cost
up to ~100x a normal multiply. Small DETR models trained from scratch produce them in
quantity (attention weights and gradients decaying towards zero): on a 2-core AMD EPYC
machine 60 iterations of ``muren_tiny_synth_hico.py`` took 145.9 s without and 27.7 s
with ``torch.set_flush_denormal(True)`` (issue 7). Flushing changes results only below
float32's smallest normal number (1.18e-38); CUDA kernels are not affected.

The flag (FTZ/DAZ in MXCSR on x86) is per thread, and torch's intra-op (OpenMP) worker
threads copy it from the thread that creates them, when the first parallel operation
runs. Set later, it reaches the main thread only. That is why the Runner applies it in
``setup_env``, before it builds the model, and why ``flush_state`` probes every thread.
"""
from __future__ import annotations

import torch

_SUBNORMAL = 1e-40        # below float32's smallest normal number 1.1755e-38
_PROBE_NUMEL = 1 << 20    # large enough that torch splits the multiply over all threads


def denormals_flushed() -> bool:
    """Whether the calling thread flushes float32 subnormals to zero right now."""
    return bool((torch.tensor([_SUBNORMAL], dtype=torch.float32) * 1.0).item() == 0.0)


def flush_state() -> dict[str, bool | int]:
    """Which threads flush: ``main`` (calling thread), ``all_threads`` (a multiply
    parallelised over the intra-op pool gives only zeros), ``threads``."""
    probe = torch.full((_PROBE_NUMEL,), _SUBNORMAL, dtype=torch.float32) * 1.0
    return dict(main=denormals_flushed(), all_threads=bool(probe.eq(0).all()),
                threads=torch.get_num_threads())


def apply_flush_denormal(enable: bool) -> dict[str, bool | int]:
    """``torch.set_flush_denormal(enable)`` and the resulting :func:`flush_state`.

    Raises ``RuntimeError`` when flushing is asked for and the CPU cannot do it.
    """
    if not torch.set_flush_denormal(enable) and enable:
        raise RuntimeError('env_cfg.flush_denormal=True: this CPU cannot flush subnormal '
                           'floats (needs SSE3); set env_cfg.flush_denormal=False')
    return flush_state()
