"""Batched scoring (vision once per image, texts batched) equals one full forward per pair."""
import pytest
import torch

from tests.teachers.tiny_models import TINY_TEXTS, save_tiny_blip2
from vlmhoi.teachers import Blip2ItmTeacher, BlipItmTeacher, ClipTeacher

TOLERANCE = 1e-4
# (class, fixture, extra kwargs, score mode): every mode of every teacher
CASES = [(BlipItmTeacher, 'tiny_blip_dir', {}, mode)
         for mode in ('itm_logodds', 'itm_prob', 'itm_nomatch_logit')]
CASES += [(Blip2ItmTeacher, 'tiny_blip2_dir', {}, mode)
          for mode in ('itm_logodds', 'itm_prob', 'itm_nomatch_logit')]
CASES += [(ClipTeacher, 'tiny_clip_dir', {'logit_scale': scale}, 'cosine')
          for scale in (False, True)]


@pytest.mark.parametrize('cls,fixture,extra,mode', CASES,
                         ids=[f'{c[0].__name__}-{c[3]}-{c[2]}' for c in CASES])
def test_batched_equals_per_pair(cls, fixture, extra, mode, images, request):
    model_dir = request.getfixturevalue(fixture)
    # 6 texts of different lengths in batches of 4 (two batches, each padded on its own),
    # 3 images in vision batches of 2: every batching boundary is crossed.
    teacher = cls(str(model_dir), score=mode, text_batch_size=4, image_batch_size=2, **extra)
    texts = list(TINY_TEXTS)
    batched = teacher.score(images, texts)
    per_pair = teacher.score_per_pair(images, texts)
    diff = (batched - per_pair).abs().max().item()
    print(f'{cls.__name__} {mode} {extra}: max abs diff batched vs per-pair {diff:.3e}')
    assert batched.shape == (len(images), len(texts)) and batched.dtype == torch.float32
    assert diff <= TOLERANCE
    # the check can fail: scores really differ between texts and between images
    assert batched.std(dim=1).min() > 1e-3 and batched.std(dim=0).min() > 1e-4


def test_blip2_with_image_token_prefix(tmp_path, images):
    """Checkpoints whose config has image_token_index: per-pair adds the prefix, batched not."""
    model_dir = save_tiny_blip2(tmp_path / 'blip2_prefix', image_token_index=1)
    teacher = Blip2ItmTeacher(str(model_dir), text_batch_size=4)
    diff = (teacher.score(images, TINY_TEXTS) - teacher.score_per_pair(images, TINY_TEXTS))
    print(f'Blip2ItmTeacher (image_token_index set): max abs diff {diff.abs().max():.3e}')
    assert diff.abs().max() <= TOLERANCE


def test_score_modes_are_consistent(tiny_blip_dir, images):
    """itm_logodds = log(p / (1 - p)) for p = itm_prob; the no-match logit is a separate column."""
    scores = {mode: BlipItmTeacher(str(tiny_blip_dir), score=mode).score(images, TINY_TEXTS)
              for mode in ('itm_logodds', 'itm_prob', 'itm_nomatch_logit')}
    prob = scores['itm_prob']
    assert torch.allclose(torch.log(prob / (1 - prob)), scores['itm_logodds'], atol=1e-4)
    assert not torch.allclose(scores['itm_nomatch_logit'], -scores['itm_logodds'], atol=1e-2)


def test_clip_text_table_cached_per_vocabulary(tiny_clip_dir, images):
    teacher = ClipTeacher(str(tiny_clip_dir))
    first = teacher.score(images, TINY_TEXTS)
    table = teacher.text_table(TINY_TEXTS)
    assert teacher.text_table(list(TINY_TEXTS)) is table
    other = teacher.score(images, TINY_TEXTS[:2])
    assert torch.allclose(other, first[:, :2], atol=1e-6)
    assert torch.allclose(table.norm(dim=-1), torch.ones(len(TINY_TEXTS)), atol=1e-5)


def test_blip_packed_texts_with_a_partial_last_pack(tiny_blip_dir, images):
    """BLIP scores texts packed k to a sequence; a text batch that does not fill its last pack
    (3 texts, packs of 2) still equals one full forward per pair."""
    teacher = BlipItmTeacher(str(tiny_blip_dir), text_batch_size=3)
    texts = list(TINY_TEXTS[:5])
    tokens = teacher.text_batches(texts)[0]
    assert tokens['packed_ids'].shape[0] == 2 and tokens['input_ids'].shape[0] == 3
    diff = (teacher.score(images, texts) - teacher.score_per_pair(images, texts)).abs().max()
    print(f'BlipItmTeacher, partial pack: max abs diff batched vs per-pair {diff:.3e}')
    assert diff <= TOLERANCE
