"""Sampling one scene: people, their interactions, idle people, distractors, the layout.

A scene is a row of *groups* that do not overlap horizontally: an interacting person with
the object(s) of its ``Combo``, an idle person (stand / walk / run / smile) or a lone
distractor object. Each group is built in local person-height units (hip at the origin,
facing +x), then scaled, mirrored for people facing left, and placed. The result holds
the annotation (boxes, HICO triplets, V-COCO action-roles) and what ``render`` draws.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import poses, world
from .shapes import LOOKS, Look, unit_extent
from .world import Combo

Color = tuple[int, int, int]
Box = tuple[float, float, float, float]

SKIN_TONES: tuple[Color, ...] = ((255, 220, 185), (235, 190, 150), (200, 150, 110),
                                 (160, 110, 75), (110, 75, 50))
SHIRTS: tuple[Color, ...] = ((220, 60, 60), (60, 110, 220), (40, 170, 90), (240, 170, 30),
                             (150, 70, 200), (20, 160, 170), (230, 110, 170), (90, 90, 90),
                             (255, 140, 100), (120, 200, 60))
PANTS: tuple[Color, ...] = ((40, 50, 90), (60, 60, 60), (110, 80, 50), (30, 30, 30),
                            (80, 100, 140))
HAIR: tuple[Color, ...] = ((30, 20, 10), (90, 55, 25), (200, 160, 80), (140, 40, 20),
                           (60, 60, 60))
SKIES: tuple[Color, ...] = ((185, 215, 240), (200, 225, 245), (215, 225, 235),
                            (235, 225, 205), (205, 235, 235))
GROUNDS: tuple[Color, ...] = ((170, 200, 140), (200, 190, 160), (180, 180, 180),
                              (215, 205, 175), (150, 185, 150), (225, 225, 230))
TETHER: Color = (70, 70, 70)
TETHER_W = 0.008


@dataclass
class Figure:
    """A person to draw: keypoints in image pixels and colours."""

    kps: dict[str, np.ndarray]
    unit_px: float                     # pixels per person height
    skin: Color
    shirt: Color
    pants: Color
    hair: Color
    smile: bool = False


@dataclass
class Thing:
    """An object to draw: its unit box in image pixels, mirrored or not."""

    name: str
    unit_box: Box
    flip: bool
    unit_px: float


@dataclass
class Scene:
    """One image: annotation plus drawing instructions (in back-to-front order)."""

    size: int
    boxes: list[tuple[str, Box]] = field(default_factory=list)      # (COCO name, xyxy)
    hico: list[tuple[int, int, str]] = field(default_factory=list)  # (sub, obj, HICO verb)
    vcoco: list[tuple[int, int, str]] = field(default_factory=list)  # (sub, obj|-1, role)
    combos: list[str] = field(default_factory=list)                  # combo per interaction
    idle: list[str] = field(default_factory=list)                    # idle action per person
    distractors: list[str] = field(default_factory=list)
    background: dict = field(default_factory=dict)
    ops: list[tuple] = field(default_factory=list)                  # ('thing'|'person'|...)


def _categorical(rng: np.random.Generator, table: dict) -> object:
    keys = list(table)
    p = np.array([table[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def figure_extent(kps: dict[str, np.ndarray]) -> Box:
    """Extent of the drawn stick figure (person-height units or pixels / unit_px)."""
    xs, ys = [], []
    segs = (poses.BACK_SEGMENTS + poses.BODY_SEGMENTS + poses.FRONT_LEG_SEGMENTS
            + poses.FRONT_ARM_SEGMENTS)
    for a, b, w in segs:
        for k in (a, b):
            xs += [kps[k][0] - w / 2, kps[k][0] + w / 2]
            ys += [kps[k][1] - w / 2, kps[k][1] + w / 2]
    hx, hy = kps['head']
    xs += [hx - poses.HEAD_R, hx + poses.HEAD_R]
    ys += [hy - poses.HEAD_R, hy + poses.HEAD_R]
    return min(xs), min(ys), max(xs), max(ys)


def _face_points(pose: poses.Pose, kps: dict[str, np.ndarray]) -> None:
    """Add 'eye' and 'mouth' keypoints, turned with torso, head tilt and body rotation."""
    a = np.radians(pose.torso + pose.head + pose.body)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    r = poses.HEAD_R
    kps['eye'] = kps['head'] + rot @ (r * np.array(poses.EYE_AT))
    kps['mouth'] = kps['head'] + rot @ (r * np.array(poses.MOUTH_AT))


@dataclass
class _Local:
    """A group in local person-height units before placement."""

    kps: dict[str, np.ndarray] | None = None
    things: list[tuple[str, Box]] = field(default_factory=list)     # (name, unit box)
    roles: list = field(default_factory=list)                        # Role per thing
    tethers: list[tuple[str, int, tuple[float, float]]] = field(default_factory=list)
    smile: bool = False
    flies: bool = False

    def extent(self) -> Box:
        boxes = [figure_extent(self.kps)] if self.kps is not None else []
        for name, ub in self.things:
            boxes.append(_tight(LOOKS[name], ub, False))
        return (min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes))


def _tight(look: Look, unit_box: Box, flip: bool) -> Box:
    """Tight box of a drawn object given its unit box (any units)."""
    ex0, ey0, ex1, ey1 = unit_extent(look)
    if flip:
        ex0, ex1 = 1 - ex1, 1 - ex0
    x0, y0, x1, y1 = unit_box
    w, h = x1 - x0, y1 - y0
    return x0 + ex0 * w, y0 + ey0 * h, x0 + ex1 * w, y0 + ey1 * h


def _uniform(rng: np.random.Generator | None, lo: float, hi: float) -> float:
    return (lo + hi) / 2 if rng is None else float(rng.uniform(lo, hi))


def build_combo(combo: Combo, rng: np.random.Generator | None) -> _Local:
    """Lay out one interaction in local units; ``rng=None`` gives the nominal layout."""
    pose = poses.POSES[combo.pose]
    if rng is not None:
        pose = poses.jitter_pose(pose, rng, world.POSE_JITTER_DEG)
    kps = poses.keypoints(pose)
    _face_points(pose, kps)
    local = _Local(kps=kps)
    for role in combo.roles:
        look = LOOKS[role.obj]
        s = _uniform(rng, *world.OBJECT_SCALE_RANGE)
        w, h = look.size[0] * s, look.size[1] * s
        a = role.anchor
        jx = _uniform(rng, -a.jitter[0], a.jitter[0])
        jy = _uniform(rng, -a.jitter[1], a.jitter[1])
        px = kps[a.keypoint][0] + a.offset[0] + jx
        py = kps[a.keypoint][1] + a.offset[1] + jy
        x0, y0 = px - a.unit[0] * w, py - a.unit[1] * h
        local.things.append((role.obj, (x0, y0, x0 + w, y0 + h)))
        local.roles.append(role)
        if role.tether is not None:
            local.tethers.append((role.tether[0], len(local.things) - 1, role.tether[1]))
    return local


def build_idle(action: str, rng: np.random.Generator | None) -> _Local:
    """An idle person doing a V-COCO agent-only action."""
    pose = poses.POSES[world.IDLE_POSE[action]]
    if rng is not None:
        pose = poses.jitter_pose(pose, rng, world.POSE_JITTER_DEG)
    kps = poses.keypoints(pose)
    _face_points(pose, kps)
    return _Local(kps=kps, smile=action == 'smile')


def build_distractor(name: str, rng: np.random.Generator | None) -> _Local:
    """A lone object nobody interacts with, bottom centre at the origin."""
    look = LOOKS[name]
    s = _uniform(rng, *world.OBJECT_SCALE_RANGE)
    w, h = look.size[0] * s, look.size[1] * s
    return _Local(things=[(name, (-w / 2, -h, w / 2, 0.0))], flies=look.flies)


def nominal_width(combo: Combo) -> float:
    """Width of a combo's group in person heights, without jitter (for packing)."""
    x0, _, x1, _ = build_combo(combo, None).extent()
    return x1 - x0


