"""A contact sheet: sample images with their boxes, pair links and triplet labels."""
from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .records import ImageRecord

SHEET_FILE = 'contact_sheet.png'
TILE_MIN_PX = 256          # small images are upscaled (nearest) to at least this
LINE_PX = 12               # caption line height
MAX_LINES = 6
PERSON_BOX = (0, 200, 0)
OBJECT_BOX = (230, 60, 20)
LINK = (255, 230, 0)
PAD = 6


def _captions(record: ImageRecord) -> list[str]:
    """One line per (person, object) pair: 'p1 ride+sit_on bicycle'; idle people last."""
    boxes = record.scene.boxes
    person_no = {k: i + 1 for i, k in
                 enumerate(k for k, (name, _) in enumerate(boxes) if name == 'person')}
    pairs: dict[tuple[int, int], list[str]] = defaultdict(list)
    for sub, obj, verb in record.scene.hico:
        pairs[(sub, obj)].append(verb)
    lines = [f'p{person_no[s]} {"+".join(v)} {boxes[o][0]}' for (s, o), v in pairs.items()]
    busy = {s for s, _ in pairs}
    idle = [f'p{n}' for k, n in person_no.items() if k not in busy]
    if idle:
        lines.append(f'{",".join(idle)}: no interaction')
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES - 1] + [f'... {len(lines) - MAX_LINES + 1} more']
    return lines


def _tile(record: ImageRecord, root: Path, font) -> Image.Image:
    img = Image.open(root / record.image_dir / record.file_name).convert('RGB')
    scale = max(1, math.ceil(TILE_MIN_PX / img.width))
    img = img.resize((img.width * scale, img.height * scale), Image.Resampling.NEAREST)
    tile = Image.new('RGB', (img.width, img.height + LINE_PX * MAX_LINES + PAD), (255, 255, 255))
    tile.paste(img, (0, 0))
    draw = ImageDraw.Draw(tile)
    boxes = record.scene.boxes
    centers = {k: ((b[0] + b[2]) / 2 * scale, (b[1] + b[3]) / 2 * scale)
               for k, (_, b) in enumerate(boxes)}
    for sub, obj in {(s, o) for s, o, _ in record.scene.hico}:
        draw.line([centers[sub], centers[obj]], fill=LINK, width=2)
    person_no = 0
    for name, b in boxes:
        color = PERSON_BOX if name == 'person' else OBJECT_BOX
        draw.rectangle([v * scale for v in b], outline=color, width=2)
        if name == 'person':
            person_no += 1
            draw.text((b[0] * scale + 3, b[1] * scale + 2), f'p{person_no}', fill=color,
                      font=font)
    for i, line in enumerate(_captions(record)):
        draw.text((3, img.height + 2 + i * LINE_PX), line, fill=(0, 0, 0), font=font)
    return tile


def make_contact_sheet(root: Path, records: list[ImageRecord], n: int = 16,
                       cols: int = 4) -> Path:
    """Draw the first ``n`` records into ``root/contact_sheet.png``; return its path."""
    font = ImageFont.load_default()
    tiles = [_tile(r, root, font) for r in records[:n]]
    if not tiles:
        raise ValueError('no images to put on the contact sheet')
    cols = min(cols, len(tiles))
    rows = math.ceil(len(tiles) / cols)
    tw, th = tiles[0].size
    sheet = Image.new('RGB', (cols * (tw + PAD) + PAD, rows * (th + PAD) + PAD), (200, 200, 200))
    for i, t in enumerate(tiles):
        sheet.paste(t, (PAD + (i % cols) * (tw + PAD), PAD + (i // cols) * (th + PAD)))
    path = root / SHEET_FILE
    sheet.save(path)
    return path
