"""Sampled scenes: box sanity, who interacts with what, variety, and boxes on drawn pixels."""
from __future__ import annotations

import numpy as np

from vlmhoi.synth import world
from vlmhoi.synth.generate import stream
from vlmhoi.synth.render import CLOUD, render_scene
from vlmhoi.synth.scene import sample_scene
from vlmhoi.vocab import hico_vocab

# Verbs drawn as contact (object touching the person) and as seen from a distance.
CONTACT_VERBS = {'hold', 'eat', 'drink_with', 'talk_on', 'read', 'carry', 'ride', 'sit_on',
                 'straddle', 'lie_on', 'kick', 'hug', 'stand_on', 'swing', 'point', 'cut_with',
                 'type_on', 'stand_under', 'push', 'catch'}
DISTANCE_VERBS = {'watch', 'fly'}


def _all_scenes(records):
    return [r.scene for split in records.values() for r in split]


def _overlap(a, b) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def test_boxes_lie_inside_the_image_and_are_not_tiny(moderate_records):
    for scene in _all_scenes(moderate_records):
        for name, (x1, y1, x2, y2) in scene.boxes:
            assert 0 <= x1 < x2 <= scene.size, (name, x1, x2)
            assert 0 <= y1 < y2 <= scene.size, (name, y1, y2)
            assert max(x2 - x1, y2 - y1) >= 6, name


def test_subjects_are_people_and_objects_are_valid_partners(moderate_records):
    vocab = hico_vocab()
    valid = {(vocab.verb_names[v], vocab.object_names[o]) for v, o in vocab.valid_pairs}
    for scene in _all_scenes(moderate_records):
        for sub, obj, verb in scene.hico:
            assert scene.boxes[sub][0] == 'person'
            assert scene.boxes[obj][0] != 'person'
            assert (verb, scene.boxes[obj][0]) in valid
        for sub, obj, _ in scene.vcoco:
            assert scene.boxes[sub][0] == 'person'
            assert obj == -1 or scene.boxes[obj][0] != 'person'


def test_scenes_mix_multi_verb_pairs_idle_people_and_distractors(moderate_records):
    multi = idle = distractors = crowded = 0
    for scene in _all_scenes(moderate_records):
        pairs = [(s, o) for s, o, _ in scene.hico]
        multi += sum(1 for p in set(pairs) if pairs.count(p) >= 2)
        subjects = {s for s, _ in pairs}
        objects = {o for _, o in pairs}
        people = [k for k, (n, _) in enumerate(scene.boxes) if n == 'person']
        idle += sum(1 for k in people if k not in subjects)
        distractors += sum(1 for k, (n, _) in enumerate(scene.boxes)
                           if n != 'person' and k not in objects)
        crowded += len(subjects) >= 2
        assert len(scene.idle) == sum(1 for k in people if k not in subjects)
    assert multi > 50 and idle > 50 and distractors > 50 and crowded > 50


def test_verbs_are_visible_configurations(moderate_records):
    """Contact verbs put the object on the person, watching keeps it at a distance."""
    seen = set()
    for scene in _all_scenes(moderate_records):
        for sub, obj, verb in scene.hico:
            touching = _overlap(scene.boxes[sub][1], scene.boxes[obj][1])
            if verb in CONTACT_VERBS:
                assert touching, (verb, scene.boxes[obj][0])
            if verb in DISTANCE_VERBS:
                assert not touching, (verb, scene.boxes[obj][0])
            seen.add(verb)
    assert CONTACT_VERBS | DISTANCE_VERBS <= seen


def _foreground(img: np.ndarray, scene) -> np.ndarray:
    """Pixels far from the sky, ground and cloud colours."""
    bg = [scene.background['sky'], scene.background['ground'], CLOUD]
    dist = np.min([np.abs(img - np.array(c)).max(axis=-1) for c in bg], axis=0)
    return dist > 40


def test_boxes_are_tight_around_drawn_pixels():
    """Each box holds drawn pixels touching all four of its sides; little is drawn outside."""
    size, loose, total = 160, 0, 0
    for index in range(12):
        combos = [world.COMBOS[(index * 7 + k) % len(world.COMBOS)] for k in range(2)]
        scene = sample_scene(stream(11, 'train', 1, index), size, combos, world.world_objects())
        fg = _foreground(np.asarray(render_scene(scene), dtype=np.int16), scene)
        covered = np.zeros_like(fg)
        for name, box in scene.boxes:
            x1, y1 = (int(np.floor(v)) for v in box[:2])
            x2, y2 = (int(np.ceil(v)) for v in box[2:])
            assert fg[y1:y2, x1:x2].mean() > 0.06, name
            sides = [fg[y1:y2, x1:x1 + 2], fg[y1:y2, x2 - 2:x2], fg[y1:y1 + 2, x1:x2],
                     fg[y2 - 2:y2, x1:x2]]
            loose += not all(side.any() for side in sides)
            total += 1
            covered[max(0, y1 - 2):y2 + 2, max(0, x1 - 2):x2 + 2] = True
        # kite strings and leashes are the only things drawn outside boxes
        assert fg[~covered].sum() <= 0.08 * fg.sum()
    assert loose <= 0.05 * total
