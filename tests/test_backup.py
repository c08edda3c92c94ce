"""Backups: `newsbrief backup` and `restore`, and the nightly backup of the housekeeping job.

What an operator relies on: a backup taken while newsbrief writes is whole and holds every
committed subscription; a failed backup never leaves a file that looks like one and never costs
an earlier backup; a restore never replaces a database in use, never replays a stale log onto
the file it puts back, and keeps what it replaced.
"""

from __future__ import annotations

import logging
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from summaries import housekeeping
from summaries.backup import backup, backup_name, inspect, prune_backups
from summaries.chats import ensure_chat
from summaries.config import Settings
from summaries.errors import BackupError, ConfigError
from summaries.fetch import Fetcher, FetchPolicy
from summaries.ingest import Ingester
from summaries.migrations import MIGRATIONS
from summaries.restore import restore
from summaries.schedule import instance_lock, schedule_worker
from summaries.sources import add_source
from summaries.store import Database, open_database
from summaries.topics import list_topics, subscribe
from tests.bot_harness import running_bot
from tests.cli_helpers import assert_one_line_error, child_env, newsbrief, newsbrief_script
from tests.old_schema import database_before
from tests.test_topics_support import NOW, Jobs

CHAT = 42


def _populated(path: Path) -> Database:
    """A database with one source, one chat and one topic, still open (as a running bot's)."""
    db = open_database(path)
    add_source(db, "https://news.example/feed.xml", "Example News", now=NOW)
    ensure_chat(db, CHAT, now=NOW, kind="private")
    subscribe(db, CHAT, "climate", limit=50, now=NOW)
    return db


def crash_leaving_a_wal(path: Path) -> None:
    """A process that follows the topic 'floods' and is killed: the change is committed, but
    only in the -wal file it leaves beside the database."""
    crash = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA journal_mode=WAL')\n"
        "c.execute(\"INSERT INTO topics (chat_id, query, created_at) VALUES (42, 'floods', '')\")\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", crash, str(path)], check=True, timeout=60)


def foreign_file(path: Path) -> Path:
    """Another program's SQLite file (a browser's history) at `path`."""
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE moz_places (url TEXT)")
    connection.close()
    return path


def _with_backup(tmp_path: Path, destination: Path | None = None) -> tuple[Path, Path]:
    """A populated database in `tmp_path`, closed, and a backup of it (saved.db by default)."""
    path = tmp_path / "newsbrief.db"
    _populated(path).close()
    return path, backup(path, destination or tmp_path / "saved.db", now=NOW).path


def _topics(path: Path) -> list[str]:
    db = open_database(path)
    try:
        return [t.query for t in list_topics(db, CHAT)]
    finally:
        db.close()


def test_a_backup_taken_while_another_process_writes_holds_what_was_committed(
    tmp_path: Path,
) -> None:
    """Committed changes still in the -wal are in the copy; an open transaction is not."""
    path = tmp_path / "newsbrief.db"
    db = _populated(path)
    assert Path(f"{path}-wal").stat().st_size > 0  # the topic is still only in the log
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
    writer.execute("UPDATE chats SET timezone = 'Europe/Berlin' WHERE id = ?", [CHAT])

    snapshot = backup(path, tmp_path, now=NOW)

    writer.execute("ROLLBACK")
    writer.close()
    db.close()
    assert snapshot.path == tmp_path / backup_name(NOW)
    assert snapshot.counts == {"sources": 1, "articles": 0, "chats": 1, "topics": 1}
    assert "1 sources, 0 articles, 1 chats, 1 topics" in snapshot.describe()
    copy = sqlite3.connect(snapshot.path)
    assert copy.execute("PRAGMA quick_check").fetchone() == ("ok",)
    assert copy.execute("SELECT timezone FROM chats").fetchone() != ("Europe/Berlin",)
    copy.close()
    assert _topics(snapshot.path) == ["climate"]
    assert not [p for p in tmp_path.iterdir() if ".partial" in p.name]


def test_a_backup_never_overwrites_and_never_creates_a_database(tmp_path: Path) -> None:
    path = tmp_path / "newsbrief.db"
    _populated(path).close()
    existing = tmp_path / "monday.db"
    existing.write_bytes(b"the only good copy")
    with pytest.raises(BackupError, match="already exists; newsbrief does not overwrite"):
        backup(path, existing, now=NOW)
    assert existing.read_bytes() == b"the only good copy"
    with pytest.raises(BackupError, match="does not exist: create it first"):
        backup(path, tmp_path / "no" / "such.db", now=NOW)
    with pytest.raises(BackupError, match="There is no database file at"):
        backup(tmp_path / "typo.db", tmp_path / "b.db", now=NOW)
    assert not (tmp_path / "typo.db").exists()


