"""Fixtures for the synthetic-world tests: tiny generated worlds and sampled splits.

``vlmhoi.synth`` is imported through ``tools/make_synth.py``'s importer, so these tests run
(and test the generator) even where the OpenMMLab stack that ``vlmhoi/__init__`` imports is
not installed yet.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAKE_SYNTH = ROOT / 'tools' / 'make_synth.py'

TINY = dict(n_train=12, n_test=6, size=96)


def load_make_synth():
    spec = importlib.util.spec_from_file_location('make_synth_tool', MAKE_SYNTH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


load_make_synth().import_synth()


def _generate(root: Path, seed: int) -> Path:
    from vlmhoi.synth import generate_world
    generate_world(root, seed=seed, progress=False, **TINY)
    return root


@pytest.fixture(scope='session')
def tiny_world(tmp_path_factory) -> Path:
    """A 12 + 6 image world at 96 px, seed 0."""
    return _generate(tmp_path_factory.mktemp('synth') / 'seed0', 0)


@pytest.fixture(scope='session')
def tiny_world_again(tmp_path_factory) -> Path:
    """The same world generated a second time (another folder)."""
    return _generate(tmp_path_factory.mktemp('synth') / 'seed0_again', 0)


@pytest.fixture(scope='session')
def tiny_world_seed1(tmp_path_factory) -> Path:
    return _generate(tmp_path_factory.mktemp('synth') / 'seed1', 1)


@pytest.fixture(scope='session')
def moderate_records() -> dict:
    """Sampled (not rendered) scenes of a 600 + 200 image world at 128 px."""
    from vlmhoi.synth.generate import allocate, sample_split
    alloc = allocate(0, 600, 200)
    return {split: sample_split(0, split, alloc[split], 128) for split in alloc}
