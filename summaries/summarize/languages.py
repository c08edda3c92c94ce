"""Which languages newsbrief summarises, and the tools for each: splitter, stemmer, stop words.

Detection uses py3langid (a maintained, numpy-only fork of langid.py: 97 languages, a model of a
few MB loaded once, about a millisecond on the opening of an article). lingua is more accurate on
a tweet-sized snippet but loads far larger models; our input is a whole article, where langid is
already reliable, and the bot should start quickly on a small machine.

A supported language gets its Punkt model (Ukrainian borrows Russian's, which knows the same
Cyrillic abbreviations such as "т.е."), its Snowball stemmer (Ukrainian: sumy's own) and a stop
list (sumy's where it ships one, else a small list in `summaries/data/`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import snowballstemmer
from numpy.typing import NDArray
from py3langid.langid import MODEL_FILE, LanguageIdentifier
from sumy.nlp.stemmers.ukrainian import stem_word as ukrainian_stem
from sumy.utils import get_stop_words

from summaries.summarize.tokenizer import PunktTokenizer, rules_model

# code: (name as sumy spells it, Punkt model, stop words: "sumy" or our data file)
_TABLE: dict[str, tuple[str, str, str]] = {
    "en": ("english", "english", "sumy"),
    "de": ("german", "german", "sumy"),
    "fr": ("french", "french", "sumy"),
    "es": ("spanish", "spanish", "sumy"),
    "it": ("italian", "italian", "sumy"),
    "pt": ("portuguese", "portuguese", "sumy"),
    "nl": ("dutch", "dutch", "stopwords-nl.txt"),
    "ru": ("russian", "russian", "stopwords-ru.txt"),
    "uk": ("ukrainian", "russian", "sumy"),
    "pl": ("polish", "polish", "sumy"),
    "cs": ("czech", "czech", "sumy"),
    "tr": ("turkish", "turkish", "stopwords-tr.txt"),
    "sv": ("swedish", "swedish", "sumy"),
}
SUPPORTED_LANGUAGES: tuple[str, ...] = tuple(_TABLE)

log = logging.getLogger(__name__)

_SAMPLES = (100, 200, 600)  # characters read by each try, the last one decides
_SURE = 0.95
_MIN_LETTERS = 20
_MIN_CONFIDENCE = 0.5
_STEM_CACHE = 200_000


@dataclass(frozen=True)
class LanguageTools:
    """Everything a summariser needs to read one language."""

    code: str
    name: str
    tokenizer: PunktTokenizer
    stem: Callable[[str], str]
    stop_words: frozenset[str]
    supported: bool


class _Identifier(LanguageIdentifier):  # type: ignore[misc]
    """py3langid's identifier with its scoring product computed the way numpy runs fast.

    py3langid computes `log1p(counts) @ table[features]` on its float16 table: numpy converts
    the rows element by element and then takes a slow path for a vector times a matrix (about
    40 us of a 60 us verdict). Converting through a lookup table of all 65,536 halves and
    multiplying matrix by vector in BLAS gives the same float32 scores, bit for bit (a test
    compares both), in a third of the time.
    """

    __slots__ = ("_single",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        halves = np.arange(2**16, dtype=np.uint32).astype(np.uint16)
        self._single = halves.view(np.float16).astype(np.float32)

    def _sparse_score(self, visits: dict[int, int], table: NDArray[Any]) -> NDArray[np.float32]:
        features = np.fromiter(visits.keys(), dtype=np.intp, count=len(visits))
        counts = np.fromiter(visits.values(), dtype=np.float32, count=len(visits))
        if table.dtype == np.float16:
            rows = self._single.take(table.view(np.uint16).take(features, axis=0))
        else:
            rows = table[features].astype(np.float32)
        scores: NDArray[np.float32] = rows.T @ np.log1p(counts) + self.nb_pc
        return scores


# A few (feature, count) pairs on which the fast and the stock scoring step must agree.
_PROBE = {0: 1, 17: 3, 4_096: 2, 65_000: 1}


_LOADING = threading.Lock()


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    """The langid model, loaded on first use (a few MB; not at import time).

    Ingest reads several articles at once in worker threads: the first ones to ask wait for
    a single load (`_load_identifier`) instead of each loading a copy (a second apiece).
    """
    with _LOADING:
        return _load_identifier()


@lru_cache(maxsize=1)
def _load_identifier() -> LanguageIdentifier:
    """The model, loaded once.

    `_Identifier` replaces a private py3langid method. A py3langid without it, or whose
    version scores differently or takes other arguments, gets its own stock identifier
    (slower, never wrong) instead of a crash or different verdicts.
    """
    fast = _Identifier.from_model_file(MODEL_FILE, norm_probs=True)
    if _scores_like_stock(fast):
        return fast
    log.warning("py3langid's scoring step has changed; detecting languages its stock way")
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _scores_like_stock(fast: _Identifier) -> bool:
    """Whether py3langid still has the scoring step `_Identifier` replaces, with the same result."""
    stock = getattr(LanguageIdentifier, "_sparse_score", None)
    if stock is None:
        return False
    try:
        table = fast.nb_ptc
        return bool(np.array_equal(fast._sparse_score(_PROBE, table), stock(fast, _PROBE, table)))
    except (AttributeError, TypeError, ValueError, IndexError):
        return False


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of `text`'s language, or `None` when there is too little to tell.

    langid's cost grows with the sample, so the opening 100 characters are read first and a
    longer sample only when the verdict is uncertain (on the 2,671 dataset articles and every
    test language, a sure verdict on a short sample always agreed with the longer ones; 85%
    of them are decided on 100 characters, 99% on 200).
    """
    for size in _SAMPLES:
        code, confidence = _classify(text[:size])
        if confidence >= _SURE or len(text) <= size:
            break
    if code is None or confidence < _MIN_CONFIDENCE:
        return None
    return code