def test_a_foreign_sqlite_file_is_neither_backed_up_nor_restored(tmp_path: Path) -> None:
    foreign = foreign_file(tmp_path / "places.sqlite")
    with pytest.raises(BackupError, match="not a newsbrief database"):
        backup(foreign, tmp_path / "b.db", now=NOW)
    with pytest.raises(BackupError, match="not a newsbrief database"):
        restore(foreign, tmp_path / "newsbrief.db", now=NOW)
    assert not (tmp_path / "newsbrief.db").exists()


def test_a_damaged_or_unreadable_backup_is_refused_before_anything_is_moved(
    tmp_path: Path,
) -> None:
    path, good = _with_backup(tmp_path, tmp_path / "good.db")
    damaged = tmp_path / "damaged.db"
    data = bytearray(good.read_bytes())
    page = 4096
    for offset in range(2 * page, len(data) - page, page):
        data[offset + 8 : offset + 200] = b"\xff" * 192  # every page's header and cells
    damaged.write_bytes(bytes(data))
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    junk = tmp_path / "junk.db"
    for bad, reason in ((damaged, "damaged|cannot be read"), (junk, "cannot be read")):
        with pytest.raises(BackupError, match=reason):
            restore(bad, path, now=NOW)
    assert _topics(path) == ["climate"]
    assert not list(tmp_path.glob("*.before-restore-*"))


def test_a_backup_from_a_newer_newsbrief_is_refused(tmp_path: Path) -> None:
    _, newer = _with_backup(tmp_path, tmp_path / "newer.db")
    with sqlite3.connect(newer) as connection:
        connection.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    connection.close()
    with pytest.raises(BackupError, match="made by a newer newsbrief"):
        inspect(newer)


def test_restore_puts_the_backup_back_and_keeps_the_replaced_database(tmp_path: Path) -> None:
    path, saved = _with_backup(tmp_path, tmp_path)
    db = open_database(path)
    subscribe(db, CHAT, "elections", limit=50, now=NOW)
    db.close()

    snapshot, kept = restore(saved, path, now=NOW + timedelta(days=1))

    assert snapshot.counts["topics"] == 1
    assert _topics(path) == ["climate"]
    assert kept == tmp_path / "newsbrief.db.before-restore-20261126T080000Z"
    assert sorted(_topics(kept)) == ["climate", "elections"]


def test_restore_is_refused_while_another_process_has_the_database_open(tmp_path: Path) -> None:
    """`newsbrief search` or a cron `ingest` hold no instance lock, but an open connection."""
    path = tmp_path / "newsbrief.db"
    db = _populated(path)
    saved = backup(path, tmp_path / "saved.db", now=NOW).path
    subscribe(db, CHAT, "elections", limit=50, now=NOW)
    with pytest.raises(BackupError, match="in use by another process"):
        restore(saved, path, now=NOW)
    db.close()
    assert sorted(_topics(path)) == ["climate", "elections"]
    assert not list(tmp_path.glob("*.before-restore-*"))


def test_a_crashed_process_log_is_kept_with_the_replaced_file_not_replayed(
    tmp_path: Path,
) -> None:
    """A -wal left by a kill holds writes of the old database: SQLite would apply them to a
    file put back by hand (`cp`). Restore first folds it into the file it moves aside."""
    path, saved = _with_backup(tmp_path)
    crash_leaving_a_wal(path)
    assert Path(f"{path}-wal").stat().st_size > 0

    _, kept = restore(saved, path, now=NOW)

    assert _topics(path) == ["climate"]
    assert kept is not None and sorted(_topics(kept)) == ["climate", "floods"]


def test_restore_moves_aside_the_log_of_a_database_deleted_under_a_running_process(
    tmp_path: Path,
) -> None:
    path, saved = _with_backup(tmp_path)
    path.unlink()
    Path(f"{path}-wal").write_bytes(b"x" * 100)
    with pytest.raises(ConfigError, match="its -wal file is still there"):
        open_database(path)

    _, kept = restore(saved, path, now=NOW)

    assert kept is None
    assert _topics(path) == ["climate"]
    assert list(tmp_path.glob("newsbrief.db.before-restore-*-wal"))


