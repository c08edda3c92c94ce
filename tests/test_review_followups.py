"""Follow-ups from the review of the fuzzing and audit passes: each test failed before its fix."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlite_utils

from summaries import schedule, store
from summaries.config import Settings
from summaries.default_sources import DEFAULT_SOURCES, seed_default_sources
from summaries.fetch import Fetcher, FetchPolicy
from summaries.ingest import Ingester
from summaries.store import Database, open_database, utcnow


async def test_a_failed_rescue_of_a_moved_database_is_logged(
    tmp_path: Path,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """When the database is moved away, the job copies the write-ahead log into the moved file
    before stopping; if that copy fails, what only the log held is missing from the moved file,
    and the operator must be told (the error was suppressed without a word)."""

    def refuse(_db: Database) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(schedule, "truncate_wal", refuse)
    path = tmp_path / "newsbrief.db"
    db = open_database(path)
    async with Fetcher(FetchPolicy.from_settings(settings)) as fetcher:
        job = schedule.IngestJob(Ingester(db, fetcher, settings), db=db)
        path.rename(tmp_path / "moved.db")
        with caplog.at_level(logging.WARNING, logger="summaries.schedule"):
            await job.tick()
    db.close()
    assert job.database_gone
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("write-ahead log" in w and "disk I/O error" in w for w in warnings), warnings


class _Overtaken(store._Connection):
    """A connection another process overtakes: `before_lock` runs just before its next
    transaction takes the write lock, as a process that got the lock first would."""

    before_lock: Callable[[], object] | None = None

    def __enter__(self) -> _Overtaken:
        hook, self.before_lock = self.before_lock, None
        if hook is not None:
            hook()
        super().__enter__()
        return self


def test_two_processes_seeding_a_new_database_together_add_the_defaults_once(
    tmp_path: Path,
) -> None:
    """Both read "not seeded" before either took the write lock; the one that waited then
    inserted the same sources again and died with an IntegrityError at start-up."""
    path = tmp_path / "newsbrief.db"
    first = open_database(path)
    connection = sqlite3.connect(path, factory=_Overtaken, check_same_thread=False)
    second = sqlite_utils.Database(connection)
    connection.before_lock = lambda: seed_default_sources(first, enabled=True, now=utcnow())
    try:
        assert seed_default_sources(second, enabled=True, now=utcnow()) == 0
        count = second.execute("SELECT count(*) FROM sources").fetchone()[0]
    finally:
        second.close()
        first.close()
    assert count == len(DEFAULT_SOURCES)
