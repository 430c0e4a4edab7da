"""benchmark/scaling.py: projections and the teacher-JSON reader (no timing asserted)."""
import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location('scaling', ROOT / 'benchmark/scaling.py')
scaling = importlib.util.module_from_spec(spec)
spec.loader.exec_module(scaling)


def test_images_per_epoch_is_projected_from_the_smallest_query_count() -> None:
    rows = [dict(axis='queries', variant='base', x=16, value=0.4, data_s=0.1, batch=4,
                 source='a.json'),
            dict(axis='queries', variant='base', x=64, value=0.8, data_s=0.1, batch=4,
                 source='b.json')]
    out = scaling.image_rows(rows)
    assert [r['x'] for r in out] == list(scaling.IMAGES)
    assert out[0]['value'] == pytest.approx(1000 * 0.5 / 4 / 60)     # 0.5 s per batch of 4
    assert {r['source'] for r in out} == {'a.json'}


def test_text_rows_and_missing_json(tmp_path) -> None:
    path = tmp_path / 't.json'
    path.write_text(json.dumps([dict(teacher='emb', batched=[dict(texts=16, seconds=0.1),
                                                             dict(texts=600, seconds=2.0)])]))
    rows = scaling.text_rows(path)
    assert [(r['x'], r['value']) for r in rows] == [(16, 0.1), (600, 2.0)]
    with pytest.raises(SystemExit, match='benchmark/teacher.py'):
        scaling.text_rows(tmp_path / 'missing.json')