def test_prune_keeps_the_newest_and_never_touches_other_files(tmp_path: Path) -> None:
    names = [backup_name(NOW + timedelta(days=d)) for d in range(5)]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    others = ["newsbrief.db", "monday.db", "newsbrief-keep-this.db"]
    for name in others:
        (tmp_path / name).write_bytes(b"")

    removed = prune_backups(tmp_path, keep=2)

    assert sorted(p.name for p in removed) == names[:3]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[3:] + others)


def test_prune_removes_what_a_killed_backup_left_but_not_one_in_progress(tmp_path: Path) -> None:
    """A kill during the copy leaves a hidden partial file, which nothing else would remove."""
    killed = tmp_path / f".{backup_name(NOW)}.partial-4242"
    running = tmp_path / f".{backup_name(NOW + timedelta(days=1))}.partial-4343"
    for partial in (killed, running):
        partial.write_bytes(b"half a copy")
    hours_ago = time.time() - 2 * 3600
    os.utime(killed, (hours_ago, hours_ago))

    assert prune_backups(tmp_path, keep=7) == [killed]
    assert running.exists()


async def test_the_nightly_job_backs_up_and_rotates(tmp_path: Path) -> None:
    path = tmp_path / "newsbrief.db"
    db = _populated(path)
    directory = tmp_path / "backups"
    clock = iter(NOW + timedelta(days=d) for d in range(3))
    jobs = Jobs()
    housekeeping.schedule_housekeeping(
        jobs,
        db,
        keep_articles_days=0,
        backups=housekeeping.Backups(directory, keep=2),
        clock=lambda: next(clock),
    )
    for _ in range(3):
        await jobs.jobs[housekeeping.HOUSEKEEPING_JOB_ID]()
    db.close()
    names = sorted(p.name for p in directory.iterdir())
    assert names == [backup_name(NOW + timedelta(days=d)) for d in (1, 2)]
    assert _topics(directory / names[-1]) == ["climate"]


async def test_a_failed_nightly_backup_is_one_line_and_keeps_the_earlier_ones(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "newsbrief.db"
    db = _populated(path)
    directory = tmp_path / "backups"
    directory.mkdir()
    earlier = [directory / backup_name(NOW - timedelta(days=d)) for d in (1, 2, 3)]
    for old in earlier:
        old.write_bytes(b"")
    (directory / backup_name(NOW)).mkdir()  # tonight's name is taken: the copy cannot be made
    with caplog.at_level(logging.INFO, logger="summaries.housekeeping"):
        await housekeeping.nightly_backup(db, housekeeping.Backups(directory, keep=1), now=NOW)
    db.close()
    assert all(old.exists() for old in earlier)
    records = [r for r in caplog.records if r.name == "summaries.housekeeping"]
    assert [r.levelno for r in records] == [logging.ERROR]
    assert "Nightly backup failed" in records[0].getMessage()
    assert records[0].exc_info is None


async def test_an_in_memory_database_has_no_backup_but_no_traceback(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    db = open_database(":memory:")
    with caplog.at_level(logging.ERROR, logger="summaries.housekeeping"):
        await housekeeping.nightly_backup(db, housekeeping.Backups(tmp_path, keep=1), now=NOW)
    assert "no file to back up" in caplog.text
    assert not any(os.scandir(tmp_path))


def test_cli_backup_goes_to_the_backup_dir_and_restore_refuses_while_running(
    tmp_path: Path,
) -> None:
    _populated(tmp_path / "newsbrief.db").close()
    result = newsbrief(tmp_path, "backup", NEWSBRIEF_BACKUP_DIR=str(tmp_path / "nightly"))
    assert result.returncode == 0, result.stderr
    (made,) = (tmp_path / "nightly").iterdir()
    assert f"to {made}: 1 sources, 0 articles, 1 chats, 1 topics" in result.stdout

    with instance_lock(tmp_path / "newsbrief.db"):  # as `newsbrief run` holds it
        refused = newsbrief(tmp_path, "restore", str(made))
    assert_one_line_error(refused, "Another newsbrief run or worker", "stop it first")

    restored = newsbrief(tmp_path, "restore", str(made))
    assert restored.returncode == 0, restored.stderr
    assert "The database it replaced is now" in restored.stdout
    assert _topics(tmp_path / "newsbrief.db") == ["climate"]


def test_cli_restore_brings_an_older_backup_up_to_date(tmp_path: Path) -> None:
    old = database_before(tmp_path / "old.db", MIGRATIONS[-1].__name__)
    old.execute("INSERT INTO chats (id, created_at) VALUES (7, '2025-01-01T00:00:00+00:00')")
    old.close()
    result = newsbrief(tmp_path, "restore", "old.db")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "newsbrief.db") as connection:
        assert connection.execute("PRAGMA user_version").fetchone() == (len(MIGRATIONS),)
    connection.close()


def _no_bigger_files_than(limit: int) -> None:
    """In the child: a file system with `limit` bytes free for each file (the disk is full)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_cli_backup_onto_a_full_disk_is_one_line_and_leaves_no_partial_file(
    tmp_path: Path,
) -> None:
    db = _populated(tmp_path / "newsbrief.db")
    db.execute("CREATE TABLE padding (x BLOB)")
    db.execute("INSERT INTO padding VALUES (zeroblob(2000000))")
    db.close()
    out = tmp_path / "out"
    out.mkdir()
    result = subprocess.run(
        [newsbrief_script(), "backup", str(out)],
        capture_output=True,
        text=True,
        env=child_env(tmp_path / "newsbrief.db"),
        cwd=tmp_path,
        timeout=90,
        check=False,
        preexec_fn=lambda: _no_bigger_files_than(1_000_000),
    )
    assert_one_line_error(result, "Could not write the backup", "check the free space")
    assert list(out.iterdir()) == []
    assert os.path.getsize(tmp_path / "newsbrief.db") > 2_000_000


def test_restore_leaves_another_programs_file_where_it_is(tmp_path: Path) -> None:
    """NEWSBRIEF_DB pointed at the wrong file: a restore must not move someone else's data."""
    _, saved = _with_backup(tmp_path)
    foreign = foreign_file(tmp_path / "history.sqlite")
    with pytest.raises(BackupError, match="newsbrief did not make; newsbrief left it"):
        restore(saved, foreign, now=NOW)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "history.sqlite",
        "newsbrief.db",
        "saved.db",
    ]


