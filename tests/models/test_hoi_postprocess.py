"""Post-processing: scores, validity mask, top-k, rescaling, layout, triplet NMS."""
import numpy as np
import pytest
import torch

from vlmhoi.models import HOIPostProcessor, load_correct_mat, triplet_nms

META = dict(img_shape=(100, 200), scale_factor=(2.0, 0.5))


def _outputs(q=4, k=3, v=5, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(q, k + 1, generator=g), torch.randn(q, v, generator=g),
            torch.rand(q, 4, generator=g) * 0.4 + 0.2, torch.rand(q, 4, generator=g) * 0.4 + 0.2)


def test_scores_are_verb_prob_times_object_prob():
    obj, verb, sub_b, obj_b = _outputs()
    pp = HOIPostProcessor(num_objects=3, num_verbs=5, max_per_img=1000)
    inst, hoi = pp(obj, verb, sub_b, obj_b, META)
    p_obj, lab = obj.softmax(-1)[:, :-1].max(-1)
    expected = verb.sigmoid() * p_obj[:, None]
    assert len(hoi) == 4 * 5
    assert torch.allclose(hoi.scores, expected[hoi.sub_ids, hoi.verb_labels])
    assert torch.equal(inst.labels[4:], lab) and (inst.labels[:4] == 0).all()
    assert torch.equal(hoi.obj_ids, hoi.sub_ids + 4)
    assert (hoi.scores[:-1] >= hoi.scores[1:]).all()


def test_validity_mask_removes_invalid_triplets():
    obj, verb, sub_b, obj_b = _outputs()
    lab = obj.softmax(-1)[:, :-1].argmax(-1)
    mat = np.ones((5, 3))
    mat[2, :] = 0  # verb 2 valid with no object
    mat[0, lab[0].item()] = 0  # verb 0 invalid for query 0's object
    inst, hoi = HOIPostProcessor(3, 5, correct_mat=mat, max_per_img=1000)(
        obj, verb, sub_b, obj_b, META)
    obj_labels = inst.labels[hoi.obj_ids]
    assert mat[hoi.verb_labels.numpy(), obj_labels.numpy()].all()
    assert (hoi.verb_labels != 2).all()
    assert len(hoi) == int(mat[:, lab.numpy()].sum())


def test_top_k_keeps_the_best_valid_triplets():
    obj, verb, sub_b, obj_b = _outputs(q=6)
    pp = HOIPostProcessor(3, 5, max_per_img=7)
    _, hoi = pp(obj, verb, sub_b, obj_b, META)
    _, all_hoi = HOIPostProcessor(3, 5, max_per_img=1000)(obj, verb, sub_b, obj_b, META)
    assert len(hoi) == 7
    assert torch.allclose(hoi.scores, all_hoi.scores[:7])


def test_boxes_rescaled_to_original_pixels():
    box = torch.tensor([[0.5, 0.5, 0.5, 0.5]])
    pixels = HOIPostProcessor.boxes_to_pixels(box, META, rescale=False)
    assert torch.allclose(pixels, torch.tensor([[50.0, 25.0, 150.0, 75.0]]))
    original = HOIPostProcessor.boxes_to_pixels(box, META, rescale=True)
    assert torch.allclose(original, torch.tensor([[25.0, 50.0, 75.0, 150.0]]))
    obj, verb, _, _ = _outputs(q=1)
    inst, _ = HOIPostProcessor(3, 5)(obj, verb, box, box * 0.5, META)
    assert torch.allclose(inst.bboxes[0], original[0])
    assert inst.bboxes.shape == (2, 4)


def test_correct_mat_sources_and_errors(tmp_path):
    hico = load_correct_mat(80, 117, dataset_vocab='hico')
    assert hico.shape == (117, 80) and hico.sum() == 600
    np.save(tmp_path / 'corre.npy', np.ones((4, 80)))
    with pytest.raises(ValueError, match='corre.npy.*expected'):
        load_correct_mat(80, 117, correct_mat=str(tmp_path / 'corre.npy'))
    with pytest.raises(ValueError, match='vcoco'):
        load_correct_mat(80, 29, dataset_vocab='vcoco')
    assert load_correct_mat(3, 2).all()


def test_no_object_class_is_always_valid():
    pp = HOIPostProcessor(3, 5, no_object_class=True, correct_mat=np.zeros((5, 3)))
    assert pp.correct_mat.shape == (5, 4) and pp.correct_mat[:, 3].all()
    obj = torch.tensor([[0.0, 0.0, 0.0, 9.0, 0.0]])  # "no object" wins
    _, hoi = pp(obj, torch.zeros(1, 5), torch.rand(1, 4), torch.rand(1, 4), META)
    assert len(hoi) == 5
    with pytest.raises(ValueError, match='columns'):
        pp(torch.zeros(1, 4), torch.zeros(1, 5), torch.rand(1, 4), torch.rand(1, 4), META)


