"""The search query language: what a person types -> a `Query` that compiles to safe FTS5.

People type anything into a search box (`C++`, `e-mail`, a lone `"`, `NEAR`, emoji), and FTS5's
own syntax turns much of that into errors. So the user's text is never handed to FTS5: it is
split here into words the way FTS5's `unicode61` tokenizer splits them, and every term is emitted
as a double-quoted FTS5 string, joined by our own AND / OR / NOT. No input can produce an FTS5
syntax error.

Query language (documented for users in the README):

    climate summit        both words (AND is implicit)
    "climate summit"      the exact phrase
    climate OR weather    either word (OR in capitals)
    -sport                leave out articles containing the word (or "-a phrase")
    elect*                words starting with "elect"
    source:bbc            only sources whose name starts with "bbc" (any case; quote spaces)
    since:7d              published (or fetched) in the last 7 days; h, d, w, m (30 days), y
                          (at most 100 years; a span that cannot be read is refused)
"""

from __future__ import annotations

import re
import sqlite3
import threading
import unicodedata
from contextlib import closing
from dataclasses import dataclass
from datetime import timedelta

from summaries.errors import QueryError, typed
from summaries.folding import COLUMN_BREAK, fold

MAX_TERMS = 20
"""Terms beyond this are dropped: a 4,000-character paste must not become a 1,000-term query."""

_UNITS = {"h": 1 / 24, "d": 1, "w": 7, "m": 30, "y": 365}
_MARKS_ONLY = re.compile("[\u0300-\u036f]+")
"""A stray accent is no word: FTS5 drops it, and its empty phrase would match nothing."""
_SINCE = re.compile(r"(\d+)\s*([hdwmy])", re.IGNORECASE)
MAX_SINCE = timedelta(days=100 * 365)
"""since:99999999y means "any time": clamped here rather than overflowing timedelta."""
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
"""Half of a UTF-16 pair: what a command line's undecodable bytes become (surrogateescape).
SQLite cannot store it, so a source: or a topic holding one would crash the query."""


@dataclass(frozen=True)
class Term:
    """One searchable unit: a word, or an exact phrase when it has several words."""

    words: tuple[str, ...]
    prefix: bool = False

    def fts(self) -> str:
        """This term as quoted FTS5 strings (quotes cannot occur inside: they split words).

        The folded spelling (`summaries.folding`) finds both "zostal" and "został", through the
        index's `folded` column; the spelling as typed, when it differs, is OR-ed in so that
        the same word in a headline still ranks by the title's weight and snippets still mark it.
        """
        star = "*" if self.prefix else ""
        typed_words = " ".join(self.words)
        folded = fold(typed_words)
        if folded == typed_words:
            return f'"{folded}"{star}'
        return f'("{typed_words}"{star} OR "{folded}"{star})'


@dataclass(frozen=True)
class Query:
    """A parsed query: AND of groups, each group an OR of terms, minus the excluded terms."""

    text: str
    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()
    source: str | None = None
    since: timedelta | None = None

    def fts(self) -> str | None:
        """The safe FTS5 MATCH expression, or None when the query has no words to match."""
        if not self.groups:
            return None
        parts = [
            group[0].fts() if len(group) == 1 else "(" + " OR ".join(t.fts() for t in group) + ")"
            for group in self.groups
        ]
        expression = " AND ".join(parts)
        if self.excluded:
            expression += " NOT (" + " OR ".join(t.fts() for t in self.excluded) + ")"
        return expression

    @property
    def is_empty(self) -> bool:
        """True when there is nothing at all to search for or filter by."""
        return not (self.groups or self.excluded or self.source or self.since)


def _is_token_char(ch: str) -> bool:
    """A letter, digit, private-use character or Latin accent, as unicode61 sees it.

    Except `COLUMN_BREAK`: typed into a query, that private-use token would find every article
    with a folded column (where it separates title, summary and body) and a phrase across it
    would run from one column into the next, so it splits words like punctuation does.
    """
    category = unicodedata.category(ch)
    if ch == COLUMN_BREAK:
        return False
    return category[0] in "LN" or category == "Co" or "\u0300" <= ch <= "\u036f"


