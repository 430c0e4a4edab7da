"""The report page in a real browser (headless Chromium): every table with the right cell
texts and sources, every image decoded, no console error or exception, nothing loaded
from outside the file, and a screenshot. The crafted broken page shows that the checker
does fail: a bad data URI, a console error, an uncaught exception, an outside request."""
from __future__ import annotations

import base64
import os
import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from reports.browser import find_chromium, screenshot
from reports.page import write_html
from tests.reports.html_page import (
    sample_figures,
    sample_findings,
    sample_meta,
    sample_tables,
)

pytestmark = pytest.mark.skipif(
    find_chromium() is None,
    reason="no Chromium binary on PATH (install Debian's chromium package, as .ci/run "
           'does, or set VLMHOI_CHROMIUM)')


#: figures are shown at their natural size; sub-pixel placement may blend edges a little
MAX_MEAN_PIXEL_DIFF = 2.0


def _keep(png: Path) -> None:
    """Copy the screenshot to $VLMHOI_SCREENSHOT_DIR when set (CI artefacts)."""
    folder = os.environ.get('VLMHOI_SCREENSHOT_DIR')
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(png, Path(folder) / png.name)


def test_report_page_renders_in_chromium(tmp_path):
    tables, figures, findings = sample_tables(), sample_figures(tmp_path), sample_findings()
    page = write_html(tmp_path / 'report.html', 'HTML test report', tables, figures,
                      findings, sample_meta())
    png = tmp_path / 'report_page.png'
    result = screenshot(page, png)
    _keep(png)

    assert result['console_errors'] == []
    assert result['exceptions'] == []
    assert result['external_requests'] == []
    assert result['broken_images'] == []
    assert result['ok'] is True
    assert result['title'] == 'HTML test report'

    shown = {t['id']: t for t in result['tables']}
    assert set(shown) == {t.key for t in tables} | {'audit-findings'}
    for table in tables:
        got = shown[table.key]
        assert got['caption'] == table.title
        assert got['header'] == table.columns
        assert [[c['text'] for c in row] for row in got['rows']] == \
            [[c.format() for c in row] for row in table.rows]
        assert [[c['title'] for c in row] for row in got['rows']] == \
            [[c.provenance() for c in row] for row in table.rows]
        assert [[c['kind'] for c in row] for row in got['rows']] == \
            [[c.kind for c in row] for row in table.rows]
    audit = [[c['text'] for c in row] for row in shown['audit-findings']['rows']]
    assert audit == [['ok' if f.ok else 'flagged', f.rule, f.subject, f.arithmetic, f.source]
                     for f in findings]

    assert len(result['images']) == len(figures)
    for image, figure in zip(result['images'], figures):
        assert image['complete'] and image['naturalWidth'] > 0
        with Image.open(figure.path) as original:
            assert (image['naturalWidth'], image['naturalHeight']) == original.size
        assert image['alt'] == figure.caption

    with Image.open(png) as shot:
        assert shot.format == 'PNG'
        assert shot.size == (result['size']['width'], result['size']['height'])
        low, high = shot.convert('L').getextrema()
        assert high - low > 100  # text on a white page, not a blank capture
        # the pixels on screen are the figure files' (a truncated image would still
        # report its natural size from the header, but not show the plot)
        shot = shot.convert('RGB')
        for image, figure in zip(result['images'], figures):
            box = image['box']
            left, top = round(box['x']), round(box['y'])
            shown = shot.crop((left, top, left + box['width'], top + box['height']))
            with Image.open(figure.path) as original:
                diff = ImageChops.difference(shown, original.convert('RGB'))
            assert max(ImageStat.Stat(diff).mean) < MAX_MEAN_PIXEL_DIFF, figure.key


def test_checker_detects_a_broken_page(tmp_path):
    good = base64.b64encode(Path(sample_figures(tmp_path)[0].path).read_bytes()).decode()
    page = tmp_path / 'broken.html'
    page.write_text(f"""<!doctype html><html><head><title>broken</title></head><body>
<img id="good" alt="good" src="data:image/png;base64,{good}">
<img id="bad" alt="bad" src="data:image/png;base64,iVBORw0KGgoAAAAbroken">
<img alt="outside" src="http://127.0.0.1:9/outside.png">
<script>console.error('console trouble'); throw new Error('script trouble');</script>
</body></html>""", encoding='utf-8')
    png = tmp_path / 'broken_page.png'
    result = screenshot(page, png)

    assert result['ok'] is False
    assert [i['alt'] for i in result['broken_images']] == ['bad', 'outside']
    assert [i['alt'] for i in result['images'] if i['naturalWidth'] > 0] == ['good']
    assert any('console trouble' in line for line in result['console_errors'])
    assert any('script trouble' in line for line in result['exceptions'])
    assert result['external_requests'] == ['http://127.0.0.1:9/outside.png']
    assert png.is_file()
