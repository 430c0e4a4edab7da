"""The world specification: real HICO-DET / V-COCO names, valid combinations, poses."""
from __future__ import annotations

import numpy as np
import pytest

from vlmhoi.synth import poses, world
from vlmhoi.synth.validate import check_world, world_problems
from vlmhoi.synth.world import Anchor, Combo, Role
from vlmhoi.vocab import hico_vocab, vcoco_action_roles, vcoco_official_actions


def test_world_spec_has_no_problems():
    assert world_problems() == []


def test_every_triplet_is_a_valid_hico_det_category():
    vocab = hico_vocab()
    valid = {(vocab.verb_names[v], vocab.object_names[o]) for v, o in vocab.valid_pairs}
    pairs = world.world_hoi_pairs()
    assert pairs
    assert [p for p in pairs if p not in valid] == []


def test_world_is_big_enough():
    assert len(world.world_verbs()) >= 8
    assert len(world.world_objects()) >= 10
    assert 'person' not in world.world_objects()
    assert 'look_at' not in world.world_verbs() and 'watch' in world.world_verbs()


def test_some_interactions_carry_two_verbs_at_once():
    assert any(len(r.verbs) >= 2 for c in world.COMBOS for r in c.roles)


def test_spec_check_catches_an_invalid_combination(monkeypatch):
    bad = Combo('kick_cake', 'kick', (Role('cake', ('kick',), ('kick_obj',),
                                           Anchor('foot_f', (0.5, 0.5))),))
    monkeypatch.setattr(world, 'COMBOS', world.COMBOS + (bad,))
    problems = world_problems()
    assert any('(kick, cake)' in p for p in problems)
    with pytest.raises(ValueError, match='kick, cake'):
        check_world()


def test_spec_check_catches_a_wrong_vcoco_role(monkeypatch):
    bad = Combo('hold_cup_wrong', 'hold', (Role('cup', ('hold',), ('stand',),
                                                Anchor('hand_f', (0.5, 0.5))),))
    monkeypatch.setattr(world, 'COMBOS', world.COMBOS + (bad,))
    assert any("'stand' is not a V-COCO action-role with object" in p for p in world_problems())


def test_world_produces_every_official_vcoco_action():
    action_of = {a['name']: a['action'] for a in vcoco_action_roles()}
    produced = set()
    for combo in world.COMBOS:
        produced |= {action_of[n] for r in combo.roles for n in r.vcoco}
        produced |= {action_of[n] for n in combo.agent}
    for names in world.IDLE_VCOCO.values():
        produced |= {action_of[n] for n in names}
    assert produced == {a['name'] for a in vcoco_official_actions()}


@pytest.mark.parametrize('name', sorted(poses.POSES))
def test_pose_kinematics_keep_limb_lengths(name):
    kps = poses.keypoints(poses.POSES[name])
    for side in ('f', 'b'):
        assert np.linalg.norm(kps[f'elbow_{side}'] - kps['shoulder']) == pytest.approx(
            poses.UPPER_ARM)
        assert np.linalg.norm(kps[f'hand_{side}'] - kps[f'elbow_{side}']) == pytest.approx(
            poses.FOREARM)
        assert np.linalg.norm(kps[f'knee_{side}'] - kps['hip']) == pytest.approx(poses.THIGH)
        assert np.linalg.norm(kps[f'foot_{side}'] - kps[f'knee_{side}']) == pytest.approx(
            poses.SHIN)
        assert kps['ground'][1] >= kps[f'foot_{side}'][1]


def test_standing_pose_is_one_person_height_tall():
    kps = poses.keypoints(poses.POSES['stand'])
    top = kps['head'][1] - poses.HEAD_R
    assert kps['ground'][1] - top == pytest.approx(1.0, abs=0.03)
    lying = poses.keypoints(poses.POSES['lie'])
    assert abs(lying['head'][1] - lying['hip'][1]) < 0.05       # lying flat
    assert lying['head'][0] < lying['hip'][0] < lying['foot_f'][0]
