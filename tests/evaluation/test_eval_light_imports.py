"""Evaluation and its CLI run without the training stack (torch, mmcv, mmdet, mmengine)."""
import json
import subprocess
import sys

import pytest

from tests.evaluation.worlds import ROOT, gt_image, pred_image, train_set

HEAVY = ('torch', 'mmcv', 'mmdet', 'mmengine')

PROBE = """
import importlib.util, json, sys
sys.path.insert(0, {root!r})
import vlmhoi.evaluation
spec = importlib.util.spec_from_file_location('eval_hoi_cli', {cli!r})
cli = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cli)
loaded_on_import = sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r}))
code = cli.main({argv!r})
print(json.dumps(dict(code=code, on_import=loaded_on_import,
                      after_run=sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r})))))
"""


def test_evaluation_and_cli_do_not_import_the_training_stack(tmp_path):
    ride, hold = ('ride', 'bicycle'), ('hold', 'cup')
    files = {}
    for name, obj in (('test', [gt_image('a.jpg', [ride, hold])]),
                      ('train', train_set({ride: 3, hold: 12})),
                      ('pred', [pred_image('a.jpg', [(*ride, 0.9), (*hold, 0.4)])])):
        files[name] = tmp_path / f'{name}.json'
        files[name].write_text(json.dumps(obj))
    argv = ['--dataset', 'hico', '--gt', str(files['test']), '--train-gt',
            str(files['train']), '--pred', str(files['pred'])]
    code = PROBE.format(root=str(ROOT), cli=str(ROOT / 'tools' / 'eval_hoi.py'),
                        heavy=HEAVY, argv=argv)
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report['code'] == 0
    assert report['on_import'] == []
    assert report['after_run'] == []
    metrics = json.loads(out.stdout.strip().splitlines()[-2])
    assert metrics['mAP_full'] == pytest.approx(100.0)


def test_vlmhoi_registers_its_components_on_request():
    code = ('import sys, vlmhoi; assert "torch" not in sys.modules; '
            'vlmhoi.register_all_modules(); '
            'from mmdet.registry import DATASETS, METRICS, MODELS; '
            'assert METRICS.get("HICODetMetric") and METRICS.get("VCOCOMetric"); '
            'assert DATASETS.get("HICODetDataset") and MODELS.get("HOIDetector"); '
            'import vlmhoi.evaluation as e; assert e.HICODetMetric is METRICS.get("HICODetMetric")')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr
