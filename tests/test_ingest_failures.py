"""What one failure costs during ingest: one item's bug costs that item, the database's trouble
costs the tick, and neither is blamed on a source (no recorded failure, no back-off)."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime

import pytest

from summaries.config import Settings
from summaries.fetch import Fetcher, FetchPolicy
from summaries.ingest import Ingester
from summaries.schedule import ingest_tick
from summaries.sources import add_source, get_source
from summaries.store import Database, open_database
from tests.servers import LocalServer
from tests.stories import STORIES, serve_stories

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
POISON = STORIES["council"][0]


def poison_storing(db: Database, title: str) -> None:
    """Make storing the article titled `title` fail as a bug would (not the database's fault:
    an error in SQL function code, 'user-defined function raised exception')."""

    def bug() -> int:
        raise ZeroDivisionError

    db.conn.create_function("bug", 0, bug)
    db.execute(
        "CREATE TEMP TRIGGER poison BEFORE INSERT ON articles WHEN NEW.title = "
        + "'"
        + title.replace("'", "''")
        + "' BEGIN SELECT bug(); END"
    )


async def test_an_item_that_cannot_be_stored_costs_that_item_not_the_feed(
    db: Database, server: LocalServer, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """The whole poll was 'Internal error while polling', the source backed off, and the
    items stored meanwhile were left out of the report."""
    url = serve_stories(server, ["harbour", "council", "vaccine"])
    source = add_source(db, url, "Example", now=NOW)
    poison_storing(db, POISON)
    async with Fetcher(FetchPolicy.from_settings(settings)) as fetcher:
        report = await Ingester(db, fetcher, settings, clock=lambda: NOW).run_due()
    assert (report.failures, len(report.new_articles), report.skipped) == ([], 2, 1)
    assert get_source(db, source.id).consecutive_failures == 0
    assert "Unexpected error while storing" in caplog.text
    assert "Internal error" not in caplog.text


async def test_a_locked_database_is_the_ticks_trouble_not_the_sources(
    server: LocalServer, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """A database locked by another program ended each poll in a traceback blaming the
    source; once the lock was gone between storing and recording, the source backed off."""
    db = open_database(settings.db_path)
    db.execute("PRAGMA busy_timeout = 50")  # the lock below outlasts it at once
    source = add_source(db, serve_stories(server, ["harbour"]), "Example", now=NOW)
    other = sqlite3.connect(settings.db_path, isolation_level=None)
    async with Fetcher(FetchPolicy.from_settings(settings)) as fetcher:
        ingester = Ingester(db, fetcher, settings, clock=lambda: NOW)
        other.execute("BEGIN IMMEDIATE")
        with caplog.at_level(logging.INFO):
            report = await ingest_tick(ingester)
        other.execute("ROLLBACK")
    other.close()
    assert report.sources_polled == 0
    assert "Polling skipped: the database is unavailable (database is locked)" in caplog.text
    assert "Unexpected error" not in caplog.text
    assert "Traceback" not in caplog.text
    assert get_source(db, source.id).consecutive_failures == 0
    db.close()
