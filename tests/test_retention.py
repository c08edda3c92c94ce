"""Retention: old stories go with every row of theirs, tombstones keep them from coming back."""

from __future__ import annotations

import asyncio
import dataclasses
import random
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import numpy as np
import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from summaries.articles import get_articles, insert_article
from summaries.cluster import assign_cluster, signature_count
from summaries.config import Settings
from summaries.digest_schedule import schedule_digests
from summaries.fetch import Fetcher, FetchPolicy
from summaries.housekeeping import HOUSEKEEPING_JOB_ID
from summaries.ingest import Ingester
from summaries.models import Article, Summary
from summaries.outbox import Outbox
from summaries.retention import TOMBSTONE_KEEP, prune_articles, prune_articles_between_tasks
from summaries.schedule import schedule_worker
from summaries.search import search
from summaries.sources import add_source
from summaries.store import Database, open_database, to_db
from tests.servers import LocalServer, Reply
from tests.stories import RSS, STORIES, page_html, rss, serve_stories
from tests.test_topics_support import Jobs, RecordingNotifier

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
WALL = "The council met on Monday and voted to approve the new tram line to the airport."
WORDS = [
    f"{a}{b}{c}"
    for a in ("har", "tram", "vol", "mar", "kel", "dun")
    for b in "aeiouy"
    for c in "bdgklmnprstvz"
]


def story_text(rng: random.Random, words: int = 300) -> str:
    """Distinct stories: few shared words, so each clusters only with its own copies."""
    return " ".join(rng.choice(WORDS) for _ in range(words)) + "."


def store(
    db: Database, title: str, text: str, *, at: datetime, url: str, source_id: int | None = None
) -> int:
    """Store and cluster one article fetched (and published) at `at`."""
    summary = Summary(sentences=(text[:120],), method="lead")
    article_id = insert_article(
        db,
        Article(title=title, text=text, url=url, published=at),
        summary,
        canonical_url=url,
        source_id=source_id,
        source_name="Example",
        content_origin="feed",
        guid=url,
        now=at,
    )
    assert article_id is not None
    assign_cluster(db, article_id, now=at)
    return article_id


def count(db: Database, sql: str) -> int:
    return int(db.execute(sql).fetchone()[0])


def assert_consistent(db: Database) -> None:
    """No row dangles, and clustering's statistics equal a recount of what is left."""
    articles = count(db, "SELECT count(*) FROM articles")
    assert count(db, "SELECT count(*) FROM article_fts") == articles
    fts_orphans = "SELECT count(*) FROM article_fts WHERE rowid NOT IN (SELECT id FROM articles)"
    assert count(db, fts_orphans) == 0
    assert count(db, "SELECT count(*) FROM summaries") == articles
    for table in ("cluster_signatures", "deliveries"):
        orphans = f"SELECT count(*) FROM {table} WHERE article_id NOT IN (SELECT id FROM articles)"
        assert count(db, orphans) == 0
    empty = (
        "SELECT count(*) FROM clusters WHERE id NOT IN"
        " (SELECT cluster_id FROM articles WHERE cluster_id IS NOT NULL)"
    )
    assert count(db, empty) == 0
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    recount: Counter[int] = Counter()
    for (terms,) in db.execute("SELECT terms FROM cluster_signatures").fetchall():
        recount.update(np.frombuffer(terms, dtype=np.int32).tolist())
    stored = dict(db.execute("SELECT id, df FROM cluster_terms").fetchall())
    assert stored == dict(recount)
    assert signature_count(db) == count(db, "SELECT count(*) FROM cluster_signatures")


def fill(db: Database, days: int, per_day: int, *, start: datetime, seed: int = 1) -> list[int]:
    """`per_day` distinct stories a day; every third is also reported by a second outlet."""
    rng = random.Random(seed)
    ids = []
    for day in range(days):
        for n in range(per_day):
            at = start + timedelta(days=day, minutes=n)
            text = story_text(rng)
            key = f"{at:%Y%m%d}/{n}"
            title = f"Story {day}-{n} {rng.choice(WORDS)}"
            ids.append(store(db, title, text, at=at, url=f"https://a.example/{key}"))
            if n % 3 == 0:
                copy = text.replace(".", " and more.")
                late = at + timedelta(minutes=30)
                ids.append(store(db, title, copy, at=late, url=f"https://b.example/{key}"))
    return ids


