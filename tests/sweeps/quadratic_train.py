"""A training program with tools/train.py's command line for the study-logic tests.

    python tests/sweeps/quadratic_train.py CONFIG --work-dir DIR --cfg-options k=v ...

It does real work of the shape the sweep runner depends on, fast: for each epoch of
``train_cfg.max_epochs`` it waits ``sweep_test.epoch_s`` seconds and logs the metric
``hico/mAP_full = 100 - (log10(lr) + 3)^2 * 10 - seed * sweep_test.seed_weight
- sweep_test.gap * (epochs left)``
with ``step = epoch``, into the MLflow run ``$MLFLOW_RUN_ID`` (as tools/train.py does,
unless ``sweep_test.mlflow=False``) and into mmengine's ``<work dir>/<timestamp>/vis_data/
scalars.json``. It records every launch in ``<work dir>/launches_rank<RANK>.txt`` (the tests
count them; only rank 0 logs) and exits with status 3 when ``sweep_test.fail_seed`` equals the seed.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

METRIC = 'hico/mAP_full'


def score(lr: float, seed: float, epoch: int, epochs: int, gap: float) -> float:
    return 100.0 - 10.0 * (math.log10(lr) + 3.0) ** 2 - seed - gap * (epochs - epoch)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument('config')
    p.add_argument('--work-dir', required=True)
    p.add_argument('--launcher', default='none')
    p.add_argument('--cfg-options', nargs='+', default=[])
    args = p.parse_args()
    opts = dict(o.split('=', 1) for o in args.cfg_options)
    lr = float(opts['optim_wrapper.optimizer.lr'])
    seed = int(opts['randomness.seed'])
    epochs = int(opts.get('train_cfg.max_epochs', 3))
    epoch_s = float(opts.get('sweep_test.epoch_s', 0.5))
    gap = float(opts.get('sweep_test.gap', 1.0))
    seed_weight = float(opts.get('sweep_test.seed_weight', 1.0))
    work = Path(args.work_dir)
    rank = os.environ.get('RANK', '-')          # set by torchrun
    with open(work / f'launches_rank{rank}.txt', 'a') as f:
        f.write(f'{os.getpid()} lr={lr} seed={seed} launcher={args.launcher}\n')
    if rank not in ('-', '0'):                   # only rank 0 logs, as tools/train.py
        time.sleep(epochs * epoch_s)
        return 0
    if opts.get('sweep_test.fail_seed') == str(seed):
        print(f'failing on purpose for seed {seed}', file=sys.stderr)
        return 3
    client = run_id = None
    if os.environ.get('MLFLOW_RUN_ID') and opts.get('sweep_test.mlflow', 'True') == 'True':
        from mlflow.tracking import MlflowClient
        client = MlflowClient(os.environ['MLFLOW_TRACKING_URI'])
        run_id = os.environ['MLFLOW_RUN_ID']
        for k, v in json.loads(os.environ.get('VLMHOI_MLFLOW_TAGS', '{}')).items():
            client.set_tag(run_id, k, v)
    scalars = work / time.strftime('%Y%m%d_%H%M%S') / 'vis_data' / 'scalars.json'
    scalars.parent.mkdir(parents=True, exist_ok=True)
    for epoch in range(1, epochs + 1):
        time.sleep(epoch_s)
        value = score(lr, seed * seed_weight, epoch, epochs, gap)
        with open(scalars, 'a') as f:
            f.write(json.dumps({METRIC: value, 'step': epoch}) + '\n')
        if client is not None:
            client.log_metric(run_id, METRIC, value, step=epoch)
        print(f'epoch {epoch}: {METRIC}={value}', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
