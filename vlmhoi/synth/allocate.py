"""Long-tailed assignment of interaction templates (combos) to the images of a split.

Counts are decided first (Zipf shares of the split's total, by largest remainder, so the
tail is exact rather than left to sampling noise), then the multiset of interactions is
shuffled and packed into images, each image taking its drawn number of interactions as
long as their nominal widths fit side by side.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import world


def largest_remainder(total: int, weights: Sequence[float]) -> list[int]:
    """Integer counts summing to ``total`` proportional to ``weights`` (ties: lower index)."""
    w = np.asarray(weights, dtype=float)
    if total <= 0 or w.sum() <= 0:
        return [0] * len(w)
    exact = total * w / w.sum()
    counts = np.floor(exact).astype(int)
    rest = total - int(counts.sum())
    order = sorted(range(len(w)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[:rest]:
        counts[i] += 1
    return [int(c) for c in counts]


def combo_counts(total: int, allowed: Sequence[int], min_each: int = 0,
                 exponent: float = world.ZIPF_EXPONENT) -> dict[int, int]:
    """How many interactions of each allowed combo (index into ``world.COMBOS``) to make.

    Weights are ``(rank + 1) ** -exponent`` by the combo's global rank. With
    ``min_each`` every allowed combo gets at least that many (``total // len(allowed)``
    each when ``total`` has no room for more), taken one at a time from the currently
    largest count.
    """
    allowed = sorted(allowed)
    counts = dict(zip(allowed, largest_remainder(
        total, [(i + 1) ** -exponent for i in allowed])))
    min_each = min(min_each, total // len(allowed)) if allowed else 0
    if min_each > 0:
        for i in allowed:
            while counts[i] < min_each:
                donor = max(allowed, key=lambda j: (counts[j], -j))
                counts[donor] -= 1
                counts[i] += 1
    return counts


def pack(rng: np.random.Generator, slots: list[int], targets: Sequence[int],
         widths: Sequence[float], budget: float) -> list[list[int]]:
    """Put shuffled combo ``slots`` into images; image ``j`` takes up to ``targets[j]``.

    An image takes the next slots of the queue whose nominal widths (person heights)
    still fit in ``budget``; the first slot of an empty image always fits. Slots left at
    the end go to any image with room, else they are dropped.
    """
    queue = list(slots)
    rng.shuffle(queue)
    images: list[list[int]] = []
    used: list[float] = []
    for k in targets:
        taken: list[int] = []
        width = 0.0
        i = 0
        while len(taken) < k and i < len(queue):
            w = widths[queue[i]] + (world.MIN_GAP_UNITS if taken else 0.0)
            if not taken or width + w <= budget:
                taken.append(queue.pop(i))
                width += w
            else:
                i += 1
        images.append(taken)
        used.append(width)
    for slot in list(queue):
        for j, taken in enumerate(images):
            w = widths[slot] + world.MIN_GAP_UNITS
            if len(taken) < max(world.INTERACTIONS_PER_IMAGE) and used[j] + w <= budget:
                taken.append(slot)
                used[j] += w
                queue.remove(slot)
                break
    return images


def allocate_split(rng: np.random.Generator, n_images: int, allowed: Sequence[int],
                   widths: Sequence[float], min_each: int = 0) -> list[list[int]]:
    """Combo indices per image for one split (long-tailed, see the module docstring)."""
    keys = list(world.INTERACTIONS_PER_IMAGE)
    p = np.array([world.INTERACTIONS_PER_IMAGE[k] for k in keys], dtype=float)
    targets = [int(keys[i]) for i in rng.choice(len(keys), size=n_images, p=p / p.sum())]
    counts = combo_counts(sum(targets), allowed, min_each)
    slots = [i for i in sorted(counts) for _ in range(counts[i])]
    budget = (1 - 2 * world.MARGIN) / (world.PERSON_HEIGHT_MIN * world.GROUP_SCALE_RANGE[1])
    return pack(rng, slots, targets, widths, budget)
