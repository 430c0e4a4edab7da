"""How cost grows: training time against images per epoch, queries, and texts per image.

    python benchmark/scaling.py [--queries 16 32 64] [--world data/synth]
        [--teacher-json work_dirs/teacher_bench/teacher_bench.json] [--out work_dirs/scaling]

* **queries** (measured): ``benchmark/cost.py`` runs the synthetic baseline and VLM-HOI
  configs once per ``model.num_queries`` value and reports the median training step;
* **images per epoch** (projected): minutes per epoch of each variant at the smallest
  query count, from its measured step and data time, for 1 000 to HICO-DET's 38 118 images;
* **texts per image** (measured by ``benchmark/teacher.py``): seconds per image of on-the-fly
  teacher scoring (one image against the vocabulary, what the online ITM loss pays every
  step) and of building the cache, per teacher, from its JSON (``--teacher-json``).

Writes ``scaling.csv`` (one row per point: axis, variant, x, value, unit, source) and
``scaling.png`` (three panels).
"""
from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ('mm_configs/muren_tiny_synth_hico.py', 'mm_configs/vlmhoi_tiny_synth_hico.py')
IMAGES = (1000, 5000, 10000, 38118)   # 38 118: HICO-DET train2015
FIELDS = ('axis', 'variant', 'x', 'value', 'unit', 'source')


def query_rows(args: argparse.Namespace, out: Path) -> list[dict]:
    """Median training step per variant at each query count (cost.py, one run each)."""
    rows = []
    for q in args.queries:
        sub = out / f'queries_{q}'
        cmd = [sys.executable, 'benchmark/cost.py', *CONFIGS, '--world', args.world,
               '--steps', str(args.steps), '--frames', '2', '--out', str(sub), '--no-mlflow',
               '--cfg-options', f'model.num_queries={q}']
        subprocess.run(cmd, cwd=ROOT, check=True)
        result = json.loads((sub / 'cost.json').read_text())
        for r in result['records']:
            rows.append(dict(axis='queries', variant=r['variant'], x=q,
                             value=r['train_step_s']['median'], unit='s / step',
                             source=str(sub / 'cost.json'),
                             data_s=r['data_s']['median'], batch=r['batch_size']))
    return rows


def image_rows(query_rows_: list[dict]) -> list[dict]:
    """Projected minutes per epoch at the smallest query count (linear in the images)."""
    q0 = min(r['x'] for r in query_rows_)
    rows = []
    for r in (r for r in query_rows_ if r['x'] == q0):
        per_image_s = (r['value'] + r['data_s']) / r['batch']
        rows += [dict(axis='images_per_epoch', variant=r['variant'], x=n,
                      value=n * per_image_s / 60.0, unit='min / epoch (projected)',
                      source=r['source']) for n in IMAGES]
    return rows


def text_rows(teacher_json: Path) -> list[dict]:
    """Seconds per image of scoring one image against N texts, per teacher."""
    if not teacher_json.exists():
        raise SystemExit(f'scaling: {teacher_json} not found; run benchmark/teacher.py '
                         f'--texts 16 64 600 --out {teacher_json} first')
    rows = []
    for res in json.loads(teacher_json.read_text()):
        rows += [dict(axis='texts_per_image', variant=res['teacher'], x=row['texts'],
                      value=row['seconds'], unit='s / image', source=str(teacher_json))
                 for row in res['batched']]
    return rows


def plot(rows: list[dict], path: Path) -> None:
    axes_spec = (('queries', 'queries', 's / training step'),
                 ('images_per_epoch', 'images per epoch', 'min / epoch (projected)'),
                 ('texts_per_image', 'texts per image', 's / image (teacher scoring)'))
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    for ax, (axis, xlabel, ylabel) in zip(axes, axes_spec):
        mine = [r for r in rows if r['axis'] == axis]
        for variant in dict.fromkeys(r['variant'] for r in mine):
            pts = sorted((r['x'], r['value']) for r in mine if r['variant'] == variant)
            ax.plot([p[0] for p in pts], [p[1] for p in pts], 'o-', label=variant)
        ax.set(xlabel=xlabel, ylabel=ylabel)
        if axis != 'queries':
            ax.set(xscale='log', yscale='log')
        xs = sorted({r['x'] for r in mine})
        ax.set_xticks(xs, [str(x) for x in xs])
        ax.minorticks_off()
        ax.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--queries', type=int, nargs='+', default=[16, 32, 64])
    parser.add_argument('--world', default='data/synth')
    parser.add_argument('--steps', type=int, default=5)
    parser.add_argument('--teacher-json', type=Path,
                        default=Path('work_dirs/teacher_bench/teacher_bench.json'))
    parser.add_argument('--out', default='work_dirs/scaling')
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    texts = text_rows(args.teacher_json)
    queries = query_rows(args, out)
    rows = queries + image_rows(queries) + texts
    with open(out / 'scaling.csv', 'w', newline='') as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS, extrasaction='ignore')
        writer.writeheader()
        writer.writerows(rows)
    plot(rows, out / 'scaling.png')
    for r in rows:
        print(f'{r["axis"]:<17} {r["variant"]:<34} {r["x"]:>7} {r["value"]:>10.4f} {r["unit"]}')
    print(f'wrote {out / "scaling.csv"} and {out / "scaling.png"}')
    return rows


if __name__ == '__main__':
    main()
