"""An operator's failures of storage and process life, on real SQLite files.

A database file that is not newsbrief's, or is damaged, or is moved away under the running
process; a clock that goes back; a database that is locked or stops taking writes in the
middle of work. Each must end in one clear line, and never cost a subscription, a story, or
a message sent twice.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from summaries import chats, housekeeping, migrations, outbox, schedule, schema, sources, store
from summaries.config import Settings
from summaries.errors import ConfigError
from summaries.fetch import Fetcher, FetchPolicy
from summaries.ingest import Ingester, IngestReport
from summaries.notify import Part
from summaries.store import Database, open_database, utcnow
from tests.cli_helpers import assert_one_line_error, newsbrief
from tests.old_schema import database_before
from tests.servers import LocalServer
from tests.stories import serve_stories
from tests.test_topics_support import NOW, Jobs, RecordingNotifier


def _foreign(path: Path, *statements: str) -> bytes:
    with sqlite3.connect(path) as conn:
        for statement in statements:
            conn.execute(statement)
    conn.close()
    return path.read_bytes()


@pytest.mark.parametrize(
    "statements",
    [
        ("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)",),
        ("CREATE TABLE sources (id INTEGER PRIMARY KEY, feed TEXT)",),  # a name newsbrief uses
        ("CREATE TABLE things (id INTEGER)", "PRAGMA user_version = 3"),
    ],
)
def test_another_programs_sqlite_file_is_refused_and_left_untouched(
    tmp_path: Path, statements: tuple[str, ...]
) -> None:
    """newsbrief used to migrate any SQLite file into a newsbrief database: its tables were
    added inside someone else's file (switched to WAL), or the upgrade died with a traceback
    on a table name both use."""
    path = tmp_path / "other.db"
    before = _foreign(path, *statements)
    with pytest.raises(ConfigError, match="newsbrief did not make") as refused:
        open_database(path)
    assert str(path) in str(refused.value) and "NEWSBRIEF_DB" in str(refused.value)
    assert path.read_bytes() == before
    assert not Path(f"{path}-wal").exists()


def test_a_foreign_database_is_one_line_at_the_command_line(tmp_path: Path) -> None:
    before = _foreign(tmp_path / "newsbrief.db", "CREATE TABLE sources (feed TEXT)")
    result = newsbrief(tmp_path, "sources", "add", "https://example.com/feed.xml")
    assert_one_line_error(result, "newsbrief did not make (tables: sources)")
    assert (tmp_path / "newsbrief.db").read_bytes() == before


def test_two_processes_upgrading_one_database_at_once_apply_each_step_once(
    tmp_path: Path,
) -> None:
    """After an upgrade, `newsbrief run` and a command (cron's `newsbrief ingest`) started
    together both read the old version; the second, after waiting for the first one's
    lock, ran the same steps again and died on "duplicate column name" (a traceback)."""
    path = tmp_path / "newsbrief.db"
    database_before(path, "_chats_delivery_thread").close()
    waiting = sqlite_utils.Database(sqlite3.connect(path, factory=store._Connection))
    first = sqlite_utils.Database(sqlite3.connect(path, factory=store._Connection))

    def the_other_process_goes_first(statement: str) -> None:
        if statement == "BEGIN IMMEDIATE":  # `waiting` has read the old version by now
            waiting.conn.set_trace_callback(None)
            schema.migrate(first)

    waiting.conn.set_trace_callback(the_other_process_goes_first)
    assert schema.migrate(waiting) == len(migrations.MIGRATIONS)
    columns = [c.name for c in waiting["chats"].columns]
    assert columns.count("delivery_thread_id") == 1
    first.close()
    waiting.close()


def _database_with_sources(path: Path, count: int) -> None:
    db = open_database(path)
    for n in range(count):
        sources.add_source(db, f"https://example{n}.com/feed", f"Source {n} " + "x" * 200)
    truncate = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    assert truncate[0] == 0
    db.close()


def test_a_truncated_database_is_named_damaged_and_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "newsbrief.db"
    _database_with_sources(path, 300)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # a copy cut short
    before = path.read_bytes()
    with pytest.raises(ConfigError, match="is not an SQLite database, or is damaged") as caught:
        open_database(path)
    assert "Restore it from a backup" in str(caught.value)
    assert path.read_bytes() == before


def test_a_page_damaged_after_opening_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    """Damage inside the file shows only when a command reads that page; it raised
    sqlite3.DatabaseError, which the command line did not translate."""
    path = tmp_path / "newsbrief.db"
    _database_with_sources(path, 300)
    with sqlite3.connect(path) as conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        leaves = conn.execute(  # the sources table's rows, not the schema
            "SELECT pageno FROM dbstat WHERE name = 'sources' AND pagetype = 'leaf'"
        ).fetchall()
    conn.close()
    data = bytearray(path.read_bytes())
    for (page,) in leaves:
        start = (page - 1) * size
        data[start + 100 : start + 400] = b"\xff" * 300
    path.write_bytes(bytes(data))
    result = newsbrief(tmp_path, "sources", "list")
    assert_one_line_error(result, "the database file is damaged", "Restore it from a backup")


async def _tick(ingester: Ingester) -> IngestReport:
    """One tick of the ingest job as the scheduler runs it."""
    return await schedule.schedule_ingest(Jobs(), ingester, tick_seconds=60).tick()


async def _one_source(db: Database, server: LocalServer, settings: Settings) -> sources.Source:
    source = sources.add_source(db, serve_stories(server, ["harbour"]), "Example", now=NOW)
    async with Fetcher(FetchPolicy.from_settings(settings)) as fetcher:
        await Ingester(db, fetcher, settings, clock=lambda: NOW).poll(source)
    return sources.get_source(db, source.id)


@pytest.mark.parametrize("ahead", [timedelta(hours=1), timedelta(days=1), timedelta(days=3650)])
async def test_a_clock_that_went_back_does_not_hold_polls_back(
    db: Database, server: LocalServer, settings: Settings, ahead: timedelta
) -> None:
    """The last poll ran while the clock was `ahead` (NTP then set it back): its next poll
    time lay `ahead` plus an interval away, and the source waited all that time unpolled."""
    polled = await _one_source(db, server, replace(settings, poll_interval=900))
    assert polled.next_poll_at is not None
    now = polled.next_poll_at - ahead  # the corrected clock
    async with Fetcher(FetchPolicy.from_settings(settings)) as fetcher:
        ingester = Ingester(db, fetcher, replace(settings, poll_interval=900), clock=lambda: now)
        assert (await _tick(ingester)).sources_polled == 1


async def test_a_source_backing_off_keeps_its_wait(
    db: Database, server: LocalServer, settings: Settings
) -> None:
    """Only times no interval or back-off explains are undone: 5 failures wait 8 hours."""
    source = await _one_source(db, server, settings)
    later = NOW + timedelta(hours=7)
    for _ in range(5):
        sources.record_poll_failure(db, source.id, now=NOW, error="503", next_poll_at=later)
    async with Fetcher(FetchPolicy.from_settings(settings)) as fetcher:
        ingester = Ingester(db, fetcher, replace(settings, poll_interval=900), clock=lambda: NOW)
        assert (await _tick(ingester)).sources_polled == 0
    assert sources.get_source(db, source.id).next_poll_at == later


async def test_a_database_moved_away_stops_the_job_and_keeps_what_was_stored(
    tmp_path: Path, server: LocalServer, settings: Settings
) -> None:
    """SQLite writes on into a moved or deleted file, and does not copy its write-ahead log
    into a moved one at close: the process went on "storing" into a file no restart would
    open, and the moved file lacked everything since the last checkpoint."""
    path = tmp_path / "newsbrief.db"
    db = open_database(path)
    await _one_source(db, server, settings)
    stops: list[bool] = []
    async with Fetcher(FetchPolicy.from_settings(settings)) as fetcher:
        job = schedule.IngestJob(
            Ingester(db, fetcher, settings), db=db, on_database_gone=lambda: stops.append(True)
        )
        path.rename(tmp_path / "moved.db")
        assert (await job.tick()).sources_polled == 0
        assert (await job.tick()).sources_polled == 0
    assert stops == [True]
    assert job.database_gone == schedule.DATABASE_GONE.format(path=path)
    db.close()
    with sqlite3.connect(tmp_path / "moved.db") as moved:
        assert moved.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    moved.close()
    # a restart (systemd's Restart=) must not begin a new, empty database in its place
    with pytest.raises(ConfigError, match="missing but its -wal file is still there"):
        open_database(path)
    assert not path.exists()


def test_a_restart_after_the_database_was_deleted_does_not_begin_an_empty_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "newsbrief.db"
    db = open_database(path)
    sources.add_source(db, "https://example.com/feed.xml", "Example", now=NOW)
    path.unlink()  # under the running process, which then stops
    db.close()
    result = newsbrief(tmp_path, "sources", "list")
    assert_one_line_error(result, "is missing but its -wal file is still there", "delete")
    assert not path.exists()


async def test_a_deleted_write_ahead_log_stops_the_job_before_writes_are_lost(
    tmp_path: Path, server: LocalServer, settings: Settings
) -> None:
    """Deleting newsbrief.db-wal and -shm ("stray files") under a running process split it
    from every later one: each wrote its own log, and `newsbrief sources add` said "Added"
    for a source the worker never saw and its next checkpoint overwrote."""
    path = tmp_path / "newsbrief.db"
    db = open_database(path)
    await _one_source(db, server, settings)
    stops: list[bool] = []
    async with Fetcher(FetchPolicy.from_settings(settings)) as fetcher:
        ingester = Ingester(db, fetcher, settings, clock=lambda: NOW)
        job = schedule.IngestJob(ingester, db=db, on_database_gone=lambda: stops.append(True))
        assert (await job.tick()).sources_polled == 0  # nothing due, nothing wrong
        for suffix in ("-wal", "-shm"):
            os.unlink(f"{path}{suffix}")
        assert (await job.tick()).sources_polled == 0
    assert stops == [True]
    db.close()


async def test_a_worker_whose_database_was_deleted_stops_with_one_error(
    server: LocalServer, settings: Settings
) -> None:
    db = open_database(settings.db_path)
    sources.add_source(db, serve_stories(server, ["harbour"]), "Example")
    db.close()
    fast = replace(settings, poll_interval=1)  # a tick every second
    worker = asyncio.create_task(schedule.run_worker(fast, stop=asyncio.Event()))
    for _ in range(600):
        if server.requests:
            break
        await asyncio.sleep(0.05)
    settings.db_path.unlink()
    with pytest.raises(ConfigError, match="was moved, deleted or replaced"):
        await asyncio.wait_for(worker, timeout=30)


async def test_a_locked_database_skips_the_tick_with_one_line(
    server: LocalServer, settings: Settings, tmp_path: Path, caplog: Any
) -> None:
    """A lock held past the busy timeout reached APScheduler as "Job raised an exception"
    with a traceback (the poll's own log line about it is summaries.ingest's)."""
    path = tmp_path / "locked.db"
    db = open_database(path)
    sources.add_source(db, serve_stories(server, ["harbour"]), "Example", now=NOW)
    db.execute("PRAGMA busy_timeout = 50")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # `sqlite3 newsbrief.db` left in a transaction
    try:
        async with Fetcher(FetchPolicy.from_settings(settings)) as fetcher:
            ingester = Ingester(db, fetcher, settings, clock=lambda: NOW)
            with caplog.at_level(logging.ERROR, logger="summaries.schedule"):
                report = await _tick(ingester)
    finally:
        holder.close()
        db.close()
    assert report.sources_polled == 0
    said = [r.getMessage() for r in caplog.records if r.name == "summaries.schedule"]
    assert said == [
        "Polling skipped: the database is unavailable (database is locked);"
        " next try at the next tick"
    ]


async def test_a_database_that_stops_taking_writes_mid_delivery_sends_nothing_twice(
    tmp_path: Path,
) -> None:
    """The disk fills (here: the connection turns read-only) right after a message left: it
    cannot be marked sent. Nothing may be marked sent that was not, and after a restart the
    ambiguous message is not sent again while the rest go once."""
    path = tmp_path / "newsbrief.db"
    db = open_database(path)
    chats.ensure_chat(db, 7, now=NOW)
    with db.conn:
        outbox.enqueue(db, 7, "digest", [Part(f"part {n}", ()) for n in range(3)], now=NOW)

    class FillsTheDisk(RecordingNotifier):
        async def send(
            self, chat_id: int, text: str, *, thread_id: int | None = None, silent: bool = False
        ) -> int:
            message_id = await super().send(chat_id, text, thread_id=thread_id, silent=silent)
            db.execute("PRAGMA query_only = 1")  # every write from now on is refused
            return message_id

    first = FillsTheDisk()
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await outbox.Outbox(db, first, clock=lambda: NOW).flush()
    db.close()

    db = open_database(path)  # the restart, with space again
    assert outbox.recover(db, now=utcnow()) == 1
    second = RecordingNotifier()
    await outbox.Outbox(db, second, clock=lambda: NOW).flush()
    assert first.sent + second.sent == [(7, "part 0"), (7, "part 1"), (7, "part 2")]
    statuses = db.execute("SELECT body, status FROM outbox ORDER BY id").fetchall()
    assert statuses == [("part 0", "unknown"), ("part 1", "sent"), ("part 2", "sent")]
    db.close()


async def test_a_locked_database_at_night_is_one_line_and_tried_again_next_night(
    tmp_path: Path, caplog: Any
) -> None:
    path = tmp_path / "newsbrief.db"
    db = open_database(path)
    db.execute("PRAGMA busy_timeout = 50")
    jobs = Jobs()
    housekeeping.schedule_housekeeping(jobs, db, keep_articles_days=30, clock=lambda: NOW)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with caplog.at_level(logging.ERROR, logger="summaries.housekeeping"):
            await jobs.jobs[housekeeping.HOUSEKEEPING_JOB_ID]()
    finally:
        holder.close()
        db.close()
    assert len(caplog.messages) == 1
    assert "database is locked" in caplog.messages[0]


def test_a_database_path_from_home_is_the_home_directory_not_a_tilde_folder() -> None:
    """.env files and systemd's Environment= do not expand `~`: newsbrief made a directory
    named "~" in the working directory and kept the database there."""
    settings = Settings.from_env({"NEWSBRIEF_DB": "~/newsbrief/newsbrief.db"}, env_file=None)
    assert settings.db_path == Path.home() / "newsbrief" / "newsbrief.db"


def test_a_database_another_program_holds_locked_at_start_is_busy_not_unwritable(
    tmp_path: Path,
) -> None:
    """Opening checks the file first; a lock held past the busy timeout used to be told as
    "make the file and its directory writable", sending the operator to chmod a good file."""
    open_database(tmp_path / "newsbrief.db").close()
    holder = sqlite3.connect(tmp_path / "newsbrief.db", isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = newsbrief(tmp_path, "status")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert_one_line_error(result, "is busy (database is locked)", "Try again in a moment")
    assert "writable" not in result.stderr
