"""The pipeline: due sources -> conditional GET -> feed -> dedupe -> page -> summary -> store.

A feed item enters here and leaves as a stored, summarised, searchable article. The order of the
steps is chosen so that re-polling costs almost nothing: a 304 ends a poll at once, and entries
already stored (same guid or canonical URL) are skipped before their pages are fetched.

Failures stay local: a source that cannot be fetched or parsed gets its error recorded and its
next poll pushed back (exponential back-off), and the batch goes on. An article page that
cannot be fetched or read falls back to the feed's own text, and records which was used. Every
article is stored in one transaction (`insert_article`), so killing the process at any moment
loses nothing already stored and leaves nothing half-written; the next run continues.

Extraction and summarisation are CPU work and run in worker threads (`asyncio.to_thread`), so
the bot sharing this event loop stays responsive; the database is only touched from the loop.

When to poll next lives in `summaries.polling`, adding a source in `summaries.source_discovery`
and the report in `summaries.ingest_report`; `next_poll_time`, `add_source_from_url` and
`IngestReport` are re-exported here, where callers import them.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from summaries.articles import find_duplicate, get_article, insert_article, text_hash
from summaries.cluster import assign_pending, cluster_hook
from summaries.config import Settings
from summaries.database_trouble import is_database_trouble
from summaries.errors import ExtractError, FetchError, NewsbriefError, SummarizeError
from summaries.extract import article_from_entry
from summaries.feeds import parse_feed
from summaries.fetch import Fetcher, Response
from summaries.ingest_report import IngestReport
from summaries.models import Article, FeedEntry, Source, Summary
from summaries.polling import FEED_ACCEPT, next_poll_time
from summaries.reader import article_from_response
from summaries.source_discovery import add_source_from_url
from summaries.sources import due_sources, list_sources, record_poll_failure, record_poll_success
from summaries.store import Database, utcnow
from summaries.summarize import summarize_article
from summaries.tasks import all_finished
from summaries.tombstones import is_tombstoned, pruned_titles, seen_again
from summaries.urls import canonical_url

__all__ = [
    "PAGE_ACCEPT",
    "IngestReport",
    "Ingester",
    "NewArticlesHook",
    "add_source_from_url",
    "newest_entries",
    "next_poll_time",
]

log = logging.getLogger(__name__)

PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, text/plain;q=0.5, */*;q=0.1"
CLOCK_SKEW = timedelta(days=1)
"""How far in the future a publication time may be (a wrong time zone) and still be believed."""

NewArticlesHook = Callable[[list[int]], Awaitable[None]]


def _plausible(published: datetime | None, now: datetime) -> datetime | None:
    """`published`, unless it is in the future: a feed that dates its items 9999 would keep
    them at the top of /latest and digests for ever. Undated, the fetch time stands in."""
    return None if published and published > now + CLOCK_SKEW else published


def newest_entries(entries: Sequence[FeedEntry], limit: int) -> list[FeedEntry]:
    """The `limit` newest entries, newest first: dated ones by date, then undated in feed order.

    Feeds list newest first by convention, so feed order is the best guess for undated items.
    """
    ranked = sorted(
        enumerate(entries),
        key=lambda pair: (
            pair[1].published is None,
            -pair[1].published.timestamp() if pair[1].published else 0.0,
            pair[0],
        ),
    )
    return [entry for _, entry in ranked[:limit]]


class Ingester:
    """Polls sources and stores what is new; one per process, shared by the worker and the bot."""

    def __init__(
        self,
        db: Database,
        fetcher: Fetcher,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utcnow,
        on_new_articles: Sequence[NewArticlesHook] = (),
        max_entries: int = 50,
        concurrency: int = 8,
        rng: random.Random | None = None,
    ) -> None:
        self.db = db
        self.fetcher = fetcher
        self.settings = settings
        self.clock = clock
        # Clustering runs first, always: alerts and digests read one story as one cluster.
        self.hooks = [cluster_hook(db, clock=clock), *on_new_articles]
        self.max_entries = max_entries
        self._sources = asyncio.Semaphore(max(1, concurrency // 2))
        self._pages = asyncio.Semaphore(concurrency)
        self._rng = rng or random.Random()

    async def run_due(
        self, *, force: bool = False, progress: Callable[[Source], None] | None = None
    ) -> IngestReport:
        """Poll every due source (every enabled one with `force`) and report the totals."""
        now = self.clock()
        self._cluster_leftovers(now)
        sources = list_sources(self.db, enabled_only=True) if force else due_sources(self.db, now)

        async def one(source: Source) -> IngestReport:
            async with self._sources:
                report = await self.poll(source)
            if progress is not None:
                progress(source)
            return report

        total = IngestReport()
        for report in await all_finished(one(s) for s in sources):
            total.add(report)
        return total

    def _cluster_leftovers(self, now: datetime) -> None:
        """Cluster articles stored but never clustered (a crash between the two, an older
        version): one indexed query when there are none."""
        try:
            if count := assign_pending(self.db, now=now):
                log.info("Clustered %d stored articles that had no story yet", count)
        except Exception:
            log.exception("Clustering stored articles failed; their stories show ungrouped")

    async def poll(self, source: Source) -> IngestReport:
        """Poll one source now. Never raises for the source's own problems: they are recorded."""
        try:
            report = await self._poll(source)
        except NewsbriefError as error:
            return self._failed(source, str(error))
        except Exception as error:
            if is_database_trouble(error):
                raise  # the run's problem, not this source's: no failure to record, no back-off
            log.exception("Unexpected error while polling %s", source.url)
            return self._failed(source, "Internal error while polling; see the log for details.")
        if report.new_articles:
            await self._run_hooks(report.new_articles)
        return report

    async def _poll(self, source: Source) -> IngestReport:
        response = await self.fetcher.get(
            source.url, etag=source.etag, last_modified=source.last_modified, accept=FEED_ACCEPT
        )
        report = IngestReport(sources_polled=1)
        etag, last_modified = source.etag, source.last_modified
        if not response.not_modified:
            # A big feed takes seconds to parse: off the event loop, so the bot stays responsive.
            feed = await asyncio.to_thread(
                parse_feed, response.body, url=response.url, content_type=response.declared_type
            )
            await self._store_entries(source, feed.entries, report)
            etag, last_modified = (
                response.headers.get("etag"),
                response.headers.get("last-modified"),
            )
        now = self.clock()
        record_poll_success(
            self.db,
            source.id,
            now=now,
            next_poll_at=next_poll_time(now, self.settings.poll_interval, 0, self._rng),
            etag=etag,
            last_modified=last_modified,
        )
        return report

    def _failed(self, source: Source, message: str) -> IngestReport:
        now = self.clock()
        failures = source.consecutive_failures + 1
        log.debug("Source %s failed (%d in a row): %s", source.name, failures, message)
        record_poll_failure(
            self.db,
            source.id,
            now=now,
            error=message,
            next_poll_at=next_poll_time(now, self.settings.poll_interval, failures, self._rng),
        )
        return IngestReport(sources_polled=1, failures=[(source.name, message)])

    async def _store_entries(
        self, source: Source, entries: Sequence[FeedEntry], report: IngestReport
    ) -> None:
        """Store the new entries among the newest `max_entries`, skipping known ones unfetched."""
        fresh: dict[str, FeedEntry] = {}
        for entry in reversed(newest_entries(entries, self.max_entries)):
            canonical = canonical_url(entry.url) if entry.url else ""
            if not canonical:
                continue
            known = find_duplicate(
                self.db, source_id=source.id, guid=entry.guid, canonical_url=canonical
            )
            pruned = is_tombstoned(
                self.db, source_id=source.id, guid=entry.guid, canonical_url=canonical
            )
            if pruned:
                seen_again(
                    self.db,
                    source_id=source.id,
                    guid=entry.guid,
                    canonical_url=canonical,
                    now=self.clock(),
                )
            if known is not None or pruned or canonical in fresh:
                report.duplicates += 1
            else:
                fresh[canonical] = entry
        await all_finished(self._ingest(source, c, e, report) for c, e in fresh.items())

    async def _ingest(
        self, source: Source, canonical: str, entry: FeedEntry, report: IngestReport
    ) -> None:
        """One entry: read its page (or fall back to the feed's text), summarise, store."""
        async with self._pages:
            prepared = await self._prepare(source, entry)
            if prepared and prepared[2] == "page" and self._known_text(source, entry, prepared[0]):
                prepared = await self._prepare(source, entry, read_page=False)
        if prepared is None:
            report.skipped += 1
            return
        article, summary, origin = prepared
        try:
            article_id = insert_article(
                self.db,
                article,
                summary,
                canonical_url=canonical,
                source_id=source.id,
                source_name=source.name,
                content_origin=origin,
                guid=entry.guid,
                now=self.clock(),
            )
        except Exception as error:
            if is_database_trouble(error):
                raise
            # one item's bug: the feed's other items are still stored, the source not blamed
            log.exception("Unexpected error while storing %s; skipped", entry.url)
            report.skipped += 1
            return
        if article_id is None:
            report.duplicates += 1
        else:
            report.new_articles.append(article_id)

    def _known_text(self, source: Source, entry: FeedEntry, article: Article) -> bool:
        """Whether another story of `source` already has this page's text: then the page is
        what the site shows in place of its articles (a paywall, a cookie wall), and storing it
        would drop every later article of the source as a duplicate of the first. The same
        story under a second URL (same title) stays a duplicate."""
        fingerprint = text_hash(article.text)
        known = find_duplicate(self.db, fingerprint=fingerprint)
        if known is None:
            # the first story with this text may have been pruned: its tombstone still tells
            title = article.title.casefold()
            return any(
                sid == source.id and old.casefold() != title
                for sid, old in pruned_titles(self.db, fingerprint)
            )
        stored = get_article(self.db, known)
        if stored.source_id != source.id or stored.title.casefold() == article.title.casefold():
            return False
        log.info(
            "The page of %s reads like article %d of its source; using the feed's text",
            entry.url,
            known,
        )
        return True

    async def _prepare(
        self, source: Source, entry: FeedEntry, *, read_page: bool = True
    ) -> tuple[Article, Summary, str] | None:
        page: Response | None = None
        try:
            if read_page:
                page = await self.fetcher.get(entry.url, accept=PAGE_ACCEPT)
        except FetchError as error:
            log.info("Page of %s unavailable (%s); using the feed's text", entry.url, error)
        try:
            return await asyncio.to_thread(self._read, source, entry, page)
        except (ExtractError, SummarizeError) as error:
            log.info("Skipped %s: %s", entry.url, error)
        except Exception:
            log.exception("Unexpected error while reading %s; skipped", entry.url)
        return None

    def _read(
        self, source: Source, entry: FeedEntry, page: Response | None
    ) -> tuple[Article, Summary, str]:
        """Extract and summarise (runs in a worker thread: CPU only, no database)."""
        article, origin = None, "page"
        if page is not None:
            try:
                article = article_from_response(page)
            except ExtractError as error:
                log.info("Could not read the page %s (%s); using the feed's text", page.url, error)
        if article is None:
            article, origin = article_from_entry(entry, source_name=source.name), "feed"
        article = replace(
            article,
            title=entry.title.strip() or article.title,
            url=entry.url,
            published=_plausible(entry.published or article.published, self.clock()),
            byline=article.byline or entry.author,
            site_name=article.site_name or source.name,
        )
        summary = summarize_article(
            article, sentences=self.settings.summary_sentences, method=self.settings.summary_method
        )
        return article, summary, origin

    async def _run_hooks(self, article_ids: list[int]) -> None:
        for hook in self.hooks:
            try:
                await hook(list(article_ids))
            except Exception:
                log.exception("A new-articles hook failed; the articles are stored regardless")
