"""Matching new articles against every followed topic at once, in memory.

One FTS query per topic would cost thousands of queries per batch. Instead a batch of new
articles is indexed as bitsets (one Python int per word, bit i = article i), each topic becomes
a few big-int ANDs and ORs, and word, prefix and phrase results are cached across topics, since
thousands of subscribers share words. Tokens are FTS5's `unicode61 remove_diacritics 2` ones
(letters and digits, lower-cased, accents dropped from Latin letters only: SQLite's own folding,
`query.index_words`) of the text with ł, ß, ё, Greek έ... folded (`summaries.folding`, as the
index's `folded` column and every search term are), so a topic matches here exactly what a
search for it finds.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from summaries.folding import COLUMN_BREAK, fold
from summaries.query import index_words, term_words
from summaries.search import Query, Term
from summaries.store import Database
from summaries.topics import Subscription


@dataclass(frozen=True)
class Doc:
    """What matching needs of an article: its words, outlet and time."""

    id: int
    parts: tuple[str, ...]
    """Title, summary and body: separate columns in the index, so a phrase stays within one."""
    source_name: str
    when: datetime


def load_docs(db: Database, article_ids: Sequence[int]) -> list[Doc]:
    """The searchable text (title, summary, body, as indexed) of articles, in the order given."""
    if not article_ids:
        return []
    marks = ",".join("?" * len(article_ids))
    rows = db.execute(
        "SELECT a.id, a.title, coalesce(f.summary, ''), a.text,"  # noqa: S608
        " a.source_name, coalesce(a.published_at, a.fetched_at)"
        f" FROM articles a LEFT JOIN article_fts f ON f.rowid = a.id WHERE a.id IN ({marks})",
        list(article_ids),
    ).fetchall()
    found = {
        int(r[0]): Doc(int(r[0]), tuple(map(str, r[1:4])), str(r[4]), datetime.fromisoformat(r[5]))
        for r in rows
    }
    return [found[i] for i in article_ids if i in found]


def _column_words(parts: Sequence[str]) -> list[str]:
    """The words of each part, with `COLUMN_BREAK` between parts so no phrase spans two.

    Each part is folded on its own: a plain ASCII title or body keeps str.translate's fast
    path, which one string joined with the break character would lose.
    """
    tokens: list[str] = []
    for number, part in enumerate(parts):
        if number:
            tokens.append(COLUMN_BREAK)
        tokens += index_words(fold(part))
    return tokens


class Matcher:
    """A batch of articles indexed as bitsets; `match(query)` returns the matching article ids."""

    def __init__(self, docs: Sequence[Doc], *, now: datetime) -> None:
        self.docs = list(docs)
        self.now = now
        self.tokens = [_column_words(d.parts) for d in self.docs]
        self.postings: dict[str, int] = {}
        for i, tokens in enumerate(self.tokens):
            bit = 1 << i
            for token in set(tokens):
                self.postings[token] = self.postings.get(token, 0) | bit
        self.vocabulary = sorted(self.postings)
        self._terms: dict[Term, int] = {}
        self._sources: dict[str, int] = {}
        self._recent: dict[timedelta, int] = {}

    def match(self, query: Query) -> list[int]:
        """Ids of the batch's articles that `query` matches, in batch order."""
        return [self.docs[i].id for i in _bits(self.mask(query))]

    def mask(self, query: Query) -> int:
        """The bitset of matching articles; none for an empty query, as `matching_article_ids`.

        A stored topic that parses to nothing (its only word one the tokenizer no longer
        keeps) would otherwise start with every article and alert on all of them.
        """
        if query.is_empty:
            return 0
        mask = (1 << len(self.docs)) - 1
        for group in query.groups:
            either = 0
            for term in group:
                either |= self._term(term)
            mask &= either
            if not mask:
                return 0
        for term in query.excluded:
            mask &= ~self._term(term)
        if query.source:
            mask &= self._source(query.source)
        if query.since is not None:
            mask &= self._since(query.since)
        return mask

    def _since(self, since: timedelta) -> int:
        """Articles at or after the cutoff, cut to whole seconds as search stores and compares
        it (`store.to_db`): with the clock's microseconds, an article exactly `since` old
        was found by /search but not alerted."""
        if since not in self._recent:
            cutoff = (self.now - since).replace(microsecond=0)
            self._recent[since] = sum(1 << i for i, d in enumerate(self.docs) if d.when >= cutoff)
        return self._recent[since]

    def _word(self, word: str, prefix: bool) -> int:
        if not prefix:
            return self.postings.get(word, 0)
        start = bisect.bisect_left(self.vocabulary, word)
        mask = 0
        for token in self.vocabulary[start:]:
            if not token.startswith(word):
                break
            mask |= self.postings[token]
        return mask

    def _term(self, term: Term) -> int:
        cached = self._terms.get(term)
        if cached is not None:
            return cached
        folded = term_words(term)
        last = len(folded) - 1
        mask = (1 << len(self.docs)) - 1 if folded else 0
        for n, word in enumerate(folded):
            mask &= self._word(word, term.prefix and n == last)
        if len(folded) > 1:
            mask = sum(
                1 << i for i in _bits(mask) if _has_phrase(self.tokens[i], folded, term.prefix)
            )
        self._terms[term] = mask
        return mask

    def _source(self, name: str) -> int:
        """Sources whose name starts with `name`, casefolded as /search compares them
        (`articles.source_name_filter`): source:strasse finds "Straße Zeitung" in both."""
        key = name.casefold()
        if key not in self._sources:
            self._sources[key] = sum(
                1 << i for i, d in enumerate(self.docs) if d.source_name.casefold().startswith(key)
            )
        return self._sources[key]


def _bits(mask: int) -> list[int]:
    """Positions of the set bits, lowest first (cost follows the matches, not the batch)."""
    positions = []
    while mask:
        low = mask & -mask
        positions.append(low.bit_length() - 1)
        mask ^= low
    return positions


def _has_phrase(tokens: list[str], phrase: list[str], prefix: bool) -> bool:
    """Whether `phrase` (two words or more; its last one a prefix if `prefix`) is in `tokens`.

    Only the places of its first word are compared (found by `list.index`, in C): comparing
    a slice at every token was half the time of matching a batch against every topic.
    """
    size = len(phrase)
    head, tail = phrase[:-1], phrase[-1]
    stop = len(tokens) - size + 1
    start = 0
    while start < stop:
        try:
            start = tokens.index(phrase[0], start, stop)
        except ValueError:
            return False
        if tokens[start : start + size - 1] == head:
            last = tokens[start + size - 1]
            if last == tail or (prefix and last.startswith(tail)):
                return True
        start += 1
    return False


def match_subscriptions(
    db: Database, subs: Sequence[Subscription], article_ids: Sequence[int], *, now: datetime
) -> dict[int, dict[int, int]]:
    """For each chat: {article id: id of the first of its topics that matched}."""
    return match_with(Matcher(load_docs(db, article_ids), now=now), subs)


def match_with(matcher: Matcher, subs: Sequence[Subscription]) -> dict[int, dict[int, int]]:
    """`match_subscriptions` on articles already indexed (a digest run shares one index)."""
    result: dict[int, dict[int, int]] = {}
    for sub in subs:
        for article_id in matcher.match(sub.query):
            result.setdefault(sub.chat_id, {}).setdefault(article_id, sub.topic_id)
    return result
