"""Follow-ups from the review of the fuzzing and audit passes: each test failed before its fix."""

from __future__ import annotations

import base64
import logging
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import sqlite_utils

from bot.handlers import sources as sources_handler
from bot.handlers.errors import UNAVAILABLE
from summaries import digest_schedule, housekeeping, schedule, store
from summaries.config import Settings
from summaries.database_trouble import DAMAGED_HINT
from summaries.default_sources import DEFAULT_SOURCES, seed_default_sources
from summaries.extract import extract_article
from summaries.fetch import Fetcher, FetchPolicy
from summaries.ingest import Ingester
from summaries.outbox import Outbox
from summaries.store import Database, open_database, utcnow
from tests.bot_harness import running_bot
from tests.test_topics_support import Jobs, RecordingNotifier


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


def _damaged_page(tmp_path: Path) -> sqlite3.DatabaseError:
    """A real SQLITE_CORRUPT error, as a read of a damaged page raises it."""
    path = tmp_path / "damaged.db"
    with sqlite3.connect(path) as scratch:
        scratch.execute("CREATE TABLE t (x TEXT)")
        scratch.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 200)
    scratch.close()
    data = bytearray(path.read_bytes())
    data[8192:] = b"\xaa" * (len(data) - 8192)
    path.write_bytes(bytes(data))
    damaged = sqlite3.connect(path)
    try:
        damaged.execute("SELECT max(length(x)) FROM t").fetchall()
    except sqlite3.DatabaseError as error:
        assert error.sqlite_errorname == "SQLITE_CORRUPT"
        return error
    finally:
        damaged.close()
    raise AssertionError("the damage went unnoticed")


async def test_a_command_that_meets_a_damaged_database_is_one_log_line_saying_what_to_do(
    tmp_path: Path,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A damaged database was a traceback for every message and the apology for a bug ("try
    again in a minute"), while a locked one was already a line and a fitting answer."""
    damage = _damaged_page(tmp_path)

    def damaged(*_args: object, **_kwargs: object) -> None:
        raise damage

    monkeypatch.setattr(sources_handler, "list_sources", damaged)
    async with running_bot(settings) as bot:
        [reply] = await bot.ask(42, "/sources")
    assert reply.text == UNAVAILABLE
    [record] = [r for r in caplog.records if r.name == "bot.handlers.errors"]
    assert record.levelno == logging.ERROR and record.exc_info is None
    assert "malformed" in record.getMessage() and DAMAGED_HINT in record.getMessage()


async def test_nightly_housekeeping_on_a_damaged_database_is_one_log_line(
    tmp_path: Path,
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """As the ingest tick already did: the damage is logged once, not raised as a traceback."""
    damage = _damaged_page(tmp_path)

    async def damaged(*_args: object, **_kwargs: object) -> None:
        raise damage

    monkeypatch.setattr(housekeeping, "tidy", damaged)
    jobs = Jobs()
    housekeeping.schedule_housekeeping(jobs, db, keep_articles_days=30)
    with caplog.at_level(logging.ERROR, logger="summaries.housekeeping"):
        await jobs.jobs[housekeeping.HOUSEKEEPING_JOB_ID]()
    [record] = caplog.records
    assert "malformed" in record.getMessage() and record.exc_info is None
    assert DAMAGED_HINT in record.getMessage()


async def test_the_minute_job_on_a_damaged_database_is_one_log_line_saying_what_to_do(
    tmp_path: Path,
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Only a locked or full database was one line there: a damaged one raised a traceback
    every minute (and one per chat while planning), with no word on what to do."""
    damage = _damaged_page(tmp_path)

    async def damaged(*_args: object, **_kwargs: object) -> None:
        raise damage

    monkeypatch.setattr(digest_schedule, "run_due_digests", damaged)
    jobs = Jobs()
    box = Outbox(db, RecordingNotifier(), clock=utcnow)
    digest_schedule.schedule_digests(jobs, db, box, grace=timedelta(hours=6), alerts_per_hour=6)
    with caplog.at_level(logging.ERROR, logger="summaries.digest_schedule"):
        await jobs.jobs["newsbrief-digests"]()
    [record] = caplog.records
    assert record.exc_info is None
    assert "Digests and alerts skipped: the database is damaged" in record.getMessage()
    assert DAMAGED_HINT in record.getMessage()


def test_a_minified_page_with_an_inline_image_is_no_attribute_flood() -> None:
    """Minifiers drop the quotes around a value without spaces or `=`, such as a base64 image
    whose length needs no padding: its few hundred slashes were each counted as the start of
    an attribute, and the page was refused as a flood (lxml reads two attributes)."""
    image = base64.b64encode(bytes(range(256)) * 120).decode()  # 30,720 bytes: no padding
    assert image.count("/") > 256 and "=" not in image
    prose = "<p>The council approved the harbour plan after a long debate on Tuesday.</p>" * 20
    page = (
        "<!doctype html><html><head><title>Harbour plan approved</title></head><body><article>"
        f"<h1>Harbour plan approved</h1><img src=data:image/jpeg;base64,{image} alt=Harbour>"
        f"{prose}</article></body></html>"
    )
    article = extract_article(page, url="https://example.com/a", content_type="text/html")
    assert "harbour plan" in article.text
