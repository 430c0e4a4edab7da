"""All quick benchmarks in one run, and one summary table.

    python benchmark/run.py [--world data/synth] [--out work_dirs/benchmarks]
        [--only cost teacher evaluator] [--cost-steps 20] [--base]

* ``cost``: ``benchmark/cost.py`` on the synthetic baseline and VLM-HOI configs (Table 5:
  parameters, step time with the cache and on the fly, inference, memory;
  ``--cost-steps`` steps and frames);
* ``teacher``: ``benchmark/teacher.py`` on the embedded teachers of ``tools/train_teacher.py``
  (per-pair vs batched pairs/s and cache-build images/s at 16, 64 and 600 texts per image;
  ``--base`` adds the BLIP-base-sized model, minutes on 2 cores);
* ``evaluator``: ``benchmark/bench_hico_eval.py`` (a HICO-DET-sized evaluation, every mode).

Each runs as its own program and writes its JSON under ``--out``; the summary
(``summary.csv``, printed) names the file every number comes from.
"""
from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = 'mm_configs/muren_tiny_synth_hico.py'
VLMHOI = 'mm_configs/vlmhoi_tiny_synth_hico.py'
TEXTS = ('16', '64', '600')
# timed training steps and inference frames per cost variant: with 5 the VLM-HOI [cache] /
# baseline step ratio read 1.16 where 30 read 0.98 on the same machine (2026-12-07)
COST_STEPS = 20
BENCHMARKS = ('cost', 'teacher', 'evaluator')


def commands(args: argparse.Namespace, out: Path) -> dict[str, tuple[list[str], Path]]:
    """(command, JSON file) of every benchmark."""
    from vlmhoi.cache_dir import user_cache_dir
    teachers = [str(p) for p in sorted(user_cache_dir('teachers').glob('embedded_*'))
                if (p / 'config.json').exists()]
    teacher_cmd = ['benchmark/teacher.py', '--texts', *TEXTS, '--out', str(out / 'teacher.json'),
                   '--plot', str(out / 'teacher.png')]
    for path in teachers:
        teacher_cmd += ['--model-dir', path]
    if not args.base:
        teacher_cmd.append('--no-base')
    return {
        'cost': (['benchmark/cost.py', BASELINE, VLMHOI, '--world', args.world,
                  '--steps', str(args.cost_steps), '--frames', str(args.cost_steps),
                  '--out', str(out / 'cost')], out / 'cost' / 'cost.json'),
        'teacher': (teacher_cmd, out / 'teacher.json'),
        'evaluator': (['benchmark/bench_hico_eval.py', '--repeat', '1', '--out',
                       str(out / 'evaluator.json')], out / 'evaluator.json'),
    }


def rows_of(name: str, result, source: Path) -> list[dict]:
    """Summary rows (benchmark, what, value, source) of one benchmark's JSON."""
    rows = []
    if name == 'cost':
        for r in result['records']:
            ratio = result['ratios'][r['variant']]
            rows.append(dict(benchmark='cost', what=f'{r["variant"]} train step s (x baseline)',
                             value=f'{r["train_step_s"]["median"]:.3f} '
                                   f'({ratio["train_step_s"]:.2f}x)'))
            rows.append(dict(benchmark='cost', what=f'{r["variant"]} inference s / frame',
                             value=f'{r["infer_s_per_frame"]["median"]:.4f}'))
    elif name == 'teacher':
        for res in result:
            for row in res['batched']:
                rows.append(dict(benchmark='teacher',
                                 what=f'{res["teacher"]} batched / per-pair at {row["texts"]} '
                                      'texts; cache images/s',
                                 value=f'{row["ratio"]:.1f}x; {row["cache_images_per_s"]:.2f}'))
    else:
        for key in ('ours_reference_s', 'ours_official_s', 'ours_genvlkt_s'):
            if key in result:
                rows.append(dict(benchmark='evaluator', what=f'{key} ({result["images"]} images)',
                                 value=f'{result[key]:.2f}'))
    for row in rows:
        row['source'] = str(source)
    return rows


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--world', default='data/synth')
    parser.add_argument('--out', default='work_dirs/benchmarks')
    parser.add_argument('--only', nargs='+', choices=BENCHMARKS, default=list(BENCHMARKS))
    parser.add_argument('--cost-steps', type=int, default=COST_STEPS,
                        help='timed training steps and inference frames per cost variant')
    parser.add_argument('--base', action='store_true',
                        help='also time the BLIP-base-sized teacher (minutes on 2 cores)')
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, (cmd, result_file) in commands(args, out).items():
        if name not in args.only:
            continue
        print(f'benchmarks: {name}: {" ".join(cmd)}', flush=True)
        subprocess.run([sys.executable, *cmd], cwd=ROOT, check=True)
        rows += rows_of(name, json.loads(result_file.read_text()), result_file)
    with open(out / 'summary.csv', 'w', newline='') as f:
        writer = csv.DictWriter(f, fieldnames=['benchmark', 'what', 'value', 'source'])
        writer.writeheader()
        writer.writerows(rows)
    width = max((len(r['what']) for r in rows), default=10)
    print(f'{"benchmark":<10} {"what":<{width}} value')
    for r in rows:
        print(f'{r["benchmark"]:<10} {r["what"]:<{width}} {r["value"]}')
    print(f'summary: {out / "summary.csv"} (each row names its source JSON)')
    return rows


if __name__ == '__main__':
    main()
