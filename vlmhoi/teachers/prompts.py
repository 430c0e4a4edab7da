"""Prompt forms: the sentence a teacher scores for a (verb, object) pair.

Forms (the paper's Eq. 2 and Table 4, plus two of ours):

====================  ==========================================  ============================
form                  rule                                        example (hold, tennis_racket)
====================  ==========================================  ============================
``full``              ``"A person " + verb + " a " + object``     A person hold a tennis racket
                      (Eq. 2 verbatim: always "a")
``verb``              interaction only (Table 4)                  A person hold
``object``            object only (Table 4)                       A person tennis racket
``natural``           conjugated verb, a / an                     a person holding a tennis racket
``reference_code``    what VLM-HOI/cvpr builds: ``"person "`` +   person hold tennis racket
                      first word of the verb + object, no article
====================  ==========================================  ============================

Names are normalised first: underscores become spaces and V-COCO action-role names lose
their role suffix (``hold_obj`` -> ``hold``, ``talk_on_phone_instr`` -> ``talk on phone``).
HICO-DET's ``no_interaction`` is excluded. V-COCO actions without an object role (``stand``,
``walk``, ``run``, ``smile``) give an object-free sentence ("A person stand") shared by every
object they are valid with.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..vocab import HOIVocab, vcoco_action_roles

PROMPT_FORMS = ('full', 'verb', 'object', 'natural', 'reference_code')
NO_INTERACTION = 'no_interaction'
ROLE_SUFFIXES = ('_obj', '_instr')
VOWELS = 'aeiou'
# -ing forms the spelling rules below get wrong (stress on the last syllable, etc.).
ING_EXCEPTIONS = {'control': 'controlling', 'ski': 'skiing', 'lasso': 'lassoing'}


def normalise_name(name: str) -> str:
    """``'sit_on'`` -> ``'sit on'``; ``'hold_obj'`` -> ``'hold'`` (V-COCO role suffix)."""
    for suffix in ROLE_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return name.replace('_', ' ').strip()


def _syllables(word: str) -> int:
    groups, prev = 0, False
    for ch in word:
        is_vowel = ch in VOWELS or ch == 'y'
        groups += is_vowel and not prev
        prev = is_vowel
    return groups


def present_participle(verb: str) -> str:
    """English -ing form of a one-word verb (``sit`` -> ``sitting``, ``ride`` -> ``riding``)."""
    if verb in ING_EXCEPTIONS:
        return ING_EXCEPTIONS[verb]
    if verb.endswith('ie'):
        return verb[:-2] + 'ying'
    if verb.endswith('e') and not verb.endswith(('ee', 'ye', 'oe')) and len(verb) > 2:
        return verb[:-1] + 'ing'
    if (len(verb) >= 3 and _syllables(verb) == 1 and verb[-1] not in VOWELS + 'wxy'
            and verb[-2] in VOWELS and verb[-3] not in VOWELS):
        return verb + verb[-1] + 'ing'
    return verb + 'ing'


def _article(noun: str) -> str:
    return 'an' if noun[:1] in VOWELS else 'a'


def triplet_text(form: str, verb: str, obj: str | None) -> str:
    """The sentence of one (verb, object) pair; ``obj=None`` for an action without object.

    ``verb`` and ``obj`` are raw dataset names (normalised here).
    """
    if form not in PROMPT_FORMS:
        raise ValueError(f'unknown prompt form {form!r}; choose one of {PROMPT_FORMS}')
    v = normalise_name(verb)
    o = normalise_name(obj) if obj is not None else None
    if form == 'full':
        return f'A person {v} a {o}' if o else f'A person {v}'
    if form == 'verb':
        return f'A person {v}'
    if form == 'object':
        return f'A person {o}' if o else 'A person'
    if form == 'natural':
        words = v.split(' ')
        phrase = ' '.join([present_participle(words[0])] + words[1:])
        return f'a person {phrase} {_article(o)} {o}' if o else f'a person {phrase}'
    first = v.split(' ')[0]                           # reference_code
    return f'person {first} {o}' if o else f'person {first}'


def objectless_verbs(vocab: HOIVocab) -> frozenset[int]:
    """Verb indices without an object role (V-COCO agent-only actions)."""
    if vocab.name != 'vcoco':
        return frozenset()
    return frozenset(i for i, a in enumerate(vcoco_action_roles())
                     if not a['name'].endswith(ROLE_SUFFIXES))


@dataclass(frozen=True)
class PromptVocabulary:
    """The texts of one prompt form over a dataset's valid (verb, object) pairs.

    ``texts[pair_to_text[k]]`` is the sentence of ``pairs[k]`` (verb index, object index;
    0-based, as in ``HOIVocab``). Texts are unique; several pairs may share one.
    """

    form: str
    dataset: str
    pairs: tuple[tuple[int, int], ...]
    texts: tuple[str, ...]
    pair_to_text: tuple[int, ...]
    _lookup: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._lookup.update({p: t for p, t in zip(self.pairs, self.pair_to_text)})

    def __len__(self) -> int:
        return len(self.texts)

    def text_index(self, verb: int, obj: int) -> int:
        """Index into ``texts`` of a pair; KeyError naming the pair when it is not valid."""
        try:
            return self._lookup[(verb, obj)]
        except KeyError:
            raise KeyError(f'({verb}, {obj}) is not a valid (verb, object) pair of the '
                           f'{self.dataset} {self.form!r} vocabulary') from None

    def text_of(self, verb: int, obj: int) -> str:
        return self.texts[self.text_index(verb, obj)]

    def digest(self) -> str:
        """sha256 of the form and the ordered texts: a cache built for other texts is stale."""
        payload = json.dumps({'form': self.form, 'texts': self.texts}, ensure_ascii=True)
        return hashlib.sha256(payload.encode()).hexdigest()


def build_vocabulary(vocab: HOIVocab, form: str,
                     pairs: Sequence[tuple[int, int]] | None = None) -> PromptVocabulary:
    """The prompt vocabulary of ``form`` over ``pairs`` (default: all valid pairs of
    ``vocab``), ``no_interaction`` excluded, texts in first-seen order of the pairs."""
    if form not in PROMPT_FORMS:
        raise ValueError(f'unknown prompt form {form!r}; choose one of {PROMPT_FORMS}')
    valid = set(vocab.valid_pairs)
    chosen = list(vocab.valid_pairs if pairs is None else pairs)
    objectless = objectless_verbs(vocab)
    kept, texts, pair_to_text, index = [], [], [], {}
    for v, o in chosen:
        if (v, o) not in valid:
            raise ValueError(f'({v}, {o}) = ({vocab.verb_names[v]}, {vocab.object_names[o]})'
                             f' is not a valid {vocab.name} HOI category')
        if vocab.verb_names[v] == NO_INTERACTION:
            continue
        obj = None if v in objectless else vocab.object_names[o]
        text = triplet_text(form, vocab.verb_names[v], obj)
        if text not in index:
            index[text] = len(texts)
            texts.append(text)
        kept.append((v, o))
        pair_to_text.append(index[text])
    return PromptVocabulary(form, vocab.name, tuple(kept), tuple(texts), tuple(pair_to_text))
