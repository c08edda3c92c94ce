"""Topics a chat follows, and matching new articles against every topic at once.

A topic is a saved search (the query language of `summaries.search`). Subscribing validates it
and says how many recent articles it would have matched, so a typo shows up at once.

Matching is done in memory rather than one FTS query per topic: a batch of new articles is
indexed as bitsets (one Python int per word, bit i = article i), each topic becomes a few
big-int ANDs and ORs, and word, prefix and phrase results are cached across topics, since
thousands of subscribers share words. Tokens are FTS5's `unicode61 remove_diacritics 2` ones
(letters and digits, lower-cased, accents dropped from Latin letters only: SQLite's own folding,
`query.index_words`) of the text with ł, ß, ё, Greek έ... folded (`summaries.folding`, as the
index's `folded` column and every search term are), so a topic matches here exactly what a
search for it finds.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from summaries.errors import NotFoundError, QueryError, typed
from summaries.folding import COLUMN_BREAK, fold
from summaries.query import index_words
from summaries.search import Query, Term, parse_query, search
from summaries.store import Database, from_db, to_db

RECENT = timedelta(days=7)
"""The window for "would have matched N recent articles" when a topic is added."""
MAX_TOPIC_CHARS = 200


@dataclass(frozen=True)
class Topic:
    """One followed query."""

    id: int
    chat_id: int
    query: str
    created_at: datetime | None = None


@dataclass(frozen=True)
class Subscription:
    """A topic with its parsed query, ready for matching."""

    topic_id: int
    chat_id: int
    text: str
    query: Query


@dataclass(frozen=True)
class Doc:
    """What matching needs of an article: its words, outlet and time."""

    id: int
    parts: tuple[str, ...]
    """Title, summary and body: separate columns in the index, so a phrase stays within one."""
    source_name: str
    when: datetime


def words(text: str) -> list[str]:
    """Lower-cased, accent-free words, as FTS5's unicode61 (remove_diacritics 2) has them."""
    return index_words(text)


def validate(text: str) -> Query:
    """Parse a topic; QueryError says why one is unusable and what to type instead."""
    cleaned = " ".join(text.split())
    if not cleaned:
        raise QueryError('Follow a topic with words, e.g. /subscribe climate OR "heat wave".')
    if len(cleaned) > MAX_TOPIC_CHARS:
        raise QueryError(f"Keep a topic under {MAX_TOPIC_CHARS} characters.")
    query = parse_query(cleaned)
    if not query.groups and not query.source:
        raise QueryError('A topic needs words to look for (or source:NAME), e.g. /subscribe "AI".')
    for group in query.groups:
        if all(any(_always_excluded(t, e) for e in query.excluded) for t in group):
            raise QueryError(
                f"{typed(cleaned)} can never match: every article it looks for is excluded too."
                " Drop the -exclusion that repeats what you follow."
            )
    return query


def _folded(term: Term) -> list[str]:
    """A term's words as the matcher compares them (folded and accents dropped, as searched)."""
    return [w for word in term.words for w in words(fold(word))]


def _always_excluded(term: Term, excluded: Term) -> bool:
    """True when every article containing `term` also contains `excluded` ("heat wave" -heat)."""
    have, drop = _folded(term), _folded(excluded)
    size = len(drop)
    for start in range(len(have) - size + 1) if drop else ():
        last, window = have[start + size - 1], have[start : start + size - 1]
        if window != drop[:-1]:
            continue
        if excluded.prefix and last.startswith(drop[-1]):
            return True
        open_end = term.prefix and start + size == len(have)  # "clim*" is not always "clim"
        if last == drop[-1] and not open_end:
            return True
    return False


def identity(query: Query) -> tuple[object, ...]:
    """What a query finds, whatever its spelling: "Café" = "cafe" = '"cafe"' = "cafe AND cafe"."""

    def term(t: Term) -> tuple[tuple[str, ...], bool]:
        return tuple(_folded(t)), t.prefix

    groups = frozenset(frozenset(map(term, group)) for group in query.groups)
    source = (query.source or "").casefold()
    return groups, frozenset(map(term, query.excluded)), source, query.since


def _stored_identity(text: str) -> tuple[object, ...] | None:
    try:
        return identity(parse_query(text))
    except QueryError:
        return None


def _topic(row: dict[str, Any]) -> Topic:
    return Topic(row["id"], row["chat_id"], row["query"], from_db(row["created_at"]))