def test_file_names_that_are_not_utf8_are_one_line_or_work(tmp_path: Path) -> None:
    _populated(tmp_path / "newsbrief.db").close()
    script = newsbrief_script()
    env = child_env(tmp_path / "newsbrief.db")

    def run(*args: bytes) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [script.encode(), *args],
            capture_output=True,
            text=True,
            errors="replace",
            env=env,
            cwd=tmp_path,
            timeout=90,
            check=False,
        )

    refused = run(b"backup", b"b\xff.db")
    assert_one_line_error(refused, "b\ufffd.db", "not valid UTF-8")
    assert run(b"backup", b"good.db").returncode == 0
    (tmp_path / os.fsdecode(b"g\xff.db")).write_bytes((tmp_path / "good.db").read_bytes())
    restored = run(b"restore", b"g\xff.db")
    assert restored.returncode == 0, restored.stderr
    assert "from g\ufffd.db" in restored.stdout


def test_a_database_locked_by_another_program_is_told_as_locked_not_as_a_write_problem(
    tmp_path: Path,
) -> None:
    """Another program holding an exclusive lock past the 5 s busy timeout: the backup's
    destination is fine, so "check the free space" would send the operator the wrong way."""
    path = tmp_path / "newsbrief.db"
    _populated(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            backup(path, tmp_path / "b.db", now=NOW)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not (tmp_path / "b.db").exists()


async def test_the_bot_and_the_worker_both_schedule_the_nightly_backup(
    settings: Settings, tmp_path: Path
) -> None:
    """`NEWSBRIEF_BACKUP_DIR` reaches the nightly job whichever process runs it: the bot's job
    queue (`newsbrief run`) or the worker's own scheduler (`newsbrief worker`)."""
    nightly = replace(settings, backup_dir=tmp_path / "nightly", backup_keep=3)
    async with running_bot(nightly) as bot:
        scheduler = bot.application.job_queue.scheduler  # type: ignore[union-attr]
        await scheduler.get_job(housekeeping.HOUSEKEEPING_JOB_ID).func()
    assert len(list((tmp_path / "nightly").iterdir())) == 1

    jobs = Jobs()
    db = open_database(nightly.db_path)
    async with Fetcher(FetchPolicy.from_settings(nightly)) as fetcher:
        schedule_worker(jobs, Ingester(db, fetcher, nightly), db, nightly)
    await jobs.jobs[housekeeping.HOUSEKEEPING_JOB_ID]()  # the worker's clock: the real one
    db.close()
    assert len(list((tmp_path / "nightly").iterdir())) == 2
