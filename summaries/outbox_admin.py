"""What operators see of the delivery log, and its nightly housekeeping.

Kept apart from `outbox.py`, which plans and sends: these only read and prune the `outbox`
table, for `/failures` and the nightly job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from summaries.store import Database, from_db, to_db


@dataclass(frozen=True)
class Failure:
    """A message that could not be delivered, for the admins' /failures list."""

    outbox_id: int
    chat_id: int
    kind: str
    status: str
    error: str
    attempts: int
    updated_at: datetime | None


def failures(db: Database, *, limit: int = 20) -> list[Failure]:
    """The most recent messages that failed or may not have arrived, newest first."""
    rows = db.query(
        "SELECT id, chat_id, kind, status, coalesce(error, '') AS error, attempts, updated_at"
        " FROM outbox WHERE status IN ('failed', 'unknown') ORDER BY updated_at DESC, id DESC"
        " LIMIT ?",
        [limit],
    )
    return [
        Failure(
            outbox_id=r["id"],
            chat_id=r["chat_id"],
            kind=r["kind"],
            status=r["status"],
            error=r["error"],
            attempts=r["attempts"],
            updated_at=from_db(r["updated_at"]),
        )
        for r in rows
    ]


def status_counts(db: Database) -> dict[str, int]:
    """How many outbox messages are in each state (for /failures and the benchmark)."""
    return {
        str(s): int(n)
        for s, n in db.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall()
    }


KEEP_SENT = timedelta(days=30)
KEEP_FAILED = timedelta(days=90)
"""How long /failures keeps a failed or unknown message (its body included) for operators."""


def prune(
    db: Database,
    *,
    now: datetime,
    keep: timedelta = KEEP_SENT,
    keep_failed: timedelta = KEEP_FAILED,
) -> int:
    """Delete the bodies of messages sent or dropped more than `keep` ago, and of those that
    failed or may not have arrived more than `keep_failed` ago; returns how many.

    Their `deliveries` rows stay (without the outbox link): they are what keeps a story from
    being sent twice, and they are small. Failures stay longer, for /failures, but not
    forever: a chat that keeps failing (a closed forum topic, a message Telegram refuses)
    would otherwise add its bodies to the database every day the bot runs.
    """
    with db.conn:
        sent = db.execute(
            "DELETE FROM outbox WHERE status IN ('sent', 'dropped') AND updated_at < ?",
            [to_db(now - keep)],
        ).rowcount
        failed = db.execute(
            "DELETE FROM outbox WHERE status IN ('failed', 'unknown') AND updated_at < ?",
            [to_db(now - keep_failed)],
        ).rowcount
    return int(sent) + int(failed)
