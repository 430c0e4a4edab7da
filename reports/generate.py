"""Generate the report: the paper's Tables 1-5, the audit, the figures, one HTML page.

    python reports/generate.py --out reports/out [--tracking-uri URI]
        [--published reports/published] [--pr-curves 4] [--screenshot]

Reads every finished run of the MLflow store (``--tracking-uri``, else
``$MLFLOW_TRACKING_URI``, else the embedded store of ``vlmhoi.mlflow_uri``) and the
published data; writes ``tables.md`` (tables and audit), ``tables.tex`` (booktabs),
``csv/<table>.csv`` + ``csv/<table>_sources.csv``, ``figures/*.png``, ``report.html``
(self-contained) and, with ``--screenshot``, ``report.png`` rendered by headless Chromium
with the page check (``reports/browser.py``). Every cell says where it came from; a
missing run is a "not run" cell with the command that produces it.
"""
from __future__ import annotations

import argparse
import datetime
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reports import figures as F  # noqa: E402
from reports.ablation_tables import ablation_table, cost_table  # noqa: E402
from reports.audit import audit, gradient_check_finding  # noqa: E402
from reports.model import Finding, Table  # noqa: E402
from reports.page import write_html  # noqa: E402
from reports.published import DATA_DIR, load_published  # noqa: E402
from reports.render import write_all  # noqa: E402
from reports.runs import TAG_CHECK, RunStore  # noqa: E402
from reports.tables import results_table  # noqa: E402
from vlmhoi.mlflow_uri import resolve_tracking_uri  # noqa: E402
from vlmhoi.redaction import redact  # noqa: E402

TITLE = 'VLM-HOI benchmark report'
GRADIENT_CHECK = 'itm_gradient'
HICO_COLUMNS = ['default_full', 'default_rare', 'default_non_rare', 'ko_full', 'ko_rare',
                'ko_non_rare']
VCOCO_COLUMNS = ['role_s1', 'role_s2']


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', default='reports/out', help='output folder')
    parser.add_argument('--tracking-uri', help='MLflow store (default: $MLFLOW_TRACKING_URI, '
                        'else the embedded store)')
    parser.add_argument('--published', default=str(DATA_DIR), help='published data folder')
    parser.add_argument('--pr-curves', type=int, default=4,
                        help='PR-curve PNGs of the newest test run to show')
    parser.add_argument('--screenshot', action='store_true',
                        help='render report.html in headless Chromium, check it, save report.png')
    return parser.parse_args(argv)


def build_tables(pub, store: RunStore) -> list[Table]:
    return [*results_table(pub, store, 'table1', 'hico/mAP_full', HICO_COLUMNS),
            *results_table(pub, store, 'table2', 'vcoco/AP_role_S1', VCOCO_COLUMNS),
            ablation_table(pub, store, 'table3'), ablation_table(pub, store, 'table4'),
            cost_table(pub, store)]


def gradient_finding(store: RunStore) -> Finding:
    run = store.latest_tool_run(TAG_CHECK, GRADIENT_CHECK)
    if run is None:
        return gradient_check_finding(None, None, '')
    return gradient_check_finding(run.metrics.get('reference_max_abs_grad_diff'),
                                  int(run.metrics.get('reference_params_checked', 0)),
                                  f'MLflow run {run.run_id} (tools/check_itm_gradient.py, '
                                  f"{run.params.get('config', '')})")


def build_figures(store: RunStore, tables: list[Table], out: Path, pr: int) -> list:
    out.mkdir(parents=True, exist_ok=True)
    by_key = {t.key: t for t in tables}
    found = [F.learning_curves(store, out),
             F.ablation_plot(by_key['table3'], 'table3', out),
             F.ablation_plot(by_key['table4'], 'table4', out)]
    found += F.tool_figures(store, 'fig1', 'Fig. 1 style: teacher scores of the detected '
                            'triplets (ITM teacher vs CLIP-style teacher) and ITM Grad-CAM', out)
    found += F.tool_figures(store, 'fig5', 'Fig. 5 style: teacher score distributions of '
                            'positive and negative triplets over a split', out)
    found += F.pr_curves(store, out, pr)
    return [f for f in found if f is not None]


def _git_commit() -> str:
    res = subprocess.run(['git', 'rev-parse', 'HEAD'], cwd=ROOT, capture_output=True,
                         text=True)
    return res.stdout.strip() or 'unknown'


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    uri, origin = resolve_tracking_uri(args.tracking_uri)
    out = Path(args.out)
    pub = load_published(args.published)
    store = RunStore.open(uri)
    print(f'report: {len(store.runs)} finished runs in {redact(uri)} ({origin}); published '
          f'data {args.published}')
    tables = build_tables(pub, store)
    findings = [*audit(pub), gradient_finding(store)]
    paths = write_all(tables, findings, out)
    figures = build_figures(store, tables, out / 'figures', args.pr_curves)
    meta = {'generated': datetime.datetime.now().astimezone().isoformat(timespec='seconds'),
            'tracking URI': redact(uri), 'runs read': str(len(store.runs)),
            'git commit': _git_commit(), 'published data': str(args.published)}
    html = write_html(out / 'report.html', TITLE, tables, figures, findings, meta)
    result = dict(html=str(html.resolve()), files=[str(p) for p in paths],
                  figures=[f.path for f in figures],
                  flagged=[f.subject for f in findings if not f.ok])
    if args.screenshot:
        from reports.browser import screenshot
        check = screenshot(html, out / 'report.png')
        result['screenshot'] = str((out / 'report.png').resolve())
        result['page_ok'] = check['ok']
        if not check['ok']:
            raise SystemExit(f'report: the page check failed: {json.dumps(check)[:2000]}')
    (out / 'report.json').write_text(json.dumps(result, indent=2))
    print(f"report: {len(tables)} tables, {len(figures)} figures, {len(findings)} audit "
          f"checks ({len(result['flagged'])} flagged)")
    print(f'report: Markdown {out / "tables.md"}, LaTeX {out / "tables.tex"}, CSV {out / "csv"}')
    print(f"report: HTML {result['html']}")
    if args.screenshot:
        print(f"report: screenshot {result['screenshot']}")
    return result


if __name__ == '__main__':
    main()
