"""Consistency checks of the world specification against the real vocabularies."""
from __future__ import annotations

from ..vocab import coco_objects, hico_vocab, vcoco_action_roles
from . import poses, world
from .shapes import LOOKS

LAYERS = ('behind', 'between', 'front')
EXTRA_KEYPOINTS = ('eye', 'mouth')


def world_problems() -> list[str]:
    """Every inconsistency of ``world`` / ``poses`` / ``shapes`` (empty when valid)."""
    vocab = hico_vocab()
    coco = set(coco_objects()[1])
    valid = {(vocab.verb_names[v], vocab.object_names[o]) for v, o in vocab.valid_pairs}
    roles = {a['name']: a for a in vcoco_action_roles()}
    keypoints = set(poses.KEYPOINTS) | set(EXTRA_KEYPOINTS)
    problems: list[str] = []
    names = [c.name for c in world.COMBOS]
    problems += [f'duplicate combo name {n!r}' for n in sorted(set(names))
                 if names.count(n) > 1]
    for c in world.COMBOS:
        where = f'combo {c.name!r}'
        if c.pose not in poses.POSES:
            problems.append(f'{where}: unknown pose {c.pose!r}')
        if not c.roles:
            problems.append(f'{where}: no object')
        for r in c.roles:
            if r.obj not in coco:
                problems.append(f'{where}: {r.obj!r} is not a COCO object')
            if r.obj not in LOOKS:
                problems.append(f'{where}: no look for {r.obj!r}')
            if not r.verbs:
                problems.append(f'{where}: {r.obj!r} has no verb')
            for v in r.verbs:
                if (v, r.obj) not in valid:
                    problems.append(f'{where}: ({v}, {r.obj}) is not a HICO-DET HOI category')
            for ar in r.vcoco:
                if ar not in roles or roles[ar]['role'] is None:
                    problems.append(f'{where}: {ar!r} is not a V-COCO action-role with object')
            if r.anchor.keypoint not in keypoints:
                problems.append(f'{where}: unknown keypoint {r.anchor.keypoint!r}')
            if r.tether and r.tether[0] not in keypoints:
                problems.append(f'{where}: unknown tether keypoint {r.tether[0]!r}')
            if r.layer not in LAYERS:
                problems.append(f'{where}: layer {r.layer!r} not in {LAYERS}')
        for a in c.agent:
            if a not in roles or roles[a]['role'] is not None:
                problems.append(f'{where}: {a!r} is not a V-COCO action without object')
    for action, pose in world.IDLE_POSE.items():
        if pose not in poses.POSES:
            problems.append(f'idle action {action!r}: unknown pose {pose!r}')
    for action, ars in world.IDLE_VCOCO.items():
        for a in ars:
            if a not in roles or roles[a]['role'] is not None:
                problems.append(f'idle action {action!r}: {a!r} is not an agent-only action')
    if not set(world.IDLE_ACTIONS) == set(world.IDLE_POSE) == set(world.IDLE_VCOCO):
        problems.append('IDLE_ACTIONS, IDLE_POSE and IDLE_VCOCO name different actions')
    for table in ('INTERACTIONS_PER_IMAGE', 'IDLE_PEOPLE_PER_IMAGE', 'DISTRACTORS_PER_IMAGE',
                  'IDLE_ACTIONS'):
        probs = getattr(world, table)
        if any(p < 0 for p in probs.values()) or sum(probs.values()) <= 0:
            problems.append(f'{table} is not a probability table')
    if min(world.INTERACTIONS_PER_IMAGE) < 1:
        problems.append('every image needs at least one interaction (V-COCO split check)')
    return problems


def check_world() -> None:
    """Raise ``ValueError`` listing every problem of the world specification."""
    problems = world_problems()
    if problems:
        raise ValueError('invalid synthetic world specification:\n  ' + '\n  '.join(problems))
