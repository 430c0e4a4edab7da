"""Detection pre-training: content key, cache reuse, a real tiny build through the Runner,
the HOI detector loading it by config, and image-level disjointness from the HOI world."""
import hashlib
import json
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

ROOT = Path(__file__).resolve().parents[2]
PRETRAIN_CONFIG = ROOT / 'mm_configs' / 'detr_tiny_synth_pretrain.py'
HOI_CONFIG = ROOT / 'mm_configs' / 'muren_tiny_synth_hico.py'

TINY_OVERRIDES = '''
pretrain_world = dict(seed=1000, n_train=6, n_test=2, size=96)
train_cfg = dict(max_epochs=1, val_interval=1)
param_scheduler = [dict(type='ConstantLR', factor=1.0, by_epoch=True, begin=0, end=1)]
train_dataloader = dict(batch_size=2)
val_dataloader = dict(batch_size=2)
default_hooks = dict(logger=dict(interval=1))
mlflow = dict(enabled=False)
'''


@pytest.fixture
def cache_root(tmp_path, monkeypatch):
    root = tmp_path / 'cache'
    monkeypatch.setenv('VLMHOI_CACHE', str(root))
    return root


@pytest.fixture
def tiny_config(tmp_path) -> Path:
    path = tmp_path / 'tiny_pretrain.py'
    path.write_text(f"_base_ = ['{PRETRAIN_CONFIG}']\n{TINY_OVERRIDES}")
    return path


def test_key_follows_renderer_and_config(tiny_config, tmp_path):
    from vlmhoi.pretraining import pretraining_key
    cfg = Config.fromfile(str(tiny_config))
    assert pretraining_key(cfg) == pretraining_key(Config.fromfile(str(tiny_config)))
    assert pretraining_key(cfg, generator='a' * 64) != pretraining_key(cfg, generator='b' * 64)
    other = tmp_path / 'other.py'
    other.write_text(tiny_config.read_text().replace('n_train=6', 'n_train=7'))
    assert pretraining_key(Config.fromfile(str(other))) != pretraining_key(cfg)


def test_missing_cache_names_the_build_command(tiny_config, cache_root):
    from vlmhoi.pretraining import cached_checkpoint
    with pytest.raises(FileNotFoundError, match='python tools/pretrain_detector.py'):
        cached_checkpoint(tiny_config)


def test_build_reuse_and_hoi_init(tiny_config, cache_root):
    from mmdet.registry import MODELS
    from mmengine.registry import init_default_scope

    from vlmhoi.pretraining import build_pretraining, cached_checkpoint, read_manifest
    ckpt = build_pretraining(tiny_config, progress=False)
    assert ckpt == cached_checkpoint(tiny_config) and cache_root in ckpt.parents
    manifest = read_manifest(tiny_config)
    assert manifest['iterations'] == 3  # 6 images, batch 2, one epoch
    assert 'coco/bbox_mAP' in manifest['metrics']
    assert manifest['world']['counts']['train']['images'] == 6
    stamp = ckpt.stat().st_mtime_ns
    assert build_pretraining(tiny_config, progress=False) == ckpt
    assert ckpt.stat().st_mtime_ns == stamp  # reused, not rebuilt

    state = torch.load(ckpt, weights_only=True)['state_dict']
    hoi = Config.fromfile(str(HOI_CONFIG))
    init_default_scope('mmdet')
    hoi.model.init_cfg = dict(type='DetrPretrained', pretrain_config=str(tiny_config))
    model = MODELS.build(hoi.model)
    model.init_weights()
    assert model.detr_load_report.unexpected == []
    for branch in ('human', 'object', 'interaction'):
        assert torch.equal(model.state_dict()[f'decoder.spatial_priors.{branch}.ref.weight'],
                           state['decoder.spatial_prior.ref.weight'])
    assert torch.equal(model.state_dict()['encoder.layers.0.ffn.layers.1.weight'],
                       state['encoder.layers.0.ffn.layers.1.weight'])


def test_coco_boxes_keep_every_box(tmp_path):
    from vlmhoi.pretraining.coco_boxes import hico_to_coco_instances
    from vlmhoi.synth import generate_world
    from vlmhoi.vocab import coco_objects
    generate_world(tmp_path, seed=3, n_train=3, n_test=1, size=96, progress=False)
    names = [f'class{i}' for i in range(80)]
    counts = hico_to_coco_instances(tmp_path / 'annotations/trainval_hico.json',
                                    tmp_path / 'images/train2015', tmp_path / 'coco.json', names)
    hico = json.loads((tmp_path / 'annotations/trainval_hico.json').read_text())
    coco = json.loads((tmp_path / 'coco.json').read_text())
    assert counts == dict(images=3, boxes=sum(len(e['annotations']) for e in hico))
    first = hico[0]['annotations'][0]
    x1, y1, x2, y2 = first['bbox']
    assert coco['annotations'][0]['bbox'] == [x1, y1, x2 - x1, y2 - y1]
    assert [c['id'] for c in coco['categories']] == list(coco_objects()[0])
    assert coco['images'][0]['width'] == 96


def test_pretraining_images_are_disjoint_from_the_hoi_world(tmp_path):
    from vlmhoi.synth import generate_world
    seed = Config.fromfile(str(PRETRAIN_CONFIG)).pretrain_world['seed']
    hoi_seed = 0  # tools/make_synth.py --seed 0, the world of every synthetic HOI config
    assert seed != hoi_seed

    def digests(root: Path, s: int) -> set[str]:
        generate_world(root, seed=s, n_train=8, n_test=4, size=96, progress=False)
        return {hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob('*.jpg')}

    pre, hoi = digests(tmp_path / 'pre', seed), digests(tmp_path / 'hoi', hoi_seed)
    assert len(pre) == 12 and len(hoi) == 12 and not pre & hoi


def test_the_pretraining_config_fits_the_hoi_config():
    """Every tensor of the real pre-training detector lands in the real HOI detector of
    muren_tiny_synth_hico.py: no shape mismatch, nothing left unused."""
    from mmdet.registry import MODELS
    from mmengine.registry import init_default_scope

    from vlmhoi.models import map_detr_state_dict
    init_default_scope('mmdet')
    hoi_cfg = Config.fromfile(str(HOI_CONFIG))
    assert Path(ROOT / hoi_cfg.model.init_cfg.pretrain_config) == PRETRAIN_CONFIG
    detr = MODELS.build(Config.fromfile(str(PRETRAIN_CONFIG)).model)
    hoi_model = dict(hoi_cfg.model, init_cfg=None)
    _, report = map_detr_state_dict(detr.state_dict(), MODELS.build(hoi_model).state_dict())
    assert report.mismatched == [] and report.unexpected == []
    assert {'.'.join(k.split('.')[:2]) for k in report.missing} == {
        'decoder.relational_context', 'decoder.fusions', 'bbox_head.verb_cls'}
