"""Review of backup/restore and /forget as a hostile operator and a hostile chat user would
use them: each test is a case that lost data, left a traceback or told something untrue."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from summaries import housekeeping
from summaries.backup import backup, backup_name
from summaries.config import Settings
from summaries.errors import BackupError
from summaries.restore import restore
from summaries.store import open_database
from summaries.topics import subscribe
from tests.bot_harness import add_story, running_bot
from tests.cli_helpers import assert_one_line_error, child_env, newsbrief, newsbrief_script
from tests.test_backup import (
    CHAT,
    _no_bigger_files_than,
    _populated,
    _topics,
    _with_backup,
    crash_leaving_a_wal,
)
from tests.test_topics_support import NOW


def test_cli_backup_with_a_backup_dir_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    _populated(tmp_path / "newsbrief.db").close()
    (tmp_path / "notes.txt").write_text("not a directory")
    result = newsbrief(tmp_path, "backup", NEWSBRIEF_BACKUP_DIR=str(tmp_path / "notes.txt"))
    assert_one_line_error(result, "notes.txt", "NEWSBRIEF_BACKUP_DIR")
    assert (tmp_path / "notes.txt").read_text() == "not a directory"


async def test_rotation_never_deletes_the_live_database_named_like_a_backup(
    tmp_path: Path,
) -> None:
    """NEWSBRIEF_DB pointed at a nightly backup (a restore done by hand), in the backup dir."""
    live = tmp_path / backup_name(NOW)
    db = _populated(live)
    await housekeeping.nightly_backup(
        db, housekeeping.Backups(tmp_path, keep=1), now=NOW.replace(year=2027)
    )
    db.close()
    assert live.exists()
    assert _topics(live) == ["climate"]


def test_restore_through_a_symlinked_database_replaces_the_file_it_names(tmp_path: Path) -> None:
    """NEWSBRIEF_DB a symlink to the big disk: the restored database goes there, too."""
    (tmp_path / "data").mkdir()
    real = tmp_path / "data" / "newsbrief.db"
    _populated(real).close()
    saved = backup(real, tmp_path / "saved.db", now=NOW).path
    link = tmp_path / "newsbrief.db"
    link.symlink_to(real)

    _, kept = restore(saved, link, now=NOW)

    assert link.is_symlink() and link.resolve() == real
    assert kept is not None and kept.parent == real.parent and not kept.is_symlink()
    assert _topics(real) == ["climate"]


def test_restore_refuses_a_file_whose_wal_holds_committed_changes(tmp_path: Path) -> None:
    """The database of a crashed server, given as the backup: its -wal is part of it."""
    path = tmp_path / "newsbrief.db"
    _populated(path).close()
    old = tmp_path / "old.db"
    _populated(old).close()
    crash_leaving_a_wal(old)

    with pytest.raises(BackupError, match="was not closed cleanly"):
        restore(old, path, now=NOW)

    assert not list(tmp_path.glob("*.before-restore-*"))
    fixed = backup(old, tmp_path / "fixed.db", now=NOW).path  # what the error says to do
    restore(fixed, path, now=NOW)
    assert sorted(_topics(path)) == ["climate", "floods"]


async def test_forget_deletes_the_searches_of_a_chat_that_only_searched(
    settings: Settings,
) -> None:
    async with running_bot(settings) as bot:
        for n in range(6):  # more than a page: the query is kept for the Next button
            add_story(bot.db, f"Climate summit day {n}")
        await bot.ask(7, "/search climate")
        assert bot.db.execute("SELECT count(*) FROM search_sessions").fetchone() == (1,)

        [asked] = await bot.ask(7, "/forget")
        assert "recent searches" in asked.text
        assert "timezone" not in asked.text
        await bot.press(asked, "🗑 Delete everything")

        assert bot.db.execute("SELECT count(*) FROM search_sessions").fetchone() == (0,)
        [done] = [m for m in bot.fake.bot_messages(7) if m.message_id == asked.message_id]
        assert done.text.startswith("Deleted: this chat's recent searches.")


def test_two_restores_in_one_second_keep_the_database_the_first_replaced(tmp_path: Path) -> None:
    """A script restoring twice (the wrong backup, then the right one) within a second."""
    path, saved = _with_backup(tmp_path)
    db = open_database(path)
    subscribe(db, CHAT, "elections", limit=50, now=NOW)
    db.close()

    _, kept = restore(saved, path, now=NOW)
    with pytest.raises(BackupError, match="already exists"):
        restore(saved, path, now=NOW)

    assert kept is not None and sorted(_topics(kept)) == ["climate", "elections"]


def test_cli_paths_the_file_system_refuses_are_one_line(tmp_path: Path) -> None:
    """A name too long here; a directory the operator may not enter takes the same path
    (PermissionError from the same checks, which root running the tests cannot see)."""
    _populated(tmp_path / "newsbrief.db").close()
    long_name = "b" * 300 + ".db"
    for command in ("backup", "restore"):
        result = newsbrief(tmp_path, command, long_name)
        assert_one_line_error(result, "File name too long")
    assert _topics(tmp_path / "newsbrief.db") == ["climate"]


def test_a_restore_onto_a_full_disk_leaves_the_database_where_it_was(tmp_path: Path) -> None:
    """Otherwise the next `newsbrief run` or cron `ingest` starts a new, empty database there."""
    path = tmp_path / "newsbrief.db"
    db = _populated(path)
    db.execute("CREATE TABLE padding (x BLOB)")
    db.execute("INSERT INTO padding VALUES (zeroblob(2000000))")
    db.close()
    saved = backup(path, tmp_path / "saved.db", now=NOW).path
    result = subprocess.run(
        [newsbrief_script(), "restore", str(saved)],
        capture_output=True,
        text=True,
        env=child_env(path),
        cwd=tmp_path,
        timeout=90,
        check=False,
        preexec_fn=lambda: _no_bigger_files_than(1_000_000),
    )
    assert_one_line_error(result, "Could not write", "restore again")
    assert _topics(path) == ["climate"]
    assert not list(tmp_path.glob("*.before-restore-*"))


def test_restore_into_an_in_memory_database_is_refused_not_reported_done(tmp_path: Path) -> None:
    _populated(tmp_path / "saved.db").close()
    result = newsbrief(tmp_path, "restore", "saved.db", NEWSBRIEF_DB=":memory:")
    assert_one_line_error(result, ":memory:", "NEWSBRIEF_DB")
    assert not (tmp_path / ":memory:").exists()


def test_cli_backup_to_a_directory_not_yet_made_does_not_become_a_file(tmp_path: Path) -> None:
    """`newsbrief backup backups/`: a file named `backups` would then refuse every nightly
    backup with NEWSBRIEF_BACKUP_DIR=backups."""
    _populated(tmp_path / "newsbrief.db").close()
    result = newsbrief(tmp_path, "backup", "backups/")
    assert_one_line_error(result, "backups", "create it first")
    assert not (tmp_path / "backups").exists()
