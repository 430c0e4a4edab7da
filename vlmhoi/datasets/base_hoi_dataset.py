"""Shared loader for HOI annotation files in the QPIC / CDN / GEN-VLKT / MUREN format."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from mmengine.dataset import BaseDataset
from mmengine.logging import MMLogger, print_log

from ..hoi_annotation_format import read_annotation_file
from ..hoi_format_errors import AnnotationFormatError
from ..rare_split import RARE_THRESHOLD, rare_split
from ..vocab import HOIVocab
from .hoi_annotation_checks import check_entry

PREPARE_DOC = 'docs/datasets.md'


class BaseHOIDataset(BaseDataset):
    """Reads one annotation file, validates every entry and yields detector inputs.

    Args:
        skip_invalid: if False (default) the first invalid entry raises
            ``AnnotationFormatError``; if True invalid image entries are skipped, counted
            (``self.skipped`` holds ``(index, reason)``) and the count is logged.
        box_tolerance: pixels a box may exceed the image border (HICO-DET's 1-based
            inclusive coordinates reach ``width``).
        train_ann_file: file whose counts define the rare split (default: ``ann_file``).
    """

    ALLOW_NO_OBJECT = False

    def __init__(self, *args, skip_invalid: bool = False, box_tolerance: float = 1.0,
                 train_ann_file: str | None = None, **kwargs) -> None:
        self.skip_invalid = skip_invalid
        self.box_tolerance = box_tolerance
        self.train_ann_file = train_ann_file
        self.skipped: list[tuple[int, str]] = []
        super().__init__(*args, **kwargs)

    # subclasses provide the vocabulary
    @property
    def vocab(self) -> HOIVocab:
        raise NotImplementedError

    def _check_paths(self) -> tuple[Path, Path]:
        ann = Path(self.ann_file)
        img_dir = Path(self.data_prefix.get('img', ''))
        missing = [p for p in (ann, img_dir) if not p.exists()]
        if missing:
            raise FileNotFoundError(
                f'{type(self).__name__}: expected {", ".join(map(str, missing))} under '
                f'data_root={self.data_root!r}. See {PREPARE_DOC} for how to prepare '
                f'{self.vocab.name.upper()} data, or run the synthetic demo: '
                '`python tools/make_synth.py --out data/synth --seed 0` and a *_synth.py '
                'config.')
        return ann, img_dir

    def load_data_list(self) -> list[dict]:
        ann, img_dir = self._check_paths()
        entries = read_annotation_file(ann)
        vocab = self.vocab
        data_list = []
        for index, entry in enumerate(entries):
            try:
                width, height = check_entry(ann, index, entry, vocab, img_dir,
                                            self.ALLOW_NO_OBJECT, self.box_tolerance)
            except AnnotationFormatError as err:
                if not self.skip_invalid:
                    raise
                self.skipped.append((index, str(err)))
                continue
            data_list.append(self.parse_entry(entry, index, img_dir, width, height))
        if self.skipped:
            print_log(f'{type(self).__name__}: skipped {len(self.skipped)} of {len(entries)} '
                      f'invalid entries of {ann} (skip_invalid=True); first: '
                      f'{self.skipped[0][1]}', logger=MMLogger.get_current_instance(),
                      level=30)
        return data_list

    def parse_entry(self, entry: dict, index: int, img_dir: Path, width: int,
                    height: int) -> dict:
        """Convert a validated entry into the data-info dict of docs/design_notes.md."""
        vocab = self.vocab
        instances = [dict(bbox=[float(c) for c in b['bbox']],
                          bbox_label=vocab.object_index(b['category_id']), ignore_flag=0)
                     for b in entry['annotations']]
        verbs_by_pair: dict[tuple[int, int], list[int]] = {}
        for hoi in entry['hoi_annotation']:
            pair = (hoi['subject_id'], hoi['object_id'])
            verb = vocab.verb_index(hoi['category_id'])
            verbs = verbs_by_pair.setdefault(pair, [])
            if verb not in verbs:
                verbs.append(verb)
        hois = [dict(subject=s, object=o, verbs=v) for (s, o), v in verbs_by_pair.items()]
        return dict(img_path=str(img_dir / entry['file_name']), file_name=entry['file_name'],
                    img_id=int(entry.get('img_id', index)), height=height, width=width,
                    instances=instances, hois=hois, num_verbs=vocab.num_verbs,
                    num_objects=vocab.num_objects)

    def filter_data(self) -> list[dict]:
        """Honour ``filter_cfg=dict(filter_empty_gt=True)``: drop images without pairs."""
        if self.test_mode or not self.filter_cfg or not self.filter_cfg.get('filter_empty_gt'):
            return self.data_list
        kept = [d for d in self.data_list if d['hois']]
        dropped = len(self.data_list) - len(kept)
        if dropped:
            print_log(f'{type(self).__name__}: filter_empty_gt dropped {dropped} images '
                      'without HOI pairs', logger=MMLogger.get_current_instance())
        return kept

    def category_counts(self) -> Counter:
        """Instances per HOI category (verb index, object index) in the rare-split file."""
        path = Path(self.train_ann_file or self.ann_file)
        vocab, counts = self.vocab, Counter()
        for entry in read_annotation_file(path):
            boxes = entry['annotations']
            for hoi in entry['hoi_annotation']:
                obj = hoi['object_id']
                obj_index = vocab.object_index(boxes[obj]['category_id']) if obj >= 0 \
                    else vocab.num_objects
                counts[(vocab.verb_index(hoi['category_id']), obj_index)] += 1
        return counts

    def rare_categories(self, threshold: int = RARE_THRESHOLD) -> set[tuple[int, int]]:
        """Valid categories that :func:`vlmhoi.rare_split.rare_split` calls rare: 1 to
        ``threshold - 1`` training instances (categories without any are in neither part,
        as in the reference evaluator)."""
        counts = self.category_counts()
        pairs = list(self.vocab.valid_pairs)
        rare, _ = rare_split([counts[p] for p in pairs], threshold=threshold)
        return {p for p, r in zip(pairs, rare) if r}
