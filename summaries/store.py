"""The database: opening it, migrating it, and the queries named for what they mean.

SQLite through sqlite-utils, in WAL mode so the bot can read while the ingester writes. The
schema is versioned with `PRAGMA user_version`; each migration is a small function applied once,
in order, at start-up, inside a transaction, so re-running start-up is always safe.

Times are stored as ISO 8601 strings in UTC (`2026-11-25T08:00:00+00:00`), which sort correctly
as text. This module owns the schema; the queries live next to what they mean (`sources.py`,
`articles.py`, `search.py`, `topics.py`, ...).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from summaries.errors import ConfigError
from summaries.folding import folded_text
from summaries.query import quote_unreadable_since

log = logging.getLogger(__name__)

Database = sqlite_utils.Database
Migration = Callable[[sqlite_utils.Database], None]


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (the default clock)."""
    return datetime.now(UTC)


def to_db(moment: datetime | None) -> str | None:
    """A datetime as stored: UTC, second precision; naive values are taken to be UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def from_db(value: str | None) -> datetime | None:
    """The inverse of `to_db`."""
    return datetime.fromisoformat(value) if value else None


class _Connection(sqlite3.Connection):
    """A connection whose `with` block is one real transaction.

    sqlite-utils 4 commits every write that `Database.execute` runs outside an open transaction,
    so a plain `with db.conn:` (which only commits at its end) did not group its statements: a
    crash between them left half a change on disk. Beginning explicitly makes the block atomic;
    IMMEDIATE takes the write lock up front, so a second writer waits (busy_timeout) instead of
    failing half-way with "database is locked".
    """

    def __enter__(self) -> _Connection:
        if not self.in_transaction:
            self.execute("BEGIN IMMEDIATE")
        return self


def open_database(path: Path | str) -> Database:
    """Open (creating if needed) and migrate the database at `path` (`":memory:"` for tests)."""
    if str(path) == ":memory:":
        db = sqlite_utils.Database(
            sqlite3.connect(":memory:", factory=_Connection, check_same_thread=False)
        )
    else:
        db = _open_file(Path(path))
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 5000")
    db.conn.create_function("casefold", 1, _casefold, deterministic=True)
    try:
        migrate(db)
    except ConfigError:
        db.close()
        raise
    return db


def _casefold(value: str | None) -> str | None:
    """SQL `casefold(x)`: SQLite's own `lower()` and `LIKE` fold ASCII only (not `Известия`)."""
    return value.casefold() if value is not None else None


