"""The report generator: the paper's Tables 1-5 from published data and logged runs.

``python reports/generate.py --out reports/out [--tracking-uri URI]``. Reads MLflow (the
runs of tools/train.py / tools/test.py, the sweep studies, the benchmarks) and the
published data under ``reports/published/``; never imports training code.
"""
