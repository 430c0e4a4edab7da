"""tools/eval_hoi.py end to end, in a subprocess."""
import json
import pickle
import subprocess
import sys

import numpy as np
import pytest

from tests.evaluation.worlds import ROOT, gt_image, make_vcoco_world, pred_image, train_set
from vlmhoi.evaluation import (
    evaluate_hico,
    evaluate_vcoco_predictions,
    hico_gt_from_entries,
    vcoco_gt_from_data,
)

pytestmark = pytest.mark.slow
RIDE, HOLD = ('ride', 'bicycle'), ('hold', 'cup')


def hoi_id(pair):
    from vlmhoi.vocab import hico_vocab
    v = hico_vocab()
    key = (v.verb_names.index(pair[0]), v.object_names.index(pair[1]))
    return v.valid_pairs.index(key) + 1


def cli(*args):
    return subprocess.run([sys.executable, str(ROOT / 'tools' / 'eval_hoi.py'), *map(str, args)],
                          capture_output=True, text=True, timeout=300)


def dump(path, obj):
    path.write_text(json.dumps(obj))
    return path


def test_hico_cli_metrics_csv_and_curves(tmp_path):
    test = [gt_image('a.jpg', [RIDE, HOLD]), gt_image('b.jpg', [RIDE]),
            gt_image('c.jpg', [HOLD])]
    preds = [pred_image('a.jpg', [(*RIDE, 0.9), (*HOLD, 0.2)]),
             pred_image('b.jpg', [(*RIDE, 0.3), (*HOLD, 0.8)]), pred_image('c.jpg', [])]
    train = train_set({RIDE: 11, HOLD: 2})
    files = [dump(tmp_path / n, o) for n, o in
             (('test.json', test), ('train.json', train), ('pred.json', preds))]
    out = cli('--dataset', 'hico', '--gt', files[0], '--train-gt', files[1], '--pred', files[2],
              '--mode', 'official', '--per-category-csv', tmp_path / 'cat.csv',
              '--pr-curves', tmp_path / 'pr', '--categories', hoi_id(RIDE), 'hold:cup')
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 1
    got = json.loads(lines[0])
    want = evaluate_hico(hico_gt_from_entries(test, train), preds, mode='official').metrics
    assert got['mode'] == 'official'
    for k in ('mAP_full', 'mAP_rare', 'mAP_non_rare', 'mAP_full_ko', 'num_categories'):
        assert got[k] == pytest.approx(want[k])

    import pandas as pd
    table = pd.read_csv(tmp_path / 'cat.csv')
    assert len(table) == 600
    row = table[table['name'] == 'ride:bicycle'].iloc[0]
    assert row['ap'] == pytest.approx(1.0) and row['n_test'] == 2 and not row['rare']
    assert table[table['name'] == 'hold:cup'].iloc[0]['ap'] == pytest.approx(3 / 11)  # FP, TP of 2
    pngs = sorted((tmp_path / 'pr').glob('*.png'))
    assert len(pngs) == 2 and all(p.read_bytes()[:4] == b'\x89PNG' for p in pngs)
    assert any(f'pr_{hoi_id(RIDE) - 1:03d}_ride_bicycle' in p.name for p in pngs)

    preds[1]['hoi_prediction'][0]['subject_id'] = 9
    dump(files[2], preds)
    bad = cli('--dataset', 'hico', '--gt', files[0], '--train-gt', files[1], '--pred', files[2])
    assert bad.returncode == 2 and bad.stdout == ''
    assert f"{files[2]}: image 1 ('b.jpg'): hoi_prediction[0]: subject_id 9" in bad.stderr


def test_vcoco_cli_with_official_files(tmp_path):
    w = make_vcoco_world(np.random.default_rng(11), 12)
    vsrl = dump(tmp_path / 'vcoco_test.json', w['vsrl'])
    coco = dump(tmp_path / 'instances.json', w['coco'])
    split = tmp_path / 'vcoco_test.ids'
    np.savetxt(split, w['split'], fmt='%d')
    gt = dump(tmp_path / 'test_vcoco.json', w['entries'])
    pred = dump(tmp_path / 'pred.json', w['preds'])
    out = cli('--dataset', 'vcoco', '--gt', gt, '--pred', pred, '--vsrl-gt', vsrl,
              '--coco-gt', coco, '--split-ids', split, '--dump-vsrl-dets', tmp_path / 'd.pkl',
              '--per-category-csv', tmp_path / 'roles.csv')
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    want = evaluate_vcoco_predictions(vcoco_gt_from_data(w['vsrl'], w['coco'], w['split']),
                                      w['entries'], w['preds']).metrics
    for k in ('AP_role_S1', 'AP_role_S2', 'AP_agent', 'num_roles'):
        assert got[k] == pytest.approx(want[k])
    records = pickle.loads((tmp_path / 'd.pkl').read_bytes())
    assert records and {'image_id', 'person_box', 'hold_obj', 'stand_agent'} <= set(records[0])
    assert (tmp_path / 'roles.csv').read_text().count('\n') == 26   # header + 25 roles
    assert got['gt_source'] == 'official'
    partial = cli('--dataset', 'vcoco', '--gt', gt, '--pred', pred, '--vsrl-gt', vsrl)
    assert partial.returncode == 2 and '--split-ids' in partial.stderr
