"""Plain data passed between the core's stages and out to the edges (CLI, bot).

Frozen dataclasses with no behaviour beyond small conveniences, so that every stage can be
tested by building these by hand, and `bot/render.py` can render them without knowing SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Source:
    """A news source (a feed) and its polling health."""

    id: int
    url: str
    name: str
    site_url: str | None = None
    enabled: bool = True
    added_at: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_polled_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    consecutive_failures: int = 0
    next_poll_at: datetime | None = None
    article_count: int = 0


@dataclass(frozen=True)
class FeedEntry:
    """One item of a parsed feed, before its page is fetched."""

    url: str
    title: str = ""
    guid: str | None = None
    published: datetime | None = None
    author: str | None = None
    content_html: str = ""
    """The feed's own body for the item (full content if present, else its description)."""


@dataclass(frozen=True)
class ParsedFeed:
    """A feed parsed from bytes: its title, site link and entries."""

    title: str
    link: str | None
    entries: tuple[FeedEntry, ...]


@dataclass(frozen=True)
class Article:
    """A clean article: what the summariser sees."""

    title: str
    text: str
    url: str | None = None
    byline: str | None = None
    published: datetime | None = None
    site_name: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Summary:
    """Sentences chosen from an article, in the article's order."""

    sentences: tuple[str, ...]
    method: str
    language: str = "en"
    fallback: bool = False
    """True when the language had no support and the lead sentences were used instead."""


@dataclass(frozen=True)
class StoredArticle:
    """An article as stored, with its summary: what `/latest`, search and digests show."""

    id: int
    url: str
    title: str
    source_id: int | None
    source_name: str
    published_at: datetime | None
    fetched_at: datetime
    summary: tuple[str, ...]
    method: str
    language: str | None = None
    byline: str | None = None
    content_origin: str = "page"
    cluster_id: int | None = None
    also_reported_by: tuple[str, ...] = field(default=())

    @property
    def when(self) -> datetime:
        """The time to show and sort by: publication if known, else when it was fetched."""
        return self.published_at or self.fetched_at
