"""A group upgraded to a supergroup gets a new chat id: its settings and topics move with it.

Without this, the group's topics and digest stay under the old id, deliveries to it fail
("group chat was upgraded to a supergroup chat") and the upgraded group starts from nothing.
Telegram announces the upgrade twice (the old group's last message carries `migrate_to_chat_id`,
the supergroup's first `migrate_from_chat_id`); moving is idempotent, so either or both work.

Every table with a `chat_id` column moves (topics, deliveries, outbox, search sessions), found
from the schema so that a table added later moves too. The bot calls `move_chat` when Telegram
announces the upgrade (`bot.handlers.membership`), and when it refuses the old id with the new
one: a digest or alert sent after the upgrade (`bot.delivery`), or an answer to a message
written just before it (`bot.handlers.errors`).
"""

from __future__ import annotations

from summaries.store import Database

_CHAT_IDENTITY = ("id", "kind", "title", "created_at", "active", "deactivated_at")
"""Columns of `chats` that describe the chat itself; every other column is a setting."""
_THREAD = "delivery_thread_id"
"""The setting that names a forum topic, which exists only in the chat where it was set."""


def move_chat(db: Database, old: int, new: int, *, kind: str) -> bool:
    """Move chat `old`'s settings and everything keyed by it to `new`; False if nothing to move.

    If `new` already has a row (the supergroup was used before the upgrade was announced), the
    group's settings win and the topics are merged (a topic followed in both stays once),
    except the delivery topic: one set in the supergroup is a topic of the supergroup and
    stays; otherwise the group's moves with the rest (NULL, General, for a group without
    topics).
    """
    if old == new or db.execute("SELECT 1 FROM chats WHERE id = ?", [old]).fetchone() is None:
        return False
    settings = [c for c in _columns(db, "chats") if c not in (*_CHAT_IDENTITY, _THREAD)]
    names = ", ".join(settings)
    with db.conn:
        db.execute(
            "INSERT INTO chats (id, kind, title, created_at)"
            " SELECT ?, ?, title, created_at FROM chats WHERE id = ? ON CONFLICT(id) DO NOTHING",
            [new, kind, old],
        )
        db.execute(
            f"UPDATE chats SET ({names}) = (SELECT {names} FROM chats WHERE id = ?),"  # noqa: S608
            f" {_THREAD} = coalesce({_THREAD}, (SELECT {_THREAD} FROM chats WHERE id = ?)),"
            " kind = ?, active = 1, deactivated_at = NULL WHERE id = ?",
            [old, old, kind, new],
        )
        for table in _keyed_by_chat(db):  # names from the schema, not from users
            sql = f'UPDATE OR IGNORE "{table}" SET chat_id = ? WHERE chat_id = ?'  # noqa: S608
            db.execute(sql, [new, old])
        db.execute("DELETE FROM chats WHERE id = ?", [old])  # cascades what was already in `new`
    return True


def _columns(db: Database, table: str) -> list[str]:
    return [str(row[1]) for row in db.execute(f'PRAGMA table_info("{table}")')]


def _keyed_by_chat(db: Database) -> list[str]:
    """The tables with a `chat_id` column."""
    tables = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return [str(name) for (name,) in tables if "chat_id" in _columns(db, str(name))]
