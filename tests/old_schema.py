"""A database as an older newsbrief left it, for the tests of a migration that upgrades one."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from summaries.migrations import MIGRATIONS


def database_before(path: Path, migration: str) -> sqlite_utils.Database:
    """The database at `path` with every migration before `migration` (a function name) done.

    Rows written to it are what that older version stored; `open_database(path)` then runs
    `migration` and every later one on them, as an upgrade does.
    """
    db = sqlite_utils.Database(path)
    names = [step.__name__ for step in MIGRATIONS]
    for number, step in enumerate(MIGRATIONS[: names.index(migration)], start=1):
        step(db)
        db.execute(f"PRAGMA user_version = {number}")
    return db
