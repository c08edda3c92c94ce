"""Follow-ups from the review of the fuzzing and audit passes: each test failed before its fix."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from summaries import schedule
from summaries.config import Settings
from summaries.fetch import Fetcher, FetchPolicy
from summaries.ingest import Ingester
from summaries.store import Database, open_database


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
