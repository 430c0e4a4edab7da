"""Embedded teachers end to end at a tiny size: train a few steps, save, load back through the
real teacher classes, score, and measure the ranking on a generated world's test split."""
from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
import torch
from PIL import Image

from tests.teachers.tiny_models import TINY_SHAPE
from vlmhoi.synth import generate_world
from vlmhoi.synth.corpus import render_corpus
from vlmhoi.teachers.base import build_teacher
from vlmhoi.teachers.embedded.captions import NEGATIVE_TYPES, text
from vlmhoi.teachers.embedded.config import RECIPES, TEACHER_NAMES
from vlmhoi.teachers.embedded.models import (
    build_image_processor,
    build_model,
    build_tokenizer,
    save_teacher,
)
from vlmhoi.teachers.embedded.ranking import format_table, ranking_accuracy, read_split
from vlmhoi.teachers.embedded.train import lr_factor, train_teacher

TEACHER = {'blip': ('BlipItmTeacher', 'itm_logodds'), 'clip': ('ClipTeacher', 'cosine')}
TEXTS = ['A person ride a bicycle', 'A person hold a cup', 'a person kicking a sports ball']


@pytest.fixture(scope='module')
def tiny_corpus():
    return render_corpus(0, n_images=16, size=64, image_size=32)


@pytest.fixture(scope='module')
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp('world')
    generate_world(root, seed=0, n_train=12, n_test=6, size=96, progress=False)
    return root


def test_lr_schedule():
    assert lr_factor(0.0, 0.1) > 0 and lr_factor(0.05, 0.1) == pytest.approx(0.5)
    assert lr_factor(0.1, 0.1) == pytest.approx(1.0) and lr_factor(1.0, 0.1) == pytest.approx(0)


@pytest.mark.parametrize('kind', ['blip', 'clip'])
def test_train_save_load_score(kind, tiny_corpus, tmp_path):
    torch.manual_seed(0)
    recipe = RECIPES[kind].override(**TINY_SHAPE)
    tokenizer, processor = build_tokenizer(kind), build_image_processor(recipe)
    model = build_model(recipe, tokenizer)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    log = train_teacher(model, tokenizer, processor, tiny_corpus, recipe, minutes=2,
                        progress=False)
    assert log.steps == 2 and log.stopped_by == 'steps' and np.isfinite(log.final_loss)
    assert any(not torch.equal(before[k], v) for k, v in model.state_dict().items())
    folder = save_teacher(tmp_path / TEACHER_NAMES[kind], model, tokenizer, processor)
    teacher_type, score = TEACHER[kind]
    teacher = build_teacher(dict(type=teacher_type, model_path=str(folder), score=score))
    images = [Image.fromarray(np.asarray(tiny_corpus.images[i])) for i in range(3)]
    got = teacher.score(images, TEXTS)
    assert got.shape == (3, len(TEXTS)) and torch.isfinite(got).all()
    # the loaded teacher computes what the trained model computes
    pixels = processor(images=images, return_tensors='pt')['pixel_values']
    enc = tokenizer(TEXTS, padding=True, return_tensors='pt')
    with torch.no_grad():
        if kind == 'blip':
            want = torch.stack([
                model(input_ids=enc['input_ids'], attention_mask=enc['attention_mask'],
                      pixel_values=pixels[i:i + 1].expand(len(TEXTS), -1, -1, -1),
                      use_itm_head=True).itm_score.diff(dim=-1)[:, 0] for i in range(3)])
        else:
            out = model(input_ids=enc['input_ids'], attention_mask=enc['attention_mask'],
                        pixel_values=pixels)
            want = out.logits_per_image / model.logit_scale.exp()
    assert (got - want).abs().max() < 1e-4


