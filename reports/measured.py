"""Measured rows: evaluation runs grouped by what they ran, averaged over seeds.

A group is the runs of one method setting (method, teacher, prompt form, alpha, score
mode, dataset, world, scale); its cell for a metric is the mean over the group's runs
(one per seed) with the sample standard deviation as spread when there are several, and
names every run id.
"""
from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from reports.model import Cell
from reports.runs import Run

#: published column key -> the metric key the suite logs (vlmhoi.tracking.hook)
METRIC_OF = {
    'default_full': 'hico/mAP_full', 'default_rare': 'hico/mAP_rare',
    'default_non_rare': 'hico/mAP_non_rare', 'ko_full': 'hico/mAP_full_ko',
    'ko_rare': 'hico/mAP_rare_ko', 'ko_non_rare': 'hico/mAP_non_rare_ko',
    'role_s1': 'vcoco/AP_role_S1', 'role_s2': 'vcoco/AP_role_S2',
}
#: the summary params that tell one method setting from another
SETTING = ('method', 'teacher', 'prompt_form', 'alpha', 'score_mode', 'dataset', 'world')


@dataclass
class Group:
    """The runs of one setting."""
    setting: dict[str, str]
    scale: str
    runs: list[Run]

    @property
    def seeds(self) -> list[str]:
        return sorted({r.param('seed') for r in self.runs})

    def label(self) -> str:
        """``VLM-HOI (EmbeddedBlip..., full, alpha 1.0)`` / ``MUREN``."""
        s = self.setting
        if s['method'] == 'MUREN' or s.get('teacher', 'none') == 'none':
            return s['method']
        teacher = s['teacher'].removesuffix('Teacher')
        return f"{s['method']} ({teacher}, {s['prompt_form']} prompt, alpha {s['alpha']})"

    def backbone(self) -> str:
        run = self.runs[0]
        kind = run.param('cfg.model.backbone.type', '')
        depth = run.param('cfg.model.backbone.depth', '')
        return f'{kind}-{depth}' if kind == 'ResNet' and depth else kind or 'n/a'

    def cell(self, metric: str, decimals: int = 2) -> Cell:
        values = [r.metrics[metric] for r in self.runs if metric in r.metrics]
        ids = tuple(r.run_id for r in self.runs if metric in r.metrics)
        if not values:
            return Cell('measured', float('nan'), source=f'{metric} not logged',
                        runs=tuple(r.run_id for r in self.runs), decimals=decimals)
        spread = statistics.stdev(values) if len(values) > 1 else None
        seeds = ', '.join(self.seeds)
        return Cell('measured', statistics.fmean(values), spread=spread,
                    source=f'{metric}, mean over {len(values)} run(s) (seeds {seeds})',
                    runs=ids, decimals=decimals)


def group_runs(runs: Iterable[Run], keys: tuple[str, ...] = SETTING) -> list[Group]:
    """Runs grouped by ``keys`` params and the ``vlmhoi.scale`` tag, in first-run order;
    a seed logged twice in a group keeps its newest run (a re-run replaces the old one)."""
    groups: dict[tuple, Group] = {}
    for run in runs:
        setting = {k: run.param(k) for k in keys}
        key = (tuple(setting.values()), run.scale)
        group = groups.setdefault(key, Group(setting, run.scale, []))
        group.runs = [r for r in group.runs if r.param('seed') != run.param('seed')] + [run]
    return list(groups.values())


def difference(measured: Cell, published: Cell, citation: str) -> Cell:
    """measured - published, for one method and column."""
    if not (measured.is_number() and published.is_number()):
        return Cell.text('')
    return Cell('difference', measured.value - published.value, decimals=measured.decimals,
                source=f'measured ({", ".join(measured.runs)}) minus published ({citation})')
