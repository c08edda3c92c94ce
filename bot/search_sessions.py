"""Search queries kept in the database for the Next / Previous buttons.

Callback data is limited to 64 bytes, and a query can be 4,000 characters, so a button carries
only `s:<page>:<key>`. Keeping the query in the database rather than in memory lets the buttons
of a result message keep working after a restart. Sessions older than `KEEP` are pruned.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from summaries.store import Database, to_db

KEEP = timedelta(days=7)
MAX_QUERY_CHARS = 4096


def save_session(db: Database, chat_id: int, query: str, *, now: datetime) -> str:
    """Store `query` for `chat_id` and return its key (8 URL-safe characters)."""
    key = secrets.token_urlsafe(6)
    with db.conn:
        db.execute("DELETE FROM search_sessions WHERE created_at < ?", [to_db(now - KEEP)])
        db.execute(
            "INSERT INTO search_sessions (key, chat_id, query, created_at) VALUES (?, ?, ?, ?)",
            [key, chat_id, query[:MAX_QUERY_CHARS], to_db(now)],
        )
    return key


def load_session(db: Database, chat_id: int, key: str) -> str | None:
    """The query saved under `key` in this chat, or None if it expired (or is someone else's)."""
    row = db.execute(
        "SELECT query FROM search_sessions WHERE key = ? AND chat_id = ?", [key, chat_id]
    ).fetchone()
    return str(row[0]) if row else None
