"""Explain a detection with teachers: the paper's Fig. 1 (teacher scores of the detected
triplets' sentences) and Fig. 2 (each sentence's image relevance map, ITM Grad-CAM).

    python tools/explain.py CONFIG CHECKPOINT IMAGE [--teacher TYPE=PATH ...] [--top-k 4]
        [--prompt-form full] [--out-dir work_dirs/explain] [--cfg-options k=v ...]
        [--trust-checkpoint]

The detector of CONFIG (weights from CHECKPOINT) runs on IMAGE with the config's test
pipeline (annotation loading left out). Its ``top-k`` triplets become sentences in the
prompt form (default: the config's ``teacher_cache.prompt_form``, else ``full``), scored by
the config's ``teacher`` section and every ``--teacher TYPE=PATH`` (e.g.
``ClipTeacher=~/.cache/vlmhoi/teachers/clip``) on the original image. BLIP teachers also
give a Grad-CAM map per sentence (``vlmhoi.teachers.gradcam``). Writes ``<image>_explain.png``
and ``<image>_explain.json`` (triplets, boxes, scores per teacher, score mode) to --out-dir.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib
import numpy as np
import torch
from mmcv.transforms import Compose
from mmengine.config import DictAction
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint
from PIL import Image

from vlmhoi.engine import load_runner_cfg, trust_of_cfg

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

SKIPPED_STEPS = ('LoadHOIAnnotations',)  # inference on a bare image: no annotations
FIGURE = 'fig1'  # the report's tag for this figure (the paper's Fig. 1)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('image')
    parser.add_argument('--teacher', action='append', default=[], metavar='TYPE=PATH',
                        help='another teacher to compare (repeatable)')
    parser.add_argument('--top-k', type=int, default=4)
    parser.add_argument('--prompt-form', default=None)
    parser.add_argument('--out-dir', default='work_dirs/explain')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    parser.add_argument('--trust-checkpoint', action='store_true')
    parser.add_argument('--tracking-uri', help='MLflow store for the figure run (default: '
                        'as training runs, vlmhoi.tracking.uri)')
    parser.add_argument('--no-mlflow', action='store_true', help='do not log the figure run')
    return parser.parse_args(argv)


def teacher_cfgs(cfg, extra: list[str]) -> list[dict]:
    cfgs = [dict(cfg.teacher)] if cfg.get('teacher') else []
    for item in extra:
        kind, sep, path = item.partition('=')
        if not sep or not kind or not path:
            raise SystemExit(f'--teacher {item!r}: expected TYPE=PATH, e.g. '
                             'ClipTeacher=/path/to/model')
        cfgs.append(dict(type=kind, model_path=str(Path(path).expanduser())))
    if not cfgs:
        raise SystemExit('explain: no teacher; the config has no `teacher` section and no '
                         '--teacher TYPE=PATH was given')
    return cfgs


def detect(cfg, checkpoint: str, image: str, top_k: int) -> list[dict]:
    """The detector's ``top_k`` triplets on ``image``: boxes (original pixels), labels."""
    from mmdet.registry import MODELS
    model = MODELS.build(cfg.model).eval()
    with trust_of_cfg(cfg):
        load_checkpoint(model, checkpoint, map_location='cpu')
    steps = [s for s in cfg.test_dataloader.dataset.pipeline if s['type'] not in SKIPPED_STEPS]
    data = Compose(steps)(dict(img_path=image, img_id=0, file_name=Path(image).name))
    with torch.no_grad():
        sample = model.test_step(dict(inputs=[data['inputs']],
                                      data_samples=[data['data_samples']]))[0]
    inst, hoi = sample.pred_instances, sample.pred_hoi
    order = hoi.scores.argsort(descending=True)[:top_k]
    return [dict(score=float(hoi.scores[i]), verb=int(hoi.verb_labels[i]),
                 object=int(inst.labels[hoi.obj_ids[i]]),
                 sub_box=inst.bboxes[hoi.sub_ids[i]].tolist(),
                 obj_box=inst.bboxes[hoi.obj_ids[i]].tolist()) for i in order]


