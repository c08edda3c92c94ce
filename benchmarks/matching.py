"""Topic matching: 1,000 new articles against 10,000 subscriptions (target: under 2 s).

Articles are real BBC News texts from ../shared/data when present (synthetic text otherwise),
stored with their FTS rows as ingestion stores them. Topics are drawn from the articles' own
words, weighted by frequency (people follow words that occur), in every shape the query
language has: words, AND, OR, "phrases", prefixes, -exclusions, source:. Prints figures; asserts
nothing.

    python benchmarks/matching.py [--articles 1000] [--subscriptions 10000] [--per-chat 2]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from summaries.alerts import plan_alerts
from summaries.articles import insert_article
from summaries.chats import ensure_chat
from summaries.matching import match_subscriptions
from summaries.models import Article, Summary
from summaries.notify import AlertMessage, DigestMessage, Part
from summaries.outbox import Outbox
from summaries.query import index_words
from summaries.search import matching_article_ids
from summaries.store import Database, open_database, to_db
from summaries.topics import subscriptions

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "bbc-news-summary.jsonl"
SOURCES = ["BBC News", "The Guardian", "Al Jazeera", "NPR", "DW"]


def texts(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(title, body) pairs: BBC articles if available, else made-up words."""
    if DATA.exists():
        seen: set[str] = set()
        rows = []
        for line in DATA.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["text"] not in seen:
                seen.add(row["text"])
                rows.append((row["title"] or row["text"][:60], row["text"]))
        return [rows[i % len(rows)] for i in range(count)]
    vocabulary = [f"w{n}" for n in range(5000)]
    return [
        (" ".join(rng.choices(vocabulary, k=8)), " ".join(rng.choices(vocabulary, k=400)))
        for _ in range(count)
    ]


def store_articles(db: Database, pairs: list[tuple[str, str]]) -> list[int]:
    ids = []
    for n, (title, body) in enumerate(pairs):
        url = f"https://news.example/{n}"
        article_id = insert_article(
            db,
            Article(title=title, text=f"{body}\n\n(copy {n})", url=url),
            Summary(sentences=tuple(body.split(". ")[:2]), method="lead"),
            canonical_url=url,
            source_id=None,
            source_name=SOURCES[n % len(SOURCES)],
            content_origin="page",
            now=NOW,
        )
        assert article_id is not None
        ids.append(article_id)
    return ids


def topic_texts(pairs: list[tuple[str, str]], count: int, rng: random.Random) -> list[str]:
    """Queries of every shape, from words that occur in the articles."""
    counts = Counter(w for _, body in pairs[:300] for w in index_words(body) if len(w) > 3)
    common = [w for w, _ in counts.most_common(3000)]
    pick = lambda: rng.choice(common)  # noqa: E731
    shapes = [
        lambda: pick(),
        lambda: f"{pick()} {pick()}",
        lambda: f"{pick()} OR {pick()}",
        lambda: f'"{pick()} {pick()}"',
        lambda: f"{pick()[:4]}*",
        lambda: f"{pick()} -{pick()}",
        lambda: f"source:{rng.choice(SOURCES).split()[0].lower()} {pick()}",
    ]
    return [rng.choice(shapes)() for _ in range(count)]


def subscribe_all(db: Database, queries: list[str], per_chat: int) -> None:
    """Bulk-insert chats and topics (the per-topic recent-match count is not the point here)."""
    stamp = to_db(NOW)
    with db.conn:
        for n, query in enumerate(queries):
            chat_id = 1 + n // per_chat
            if n % per_chat == 0:
                ensure_chat(db, chat_id, now=NOW)
            db.execute(
                "INSERT OR IGNORE INTO topics (chat_id, query, created_at) VALUES (?, ?, ?)",
                [chat_id, query, stamp],
            )


class NullNotifier:
    """Renders one line per story and never sends: the cost measured is planning only."""

    def render_alert(self, alert: AlertMessage) -> list[Part]:
        return [
            Part(
                " / ".join(i.article.title for i in alert.items),
                tuple(i.article.id for i in alert.items),
            )
        ]

    def render_digest(self, digest: DigestMessage) -> list[Part]:
        return []

    async def wait_turn(self, chat_id: int) -> None:
        """No rate limits here."""

    async def send(
        self, chat_id: int, text: str, *, thread_id: int | None = None, silent: bool = False
    ) -> int:
        raise AssertionError("the benchmark never sends")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--subscriptions", type=int, default=10_000)
    parser.add_argument("--per-chat", type=int, default=2)
    parser.add_argument("--fts-sample", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(11)
    db = open_database(":memory:")
    pairs = texts(args.articles, rng)
    ids = store_articles(db, pairs)
    subscribe_all(db, topic_texts(pairs, args.subscriptions, rng), args.per_chat)
    topics = db.execute("SELECT count(*) FROM topics").fetchone()[0]
    chats = db.execute("SELECT count(*) FROM chats").fetchone()[0]
    print(f"{len(ids)} new articles ({'BBC News texts' if DATA.exists() else 'synthetic'}), "
          f"{topics} subscriptions in {chats} chats")  # fmt: skip

    start = time.perf_counter()
    subs = subscriptions(db, alerts_only=True)
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    found = match_subscriptions(db, subs, ids, now=NOW)
    matched = time.perf_counter() - start
    pairs_found = sum(len(v) for v in found.values())
    print(f"load and parse subscriptions: {loaded * 1000:.0f} ms")
    print(f"match (read texts, index, every topic): {matched * 1000:.0f} ms"
          f" -> {pairs_found} (chat, article) matches in {len(found)} chats")  # fmt: skip
    print(f"TOTAL matching: {(loaded + matched):.2f} s (target < 2 s)")

    sample = subs[: args.fts_sample]
    start = time.perf_counter()
    for sub in sample:
        matching_article_ids(db, sub.query, ids, now=NOW)
    per_topic = (time.perf_counter() - start) / max(1, len(sample))
    print(f"for comparison, one FTS query per topic: {per_topic * 1000:.2f} ms/topic"
          f" -> {per_topic * len(subs):.1f} s for all {len(subs)}")  # fmt: skip

    box = Outbox(db, NullNotifier())
    start = time.perf_counter()
    planned = plan_alerts(db, box, ids, per_hour=6, now=NOW)
    print(f"plan_alerts end to end (match, dedupe, collapse, render, write outbox):"
          f" {time.perf_counter() - start:.2f} s, {planned} bundled alerts")  # fmt: skip


if __name__ == "__main__":
    main()
