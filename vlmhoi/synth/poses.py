"""Stick-figure poses: limb angles per pose and forward kinematics to keypoints.

Units are the standing person height (head top to feet = 1). The figure faces +x,
image y points down. A limb angle of 0 degrees points straight down, 90 points forward
(+x), 180 straight up, negative angles point backwards. ``f``/``b`` are the near (front,
drawn on top) and far (back) limb of a side view. ``torso`` leans forward from upright,
``head`` tilts the head further, ``body`` rotates the whole figure about the hip
(``-90`` lies it down with the face up).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

# Body proportions (person-height units).
TORSO = 0.30          # hip to shoulder
NECK = 0.035
HEAD_R = 0.085
UPPER_ARM = 0.16
FOREARM = 0.15
THIGH = 0.245
SHIN = 0.235
TORSO_W = 0.085       # line widths
ARM_W = 0.042
LEG_W = 0.052
FOOT = 0.055          # foot length, drawn forward from the ankle
EYE_AT = (0.45, -0.20)    # eye and mouth in head radii from the head centre (facing +x)
MOUTH_AT = (0.50, 0.42)


@dataclass(frozen=True)
class Pose:
    """Angles (degrees) of one pose; see the module docstring for conventions."""

    arm_f: tuple[float, float]
    arm_b: tuple[float, float]
    leg_f: tuple[float, float]
    leg_b: tuple[float, float]
    torso: float = 0.0
    head: float = 0.0
    body: float = 0.0


_STAND_LEGS = dict(leg_f=(4.0, 0.0), leg_b=(-4.0, 0.0))
_STANCE_LEGS = dict(leg_f=(18.0, 6.0), leg_b=(-16.0, -8.0))
_WALK_LEGS = dict(leg_f=(24.0, 6.0), leg_b=(-22.0, -30.0))

POSES: dict[str, Pose] = {
    # agent-only
    'stand': Pose(arm_f=(8, 4), arm_b=(-8, -4), **_STAND_LEGS),
    'walk': Pose(arm_f=(28, 45), arm_b=(-28, -18), **_WALK_LEGS),
    'run': Pose(arm_f=(50, 135), arm_b=(-50, 40), leg_f=(60, -5), leg_b=(-35, -85),
                torso=16),
    # with objects
    'hold': Pose(arm_f=(20, 95), arm_b=(-6, -3), **_STAND_LEGS),
    'eat': Pose(arm_f=(70, 205), arm_b=(-6, -3), **_STAND_LEGS),
    'talk': Pose(arm_f=(100, 232), arm_b=(-6, -3), **_STAND_LEGS),
    'read': Pose(arm_f=(35, 128), arm_b=(28, 124), head=18, **_STAND_LEGS),
    'carry': Pose(arm_f=(168, 182), arm_b=(160, 178), **_WALK_LEGS),
    'ride': Pose(arm_f=(30, 62), arm_b=(26, 58), leg_f=(55, -37), leg_b=(46, -30), torso=25),
    'sit': Pose(arm_f=(22, 78), arm_b=(16, 72), leg_f=(88, 2), leg_b=(84, -4), torso=-4),
    'type': Pose(arm_f=(28, 72), arm_b=(22, 66), leg_f=(88, 2), leg_b=(84, -4), torso=-2,
                 head=15),
    'lie': Pose(arm_f=(12, 8), arm_b=(6, 2), leg_f=(42, -30), leg_b=(2, 0), body=-90),
    'kick': Pose(arm_f=(-35, -20), arm_b=(55, 70), leg_f=(68, 82), leg_b=(-6, -2),
                 torso=-8),
    'throw': Pose(arm_f=(150, 165), arm_b=(-45, -30), torso=-6, **_STANCE_LEGS),
    'catch': Pose(arm_f=(105, 118), arm_b=(100, 112), **_STANCE_LEGS),
    'watch': Pose(arm_f=(100, 215), arm_b=(-6, -3), head=-10, **_STAND_LEGS),
    'push': Pose(arm_f=(31, -3), arm_b=(26, -6), torso=38, leg_f=(18, 0), leg_b=(-30, -32)),
    'fly': Pose(arm_f=(150, 160), arm_b=(-8, -4), head=-12, **_STANCE_LEGS),
    'walk_dog': Pose(arm_f=(36, 40), arm_b=(-28, -18), **_WALK_LEGS),
    'hug': Pose(arm_f=(42, 112), arm_b=(38, 108), **_STAND_LEGS),
    'pet': Pose(arm_f=(47, 8), arm_b=(40, 0), torso=45, leg_f=(80, -15), leg_b=(10, -90)),
    'pet_high': Pose(arm_f=(55, 75), arm_b=(-10, -4), torso=8, **_STAND_LEGS),
    'cut': Pose(arm_f=(33, 15), arm_b=(-10, -4), torso=45, leg_f=(26, 0), leg_b=(-12, 0)),
    'board': Pose(arm_f=(82, 100), arm_b=(-78, -95), leg_f=(26, 2), leg_b=(-24, -8)),
    'jump': Pose(arm_f=(150, 160), arm_b=(140, 150), leg_f=(100, 12), leg_b=(84, -8)),
    'swing': Pose(arm_f=(96, 108), arm_b=(-20, -10), torso=-4, **_STANCE_LEGS),
    'umbrella': Pose(arm_f=(148, 175), arm_b=(-6, -3), **_STAND_LEGS),
    'point': Pose(arm_f=(88, 90), arm_b=(-6, -3), **_STAND_LEGS),
}

KEYPOINTS = ('hip', 'shoulder', 'neck', 'head', 'chest', 'elbow_f', 'hand_f', 'elbow_b',
             'hand_b', 'knee_f', 'foot_f', 'toe_f', 'knee_b', 'foot_b', 'toe_b', 'hands', 'lap',
             'ground')


def _dir(angle_deg: float) -> np.ndarray:
    a = math.radians(angle_deg)
    return np.array([math.sin(a), math.cos(a)])


def jitter_pose(pose: Pose, rng: np.random.Generator, amount: float) -> Pose:
    """The pose with a uniform +-``amount`` degrees on every limb angle and the torso."""
    def j(pair: tuple[float, float]) -> tuple[float, float]:
        d = rng.uniform(-amount, amount, size=2)
        return (pair[0] + float(d[0]), pair[1] + float(d[1]))
    return replace(pose, arm_f=j(pose.arm_f), arm_b=j(pose.arm_b), leg_f=j(pose.leg_f),
                   leg_b=j(pose.leg_b), torso=pose.torso + float(rng.uniform(-1, 1)) * amount / 2)


def keypoints(pose: Pose) -> dict[str, np.ndarray]:
    """Keypoints (person-height units, hip at the origin before ``body`` rotation).

    Besides the joints: ``hands`` (mean of both hands), ``chest`` (torso middle),
    ``lap`` (front thigh middle) and ``ground`` (under the hip at the lowest foot,
    the standing line).
    """
    hip = np.zeros(2)
    up = _dir(180.0 - pose.torso)            # torso direction, hip -> shoulder
    shoulder = hip + TORSO * up
    head_dir = _dir(180.0 - pose.torso - pose.head)
    neck = shoulder + NECK * up
    head = neck + HEAD_R * head_dir
    pts = {'hip': hip, 'shoulder': shoulder, 'neck': neck, 'head': head,
           'chest': hip + 0.55 * TORSO * up}
    for side in ('f', 'b'):
        upper, lower = getattr(pose, f'arm_{side}')
        elbow = shoulder + UPPER_ARM * _dir(upper)
        pts[f'elbow_{side}'] = elbow
        pts[f'hand_{side}'] = elbow + FOREARM * _dir(lower)
        thigh, shin = getattr(pose, f'leg_{side}')
        knee = hip + THIGH * _dir(thigh)
        pts[f'knee_{side}'] = knee
        pts[f'foot_{side}'] = knee + SHIN * _dir(shin)
        pts[f'toe_{side}'] = pts[f'foot_{side}'] + np.array([FOOT, 0.0])
    pts['hands'] = (pts['hand_f'] + pts['hand_b']) / 2
    pts['lap'] = hip + 0.6 * (pts['knee_f'] - hip)
    if pose.body:
        a = math.radians(pose.body)
        rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
        pts = {k: rot @ v for k, v in pts.items()}
    lowest = max(pts[k][1] for k in ('foot_f', 'foot_b', 'toe_f', 'toe_b')) + LEG_W / 2
    pts['ground'] = np.array([pts['hip'][0], lowest])
    return pts


# Limb segments in drawing order, with their line widths: back limbs, body, front limbs.
BACK_SEGMENTS = (('hip', 'knee_b', LEG_W), ('knee_b', 'foot_b', LEG_W),
                 ('foot_b', 'toe_b', LEG_W * 0.8),
                 ('shoulder', 'elbow_b', ARM_W), ('elbow_b', 'hand_b', ARM_W))
BODY_SEGMENTS = (('hip', 'shoulder', TORSO_W), ('shoulder', 'neck', ARM_W))
FRONT_LEG_SEGMENTS = (('hip', 'knee_f', LEG_W), ('knee_f', 'foot_f', LEG_W),
                      ('foot_f', 'toe_f', LEG_W * 0.8))
FRONT_ARM_SEGMENTS = (('shoulder', 'elbow_f', ARM_W), ('elbow_f', 'hand_f', ARM_W))
