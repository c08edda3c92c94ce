"""Ingest: default sources, back-off, and the pipeline end to end against a local server."""

from __future__ import annotations

from datetime import UTC, datetime

from summaries.default_sources import DEFAULT_SOURCES, seed_default_sources
from summaries.sources import add_source, list_sources, remove_source
from summaries.store import Database

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_default_sources_seed_a_new_database_once(db: Database) -> None:
    assert seed_default_sources(db, enabled=True, now=NOW) == len(DEFAULT_SOURCES)
    assert [s.url for s in list_sources(db)] == [url for _, url in DEFAULT_SOURCES]
    for source in list_sources(db):
        remove_source(db, source.id)
    assert seed_default_sources(db, enabled=True, now=NOW) == 0
    assert list_sources(db) == []


def test_default_sources_respect_the_setting_and_existing_sources(db: Database) -> None:
    assert seed_default_sources(db, enabled=False, now=NOW) == 0
    assert list_sources(db) == []
    add_source(db, "https://example.com/feed.xml", "Example", now=NOW)
    assert seed_default_sources(db, enabled=True, now=NOW) == 0
    assert [s.name for s in list_sources(db)] == ["Example"]


def test_default_sources_are_https_feeds_with_names() -> None:
    assert 5 <= len(DEFAULT_SOURCES) <= 8
    assert len({url for _, url in DEFAULT_SOURCES}) == len(DEFAULT_SOURCES)
    assert all(name and url.startswith("https://") for name, url in DEFAULT_SOURCES)
