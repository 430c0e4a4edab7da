"""Stages of a long pipeline that re-runs only what changed (the machinery of tools/demo.py).

A :class:`Stage` declares its commands (steps of commands run side by side), its inputs
(files whose content is hashed: configs with their ``_base_`` chain, scripts), the stages
it builds on, and the paths it produces. Its *key* is the hash of all of that plus the
output digests recorded for the upstream stages, so a stage is redone exactly when one of
its inputs changed: a regenerated world with the same content keeps every later stage.
The state file (JSON) records per stage the key, the outputs, their digest and timings;
a stage is skipped when its key matches and its outputs still exist. A failed stage is
recorded as such and redone by the next run (its ``fresh`` folders are only wiped when
its key changed, so a sweep or a training resumes where it stopped).

Commands write to one log file each; the runner prints one progress line per stage with
the elapsed time and an estimate of what is left (:func:`eta_seconds`), a heartbeat with
the log's last line while a stage runs, and on failure the command, the log path and the
log's last lines.
"""
from __future__ import annotations

import ast
import hashlib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

STATE_VERSION = 1
HASH_CHUNK = 1 << 20
TAIL_LINES = 25


class StageError(RuntimeError):
    """A stage failed, or the stage selection cannot run; the message says which and why."""


@dataclass(frozen=True)
class Command:
    """One program of a stage. ``argv`` items may be callables (resolved when the command
    starts, e.g. a file the previous stage wrote; their ``__name__`` enters the key)."""
    argv: tuple
    label: str = ''
    env: Mapping[str, str] = field(default_factory=dict)

    def key_material(self) -> dict:
        argv = [a if isinstance(a, str) else f'<{a.__name__}>' for a in self.argv]
        return {'argv': argv, 'env': dict(sorted(self.env.items()))}

    def resolved(self) -> list[str]:
        return [a if isinstance(a, str) else str(a()) for a in self.argv]


@dataclass(frozen=True)
class Action:
    """An in-process step (e.g. a plot of a finished run's log); its name enters the key."""
    name: str
    fn: Callable[[], None]


@dataclass(frozen=True)
class Stage:
    """One stage of the pipeline (see the module docstring)."""
    name: str
    title: str
    steps: tuple = ()                  # tuples of Command (run side by side) or an Action
    inputs: tuple[str, ...] = ()       # files / folders hashed into the key
    configs: tuple[str, ...] = ()      # mmengine configs: hashed with their _base_ chain
    deps: tuple[str, ...] = ()         # upstream stages whose output digests enter the key
    outputs: tuple[str, ...] = ()      # must exist after the stage and for a skip
    found_outputs: Callable[[str], list[str]] | None = None  # more outputs, from the logs
    fresh: tuple[str, ...] = ()        # wiped before a run under a new key
    params: Mapping = field(default_factory=dict)  # other key material (scale choices)
    report: Callable[[], None] | None = None  # prints the results, run or skipped


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(HASH_CHUNK), b''):
            digest.update(chunk)
    return digest.hexdigest()


#: what Python writes next to the sources while a stage runs: never part of a key (a key
#: that counted them changed with the first import, and the stage ran again)
BYTECODE_DIR, BYTECODE_SUFFIXES = '__pycache__', ('.pyc', '.pyo')


def _is_source(path: Path) -> bool:
    return path.is_file() and BYTECODE_DIR not in path.parts \
        and path.suffix not in BYTECODE_SUFFIXES


def tree_digest(paths: Sequence[str | Path], root: Path) -> str:
    """sha256 over the relative names and contents of every file under ``paths``
    (bytecode caches left out); a missing path hashes as missing."""
    digest = hashlib.sha256()
    for raw in paths:
        path = Path(raw)
        full = path if path.is_absolute() else root / path
        if full.is_dir():
            files = sorted(p for p in full.rglob('*') if _is_source(p))
        else:
            files = [full] if full.is_file() else []
        digest.update(f'{raw}\0{len(files)}\0'.encode())
        for f in files:
            digest.update(f'{f.relative_to(full) if f != full else ""}\0'.encode())
            digest.update(file_digest(f).encode())
    return digest.hexdigest()