def test_triplet_nms_suppresses_duplicates_of_the_same_triplet():
    a = torch.tensor([[0.0, 0.0, 10.0, 10.0]])
    sub = torch.cat([a, a + 0.5, a + 50, a])
    obj = torch.cat([a, a + 0.5, a, a])
    scores = torch.tensor([0.9, 0.8, 0.7, 0.6])
    groups = torch.tensor([0, 0, 0, 1])  # last one is another triplet category
    keep = triplet_nms(sub, obj, scores, groups, thr=0.5, alpha=1.0, beta=0.5)
    assert keep.tolist() == [0, 2, 3]
    assert triplet_nms(sub, obj, scores, groups, thr=1.0, alpha=1.0, beta=0.5).tolist() == \
        [0, 1, 2, 3]


def test_triplet_nms_flag():
    obj = torch.tensor([[5.0, 0.0, 0.0, 0.0]] * 2)
    verb = torch.tensor([[5.0, -9.0]] * 2)
    box = torch.tensor([[0.5, 0.5, 0.2, 0.2]] * 2)
    off = HOIPostProcessor(3, 2)(obj, verb, box, box, META)[1]
    on = HOIPostProcessor(3, 2, triplet_nms=True)(obj, verb, box, box, META)[1]
    assert len(off) == 4 and len(on) == 2


def _reference_pairwise_iou(a, b):
    """The +1 pixel IoU of CDN's ``pairwise_nms``, written out for two boxes."""
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]) + 1)
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]) + 1)
    area = (a[2] - a[0] + 1) * (a[3] - a[1] + 1) + (b[2] - b[0] + 1) * (b[3] - b[1] + 1)
    return iw * ih / (area - iw * ih)


@pytest.mark.parametrize('iou,kept', [('pixel', [0]), ('continuous', [0, 1])])
def test_triplet_nms_iou_convention(iou, kept):
    a, b = [0.0, 0.0, 4.0, 4.0], [1.0, 0.0, 5.0, 4.0]
    # continuous IoU 12 / 20 = 0.6, +1 pixel IoU 20 / 30 = 0.667: thr 0.62 separates them
    assert _reference_pairwise_iou(a, b) == pytest.approx(2 / 3)
    boxes = torch.tensor([a, b])
    keep = triplet_nms(boxes, boxes, torch.tensor([0.9, 0.8]), torch.tensor([0, 0]),
                       thr=0.62, alpha=0.5, beta=0.5, iou=iou)
    assert keep.tolist() == kept


def test_triplet_nms_returns_groups_in_reference_order():
    box = torch.tensor([[0.0, 0.0, 9.0, 9.0]] * 4)
    scores = torch.tensor([0.2, 0.9, 0.5, 0.7])
    groups = torch.tensor([3, 1, 3, 1])   # group 3 appears first
    keep = triplet_nms(box, box, scores, groups, thr=2.0, alpha=1.0, beta=1.0)
    assert keep.tolist() == [2, 0, 1, 3]   # per group by descending score


def test_boxes_are_not_clipped_unless_asked():
    box = torch.tensor([[0.95, 0.5, 0.3, 0.2]])   # reaches past the right border
    meta = dict(img_shape=(100, 200), ori_shape=(50, 100), scale_factor=(2.0, 2.0))
    raw = HOIPostProcessor.boxes_to_pixels(box, meta)
    assert torch.allclose(raw, torch.tensor([[80.0, 20.0, 110.0, 30.0]]))   # x ori_shape
    clipped = HOIPostProcessor.boxes_to_pixels(box, meta, clip=True)
    assert torch.allclose(clipped, torch.tensor([[80.0, 20.0, 100.0, 30.0]]))
    obj, verb, _, _ = _outputs(q=1)
    inst, _ = HOIPostProcessor(3, 5)(obj, verb, box, box, meta)
    assert inst.bboxes[0, 2] == pytest.approx(110.0)
    inst, _ = HOIPostProcessor(3, 5, clip_boxes=True)(obj, verb, box, box, meta)
    assert inst.bboxes[0, 2] == pytest.approx(100.0)


