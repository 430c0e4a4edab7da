"""Captions of synthetic images and hard negatives that are false for the whole image.

Truth is image-level: a (verb, object) pair is true for an image when some person in it
does that verb with an object of that class. A sentence is the pair's text in a prompt
form (``vlmhoi.teachers.prompts.triplet_text``); in the ``verb`` and ``object`` forms
several pairs share a text, so a negative is also refused when its *text* equals the text
of a true pair in that form.

Hard negatives of a true pair (v, o), each false for the image:

``verb_swap``      (v', o): the same object with another verb v' such that (v', o) is a
                   valid HICO-DET category among the world's verbs and objects
                   (:func:`candidate_pairs`).
``object_swap``    (v, o'): the same verb with another object, (v, o') such a category.
``compositional``  (v, o2) where (v2, o2) is another true pair of the same image, o2 != o:
                   the verb of one true pair with the object of another pair in the same
                   image (the issue's "a true triplet of another pair in the same image":
                   both halves are true in the image, their composition is not). Not
                   required to be a valid HICO-DET category: the image decides it is false.

``vocabulary`` negatives (training only): any valid HICO-DET pair false for the image,
including verbs and objects the world never draws, so that every text of the detector's
prompt vocabulary has been seen as a non-match.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache

from ...synth import world
from ...vocab import hico_vocab
from ..prompts import PROMPT_FORMS, triplet_text

Pair = tuple[str, str]                    # (HICO verb name, COCO object name)
NEGATIVE_TYPES = ('verb_swap', 'object_swap', 'compositional')
# Forms the embedded teachers are trained on: every form Table 4 and the reference code need.
TRAIN_FORMS = PROMPT_FORMS


@cache
def vocabulary_pairs() -> tuple[Pair, ...]:
    """All valid HICO-DET (verb, object) names (``no_interaction`` excluded)."""
    v = hico_vocab()
    return tuple((v.verb_names[a], v.object_names[b]) for a, b in v.valid_pairs
                 if v.verb_names[a] != 'no_interaction')


@cache
def candidate_pairs() -> tuple[Pair, ...]:
    """Valid HICO-DET pairs whose verb and object both occur in the synthetic world."""
    verbs, objects = set(world.world_verbs()), set(world.world_objects())
    return tuple(p for p in vocabulary_pairs() if p[0] in verbs and p[1] in objects)


@cache
def _by_object() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for v, o in candidate_pairs():
        out.setdefault(o, []).append(v)
    return {k: tuple(vs) for k, vs in out.items()}


@cache
def _by_verb() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for v, o in candidate_pairs():
        out.setdefault(v, []).append(o)
    return {k: tuple(os_) for k, os_ in out.items()}


@cache
def text(form: str, pair: Pair) -> str:
    """The sentence of a (verb, object) pair in ``form`` (cached: a training batch asks for
    a few thousand)."""
    return triplet_text(form, pair[0], pair[1])


def all_texts(forms: Sequence[str] = PROMPT_FORMS) -> list[str]:
    """Every sentence of every valid HICO-DET pair in ``forms`` (the tokenizer's words)."""
    return sorted({text(f, p) for f in forms for p in vocabulary_pairs()})


def hard_negatives(true_pairs: Iterable[Pair], pair: Pair, form: str) -> dict[str, list[Pair]]:
    """The hard negatives of one true ``pair`` of an image whose true pairs are ``true_pairs``.

    Returns ``{negative type: [pair, ...]}`` (sorted, duplicates removed); every returned
    pair is false for the image and its text in ``form`` is not the text of a true pair.
    """
    truth = set(true_pairs)
    if pair not in truth:
        raise ValueError(f'{pair} is not among the true pairs {sorted(truth)} of the image')
    true_texts = {text(form, p) for p in truth}
    v, o = pair
    raw = {
        'verb_swap': [(v2, o) for v2 in _by_object().get(o, ()) if v2 != v],
        'object_swap': [(v, o2) for o2 in _by_verb().get(v, ()) if o2 != o],
        'compositional': [(v, o2) for _, o2 in truth if o2 != o],
    }
    return {k: sorted({p for p in ps if p not in truth and text(form, p) not in true_texts})
            for k, ps in raw.items()}


def false_vocabulary(true_pairs: Iterable[Pair], form: str) -> list[str]:
    """Texts of valid HICO-DET pairs false for the image in ``form`` (sorted, unique)."""
    truth = set(true_pairs)
    true_texts = {text(form, p) for p in truth}
    return sorted({text(form, p) for p in vocabulary_pairs() if p not in truth}
                  - true_texts)
