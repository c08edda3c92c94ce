"""The schema and the shared queries, on real SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from summaries import articles, sources
from summaries.errors import ConfigError, NotFoundError, SourceError
from summaries.migrations import MIGRATIONS
from summaries.models import Article, Summary
from summaries.schema import schema_version
from summaries.store import Database, open_database

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def _store(db: Database, title: str, text: str, url: str) -> int | None:
    return articles.insert_article(
        db,
        Article(title=title, text=text, url=url),
        Summary(sentences=(text.split(".")[0] + ".",), method="lead"),
        canonical_url=url,
        source_id=None,
        source_name="Test",
        content_origin="page",
        now=NOW,
    )


def test_migrations_apply_once_and_reopen_is_safe(tmp_path: Path) -> None:
    path = tmp_path / "n.db"
    first = open_database(path)
    assert schema_version(first) == len(MIGRATIONS)
    sources.add_source(first, "https://example.com/feed", "Example", now=NOW)
    first.close()
    again = open_database(path)
    assert schema_version(again) == len(MIGRATIONS)
    assert [s.name for s in sources.list_sources(again)] == ["Example"]
    assert again.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_database_from_a_newer_newsbrief_is_refused_not_written(tmp_path: Path) -> None:
    path = tmp_path / "n.db"
    newer = open_database(path)
    newer.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    newer.close()
    with pytest.raises(ConfigError, match="made by a newer newsbrief") as refused:
        open_database(path)
    assert f"schema version {len(MIGRATIONS) + 1}" in str(refused.value)
    assert "NEWSBRIEF_DB" in str(refused.value)


def test_source_lifecycle(db: Database) -> None:
    added = sources.add_source(db, "https://example.com/feed", "Example", now=NOW)
    with pytest.raises(SourceError, match="already a source"):
        sources.add_source(db, "https://example.com/feed", "Again", now=NOW)
    assert sources.get_source(db, "example").id == added.id
    assert [s.id for s in sources.due_sources(db, NOW)] == [added.id]
    sources.record_poll_failure(
        db, added.id, now=NOW, error="HTTP 503", next_poll_at=NOW + timedelta(minutes=5)
    )
    failed = sources.get_source(db, added.id)
    assert (failed.consecutive_failures, failed.last_error) == (1, "HTTP 503")
    assert sources.due_sources(db, NOW) == []
    sources.record_poll_success(
        db, added.id, now=NOW, next_poll_at=NOW, etag='"v1"', last_modified=None
    )
    assert sources.get_source(db, added.id).consecutive_failures == 0
    sources.remove_source(db, str(added.id))
    with pytest.raises(NotFoundError, match="sources list"):
        sources.get_source(db, added.id)


def test_duplicates_are_stored_once(db: Database) -> None:
    first = _store(db, "A", "Same words here. And more.", "https://x.test/a")
    assert first is not None
    assert _store(db, "A", "Same words here. And more.", "https://x.test/other") is None
    assert _store(db, "B", "Different text. Entirely.", "https://x.test/a") is None
    assert articles.find_duplicate(db, fingerprint=articles.text_hash("same WORDS here and more"))
    assert [a.id for a in articles.latest_articles(db)] == [first]


def test_a_path_that_cannot_be_a_database_is_a_config_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not an SQLite file, it is long enough to have a header" * 4)
    for path in (junk, tmp_path, junk / "inside.db"):
        with pytest.raises(ConfigError, match="NEWSBRIEF_DB") as caught:
            open_database(path)
        assert str(path) in str(caught.value)


def test_the_same_feed_in_another_spelling_is_not_added_twice(db: Database) -> None:
    sources.add_source(db, "https://example.com/feed.xml", "Example", now=NOW)
    for spelling in (
        "HTTPS://Example.COM/feed.xml",
        "https://example.com:443/feed.xml#latest",
        "https://example.com/feed.xml?utm_source=newsletter",
    ):
        with pytest.raises(SourceError, match="already a source"):
            sources.add_source(db, spelling, "Again", now=NOW)
    sources.add_source(db, "https://example.com/feed.xml?section=world", "World", now=NOW)
    assert [s.name for s in sources.list_sources(db)] == ["Example", "World"]


def test_a_source_is_found_by_its_name_in_any_case_and_script(db: Database) -> None:
    added = sources.add_source(db, "https://iz.ru/xml/rss/all.xml", "Известия", now=NOW)
    assert sources.get_source(db, "ИЗВЕСТИЯ").id == added.id
    assert sources.remove_source(db, "известия").id == added.id


@pytest.mark.parametrize("key", ["99999999999999999999999", "²", "x" * 5000])
def test_an_impossible_source_key_is_simply_not_found(db: Database, key: str) -> None:
    with pytest.raises(NotFoundError, match="sources list") as caught:
        sources.get_source(db, key)
    assert len(str(caught.value)) < 200
