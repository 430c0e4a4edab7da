"""Offline loading: clear errors for missing / wrong models, hub ids from the local cache only."""
import shutil
import socket

import huggingface_hub.constants
import pytest
import torch
from transformers import BlipForConditionalGeneration

from tests.teachers.tiny_models import save_tiny_blip
from vlmhoi.teachers import Blip2ItmTeacher, BlipItmTeacher, ClipTeacher, build_teacher
from vlmhoi.teachers.loading import TeacherModelMismatchError, TeacherModelNotFoundError

HOW_TO = 'huggingface-cli download'


@pytest.fixture
def no_network(monkeypatch):
    """Any connection attempt fails the test: loading must stay offline."""
    def refuse(*args, **kwargs):
        raise AssertionError(f'network access attempted: {args}')
    monkeypatch.setattr(socket.socket, 'connect', refuse)
    monkeypatch.setattr(socket, 'create_connection', refuse)


def test_missing_path_says_how_to_get_weights(tmp_path):
    missing = tmp_path / 'no_such_model'
    with pytest.raises(TeacherModelNotFoundError) as err:
        BlipItmTeacher(str(missing))
    assert str(missing) in str(err.value) and HOW_TO in str(err.value)
    assert 'Salesforce/blip-itm-base-coco' in str(err.value)


def test_folder_without_model(tmp_path):
    (tmp_path / 'notes.txt').write_text('not a model')
    with pytest.raises(TeacherModelNotFoundError, match='config.json') as err:
        ClipTeacher(str(tmp_path))
    assert str(tmp_path) in str(err.value) and HOW_TO in str(err.value)


def test_pickle_only_weights_refused(tmp_path, tiny_blip_dir):
    shutil.copytree(tiny_blip_dir, tmp_path / 'm')
    (tmp_path / 'm' / 'model.safetensors').rename(tmp_path / 'm' / 'pytorch_model.bin')
    with pytest.raises(TeacherModelNotFoundError, match='pickle'):
        BlipItmTeacher(str(tmp_path / 'm'))


@pytest.mark.parametrize('cls,fixture', [(BlipItmTeacher, 'tiny_clip_dir'),
                                         (Blip2ItmTeacher, 'tiny_blip_dir'),
                                         (ClipTeacher, 'tiny_blip2_dir')])
def test_model_of_another_architecture(cls, fixture, request):
    model_dir = request.getfixturevalue(fixture)
    with pytest.raises(TeacherModelMismatchError, match='model_type') as err:
        cls(str(model_dir))
    assert str(model_dir) in str(err.value)


def test_blip_without_itm_head_refused(tmp_path):
    """A captioning BLIP has model_type 'blip' too; its missing ITM head is not filled randomly."""
    model_dir = save_tiny_blip(tmp_path / 'caption', model_cls=BlipForConditionalGeneration)
    with pytest.raises(TeacherModelMismatchError, match='itm_head'):
        BlipItmTeacher(str(model_dir))


def test_hub_id_not_in_local_cache(tmp_path, monkeypatch, no_network):
    monkeypatch.delenv('HF_HUB_OFFLINE', raising=False)  # offline even without the switch
    monkeypatch.setattr(huggingface_hub.constants, 'HF_HUB_OFFLINE', False)
    monkeypatch.setattr(huggingface_hub.constants, 'HF_HUB_CACHE', str(tmp_path / 'hub'))
    with pytest.raises(TeacherModelNotFoundError, match='local Hugging Face cache') as err:
        BlipItmTeacher('Salesforce/blip-itm-base-coco')
    assert 'huggingface-cli download Salesforce/blip-itm-base-coco' in str(err.value)


