"""benchmark/run.py: the summary rows of each benchmark's JSON name their source."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location('bench_run', ROOT / 'benchmark/run.py')
bench_run = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench_run)


def test_rows_of_every_benchmark(tmp_path) -> None:
    t = lambda v: dict(median=v, q1=v, q3=v, n=1)  # noqa: E731
    cost = dict(records=[dict(variant='base', train_step_s=t(0.4), infer_s_per_frame=t(0.05)),
                         dict(variant='vlm[cache]', train_step_s=t(0.42),
                              infer_s_per_frame=t(0.05))],
                ratios={'base': dict(train_step_s=1.0), 'vlm[cache]': dict(train_step_s=1.05)})
    rows = bench_run.rows_of('cost', cost, tmp_path / 'cost.json')
    assert rows[2]['value'] == '0.420 (1.05x)' and rows[2]['source'].endswith('cost.json')
    teacher = [dict(teacher='emb', batched=[dict(texts=64, ratio=25.0, cache_images_per_s=4.5)])]
    (row,) = bench_run.rows_of('teacher', teacher, tmp_path / 't.json')
    assert row['value'] == '25.0x; 4.50' and '64 texts' in row['what']
    ev = dict(images=9658, ours_reference_s=1.234, ours_official_s=2.0)
    rows = bench_run.rows_of('evaluator', ev, tmp_path / 'e.json')
    assert [r['value'] for r in rows] == ['1.23', '2.00']


def test_commands_cover_the_three_benchmarks(tmp_path) -> None:
    args = bench_run.argparse.Namespace(world='w', base=False, cost_steps=7)
    cmds = bench_run.commands(args, tmp_path)
    assert set(cmds) == {'cost', 'teacher', 'evaluator'}
    assert '--no-base' in cmds['teacher'][0]
    assert cmds['cost'][0][:3] == ['benchmark/cost.py', bench_run.BASELINE, bench_run.VLMHOI]
    cost = cmds['cost'][0]
    assert cost[cost.index('--steps') + 1] == cost[cost.index('--frames') + 1] == '7'
