"""Long-tailed allocation of interactions to images."""
from __future__ import annotations

from vlmhoi.synth import world
from vlmhoi.synth.allocate import combo_counts, largest_remainder
from vlmhoi.synth.generate import allocate
from vlmhoi.synth.stats import compute_stats


def test_largest_remainder_sums_to_total_and_follows_weights():
    counts = largest_remainder(100, [3, 1, 1])
    assert sum(counts) == 100
    assert counts == [60, 20, 20]
    assert largest_remainder(7, [1, 1, 1]) == [3, 2, 2]
    assert largest_remainder(0, [1, 2]) == [0, 0]


def test_combo_counts_are_zipf_like_and_can_cover_every_combo():
    n = len(world.COMBOS)
    counts = combo_counts(1000, range(n))
    values = [counts[i] for i in range(n)]
    assert values == sorted(values, reverse=True)
    assert values[0] >= 10 * values[-1]
    few = combo_counts(n + 5, range(n), min_each=1)
    assert sum(few.values()) == n + 5
    assert min(few.values()) >= 1
    assert min(combo_counts(n + 5, range(n)).values()) == 0


def test_allocation_is_deterministic_per_seed():
    assert allocate(0, 40, 10) == allocate(0, 40, 10)
    assert allocate(0, 40, 10) != allocate(1, 40, 10)


def test_every_image_has_at_least_one_interaction():
    alloc = allocate(3, 200, 60)
    assert all(len(images) >= 1 for split in alloc.values() for images in split)
    assert max(len(images) for images in alloc['train']) >= 2


def test_moderate_world_has_a_long_tail(moderate_records):
    stats = compute_stats(moderate_records, 0, 128)
    train = [row['train'] for row in stats.per_category if row['train'] > 0]
    assert stats.rare_categories > 0 and stats.head_categories > 0
    assert min(train) < world.RARE_THRESHOLD
    assert max(train) >= 100
    assert stats.rare_categories_in_test > 0


def test_test_categories_all_appear_in_train(moderate_records):
    stats = compute_stats(moderate_records, 0, 128)
    assert [r for r in stats.per_category if r['test'] > 0 and r['train'] == 0] == []
    # and the check is not vacuous: the small train split misses some categories
    alloc = allocate(5, 8, 40)
    train = {i for image in alloc['train'] for i in image}
    test = {i for image in alloc['test'] for i in image}
    assert len(train) < len(world.COMBOS) and test <= train


def test_min_each_lifts_the_tail_and_keeps_the_total():
    n = len(world.COMBOS)
    counts = combo_counts(600, range(n), min_each=8)
    assert sum(counts.values()) == 600
    assert min(counts.values()) == 8
    plain = combo_counts(600, range(n))
    assert counts[0] < plain[0], 'the head donates'
    assert min(plain.values()) < 8
    tight = combo_counts(8 * n - 1, range(n), min_each=8)
    assert sum(tight.values()) == 8 * n - 1
    assert min(tight.values()) == 7, 'no room for 8 each: as many as fit evenly'


def test_default_test_split_holds_the_minimum_per_template():
    from vlmhoi.synth.generate import allocate
    alloc = allocate(0, world.DEFAULT_TRAIN_IMAGES, world.DEFAULT_TEST_IMAGES)
    present = {i for image in alloc['train'] for i in image}
    test_counts = {i: 0 for i in present}
    for image in alloc['test']:
        for i in image:
            test_counts[i] += 1
    dropped = sum(len(x) for x in alloc['test'])
    assert dropped > 0
    assert min(test_counts.values()) >= world.TEST_MIN_PER_COMBO - 1  # packing may drop one
