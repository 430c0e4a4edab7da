"""Drawing a sampled ``Scene`` with PIL (supersampled, then downsampled)."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from . import poses
from .scene import TETHER, Figure, Scene, Thing
from .shapes import LOOKS, Prim

CLOUD: tuple[int, int, int] = (250, 250, 252)
EYE: tuple[int, int, int] = (20, 20, 20)
SMILE: tuple[int, int, int] = (170, 30, 40)
FAR_SHADE = 0.72          # far-side limbs are drawn darker
HAND_R = 0.75             # hand disc radius, fraction of the arm width
FACE_R = 0.80             # face disc radius (head radii); the rim left over is hair
FACE_SHIFT = 0.45         # face centre moves this fraction of the eye offset forward
EYE_R = 0.14              # head radii
SMILE_BOX = (-0.30, -0.12, 0.30, 0.22)   # smile ellipse around the mouth, head radii
CLOUD_PUFFS = ((-1.0, -0.4, 1.0, 0.4), (-0.5, -0.7, 0.4, 0.2))  # cloud radii units


class _Canvas:
    """An ImageDraw at ``k`` times the image resolution taking image-pixel coordinates."""

    def __init__(self, size: int, k: int, background: tuple[int, int, int]) -> None:
        self.k = k
        self.image = Image.new('RGB', (size * k, size * k), background)
        self.draw = ImageDraw.Draw(self.image)

    def _p(self, x: float, y: float) -> tuple[float, float]:
        return (x * self.k, y * self.k)

    def _w(self, width_px: float) -> int:
        return max(1, int(round(width_px * self.k)))

    def disc(self, c: np.ndarray, r: float, fill) -> None:
        x, y = self._p(*c)
        rk = r * self.k
        self.draw.ellipse((x - rk, y - rk, x + rk, y + rk), fill=fill)

    def segment(self, a: np.ndarray, b: np.ndarray, width_px: float, fill) -> None:
        self.draw.line([self._p(*a), self._p(*b)], fill=fill, width=self._w(width_px))
        self.disc(a, width_px / 2, fill)
        self.disc(b, width_px / 2, fill)

    def rect(self, box, fill, outline=None, width_px: float = 0.0) -> None:
        x0, y0 = self._p(box[0], box[1])
        x1, y1 = self._p(box[2], box[3])
        self.draw.rectangle((min(x0, x1), y0, max(x0, x1), y1), fill=fill, outline=outline,
                            width=self._w(width_px) if outline else 0)

    def ellipse(self, box, fill, outline=None, width_px: float = 0.0) -> None:
        x0, y0 = self._p(box[0], box[1])
        x1, y1 = self._p(box[2], box[3])
        self.draw.ellipse((min(x0, x1), y0, max(x0, x1), y1), fill=fill, outline=outline,
                          width=self._w(width_px) if outline else 0)

    def polygon(self, pts, fill, outline=None, width_px: float = 0.0) -> None:
        self.draw.polygon([self._p(*p) for p in pts], fill=fill, outline=outline,
                          width=self._w(width_px) if outline else 0)

    def polyline(self, pts, width_px: float, fill) -> None:
        self.draw.line([self._p(*p) for p in pts], fill=fill, width=self._w(width_px))
        for p in pts:
            self.disc(np.asarray(p), width_px / 2, fill)


def _draw_background(c: _Canvas, scene: Scene) -> None:
    bg = scene.background
    c.rect((0, bg['horizon'], scene.size, scene.size), bg['ground'])
    for x, y, r in bg['clouds']:
        for x0, y0, x1, y1 in CLOUD_PUFFS:
            c.ellipse((x + x0 * r, y + y0 * r, x + x1 * r, y + y1 * r), CLOUD)


def _segments(c: _Canvas, fig: Figure, segs, color) -> None:
    for a, b, w in segs:
        c.segment(fig.kps[a], fig.kps[b], w * fig.unit_px, color)


def _draw_body(c: _Canvas, fig: Figure) -> None:
    shade = tuple(int(v * FAR_SHADE) for v in fig.shirt)
    pants_shade = tuple(int(v * FAR_SHADE) for v in fig.pants)
    _segments(c, fig, poses.BACK_SEGMENTS[:3], pants_shade)
    _segments(c, fig, poses.BACK_SEGMENTS[3:], shade)
    c.disc(fig.kps['hand_b'], poses.ARM_W * HAND_R * fig.unit_px, fig.skin)
    _segments(c, fig, poses.FRONT_LEG_SEGMENTS, fig.pants)
    _segments(c, fig, poses.BODY_SEGMENTS, fig.shirt)
    r = poses.HEAD_R * fig.unit_px
    head = fig.kps['head']
    # hair: the whole head disc, then the face as a smaller disc shifted towards the eye
    c.disc(head, r, fig.hair)
    look = fig.kps['eye'] - head
    c.disc(head + look * FACE_SHIFT, FACE_R * r, fig.skin)
    c.disc(fig.kps['eye'], max(0.6, EYE_R * r), EYE)
    if fig.smile:
        m = fig.kps['mouth']
        c.ellipse(tuple(m[i % 2] + v * r for i, v in enumerate(SMILE_BOX)), SMILE)


def _draw_front_arm(c: _Canvas, fig: Figure) -> None:
    _segments(c, fig, poses.FRONT_ARM_SEGMENTS, fig.shirt)
    c.disc(fig.kps['hand_f'], poses.ARM_W * HAND_R * fig.unit_px, fig.skin)


def _draw_prim(c: _Canvas, prim: Prim, t: Thing) -> None:
    x0, y0, x1, y1 = t.unit_box
    w, h = x1 - x0, y1 - y0

    def tr(u: float, v: float) -> tuple[float, float]:
        return (x0 + ((1 - u) if t.flip else u) * w, y0 + v * h)

    width_px = prim.width * t.unit_px
    if prim.kind in ('rect', 'ellipse', 'ring'):
        (ax, ay), (bx, by) = tr(prim.pts[0], prim.pts[1]), tr(prim.pts[2], prim.pts[3])
        box = (min(ax, bx), ay, max(ax, bx), by)
        if prim.kind == 'rect':
            c.rect(box, prim.fill, prim.outline, width_px)
        elif prim.kind == 'ellipse':
            c.ellipse(box, prim.fill, prim.outline, width_px)
        else:
            c.ellipse(box, None, prim.fill, width_px)
    elif prim.kind == 'poly':
        c.polygon([tr(*p) for p in prim.pts], prim.fill, prim.outline, width_px)
    elif prim.kind == 'line':
        c.polyline([tr(*p) for p in prim.pts], width_px, prim.fill)
    else:
        raise ValueError(f'unknown primitive kind {prim.kind!r}')


def _draw_thing(c: _Canvas, t: Thing) -> None:
    for prim in LOOKS[t.name].prims:
        _draw_prim(c, prim, t)


def render_scene(scene: Scene, supersample: int = 2) -> Image.Image:
    """Draw a scene into a ``size`` x ``size`` RGB image."""
    c = _Canvas(scene.size, supersample, scene.background['sky'])
    _draw_background(c, scene)
    for op in scene.ops:
        if op[0] == 'thing':
            _draw_thing(c, op[1])
        elif op[0] == 'tether':
            c.segment(op[1], op[2], op[3], TETHER)
        elif op[0] == 'person':
            fig, part = op[1], op[2]
            if part in ('body', 'all'):
                _draw_body(c, fig)
            if part in ('front_arm', 'all'):
                _draw_front_arm(c, fig)
        else:
            raise ValueError(f'unknown draw op {op[0]!r}')
    if supersample == 1:
        return c.image
    return c.image.resize((scene.size, scene.size), Image.Resampling.LANCZOS)