def draw(image: Image.Image, triplets: list[dict], teachers: list[str],
         cams: dict[str, np.ndarray], out: Path) -> None:
    """Left: the image with the triplets' boxes; right: one Grad-CAM per sentence and BLIP
    teacher with its sentence in the title; below, every sentence with every teacher's score."""
    blips = [t for t in teachers if t in cams]
    cols = 1 + len(triplets) * max(len(blips), 1) if blips else 1
    # the sentences with every teacher's score go under the panels, one line each (as a
    # title of the first panel they ran into the Grad-CAM panels' titles)
    panel_in, line_in = 3.6, 0.16     # inches: panel row height, one line of text
    text_in = line_in * (len(triplets) + 1)
    fig, axes = plt.subplots(1, cols, figsize=(3.0 * cols, panel_in + text_in), squeeze=False)
    ax = axes[0, 0]
    ax.imshow(image)
    lines = []
    for k, t in enumerate(triplets):
        for box, colour in ((t['sub_box'], 'tab:blue'), (t['obj_box'], 'tab:orange')):
            x1, y1, x2, y2 = box
            ax.add_patch(plt.Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False,
                                       color=colour, lw=1))
        ax.text(t['sub_box'][0], t['sub_box'][1], str(k), color='white', fontsize=7,
                bbox=dict(facecolor='tab:blue', pad=0.5))
        scores = ', '.join(f'{n}: {t["teacher_scores"][n]:.2f}' for n in teachers)
        lines.append(f'{k}: {t["sentence"]} ({scores})')
    ax.set_title('detections (person blue, object orange)', fontsize=6)
    ax.axis('off')
    fig.text(0.005, 0.01, '\n'.join(lines), fontsize=7, ha='left', va='bottom')
    col = 1
    for name in blips:
        for k, t in enumerate(triplets):
            cam = cams[name][k]
            ax = axes[0, col]
            ax.imshow(image)
            ax.imshow(np.asarray(Image.fromarray(cam.astype(np.float32)).resize(
                image.size, Image.BILINEAR)), alpha=0.55, cmap='jet')
            ax.set_title(f'{name} Grad-CAM\n{k}: {t["sentence"]}', fontsize=6)
            ax.axis('off')
            col += 1
    fig.tight_layout(rect=(0, text_in / (panel_in + text_in), 1, 1))
    fig.savefig(out, dpi=130)
    plt.close(fig)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    from vlmhoi.teachers import BlipItmTeacher, build_teacher
    from vlmhoi.teachers.cache_builder import load_rgb
    from vlmhoi.teachers.cache_config import build_dataset
    from vlmhoi.teachers.gradcam import itm_gradcam
    from vlmhoi.teachers.prompts import triplet_text
    cfg = load_runner_cfg(args.config, cfg_options=args.cfg_options,
                          trust_checkpoint=args.trust_checkpoint)
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    form = args.prompt_form or (cfg.get('teacher_cache') or {}).get('prompt_form', 'full')
    triplets = detect(cfg, args.checkpoint, args.image, args.top_k)
    vocab = build_dataset(dict(cfg.test_dataloader.dataset), lazy=True).vocab
    for t in triplets:
        t['sentence'] = triplet_text(form, vocab.verb_names[t['verb']],
                                     vocab.object_names[t['object']])
        t['teacher_scores'] = {}
    image = load_rgb(args.image)
    sentences = [t['sentence'] for t in triplets]
    names, modes, cams = [], {}, {}
    for tcfg in teacher_cfgs(cfg, args.teacher):
        teacher = build_teacher(tcfg)
        name = f'{type(teacher).__name__}:{Path(teacher.model_path).name}'
        names.append(name)
        modes[name] = teacher.score_mode
        scores = teacher.score([image], sentences)[0] if sentences else torch.zeros(0)
        for t, s in zip(triplets, scores.tolist()):
            t['teacher_scores'][name] = s
        if isinstance(teacher, BlipItmTeacher) and sentences:
            cams[name] = itm_gradcam(teacher, image, sentences)[0].numpy()
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = Path(args.image).stem
    png, js = out_dir / f'{stem}_explain.png', out_dir / f'{stem}_explain.json'
    draw(image, triplets, names, cams, png)
    result = dict(image=args.image, config=args.config, checkpoint=args.checkpoint,
                  prompt_form=form, score_modes=modes, triplets=triplets,
                  gradcam_teachers=sorted(cams), figure=str(png))
    js.write_text(json.dumps(result, indent=1))
    print(f'explain: {len(triplets)} triplets, teachers {names}; wrote {png} and {js}')
    if not args.no_mlflow:
        from vlmhoi.tracking.tool_runs import TAG_FIGURE, log_tool_run
        result['mlflow_run_id'] = log_tool_run(
            f'explain-{stem}', {TAG_FIGURE: FIGURE}, [png, js],
            params=dict(config=args.config, checkpoint=args.checkpoint, image=args.image,
                        prompt_form=form, teachers=', '.join(names), top_k=args.top_k),
            tracking_uri=args.tracking_uri)
    return result


if __name__ == '__main__':
    main()
