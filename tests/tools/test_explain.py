"""tools/explain.py on a tiny synthetic image with a random tiny detector and teachers."""
from __future__ import annotations

import json

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from tests.teachers.tiny_models import save_tiny_blip, save_tiny_clip
from tests.tools.conftest import CONFIG, ROOT, run_tool, world_options


def test_explain_writes_figure_and_scores(tiny_world, tmp_path) -> None:
    from mmdet.registry import MODELS
    options = world_options(tiny_world)
    cfg = Config.fromfile(str(ROOT / CONFIG))
    init_default_scope('mmdet')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    ckpt = tmp_path / 'random.pth'
    torch.save({'state_dict': model.state_dict()}, ckpt)
    blip, clip = save_tiny_blip(tmp_path / 'blip'), save_tiny_clip(tmp_path / 'clip')
    image = sorted((tiny_world / 'images/test2015').glob('*.jpg'))[0]
    out = tmp_path / 'explain'
    res = run_tool(['tools/explain.py', CONFIG, str(ckpt), str(image), '--top-k', '3',
                    '--teacher', f'ClipTeacher={clip}', '--out-dir', str(out),
                    '--tracking-uri', f'sqlite:///{tmp_path}/mlruns.db',
                    '--cfg-options', *options, 'teacher.type=BlipItmTeacher',
                    f'teacher.model_path={blip}'])
    assert res.returncode == 0, (res.stdout + res.stderr)[-3000:]
    result = json.loads((out / f'{image.stem}_explain.json').read_text())
    assert len(result['triplets']) == 3
    names = list(result['score_modes'])
    assert len(names) == 2 and names[0].startswith('BlipItmTeacher')
    assert result['score_modes'][names[1]] == 'cosine'
    for t in result['triplets']:
        assert t['sentence'].startswith('A person ')
        assert set(t['teacher_scores']) == set(names)
    assert result['gradcam_teachers'] == [names[0]]
    assert (out / f'{image.stem}_explain.png').stat().st_size > 10_000
    # the figure run the report generator finds by tag, with the PNG and JSON as artifacts
    import mlflow
    client = mlflow.MlflowClient(f'sqlite:///{tmp_path}/mlruns.db')
    exp = client.get_experiment_by_name('vlmhoi-tools')
    (run,) = client.search_runs([exp.experiment_id], "tags.`vlmhoi.figure` = 'fig1'")
    assert {a.path for a in client.list_artifacts(run.info.run_id)} == {
        f'{image.stem}_explain.png', f'{image.stem}_explain.json'}
