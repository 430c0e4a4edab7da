"""Open an HTML file in headless Chromium and report what a reader would see.

:func:`screenshot` loads a page, lists its tables (cell texts and tooltips) and images
(loaded or broken), collects console errors, JavaScript exceptions and requests that leave
the file (a self-contained report makes none), and saves a full-page PNG. The browser is
driven through the Chrome DevTools Protocol over ``--remote-debugging-pipe`` (NUL-framed
JSON on file descriptors 3 and 4): standard library only, no port to race for, no
websocket client. Every run uses a fresh temporary profile, and the browser's process
group is killed on the way out, whatever happened.
"""
from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

#: binaries tried in this order when ``VLMHOI_CHROMIUM`` is not set
CANDIDATES = ('chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable')
VIEWPORT = {'width': 1280, 'height': 800}
MAX_HEIGHT = 16384  # Chromium's largest capture surface, in CSS pixels at scale 1
#: URL schemes a self-contained page may load
LOCAL_SCHEMES = ('data:', 'file:', 'about:', 'chrome-error:')

#: runs in the page after load: the tables' visible texts, tooltips and kinds; each image
#: (after decoding) with its natural size and its content box on the page
_INSPECT = r"""
(async () => {
  await Promise.all([...document.images].map(i => i.decode().catch(() => null)));
  const text = el => (el.querySelector('.v') || el).innerText.trim();
  const tables = [...document.querySelectorAll('table')].map(t => ({
    id: t.id,
    caption: t.caption ? t.caption.innerText.trim() : '',
    header: [...t.querySelectorAll('thead th')].map(th => th.innerText.trim()),
    rows: [...t.querySelectorAll('tbody tr')].map(tr =>
      [...tr.children].map(td => ({text: text(td), title: td.title || '',
                                   kind: td.dataset.kind || ''}))),
  }));
  const images = [...document.images].map(i => {
    const r = i.getBoundingClientRect();  // content box, in page pixels (border excluded)
    return {src: i.currentSrc.slice(0, 60), alt: i.alt, complete: i.complete,
            naturalWidth: i.naturalWidth, naturalHeight: i.naturalHeight,
            box: {x: r.left + window.scrollX + i.clientLeft,
                  y: r.top + window.scrollY + i.clientTop,
                  width: i.clientWidth, height: i.clientHeight}};
  });
  return {title: document.title, tables, images};
})()
"""


class BrowserError(RuntimeError):
    """Chromium could not be started, or did not answer in time."""


def find_chromium() -> str | None:
    """The Chromium binary: ``$VLMHOI_CHROMIUM``, else the first of :data:`CANDIDATES`
    on ``PATH``; ``None`` when there is none."""
    explicit = os.environ.get('VLMHOI_CHROMIUM')
    if explicit:
        return explicit if shutil.which(explicit) else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _onto_3_and_4(read_end: int, write_end: int) -> None:
    """In the child: Chromium reads commands on fd 3 and writes answers on fd 4. The
    ends are first moved above 9 so that neither is overwritten by the other's dup2;
    dup2 makes 3 and 4 inheritable, every other pipe end closes at exec."""
    high_read, high_write = (fcntl.fcntl(read_end, fcntl.F_DUPFD, 10),
                             fcntl.fcntl(write_end, fcntl.F_DUPFD, 10))
    os.dup2(high_read, 3)
    os.dup2(high_write, 4)
    os.close(high_read)
    os.close(high_write)


class _Pipe:
    """One headless Chromium and its DevTools pipe: ``call`` a method, collect events."""

    def __init__(self, binary: str, profile: str, stderr_path: Path, timeout: float):
        self.timeout = timeout
        self.events: list[dict[str, Any]] = []
        self._next_id = 0
        self._buffer = b''
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        args = [binary, '--headless=new', '--remote-debugging-pipe',
                f'--user-data-dir={profile}', '--no-first-run', '--no-default-browser-check',
                '--disable-gpu', '--disable-dev-shm-usage', '--disable-extensions',
                '--disable-background-networking', '--disable-sync', '--mute-audio',
                '--hide-scrollbars', '--force-color-profile=srgb', 'about:blank']
        if hasattr(os, 'geteuid') and os.geteuid() == 0:
            args.insert(1, '--no-sandbox')  # Chromium refuses to run as root with a sandbox
        self._stderr = open(stderr_path, 'wb')  # noqa: SIM115 (closed in close())
        try:
            self.proc = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=self._stderr, stderr=self._stderr,
                start_new_session=True, close_fds=False,
                preexec_fn=lambda: _onto_3_and_4(to_child_r, from_child_w))
        except BaseException:
            self._stderr.close()
            raise
        finally:
            os.close(to_child_r)
            os.close(from_child_w)

    def _message(self, deadline: float) -> dict[str, Any]:
        """The next NUL-terminated message (a screenshot is megabytes: chunks are joined
        once, not re-scanned)."""
        chunks = [self._buffer]
        while b'\0' not in chunks[-1]:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_child], [], [], left)[0]:
                raise BrowserError(f'Chromium did not answer within {self.timeout:.0f} s')
            chunk = os.read(self._from_child, 1 << 20)
            if not chunk:
                raise BrowserError(f'Chromium exited (status {self.proc.poll()})')
            chunks.append(chunk)
        raw, self._buffer = b''.join(chunks).split(b'\0', 1)
        return json.loads(raw)

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send one command and return its result (events seen meanwhile are kept)."""
        self._next_id += 1
        message: dict[str, Any] = {'id': self._next_id, 'method': method,
                                   'params': params or {}}
        if session:
            message['sessionId'] = session
        os.write(self._to_child, json.dumps(message).encode() + b'\0')
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._message(deadline)
            if reply.get('id') == self._next_id:
                if 'error' in reply:
                    raise BrowserError(f'{method}: {reply["error"]}')
                return reply.get('result', {})
            if 'method' in reply:
                self.events.append(reply)

    def wait_event(self, method: str, session: str) -> dict:
        """Block until the event ``method`` of ``session`` arrives."""
        deadline = time.monotonic() + self.timeout
        for event in self.events:
            if event['method'] == method and event.get('sessionId') == session:
                return event
        while True:
            event = self._message(deadline)
            if 'method' in event:
                self.events.append(event)
                if event['method'] == method and event.get('sessionId') == session:
                    return event

    def close(self) -> None:
        """Ask the browser to quit, then kill its process group; close the pipes."""
        try:
            if self.proc.poll() is None:
                try:
                    os.write(self._to_child, json.dumps(
                        {'id': 0, 'method': 'Browser.close'}).encode() + b'\0')
                    self.proc.wait(timeout=3)
                except (OSError, subprocess.TimeoutExpired):
                    pass
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)  # renderers and helpers too
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.wait(timeout=10)
        finally:
            for fd in (self._to_child, self._from_child):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self._stderr.close()


def _problems(events: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Console errors, uncaught exceptions and non-local requests among the events."""
    console, exceptions, external = [], [], []
    for event in events:
        method, params = event['method'], event.get('params', {})
        if method == 'Runtime.consoleAPICalled' and params.get('type') in ('error', 'assert'):
            console.append(' '.join(str(a.get('value', a.get('description', '')))
                                    for a in params.get('args', [])))
        elif method == 'Log.entryAdded' and params['entry'].get('level') == 'error':
            entry = params['entry']
            console.append(f'{entry.get("text", "")} {entry.get("url", "")}'.strip())
        elif method == 'Runtime.exceptionThrown':
            details = params['exceptionDetails']
            exceptions.append(details.get('exception', {}).get('description')
                              or details.get('text', ''))
        elif method == 'Network.requestWillBeSent':
            url = params['request']['url']
            if not url.startswith(LOCAL_SCHEMES):
                external.append(url)
    return {'console_errors': console, 'exceptions': exceptions, 'external_requests': external}


