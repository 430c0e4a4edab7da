"""The synthetic HOI world's semantics: which interactions exist, how often, how scenes fill.

Everything the generator decides by a number lives here as a named constant, except the
look of things (``poses.py``: figure angles, ``shapes.py``: object drawings).

An *interaction template* (``Combo``) is one person doing one visible thing with one or
two objects: a pose, the objects placed relative to the pose's keypoints, the HICO-DET
verbs each object gets (real HICO names; every (verb, object) is a valid HICO-DET HOI
category, checked by ``check_world``) and the V-COCO action-roles. ``COMBOS`` is ordered
by frequency rank; the expected share of rank ``r`` is proportional to
``r ** -ZIPF_EXPONENT`` (a long tail: the last ranks get fewer than 10 training
instances in the default world).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..rare_split import RARE_THRESHOLD  # noqa: F401  (one rare rule: vlmhoi.rare_split)

# ---------------------------------------------------------------- file and id conventions
TRAIN_FILE_PATTERN = 'HICO_train2015_{:08d}.jpg'
TEST_FILE_PATTERN = 'HICO_test2015_{:08d}.jpg'
# V-COCO keeps all images of both splits in one COCO file, so image ids must be unique
# across splits; the id is also the number in the file name (CDN-style V-COCO loaders
# parse it from there). Train images are 1..N, test images TEST_IMAGE_ID_OFFSET + 1..M.
TEST_IMAGE_ID_OFFSET = 1_000_000
# COCO annotation id of box k (0-based) of image i: i * ANN_IDS_PER_IMAGE + k + 1.
ANN_IDS_PER_IMAGE = 100
JPEG_QUALITY = 92
BOX_DECIMALS = 2                  # annotation boxes are rounded to this many decimals

# -------------------------------------------------------------------------- scene filling
# Probabilities of the number of interacting people, people doing nothing with an object,
# and distractor objects (nobody interacts with them) per image.
INTERACTIONS_PER_IMAGE = {1: 0.45, 2: 0.40, 3: 0.15}
IDLE_PEOPLE_PER_IMAGE = {0: 0.50, 1: 0.35, 2: 0.15}
DISTRACTORS_PER_IMAGE = {0: 0.35, 1: 0.40, 2: 0.25}
ZIPF_EXPONENT = 1.15
# The test split follows the same Zipf shares but gives every interaction template at
# least this many instances (taken from the most frequent ones; fewer, evenly, when the
# split has no room), so that a rare category's AP rests on 20 test instances rather than
# 2-3 and Rare mAP can show a difference of a few points between methods (issue 7: with
# 8 per template and 400 test images, Rare moved by 3.2 points between training seeds;
# the spread with these sizes is in docs/learning.md).
TEST_MIN_PER_COMBO = 20
# Default split sizes (tools/make_synth.py, tools/demo.py, generate_world). 800 test
# images hold the default world's 46 templates 20 times each with room for the head.
DEFAULT_TRAIN_IMAGES = 1000
DEFAULT_TEST_IMAGES = 800

# What idle people do (V-COCO agent-only actions, drawn as a pose); smile is a standing
# pose with a drawn smile, labelled stand + smile like V-COCO does.
IDLE_ACTIONS = {'stand': 0.45, 'walk': 0.30, 'run': 0.19, 'smile': 0.06}
IDLE_POSE = {'stand': 'stand', 'walk': 'walk', 'run': 'run', 'smile': 'stand'}
IDLE_VCOCO = {'stand': ('stand',), 'walk': ('walk',), 'run': ('run',),
              'smile': ('stand', 'smile')}

# ------------------------------------------------------------------------------ geometry
# Person height (head top to feet, standing) as a fraction of the image side, drawn per
# image, then a per-group factor on top (people at slightly different depths).
PERSON_HEIGHT_RANGE = (0.40, 0.52)
PERSON_HEIGHT_MIN = 0.30          # layout may shrink an image's people down to this
GROUP_SCALE_RANGE = (0.92, 1.08)
OBJECT_SCALE_RANGE = (0.90, 1.12)
POSE_JITTER_DEG = 6.0             # uniform +- on every pose angle
MARGIN = 0.03                     # free border, fraction of the image side
MIN_GAP = 0.02                    # minimal horizontal gap between groups, fraction of side
MIN_GAP_UNITS = MIN_GAP / PERSON_HEIGHT_MIN  # the same gap in person heights (packing)
HORIZON_RANGE = (0.30, 0.58)      # horizon line, fraction of the side from the top
GROUND_DEPTH = 0.25               # grounded groups stand this much of their height below it
CLOUDS_MAX = 3
CLOUD_HEIGHT_RANGE = (0.05, 0.80)  # cloud centre, fraction of the horizon height
CLOUD_SIZE_RANGE = (0.06, 0.14)   # cloud half-width, fraction of the side
FACING_LEFT_PROB = 0.5
SUPERSAMPLE = 2                   # draw at this factor, then downsample (anti-aliasing)


# ------------------------------------------------------------------------ interactions
@dataclass(frozen=True)
class Anchor:
    """Where an object goes: its unit-box point ``unit`` is put at pose keypoint
    ``keypoint`` + ``offset`` (person-height units, x towards the facing direction),
    with a uniform +-``jitter`` on the offset."""

    keypoint: str
    unit: tuple[float, float]
    offset: tuple[float, float] = (0.0, 0.0)
    jitter: tuple[float, float] = (0.0, 0.0)


@dataclass(frozen=True)
class Role:
    """One object of an interaction with its HICO verbs and V-COCO action-roles."""

    obj: str                              # COCO object name
    verbs: tuple[str, ...]                # HICO-DET verb names (one HOI each)
    vcoco: tuple[str, ...]                # V-COCO action-role names (e.g. 'hold_obj')
    anchor: Anchor
    layer: str = 'front'                  # 'behind' person | 'between' body/front arm | 'front'
    tether: tuple[str, tuple[float, float]] | None = None  # line keypoint -> object point


@dataclass(frozen=True)
class Combo:
    """An interaction template: a pose, its objects, the agent-only V-COCO actions."""

    name: str
    pose: str
    roles: tuple[Role, ...]
    agent: tuple[str, ...] = ()           # V-COCO actions without object (stand, walk, ...)


def _hand(unit=(0.5, 0.5), offset=(0.0, 0.0), jitter=(0.01, 0.01)) -> Anchor:
    return Anchor('hand_f', unit, offset, jitter)


_SEAT = {'bicycle': (0.40, 0.16), 'motorcycle': (0.42, 0.30), 'horse': (0.42, 0.26),
         'chair': (0.40, 0.55), 'bench': (0.50, 0.48), 'couch': (0.50, 0.52),
         'bed': (0.50, 0.40)}
_LIE_SURFACE = {'bed': (0.50, 0.30), 'couch': (0.50, 0.42), 'bench': (0.50, 0.40)}


def _ride(obj: str, second: str) -> Combo:
    return Combo(f'ride_{obj}', 'ride', (
        Role(obj, ('ride', second), ('ride_instr', 'sit_instr'),
             Anchor('hip', _SEAT[obj], (0.0, 0.03)), layer='behind'),))


def _sit(obj: str) -> Combo:
    return Combo(f'sit_on_{obj}', 'sit', (
        Role(obj, ('sit_on',), ('sit_instr',), Anchor('hip', _SEAT[obj], (0.0, 0.03)),
             layer='behind'),))


def _lie(obj: str) -> Combo:
    return Combo(f'lie_on_{obj}', 'lie', (
        Role(obj, ('lie_on',), ('lay_instr',), Anchor('hip', _LIE_SURFACE[obj], (0.0, 0.04)),
             layer='behind'),))


def _board(obj: str, action: str) -> Combo:
    return Combo(f'ride_{obj}', 'board', (
        Role(obj, ('ride', 'stand_on'), (action,), Anchor('ground', (0.5, 0.0), (0.0, -0.02)),
             layer='behind'),))


def _carry(obj: str) -> Combo:
    return Combo(f'carry_{obj}', 'carry', (
        Role(obj, ('carry',), ('carry_obj',), Anchor('hands', (0.5, 0.95), (0.0, 0.0)),
             layer='behind'),), agent=('walk',))


# Rank order = frequency order (rank 1 most frequent).
COMBOS: tuple[Combo, ...] = (
    _ride('bicycle', 'sit_on'),
    _sit('chair'),
    Combo('hold_cup', 'hold', (Role('cup', ('hold',), ('hold_obj',), _hand()),), ('stand',)),
    Combo('kick_sports_ball', 'kick', (
        Role('sports ball', ('kick',), ('kick_obj',),
             Anchor('foot_f', (0.5, 0.5), (0.07, -0.02), (0.01, 0.01))),)),
    _ride('horse', 'straddle'),
    Combo('eat_apple', 'eat', (
        Role('apple', ('hold', 'eat'), ('hold_obj', 'eat_obj'), _hand(offset=(0.02, -0.02))),),
        ('stand',)),
    Combo('watch_tv', 'watch', (
        Role('tv', ('watch',), ('look_obj',),
             Anchor('ground', (0.0, 1.0), (0.45, 0.0), (0.12, 0.0))),), ('stand',)),
    Combo('throw_frisbee', 'throw', (
        Role('frisbee', ('throw',), ('throw_obj',),
             _hand(offset=(0.10, -0.12), jitter=(0.03, 0.03))),), ('stand',)),
    _carry('suitcase'),
    _board('skateboard', 'skateboard_instr'),
    Combo('talk_on_cell_phone', 'talk', (
        Role('cell phone', ('hold', 'talk_on'), ('hold_obj', 'talk_on_phone_instr'), _hand()),),
        ('stand',)),
    Combo('read_book', 'read', (
        Role('book', ('hold', 'read'), ('hold_obj', 'read_obj'),
             Anchor('hands', (0.5, 0.6), (0.02, 0.0), (0.01, 0.01))),), ('stand',)),
    _lie('bed'),
    _sit('bench'),
    _ride('motorcycle', 'sit_on'),
    Combo('walk_dog', 'walk_dog', (
        Role('dog', ('walk',), (), Anchor('ground', (0.15, 1.0), (0.42, 0.0), (0.06, 0.0)),
             tether=('hand_f', (0.86, 0.28))),), ('walk',)),
    Combo('fly_kite', 'fly', (
        Role('kite', ('fly',), (), Anchor('hand_f', (0.5, 1.0), (0.38, -0.30), (0.08, 0.06)),
             tether=('hand_f', (0.5, 0.45))),), ('stand',)),
    Combo('stand_under_umbrella', 'umbrella', (
        Role('umbrella', ('hold', 'stand_under'), ('hold_obj',),
             Anchor('hand_f', (0.5, 0.96), (-0.01, 0.0))),), ('stand',)),
    Combo('drink_with_cup', 'eat', (
        Role('cup', ('hold', 'drink_with'), ('hold_obj', 'drink_instr'),
             _hand(offset=(0.02, -0.02))),), ('stand',)),
    Combo('hug_teddy_bear', 'hug', (
        Role('teddy bear', ('hug', 'hold'), ('hold_obj',),
             Anchor('chest', (0.4, 0.5), (0.1, 0.0)), layer='between'),), ('stand',)),
    Combo('throw_sports_ball', 'throw', (
        Role('sports ball', ('throw',), ('throw_obj',),
             _hand(offset=(0.10, -0.12), jitter=(0.03, 0.03))),), ('stand',)),
    Combo('catch_frisbee', 'catch', (
        Role('frisbee', ('catch',), ('catch_obj',), Anchor('hands', (0.3, 0.5), (0.05, 0.0))),),
        ('stand',)),
    Combo('hit_sports_ball', 'swing', (
        Role('tennis racket', ('hold', 'swing'), ('hold_obj', 'hit_instr'),
             Anchor('hand_f', (0.5, 0.97), (0.0, 0.0))),
        Role('sports ball', ('hit',), ('hit_obj',),
             Anchor('hand_f', (0.5, 0.5), (0.20, -0.24), (0.02, 0.02)))), ('stand',)),
    Combo('eat_banana', 'eat', (
        Role('banana', ('hold', 'eat'), ('hold_obj', 'eat_obj'), _hand(offset=(0.03, -0.02))),),
        ('stand',)),
    _sit('couch'),
    Combo('push_bicycle', 'push', (
        Role('bicycle', ('push',), (), Anchor('ground', (0.0, 1.0), (0.10, 0.0)),
             layer='behind'),), ('walk',)),
    _carry('surfboard'),
    _board('surfboard', 'surf_instr'),
    Combo('watch_bird', 'watch', (
        Role('bird', ('watch',), ('look_obj',),
             Anchor('head', (0.0, 0.5), (0.55, -0.25), (0.12, 0.08))),), ('stand',)),
    Combo('pet_dog', 'pet', (
        Role('dog', ('pet',), (), Anchor('ground', (0.35, 1.0), (0.36, 0.0))),)),
    Combo('hold_frisbee', 'hold', (Role('frisbee', ('hold',), ('hold_obj',), _hand()),),
          ('stand',)),
    Combo('catch_sports_ball', 'catch', (
        Role('sports ball', ('catch',), ('catch_obj',),
             Anchor('hands', (0.3, 0.5), (0.05, 0.0))),), ('stand',)),
    _lie('couch'),
    Combo('type_on_laptop', 'type', (
        Role('chair', ('sit_on',), ('sit_instr',), Anchor('hip', _SEAT['chair'], (0.0, 0.03)),
             layer='behind'),
        Role('laptop', ('type_on',), ('work_on_computer_instr',),
             Anchor('lap', (0.35, 1.0), (0.0, -0.02)), layer='between'))),
    Combo('point_remote', 'point', (
        Role('remote', ('hold', 'point'), ('hold_obj', 'point_instr'),
             _hand(unit=(0.2, 0.5))),), ('stand',)),
    Combo('cut_cake', 'cut', (
        Role('knife', ('hold', 'cut_with'), ('hold_obj', 'cut_instr'),
             Anchor('hand_f', (0.5, 0.05), (0.0, 0.0))),
        Role('cake', ('cut',), ('cut_obj',), Anchor('ground', (0.5, 1.0), (0.34, 0.0)),
             layer='behind')), ('stand',)),
    _board('skis', 'ski_instr'),
    _board('snowboard', 'snowboard_instr'),
    Combo('jump_skateboard', 'jump', (
        Role('skateboard', ('jump',), ('jump_instr', 'skateboard_instr'),
             Anchor('ground', (0.5, 0.0), (0.02, 0.10)), layer='behind'),)),
    _carry('skateboard'),
    Combo('push_motorcycle', 'push', (
        Role('motorcycle', ('push',), (), Anchor('ground', (0.0, 1.0), (0.10, 0.0)),
             layer='behind'),), ('walk',)),
    _lie('bench'),
    Combo('pet_horse', 'pet_high', (
        Role('horse', ('pet',), (), Anchor('ground', (0.12, 1.0), (0.30, 0.0)),
             layer='behind'),)),
    Combo('hold_sports_ball', 'hold', (
        Role('sports ball', ('hold',), ('hold_obj',), _hand()),), ('stand',)),
    _carry('chair'),
    _sit('bed'),
)


def combo_weights(n: int | None = None, exponent: float = ZIPF_EXPONENT) -> list[float]:
    """Zipf weights ``rank ** -exponent`` of the first ``n`` combos (all by default)."""
    n = len(COMBOS) if n is None else n
    return [(r + 1) ** -exponent for r in range(n)]


def world_objects() -> tuple[str, ...]:
    """COCO names of every object class the world draws, in first-use order."""
    seen: dict[str, None] = {}
    for combo in COMBOS:
        for role in combo.roles:
            seen.setdefault(role.obj, None)
    return tuple(seen)


def world_verbs() -> tuple[str, ...]:
    """HICO verb names used by the world, in first-use order."""
    seen: dict[str, None] = {}
    for combo in COMBOS:
        for role in combo.roles:
            for verb in role.verbs:
                seen.setdefault(verb, None)
    return tuple(seen)


def world_hoi_pairs() -> tuple[tuple[str, str], ...]:
    """Distinct (HICO verb, object) pairs the world can produce."""
    seen: dict[tuple[str, str], None] = {}
    for combo in COMBOS:
        for role in combo.roles:
            for verb in role.verbs:
                seen.setdefault((verb, role.obj), None)
    return tuple(seen)
