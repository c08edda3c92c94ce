"""Announcements: one message from the bot's operators to every chat that still receives them.

An operator who takes the bot down for maintenance, changes its sources or moves it to another
server has to tell its chats, and the outbox already knows how to reach thousands of them under
Telegram's limits without sending anything twice. An announcement is queued there like a
digest: one row per active chat, in the topic where the chat's deliveries go, under a key that
can be queued only once, so a button pressed twice sends nothing more.
"""

from __future__ import annotations

from datetime import datetime

from summaries.store import Database, to_db

KIND = "announcement"
_RECIPIENTS = "FROM chats WHERE active = 1 AND kind <> 'channel'"
"""Every active chat but channels: a channel's posts go to all its subscribers, who did not
ask the bot for anything (its admins only let it post the topics they chose)."""


def announcement_reach(db: Database) -> int:
    """How many chats an announcement would go to now."""
    return int(db.execute(f"SELECT count(*) {_RECIPIENTS}").fetchone()[0])


def was_queued(db: Database, key: str) -> bool:
    """Whether the announcement under `key` was queued already."""
    batch = f"{KIND}:{key}"
    return (
        db.execute("SELECT 1 FROM outbox WHERE batch = ? LIMIT 1", [batch]).fetchone() is not None
    )


def queue_announcement(db: Database, body: str, *, key: str, now: datetime) -> int | None:
    """Queue `body` (one message, as it will be sent) for every active chat but channels;
    return how many chats, or None when `key` was queued before (nothing is queued twice)."""
    batch = f"{KIND}:{key}"
    moment = to_db(now)
    with db.conn:
        if was_queued(db, key):
            return None
        cursor = db.execute(
            "INSERT INTO outbox (chat_id, thread_id, batch, part, kind, body, created_at,"
            f" updated_at) SELECT id, delivery_thread_id, ?, 0, ?, ?, ?, ? {_RECIPIENTS}",
            [batch, KIND, body, moment, moment],
        )
    return cursor.rowcount
