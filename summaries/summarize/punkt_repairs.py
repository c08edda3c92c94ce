"""Repairs to Punkt's sentences that its rules cannot make: German ordinals and low quotes.

Punkt ends a sentence at a number before a capitalised word, and every German noun is
capitalised ("der 2. | Weltkrieg"); it also takes “ and ‘ for opening marks, so German and
Czech closing quotes („Gut.“) are torn off their sentence. Both are undone here, after Punkt.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

Sentences = tuple[str, ...]

_LOW_QUOTES = {"“": "„", "‘": "‚"}  # closing mark: its opening mark („...“ in German, Czech, ...)
_LEADING_CLOSER = re.compile(r"([“‘])(?:\s+|\Z)")

# Words after which a number with a full stop is an ordinal, not a sentence end: German writes
# "der 2. Weltkrieg", "zum 5. Mal", "beim 1. FC Köln", and after an article, a contracted
# preposition or a determiner a bare number rarely ends a sentence (see `_ordinal_end`).
_GERMAN_ENDINGS = ("e", "em", "en", "er", "es")
_GERMAN_DETERMINERS = frozenset(
    {"der", "die", "das", "dem", "den", "des", "dessen", "deren", "ein", "euer"}
    | {"zum", "zur", "am", "im", "beim", "vom", "ins", "ans", "aufs"}
    | {"mein", "dein", "sein", "ihr", "unser"}
    | {
        stem + ending
        for stem in ("ein", "dies", "jen", "jed", "mein", "dein", "sein", "ihr", "unser", "eur")
        for ending in _GERMAN_ENDINGS
    }
)
ORDINAL_DETERMINERS: dict[str, frozenset[str]] = {"german": _GERMAN_DETERMINERS}
_ORDINAL_REACH = 40
"""More characters than the longest `_ordinal_end` match ("unseres 123. oder 124.")."""


def _ordinal_end(determiners: frozenset[str]) -> re.Pattern[str]:
    """A sentence end that is an ordinal after one of `determiners` ("... beim 1.").

    The number has at most three digits (a year such as "im Jahr 2024." still ends a sentence)
    and may close a pair ("im 19. und 20."). Bare prepositions are not determiners: "ab 18."
    (an age rating), "bis 18." (a time), "um 2." and "auf 12." (a change or a count) end real
    sentences ("Die Zahl der Toten stieg auf 12. Die Polizei ..." is two). The price: a number
    used as a name after an article ("Er trägt die 10. Dann ...") stays one sentence. The
    determiner may follow an opening quote or bracket („beim 1. FC Köln“, "(im 2. Stock)").
    """
    words = "|".join(sorted(determiners, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?i:{words})\s+\d{{1,3}}\.(?:\s+(?:und|oder|bis)\s+\d{{1,3}}\.)?\Z")


def ordinal_joiner(language: str) -> Callable[[Sentences], Sentences]:
    """What undoes breaks after ordinals in `language` (nothing for a language without a
    determiner list in `ORDINAL_DETERMINERS`)."""
    determiners = ORDINAL_DETERMINERS.get(language)
    if determiners is None:
        return _unchanged
    return partial(_join, _ordinal_end(determiners))


def _unchanged(sentences: Sentences) -> Sentences:
    return sentences


def _join(ordinal: re.Pattern[str], sentences: tuple[str, ...]) -> tuple[str, ...]:
    """`sentences` with a break after an ordinal ("der 2." | "Weltkrieg ...") undone.

    Punkt breaks after a number followed by a capitalised word (its orthographic rule only
    keeps a number before a lower-case one), and every German noun is capitalised. Only a
    language with `ORDINAL_DETERMINERS` is checked; the sentences are one-spaced lines.
    """
    if len(sentences) < 2:
        return sentences
    joined = [sentences[0]]
    for sentence in sentences[1:]:
        previous = joined[-1]
        if (
            sentence[0].isupper()
            and previous[-2:-1].isdigit()
            and ordinal.search(previous, max(0, len(previous) - _ORDINAL_REACH))
        ):
            joined[-1] = f"{previous} {sentence}"
        else:
            joined.append(sentence)
    return tuple(joined)


def reattach_closing_quotes(sentences: tuple[str, ...]) -> tuple[str, ...]:
    """Sentences with a German or Czech closing quote („Gut.“ ‚Gut.‘) moved back onto its own.

    Punkt moves a closing ” ’ » " ' back onto the sentence it closes, but takes “ and ‘ for
    opening marks, so „Das ist gut.“ Dann ... became "„Das ist gut." and "“ Dann ...". Only a
    mark that closes a low quote („ or ‚) left open by the sentence before is moved: in
    tokenised English text ("‘ I think ...") the same mark opens a quote.
    """
    if not any(s[0] in _LOW_QUOTES for s in sentences[1:]):
        return sentences
    merged: list[str] = []
    for sentence in sentences:
        quote = _LEADING_CLOSER.match(sentence) if merged else None
        if quote is None or not _leaves_open(merged[-1], quote.group(1)):
            merged.append(sentence)
            continue
        merged[-1] += quote.group(1)
        if rest := sentence[quote.end() :]:
            merged.append(rest)
    return tuple(merged)


def _leaves_open(sentence: str, closer: str) -> bool:
    """Whether `sentence` opens more low quotes („ for “, ‚ for ‘) than it closes."""
    return sentence.count(_LOW_QUOTES[closer]) > sentence.count(closer)
