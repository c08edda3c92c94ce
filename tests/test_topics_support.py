"""Helpers for the topics, alerts, digest and outbox tests (no tests here).

`RecordingNotifier` renders plain text and records what it "sent"; scripted errors make it fail
the way Telegram does. `store` puts an article in the database the way the ingester does. `Jobs`
keeps the jobs the schedulers add, so a test runs one by id instead of waiting for it.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from summaries import articles
from summaries.models import Article, Summary
from summaries.notify import AlertMessage, DeliveryError, DigestMessage, Item, Part
from summaries.store import Database, to_db

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


class Jobs:
    """Just enough of an APScheduler scheduler to keep the jobs added to it, by id."""

    def __init__(self) -> None:
        self.jobs: dict[str, Callable[[], Awaitable[Any]]] = {}

    def add_job(
        self, func: Callable[[], Awaitable[Any]], *args: object, id: str, **kwargs: object
    ) -> None:
        self.jobs[id] = func


def store(
    db: Database,
    title: str,
    text: str = "",
    *,
    source: str = "Wire",
    at: datetime = NOW,
    cluster: int | None = None,
) -> int:
    """Store an article (title words also in its text) fetched at `at`; returns its id."""
    body = text or f"{title}. More details follow in the full report."
    url = f"https://news.example/{source.lower()}/{abs(hash((title, source, at)))}"
    article_id = articles.insert_article(
        db,
        Article(title=title, text=body, url=url),
        Summary(sentences=(body.split(". ")[0] + ".",), method="lead"),
        canonical_url=url,
        source_id=None,
        source_name=source,
        content_origin="page",
        now=at,
    )
    assert article_id is not None
    if cluster is not None:
        with db.conn:
            db.execute(
                "INSERT OR IGNORE INTO clusters (id, created_at, updated_at) VALUES (?, ?, ?)",
                [cluster, to_db(at), to_db(at)],
            )
            db.execute("UPDATE articles SET cluster_id = ? WHERE id = ?", [cluster, article_id])
    return article_id


def line(item: Item) -> str:
    also = f" +{','.join(item.article.also_reported_by)}" if item.article.also_reported_by else ""
    return f"{item.article.title} [{item.topic}] ({item.article.source_name}{also})"


class RecordingNotifier:
    """A Notifier that renders one line per story and records every successful send."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []
        self.silent: list[tuple[int, str]] = []
        """What was sent without a sound (quiet hours)."""
        self.errors: dict[int, list[DeliveryError | BaseException]] = defaultdict(list)
        self.attempts = 0

    def render_alert(self, alert: AlertMessage) -> list[Part]:
        text = "ALERT\n" + "\n".join(line(i) for i in alert.items)
        return [Part(text, tuple(i.article.id for i in alert.items))]

    def render_digest(self, digest: DigestMessage) -> list[Part]:
        if digest.is_empty:
            return [Part("DIGEST nothing new on your topics")]
        return [
            Part(
                f"DIGEST {topic}\n" + "\n".join(line(i) for i in items),
                tuple(i.article.id for i in items),
            )
            for topic, items in digest.groups
        ]

    async def wait_turn(self, chat_id: int) -> None:
        """No rate limits here."""

    async def send(
        self, chat_id: int, text: str, *, thread_id: int | None = None, silent: bool = False
    ) -> int:
        self.attempts += 1
        for _ in range(self.attempts % 3):  # uneven latency lets sends interleave, as on a network
            await asyncio.sleep(0)
        if self.errors[chat_id]:
            raise self.errors[chat_id].pop(0)
        self.sent.append((chat_id, text))
        if silent:
            self.silent.append((chat_id, text))
        return len(self.sent)

    def to(self, chat_id: int) -> list[str]:
        return [text for chat, text in self.sent if chat == chat_id]