def test_old_stories_go_with_all_their_rows_recent_ones_stay(db: Database) -> None:
    old = fill(db, 2, 6, start=NOW - timedelta(days=40))
    recent = fill(db, 2, 6, start=NOW - timedelta(days=3), seed=2)
    db.execute("INSERT INTO chats (id, created_at) VALUES (7, ?)", [to_db(NOW)])
    db.conn.executemany(
        "INSERT INTO deliveries (chat_id, article_id, kind, created_at) VALUES (7, ?, 'alert', ?)",
        [(i, to_db(NOW)) for i in (old[0], recent[0])],
    )
    assert count(db, "SELECT count(*) FROM cluster_signatures") == len(old) + len(recent)
    assert len({r[0] for r in db.execute("SELECT cluster_id FROM articles")}) < len(old + recent)

    assert prune_articles(db, keep_days=30, now=NOW) == len(old)

    remaining = [r[0] for r in db.execute("SELECT id FROM articles ORDER BY id")]
    assert remaining == recent
    assert count(db, "SELECT count(*) FROM article_tombstones") == len(old)
    assert [r[0] for r in db.execute("SELECT article_id FROM deliveries")] == [recent[0]]
    assert_consistent(db)
    title = db.execute("SELECT title FROM articles WHERE id = ?", [recent[0]]).fetchone()[0]
    hits = search(db, f'"{title}"', now=NOW).hits
    assert {h.article.id for h in hits} == {recent[0], recent[1]}  # the story and its copy


def test_keep_days_zero_deletes_nothing(db: Database) -> None:
    ids = fill(db, 1, 4, start=NOW - timedelta(days=900))
    assert prune_articles(db, keep_days=0, now=NOW) == 0
    assert prune_articles(db, keep_days=-5, now=NOW) == 0
    assert count(db, "SELECT count(*) FROM articles") == len(ids)
    assert count(db, "SELECT count(*) FROM article_tombstones") == 0


def test_a_story_stays_while_one_of_its_outlets_is_recent(db: Database) -> None:
    rng = random.Random(3)
    text = story_text(rng)
    old = store(db, "Harbour closed", text, at=NOW - timedelta(days=31), url="https://a.example/1")
    late = NOW - timedelta(days=31) + timedelta(hours=2)
    store(db, "Harbour closed", text + " More.", at=late, url="https://b.example/1")
    db.execute(
        "UPDATE articles SET fetched_at = ? WHERE url = 'https://b.example/1'",
        [to_db(NOW - timedelta(days=1))],
    )
    store(db, "Other", story_text(rng), at=NOW, url="https://c.example/1")
    assert prune_articles(db, keep_days=30, now=NOW) == 0
    assert count(db, f"SELECT count(*) FROM articles WHERE id = {old}") == 1


def test_the_newest_article_is_kept_so_ids_never_go_back(db: Database) -> None:
    ids = fill(db, 1, 3, start=NOW - timedelta(days=60))
    assert prune_articles(db, keep_days=30, now=NOW) == len(ids) - 1
    assert [r[0] for r in db.execute("SELECT id FROM articles")] == [max(ids)]
    new = store(db, "Fresh", story_text(random.Random(9)), at=NOW, url="https://a.example/new")
    assert new > max(ids)
    assert_consistent(db)


def test_a_pruned_text_under_a_new_url_is_not_stored_again(db: Database) -> None:
    text = story_text(random.Random(4))
    store(db, "Old", text, at=NOW - timedelta(days=40), url="https://a.example/old")
    store(db, "Keep", story_text(random.Random(5)), at=NOW, url="https://a.example/keep")
    assert prune_articles(db, keep_days=30, now=NOW) == 1
    again = insert_article(
        db,
        Article(title="Old", text=text),
        Summary(sentences=("x",), method="lead"),
        canonical_url="https://mirror.example/old",
        source_id=None,
        source_name="Mirror",
        content_origin="feed",
        now=NOW,
    )
    assert again is None


def test_tombstones_expire_after_a_year(db: Database) -> None:
    fill(db, 1, 3, start=NOW - timedelta(days=40))
    prune_articles(db, keep_days=30, now=NOW)
    assert count(db, "SELECT count(*) FROM article_tombstones") == 3
    prune_articles(db, keep_days=30, now=NOW + TOMBSTONE_KEEP - timedelta(days=1))
    assert count(db, "SELECT count(*) FROM article_tombstones") == 3
    prune_articles(db, keep_days=30, now=NOW + TOMBSTONE_KEEP + timedelta(days=1))
    assert count(db, "SELECT count(*) FROM article_tombstones") == 0


