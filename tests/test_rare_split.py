"""One rare split (vlmhoi.rare_split) for datasets, evaluators, synthetic world, benchmarks."""
import numpy as np
import pytest

from vlmhoi import rare_split as rs


def test_threshold_and_zero_rules():
    counts = [0, 1, 9, 10, 11]
    rare, non_rare = rs.rare_split(counts)
    assert rare.tolist() == [False, True, True, False, False]
    assert non_rare.tolist() == [False, False, False, True, True]
    rare, non_rare = rs.rare_split(counts, zero='rare')
    assert rare.tolist() == [True, True, True, False, False]
    assert non_rare.tolist() == [False, False, False, True, True]
    assert [rs.rare_label(n) for n in counts] == [None, True, True, False, False]
    assert rs.RARE_THRESHOLD == 10
    with pytest.raises(ValueError, match='zero must be one of'):
        rs.rare_split(counts, zero='drop')


def test_every_consumer_uses_the_one_rule():
    import vlmhoi.synth.stats as stats
    from vlmhoi.evaluation import reference_harness
    assert stats.RARE_THRESHOLD is rs.RARE_THRESHOLD
    assert stats.rare_label is rs.rare_label
    assert reference_harness.rare_split is rs.rare_split
    pytest.importorskip('mmengine')
    from vlmhoi.datasets import base_hoi_dataset
    assert base_hoi_dataset.rare_split is rs.rare_split
    assert base_hoi_dataset.RARE_THRESHOLD is rs.RARE_THRESHOLD


def test_reference_harness_split_matches_the_evaluator():
    from vlmhoi.evaluation import evaluate_hico, hico_gt_from_entries
    from vlmhoi.evaluation.random_hico import make_gt
    from vlmhoi.evaluation.reference_harness import rare_triplets
    from vlmhoi.vocab import hico_vocab
    rng = np.random.default_rng(3)
    test, train = make_gt(30, rng), make_gt(60, rng, tail=2.0, prefix='train')
    rare, non_rare = rare_triplets(train)
    res = evaluate_hico(hico_gt_from_entries(test, train), [
        {'file_name': e['file_name'], 'predictions': [], 'hoi_prediction': []} for e in test])
    v = hico_vocab()
    split = {True: 0, False: 0, None: 0}
    for r in res.categories:
        split[r['rare']] += 1
        key = (0, v.object_ids.index(r['object_id']), v.verb_ids.index(r['verb_id']))
        assert (key in rare, key in non_rare) == (r['rare'] is True, r['rare'] is False)
    assert split[None] > 0   # test categories without training instances: in neither part
    assert split[True] > 0 and split[False] > 0
    assert res.metrics['num_rare'] == split[True] and res.metrics['num_non_rare'] == split[False]
