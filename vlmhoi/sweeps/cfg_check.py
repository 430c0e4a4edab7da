"""Check a study's parameter keys against the config before any study or trial exists.

mmengine's ``merge_from_dict`` creates keys that are not there, so a misspelt parameter
key would silently train the unchanged config; here every key a parameter sets must
already exist in the config (after the study's base ``--cfg-options``), and every grid
point's overrides must merge.
"""
from __future__ import annotations

import argparse
from typing import Any

from mmengine.config import Config, DictAction

from .spec import SEED_KEY, StudyError, StudySpec


def parse_cfg_options(options: list[str]) -> dict[str, Any]:
    """``key=value`` strings as mmengine's tools parse them (``DictAction``)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument('--o', nargs='+', action=DictAction, default={})
    return parser.parse_args(['--o', *options]).o if options else {}


def format_cfg_option(key: str, value: Any) -> str:
    """One ``key=value`` for ``--cfg-options`` (``DictAction`` reads it back as ``value``)."""
    if isinstance(value, str) and any(c in value for c in ',[]()'):
        raise StudyError(f'{key}: string value {value!r} cannot pass --cfg-options')
    return f'{key}={value}'


def _missing_part(cfg: Any, key: str) -> str | None:
    """The first part of dotted ``key`` that ``cfg`` lacks, as 'parent has no part'."""
    node, path = cfg, []
    for part in key.split('.'):
        if isinstance(node, (list, tuple)) and part.isdigit():
            if int(part) >= len(node):
                return f"{'.'.join(path) or 'the config'} has {len(node)} entries, no [{part}]"
            node = node[int(part)]
        elif isinstance(node, (dict, Config)) and part in node:
            node = node[part]
        else:
            return f"{'.'.join(path) or 'the config'} has no {part!r}"
        path.append(part)
    return None


def check_study_config(spec: StudySpec, config: str, base_options: dict[str, Any],
                       points: list[dict[str, Any]]) -> Config:
    """Load ``config`` with ``base_options``; raise ``StudyError`` naming the study file,
    the parameter and the key when a parameter key is not in it. ``points``: the
    parameter values to try merging (grid points, or TPE's range ends)."""
    try:
        cfg = Config.fromfile(config)
    except FileNotFoundError as err:
        raise StudyError(f'{spec.source}: config {config} not found ({err})') from err
    if base_options:
        cfg.merge_from_dict(base_options)
    for p in spec.params:
        for key in p.keys():
            if key == SEED_KEY:
                continue
            missing = _missing_part(cfg, key)
            if missing:
                raise StudyError(f'{spec.source}: parameter {p.name!r} sets {key!r}, which '
                                 f'config {config} does not have ({missing}); pass '
                                 '--config with a config that has it')
    for values in points:
        trial_cfg = Config(cfg.to_dict())
        trial_cfg.merge_from_dict(spec.cfg_overrides(values, values.get('seed', 0)))
    return cfg
