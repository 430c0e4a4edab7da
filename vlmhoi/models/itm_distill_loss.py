"""VLM-HOI's image-text-matching distillation loss (paper Eq. 3-4, DESIGN.md section 2).

Called by ``HOIHead`` as an extra loss on the last decoder layer with its predictions and
Hungarian assignment (see ``hoi_head``). Two modes:

* ``mode='relaxed'`` (default): the differentiable relaxation of Eq. 4
  (:mod:`vlmhoi.models.itm_relaxation`), with the teacher's score table of the image over
  the prompt vocabulary, read from the teacher-score cache (``score_source='cache'``: the
  ``LoadTeacherScores`` transform puts it on ``data_sample.teacher_scores``) or computed by
  the teacher on the original image (``score_source='online'``, the paper's way).
* ``mode='reference_code'``: the ITM term of the published VLM-HOI code
  (:mod:`vlmhoi.models.itm_reference_code`; no gradient reaches the detector).

Logged: ``loss_itm`` (weighted; the only one of these that enters the total loss), its
parts ``loss_itm_pos`` / ``loss_itm_neg`` (per-image sums averaged over the batch,
unweighted) and the mean teacher score of positive and negative triplets ``itm_score_pos``
/ ``itm_score_neg``. The parts are listed in ``log_only_keys``: ``HOIDetector.parse_losses``
logs them without adding them to the loss a second time.
"""
from __future__ import annotations

import numpy as np
import torch
from mmdet.models.task_modules.assigners import AssignResult
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from torch import Tensor, nn

from ..teachers.prompts import PromptVocabulary, build_vocabulary, objectless_verbs
from ..vocab import HOIVocab, hico_vocab, vcoco_vocab
from .itm_reference_code import REFERENCE_SCORE, reference_itm
from .itm_relaxation import mean_scores, pair_tables, relaxed_itm, score_grid

MODES = ('relaxed', 'reference_code')
SCORE_SOURCES = ('cache', 'online')


def load_dataset_vocab(name: str, correct_mat: str | None = None) -> HOIVocab:
    """The HOI vocabulary a prompt vocabulary is built on (as ``HOIPostProcessor``)."""
    if name == 'hico':
        return hico_vocab()
    if name == 'vcoco':
        if correct_mat is None:
            raise ValueError("dataset_vocab='vcoco' needs correct_mat=<corre_vcoco.npy>")
        return vcoco_vocab(np.load(correct_mat, allow_pickle=False))
    raise ValueError(f"dataset_vocab must be 'hico' or 'vcoco', got {name!r}")