def config_files(config: str, root: Path) -> list[str]:
    """An mmengine config (relative to ``root``) and, recursively, the files of its
    ``_base_``, as paths relative to ``root`` (read with ``ast``, nothing executed)."""
    out: list[str] = []
    todo = [os.path.normpath(config)]
    while todo:
        name = todo.pop()
        if name in out:
            continue
        path = root / name
        if not path.is_file():
            raise StageError(f'config {name} does not exist (under {root})')
        out.append(name)
        tree = ast.parse(path.read_text(encoding='utf-8'), filename=str(path))
        for node in tree.body:
            if (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name) and node.targets[0].id == '_base_'):
                bases = ast.literal_eval(node.value)
                for base in [bases] if isinstance(bases, str) else bases:
                    todo.append(os.path.normpath(os.path.join(os.path.dirname(name), base)))
    return sorted(out)


def stage_key(stage: Stage, upstream: Mapping[str, str], root: Path) -> str:
    """The hash of everything the stage's result depends on (see the module docstring)."""
    files = [*stage.inputs]
    for config in stage.configs:
        files += config_files(config, root)
    material = {
        'name': stage.name,
        'steps': [[c.key_material() for c in step] if isinstance(step, tuple)
                  else {'action': step.name} for step in stage.steps],
        'inputs': {f: tree_digest([f], root) for f in sorted(set(files))},
        'upstream': {d: upstream.get(d, '') for d in stage.deps},
        'params': json.loads(json.dumps(stage.params, sort_keys=True, default=str)),
        'outputs': list(stage.outputs),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()[:16]


def eta_seconds(expected: Mapping[str, float], finished: Mapping[str, float],
                remaining: Sequence[str], prior_s: float = 0.0) -> float:
    """Seconds left: the expected seconds of the ``remaining`` stages, scaled by how the
    stages run so far (``finished``: name -> measured seconds) compared with theirs. The
    expectation counts as ``prior_s`` seconds of evidence, so one short stage that ran
    fast does not halve the estimate: ratio = (measured + prior) / (expected + prior)."""
    planned = sum(expected[n] for n in finished) + prior_s
    ratio = (sum(finished.values()) + prior_s) / planned if planned > 0 else 1.0
    return ratio * sum(expected[n] for n in remaining)


def clock(seconds: float) -> str:
    """``m:ss`` (``h:mm:ss`` from an hour)."""
    s = int(round(seconds))
    if s >= 3600:
        return f'{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}'
    return f'{s // 60}:{s % 60:02d}'


def about(seconds: float) -> str:
    return f'about {max(1, round(seconds / 60))} min left' if seconds >= 60 else (
        'under a minute left' if seconds > 0 else 'nothing left')


class State:
    """The state file: per stage ``key``, ``status``, ``outputs``, ``digest``, timings."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.stages: dict[str, dict] = {}
        if path.is_file():
            try:
                data = json.loads(path.read_text(encoding='utf-8'))
            except json.JSONDecodeError as err:
                raise StageError(f'{path}: not valid JSON ({err}); delete it to start '
                                 'over') from None
            if not isinstance(data, dict) or data.get('version') != STATE_VERSION:
                raise StageError(f'{path}: not a version-{STATE_VERSION} stage state file; '
                                 'delete it to start over')
            self.stages = data['stages']

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix('.tmp')
        tmp.write_text(json.dumps({'version': STATE_VERSION, 'stages': self.stages},
                                  indent=1), encoding='utf-8')
        os.replace(tmp, self.path)

    def digests(self) -> dict[str, str]:
        return {n: r.get('digest', '') for n, r in self.stages.items() if r['status'] == 'done'}

    def up_to_date(self, name: str, key: str, root: Path) -> bool:
        rec = self.stages.get(name)
        return bool(rec and rec['status'] == 'done' and rec['key'] == key
                    and all((root / p).exists() for p in rec['outputs']))
