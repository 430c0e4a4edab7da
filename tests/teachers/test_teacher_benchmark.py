"""benchmark/teacher.py on a tiny model dir: the table, JSON and plot (no speed asserted)."""
import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope='module')
def bench():
    spec = importlib.util.spec_from_file_location('teacher_bench', ROOT / 'benchmark/teacher.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_model_dir_rates_table_json_plot(bench, tiny_blip_dir, tiny_clip_dir, tmp_path, capsys):
    out, png = tmp_path / 'bench.json', tmp_path / 'bench.png'
    bench.main(['--no-base', '--model-dir', str(tiny_blip_dir), '--model-dir',
                str(tiny_clip_dir), '--texts', '2', '5', '--pairs', '2', '--repeats', '2',
                '--out', str(out), '--plot', str(png)])
    results = json.loads(out.read_text())
    assert [r['identity']['teacher'] for r in results] == ['BlipItmTeacher', 'ClipTeacher']
    assert all(r['repeats'] == 2 for r in results)
    for res in results:
        assert res['per_pair']['pairs'] == 2 and res['per_pair']['pairs_per_s'] > 0
        assert [row['texts'] for row in res['batched']] == [2, 5]
        for row in res['batched']:
            assert row['ratio'] == pytest.approx(row['pairs_per_s']
                                                 / res['per_pair']['pairs_per_s'])
            assert row['ratio_cpu'] == pytest.approx(row['pairs_per_cpu_s']
                                                     / res['per_pair']['pairs_per_cpu_s'])
            # one image against the vocabulary is one cache row
            assert row['cache_images_per_s'] == pytest.approx(1 / row['seconds'])
            assert row['hico_train_hours'] == pytest.approx(
                bench.HICO_TRAIN_IMAGES * row['seconds'] / 3600)
    assert png.stat().st_size > 0
    table = capsys.readouterr().out
    assert 'ratio' in table and 'per-pair/s' in table and 'cache img/s' in table


def test_texts_cycle_the_hico_vocabulary(bench):
    texts = bench.hico_texts(600)
    assert len(texts) == 600 and len(set(texts)) == 520
    assert texts[0].startswith('A person ')


def test_unknown_model_type_refused(bench, tmp_path):
    (tmp_path / 'config.json').write_text(json.dumps({'model_type': 'bert'}))
    with pytest.raises(ValueError, match="'bert'"):
        bench.teacher_for_dir(tmp_path)


def test_timed_reports_medians(bench):
    calls = []
    durations = iter([0.1, 0.0, 0.05])   # the median of three runs: 0.05 s

    def work():
        calls.append(1)
        bench.time.sleep(next(durations))

    wall, cpu = bench.timed(work, repeats=3)
    assert len(calls) == 3 and 0.05 <= wall < 0.09 and cpu < wall
    with pytest.raises(SystemExit, match='--repeats'):
        bench.main(['--no-base', '--model-dir', 'x', '--repeats', '0'])


def test_nothing_to_measure(bench):
    with pytest.raises(SystemExit, match='nothing to measure'):
        bench.main(['--no-base'])
