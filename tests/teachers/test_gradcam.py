"""ITM Grad-CAM on a tiny random BLIP: shape, sign, frozen teacher, text dependence."""
import pytest
import torch

from vlmhoi.teachers import build_teacher
from vlmhoi.teachers.gradcam import itm_gradcam, patch_grid


@pytest.fixture(scope='module')
def blip(tiny_blip_dir):
    return build_teacher(dict(type='BlipItmTeacher', model_path=str(tiny_blip_dir)))


def test_gradcam_maps(blip, images) -> None:
    texts = ['A person hold a tennis racket', 'A person ride a horse']
    cams, match = itm_gradcam(blip, images[0], texts)
    h, w = patch_grid(blip)
    assert cams.shape == (2, h, w) and match.shape == (2,)
    assert (cams >= 0).all() and cams.sum() > 0
    assert not torch.allclose(cams[0], cams[1])               # the map depends on the text
    logits = blip.itm_logits(blip.encode_images(blip.preprocess(images[:1])),
                             blip.tokenize(texts))
    assert torch.allclose(match, logits[:, 1].float(), atol=1e-5)   # same match logit
    assert all(p.grad is None for p in blip.model.parameters())     # teacher stays frozen


def test_gradcam_refuses_bad_layer_and_teacher(blip, images, tiny_clip_dir) -> None:
    with pytest.raises(ValueError, match='layer 9'):
        itm_gradcam(blip, images[0], ['A person carry'], layer=9)
    clip = build_teacher(dict(type='ClipTeacher', model_path=str(tiny_clip_dir)))
    with pytest.raises(TypeError, match='BlipItmTeacher'):
        itm_gradcam(clip, images[0], ['A person carry'])


def test_last_layer_gives_no_word_relevance(blip, images) -> None:
    """Why the default is a middle layer: the last layer's cross-attention reaches the ITM
    head only through token 0, so the word tokens' maps are exactly zero there."""
    last = blip.model.config.text_config.num_hidden_layers - 1
    cams, _ = itm_gradcam(blip, images[0], ['A person ride a horse'], layer=last)
    assert cams.abs().sum() == 0