def screenshot(html_path: str | Path, png_path: str | Path, timeout: float = 30.0) -> dict:
    """Load ``html_path`` in headless Chromium, save a full-page PNG to ``png_path``.

    Returns ``{'ok', 'title', 'tables', 'images', 'broken_images', 'console_errors',
    'exceptions', 'external_requests', 'screenshot', 'size'}``; ``ok`` is true when no
    image is broken and there is no console error, exception or external request.
    Raises :class:`BrowserError` when no Chromium is found or it does not answer within
    ``timeout`` seconds per step.
    """
    html_path, png_path = Path(html_path).resolve(), Path(png_path)
    if not html_path.is_file():
        raise FileNotFoundError(f'no HTML file {html_path} to open in the browser')
    binary = find_chromium()
    if binary is None:
        raise BrowserError(f'no Chromium binary found (set VLMHOI_CHROMIUM or install one '
                           f'of {", ".join(CANDIDATES)})')
    profile = tempfile.mkdtemp(prefix='vlmhoi-chromium-')
    log = Path(profile).with_name(Path(profile).name + '.log')
    browser = None
    try:
        browser = _Pipe(binary, profile, log, timeout)
        target = browser.call('Target.createTarget', {'url': 'about:blank'})['targetId']
        session = browser.call('Target.attachToTarget',
                               {'targetId': target, 'flatten': True})['sessionId']
        for domain in ('Page', 'Runtime', 'Log', 'Network'):
            browser.call(f'{domain}.enable', session=session)
        browser.call('Emulation.setDeviceMetricsOverride',
                     {**VIEWPORT, 'deviceScaleFactor': 1, 'mobile': False}, session)
        browser.events.clear()
        nav = browser.call('Page.navigate', {'url': html_path.as_uri()}, session)
        if nav.get('errorText'):
            raise BrowserError(f'{html_path}: {nav["errorText"]}')
        browser.wait_event('Page.loadEventFired', session)
        found = browser.call('Runtime.evaluate', {'expression': _INSPECT, 'awaitPromise': True,
                                                  'returnByValue': True}, session)
        if 'exceptionDetails' in found:
            raise BrowserError(f'inspecting {html_path}: {found["exceptionDetails"]}')
        page = found['result']['value']
        size = browser.call('Page.getLayoutMetrics', session=session)['cssContentSize']
        width = max(VIEWPORT['width'], int(size['width']))
        height = min(MAX_HEIGHT, max(1, int(size['height'])))
        shot = browser.call('Page.captureScreenshot', {
            'format': 'png', 'captureBeyondViewport': True,
            'clip': {'x': 0, 'y': 0, 'width': width, 'height': height, 'scale': 1}}, session)
        png_path.parent.mkdir(parents=True, exist_ok=True)
        png_path.write_bytes(base64.b64decode(shot['data']))
        problems = _problems(browser.events)
    except BrowserError as err:
        tail = log.read_text(errors='replace')[-2000:] if log.exists() else ''
        raise BrowserError(f'{err}\n[chromium {binary} output]\n{tail}') from None
    finally:
        if browser is not None:
            browser.close()
        shutil.rmtree(profile, ignore_errors=True)
        log.unlink(missing_ok=True)
    broken = [img for img in page['images']
              if not img['complete'] or img['naturalWidth'] <= 0]
    ok = not broken and not any(problems.values())
    return {'ok': ok, 'title': page['title'], 'tables': page['tables'],
            'images': page['images'], 'broken_images': broken, **problems,
            'screenshot': str(png_path), 'size': {'width': width, 'height': height}}