def _open_file(path: Path) -> Database:
    """The SQLite file at `path` in WAL mode; a path that cannot be one is a `ConfigError`.

    A directory, a file that is not a database, or a place that cannot be written would
    otherwise reach the person running `newsbrief` as an sqlite3 traceback.
    """
    if not path.exists() and Path(f"{path}-wal").exists():
        # the log of a database moved or deleted under a running newsbrief: starting a new,
        # empty one here would look like every source and subscription had vanished
        raise ConfigError(
            f"The database {path} is missing but its -wal file is still there: it was moved or"
            " deleted while newsbrief was running. Put it back (or set NEWSBRIEF_DB to where it"
            f" went); to start with a new, empty database, delete {path.name}-wal and"
            f" {path.name}-shm."
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite_utils.Database(
            sqlite3.connect(str(path), factory=_Connection, check_same_thread=False)
        )
        _refuse_foreign(db, path)
        db.enable_wal()
    except sqlite3.DatabaseError as error:
        if error_name(error).startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")):
            raise ConfigError(
                f"Cannot open the database {path}: it is not an SQLite database, or is damaged"
                f" ({error}); newsbrief left it as it is. {DAMAGED_HINT}"
            ) from error
        raise _cannot_open(path, error) from error
    except OSError as error:
        raise _cannot_open(path, error) from error
    return db


DAMAGED_HINT = (
    "Restore it from a backup (with newsbrief stopped), or set NEWSBRIEF_DB to a new file."
)
"""What to do about a damaged database file: said at open and by the command line alike."""


def _cannot_open(path: Path, error: Exception) -> ConfigError:
    return ConfigError(
        f"Cannot open the database {path} ({error}). Make the file and its directory"
        " writable (SQLite keeps its -wal and -shm files beside it), or set NEWSBRIEF_DB to"
        " a file in a writable directory."
    )


_OWN_TABLES = {"sources", "articles", "chats"}
"""Tables every newsbrief database has had since the first version."""


def _refuse_foreign(db: Database, path: Path) -> None:
    """Refuse an SQLite file that another program made, before anything is written to it.

    Migrating it would add newsbrief's tables (and switch it to WAL) inside someone else's
    database, and fail with a traceback on a table name both use (`sources`). A newsbrief
    database either is empty at version 0 (each migration sets its version in its own
    transaction) or has its tables.
    """
    tables = {
        str(r[0])
        for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        if not str(r[0]).startswith("sqlite_")
    }
    if not tables or (schema_version(db) > 0 and tables >= _OWN_TABLES):
        return
    db.close()
    named = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
    raise ConfigError(
        f"{path} is an SQLite database that newsbrief did not make (tables: {named}); newsbrief"
        " left it as it is. Set NEWSBRIEF_DB to a new file (it is created on first use)."
    )


UNUSABLE_ERRORS = (
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_FULL",
    "SQLITE_READONLY",
    "SQLITE_IOERR",
    "SQLITE_CANTOPEN",
)
"""SQLite errors about the database file, not about newsbrief: the operator can act on them."""


def error_name(error: sqlite3.Error) -> str:
    """SQLite's name for `error` (`SQLITE_FULL`...); "" for one raised by Python code, which
    has no such attribute."""
    return getattr(error, "sqlite_errorname", None) or ""


def is_unusable(error: sqlite3.Error) -> bool:
    """Whether `error` says the file cannot be used now (locked, full, read-only...)."""
    return error_name(error).startswith(UNUSABLE_ERRORS)


def is_damaged(error: sqlite3.Error) -> bool:
    """Whether `error` says the file is damaged or is no database at all."""
    return error_name(error).startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))


def is_database_trouble(error: BaseException) -> bool:
    """Whether `error` is about the database file itself (locked, full, damaged...): nothing a
    feed, a page or a user did, so no one source or item should be blamed for it."""
    return isinstance(error, sqlite3.Error) and (is_unusable(error) or is_damaged(error))


@dataclass(frozen=True)
class DatabaseFile:
    """The files a connection was opened on, to notice when their paths stop naming them.

    SQLite keeps writing to the files it opened. A process whose database was moved or
    deleted under it goes on "storing" into a file the next start will not open; one whose
    `-wal` file was deleted goes on with a log no other process sees, so the two overwrite
    each other's changes (a `newsbrief sources add` meanwhile is reported done, then lost).
    """

    path: Path
    identity: tuple[int, int]
    wal: tuple[int, int] | None

    @classmethod
    def of(cls, db: Database) -> DatabaseFile | None:
        """The files `db` uses now; None for an in-memory database (nothing to watch)."""
        row = db.execute("PRAGMA database_list").fetchone()
        if not row or not row[2]:
            return None
        path = Path(row[2])
        identity = _identity(path)
        return None if identity is None else cls(path, identity, _identity(Path(f"{path}-wal")))

    def gone(self) -> bool:
        """Whether the database or its write-ahead log was deleted, moved away or replaced
        since `of` looked (an open connection keeps its -wal file: SQLite deletes it only
        when the last connection closes)."""
        if _identity(self.path) != self.identity:
            return True
        return self.wal is not None and _identity(Path(f"{self.path}-wal")) != self.wal