def _transform(p: np.ndarray, origin: tuple[float, float], facing: int, s: float) -> np.ndarray:
    return np.array([origin[0] + facing * s * p[0], origin[1] + s * p[1]])


def _box_transform(b: Box, origin: tuple[float, float], facing: int, s: float) -> Box:
    xa, xb = origin[0] + facing * s * b[0], origin[0] + facing * s * b[2]
    return (min(xa, xb), origin[1] + s * b[1], max(xa, xb), origin[1] + s * b[3])


def _clip(b: Box, size: int) -> Box:
    return (max(0.0, b[0]), max(0.0, b[1]), min(float(size), b[2]), min(float(size), b[3]))


def _pick(rng: np.random.Generator, palette: tuple[Color, ...]) -> Color:
    return palette[int(rng.integers(len(palette)))]


def _person_colors(rng: np.random.Generator) -> dict:
    return dict(skin=_pick(rng, SKIN_TONES), shirt=_pick(rng, SHIRTS), pants=_pick(rng, PANTS),
                hair=_pick(rng, HAIR))


def sample_scene(rng: np.random.Generator, size: int, combos: list[Combo],
                 object_pool: tuple[str, ...]) -> Scene:
    """Sample one scene with the given interactions plus random idle people and distractors.

    ``object_pool`` lists the classes a distractor may be. Idle people and distractors
    are dropped (last first) when the row would force people below
    ``world.PERSON_HEIGHT_MIN``; interactions are never dropped.
    """
    scene = Scene(size=size)
    horizon = rng.uniform(*world.HORIZON_RANGE) * size
    scene.background = dict(
        sky=_pick(rng, SKIES), ground=_pick(rng, GROUNDS), horizon=horizon,
        clouds=[(float(rng.uniform(0, size)), float(rng.uniform(*world.CLOUD_HEIGHT_RANGE)
                                                    * horizon),
                 float(rng.uniform(*world.CLOUD_SIZE_RANGE) * size))
                for _ in range(int(rng.integers(0, world.CLOUDS_MAX + 1)))])

    groups: list[tuple[str, object, _Local]] = []
    for combo in combos:
        groups.append(('combo', combo, build_combo(combo, rng)))
    n_idle = int(_categorical(rng, world.IDLE_PEOPLE_PER_IMAGE))
    for _ in range(n_idle):
        action = str(_categorical(rng, world.IDLE_ACTIONS))
        groups.append(('idle', action, build_idle(action, rng)))
    n_dis = int(_categorical(rng, world.DISTRACTORS_PER_IMAGE))
    for _ in range(n_dis):
        name = object_pool[int(rng.integers(len(object_pool)))]
        groups.append(('distractor', name, build_distractor(name, rng)))
    g_scale = [_uniform(rng, *world.GROUP_SCALE_RANGE) for _ in groups]

    unit = rng.uniform(*world.PERSON_HEIGHT_RANGE) * size
    usable = size * (1 - 2 * world.MARGIN)
    while True:
        ext = [g[2].extent() for g in groups]
        widths = [(e[2] - e[0]) * s for e, s in zip(ext, g_scale)]
        heights = [(e[3] - e[1]) * s for e, s in zip(ext, g_scale)]
        gaps = world.MIN_GAP * size * (len(groups) - 1)
        fit = min((usable - gaps) / sum(widths), usable / max(heights))
        kinds = [g[0] for g in groups]
        drop = ('distractor' in kinds and 'distractor') or ('idle' in kinds and 'idle')
        if fit >= world.PERSON_HEIGHT_MIN * size or not drop:
            unit = min(unit, fit)
            break
        i = len(kinds) - 1 - kinds[::-1].index(drop)
        del groups[i], g_scale[i]

    order = rng.permutation(len(groups))
    groups = [groups[i] for i in order]
    g_scale = [g_scale[i] for i in order]
    ext = [g[2].extent() for g in groups]
    widths = [(e[2] - e[0]) * s * unit for e, s in zip(ext, g_scale)]
    free = usable - sum(widths) - world.MIN_GAP * size * (len(groups) - 1)
    spacing = rng.dirichlet(np.ones(len(groups) + 1)) * max(free, 0.0)
    x = world.MARGIN * size + spacing[0]
    for gi, ((kind, what, local), s, e, w) in enumerate(zip(groups, g_scale, ext, widths)):
        facing = -1 if rng.random() < world.FACING_LEFT_PROB else 1
        px_per_unit = s * unit
        height = (e[3] - e[1]) * px_per_unit
        lo_free, hi = world.MARGIN * size + height, size * (1 - world.MARGIN)
        if local.flies:
            bottom = rng.uniform(lo_free, max(lo_free, min(hi, horizon)))
        else:
            lo = max(lo_free, min(hi, horizon + world.GROUND_DEPTH * height))
            bottom = rng.uniform(lo, hi) if hi > lo else hi
        # local x of the group's left edge after mirroring
        left_local = e[0] if facing == 1 else -e[2]
        origin = (x - left_local * px_per_unit, bottom - e[3] * px_per_unit)
        _place(scene, kind, what, local, origin, facing, px_per_unit, rng)
        x += w + world.MIN_GAP * size + spacing[gi + 1]
    return scene