class _Oracle:
    """Scores 1 for the sentences true in the image (found by its pixels), else 0."""

    def __init__(self, world, invert: bool = False):
        self.truth, self.invert = {}, invert
        for name, pairs in read_split(world / 'annotations/test_hico.json'):
            with Image.open(world / 'images/test2015' / name) as im:
                key = hashlib.sha256(np.asarray(im.convert('RGB')).tobytes()).hexdigest()
            self.truth[key] = pairs

    def score(self, images, texts):
        pairs = self.truth[hashlib.sha256(np.asarray(images[0]).tobytes()).hexdigest()]
        true = {text(f, p) for f in ('full', 'verb', 'object', 'natural', 'reference_code')
                for p in pairs}
        s = torch.tensor([[float(t in true) for t in texts]])
        return 1 - s if self.invert else s


def test_ranking_of_an_oracle_and_of_its_inverse(world):
    right = ranking_accuracy(_Oracle(world), world)
    wrong = ranking_accuracy(_Oracle(world, invert=True), world)
    for kind in NEGATIVE_TYPES:
        cells = right['full'][kind]
        assert cells['all']['total'] == cells['head']['total'] + cells['rare']['total'] > 0
        assert cells['all']['rate'] == 1.0 and wrong['full'][kind]['all']['rate'] == 0.0
    assert right['verb']['object_swap']['all']['total'] == 0         # same text: not compared
    assert 'verb_swap' in format_table(right, 'oracle')


def _tool():
    import importlib.util
    from pathlib import Path
    path = Path(__file__).resolve().parents[2] / 'tools' / 'train_teacher.py'
    spec = importlib.util.spec_from_file_location('train_teacher_tool', path)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def test_tool_overrides_parse_numbers_and_booleans():
    parse = _tool()._overrides
    got = parse(['autocast_bf16=false', 'tag_weight=0.5', 'epochs=3'], RECIPES['blip'])
    assert got == {'autocast_bf16': False, 'tag_weight': 0.5, 'epochs': 3.0}
    assert parse(['autocast_bf16=1'], RECIPES['clip']) == {'autocast_bf16': True}
    with pytest.raises(SystemExit, match='autocast_bf16 takes one of'):
        parse(['autocast_bf16=maybe'], RECIPES['blip'])
    with pytest.raises(SystemExit, match='KEY one of'):
        parse(['no_such_field=1'], RECIPES['blip'])


def test_tool_trains_saves_and_reports(world, tmp_path, monkeypatch):
    monkeypatch.setenv('VLMHOI_CACHE', str(tmp_path / 'cache'))
    tool = _tool()
    overrides = [f'{k}={v}' for k, v in TINY_SHAPE.items()]
    assert tool.main(['--kind', 'blip', '--out', str(tmp_path / 'out'), '--world', str(world),
                      '--minutes', '1', '--no-progress', '--set', *overrides]) == 0
    folder = tmp_path / 'out' / TEACHER_NAMES['blip']
    report = json.loads((folder / 'training_report.json').read_text())
    assert report['train']['steps'] == 2 and report['recipe']['image_size'] == 32
    rate = report['ranking']['full']['verb_swap']['all']['rate']
    assert 0.0 <= rate <= 1.0
    assert (tmp_path / 'cache' / 'synth_corpus').is_dir()


@pytest.mark.parametrize('kind', ['blip', 'clip'])
def test_fresh_models_start_at_the_recipe_init_std(kind):
    """BlipVisionConfig's initializer_range defaults to 1e-10; the embedded teachers train
    from scratch, so their patch embedding (and BLIP's every vision matrix) starts at
    ``recipe.init_std``. CLIP scales its attention / MLP init by depth on its own."""
    torch.manual_seed(0)
    recipe = RECIPES[kind].override(**TINY_SHAPE)
    model = build_model(recipe, build_tokenizer(kind))
    weights = {'patch': model.vision_model.embeddings.patch_embedding.weight}
    if kind == 'blip':
        weights['vision fc1'] = model.vision_model.encoder.layers[0].mlp.fc1.weight
    for name, weight in weights.items():
        assert weight.std().item() == pytest.approx(recipe.init_std, rel=0.2), name
