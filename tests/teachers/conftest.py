"""Fixtures: tiny random teacher model directories (saved once per session) and images."""
import os

import pytest

from tests.teachers.tiny_models import (
    random_images,
    save_tiny_blip,
    save_tiny_blip2,
    save_tiny_clip,
)

os.environ.setdefault('HF_HUB_OFFLINE', '1')


@pytest.fixture(scope='session')
def tiny_blip_dir(tmp_path_factory):
    return save_tiny_blip(tmp_path_factory.mktemp('tiny_blip'))


@pytest.fixture(scope='session')
def tiny_blip2_dir(tmp_path_factory):
    return save_tiny_blip2(tmp_path_factory.mktemp('tiny_blip2'))


@pytest.fixture(scope='session')
def tiny_clip_dir(tmp_path_factory):
    return save_tiny_clip(tmp_path_factory.mktemp('tiny_clip'))


@pytest.fixture
def images():
    return random_images(3)
