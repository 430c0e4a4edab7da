"""Does the ITM term reach the detector? The published code's term against the relaxation.

    python tools/check_itm_gradient.py [CONFIG] [--world DIR] [--cfg-options k=v ...]
        [--tracking-uri URI] [--no-mlflow]

Builds the detector of CONFIG (default ``mm_configs/vlmhoi_tiny_synth_hico.py``) and takes
its first training batch; the teacher scores online (no cache needed). For the ITM term of
the published VLM-HOI code (``ITMDistillLoss(mode='reference_code')``, DESIGN.md section 7)
it computes the gradient of the HOI losses with and without the ITM term with respect to
every learnable detector parameter and reports the largest difference (0 means the term
never trains the detector); for the relaxation (Eq. 4 relaxed, the suite's default) the
gradient norm of the ITM term alone and the number of parameters it reaches. Prints both
and logs them as one run tagged ``vlmhoi.check=itm_gradient`` (``vlmhoi.tracking.tool_runs``)
that the report generator turns into an audit finding.
"""
from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import torch  # noqa: E402
from mmengine.config import DictAction  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from vlmhoi.engine import load_runner_cfg  # noqa: E402
from vlmhoi.engine.itm_teacher_link import itm_losses, link_itm_teacher  # noqa: E402

CHECK = 'itm_gradient'
DEFAULT_CONFIG = 'mm_configs/vlmhoi_tiny_synth_hico.py'


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', nargs='?', default=DEFAULT_CONFIG)
    parser.add_argument('--world', help='synthetic world folder (its split overrides)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    parser.add_argument('--out', default='work_dirs/check_itm_gradient',
                        help='folder of the result JSON')
    parser.add_argument('--tracking-uri', help='MLflow store (default: as training runs)')
    parser.add_argument('--no-mlflow', action='store_true')
    return parser.parse_args(argv)


def load_cfg(args: argparse.Namespace):
    """CONFIG with the command-line and world overrides; it must have an ITM loss."""
    from vlmhoi import register_all_modules
    register_all_modules()
    options = dict(args.cfg_options or {})
    if args.world:
        from vlmhoi.synth import world_overrides
        options.update(world_overrides(args.world))
    cfg = load_runner_cfg(args.config, cfg_options=options)
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    if not itm_losses(cfg):
        raise SystemExit(f'{args.config}: no ITMDistillLoss in model.bbox_head.extra_losses')
    return cfg


def build_model(cfg, mode: str):
    """The detector of ``cfg`` with its ITM loss in ``mode``, scoring online, seeded."""
    from mmdet.registry import MODELS

    from vlmhoi.models.itm_reference_code import REFERENCE_SCORE
    cfg = copy.deepcopy(cfg)
    itm_losses(cfg)[0].update(mode=mode, score_source='online')
    if mode == 'reference_code':
        cfg.teacher.score = REFERENCE_SCORE    # what the published code reads
    link_itm_teacher(cfg)
    torch.manual_seed(0)
    return MODELS.build(cfg.model).train()


def first_batch(cfg) -> dict:
    """The first training batch (read once; both checks use it)."""
    return next(iter(Runner.build_dataloader(cfg.train_dataloader, seed=0)))


def losses_of(model, batch: dict) -> dict:
    data = model.data_preprocessor(copy.deepcopy(batch), True)
    return model.loss(data['inputs'], data['data_samples'])


def gradients(model, losses: dict, keys: list[str]) -> list[torch.Tensor | None]:
    params = [p for p in model.parameters() if p.requires_grad]
    total = sum(losses[k] for k in keys)
    return list(torch.autograd.grad(total, params, allow_unused=True, retain_graph=True))


def hoi_keys(losses: dict) -> list[str]:
    """The detector's own loss terms (all decoder layers), the ITM parts left out."""
    return [k for k, v in losses.items() if 'loss' in k and 'loss_itm' not in k
            and torch.is_tensor(v) and v.requires_grad]


def check(args: argparse.Namespace) -> dict:
    cfg = load_cfg(args)
    batch = first_batch(cfg)
    model = build_model(cfg, 'reference_code')
    losses = losses_of(model, batch)
    keys = hoi_keys(losses)
    with_itm = gradients(model, losses, keys + ['loss_itm'])
    without = gradients(model, losses, keys)
    diffs = [(a - b).abs().max().item() for a, b in zip(with_itm, without)
             if a is not None and b is not None]
    reference = dict(loss_itm=losses['loss_itm'].item(), max_abs_grad_diff=max(diffs),
                     params_checked=len(diffs),
                     term_requires_grad=bool(losses['loss_itm'].requires_grad))
    model = build_model(cfg, 'relaxed')
    losses = losses_of(model, batch)
    grads = [g for g in gradients(model, losses, ['loss_itm']) if g is not None]
    relaxed = dict(loss_itm=losses['loss_itm'].item(),
                   grad_norm=float(torch.sqrt(sum((g ** 2).sum() for g in grads))),
                   params_reached=sum(int(g.abs().sum() > 0) for g in grads))
    return dict(config=args.config, batch_size=len(batch['data_samples']),
                reference_code=reference, relaxed=relaxed)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    result = check(args)
    ref, rel = result['reference_code'], result['relaxed']
    print(f"published code's ITM term: max |grad(HOI + ITM) - grad(HOI)| over "
          f"{ref['params_checked']} parameters = {ref['max_abs_grad_diff']:.3g} "
          f"(loss_itm {ref['loss_itm']:.4g}, requires_grad {ref['term_requires_grad']})")
    print(f"relaxed ITM term (Eq. 4): gradient norm {rel['grad_norm']:.4g}, reaches "
          f"{rel['params_reached']} parameters (loss_itm {rel['loss_itm']:.4g})")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / 'itm_gradient.json'
    path.write_text(json.dumps(result, indent=2))
    print(f'wrote {path}')
    if not args.no_mlflow:
        from vlmhoi.tracking.tool_runs import TAG_CHECK, log_tool_run
        metrics = {f'reference_{k}': float(v) for k, v in ref.items()}
        metrics.update({f'relaxed_{k}': float(v) for k, v in rel.items()})
        result['mlflow_run_id'] = log_tool_run(
            'check-itm-gradient', {TAG_CHECK: CHECK}, [path],
            params=dict(config=args.config, batch_size=result['batch_size']),
            metrics=metrics, tracking_uri=args.tracking_uri)
    return result


if __name__ == '__main__':
    main()
