"""The measured effect of the ITM loss on the embedded world (issue 9, item 5).

    python benchmark/itm_effect.py [--seeds 0 1 2] [--budget-min 10] [--jobs 2]
        [--world data/synth] [--work-dir work_dirs/itm_effect] [--variants NAME ...]

Trains every variant with ``benchmark/learning_check.py`` (run as a program, one work
folder per variant) under the same budget, seeds and world, and reads back each run's
``learning_check.json``:

==================  =============================================  =====================
variant             config                                         teacher
==================  =============================================  =====================
``baseline``        ``mm_configs/muren_tiny_synth_hico.py``        none
``vlmhoi_blip``     ``mm_configs/vlmhoi_tiny_synth_hico.py``       embedded BLIP ITM
``vlmhoi_clip``     the same, ``--cfg-options`` of the CLIP        embedded CLIP (cosine)
                    teacher (its own teacher-score cache)
==================  =============================================  =====================

Writes ``itm_effect.csv`` (one row per variant and seed), ``itm_effect.json`` (mean / std
per variant, the runs' folders) and ``itm_effect.png`` (bar plot of Full / Rare / Non-Rare
with the spread over seeds as error bars). A finished variant (its ``learning_check.json``
holds the requested seeds and budget) is not trained again, so a killed run resumes.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import matplotlib
import pandas as pd

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LEARNING_CHECK = ROOT / 'benchmark' / 'learning_check.py'
METRICS = ('full', 'rare', 'non_rare')
CLIP_TEACHER = ['teacher.type=ClipTeacher', 'teacher.score=cosine',
                'teacher.model_path=${VLMHOI_CACHE_TEACHERS}/embedded_clip']
VARIANTS = {
    'baseline': dict(config='mm_configs/muren_tiny_synth_hico.py', options=[]),
    'vlmhoi_blip': dict(config='mm_configs/vlmhoi_tiny_synth_hico.py', options=[]),
    'vlmhoi_clip': dict(config='mm_configs/vlmhoi_tiny_synth_hico.py', options=CLIP_TEACHER),
}


def expand(options: list[str]) -> list[str]:
    """Fill ``${VLMHOI_CACHE_TEACHERS}`` with the embedded teachers' folder."""
    from vlmhoi.cache_dir import user_cache_dir
    teachers = str(user_cache_dir('teachers'))
    return [o.replace('${VLMHOI_CACHE_TEACHERS}', teachers) for o in options]


def finished(summary_file: Path, seeds: list[int], budget_min: float) -> bool:
    if not summary_file.exists():
        return False
    summary = json.loads(summary_file.read_text())
    return (sorted(s['seed'] for s in summary['seeds']) == sorted(seeds)
            and summary['budget_min'] == budget_min)


def build_cache(spec: dict, args: argparse.Namespace) -> None:
    """The teacher-score cache of an ITM variant (found at once when finished)."""
    from vlmhoi.synth import world_cfg_options
    cmd = [sys.executable, str(ROOT / 'tools' / 'build_teacher_cache.py'), spec['config'],
           '--no-progress', '--cfg-options', *world_cfg_options(Path(args.world)),
           *expand(spec['options'])]
    subprocess.run(cmd, cwd=ROOT, check=True)


def run_variant(name: str, args: argparse.Namespace) -> dict:
    """Train one variant (unless finished) and return its learning-check summary."""
    spec = VARIANTS[name]
    work = Path(args.work_dir) / name
    summary_file = work / 'learning_check.json'
    if finished(summary_file, args.seeds, args.budget_min):
        print(f'itm effect: {name}: finished earlier, {summary_file}', flush=True)
    else:
        if 'vlmhoi' in spec['config']:
            build_cache(spec, args)
        cmd = [sys.executable, str(LEARNING_CHECK), '--config', spec['config'],
               '--seeds', *map(str, args.seeds), '--budget-min', str(args.budget_min),
               '--jobs', str(args.jobs), '--world', args.world, '--work-dir', str(work)]
        options = expand(spec['options'])
        if options:
            cmd += ['--cfg-options', *options]
        print(f'itm effect: {name}: {" ".join(cmd)}', flush=True)
        subprocess.run(cmd, cwd=ROOT, check=True)
    return json.loads(summary_file.read_text())


def table_of(summaries: dict[str, dict]) -> pd.DataFrame:
    """One row per (variant, seed): Full / Rare / Non-Rare mAP and training minutes."""
    rows = [dict(variant=name, seed=s['seed'], train_min=s['train_min'],
                 **{m: s[f'map_{m}'] for m in METRICS})
            for name, summary in summaries.items() for s in summary['seeds']]
    return pd.DataFrame(rows)


def aggregate(table: pd.DataFrame) -> pd.DataFrame:
    """Mean and sample std over seeds per variant (std 0 with one seed)."""
    grouped = table.groupby('variant', sort=False)[list(METRICS)]
    mean, std = grouped.mean(), grouped.std(ddof=1).fillna(0.0)
    out = mean.add_suffix('_mean').join(std.add_suffix('_std'))
    out['seeds'] = grouped.size()
    return out


def plot(agg: pd.DataFrame, out: Path, title: str) -> None:
    fig, ax = plt.subplots(figsize=(6.0, 3.8))
    width = 0.8 / max(len(agg), 1)
    for i, (name, row) in enumerate(agg.iterrows()):
        xs = [j + i * width for j in range(len(METRICS))]
        ax.bar(xs, [row[f'{m}_mean'] for m in METRICS], width,
               yerr=[row[f'{m}_std'] for m in METRICS], capsize=3,
               label=f'{name} ({int(row.seeds)} seeds)')
    ax.set_xticks([j + width * (len(agg) - 1) / 2 for j in range(len(METRICS))],
                  ['Full', 'Rare', 'Non-Rare'])
    ax.set_ylabel('HICO-DET Default mAP (%), synthetic test split')
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--budget-min', type=float, default=10.0)
    parser.add_argument('--jobs', type=int, default=1)
    parser.add_argument('--world', default='data/synth')
    parser.add_argument('--work-dir', default='work_dirs/itm_effect')
    parser.add_argument('--variants', nargs='+', choices=list(VARIANTS),
                        default=list(VARIANTS))
    args = parser.parse_args(argv)
    summaries = {name: run_variant(name, args) for name in args.variants}
    table = table_of(summaries)
    agg = aggregate(table)
    work = Path(args.work_dir)
    table.to_csv(work / 'itm_effect.csv', index=False)
    plot(agg, work / 'itm_effect.png',
         f'ITM loss on the embedded world: {args.budget_min:g} min, seeds {args.seeds}')
    result = dict(budget_min=args.budget_min, seeds=args.seeds, world=args.world,
                  variants={name: dict(config=VARIANTS[name]['config'],
                                       cfg_options=expand(VARIANTS[name]['options']),
                                       work_dir=str(work / name),
                                       **agg.loc[name].to_dict()) for name in agg.index},
                  source='learning_check.json of each variant (HICODetMetric, percent)')
    (work / 'itm_effect.json').write_text(json.dumps(result, indent=1, default=float))
    print(agg.to_string(float_format='%.2f'))
    return result


if __name__ == '__main__':
    main()
