"""Equality with the reference evaluators' own code (CDN; MUREN for Known-Object).

The code is taken from local git mirrors with ``git archive`` into a temporary directory;
without a mirror (e.g. in CI) the test is skipped. Random inputs include tied scores,
duplicate detections, near-0.5 overlaps and images without ground truth.
"""
import shutil
import subprocess
import tarfile
from pathlib import Path

import numpy as np
import pytest

from tests.evaluation.worlds import bench_module
from vlmhoi.evaluation import evaluate_hico, hico_gt_from_entries

MIRRORS = {'cdn': Path('/work/.mirror/YueLiao+CDN/repo'),
           'muren': Path('/work/.mirror/OreoChocolate+MUREN/repo')}


def extract(name: str, tmp_path: Path) -> Path:
    repo = MIRRORS[name]
    if not repo.exists() or shutil.which('git') is None:
        pytest.skip(f'reference mirror {repo} (or git) not available: cannot run the '
                    f'{name} evaluator')
    out = tmp_path / name
    out.mkdir()
    archive = tmp_path / f'{name}.tar'
    subprocess.run(['git', '-C', str(repo), 'archive', '-o', str(archive), 'HEAD', 'datasets'],
                   check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(out, filter='data')
    return out


def random_case(seed: int, decimals: int | None = None):
    """Random input; with ``decimals`` all scores are rounded (many ties, where the
    reference's quicksort ranking differs from a stable one)."""
    b = bench_module()
    rng = np.random.default_rng(seed)
    test = b.make_gt(40, rng)
    test[5] = dict(test[5], annotations=[], hoi_annotation=[])        # no ground truth
    test[6] = dict(test[6], hoi_annotation=[])                        # boxes, no HOI
    train = b.make_gt(150, rng, tail=2.0, prefix='train')
    preds = b.make_predictions(test, rng, queries=12, per_image=int(rng.integers(20, 130)))
    if decimals is not None:
        for e in preds:
            for h in e['hoi_prediction']:
                h['score'] = round(h['score'], decimals)
    return test, train, preds


@pytest.mark.parametrize('name', ['cdn', 'muren'])
def test_reference_mode_equals_reference_code(name, tmp_path):
    b = bench_module()
    ref_cls, ko_cls = b.load_reference(extract(name, tmp_path))
    cls = ko_cls or ref_cls
    for seed, decimals in ((0, None), (1, None), (2, 1), (3, 1), (4, 0)):
        test, train, preds = random_case(seed, decimals)
        ref = b.run_reference(cls, b.reference_state(test, train, preds))
        ours = evaluate_hico(hico_gt_from_entries(test, train), preds).raw
        assert set(ref) <= set(ours)
        if name == 'muren':
            assert 'mAP_full_ko' in ref
        for k, v in ref.items():
            assert ours[k] == v, (seed, k)