def _classify(sample: str) -> tuple[str | None, float]:
    """langid's verdict and confidence on `sample`; no verdict with fewer than 20 letters."""
    if sum(map(str.isalpha, sample)) < _MIN_LETTERS:
        return None, 0.0
    code, confidence = _identifier().classify(sample)
    return str(code), float(confidence)


def _stemmer(code: str, name: str) -> Callable[[str], str]:
    """A cached stemmer: articles repeat their words, and stemming is the costly part of reading."""
    stem_word: Callable[[str], str] = (
        ukrainian_stem if code == "uk" else snowballstemmer.stemmer(name).stemWord
    )
    return lru_cache(maxsize=_STEM_CACHE)(stem_word)


def _stop_words(name: str, source: str) -> frozenset[str]:
    """A language's stop words, lower-cased."""
    if source == "sumy":
        words = get_stop_words(name)
    else:
        data = resources.files("summaries").joinpath("data", source).read_text(encoding="utf-8")
        words = data.split()
    return frozenset(word.strip().lower() for word in words if word.strip())


def _lowercase(word: str) -> str:
    """The identity stemmer for a language we cannot stem."""
    return word.lower()


@lru_cache(maxsize=128)
def language_tools(code: str | None) -> LanguageTools:
    """The tools for `code`; a language without support gets a punctuation-only splitter,
    no stemming and no stop words (`supported=False`: callers fall back to lead sentences)."""
    if code in _TABLE:
        name, model, source = _TABLE[code]
        return LanguageTools(
            code=code,
            name=name,
            tokenizer=PunktTokenizer(name, model),
            stem=_stemmer(code, name),
            stop_words=_stop_words(name, source),
            supported=True,
        )
    label = code or "und"
    return LanguageTools(
        code=label,
        name=label,
        tokenizer=PunktTokenizer(label, rules_model(label)),
        stem=_lowercase,
        stop_words=frozenset(),
        supported=False,
    )
