"""Forgetting a chat: everything newsbrief stores about it, deleted at the chat's request.

What a chat leaves here is its settings (timezone, digest time, alerts), the topics it follows
(its interests, which are personal data), the record of each story sent to it, its queued
messages and its recent searches. A person who asks to be forgotten expects all of it gone,
not a deactivated row: the chat row goes, the rows hanging from it go with it (ON DELETE
CASCADE), and the searches, which are kept by chat id alone, are deleted beside it, in one
transaction. Stories and sources are not the chat's and stay.
"""

from __future__ import annotations

from dataclasses import dataclass

from summaries.store import Database


@dataclass(frozen=True)
class Stored:
    """How much a chat has stored: what /forget is about to delete, or deleted."""

    settings: bool
    topics: int
    deliveries: int
    """Stories sent (or tried) to the chat; those still waiting are in `queued`."""
    queued: int
    searches: int
    """Kept by chat id alone: a chat that only searched has no other row."""

    @property
    def anything(self) -> bool:
        return self.settings or self.topics > 0 or self.deliveries > 0 or self.searches > 0


def stored_about(db: Database, chat_id: int) -> Stored:
    """What `forget_chat` would delete for `chat_id` now."""
    settings = db.execute("SELECT 1 FROM chats WHERE id = ?", [chat_id]).fetchone() is not None
    return Stored(
        settings=settings,
        topics=_count(db, "SELECT count(*) FROM topics WHERE chat_id = ?", chat_id),
        deliveries=_count(
            db, "SELECT count(*) FROM deliveries WHERE chat_id = ? AND status <> 'pending'", chat_id
        ),
        queued=_count(
            db, "SELECT count(*) FROM outbox WHERE chat_id = ? AND status = 'pending'", chat_id
        ),
        searches=_count(db, "SELECT count(*) FROM search_sessions WHERE chat_id = ?", chat_id),
    )


def forget_chat(db: Database, chat_id: int) -> Stored:
    """Delete everything stored about `chat_id`; return what there was.

    A message already on its way to Telegram when this runs still arrives; the flush finds
    the chat's other queued messages gone and sends nothing more.
    """
    with db.conn:
        there = stored_about(db, chat_id)
        db.execute("DELETE FROM search_sessions WHERE chat_id = ?", [chat_id])
        db.execute("DELETE FROM chats WHERE id = ?", [chat_id])
    return there


def _count(db: Database, sql: str, chat_id: int) -> int:
    return int(db.execute(sql, [chat_id]).fetchone()[0])
