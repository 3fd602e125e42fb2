"""Likely duplicates among conclusions, by text similarity.

Conclusions written at different tables say the same thing in other words ("incluir a la ciudadanía en las
decisiones" / "que la ciudadanía participe en las decisiones del gobierno"). Two measures on accent-folded,
lower-cased text without stop words are combined: token Jaccard (shared vocabulary, order-free) and
``difflib.SequenceMatcher`` on the token strings (shared phrasing). The organizer decides; this only offers
pairs, most similar first.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import combinations

from foros.core.text import ascii_lower

#: Pairs scoring at least this are offered as likely duplicates.
THRESHOLD = 0.45

#: Spanish words too common to tell two conclusions apart.
_STOP = ("a al ante con contra de del desde e el en entre es esta este hacia la las lo los mas muy no o para pero "
         "por que se sin sobre su sus u un una unas unos y ya como ser son hay debe deben tambien "
         "todo toda todos todas")
STOP_WORDS = frozenset(_STOP.split(" "))

_WORD = re.compile(r"[a-z0-9]+")


def tokens(text: str) -> list[str]:
    """The words that carry meaning, folded, with a crude plural strip (``grupos`` ≈ ``grupo``)."""
    words = []
    for word in _WORD.findall(ascii_lower(text)):
        if word in STOP_WORDS or len(word) < 3:
            continue
        if len(word) > 4 and word.endswith("es") and not word.endswith("ies"):
            word = word[:-2]
        elif len(word) > 3 and word.endswith("s"):
            word = word[:-1]
        words.append(word)
    return words


def similarity(a: str, b: str) -> float:
    """0 (nothing in common) to 1 (same words in the same order)."""
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return 0.0
    sa, sb = set(ta), set(tb)
    jaccard = len(sa & sb) / len(sa | sb)
    sequence = SequenceMatcher(None, " ".join(ta), " ".join(tb), autojunk=False).ratio()
    return round(0.6 * jaccard + 0.4 * sequence, 3)


@dataclass(frozen=True)
class Candidate:
    """Two items that probably say the same thing."""

    first: object
    second: object
    score: float


def likely_duplicates(items: Iterable, text=lambda item: item.text, *, threshold: float = THRESHOLD,
                      same_group=None) -> list[Candidate]:
    """Pairs of ``items`` whose texts score at least ``threshold``, best first.

    ``same_group(a, b)`` may exclude pairs (e.g. two conclusions already merged into one consolidated one).
    """
    items: Sequence = list(items)
    texts = [text(item) for item in items]
    found = []
    for (i, a), (j, b) in combinations(enumerate(items), 2):
        if same_group is not None and same_group(a, b):
            continue
        score = similarity(texts[i], texts[j])
        if score >= threshold:
            found.append(Candidate(a, b, score))
    return sorted(found, key=lambda c: -c.score)
