"""Which stories a digest considers: those fetched since the chat's previous digest.

The window is (previous digest, now]: the last 24 hours for a first digest, or when the clock
was set back past the previous one (`window_start`, applied to every chat on each tick by
`rewind_future_cutoffs`, so a jump is never missed). Chats due together share one window, read
and indexed once (`Window`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from summaries.chats import Chat
from summaries.matching import Matcher, load_docs
from summaries.store import Database, to_db

log = logging.getLogger(__name__)

FIRST_DIGEST = timedelta(hours=24)
MAX_CANDIDATES = 3000


class Window:
    """The articles fetched in one (since, now] window, read and indexed once for every chat
    that shares it.

    Chats on the same schedule share their window (their previous digests ran together), so a
    fan-out tokenises the day's articles once instead of once per chat. Only the latest window
    is kept, which bounds memory; `run_due_digests` plans chats sorted by window.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._key: tuple[datetime, datetime] | None = None
        self._ids: list[int] = []
        self._matcher: Matcher | None = None

    def ids(self, since: datetime, now: datetime) -> list[int]:
        """Articles fetched in (since, now], newest first, at most `MAX_CANDIDATES`."""
        if self._key != (since, now):
            self._key, self._matcher = (since, now), None
            self._ids = [
                int(r[0])
                for r in self.db.execute(
                    "SELECT id FROM articles WHERE fetched_at > ? AND fetched_at <= ?"
                    " ORDER BY coalesce(published_at, fetched_at) DESC, id DESC LIMIT ?",
                    [to_db(since), to_db(now), MAX_CANDIDATES],
                ).fetchall()
            ]
            if len(self._ids) == MAX_CANDIDATES:
                log.warning(
                    "more than %d articles fetched since %s: digests consider only the newest"
                    " %d, older ones are neither shown nor counted",
                    MAX_CANDIDATES, since.isoformat(), MAX_CANDIDATES,
                )  # fmt: skip
        return self._ids

    def matcher(self, since: datetime, now: datetime) -> Matcher:
        """Those articles indexed for topic matching."""
        ids = self.ids(since, now)
        if self._matcher is None:
            self._matcher = Matcher(load_docs(self.db, ids), now=now)
        return self._matcher


def window_start(chat: Chat, now: datetime) -> datetime:
    """Where the chat's next digest window starts: its previous digest (first: a day ago).

    A previous digest later than `now` means the clock was set back since: stories stored
    after that digest carry earlier times than its cutoff, and a window starting there would
    never show them. The window then starts a day back, like a first digest's; the deliveries
    (`undelivered`) keep out every story the chat was already sent, so nothing goes twice.
    """
    since = chat.last_digest_at or now - FIRST_DIGEST
    return now - FIRST_DIGEST if since > now else since


def rewind_future_cutoffs(db: Database, *, now: datetime) -> int:
    """Apply `window_start`'s rule to every chat as soon as the clock is seen to go back.

    A digest that runs once the clock has passed the old cutoff again would not notice the
    jump, so each tick records it: stories stored in between stay in the next window.
    Looked for first, so the usual tick takes no write lock.
    """
    cutoff = to_db(now)
    sql = "SELECT count(*) FROM chats WHERE last_digest_at > ?"
    count = int(db.execute(sql, [cutoff]).fetchone()[0])
    if count:
        with db.conn:
            db.execute(
                "UPDATE chats SET last_digest_at = ? WHERE last_digest_at > ?",
                [to_db(now - FIRST_DIGEST), cutoff],
            )
        log.warning(
            "the clock is earlier than the last digest of %d chat(s) (it was set back): their"
            " next digest looks back %s; stories already sent are not sent again",
            count, FIRST_DIGEST,
        )  # fmt: skip
    return count
