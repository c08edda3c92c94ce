"""Topics a chat follows: validating, storing and listing them.

A topic is a saved search (the query language of `summaries.search`). Subscribing validates it
and says how many recent articles it would have matched, so a typo shows up at once; a topic
that would find the same as one already followed is refused (`identity`). Matching new
articles against every topic at once is `summaries.matching`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from summaries.errors import NotFoundError, QueryError, typed
from summaries.query import term_words
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


def _always_excluded(term: Term, excluded: Term) -> bool:
    """True when every article containing `term` also contains `excluded` ("heat wave" -heat)."""
    have, drop = term_words(term), term_words(excluded)
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
        return tuple(term_words(t)), t.prefix

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
