"""The schema's history: every migration, in the order it was released.

Each `@migration` function is one schema version: its position in `MIGRATIONS`, counted from 1.
A database records only how many have run (`PRAGMA user_version`), so the list is append-only:
a new schema change is a new function at the end, and a released one is never edited, moved or
removed. `summaries.schema.migrate` applies the pending ones at start-up.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database

from summaries.folding import folded_text
from summaries.query import quote_unreadable_since

Migration = Callable[[Database], None]

MIGRATIONS: list[Migration] = []


def migration(fn: Migration) -> Migration:
    """Register `fn` as the next schema version. Append only: never edit a released one."""
    MIGRATIONS.append(fn)
    return fn


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


@migration
def _chats_digest_days(db: Database) -> None:
    """The days of the week each chat's digest goes out (a bit mask, Monday = 1): every day
    until a chat chooses others with /digest 08:00 weekdays."""
    db.execute("ALTER TABLE chats ADD COLUMN digest_days INTEGER NOT NULL DEFAULT 127")


@migration
def _chats_quiet_hours(db: Database) -> None:
    """Each chat's quiet hours (local "HH:MM" start and end, NULL: none): alerts then come
    without a sound."""
    db.execute("ALTER TABLE chats ADD COLUMN quiet_start TEXT")
    db.execute("ALTER TABLE chats ADD COLUMN quiet_end TEXT")