def tokenize(text: str) -> list[str]:
    """Lower-cased words, split where FTS5's unicode61 tokenizer splits (punctuation, symbols)."""
    words: list[str] = []
    current: list[str] = []
    for ch in text:
        if _is_token_char(ch):
            current.append(ch)
        elif current:
            words.append("".join(current).lower())
            current = []
    if current:
        words.append("".join(current).lower())
    return [w for w in words if not _MARKS_ONLY.fullmatch(w)]


class _IndexFolding(dict[int, str]):
    """What FTS5's `unicode61 remove_diacritics 2` makes of each character, as a translate table.

    Its folding is SQLite's own table, not Python's: "Ё", "й" and Greek "έ" keep their marks
    (only Latin letters lose them), "ß" stays "ß", "İ" becomes "i", "²" and "ĳ" stay as they are.
    So each character met for the first time is asked of SQLite itself, once per process:
    value "" for a mark the index drops, " " for a separator, else the folded character.
    """

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def learn(self, text: str) -> None:
        """Ask SQLite about the characters of `text` not seen before (one batch)."""
        new = [ch for ch in set(text) if ord(ch) not in self]
        if not new:
            return
        with self._lock, closing(sqlite3.connect(":memory:")) as db:
            db.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = " + _TOKENIZER + ")")
            db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
            db.executemany(
                "INSERT INTO t(rowid, x) VALUES (?, ?)",
                [(row, f"a{ch}b") for row, ch in enumerate(new) if ord(ch) not in _SURROGATES],
            )
            tokens: dict[int, list[str]] = {}
            for term, row in db.execute("SELECT term, doc FROM v ORDER BY doc, offset"):
                tokens.setdefault(row, []).append(term)
        for row, ch in enumerate(new):
            found = tokens.get(row, [])
            one = len(found) == 1 and found[0][:1] == "a" and found[0][-1:] == "b"
            self[ord(ch)] = found[0][1:-1] if one else " "


_TOKENIZER = "'unicode61 remove_diacritics 2'"
_SURROGATES = range(0xD800, 0xE000)  # not UTF-8: never in the index, separators here
_FOLDING = _IndexFolding()


def index_words(text: str) -> list[str]:
    """The words of `text` exactly as the search index holds them (case and Latin accents gone).

    Topic alerts match in memory (`summaries.matching`) and must find what /search finds.
    """
    _FOLDING.learn(text)
    return text.translate(_FOLDING).split()


def term_words(term: Term) -> list[str]:
    """A term's words as topic matching compares them: folded (`summaries.folding`) and then
    as the index holds them (`index_words`), which is what a search for the term matches."""
    return [w for word in term.words for w in index_words(fold(word))]


@dataclass(frozen=True)
class _Item:
    kind: str  # "term", "or", "and", "source", "since"
    raw: str = ""
    negated: bool = False
    prefix: bool = False
    start: int = 0  # where the item is in the text, for messages that quote it as typed
    end: int = 0


def _read_quoted(text: str, i: int) -> tuple[str, int]:
    """The text after the quote at `i` up to the closing quote (or the end), and the next index."""
    end = text.find('"', i + 1)
    if end < 0:
        return text[i + 1 :], len(text)
    return text[i + 1 : end], end + 1


_LONGEST_KEY = len("source:")
"""Only a word this short before a quote can be source:"..." or since:"...": lower-casing
the word so far at every character made lexing a 60,000-character word take seconds."""


def _lex(text: str) -> list[_Item]:
    items: list[_Item] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        begin = i
        negated = text[i] == "-" and i + 1 < n and not text[i + 1].isspace()
        i += negated
        if text[i] == '"':
            raw, i = _read_quoted(text, i)
            prefix = i < n and text[i] == "*"
            i += prefix
            items.append(_Item("term", raw, negated, prefix=prefix, start=begin, end=i))
            continue
        start = i
        while i < n and not text[i].isspace():
            key = text[start:i].lower() if text[i] == '"' and i - start <= _LONGEST_KEY else ""
            if not negated and key in ("source:", "since:"):
                value, i = _read_quoted(text, i)
                items.append(_Item(key[:-1], value, start=begin, end=i))
                break
            i += 1
        else:
            items.append(_word(text[start:i], negated, begin, i))
    return items