def test_hub_id_from_local_cache(tmp_path, monkeypatch, tiny_blip_dir, images, no_network):
    """A hub id resolves to its cached snapshot (the hub cache layout), without network."""
    monkeypatch.delenv('HF_HUB_OFFLINE', raising=False)
    monkeypatch.setattr(huggingface_hub.constants, 'HF_HUB_OFFLINE', False)
    cache = tmp_path / 'hub'
    repo = cache / 'models--vlmhoi-test--tiny-blip'
    revision = '0123456789abcdef0123456789abcdef01234567'
    shutil.copytree(tiny_blip_dir, repo / 'snapshots' / revision)
    (repo / 'refs').mkdir()
    (repo / 'refs' / 'main').write_text(revision)
    monkeypatch.setattr(huggingface_hub.constants, 'HF_HUB_CACHE', str(cache))
    by_id = BlipItmTeacher('vlmhoi-test/tiny-blip')
    by_path = BlipItmTeacher(str(tiny_blip_dir))
    assert by_id.identity()['model'] == 'vlmhoi-test/tiny-blip'
    assert by_id.weights_sha256 == by_path.weights_sha256
    assert torch.equal(by_id.score(images, ['a person ride a horse']),
                       by_path.score(images, ['a person ride a horse']))


def test_identity_and_weights_hash(tmp_path, tiny_blip_dir):
    teacher = BlipItmTeacher(str(tiny_blip_dir), score='itm_prob')
    ident = teacher.identity()
    assert ident == {'teacher': 'BlipItmTeacher', 'model': str(tiny_blip_dir),
                     'weights_sha256': teacher.weights_sha256, 'score': 'itm_prob',
                     'dtype': 'float32'}
    assert len(ident['weights_sha256']) == 64
    other = BlipItmTeacher(str(save_tiny_blip(tmp_path / 'seed1', seed=1)))
    assert other.weights_sha256 != teacher.weights_sha256
    copy = shutil.copytree(tiny_blip_dir, tmp_path / 'copy')
    assert BlipItmTeacher(str(copy)).weights_sha256 == teacher.weights_sha256


def test_score_mode_refused_lists_modes(tiny_blip_dir, tiny_clip_dir):
    with pytest.raises(ValueError, match="can do .*'itm_logodds'"):
        BlipItmTeacher(str(tiny_blip_dir), score='cosine')
    with pytest.raises(ValueError, match="can do .*'cosine'"):
        ClipTeacher(str(tiny_clip_dir), score='itm_prob')


def test_dtypes(tiny_blip_dir, images):
    with pytest.raises(ValueError, match='float16 on CPU'):
        BlipItmTeacher(str(tiny_blip_dir), dtype='float16')
    with pytest.raises(ValueError, match='dtype'):
        BlipItmTeacher(str(tiny_blip_dir), dtype='float64')
    bf16 = BlipItmTeacher(str(tiny_blip_dir), dtype='bfloat16')
    assert next(bf16.model.parameters()).dtype == torch.bfloat16
    assert bf16.identity()['dtype'] == 'bfloat16'
    scores = bf16.score(images, ['a person ride a horse', 'a person kick a ball'])
    assert scores.dtype == torch.float32
    fp32 = BlipItmTeacher(str(tiny_blip_dir)).score(images, ['a person ride a horse',
                                                              'a person kick a ball'])
    assert (scores - fp32).abs().max() < 0.1 * fp32.abs().max()


def test_build_from_config(tiny_clip_dir, images):
    teacher = build_teacher(dict(type='ClipTeacher', model_path=str(tiny_clip_dir),
                                 logit_scale=True))
    assert isinstance(teacher, ClipTeacher) and teacher.identity()['logit_scale'] is True
    assert build_teacher(teacher) is teacher


def test_bad_images_refused(tiny_clip_dir):
    import numpy as np
    teacher = ClipTeacher(str(tiny_clip_dir))
    with pytest.raises(ValueError, match=r'images\[1\].*uint8'):
        teacher.score([np.zeros((8, 8, 3), np.uint8), np.zeros((8, 8), np.uint8)], ['a'])
    with pytest.raises(ValueError, match='no images'):
        teacher.score([], ['a'])
    with pytest.raises(ValueError, match='no texts'):
        teacher.score([np.zeros((8, 8, 3), np.uint8)], [])