@MODELS.register_module()
class ITMDistillLoss(nn.Module):
    """L_ITM of Eq. 4 (relaxed) or of the published code.

    Args:
        alpha: the margin of Eq. 4 (Table 3 ablates 0, 1, 2).
        loss_weight: factor on ``loss_itm`` (Eq. 6 adds it with weight 1).
        prompt_form: a form of :mod:`vlmhoi.teachers.prompts` (Table 4: verb, object, full).
        dataset_vocab / correct_mat: the dataset's vocabulary (``'hico'`` or ``'vcoco'``
            with its ``corre_vcoco.npy``); the prompt texts are built on its valid pairs.
        num_objects: real object classes of the head; object logits beyond them ("no
            object", background) are never valid objects of a triplet.
        score_source: ``'cache'`` (``data_sample.teacher_scores``) or ``'online'``.
        teacher: teacher config (``vlmhoi.teachers`` registry), needed for ``'online'`` and
            for ``mode='reference_code'``; its ``score`` key is the score mode.
        mode: ``'relaxed'`` or ``'reference_code'``.
        neg_margin: see :func:`vlmhoi.models.itm_relaxation.relaxed_itm` (None = Eq. 4).
        reference_neg_images / reference_margin: the published code's constants (4, 1.0).
    """

    log_only_keys = ('loss_itm_pos', 'loss_itm_neg')

    def __init__(self, alpha: float = 1.0, loss_weight: float = 1.0,
                 prompt_form: str = 'full', dataset_vocab: str = 'hico',
                 correct_mat: str | None = None, num_objects: int = 80,
                 score_source: str = 'cache', teacher: dict | None = None,
                 mode: str = 'relaxed', neg_margin: float | None = None,
                 reference_neg_images: int = 4, reference_margin: float = 1.0) -> None:
        super().__init__()
        if mode not in MODES:
            raise ValueError(f'ITMDistillLoss mode must be one of {MODES}, got {mode!r}')
        if score_source not in SCORE_SOURCES:
            raise ValueError(f'score_source must be one of {SCORE_SOURCES}, got {score_source!r}')
        if (mode == 'reference_code' or score_source == 'online') and teacher is None:
            raise ValueError(f'ITMDistillLoss(mode={mode!r}, score_source={score_source!r}) '
                             'scores images on the fly and needs a teacher config')
        self.alpha, self.loss_weight, self.mode = alpha, loss_weight, mode
        self.score_source, self.neg_margin = score_source, neg_margin
        self.reference_neg_images, self.reference_margin = reference_neg_images, reference_margin
        self.hoi_vocab = load_dataset_vocab(dataset_vocab, correct_mat)
        self.num_objects = num_objects
        self.prompts: PromptVocabulary = build_vocabulary(self.hoi_vocab, prompt_form)
        if mode == 'reference_code':
            teacher = dict(teacher)
            if teacher.setdefault('score', REFERENCE_SCORE) != REFERENCE_SCORE:
                raise ValueError(f"mode='reference_code' scores {REFERENCE_SCORE!r} as the "
                                 f"published code does; the teacher config asks for "
                                 f"{teacher['score']!r}")
        self.teacher_cfg = teacher
        self._teacher = None        # kept out of state_dict (frozen), see ``teacher``
        self._table_cache: dict[tuple[int, str], tuple[Tensor, Tensor]] = {}
        if mode == 'reference_code' or score_source == 'online':
            self.build_teacher()     # now: missing weights stop training at start-up

    def build_teacher(self):
        """Build the frozen teacher from ``teacher_cfg`` unless built already."""
        return self.teacher

    @property
    def teacher(self):
        """The frozen teacher (built when first needed, at construction for the online and
        reference modes; never a submodule, never in checkpoints). With the cache it is never
        built: the training step does no teacher forward."""
        if self._teacher is None:
            from ..teachers import build_teacher
            # not registered as a submodule: no teacher keys in state_dict / parameters
            object.__setattr__(self, '_teacher', build_teacher(self.teacher_cfg))
        return self._teacher

    def _tables(self, num_obj_logits: int, device: torch.device) -> tuple[Tensor, Tensor]:
        """Text index and validity (V, K') over the head's object logits. With a "no
        object" logit (V-COCO heads: K' = num_objects + 2), an action without object role
        predicted with "no object" is a valid triplet with the action's object-free text.
        Built once per (K', device): the vocabulary does not change during training."""
        key = (num_obj_logits, str(device))
        if key not in self._table_cache:
            self._table_cache[key] = self._build_tables(num_obj_logits, device)
        return self._table_cache[key]

    def _build_tables(self, num_obj_logits: int, device: torch.device) -> tuple[Tensor, Tensor]:
        pairs, texts = list(self.prompts.pairs), list(self.prompts.pair_to_text)
        if num_obj_logits == self.num_objects + 2:
            for v in objectless_verbs(self.hoi_vocab):
                k = next((i for i, (pv, _) in enumerate(self.prompts.pairs) if pv == v), None)
                if k is not None:
                    pairs.append((v, self.num_objects))
                    texts.append(self.prompts.pair_to_text[k])
        text_idx, valid = pair_tables(pairs, texts, self.hoi_vocab.num_verbs, num_obj_logits)
        return text_idx.to(device), valid.to(device)

    def teacher_scores(self, batch_data_samples: SampleList, device: torch.device) -> Tensor:
        """(B, T) teacher scores of each image over ``self.prompts.texts``."""
        if self.score_source == 'online':
            from ..teachers.cache_builder import TeacherScorer
            scorer = TeacherScorer(self.teacher, self.prompts)   # the cache builder's path
            return scorer.score_data_samples(batch_data_samples).to(device)
        rows = []
        for ds in batch_data_samples:
            if 'teacher_scores' not in ds:
                raise KeyError(f"{ds.metainfo.get('img_path', '?')}: no teacher_scores on the "
                               "data sample; add LoadTeacherScores to the train pipeline or "
                               "set score_source='online'")
            row = torch.as_tensor(ds.teacher_scores, dtype=torch.float32)
            if row.numel() != len(self.prompts):
                raise ValueError(f"{ds.metainfo.get('img_path', '?')}: teacher_scores has "
                                 f'{row.numel()} entries, the {self.prompts.form!r} prompt '
                                 f'vocabulary {len(self.prompts)}: the cache was built for '
                                 'other prompts')
            rows.append(row)
        return torch.stack(rows).to(device)

    def forward(self, predictions: dict[str, Tensor], assignments: list[AssignResult],
                batch_data_samples: SampleList) -> dict[str, Tensor]:
        obj_logits, verb_logits = predictions['obj_logits'], predictions['verb_logits']
        if self.mode == 'reference_code':
            return reference_itm(self, obj_logits, verb_logits, batch_data_samples)
        scores = self.teacher_scores(batch_data_samples, obj_logits.device)
        text_idx, valid = self._tables(obj_logits.size(-1), obj_logits.device)
        grid = score_grid(scores.to(obj_logits.dtype), text_idx)
        obj_probs, verb_probs = obj_logits.softmax(-1), verb_logits.sigmoid()
        matched = torch.stack([a.gt_inds > 0 for a in assignments])
        pos, neg = relaxed_itm(obj_probs, verb_probs, grid, valid, matched, self.alpha,
                               self.neg_margin)
        batch = max(len(batch_data_samples), 1)
        pos, neg = pos.sum() / batch, neg.sum() / batch
        score_pos, score_neg = mean_scores(grid, valid, obj_probs, verb_probs, matched)
        return dict(loss_itm=self.loss_weight * (pos + neg), loss_itm_pos=pos.detach(),
                    loss_itm_neg=neg.detach(), itm_score_pos=score_pos,
                    itm_score_neg=score_neg)