def _word(word: str, negated: bool, start: int, end: int) -> _Item:
    """The item for an unquoted word found at text[start:end] (the "-" included)."""
    if not negated and word in ("OR", "AND"):
        return _Item(word.lower(), word, start=start, end=end)
    key, _, value = word.partition(":")
    if not negated and value and key.lower() in ("source", "since"):
        return _Item(key.lower(), value, start=start, end=end)
    stripped = word.rstrip("*")
    return _Item("term", stripped, negated, prefix=stripped != word, start=start, end=end)


def _since(value: str) -> timedelta | None:
    """The span of a since: value ("7d", "2 w"), at most MAX_SINCE; None if it cannot be read.

    Digits of any script count (since:٧d is a week), so leading zeros are dropped as digits,
    not as the character "0": "since:٠٠٠٠٠٠٠١d" is one day, not the 100-year clamp.
    """
    match = _SINCE.fullmatch(value.strip())
    if not match:
        return None
    number = "".join(str(unicodedata.decimal(digit)) for digit in match[1]).lstrip("0")
    if len(number) > 6:  # more than 100 years in any unit; int() of a huge string would refuse
        return MAX_SINCE
    return min(timedelta(days=int(number or 0) * _UNITS[match[2].lower()]), MAX_SINCE)


def _unreadable_since(text: str, item: _Item) -> QueryError:
    """The refusal of a since: whose span cannot be read, quoting it as it was typed."""
    shown = typed(text[item.start : item.end], 30)
    return QueryError(
        f"I can't read the time span {shown}: use a number and h, d, w, m or y, like since:2d."
    )


def quote_unreadable_since(text: str) -> str:
    """`text` with each since: that cannot be read written as the quoted phrase it used to be.

    Before such a since: was refused, "storm since:2x" searched the phrase "since 2x"; topics
    saved then are rewritten with this (storm "since 2x") so they keep meaning what they did.
    """
    pieces: list[str] = []
    done = 0
    for item in _lex(text):
        if item.kind == "since" and _since(item.raw) is None:
            phrase = '"since ' + item.raw.replace('"', " ") + '"'
            pieces += [text[done : item.start], phrase]
            done = item.end
    return "".join(pieces) + text[done:]


def parse_query(text: str) -> Query:
    """Parse what a person typed. Odd words never raise; they just become words.

    Raises `QueryError` for the two things that would otherwise fail silently: a since: whose
    time span cannot be read (since:2x, since:5, since:-1d), which as words would find nothing
    at all, and a query that could never match (exclusions with nothing to look for). A quoted
    "since:2x" is a phrase like any other. A lone surrogate (`_LONE_SURROGATE`) becomes U+FFFD,
    which no source name or word contains.
    """
    text = _LONE_SURROGATE.sub("\ufffd", text)
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    source: str | None = None
    since: timedelta | None = None
    joining = False
    for item in _lex(text):
        if item.kind in ("or", "and") and groups:
            joining = item.kind == "or"
            continue
        if item.kind == "source" and item.raw.strip():
            source = item.raw.strip()
            continue
        if item.kind == "since":
            since = _since(item.raw)
            if since is None:
                raise _unreadable_since(text, item)
            continue
        plain = item.kind in ("term", "or", "and")
        words = tuple(tokenize(item.raw if plain else f"{item.kind} {item.raw}"))
        if not words or len(excluded) + sum(map(len, groups)) >= MAX_TERMS:
            continue
        term = Term(words, prefix=item.prefix)
        if item.negated:
            excluded.append(term)
        elif joining:
            groups[-1].append(term)
        else:
            groups.append([term])
        joining = False
    if excluded and not groups:
        raise QueryError("Add at least one word to look for: a search cannot be only -exclusions.")
    return Query(text, tuple(tuple(g) for g in groups), tuple(excluded), source, since)
