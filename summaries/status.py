"""Is newsbrief working? One overview for the operator, and the problems in it, named.

An operator's first question is rarely about one source or one message: it is whether stories
still come in, whether chats still get them and whether there is a recent backup. Each answer
is one query here; `problems` turns the figures into sentences that say what to look at next,
so `newsbrief status --check` can run from cron or a monitor and `/status` in Telegram reads
the same.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from summaries.backup import BACKUP_NAME
from summaries.store import Database, from_db, to_db

STALLED_AFTER = timedelta(minutes=10)
"""A message still waiting this long after it was queued is stuck, not in a fan-out."""
BACKUP_LATE_AFTER = timedelta(hours=26)
"""The nightly backup is late after a day, with two hours to spare for a slow night."""
POLL_OVERDUE = timedelta(minutes=5)
"""How long past its next poll a source may wait before the poller counts as stopped."""
MESSAGE_STATES = ("pending", "sending", "sent", "failed", "unknown", "dropped")
"""Every state of a queued message (`summaries.outbox`), each counted in `--json` even at 0."""


@dataclass(frozen=True)
class Status:
    """The figures of the overview, read in one go."""

    articles: int
    articles_last_day: int
    newest_article_at: datetime | None
    sources_enabled: int
    sources_failing: int
    last_poll_at: datetime | None
    next_poll_at: datetime | None
    """The earliest next poll of an enabled source (a failing one backs off up to a day)."""
    chats_active: int
    chats_inactive: int
    topics: int
    scheduled_digests: int
    outbox: dict[str, int]
    oldest_waiting_at: datetime | None
    database_bytes: int | None
    backup_dir: Path | None
    last_backup: Path | None
    last_backup_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        """Plain JSON values (times as stored, ISO 8601 UTC; paths as text).

        `outbox` has every state, so `.outbox.failed == 0` holds when nothing failed (a missing
        key reads as null and made that check fail exactly then).
        """
        row = asdict(self)
        row["outbox"] = dict.fromkeys(MESSAGE_STATES, 0) | self.outbox
        for key, value in row.items():
            if isinstance(value, datetime):
                row[key] = to_db(value)
            elif isinstance(value, Path):
                row[key] = str(value)
        return row


def collect_status(
    db: Database, *, now: datetime, database: Path | None, backup_dir: Path | None
) -> Status:
    """Read the overview; `database` is the file for its size (None: not shown)."""
    one = _one(db)
    newest_backup = _newest_backup(backup_dir)
    return Status(
        articles=int(one("SELECT count(*) FROM articles")),
        articles_last_day=int(
            one(
                "SELECT count(*) FROM articles WHERE fetched_at >= ?",
                to_db(now - timedelta(days=1)),
            )
        ),
        newest_article_at=from_db(one("SELECT max(fetched_at) FROM articles")),
        sources_enabled=int(one("SELECT count(*) FROM sources WHERE enabled = 1")),
        sources_failing=int(
            one("SELECT count(*) FROM sources WHERE enabled = 1 AND consecutive_failures > 0")
        ),
        last_poll_at=from_db(one("SELECT max(last_polled_at) FROM sources")),
        next_poll_at=from_db(
            one("SELECT min(coalesce(next_poll_at, added_at)) FROM sources WHERE enabled = 1")
        ),
        chats_active=int(one("SELECT count(*) FROM chats WHERE active = 1")),
        chats_inactive=int(one("SELECT count(*) FROM chats WHERE active = 0")),
        topics=int(one("SELECT count(*) FROM topics")),
        scheduled_digests=int(
            one("SELECT count(*) FROM chats WHERE active = 1 AND digest_time IS NOT NULL")
        ),
        outbox={
            str(s): int(n)
            for s, n in db.execute("SELECT status, count(*) FROM outbox GROUP BY status")
        },
        oldest_waiting_at=from_db(
            one("SELECT min(created_at) FROM outbox WHERE status IN ('pending', 'sending')")
        ),
        database_bytes=_size(database),
        backup_dir=backup_dir,
        last_backup=newest_backup,
        last_backup_at=_taken_at(newest_backup),
    )


def overview(status: Status, *, now: datetime) -> list[str]:
    """The figures as lines of plain text, for the command line and for /status."""
    out = status.outbox
    messages = ", ".join(f"{n:,} {state}" for state, n in sorted(out.items())) or "none yet"
    lines = [
        f"Articles: {status.articles:,} stored, {status.articles_last_day:,} in the last 24 h,"
        f" newest {_ago(status.newest_article_at, now)}",
        f"Sources: {status.sources_enabled} enabled, {status.sources_failing} failing;"
        f" last poll {_ago(status.last_poll_at, now)}",
        f"Chats: {status.chats_active:,} active, {status.chats_inactive:,} inactive;"
        f" {status.topics:,} topics, {status.scheduled_digests:,} scheduled digests",
        f"Messages: {messages}",
    ]
    if status.database_bytes is not None:
        lines.append(f"Database: {status.database_bytes / 1_000_000:,.1f} MB")
    if status.backup_dir is None:
        lines.append("Backups: no nightly backup (NEWSBRIEF_BACKUP_DIR is not set)")
    else:
        last = f"last {_ago(status.last_backup_at, now)}" if status.last_backup else "none yet"
        lines.append(f"Backups: {last}, in {status.backup_dir}")
    return lines


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    return "just now" if now - moment < timedelta(minutes=1) else f"{span(now - moment)} ago"


def problems(status: Status, *, now: datetime, poll_interval: int) -> list[str]:
    """What needs the operator's attention, each with where to look; empty when all is well."""
    found: list[str] = []
    if status.sources_enabled == 0:
        found.append("No source is enabled: add one with /addsource or `newsbrief sources add`.")
    elif status.sources_failing:
        found.append(
            f"{status.sources_failing} of {status.sources_enabled} sources are failing:"
            " see /sources or `newsbrief sources list`."
        )
    quiet = now - status.last_poll_at if status.last_poll_at else None
    if _poll_overdue(status, now) and (quiet is None or quiet > _poll_late_after(poll_interval)):
        since = f"for {span(quiet)}" if quiet is not None else "yet"
        found.append(f"No source was polled {since}: is `newsbrief run` (or `worker`) running?")
    stuck = now - status.oldest_waiting_at if status.oldest_waiting_at else None
    if stuck is not None and stuck > STALLED_AFTER:
        found.append(
            f"Messages have been waiting to be sent for {span(stuck)}: is `newsbrief run`"
            " running, and can it reach Telegram?"
        )
    found += _backup_problems(status, now)
    return found