def test_a_prune_interrupted_after_one_batch_leaves_a_consistent_store(db: Database) -> None:
    ids = fill(db, 2, 4, start=NOW - timedelta(days=40))
    fill(db, 1, 2, start=NOW, seed=8)
    victim = ids[3]  # in the second batch of two
    db.execute(
        f"CREATE TEMP TRIGGER crash BEFORE DELETE ON articles WHEN old.id = {victim}"
        " BEGIN SELECT RAISE(ABORT, 'simulated crash'); END"
    )
    with pytest.raises(sqlite3.IntegrityError, match="simulated crash"):
        prune_articles(db, keep_days=30, now=NOW, batch_size=2)
    assert count(db, "SELECT count(*) FROM article_tombstones") == 2
    assert count(db, "SELECT min(id) FROM articles") == ids[2]
    assert_consistent(db)
    db.execute("DROP TRIGGER crash")
    assert prune_articles(db, keep_days=30, now=NOW, batch_size=2) == len(ids) - 2
    assert count(db, "SELECT count(*) FROM article_tombstones") == len(ids)
    assert_consistent(db)


def test_database_size_stops_growing_for_a_steady_flow(tmp_path: Path) -> None:
    """Ten weeks of 20 stories a day, a week kept, pruned nightly: freed pages are reused.

    The search index keeps deleted rows as delete markers until its segments merge, so the
    file settles at about twice the live data after four or five weeks, then stays there.
    """
    db = open_database(tmp_path / "steady.db")
    start = NOW - timedelta(days=70)
    weekly: list[int] = []
    for day in range(70):
        at = start + timedelta(days=day)
        fill(db, 1, 20, start=at, seed=day)
        prune_articles(db, keep_days=7, now=at + timedelta(days=1))
        if day % 7 == 6:
            weekly.append(count(db, "PRAGMA page_count"))
    assert count(db, "SELECT count(*) FROM articles") < 200
    assert_consistent(db)
    db.close()
    assert max(weekly[5:]) <= weekly[4] * 1.1, weekly
    assert weekly[-1] < weekly[0] * 3, weekly


@pytest.fixture
async def fetcher(settings: Settings) -> AsyncIterator[Fetcher]:
    async with Fetcher(FetchPolicy.from_settings(settings)) as client:
        yield client


async def test_a_repolled_feed_listing_pruned_items_does_not_store_or_alert_them(
    db: Database, server: LocalServer, fetcher: Fetcher, settings: Settings
) -> None:
    url = serve_stories(server, ["harbour", "council", "vaccine"])
    add_source(db, url, "Example News", now=NOW)
    clock = [NOW - timedelta(days=40)]
    alerted: list[int] = []

    async def alert(article_ids: list[int]) -> None:
        alerted.extend(article_ids)

    worker = Ingester(db, fetcher, settings, clock=lambda: clock[0], on_new_articles=[alert])
    first = await worker.run_due(force=True)
    assert len(first.new_articles) == 3 == len(alerted)
    pages = sum(1 for r in server.requests if r.path.startswith("/news/"))

    assert prune_articles(db, keep_days=30, now=NOW) == 2  # the newest id stays
    clock[0] = NOW
    again = await worker.run_due(force=True)
    assert (again.new_articles, again.duplicates) == ([], 3)
    assert len(alerted) == 3
    assert sum(1 for r in server.requests if r.path.startswith("/news/")) == pages
    assert count(db, "SELECT count(*) FROM articles") == 1
    assert_consistent(db)


def test_a_story_running_past_twice_the_retention_loses_its_oldest_outlets(db: Database) -> None:
    rng = random.Random(6)
    text = story_text(rng)
    first = NOW - timedelta(days=61)
    old = store(db, "Live updates", text, at=first, url="https://a.example/live")
    kept = store(db, "Live updates", text + " Later.", at=first, url="https://b.example/live")
    db.execute("UPDATE articles SET fetched_at = ? WHERE id = ?", [to_db(NOW), kept])
    cluster = db.execute("SELECT cluster_id FROM articles WHERE id = ?", [kept]).fetchone()[0]
    assert (
        db.execute("SELECT cluster_id FROM articles WHERE id = ?", [old]).fetchone()[0] == cluster
    )
    assert prune_articles(db, keep_days=30, now=NOW) == 1
    assert [r[0] for r in db.execute("SELECT id FROM articles")] == [kept]
    assert count(db, f"SELECT count(*) FROM clusters WHERE id = {cluster}") == 1
    assert_consistent(db)


