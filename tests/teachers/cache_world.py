"""A tiny synthetic world, tiny random BLIP teachers that know its words, and the config
that points ``mm_configs/teacher_cache_synth_hico.py`` at them (test support for the
teacher-score cache tests)."""
from __future__ import annotations

from pathlib import Path

from mmengine.config import Config

from tests.teachers.tiny_models import save_tiny_blip
from vlmhoi.synth import generate_world, world_overrides
from vlmhoi.teachers.prompts import PROMPT_FORMS, build_vocabulary
from vlmhoi.vocab import hico_vocab

ROOT = Path(__file__).resolve().parents[2]
CONFIG = 'mm_configs/teacher_cache_synth_hico.py'
N_TRAIN, N_TEST, SIZE = 12, 6, 64
BATCH = 2  # images per stored batch in the tests


def make_world(path: Path) -> Path:
    generate_world(path, seed=1, n_train=N_TRAIN, n_test=N_TEST, size=SIZE, progress=False)
    return path


def hico_words() -> list[str]:
    words = set()
    for form in PROMPT_FORMS:
        for text in build_vocabulary(hico_vocab(), form).texts:
            words.update(text.split())
    return sorted(words)


def make_teacher(path: Path, seed: int = 0) -> Path:
    """A tiny random BLIP ITM model directory whose tokenizer knows every HICO prompt word."""
    return save_tiny_blip(path, words=hico_words(), seed=seed)


def cache_overrides(world: Path, model_dir: Path, **extra) -> dict:
    return {**world_overrides(world), 'teacher.model_path': str(model_dir),
            'teacher_cache.batch_size': BATCH, **extra}


def cache_options(world: Path, model_dir: Path, **extra) -> list[str]:
    """``--cfg-options`` strings of :func:`cache_overrides`."""
    return [f'{k}={v}' for k, v in cache_overrides(world, model_dir, **extra).items()]


def cache_cfg(world: Path, model_dir: Path, **extra) -> Config:
    cfg = Config.fromfile(str(ROOT / CONFIG))
    cfg.merge_from_dict(cache_overrides(world, model_dir, **extra))
    return cfg
