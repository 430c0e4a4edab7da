"""The embedded teachers' model shapes and training recipes (every number lives here).

``BLIP_RECIPE`` / ``CLIP_RECIPE`` are the defaults of ``tools/train_teacher.py``. Training is
capped at ``DEFAULT_MINUTES`` of wall time on 2 CPU cores (the schedule anneals by time when
the step budget does not fit); what a run reached is in the ``training_report.json`` next
to each saved model (steps, wall and CPU seconds, machine load, ranking table).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace

TEACHER_NAMES = {'blip': 'embedded_blip_itm', 'clip': 'embedded_clip'}
MAX_TEXT_LENGTH = 16            # tokens incl. specials; the longest synthetic sentence has 9
DEFAULT_MINUTES = 5.0           # wall-clock cap of one teacher's training


@dataclass(frozen=True)
class TeacherRecipe:
    """Model shape and optimisation of one embedded teacher."""

    kind: str                   # 'blip' | 'clip'
    image_size: int = 128       # teacher input side (pixels); corpus images are stored so
    patch_size: int = 16
    vision_hidden: int = 128
    vision_layers: int = 4
    text_hidden: int = 128
    text_layers: int = 3
    heads: int = 4
    mlp_ratio: int = 4
    # std of the normal weight init, vision and text alike; BlipVisionConfig's default
    # initializer_range is 1e-10 (made for loading weights), which starts a ViT trained from
    # scratch with every weight near zero
    init_std: float = 0.02
    projection_dim: int = 128
    corpus_images: int = 3000
    batch_images: int = 32
    epochs: float = 5.0         # passes over the corpus (ended early by the time cap)
    lr: float = 5e-4
    weight_decay: float = 0.05
    warmup_fraction: float = 0.05
    grad_clip: float = 1.0
    # forward passes under torch.autocast('cpu', bfloat16) (weights and optimizer stay fp32)
    # where oneDNN has bf16 kernels: a training step 1.5-1.75x faster on an AVX512-BF16 CPU
    autocast_bf16: bool = False
    flip_prob: float = 0.5      # horizontal flip: mirroring keeps every interaction true
    # BLIP: texts per image = ``positives`` true pairs, each followed by one negative of each
    # hard-negative type, + ``vocabulary_negatives`` false pairs of the vocabulary
    vocabulary_negatives: int = 1
    positives: int = 1
    positive_weight: float = 2.0   # ITM cross-entropy weight of the match class
    # BLIP: weigh each positive by ``batches.itm_examples``' balance weight, so that a true
    # text repeated over the positive slots of an image with fewer true texts than slots does
    # not get a higher prior than the true texts of images with several
    balance_positives: bool = False
    itc_weight: float = 1.0        # BLIP: weight of the auxiliary image-text contrastive loss
    # BLIP: weight of the image-tagging term, a training-only linear head on the max of the
    # ViT's output tokens, binary cross-entropy over the world's verbs, objects and pairs
    # true in the image (not saved: the saved teacher is the plain BLIP ITM model)
    tag_weight: float = 0.0
    # BLIP: weight of image-conditioned masked language modelling (``mlm.py``): content words
    # of the positive captions masked with probability ``mlm_prob`` (at least one per
    # caption), predicted through the cross-attending text encoder by a training-only head
    mlm_weight: float = 0.0
    mlm_prob: float = 0.5
    # CLIP: initial logit scale (exp of CLIPConfig.logit_scale_init_value)
    logit_scale_init: float = 2.6592

    def to_dict(self) -> dict:
        return asdict(self)

    def override(self, **kwargs) -> TeacherRecipe:
        """A copy with some fields changed (unknown names raise ``TypeError``)."""
        return replace(self, **kwargs)


# BLIP: 96-pixel input (36 patches) and 2 text layers make a step ~2.5x cheaper than the
# base shape; the tagging term and bf16 autocast (docs/embedded_teachers.md) took the full
# form's verb / object / compositional ranking from 85.9 / 78.0 / 86.9 % (8 epochs, fp32, no
# tagging) to 85.5 / 85.2 / 85.8 % (2 threads, 163 s; 85.1 / 86.5 / 88.9 % in the lever run,
# runs of one recipe spread by 2-4 points); 28 epochs, 128 px, 6 vision / 3 text layers,
# width 192, tagging weight 0.3 or 3, more vocabulary negatives, and the full form alone
# gave no more.
# Three positives per image, each with its hard negatives (stop 22), took the verb / object
# / compositional ranking from about 84 / 85 / 85 % (mean of three runs) to about 86 / 87 /
# 91 % (mean of four; the final run 86.5 / 86.1 / 93.4 % in 208 s instead of 163 s with 2
# threads); mined hard negatives and distilling the tag head into the ITM head gave no more
# (docs/embedded_teachers.md).
# Masked language modelling (weight 0.3, stop 23) took them to about 87 / 88 / 96 % (three
# runs; the final run 87.6 / 87.6 / 95.6 % in 300 s with 2 threads, a step 1.17x the time);
# 12-pixel patches reached 88.0 / 90.1 / 94.1 % in one uncapped run but do not fit
# the 14 epochs into 5 minutes (1,021 steps: 87.4 / 87.6 / 91.5 %).
# Stop 24: without the ITC loss (a step 0.84x the time) the 12-pixel patches (64 tokens
# instead of 36) fit the same budget; 88.2 / 89.3 / 96.9 % (mean of seeds 0 and 1, 1 thread)
# against 87.4 / 87.9 / 96.3 % for the stop-23 recipe (mean of three runs).
# Balanced positives (each true text of an image weighs 1, however often the three positive
# slots repeat it) removed a text prior that favoured the verbs of one-pair templates ("push"
# over "ride" a bicycle): 89.0 / 89.3 / 98.3 % over seeds 0 and 1; the final run 89.1 / 88.9 /
# 98.1 % (2 threads, stopped by the 5-minute cap at 1,194 of 1,302 steps).
BLIP_RECIPE = TeacherRecipe(kind='blip', image_size=96, patch_size=12, text_layers=2, lr=2e-3,
                            epochs=14.0, tag_weight=1.0, autocast_bf16=True, positives=3,
                            mlm_weight=0.3, itc_weight=0.0, balance_positives=True)
CLIP_RECIPE = TeacherRecipe(kind='clip', batch_images=64, lr=1e-3)
RECIPES = {'blip': BLIP_RECIPE, 'clip': CLIP_RECIPE}