async def test_a_paywalled_source_keeps_storing_after_its_first_wall_is_pruned(
    db: Database, server: LocalServer, fetcher: Fetcher, settings: Settings
) -> None:
    wall = page_html("Subscribe", [f"{WALL} Become a member to read on.", "Members read free."])
    items: list[tuple[str, str, str]] = []

    def feed(handler: BaseHTTPRequestHandler) -> Reply:
        return Reply(rss("Example", items), content_type=RSS)

    def listing(*keys: str) -> list[tuple[str, str, str]]:
        return [(STORIES[k][0], server.add(f"/{k}", Reply(wall)), STORIES[k][1][0]) for k in keys]

    add_source(db, server.add("/feed", feed), "Walled", now=NOW)
    clock = [NOW - timedelta(days=40)]
    worker = Ingester(db, fetcher, settings, clock=lambda: clock[0])
    items[:] = listing("harbour")
    assert len((await worker.run_due(force=True)).new_articles) == 1  # the wall, as a page
    store(db, "Elsewhere", story_text(random.Random(2)), at=NOW, url="https://c.example/x")
    assert prune_articles(db, keep_days=30, now=NOW) == 1
    clock[0] = NOW
    items[:] = listing("council", "vaccine")
    report = await worker.run_due(force=True)
    assert len(report.new_articles) == 2
    assert {a.content_origin for a in get_articles(db, report.new_articles)} == {"feed"}


@pytest.mark.parametrize(("keep", "left"), [(None, 4), (30, 1)])
async def test_the_nightly_job_prunes_articles_only_when_asked(
    db: Database, keep: int | None, left: int
) -> None:
    fill(db, 1, 3, start=NOW - timedelta(days=40))
    jobs = Jobs()
    box = Outbox(db, RecordingNotifier(), clock=lambda: NOW)
    extra = {} if keep is None else {"keep_articles_days": keep}
    schedule_digests(
        jobs, db, box, grace=timedelta(hours=1), alerts_per_hour=6, clock=lambda: NOW, **extra
    )
    await jobs.jobs["newsbrief-prune"]()
    assert count(db, "SELECT count(*) FROM articles") == left


async def test_a_worker_without_the_bot_prunes_old_stories_every_night_too(
    settings: Settings,
) -> None:
    """`newsbrief worker` (or `run` without a token) owns the database's schedule alone."""
    asked = dataclasses.replace(settings, keep_articles_days=30)
    db = open_database(asked.db_path)
    fill(db, 1, 3, start=datetime.now(UTC) - timedelta(days=40))
    scheduler = AsyncIOScheduler(timezone="UTC")
    async with Fetcher(FetchPolicy.from_settings(asked)) as fetcher:
        schedule_worker(scheduler, Ingester(db, fetcher, asked), db, asked)
    job = scheduler.get_job(HOUSEKEEPING_JOB_ID)
    assert str(job.trigger) == "cron[hour='3', minute='17']"
    await job.func()
    assert count(db, "SELECT count(*) FROM articles") == 1
    db.close()


async def test_the_prune_in_the_event_loop_lets_other_tasks_run_between_batches(
    db: Database,
) -> None:
    ids = fill(db, 1, 6, start=NOW - timedelta(days=40))
    seen: list[int] = []

    async def bot() -> None:
        while True:
            seen.append(count(db, "SELECT count(*) FROM articles"))
            await asyncio.sleep(0)

    task = asyncio.create_task(bot())
    await asyncio.sleep(0)
    pruned = await prune_articles_between_tasks(db, keep_days=30, now=NOW, batch_size=2)
    task.cancel()
    assert pruned == len(ids) - 1
    assert {len(ids), len(ids) - 2, len(ids) - 4}.issubset(seen), seen


async def test_a_slow_feed_still_listing_a_pruned_item_keeps_its_tombstone(
    db: Database, server: LocalServer, fetcher: Fetcher, settings: Settings
) -> None:
    url = serve_stories(server, ["harbour", "council", "vaccine"])
    add_source(db, url, "Monthly Column", now=NOW)
    clock = [NOW - timedelta(days=40)]
    worker = Ingester(db, fetcher, settings, clock=lambda: clock[0])
    await worker.run_due(force=True)
    assert prune_articles(db, keep_days=30, now=NOW) == 2
    clock[0] = NOW + timedelta(days=300)  # the feed still lists them ten months later
    await worker.run_due(force=True)
    later = NOW + TOMBSTONE_KEEP + timedelta(days=30)  # over a year after the deletion
    prune_articles(db, keep_days=30, now=later)
    assert count(db, "SELECT count(*) FROM article_tombstones") == 2
    clock[0] = later
    again = await worker.run_due(force=True)
    assert again.new_articles == []  # not brought back as new, so not alerted again
