"""Which sentences start inside a quotation opened by an earlier sentence.

A quotation often runs over several sentences and only its first carries the opening mark:
`"Various exercises are being discussed. For example, joint patrols could be possible," the
official said.` Split into sentences, the second piece begins in the speaker's voice with no
opening mark, so alone it reads as a fragment or, worse, as the reporter's own claim. Quote
marks are followed through each paragraph (a multi-paragraph quotation reopens in every
paragraph) and a sentence that begins while one is open is reported.

Marks: straight quotes by their sides, by parity when a side cannot tell (tokenised text puts
spaces on both); English “ ”, German „ “ and » «, French « », Swedish ” ”, and the single
forms ‘ ’ ‚ and ' with an apostrophe between letters ignored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_MARKS = re.compile(r"""["“”„«»‚'‘’]""")
_SINGLE_OPENERS = "'‘‚"
_SINGLE_CLOSERS = "'‘’"
_OPENERS = frozenset("\"“„«»‚‘'")
# the marks that close a double quotation, by the mark that opened it
_CLOSERS = {
    '"': '"',
    "“": "”",
    "„": "“”",
    "«": "»",
    "»": "«»",
    "”": "”",
}


def starts_in_quotation(paragraphs: Sequence[Sequence[str]]) -> list[bool]:
    """For each sentence, in order: does it begin inside a quotation an earlier one opened?

    A sentence that begins with a quote mark of its own starts a new quotation and is not
    reported. Quotations never run from one paragraph into the next.
    """
    result: list[bool] = []
    for sentences in paragraphs:
        inside = _open_at_starts(sentences) if len(sentences) > 1 else [False]
        result.extend(
            flag and sentence[:1] not in _OPENERS
            for flag, sentence in zip(inside, sentences, strict=True)
        )
    return result


def _open_at_starts(sentences: Sequence[str]) -> list[bool]:
    """Whether a quotation is open where each sentence of one paragraph begins.

    The paragraph is read as one string, so one regex pass finds the marks; most sentences
    hold none.
    """
    starts = [0]
    for sentence in sentences[:-1]:
        starts.append(starts[-1] + len(sentence) + 1)
    text = "\n".join(sentences)
    state = _Quotes()
    inside = [False] * len(sentences)
    index = 0
    for match in _MARKS.finditer(text):
        at = match.start()
        while index + 1 < len(starts) and starts[index + 1] <= at:
            index += 1
            inside[index] = state.open
        state.read(match.group(), _side(text, at), first=at == starts[index])
    for later in range(index + 1, len(sentences)):
        inside[later] = state.open
    return inside


class _Quotes:
    """The quotations open at a point of a paragraph: one double and one single level."""

    __slots__ = ("double", "single")

    def __init__(self) -> None:
        self.double = ""  # the marks that would close the open double quotation, "" if none
        self.single = False

    @property
    def open(self) -> bool:
        return bool(self.double) or self.single

    def read(self, mark: str, side: str, *, first: bool) -> None:
        """Follow one mark; `side` from `_side`, `first` when it begins its sentence.

        A straight double quote that looks like an opener closes an open quotation unless it
        begins a sentence: tokenised text detaches closing marks (`the "zero "is`), while a
        quotation running over paragraphs flattened into one reopens at a sentence start.
        """
        if mark == '"':
            if self.double == '"':
                if side != "open" or not first:
                    self.double = ""
            elif side != "close":
                self.double = '"'
        elif mark in _CLOSERS:
            self.double = "" if self.double and mark in self.double else _CLOSERS[mark]
        elif side == "open" and mark in _SINGLE_OPENERS:
            self.single = True
        elif side in ("close", "") and mark in _SINGLE_CLOSERS:
            self.single = False


def _side(text: str, at: int) -> str:
    """ "open" for a mark before a word, "close" for one after a word, "" when unclear.

    A mark between two letters or digits is an apostrophe (don't, O’Neill): "apostrophe".
    """
    before = text[at - 1] if at else " "
    after = text[at + 1] if at + 1 < len(text) else " "
    if before.isspace() or before in "([{—–-":
        return "open" if after.isalnum() else ""
    if before.isalnum() and after.isalnum():
        return "apostrophe"
    return "close" if not after.isalnum() else ""
