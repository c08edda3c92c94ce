"""Letters people type without: the search folding FTS5's `unicode61` tokenizer leaves out.

The index folds case in every script and drops accents from Latin letters, but a letter with
no Unicode decomposition (ł, ß, ø, ı, ...) or outside Latin (ё, Greek έ) keeps its mark, so
`zostal` missed "został" and `εκλογες` missed "εκλογές": words phone keyboards make people
type plain. This table folds exactly those letters. It is explicit on purpose: stripping every
decomposable mark would also merge Japanese か/が and Cyrillic й/и, which are different letters.

One table for every side: the search index's `folded` column (`folded_text`), each term of a
search (`summaries.query.Term.fts`) and the topic-alert matcher (`summaries.matching`), so an
alert finds exactly what /search finds.

Changing the table changes queries and alerts at once, but not the `folded` column of articles
already indexed (the migration `_fts_folded_letters` ran once): /search would miss older
articles with a newly added letter. So a change to the table comes with a new migration that
re-folds the index the way `_fts_folded_letters` does.
"""

from __future__ import annotations

_GREEK = {
    "ά": "α",
    "έ": "ε",
    "ή": "η",
    "ί": "ι",
    "ό": "ο",
    "ύ": "υ",
    "ώ": "ω",
    "ϊ": "ι",
    "ϋ": "υ",
    "ΐ": "ι",
    "ΰ": "υ",
    "Ά": "Α",
    "Έ": "Ε",
    "Ή": "Η",
    "Ί": "Ι",
    "Ό": "Ο",
    "Ύ": "Υ",
    "Ώ": "Ω",
    "Ϊ": "Ι",
    "Ϋ": "Υ",
}
_LETTERS = {
    "ł": "l",
    "Ł": "L",
    "ß": "ss",
    "ẞ": "SS",
    "ё": "е",
    "Ё": "Е",
    "ı": "i",
    "ø": "o",
    "Ø": "O",
    "æ": "ae",
    "Æ": "AE",
    "œ": "oe",
    "Œ": "OE",
    "đ": "d",
    "Đ": "D",
    "ð": "d",
    "Ð": "D",
    "þ": "th",
    "Þ": "TH",
}
_TABLE = str.maketrans({**_LETTERS, **_GREEK})


def fold(text: str) -> str:
    """`text` with the letters above replaced by what people type for them (case is kept)."""
    return text.translate(_TABLE)


COLUMN_BREAK = "\ue000"
"""A token between the parts of one article's text (title, summary, body) wherever they are
read as one: the index holds them in separate columns, where a "phrase" cannot run from the
end of one into the next. A private-use character is a word of its own to the index's
tokenizer, rare in articles and never a query word (`summaries.query.tokenize` splits at it),
so it keeps phrases apart and matches nothing."""


def folded_text(*parts: str) -> str:
    """The index's `folded` column: the parts folded, or "" when folding changes nothing.

    Empty for an article without these letters (most English ones), which then costs the
    index nothing more; an article with them is indexed twice, about double its share of the
    index (a Polish or German archive doubles).
    """
    folded = [fold(part) for part in parts]  # one by one: ASCII parts keep translate's fast path
    return f" {COLUMN_BREAK} ".join(folded) if folded != list(parts) else ""