def _identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file at `path`, None if there is none."""
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino


def truncate_wal(db: Database) -> None:
    """Checkpoint the write-ahead log and cut the file back to zero bytes.

    SQLite checkpoints the WAL by itself every 1,000 pages but never shrinks the file, so it
    keeps the size of the largest transaction ever run (a search-index rebuild at upgrade,
    a big digest fan-out) for as long as the process lives. The nightly housekeeping job
    calls this; it waits at most `busy_timeout` for another process's reads.
    """
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()


# --- migrations -------------------------------------------------------------------------------

MIGRATIONS: list[Migration] = []


def migration(fn: Migration) -> Migration:
    """Register `fn` as the next schema version. Append only: never edit a released one."""
    MIGRATIONS.append(fn)
    return fn


def schema_version(db: Database) -> int:
    """The number of migrations applied to `db`."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: Database) -> int:
    """Apply pending migrations in order, each in its own transaction; return the new version.

    A database from a newer newsbrief (more migrations than this one knows) is refused: this
    version would write rows without the columns and rules the newer one relies on.

    Each step checks the version again once it holds the write lock: two processes started
    together on an old database (the bot and a cron `newsbrief ingest`) both read the old
    version, and the one that waited would otherwise run the other's steps a second time.
    """
    version = schema_version(db)
    if version > len(MIGRATIONS):
        raise ConfigError(
            f"This database was made by a newer newsbrief (schema version {version}; this one"
            f" knows up to {len(MIGRATIONS)}). Upgrade newsbrief, or set NEWSBRIEF_DB to"
            " another file."
        )
    for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
        with db.conn:
            if schema_version(db) >= number:
                continue  # another process applied it while this one waited for the lock
            if version:  # an existing database: say why start-up takes longer this once
                log.info("Upgrading the database to version %d: %s", number, _summary_line(step))
            step(db)
            db.execute(f"PRAGMA user_version = {number}")
    return schema_version(db)


def _summary_line(step: Migration) -> str:
    """The first line of a migration's docstring, or its name."""
    return (step.__doc__ or step.__name__).strip().splitlines()[0]