def list_topics(db: Database, chat_id: int) -> list[Topic]:
    """The chat's topics in the order they were added (their /topics numbers)."""
    rows = db.query("SELECT * FROM topics WHERE chat_id = ? ORDER BY id", [chat_id])
    return [_topic(r) for r in rows]


def recent_matches(db: Database, query: Query, *, now: datetime) -> int:
    """How many articles from the last week (or the query's own since:) the query matches."""
    return search(db, replace(query, since=query.since or RECENT), limit=1, now=now).total


def subscribe(
    db: Database, chat_id: int, text: str, *, limit: int, now: datetime
) -> tuple[Topic, int]:
    """Follow a topic; returns it and its count of recent matches. The chat row must exist."""
    query = validate(text)
    existing = list_topics(db, chat_id)
    key = identity(query)
    same = next((t for t in existing if _stored_identity(t.query) == key), None)
    if same is not None:
        spelt = "" if same.query.lower() == query.text.lower() else f" (as {typed(same.query)})"
        raise QueryError(
            f"You already follow {typed(query.text)}{spelt}. See them all with /topics."
        )
    if len(existing) >= limit:
        raise QueryError(
            f"You follow {len(existing)} topics, the most allowed."
            " Remove one with /unsubscribe N first (see /topics)."
        )
    with db.conn:
        cursor = db.execute(
            "INSERT INTO topics (chat_id, query, created_at) VALUES (?, ?, ?)",
            [chat_id, query.text, to_db(now)],
        )
    topic = Topic(int(cursor.lastrowid or 0), chat_id, query.text, now)
    return topic, recent_matches(db, query, now=now)


def unsubscribe(db: Database, chat_id: int, key: str) -> Topic:
    """Stop following a topic given by its /topics number or its exact text."""
    topics = list_topics(db, chat_id)
    cleaned = " ".join(key.split())
    if cleaned.isdecimal() and len(cleaned) < 10 and 1 <= int(cleaned) <= len(topics):
        found: Topic | None = topics[int(cleaned) - 1]
    else:
        found = next((t for t in topics if t.query.lower() == cleaned.lower()), None)
    if found is None:
        raise NotFoundError(f"No topic {typed(cleaned)}. See the numbered list with /topics.")
    return remove_topic(db, chat_id, found.id)


def remove_topic(db: Database, chat_id: int, topic_id: int) -> Topic:
    """Remove a topic by id (the /topics buttons); only the chat's own topics."""
    rows = list(db.query("SELECT * FROM topics WHERE id = ? AND chat_id = ?", [topic_id, chat_id]))
    if not rows:
        raise NotFoundError("That topic is already gone. See the current list with /topics.")
    with db.conn:
        db.execute("DELETE FROM topics WHERE id = ?", [topic_id])
    return _topic(rows[0])


def subscriptions(
    db: Database, *, alerts_only: bool = False, chat_id: int | None = None
) -> list[Subscription]:
    """Every topic of every active chat (with alerts on, or of one chat, if asked), parsed once."""
    rows = db.execute(
        "SELECT t.id, t.chat_id, t.query FROM topics t JOIN chats c ON c.id = t.chat_id"
        " WHERE c.active = 1 AND (c.alerts = 1 OR NOT ?) AND (t.chat_id = ? OR ? IS NULL)"
        " ORDER BY t.chat_id, t.id",
        [alerts_only, chat_id, chat_id],
    ).fetchall()
    parsed: dict[str, Query] = {}
    for _, _, text in rows:
        if text not in parsed:
            parsed[text] = parse_query(text)
    return [Subscription(int(i), int(c), str(q), parsed[q]) for i, c, q in rows]


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
        tokens += words(fold(part))
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
        """The bitset of matching articles."""
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
        if since not in self._recent:
            cutoff = self.now - since
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
        folded = _folded(term)
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
        key = name.lower()
        if key not in self._sources:
            self._sources[key] = sum(
                1 << i for i, d in enumerate(self.docs) if d.source_name.lower().startswith(key)
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
    size = len(phrase)
    for start in range(len(tokens) - size + 1):
        if tokens[start : start + size - 1] == phrase[:-1]:
            last = tokens[start + size - 1]
            if last == phrase[-1] or (prefix and last.startswith(phrase[-1])):
                return True
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
