"""Text -> sumy document: paragraphs, sentences (each kept once) and the title as a heading.

Built directly as sumy's `ObjectDocumentModel` rather than through `PlaintextParser`, which joins
the lines of a paragraph into one string (a caption would run into the next sentence) and treats
any all-capitals line as a heading. Repeated sentences are dropped here, once, so no method can
ever return the same sentence twice; a sentence equal to the title goes too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice

from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

from summaries.summarize.tokenizer import PunktTokenizer, paragraphs

MAX_SENTENCES = 1000
"""Sentences read from one text. News articles have a few hundred at most (247 in the
bbc-news-summary data), and the summarisers compare every pair of sentences: a 1 MB page of
30,000 short sentences needed gigabytes for the default method's similarity matrix (and the
machine's memory ran out) and minutes for LexRank. The rest of such a text is not read."""
_NON_WORD = re.compile(r"[\W_]+")
# ASCII bytes: letters and digits stay, everything else becomes a space.
_ASCII_SEPARATORS = bytes(c if chr(c).isalnum() else 32 for c in range(128)) + bytes(128)


def sentence_key(text: str) -> str:
    """What makes two sentences "the same": their letters and digits, case-folded.

    Every sentence gets a key, and the regex costs about 4 us a sentence; most news
    sentences are plain ASCII, where a bytes translation gives the same key in a quarter of
    the time (ASCII case-folding is lower-casing).
    """
    if text.isascii():
        return b" ".join(text.encode().lower().translate(_ASCII_SEPARATORS).split()).decode()
    return _NON_WORD.sub(" ", text.casefold()).strip()


def document_paragraphs(
    text: str, tokenizer: PunktTokenizer, *, title: str = ""
) -> list[list[str]]:
    """`text` as paragraphs of sentences; each sentence kept once, none equal to the title.

    At most the first `MAX_SENTENCES` sentences are read.
    """
    title = " ".join(title.split())
    seen = {sentence_key(title)} if title else set()
    result: dict[int, list[str]] = {}
    for number, sentence in islice(_fresh_sentences(text, tokenizer, seen), MAX_SENTENCES):
        result.setdefault(number, []).append(sentence)
    return list(result.values())


def _fresh_sentences(
    text: str, tokenizer: PunktTokenizer, seen: set[str]
) -> Iterator[tuple[int, str]]:
    """Each sentence of `text` not in `seen` (which it adds to), with its paragraph's number."""
    for number, block in enumerate(paragraphs(text)):
        for line in block:
            for sentence in tokenizer.to_sentences(line):
                key = sentence_key(sentence)
                if key and key not in seen:
                    seen.add(key)
                    yield number, sentence


def build_document(text: str, tokenizer: PunktTokenizer, *, title: str = "") -> ObjectDocumentModel:
    """A sumy document for `text`; the title (if any) is a heading of the first paragraph."""
    result = [
        Paragraph([Sentence(sentence, tokenizer) for sentence in block])
        for block in document_paragraphs(text, tokenizer, title=title)
    ]
    title = " ".join(title.split())
    if title and result:
        heading = Sentence(title, tokenizer, is_heading=True)
        result[0] = Paragraph([heading, *result[0]._sentences])
    return ObjectDocumentModel(result)