@migration
def _v1_initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE sources (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            site_url TEXT,
            enabled INTEGER NOT NULL DEFAULT 1,
            added_at TEXT NOT NULL,
            etag TEXT,
            last_modified TEXT,
            last_polled_at TEXT,
            last_success_at TEXT,
            last_error TEXT,
            last_error_at TEXT,
            consecutive_failures INTEGER NOT NULL DEFAULT 0,
            next_poll_at TEXT
        );
        CREATE TABLE clusters (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            summary TEXT
        );
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            source_id INTEGER REFERENCES sources(id) ON DELETE SET NULL,
            source_name TEXT NOT NULL,
            guid TEXT,
            url TEXT NOT NULL,
            canonical_url TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            byline TEXT,
            published_at TEXT,
            fetched_at TEXT NOT NULL,
            text TEXT NOT NULL,
            text_hash TEXT NOT NULL UNIQUE,
            language TEXT,
            content_origin TEXT NOT NULL,
            cluster_id INTEGER REFERENCES clusters(id) ON DELETE SET NULL
        );
        CREATE UNIQUE INDEX articles_source_guid
            ON articles(source_id, guid) WHERE guid IS NOT NULL;
        CREATE INDEX articles_fetched ON articles(fetched_at);
        CREATE INDEX articles_published ON articles(published_at);
        CREATE INDEX articles_cluster ON articles(cluster_id);
        CREATE TABLE summaries (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            method TEXT NOT NULL,
            language TEXT,
            sentences TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE VIRTUAL TABLE article_fts USING fts5(
            title, summary, body, tokenize = 'unicode61 remove_diacritics 2'
        );
        CREATE TABLE chats (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL DEFAULT 'private',
            title TEXT,
            timezone TEXT NOT NULL DEFAULT 'UTC',
            digest_time TEXT,
            alerts INTEGER NOT NULL DEFAULT 1,
            empty_digest TEXT NOT NULL DEFAULT 'send',
            active INTEGER NOT NULL DEFAULT 1,
            last_digest_at TEXT,
            last_digest_slot TEXT,
            created_at TEXT NOT NULL,
            deactivated_at TEXT
        );
        CREATE TABLE topics (
            id INTEGER PRIMARY KEY,
            chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
            query TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (chat_id, query)
        );
        CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY,
            chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            topic_id INTEGER REFERENCES topics(id) ON DELETE SET NULL,
            kind TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            message_id INTEGER,
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            created_at TEXT NOT NULL,
            sent_at TEXT,
            UNIQUE (chat_id, article_id)
        );
        CREATE INDEX deliveries_status ON deliveries(status, chat_id);
        """
    )


@migration
def _v2_outbox(db: Database) -> None:
    """The outbox: one row per Telegram message, rendered before it is sent (exactly once)."""
    db.executescript(
        """
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
            batch TEXT NOT NULL,
            part INTEGER NOT NULL,
            kind TEXT NOT NULL,
            body TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            telegram_message_id INTEGER,
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            sent_at TEXT
        );
        CREATE INDEX outbox_status ON outbox(status, chat_id, id);
        CREATE INDEX outbox_chat_kind ON outbox(chat_id, kind, created_at);
        ALTER TABLE deliveries
            ADD COLUMN outbox_id INTEGER REFERENCES outbox(id) ON DELETE SET NULL;
        CREATE INDEX deliveries_outbox ON deliveries(outbox_id);
        CREATE TABLE alert_cursor (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            article_id INTEGER NOT NULL
        );
        """
    )


@migration
def _cluster_signatures(db: Database) -> None:
    """Clustering's memory: each article's TF-IDF signature, and document frequencies."""
    db.executescript(
        """
        CREATE TABLE cluster_terms (
            id INTEGER PRIMARY KEY,
            term TEXT NOT NULL UNIQUE,
            df INTEGER NOT NULL
        );
        CREATE TABLE cluster_signatures (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            at TEXT NOT NULL,
            terms BLOB NOT NULL,
            weights BLOB NOT NULL
        );
        CREATE INDEX cluster_signatures_at ON cluster_signatures(at);
        """
    )


@migration
def _meta(db: Database) -> None:
    """A small key/value table for one-off facts about the database (e.g. defaults seeded)."""
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


@migration
def _search_sessions(db: Database) -> None:
    """Bot searches kept server-side, so result buttons carry a short key, not the query."""
    db.executescript(
        """
        CREATE TABLE search_sessions (
            key TEXT PRIMARY KEY,
            chat_id INTEGER NOT NULL,
            query TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX search_sessions_created ON search_sessions(created_at);
        """
    )


@migration
def _fts_prefix_index(db: Database) -> None:
    """Index 1- and 2-letter prefixes, so `a* OR b* OR ...` reads stored lists in milliseconds.

    Without them FTS5 merges the posting list of every word starting with the letters, which
    grows with the archive: twenty one-letter prefixes took 2.7 s on 18,000 articles. The index
    grows by about a third. FTS5 cannot add the option in place, so the table is rebuilt.
    """
    db.execute(
        "CREATE VIRTUAL TABLE article_fts_new USING fts5("
        "title, summary, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2')"
    )
    db.execute(
        "INSERT INTO article_fts_new (rowid, title, summary, body)"
        " SELECT rowid, title, summary, body FROM article_fts"
    )
    db.execute("DROP TABLE article_fts")
    db.execute("ALTER TABLE article_fts_new RENAME TO article_fts")


@migration
def _articles_by_source(db: Database) -> None:
    """Index articles by source, so each source's article count stops reading the archive.

    `due_sources` (every ingest tick) and `/sources` count each source's articles; without
    this index every count read the whole `articles` table: 3.4 s per tick for 50 sources at
    100,000 articles, growing every day the bot ran.
    """
    db.execute("CREATE INDEX IF NOT EXISTS articles_source ON articles(source_id)")


@migration
def _article_tombstones(db: Database) -> None:
    """What pruned articles leave behind, so a feed still listing one cannot bring it back.

    Retention (`summaries.retention`) deletes old articles; each leaves its source, guid,
    canonical URL, text hash and title here, and deduplication consults them like live rows.
    """
    db.executescript(
        """
        CREATE TABLE article_tombstones (
            id INTEGER PRIMARY KEY,
            source_id INTEGER,
            guid TEXT,
            canonical_url TEXT NOT NULL,
            text_hash TEXT NOT NULL,
            title TEXT NOT NULL,
            deleted_at TEXT NOT NULL
        );
        CREATE INDEX article_tombstones_guid
            ON article_tombstones(source_id, guid) WHERE guid IS NOT NULL;
        CREATE INDEX article_tombstones_url ON article_tombstones(canonical_url);
        CREATE INDEX article_tombstones_hash ON article_tombstones(text_hash);
        CREATE INDEX article_tombstones_deleted ON article_tombstones(deleted_at);
        """
    )


@migration
def _outbox_threads(db: Database) -> None:
    """The forum topic each queued message goes to, so /digest in a topic answers there.

    NULL is the chat itself (General in a forum), which is where every message queued before
    this version was going: adding the column changes nothing for them.
    """
    db.execute("ALTER TABLE outbox ADD COLUMN thread_id INTEGER")


@migration
def _topics_readable_since(db: Database) -> None:
    """Saved topics with an unreadable since: (since:2x) keep their meaning as a quoted phrase.

    Such a since: used to be searched as the phrase "since 2x"; it is now refused, and the
    alert and digest jobs parse every saved topic, so one old topic would stop them all.
    OR REPLACE: a chat that also saved the quoted spelling keeps a single copy of it.
    """
    rows = db.execute("SELECT id, query FROM topics").fetchall()
    for topic_id, text in rows:
        readable = quote_unreadable_since(text)
        if readable != text:
            db.execute("UPDATE OR REPLACE topics SET query = ? WHERE id = ?", [readable, topic_id])


@migration
def _chats_delivery_thread(db: Database) -> None:
    """The forum topic where each chat's scheduled digests and alerts are posted.

    It is the topic where a group admin last set the digest time or followed a topic. NULL is
    the chat itself (General in a forum), where every chat's deliveries went before this
    version: adding the column changes nothing for them.
    """
    db.execute("ALTER TABLE chats ADD COLUMN delivery_thread_id INTEGER")


_FOLD_BATCH = 1000


@migration
def _fts_folded_letters(db: Database) -> None:
    """Let plain typing find ł, ß, ё, ø, ı, Greek έ...: the search index gains a folded column.

    The tokenizer folds case and Latin accents but not letters without a decomposition or
    outside Latin, so `zostal` missed "został" (`summaries.folding`). The new `folded` column
    holds an article's title, summary and body with those letters folded, or "" when folding
    changes nothing. FTS5 cannot add a column in place, so the table is rebuilt, in batches.
    """
    db.execute(
        "CREATE VIRTUAL TABLE article_fts_new USING fts5(title, summary, body, folded,"
        " tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2')"
    )
    last = -1
    while True:
        rows = db.execute(
            "SELECT rowid, title, summary, body FROM article_fts WHERE rowid > ?"
            " ORDER BY rowid LIMIT ?",
            [last, _FOLD_BATCH],
        ).fetchall()
        if not rows:
            break
        db.conn.executemany(
            "INSERT INTO article_fts_new (rowid, title, summary, body, folded)"
            " VALUES (?, ?, ?, ?, ?)",
            [(*r, folded_text(*(field or "" for field in r[1:]))) for r in rows],
        )
        last = rows[-1][0]
    db.execute("DROP TABLE article_fts")
    db.execute("ALTER TABLE article_fts_new RENAME TO article_fts")
