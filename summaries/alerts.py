"""Instant alerts: new articles matched against every topic, bundled per chat, capped per hour.

The ingester calls `alert_hook` with the ids it just stored. Each chat gets at most one message
per batch (all its new matches bundled, near-duplicates collapsed) and at most
`alerts_per_hour` alert messages in any hour. What the cap holds back is not lost: it has no
delivery row, so the chat's next digest picks it up. A chat with alerts off gets its matches
only in the digest, for the same reason. In a forum group the alert is posted in the chat's
delivery topic (`Chat.delivery_thread`: where an admin last set the digest time or followed a
topic), General if none.

A cursor (the highest article id already considered) lets `catch_up` plan the alerts for
articles nobody has considered yet: those a crash prevented between storing and planning, and
those another process stored (`newsbrief ingest` from cron; the instance lock keeps a
`newsbrief worker` off a database the bot runs on). The
bot runs it at start-up and every minute with the digests, and the hook plans them along with
its own batch, so the cursor never moves past an article without considering it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from summaries.articles import get_articles
from summaries.chats import get_chat
from summaries.cluster import collapse
from summaries.matching import match_subscriptions
from summaries.models import StoredArticle
from summaries.notify import AlertMessage, Item
from summaries.outbox import Outbox, enqueue, undelivered
from summaries.store import Database, to_db
from summaries.topics import subscriptions

log = logging.getLogger(__name__)

CATCH_UP_WINDOW = timedelta(hours=2)
"""Articles stored this recently but never considered still get their alerts; older ones
reach chats through their digests only (an alert about yesterday's news is noise)."""


def alerts_in_last_hour(db: Database, chat_id: int, *, now: datetime) -> int:
    """Alert messages (bundles, not parts) planned for the chat in the hour before `now`."""
    row = db.execute(
        "SELECT count(*) FROM outbox WHERE chat_id = ? AND kind = 'alert' AND part = 0"
        " AND created_at > ? AND status != 'dropped'",
        [chat_id, to_db(now - timedelta(hours=1))],
    ).fetchone()
    return int(row[0])


@dataclass(frozen=True)
class Batch:
    """What every chat's alert for one batch shares: topic texts and the stored articles."""

    topics: dict[int, str]
    articles: dict[int, StoredArticle]


def plan_alerts(
    db: Database, outbox: Outbox, article_ids: Sequence[int], *, per_hour: int, now: datetime
) -> int:
    """Plan one bundled alert per chat with new matches; returns how many were planned."""
    planned = 0
    if per_hour > 0 and article_ids:
        subs = subscriptions(db, alerts_only=True)
        matches = match_subscriptions(db, subs, article_ids, now=now)
        batch = Batch({s.topic_id: s.text for s in subs}, {})
        if matches:
            batch.articles.update((a.id, a) for a in get_articles(db, article_ids))
        for chat_id, found in matches.items():
            planned += _plan_chat(db, outbox, chat_id, found, batch, per_hour, now)
    _advance_cursor(db, max(article_ids, default=0))
    return planned


def _plan_chat(
    db: Database,
    outbox: Outbox,
    chat_id: int,
    found: dict[int, int],
    batch: Batch,
    per_hour: int,
    now: datetime,
) -> int:
    fresh = undelivered(db, chat_id, list(found))
    if not fresh:
        return 0
    if alerts_in_last_hour(db, chat_id, now=now) >= per_hour:
        log.info(
            "chat %s reached %d alerts this hour; %d go to the digest",
            chat_id,
            per_hour,
            len(fresh),
        )
        return 0
    stories = collapse([batch.articles[a] for a in fresh if a in batch.articles], db)
    items = tuple(Item(a, batch.topics.get(found[a.id])) for a in stories)
    chat = get_chat(db, chat_id)
    parts = outbox.notifier.render_alert(AlertMessage(chat_id, items, now, chat.timezone))
    with db.conn:
        enqueue(
            db,
            chat_id,
            "alert",
            parts,
            now=now,
            topic_ids={a: found[a] for a in fresh},
            thread_id=chat.delivery_thread,
        )
    return 1


def _advance_cursor(db: Database, article_id: int) -> None:
    with db.conn:
        db.execute(
            "INSERT INTO alert_cursor (id, article_id) VALUES (1, ?) ON CONFLICT(id)"
            " DO UPDATE SET article_id = max(article_id, excluded.article_id)",
            [article_id],
        )


def catch_up(db: Database, outbox: Outbox, *, per_hour: int, now: datetime) -> int:
    """Plan alerts for recent articles stored after the cursor; returns how many were planned."""
    ids = unconsidered(db, now=now)
    return plan_alerts(db, outbox, ids, per_hour=per_hour, now=now) if ids else 0


def unconsidered(db: Database, *, now: datetime) -> list[int]:
    """Ids of articles after the cursor, stored within `CATCH_UP_WINDOW`, oldest first.

    The first time (no cursor yet: a new database) nothing is owed: the cursor starts at the
    newest article.
    """
    row = db.execute("SELECT article_id FROM alert_cursor WHERE id = 1").fetchone()
    if row is None:
        latest = db.execute("SELECT max(id) FROM articles").fetchone()[0]
        _advance_cursor(db, int(latest or 0))
        return []
    return [
        int(r[0])
        for r in db.execute(
            "SELECT id FROM articles WHERE id > ? AND fetched_at >= ? ORDER BY id",
            [int(row[0]), to_db(now - CATCH_UP_WINDOW)],
        ).fetchall()
    ]


def alert_hook(
    db: Database, outbox: Outbox, *, per_hour: int, clock: Callable[[], datetime]
) -> Callable[[list[int]], Awaitable[None]]:
    """An `Ingester(on_new_articles=[...])` hook: plan alerts, then send them.

    Register it after the cluster hook, so a bundle already knows which stories are the same.
    """

    async def on_new_articles(article_ids: list[int]) -> None:
        now = clock()
        # with any that another process stored after the cursor: they would be skipped
        ids = sorted({*article_ids, *unconsidered(db, now=now)})
        if plan_alerts(db, outbox, ids, per_hour=per_hour, now=now):
            await outbox.flush()

    return on_new_articles
