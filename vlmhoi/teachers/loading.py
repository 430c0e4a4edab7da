"""Offline loading of a teacher's model directory, with errors that say how to get the weights.

A model path is either a local directory (``save_pretrained`` output: ``config.json``,
``*.safetensors``, the tokenizer files and ``preprocessor_config.json``, exactly like a hub
snapshot) or a hub id (``Salesforce/blip-itm-base-coco``) that is already in the local Hugging
Face cache. Nothing is ever downloaded: every ``from_pretrained`` runs with
``local_files_only=True``. Only safetensors weights are loaded (``use_safetensors=True``), so no
pickle of a downloaded file is ever opened.

The weights hash (:func:`weights_sha256`) is the sha256 over the names and contents of the
resolved directory's weight files; the score cache keys on it.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import torch

CONFIG_FILE = 'config.json'
WEIGHTS_GLOB = '*.safetensors'
WEIGHTS_INDEX = 'model.safetensors.index.json'
PICKLE_WEIGHTS = ('pytorch_model.bin', 'pytorch_model.bin.index.json')
IMAGE_PROCESSOR_FILE = 'preprocessor_config.json'
TOKENIZER_FILES = ('tokenizer.json', 'tokenizer_config.json', 'vocab.txt')
HUB_ID_PATTERN = re.compile(r'^[A-Za-z0-9][\w.-]*/[\w.-]+$')
HASH_CHUNK_BYTES = 1 << 20
DEFAULT_HUB_EXAMPLE = 'Salesforce/blip-itm-base-coco'

_SHA_CACHE: dict[tuple, str] = {}


class TeacherModelNotFoundError(FileNotFoundError):
    """The model path is neither a usable local directory nor a cached hub snapshot."""


class TeacherModelMismatchError(ValueError):
    """The directory holds a model, but not one the teacher class can use."""


def how_to_get(hub_example: str = DEFAULT_HUB_EXAMPLE) -> str:
    """The instruction appended to every loading error."""
    name = hub_example.rsplit('/', 1)[-1]
    return (f'Get the weights on a machine with internet access, e.g. '
            f'`huggingface-cli download {hub_example} --local-dir ./{name}` (or `hf download`), '
            f'copy that folder here and pass its path as model_path; or pass any local folder '
            f'written with save_pretrained (model, tokenizer and image processor together). '
            f'Loading never downloads.')


def resolve_model_dir(model_path: str | os.PathLike, hub_example: str = DEFAULT_HUB_EXAMPLE,
                      teacher: str = 'teacher') -> Path:
    """A local model directory, or the cached snapshot of a hub id -> checked directory.

    Raises:
        TeacherModelNotFoundError: the path does not exist / is not a model directory, or the
            hub id is not in the local cache. The message names the path and says how to get it.
    """
    text = str(model_path)
    local = Path(text).expanduser()
    if local.is_dir():
        return check_model_dir(local.resolve(), hub_example, teacher)
    if local.exists():
        raise TeacherModelNotFoundError(
            f'{teacher}: model_path {text!r} is a file, not a model directory. '
            + how_to_get(hub_example))
    if HUB_ID_PATTERN.match(text) and not text.startswith(('.', '~')):
        from huggingface_hub import constants, snapshot_download
        try:
            snapshot = snapshot_download(text, local_files_only=True)
        except Exception as err:  # LocalEntryNotFoundError, HFValidationError, offline errors
            raise TeacherModelNotFoundError(
                f'{teacher}: {text!r} is neither a local directory nor a hub id in the local '
                f'Hugging Face cache ({constants.HF_HUB_CACHE}): {type(err).__name__}. '
                + how_to_get(text)) from err
        return check_model_dir(Path(snapshot).resolve(), hub_example, teacher)
    raise TeacherModelNotFoundError(
        f'{teacher}: model directory {text!r} does not exist. ' + how_to_get(hub_example))


def check_model_dir(model_dir: Path, hub_example: str, teacher: str) -> Path:
    """Refuse a directory without config, safetensors weights, tokenizer or image processor."""
    missing = []
    if not (model_dir / CONFIG_FILE).is_file():
        missing.append(CONFIG_FILE)
    if not weight_files(model_dir):
        pickled = [n for n in PICKLE_WEIGHTS if (model_dir / n).exists()]
        missing.append(f'{WEIGHTS_GLOB} weights' + (
            f' (found only pickle weights {pickled}, which are never loaded: re-save the model '
            f'with save_pretrained, safetensors is its default)' if pickled else ''))
    if not any((model_dir / n).is_file() for n in TOKENIZER_FILES):
        missing.append(f'a tokenizer (one of {TOKENIZER_FILES})')
    if not (model_dir / IMAGE_PROCESSOR_FILE).is_file():
        missing.append(IMAGE_PROCESSOR_FILE)
    if missing:
        raise TeacherModelNotFoundError(
            f'{teacher}: {model_dir} is not a complete model directory, missing '
            f'{"; ".join(missing)}. ' + how_to_get(hub_example))
    return model_dir


def read_config(model_dir: Path) -> dict:
    """``config.json`` as a dict (json only, nothing executed)."""
    path = model_dir / CONFIG_FILE
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise TeacherModelMismatchError(f'cannot read {path}: {err}') from err


def load_model(model_cls: type, model_dir: Path, model_types: tuple[str, ...],
               dtype: torch.dtype, teacher: str, hub_example: str = DEFAULT_HUB_EXAMPLE,
               **kwargs) -> torch.nn.Module:
    """``model_cls.from_pretrained(model_dir)`` offline, refusing another architecture.

    Refused: a ``config.json`` whose ``model_type`` is not in ``model_types``, and a checkpoint
    that lacks weights ``model_cls`` needs (e.g. a captioning BLIP without the ITM head), which
    transformers would otherwise fill with random values and only warn about.
    """
    config = read_config(model_dir)
    model_type = config.get('model_type')
    if model_type not in model_types:
        raise TeacherModelMismatchError(
            f'{teacher}: {model_dir / CONFIG_FILE} is a {model_type!r} model '
            f'(architectures {config.get("architectures")}), {teacher} needs model_type in '
            f'{model_types} ({model_cls.__name__}). ' + how_to_get(hub_example))
    model, info = model_cls.from_pretrained(
        model_dir, dtype=dtype, local_files_only=True, use_safetensors=True,
        output_loading_info=True, **kwargs)
    absent = sorted(info.get('missing_keys', [])) + sorted(
        str(k) for k in info.get('mismatched_keys', []))
    if absent:
        shown = ', '.join(absent[:5]) + (f' and {len(absent) - 5} more' if len(absent) > 5 else '')
        raise TeacherModelMismatchError(
            f'{teacher}: the weights in {model_dir} are not a {model_cls.__name__} checkpoint '
            f'(architectures {config.get("architectures")}): missing or mis-shaped {shown}. '
            + how_to_get(hub_example))
    return model


def load_tokenizer(model_dir: Path):
    """The tokenizer saved next to the model (``AutoTokenizer``, offline)."""
    from transformers import AutoTokenizer
    try:
        return AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    except (OSError, ValueError) as err:
        raise TeacherModelNotFoundError(f'cannot load the tokenizer of {model_dir}: {err}') from err


def load_image_processor(model_dir: Path):
    """The image processor saved next to the model (``AutoImageProcessor``, offline)."""
    from transformers import AutoImageProcessor
    try:
        return AutoImageProcessor.from_pretrained(model_dir, local_files_only=True)
    except (OSError, ValueError) as err:
        raise TeacherModelNotFoundError(
            f'cannot load the image processor of {model_dir}: {err}') from err


def weight_files(model_dir: Path) -> list[Path]:
    """The safetensors weight files (and shard index) of a model directory, sorted by name."""
    files = sorted(model_dir.glob(WEIGHTS_GLOB))
    index = model_dir / WEIGHTS_INDEX
    return files + [index] if files and index.is_file() else files


def weights_sha256(model_dir: Path) -> str:
    """sha256 over (name, sha256 of content) of every weight file; memoised per file stat."""
    files = weight_files(Path(model_dir))
    if not files:
        raise TeacherModelNotFoundError(f'no {WEIGHTS_GLOB} weights in {model_dir}')
    key = tuple((str(f.resolve()), f.stat().st_size, f.stat().st_mtime_ns) for f in files)
    if key not in _SHA_CACHE:
        total = hashlib.sha256()
        for path in files:
            digest = hashlib.sha256()
            with open(path, 'rb') as fh:
                while chunk := fh.read(HASH_CHUNK_BYTES):
                    digest.update(chunk)
            total.update(f'{path.name}\0{digest.hexdigest()}\n'.encode())
        _SHA_CACHE[key] = total.hexdigest()
    return _SHA_CACHE[key]