def _place(scene: Scene, kind: str, what, local: _Local, origin, facing: int, s: float,
           rng: np.random.Generator) -> None:
    """Transform a local group to pixels and append its boxes, labels and draw ops."""
    size = scene.size
    things = []
    for name, ub in local.things:
        box = _box_transform(ub, origin, facing, s)
        things.append(Thing(name, box, facing == -1, s))
    if kind == 'distractor':
        t = things[0]
        scene.boxes.append((t.name, _clip(_tight(LOOKS[t.name], t.unit_box, t.flip), size)))
        scene.distractors.append(t.name)
        scene.ops.append(('thing', t))
        return
    kps = {k: _transform(v, origin, facing, s) for k, v in local.kps.items()}
    fig = Figure(kps=kps, unit_px=s, smile=local.smile, **_person_colors(rng))
    fx0, fy0, fx1, fy1 = figure_extent({k: v / s for k, v in kps.items()})
    sub = len(scene.boxes)
    scene.boxes.append(('person', _clip((fx0 * s, fy0 * s, fx1 * s, fy1 * s), size)))
    if kind == 'idle':
        scene.idle.append(what)
        for role in world.IDLE_VCOCO[what]:
            scene.vcoco.append((sub, -1, role))
        scene.ops.append(('person', fig, 'all'))
        return
    combo: Combo = what
    scene.combos.append(combo.name)
    behind, between, front = [], [], []
    for t, role in zip(things, local.roles):
        obj = len(scene.boxes)
        scene.boxes.append((t.name, _clip(_tight(LOOKS[t.name], t.unit_box, t.flip), size)))
        for verb in role.verbs:
            scene.hico.append((sub, obj, verb))
        for action_role in role.vcoco:
            scene.vcoco.append((sub, obj, action_role))
        {'behind': behind, 'between': between, 'front': front}[role.layer].append(t)
    for action in combo.agent:
        scene.vcoco.append((sub, -1, action))
    for kp, ti, upt in local.tethers:
        t = things[ti]
        x0, y0, x1, y1 = t.unit_box
        u = 1 - upt[0] if t.flip else upt[0]
        end = np.array([x0 + u * (x1 - x0), y0 + upt[1] * (y1 - y0)])
        scene.ops.append(('tether', kps[kp], end, max(1.0, TETHER_W * s)))
    scene.ops += [('thing', t) for t in behind]
    scene.ops.append(('person', fig, 'body'))
    scene.ops += [('thing', t) for t in between]
    scene.ops.append(('person', fig, 'front_arm'))
    scene.ops += [('thing', t) for t in front]
