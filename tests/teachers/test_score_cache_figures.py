"""Fig. 5 data: positive / negative / hard-negative groups, rates, and tools/teacher_scores.py."""
from __future__ import annotations

import csv

import numpy as np
import pytest

from tests.teachers.cache_world import (
    CONFIG,
    N_TEST,
    ROOT,
    cache_options,
    hico_words,
    make_teacher,
    make_world,
)
from tests.teachers.tiny_models import save_tiny_clip
from vlmhoi.teachers.prompts import build_vocabulary
from vlmhoi.teachers.score_distribution import KINDS, score_distribution, text_groups
from vlmhoi.vocab import hico_vocab, vcoco_vocab


def names(vocabulary, mask):
    return {vocabulary.texts[t] for t in np.flatnonzero(mask)}


def test_groups_of_a_hold_cup_image():
    vocab = hico_vocab()
    vocabulary = build_vocabulary(vocab, 'full')
    hold, cup = vocab.verb_names.index('hold'), vocab.object_names.index('cup')
    masks = text_groups(vocabulary, {(hold, cup)})
    assert names(vocabulary, masks['positive']) == {'A person hold a cup'}
    assert 'A person hold a bicycle' in names(vocabulary, masks['same_verb'])
    assert 'A person drink with a cup' in names(vocabulary, masks['same_object'])
    assert not masks['same_verb'][vocabulary.text_index(hold, cup)]
    assert (masks['negative'] == ~masks['positive']).all()
    verb_form = build_vocabulary(vocab, 'verb')          # texts shared by many pairs
    masks = text_groups(verb_form, {(hold, cup)})
    assert names(verb_form, masks['positive']) == {'A person hold'}
    assert not masks['same_verb'].any()


def test_objectless_ground_truth_matches_only_an_object_free_text():
    vocab = vcoco_vocab()
    vocabulary = build_vocabulary(vocab, 'full')
    stand, hold = vocab.verb_names.index('stand'), vocab.verb_names.index('hold_obj')
    masks = text_groups(vocabulary, {(stand, -1), (hold, -1)})
    assert names(vocabulary, masks['positive']) == {'A person stand'}
    assert 'A person hold a cup' in names(vocabulary, masks['same_verb'])


def test_rates_follow_the_scores():
    vocab = hico_vocab()
    vocabulary = build_vocabulary(vocab, 'full')
    hold, cup = vocab.verb_names.index('hold'), vocab.object_names.index('cup')
    info = {'instances': [{'bbox_label': 0}, {'bbox_label': cup}],
            'hois': [{'subject': 0, 'object': 1, 'verbs': [hold]}]}
    scores = np.zeros((2, len(vocabulary)), np.float32)
    scores[0, vocabulary.text_index(hold, cup)] = 3.0      # image 0: the positive wins
    scores[1] = 1.0
    scores[1, vocabulary.text_index(hold, cup)] = -1.0     # image 1: it loses everywhere
    dist = score_distribution(scores, [info, info], vocabulary)
    assert dist.rank_rate['negative'] == pytest.approx(0.5)
    assert len(dist.scores['positive']) == 2
    assert len(dist.scores['negative']) == 2 * (len(vocabulary) - 1)
    np.testing.assert_array_equal(np.sort(dist.scores['positive']), [-1.0, 3.0])


def test_teacher_scores_tool_writes_csv_and_png_per_teacher(tmp_path, monkeypatch):
    from tools import teacher_scores
    monkeypatch.chdir(ROOT)
    world = make_world(tmp_path / 'world')
    blip = make_teacher(tmp_path / 'blip')
    clip = save_tiny_clip(tmp_path / 'clip', words=hico_words())
    out = tmp_path / 'fig5'
    argv = [CONFIG, '--split', 'test', '--out', str(out), '--cache-root', str(tmp_path / 'c'),
            '--no-progress', '--teacher', f'BlipItmTeacher={blip}', f'ClipTeacher={clip}',
            '--tracking-uri', f'sqlite:///{tmp_path}/mlruns.db',
            '--cfg-options', *cache_options(world, blip), 'teacher.score=None']
    assert teacher_scores.main(argv) == 0
    import mlflow
    client = mlflow.MlflowClient(f'sqlite:///{tmp_path}/mlruns.db')
    exp = client.get_experiment_by_name('vlmhoi-tools')
    (run,) = client.search_runs([exp.experiment_id], "tags.`vlmhoi.figure` = 'fig5'")
    logged = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert 'summary_test.csv' in logged and sum(p.endswith('_hist.png') for p in logged) == 2
    with open(out / 'summary_test.csv') as f:
        summary = list(csv.DictReader(f))
    assert [r['kind'] for r in summary] == list(KINDS) * 2
    texts = len(build_vocabulary(hico_vocab(), 'full'))
    for row in summary[:2]:
        assert row['teacher'].startswith('BlipItmTeacher-blip-itm_logodds')
    assert summary[4]['teacher'].startswith('ClipTeacher-clip-cosine')
    for tag in {r['teacher'] for r in summary}:
        assert (out / f'{tag}_test_hist.png').stat().st_size > 0
        with open(out / f'{tag}_test_hist.csv') as f:
            rows = list(csv.DictReader(f))
        total = sum(int(r['positive']) + int(r['negative']) for r in rows)
        assert total == N_TEST * texts
