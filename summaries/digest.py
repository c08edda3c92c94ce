"""One chat's digest: what goes in, where it goes, and planning it into the outbox.

Content: stories fetched since the previous digest (`digest_window`) that the chat has not
been sent, matching its topics (grouped by topic, in topic order) or, with no topics, the top
stories overall. Near-duplicates collapse to one item with "also reported by"; stories covered
by more outlets come first.

Where: a scheduled digest goes to the chat's delivery topic (`Chat.delivery_thread`, read when
it is planned: in a forum, where an admin last set the digest time or followed a topic), a
/digest to the topic it was asked in; None is the chat itself (General in a forum).

Planning writes the digest's messages and the chat's `last_digest_slot` in one transaction, so
a scheduled day is fulfilled exactly once (`digest_schedule` decides which days are due).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from summaries.articles import get_articles
from summaries.chats import Chat, get_chat
from summaries.cluster import collapse
from summaries.digest_window import Window, window_start
from summaries.matching import match_with
from summaries.notify import DigestMessage, Item
from summaries.outbox import Outbox, enqueue, undelivered
from summaries.store import Database, to_db
from summaries.topics import list_topics, subscriptions

MAX_ITEMS = 30
TOP_STORIES = 10


def build_digest(
    db: Database, chat: Chat, *, now: datetime, window: Window | None = None
) -> tuple[DigestMessage, dict[int, int]]:
    """The chat's digest as plain data, and which topic each included article came from."""
    since = window_start(chat, now)
    window = window or Window(db)
    candidates = undelivered(db, chat.id, window.ids(since, now))
    topics = list_topics(db, chat.id)
    if not topics:
        stories = collapse(get_articles(db, candidates), db)
        top = tuple(Item(a) for a in stories[:TOP_STORIES])
        message = DigestMessage(
            chat.id, ((None, top),) if top else (), since, now, chat.timezone, has_topics=False
        )
        return message, {}
    matched = match_with(window.matcher(since, now), subscriptions(db, chat_id=chat.id))
    fresh = set(candidates)
    found = {a: t for a, t in matched.get(chat.id, {}).items() if a in fresh}
    # Collapsed across topics, not per topic: a story whose outlets matched different topics
    # is one item, under the topic of the article that stands for it.
    stories = collapse(get_articles(db, [a for a in candidates if a in found]), db)
    groups: list[tuple[str | None, tuple[Item, ...]]] = []
    budget = MAX_ITEMS
    for topic in topics:
        items = tuple(Item(a, topic.query) for a in stories if found[a.id] == topic.id)[:budget]
        budget -= len(items)
        if items:
            groups.append((topic.query, items))
    shown = {i.article.id for _, items in groups for i in items}
    more = len(stories) - len(shown)
    message = DigestMessage(chat.id, tuple(groups), since, now, chat.timezone, True, more)
    return message, {a: t for a, t in found.items() if a in shown}


def plan_digest(
    db: Database,
    outbox: Outbox,
    chat_id: int,
    *,
    now: datetime,
    slot: date | None,
    thread_id: int | None = None,
) -> bool:
    """Plan the chat's digest now; `slot` is the scheduled day it fulfils (None: /digest).

    `thread_id` is the forum topic /digest was asked in, where the digest goes (None: the chat
    itself, General in a forum); a scheduled digest (`slot` given) goes to the chat's delivery
    topic instead, whatever `thread_id` says. Returns False when there was nothing to send and
    the chat prefers to skip empty digests (or the slot was already done). Messages and slot
    are written in one transaction.
    """
    with db.conn:
        return plan_in_transaction(db, outbox, chat_id, now=now, slot=slot, thread_id=thread_id)


def plan_in_transaction(
    db: Database,
    outbox: Outbox,
    chat_id: int,
    *,
    now: datetime,
    slot: date | None,
    window: Window | None = None,
    thread_id: int | None = None,
) -> bool:
    """`plan_digest` inside the caller's transaction: reads and renders first, then writes."""
    chat = get_chat(db, chat_id)
    if slot is not None and chat.last_digest_slot is not None and chat.last_digest_slot >= slot:
        return False
    message, topic_ids = build_digest(db, chat, now=now, window=window)
    send = not message.is_empty or chat.empty_digest == "send"
    parts = outbox.notifier.render_digest(message) if send else []
    where = thread_id if slot is None else chat.delivery_thread
    updates: list[Any] = [to_db(now)]
    sql = "UPDATE chats SET last_digest_at = ?"
    if slot is not None:
        sql += ", last_digest_slot = ?"
        updates.append(str(slot))
    if parts:
        enqueue(db, chat_id, "digest", parts, now=now, topic_ids=topic_ids, thread_id=where)
    db.execute(sql + " WHERE id = ?", [*updates, chat_id])
    return bool(parts)
