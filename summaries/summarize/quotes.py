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


class Quotations:
    """Reads a document's quote marks lazily, as far as the sentences asked about.

    The summariser asks only about the few sentences it is about to choose, nearly always
    early ones, so most of an article is never read. A sentence that begins with a quote mark
    of its own starts a new quotation and is not torn. Quotations never run from one
    paragraph into the next. `sizes` holds the number of sentences of each paragraph (empty:
    all one paragraph).
    """

    def __init__(self, texts: Sequence[str], sizes: Sequence[int] = ()) -> None:
        self._texts = texts
        self._paragraph_end: list[int] = []
        for size in sizes or (len(texts),):
            self._paragraph_end.extend([len(self._paragraph_end) + size] * size)
        self._torn: list[bool] = []
        self._quotes = _Quotes()

    def torn(self, index: int) -> bool:
        """Does sentence `index` begin inside a quotation an earlier sentence opened?"""
        while len(self._torn) <= index:
            read = len(self._torn)
            if read == 0 or self._paragraph_end[read - 1] == read:
                self._quotes = _Quotes()
            text = self._texts[read]
            self._torn.append(self._quotes.open and text[:1] not in _OPENERS)
            self._quotes.read(text)
        return self._torn[index]


class _Quotes:
    """The quotations open at a point of a paragraph: one double and one single level."""

    __slots__ = ("double", "single")

    def __init__(self) -> None:
        self.double = ""  # the marks that would close the open double quotation, "" if none
        self.single = False

    @property
    def open(self) -> bool:
        return bool(self.double) or self.single

    def read(self, text: str) -> None:
        """Follow the marks of one sentence.

        A straight double quote that looks like an opener closes an open quotation unless it
        begins the sentence: tokenised text detaches closing marks (`the "zero "is`), while a
        quotation running over paragraphs flattened into one reopens at a sentence start.
        """
        for match in _MARKS.finditer(text):
            at = match.start()
            mark, side = match.group(), _side(text, at)
            if mark == '"':
                if self.double == '"':
                    if side != "open" or at > 0:
                        self.double = ""
                elif side != "close":
                    self.double = '"'
            elif mark in _CLOSERS:
                self.double = "" if self.double and mark in self.double else _CLOSERS[mark]
            elif side == "open":
                self.single = self.single or mark in _SINGLE_OPENERS
            elif side != "apostrophe" and mark in _SINGLE_CLOSERS:
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