def test_all_queries_output_keeps_every_query_and_action_score():
    obj, verb, sub_b, obj_b = _outputs(q=6, k=3, v=5)
    lab = obj.softmax(-1)[:, :-1].argmax(-1)
    mat = np.ones((5, 3))
    mat[1, lab[0].item()] = 0
    pp = HOIPostProcessor(3, 5, correct_mat=mat, max_per_img=4, output='all_queries')
    inst, hoi = pp(obj, verb, sub_b, obj_b, META)
    assert len(hoi) == 6 * 5   # no top-k: every query, every class
    assert hoi.sub_ids.tolist() == [q for q in range(6) for _ in range(5)]
    assert hoi.verb_labels.tolist() == list(range(5)) * 6
    p_obj = obj.softmax(-1)[:, :-1].max(-1)[0]
    expected = verb.sigmoid() * p_obj[:, None] * torch.from_numpy(mat[:, lab.numpy()].T).float()
    assert torch.allclose(hoi.scores, expected.flatten())
    assert hoi.scores[1] == 0   # masked: 0, as the reference's correct_mat product
    topk = HOIPostProcessor(3, 5, correct_mat=mat, max_per_img=4)(obj, verb, sub_b, obj_b,
                                                                  META)[1]
    assert len(topk) == 4


def test_all_queries_nms_groups_by_object_and_ranks_by_best_score():
    obj = torch.tensor([[5.0, 0.0, 0.0, 0.0], [5.0, 0.0, 0.0, 0.0], [0.0, 5.0, 0.0, 0.0]])
    verb = torch.tensor([[0.0, -3.0], [3.0, -3.0], [-3.0, -3.0]])
    box = torch.tensor([[0.5, 0.5, 0.2, 0.2]] * 3)
    pp = HOIPostProcessor(3, 2, output='all_queries', triplet_nms=True, nms_thr=0.7,
                          nms_alpha=1.0, nms_beta=0.5)
    _, hoi = pp(obj, verb, box, box, META)
    # queries 0 and 1 (object 0) overlap fully: 1 has the best score and stays; query 2
    # (object 1) is its own group
    assert hoi.sub_ids.tolist() == [1, 1, 2, 2]


def test_vcoco_configs_reproduce_the_reference_output():
    from mmengine.config import Config
    for path in ('mm_configs/muren_r50_vcoco.py', 'mm_configs/vlmhoi_r50_vcoco.py'):
        cfg = Config.fromfile(path).model.test_cfg
        assert cfg.output == 'all_queries', path
        assert (cfg.nms_thr, cfg.nms_alpha, cfg.nms_beta) == (0.7, 1.0, 0.5)
    cfg = Config.fromfile('mm_configs/muren_r50_hico.py').model.test_cfg
    assert (cfg.output, cfg.max_per_img, cfg.nms_iou, cfg.clip_boxes) == \
        ('topk', 100, 'pixel', False)


def test_triplet_nms_equals_the_reference_code():
    """CDN's evaluator-side ``triplet_nms_filter`` (``$VLMHOI_REFERENCE_REPOS/CDN``)."""
    from tests.reference_repos import require_checkout
    from vlmhoi.evaluation.reference_harness import load_reference
    cls, _ = load_reference(require_checkout('CDN', 'datasets/hico_eval.py'))
    ref = cls.__new__(cls)
    rng = np.random.default_rng(0)
    for trial in range(20):
        n = 60
        base = rng.uniform(0, 200, (6, 4)).astype(np.float32)
        base[:, 2:] = base[:, :2] + rng.uniform(5, 80, (6, 2))
        pick = rng.integers(0, 6, (n, 2))
        subs = base[pick[:, 0]] + rng.normal(0, 3, (n, 4)).astype(np.float32)
        objs = base[pick[:, 1]] + rng.normal(0, 3, (n, 4)).astype(np.float32)
        scores = np.round(rng.random(n), 2).astype(np.float32)   # with ties
        labels = rng.integers(0, 3, n)
        verbs = rng.integers(0, 2, n)
        ref.thres_nms, ref.nms_alpha, ref.nms_beta = 0.7, 1.0, 0.5
        boxes = [{'bbox': list(b), 'category_id': 0} for b in subs]
        boxes += [{'bbox': list(b), 'category_id': int(c)} for b, c in zip(objs, labels)]
        hois = [{'subject_id': i, 'object_id': n + i, 'category_id': int(v),
                 'score': float(s)} for i, (v, s) in enumerate(zip(verbs, scores))]
        out = ref.triplet_nms_filter([{'filename': 'x', 'predictions': boxes,
                                       'hoi_prediction': hois}])[0]['hoi_prediction']
        keep = triplet_nms(torch.from_numpy(subs), torch.from_numpy(objs),
                           torch.from_numpy(scores), torch.from_numpy(labels * 2 + verbs),
                           thr=0.7, alpha=1.0, beta=0.5)
        assert keep.tolist() == [h['subject_id'] for h in out], trial