def _backup_problems(status: Status, now: datetime) -> list[str]:
    if status.backup_dir is None:
        return []
    if status.last_backup_at is None:
        trouble = _backup_dir_trouble(status.backup_dir)
        return [
            trouble or f"No backup in {status.backup_dir} yet (the first is taken at 03:17 UTC)."
        ]
    late = now - status.last_backup_at
    if late > BACKUP_LATE_AFTER:
        return [f"The last backup is {span(late)} old: the log says why the nightly one failed."]
    return []


def _poll_late_after(poll_interval: int) -> timedelta:
    """Polls run every minute for the sources that are due: three intervals without any poll
    means the poller is down, if a source is due (`_poll_overdue`)."""
    return timedelta(seconds=3 * poll_interval) + timedelta(minutes=5)


def _poll_overdue(status: Status, now: datetime) -> bool:
    """Whether a source has waited past its next poll: sources that are all failing back off
    (up to a day), and a poller with nothing due polls nothing without having stopped."""
    return status.next_poll_at is not None and now - status.next_poll_at > POLL_OVERDUE


def span(delta: timedelta) -> str:
    """A duration as people say it: "45 min", "5 h", "3 days"."""
    if delta < timedelta(hours=1):
        return f"{max(delta.seconds // 60, 1)} min"
    if delta < timedelta(days=2):
        return f"{delta.days * 24 + delta.seconds // 3600} h"
    return f"{delta.days} days"


def _one(db: Database) -> Any:
    def one(sql: str, *args: object) -> Any:
        return db.execute(sql, list(args)).fetchone()[0]

    return one


def _size(database: Path | None) -> int | None:
    if database is None:
        return None
    files = (database, Path(f"{database}-wal"))
    return sum(f.stat().st_size for f in files if f.is_file()) or None


def _newest_backup(directory: Path | None) -> Path | None:
    """The newest file `backup` named in `directory` (names sort by time); None also when the
    directory cannot be listed (`_backup_dir_trouble` says why)."""
    if directory is None or not directory.is_dir():
        return None
    try:
        names = list(directory.iterdir())
    except OSError:
        return None
    ours = sorted(p for p in names if BACKUP_NAME.fullmatch(p.name) and _taken_at(p))
    return ours[-1] if ours else None


def _backup_dir_trouble(directory: Path) -> str | None:
    """Why no backup can be in `directory`, if that is the reason none was found: a file named
    there, or a directory this user may not list, would fail every nightly backup while the
    overview said only that the first one was still to come (or ended with a traceback)."""
    try:
        if directory.is_dir():
            next(directory.iterdir(), None)
            return None
        if not directory.exists():
            return None  # the nightly backup creates it
        reason = "it is a file, not a directory"
    except OSError as error:
        reason = f"it cannot be read ({error.strerror})"
    return (
        f"NEWSBRIEF_BACKUP_DIR={directory} cannot hold backups: {reason}. Set it to a"
        " directory newsbrief may write to."
    )


def _taken_at(path: Path | None) -> datetime | None:
    """When the backup was taken, from its name (a copied file keeps the name, not the time);
    None for a name that only looks like one (newsbrief-20261125T036100Z.db is no time)."""
    if path is None:
        return None
    try:
        taken = datetime.strptime(path.name, "newsbrief-%Y%m%dT%H%M%SZ.db")
    except ValueError:
        return None
    return taken.replace(tzinfo=UTC)
