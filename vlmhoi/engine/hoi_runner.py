"""``HOIRunner``: mmengine's Runner with the project's runner-level settings.

Selected by ``runner_type = 'HOIRunner'`` in ``_base_/default_runtime.py``; the tools build
it with ``RUNNERS.build(cfg)`` as mmdet's ``tools/train.py`` does. It is registered in
mmengine's root ``RUNNERS`` so every scope finds it. What it adds:

* the logger masks passwords in URLs (``vlmhoi.tracking.redact``), the config it prints
  at start-up included.

And in ``env_cfg``:

* ``flush_denormal`` (default True): flush subnormal floats to zero on CPU before the model
  is built, so that torch's worker threads inherit the setting (``flush_denormal.py``);
  the log says which threads flush.

And, in :meth:`HOIRunner.from_cfg`, the ITM teacher link (``itm_teacher_link.py``): the
loss, the teacher-score cache and its pipeline step read the top-level ``teacher`` /
``teacher_cache`` sections.
"""
from __future__ import annotations

import copy
import logging

from mmengine.logging import print_log
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from vlmhoi.tracking.redact import install_redaction

from .flush_denormal import apply_flush_denormal
from .itm_teacher_link import link_itm_teacher

FLUSH_DENORMAL_DEFAULT = True


@RUNNERS.register_module()
class HOIRunner(Runner):
    """mmengine ``Runner``; ``env_cfg.flush_denormal`` switches subnormal flushing."""

    @classmethod
    def from_cfg(cls, cfg) -> HOIRunner:
        """mmengine's ``from_cfg`` after :func:`link_itm_teacher` (on a copy of ``cfg``)."""
        cfg = copy.deepcopy(cfg)
        link_itm_teacher(cfg)
        return super().from_cfg(cfg)

    def build_logger(self, *args, **kwargs):
        """mmengine's logger with a filter that masks passwords in URLs."""
        return install_redaction(super().build_logger(*args, **kwargs))

    def setup_env(self, env_cfg: dict) -> None:
        env_cfg = copy.deepcopy(dict(env_cfg))
        flush = bool(env_cfg.pop('flush_denormal', FLUSH_DENORMAL_DEFAULT))
        super().setup_env(env_cfg)
        state = apply_flush_denormal(flush)
        self.flush_denormal_state = state
        message = (f'env_cfg.flush_denormal={flush}: subnormal floats flushed to zero in the '
                   f'main thread: {state["main"]}, in all {state["threads"]} intra-op '
                   f'threads: {state["all_threads"]}')
        level = logging.INFO
        if flush and not state['all_threads']:
            level = logging.WARNING
            message += (' (torch created its worker threads before the Runner; they keep '
                        'gradual underflow and may run slowly)')
        print_log(message, logger='current', level=level)
