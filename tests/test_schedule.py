"""The ingest job on APScheduler: how it is scheduled, what a tick does, and clean shutdown.

No test waits for the scheduler's clock: the job function is called directly with a fake
clock, and shutdown is driven by events.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from summaries.config import Settings
from summaries.fetch import Fetcher, FetchPolicy
from summaries.ingest import Ingester, IngestReport
from summaries.schedule import JOB_ID, IngestJob, run_worker, schedule_ingest, tick_seconds_for
from summaries.sources import add_source
from summaries.store import Database, open_database
from tests.servers import LocalServer
from tests.stories import serve_stories
from tests.test_ingest import Clock

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


class BlockingIngester(Ingester):
    """An ingester whose poll runs until the test releases it."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.started = asyncio.Event()

    async def run_due(self, **kwargs: object) -> IngestReport:
        self.started.set()
        await self.release.wait()
        return IngestReport(sources_polled=1)


def test_schedule_ingest_adds_one_coalescing_interval_job(db: Database, settings: Settings) -> None:
    scheduler = AsyncIOScheduler(timezone="UTC")
    ingester = Ingester(db, Fetcher(FetchPolicy()), settings)
    schedule_ingest(scheduler, ingester, tick_seconds=30, now=NOW)
    [job] = scheduler.get_jobs()
    assert job.id == JOB_ID
    assert isinstance(job.trigger, IntervalTrigger)
    assert job.trigger.interval == timedelta(seconds=30)
    assert (job.max_instances, job.coalesce) == (1, True)
    assert job.next_run_time == NOW


async def test_schedule_ingest_works_on_the_bot_job_queue(db: Database, settings: Settings) -> None:
    from telegram.ext import ApplicationBuilder

    application = ApplicationBuilder().token("123:TEST").build()
    assert application.job_queue is not None
    scheduler = application.job_queue.scheduler
    schedule_ingest(scheduler, Ingester(db, Fetcher(FetchPolicy()), settings), tick_seconds=60)
    assert [job.id for job in scheduler.get_jobs()] == [JOB_ID]


def test_tick_is_every_minute_or_the_poll_interval_if_shorter(settings: Settings) -> None:
    assert tick_seconds_for(settings) == 60
    fast = Settings.from_env({"NEWSBRIEF_POLL_INTERVAL": "10"}, env_file=None)
    assert tick_seconds_for(fast) == 10


async def test_a_tick_polls_only_due_sources(
    db: Database, server: LocalServer, settings: Settings
) -> None:
    add_source(db, serve_stories(server, ["harbour"]), "Example", now=NOW)
    clock = Clock()
    async with Fetcher(FetchPolicy.from_settings(settings)) as fetcher:
        job = IngestJob(Ingester(db, fetcher, settings, clock=clock))
        first = await job.tick()
        assert (first.sources_polled, len(first.new_articles)) == (1, 1)
        assert (await job.tick()).sources_polled == 0
        clock.now = NOW + timedelta(seconds=settings.poll_interval * 2)
        assert (await job.tick()).sources_polled == 1
    assert job.running is None


async def test_finish_lets_a_quick_poll_complete() -> None:
    ingester = BlockingIngester()
    job = IngestJob(ingester)
    task = asyncio.create_task(job.tick())
    await ingester.started.wait()
    ingester.release.set()
    await job.finish(grace=5)
    assert task.done() and not task.cancelled()
    assert task.result().sources_polled == 1


async def test_finish_cancels_a_poll_that_overruns_the_grace() -> None:
    ingester = BlockingIngester()
    job = IngestJob(ingester)
    task = asyncio.create_task(job.tick())
    await ingester.started.wait()
    await job.finish(grace=0)
    assert task.cancelled()
    assert job.running is None


async def test_run_worker_polls_then_stops_cleanly(server: LocalServer, settings: Settings) -> None:
    db = open_database(settings.db_path)
    add_source(db, serve_stories(server, ["harbour", "council"]), "Example")
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(settings, stop=stop))
    for _ in range(600):
        if db.execute("SELECT count(*) FROM articles").fetchone()[0] == 2:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(worker, timeout=30)
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 2
    db.close()
