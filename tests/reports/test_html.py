"""The HTML page without a browser: escaping, provenance of every cell, self-contained
output, and clear errors for a missing figure, a non-image file, a ragged row."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from reports.browser import BrowserError, screenshot
from reports.model import Cell, Figure, Table
from reports.page import render_html, write_html
from tests.reports.html_page import (
    sample_figures,
    sample_findings,
    sample_meta,
    sample_tables,
)


class _Tags(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _page(tmp_path, tables=None, figures=None):
    return render_html('T', sample_tables() if tables is None else tables,
                       sample_figures(tmp_path) if figures is None else figures,
                       sample_findings(), sample_meta())


def test_page_is_self_contained_and_escaped(tmp_path):
    page = _page(tmp_path)
    parser = _Tags()
    parser.feed(page)
    tags = [tag for tag, _ in parser.tags]
    assert 'script' not in tags and 'link' not in tags and 'iframe' not in tags
    for tag, attrs in parser.tags:
        for name in ('src', 'href'):
            if name in attrs:
                assert attrs[name].startswith(('data:image/png;base64,', '#')), (tag, attrs)
    assert "default-src 'none'" in page
    assert '&lt;b&gt;baseline&lt;/b&gt;' in page and '<b>baseline' not in page
    assert 'test machine &lt;2 cores&gt;' in page
    # meta in the caller's order
    names = re.findall(r'<dt>(.*?)</dt>', page)
    assert names == list(sample_meta())


def test_every_cell_carries_its_provenance(tmp_path):
    page = _page(tmp_path)
    parser = _Tags()
    parser.feed(page)
    titles = [attrs.get('title', '') for tag, attrs in parser.tags
              if tag == 'td' and 'data-kind' in attrs]
    cells = [c for t in sample_tables() for row in t.rows for c in row]
    assert titles == [c.provenance() for c in cells]
    notes = re.findall(r'<ol class="sources"[^>]*>(.*?)</ol>', page, re.S)
    listed = ' '.join(notes)
    for cell in cells:
        if cell.provenance():
            assert cell.provenance().replace('&', '&amp;') in listed
    for note in sample_tables()[0].notes:
        assert note.replace('"', '&#34;') in page


def test_write_html_writes_the_rendered_page(tmp_path):
    out = write_html(tmp_path / 'sub' / 'report.html', 'T', sample_tables(),
                     sample_figures(tmp_path), sample_findings(), sample_meta())
    assert out.read_text(encoding='utf-8') == _page(tmp_path)


def test_missing_figure_names_key_and_path(tmp_path):
    missing = tmp_path / 'nowhere.png'
    with pytest.raises(FileNotFoundError, match=rf"figure 'pr_curves'.*{re.escape(str(missing))}"):
        _page(tmp_path, figures=[Figure('pr_curves', str(missing), 'PR', 'runs')])


def test_figure_that_is_not_a_png_is_refused(tmp_path):
    fake = tmp_path / 'fake.png'
    fake.write_text('not an image')
    with pytest.raises(ValueError, match=r"figure 'fake'.*not a image/png file"):
        _page(tmp_path, figures=[Figure('fake', str(fake), 'c', 's')])
    svg = tmp_path / 'plot.svg'
    svg.write_text('<svg/>')
    with pytest.raises(ValueError, match=r"figure 'svg'.*not one of the image types"):
        _page(tmp_path, figures=[Figure('svg', str(svg), 'c', 's')])


def test_ragged_row_and_duplicate_keys_are_errors(tmp_path):
    table = Table('table9', 't', ['a', 'b'])
    table.rows.append([Cell.text('only one')])
    with pytest.raises(ValueError, match=r"table 'table9': row 0 has 1 cells for 2 columns"):
        _page(tmp_path, tables=[table], figures=[])
    twice = [Table('table1', 'x', ['a']), Table('table1', 'y', ['a'])]
    with pytest.raises(ValueError, match="two tables have the key 'table1'"):
        _page(tmp_path, tables=twice, figures=[])


def test_screenshot_without_chromium_says_so(tmp_path, monkeypatch):
    page = tmp_path / 'p.html'
    page.write_text('<p>x</p>')
    monkeypatch.setenv('VLMHOI_CHROMIUM', str(tmp_path / 'no-such-browser'))
    with pytest.raises(BrowserError, match='no Chromium binary found'):
        screenshot(page, tmp_path / 'p.png')
