"""Months of operation in seconds: what grows, what slows down, what a moved clock breaks.

Time moves through the clocks the code takes as arguments (never sleeps). Rows are bulk-written
with SQL where only their number matters, so a year of deliveries costs milliseconds. Costs are
counted in SQLite virtual-machine steps (a progress handler), not in seconds: the count does not
depend on how busy the shared machine is, so "no slower after a year" can be asserted exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.delivery import FanoutLimiter
from summaries import chats, cluster, digest_schedule, outbox, outbox_admin, sources, topics
from summaries.notify import DeliveryFailed, Part
from summaries.store import Database, open_database
from tests.test_topics_support import NOW, Jobs, RecordingNotifier, store

GRACE = timedelta(hours=6)


def bulk_articles(db: Database, first: int, count: int, *, chat_deliveries: int = 0) -> None:
    """`count` bare articles from id `first`, each its own cluster; the first
    `chat_deliveries` of them already delivered to chat 1 (what a long-lived chat has had)."""
    ids = range(first, first + count)
    with db.conn:
        db.execute("INSERT OR IGNORE INTO chats (id, created_at) VALUES (1, '2026-01-01')")
        db.conn.executemany(
            "INSERT INTO clusters (id, created_at, updated_at) VALUES (?, '2026', '2026')",
            [(i,) for i in ids],
        )
        db.conn.executemany(
            "INSERT INTO articles (id, source_name, url, canonical_url, title, fetched_at, text,"
            " text_hash, content_origin, cluster_id)"
            " VALUES (?, 'Wire', ?, ?, 'T', '2026-01-01', 'x', ?, 'page', ?)",
            [(i, f"u{i}", f"u{i}", f"h{i}", i) for i in ids],
        )
        db.conn.executemany(
            "INSERT INTO deliveries (chat_id, article_id, kind, created_at)"
            " VALUES (1, ?, 'digest', '2026')",
            [(i,) for i in list(ids)[:chat_deliveries]],
        )


@contextmanager
def vm_steps(db: Database) -> Iterator[Callable[[], int]]:
    """Count SQLite VM steps (in thousands) run inside the block."""
    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 0

    db.conn.set_progress_handler(tick, 1000)
    try:
        yield lambda: steps[0]
    finally:
        db.conn.set_progress_handler(None, 0)


def test_the_already_sent_check_does_not_slow_down_as_deliveries_pile_up(db: Database) -> None:
    """A chat's digest checks ~2,000 candidates against what it has had. Before the fix the
    cluster check read every past delivery of the chat for each candidate: 3.4 s per chat
    with 20,000 past deliveries, growing every day the bot ran."""
    bulk_articles(db, 1, 300, chat_deliveries=100)
    with vm_steps(db) as young:
        assert outbox.undelivered(db, 1, list(range(101, 301))) == list(range(101, 301))
    bulk_articles(db, 1_000, 10_200, chat_deliveries=10_000)  # a year of a busy chat
    with vm_steps(db) as old:
        fresh = list(range(11_000, 11_200))
        assert outbox.undelivered(db, 1, fresh) == fresh
    assert old() <= young() * 1.5 + 5


def full_scans(
    db: Database, run: Callable[[], object], *, small: tuple[str, ...] = ()
) -> list[str]:
    """The statements `run` executes whose query plan reads a whole table or index, except
    plan steps starting with one of `small` (scans of tables that do not grow with time)."""
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        run()
    finally:
        db.conn.set_trace_callback(None)
    return [
        f"{sql[:80]} -> {step[3]}"
        for sql in statements
        # "--" marks what FTS5 runs internally, on its own indexed tables
        if not sql.startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "--"))
        for step in db.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
        if str(step[3]).startswith("SCAN") and not str(step[3]).startswith(small)
    ]


def test_clustering_an_article_reads_nothing_that_grows_with_the_store(db: Database) -> None:
    """Assignment should cost what the 48-hour window holds. Before the fix it counted every
    signature ever stored (count(*) walks the whole index) twice per article: 0.6 ms at
    100,000 signatures, 8 ms at a million, more every day the bot ran."""
    first = store(db, "Harbour closed by storm", "A storm closed the northern harbour on Monday.")
    cluster.assign_cluster(db, first, now=NOW)
    again = store(
        db,
        "Storm shuts the harbour",
        "The northern harbour was shut on Monday by a storm.",
        source="Other",
        at=NOW + timedelta(hours=1),
    )
    assert full_scans(db, lambda: cluster.assign_cluster(db, again, now=NOW)) == []
    stored = db.execute("SELECT count(*) FROM cluster_signatures").fetchone()[0]
    assert cluster.signature_count(db) == stored == 2
    with db.conn:  # a database from before the counter: counted once, then kept
        db.execute("DELETE FROM meta")
    assert cluster.signature_count(db) == 2
    assert (
        db.execute("SELECT cluster_id FROM articles WHERE id = ?", [again]).fetchone()[0]
        == (db.execute("SELECT cluster_id FROM articles WHERE id = ?", [first]).fetchone()[0])
    )


def test_polling_and_listing_sources_do_not_read_the_whole_archive(db: Database) -> None:
    """Every ingest tick (each minute) asks which sources are due, with each one's article
    count. With no index on `articles.source_id` each count read the whole table: 3.4 s per
    tick for 50 sources at 100,000 articles (3 ms with the index)."""
    source = sources.add_source(db, "https://feed.example/rss", name="Feed", now=NOW)
    store(db, "One story", at=NOW)
    with db.conn:
        db.execute("UPDATE articles SET source_id = ?", [source.id])
    assert full_scans(db, lambda: sources.due_sources(db, NOW), small=("SCAN s",)) == []
    assert full_scans(db, lambda: sources.list_sources(db), small=("SCAN s",)) == []
    assert [s.article_count for s in sources.due_sources(db, NOW)] == [1]


async def test_failed_and_unknown_messages_do_not_pile_up_forever(db: Database) -> None:
    """A year of ten failures a day, with the nightly prune: /failures keeps the last
    `KEEP_FAILED` of them (before the fix it kept every one, bodies included, forever)."""
    notifier = RecordingNotifier()
    box = outbox.Outbox(db, notifier, clock=lambda: NOW, backoff=0)
    chats.ensure_chat(db, 1, now=NOW)
    day = NOW
    for _ in range(365):
        box.clock = lambda: day  # noqa: B023 (the loop moves the clock on purpose)
        with db.conn:
            outbox.enqueue(db, 1, "alert", [Part(f"story {i}") for i in range(10)], now=day)
        notifier.errors[1] = [DeliveryFailed("Bad Request: message is too long")] * 10
        assert (await box.flush()).failed == 10
        outbox_admin.prune(db, now=day)
        day += timedelta(days=1)
    kept = outbox_admin.status_counts(db)["failed"]
    assert kept == 10 * (outbox_admin.KEEP_FAILED.days + 1)
    assert len(outbox_admin.failures(db)) == 20  # /failures still shows the newest


async def test_a_year_of_digests_across_dst_new_year_leap_day_and_an_outage(db: Database) -> None:
    """Thirteen months (Dec 2027 - Jan 2029: two New Years, 29 Feb 2028, both DST changes in
    each hemisphere) ticking every 30 minutes, with the bot down for three days in June. Each
    chat gets one digest per local day, each story reaches it once, and the outage costs no
    story: the first digest after it covers the whole gap."""
    start = datetime(2027, 12, 1, 12, tzinfo=UTC)
    box = outbox.Outbox(db, RecordingNotifier(), clock=lambda: start)
    zones = {1: ("Europe/Berlin", "02:30"), 2: ("Pacific/Auckland", "00:00")}
    for chat_id, (tz, at) in zones.items():
        chats.ensure_chat(db, chat_id, now=start)
        chats.set_timezone(db, chat_id, tz, now=start)
        chats.set_digest_time(db, chat_id, chats.parse_digest_time(at), now=start)
        topics.subscribe(db, chat_id, "storm", limit=50, now=start)
    down = (datetime(2028, 6, 10, tzinfo=UTC), datetime(2028, 6, 13, 3, tzinfo=UTC))
    sent: dict[int, list[datetime]] = {1: [], 2: []}
    stored: list[int] = []
    now = start
    while now < datetime(2029, 1, 10, tzinfo=UTC):
        now += timedelta(minutes=30)
        if down[0] <= now < down[1]:
            continue
        if now.minute == 0 and now.hour % 6 == 0:
            stored.append(store(db, f"Storm {len(stored)}", at=now - timedelta(minutes=1)))
        for chat_id in (await digest_schedule.run_due_digests(db, box, now, grace=GRACE)).planned:
            sent[chat_id].append(now)
    for chat_id, (tz, _) in zones.items():
        days = [moment.astimezone(ZoneInfo(tz)).date() for moment in sent[chat_id]]
        assert len(days) == len(set(days)) == 402  # 406 days, less the outage's
        delivered = [r[0] for r in db.execute(
            "SELECT article_id FROM deliveries WHERE chat_id = ? ORDER BY article_id", [chat_id]
        )]  # fmt: skip
        after_last = [a for a in stored if a not in delivered]
        assert delivered == sorted(set(delivered)) == [a for a in stored if a not in after_last]
        assert len(after_last) <= 4  # stored after the last digest of the run
    back = next(i for i, moment in enumerate(sent[1]) if moment >= down[1])
    assert sent[1][back] == down[1]  # 02:30 Berlin was 2.5 hours ago: within grace, sent
    assert sent[1][back] - sent[1][back - 1] > timedelta(days=3)


async def test_the_fanout_limiter_forgets_chats_it_has_not_sent_to_lately() -> None:
    """Before the fix the limiter kept a bucket for every chat it ever sent to, for the life
    of the process. A month of digests to 200 different chats a day stays near one day's."""
    clock = [0.0]

    async def sleep(seconds: float) -> None:
        clock[0] += seconds

    limiter = FanoutLimiter(clock=lambda: clock[0], sleep=sleep)
    for day in range(30):
        for chat in range(200):
            await limiter.acquire(day * 200 + chat + 1)
        clock[0] += 86_400
    assert limiter.tracked_chats() <= 1024 + 200
    for chat in (5, 5, 5):  # a forgotten chat starts with a full bucket again, as a new one
        await limiter.acquire(chat)
    assert limiter.tracked_chats() <= 1024 + 201


async def test_the_nightly_job_gives_back_the_write_ahead_log(tmp_path: Path) -> None:
    """SQLite reuses its WAL file but never shrinks it: after one big transaction the file
    kept that size for the life of the process (21 MB here; an index rebuild at upgrade on a
    large archive is gigabytes). The nightly housekeeping now truncates it."""
    db = open_database(tmp_path / "news.db")
    wal = tmp_path / "news.db-wal"
    with db.conn:
        db.conn.executemany(
            "INSERT INTO meta (key, value) VALUES (?, hex(randomblob(10000)))",
            [(str(i),) for i in range(500)],
        )
    with db.conn:
        db.execute("DELETE FROM meta")
    assert wal.stat().st_size > 5_000_000
    jobs = Jobs()
    box = outbox.Outbox(db, RecordingNotifier(), clock=lambda: NOW)
    digest_schedule.schedule_digests(
        jobs, db, box, grace=GRACE, alerts_per_hour=6, clock=lambda: NOW
    )
    await jobs.jobs["newsbrief-prune"]()
    assert wal.stat().st_size == 0
    db.close()
