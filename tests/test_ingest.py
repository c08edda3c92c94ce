"""Ingest: default sources, back-off, and the pipeline end to end against a local server."""

from __future__ import annotations

import gzip
import random
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from summaries import ingest as ingest_module
from summaries.articles import get_articles, insert_article
from summaries.config import Settings
from summaries.default_sources import DEFAULT_SOURCES, seed_default_sources
from summaries.errors import BlockedURLError, SourceError
from summaries.fetch import Fetcher, FetchPolicy, Response
from summaries.ingest import Ingester, add_source_from_url, next_poll_time
from summaries.migrations import MIGRATIONS
from summaries.models import Article, Summary
from summaries.schema import schema_version
from summaries.search import search
from summaries.sources import add_source, get_source, list_sources, remove_source
from summaries.store import Database, open_database, to_db
from tests.servers import LocalServer, Reply
from tests.stories import RSS, STORIES, page_html, rss, serve_stories

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


def page_requests(server: LocalServer) -> int:
    return sum(1 for r in server.requests if r.path.startswith("/news/"))


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def fetcher(settings: Settings) -> AsyncIterator[Fetcher]:
    async with Fetcher(FetchPolicy.from_settings(settings)) as client:
        yield client


def ingester(db: Database, fetcher: Fetcher, settings: Settings, **kwargs: Any) -> Ingester:
    kwargs.setdefault("clock", Clock())
    return Ingester(db, fetcher, settings, rng=random.Random(7), **kwargs)


# --- the pipeline -----------------------------------------------------------------------------


async def test_feed_to_stored_summarised_searchable(
    db: Database, server: LocalServer, fetcher: Fetcher, settings: Settings
) -> None:
    url = serve_stories(server, ["harbour", "council", "vaccine"])
    source = add_source(db, url, "Example News", now=NOW)
    report = await ingester(db, fetcher, settings).run_due()
    assert report.sources_polled == 1
    assert len(report.new_articles) == 3
    assert report.failures == []
    stored = get_articles(db, report.new_articles)
    assert {a.title for a in stored} == {title for title, _ in STORIES.values()}
    for article in stored:
        assert article.content_origin == "page"
        assert article.source_name == "Example News"
        assert 1 <= len(article.summary) <= settings.summary_sentences
        summary = " ".join(article.summary)
        for junk in ("Subscribe", "Share this", "Copyright", "Most read", "By Jane", "Home"):
            assert junk not in summary
        assert article.cluster_id is not None, "every stored article is clustered at ingest"
    hits = search(db, "tram", now=NOW).hits
    assert [h.article.title for h in hits] == ["Council approves new tram line"]
    health = get_source(db, source.id)
    assert health.last_success_at == NOW
    assert health.consecutive_failures == 0
    assert health.article_count == 3


async def test_repoll_with_validators_gets_304(
    db: Database, server: LocalServer, fetcher: Fetcher, settings: Settings
) -> None:
    serve_stories(server, ["harbour"])
    feed = server.routes["/feed.xml"]
    assert isinstance(feed, Reply)

    def conditional(handler: BaseHTTPRequestHandler) -> Reply:
        if handler.headers.get("If-None-Match") == '"v1"':
            return Reply(b"", status=304, content_type=RSS)
        return Reply(feed.body, headers={"ETag": '"v1"'}, content_type=RSS)

    url = server.add("/feed.xml", conditional)
    add_source(db, url, "Example", now=NOW)
    worker = ingester(db, fetcher, settings)
    assert len((await worker.run_due()).new_articles) == 1
    again = await worker.run_due(force=True)
    assert (again.sources_polled, again.new_articles, again.duplicates) == (1, [], 0)
    assert server.requests[-1].headers.get("If-None-Match") == '"v1"'
    assert page_requests(server) == 1
    assert get_source(db, url).etag == '"v1"'


async def test_repoll_without_validators_skips_known_entries_unfetched(
    db: Database, server: LocalServer, fetcher: Fetcher, settings: Settings
) -> None:
    url = serve_stories(server, ["harbour", "council"])
    add_source(db, url, "Example", now=NOW)
    worker = ingester(db, fetcher, settings)
    await worker.run_due()
    again = await worker.run_due(force=True)
    assert (again.new_articles, again.duplicates) == ([], 2)
    assert page_requests(server) == 2


async def test_same_article_in_two_feeds_is_stored_once(
    db: Database, server: LocalServer, fetcher: Fetcher, settings: Settings
) -> None:
    first = serve_stories(server, ["harbour", "council"], feed_path="/a.xml")
    title, paragraphs = STORIES["harbour"]
    tracked = server.url("/news/harbour?utm_source=rss&utm_medium=feed")
    second = server.add(
        "/b.xml", Reply(rss("Other", [(title, tracked, paragraphs[0])]), content_type=RSS)
    )
    add_source(db, first, "A", now=NOW)
    add_source(db, second, "B", now=NOW)
    report = await ingester(db, fetcher, settings).run_due()
    assert len(report.new_articles) == 2
    assert report.duplicates == 1
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 2


async def test_same_text_at_two_urls_is_stored_once(
    db: Database, server: LocalServer, fetcher: Fetcher, settings: Settings
) -> None:
    title, paragraphs = STORIES["vaccine"]
    server.add("/news/vaccine", Reply(page_html(title, paragraphs)))
    server.add("/mirror/vaccine", Reply(page_html(title, paragraphs)))
    items = [(title, server.url(p), paragraphs[0]) for p in ("/news/vaccine", "/mirror/vaccine")]
    url = server.add("/feed.xml", Reply(rss("Example", items), content_type=RSS))
    add_source(db, url, "Example", now=NOW)
    report = await ingester(db, fetcher, settings).run_due()
    assert (len(report.new_articles), report.duplicates) == (1, 1)


async def test_broken_sources_are_recorded_and_the_batch_goes_on(
    db: Database, server: LocalServer, fetcher: Fetcher, settings: Settings
) -> None:
    good = serve_stories(server, ["harbour"])
    missing = add_source(db, server.url("/gone.xml"), "Gone", now=NOW)
    junk_url = server.add("/junk.xml", Reply(bytes(range(256)) * 40, content_type=RSS))
    junk = add_source(db, junk_url, "Junk", now=NOW)
    add_source(db, good, "Good", now=NOW)
    clock = Clock()
    report = await ingester(db, fetcher, settings, clock=clock).run_due()
    assert len(report.new_articles) == 1
    assert {name for name, _ in report.failures} == {"Gone", "Junk"}
    assert all(message for _, message in report.failures)
    gone = get_source(db, missing.id)
    assert gone.consecutive_failures == 1
    assert gone.last_error and "404" in gone.last_error
    assert gone.next_poll_at is not None
    backoff = (gone.next_poll_at - NOW).total_seconds()
    assert 2 * settings.poll_interval * 0.9 <= backoff <= 2 * settings.poll_interval * 1.1
    assert get_source(db, junk.id).last_error
    clock.now = NOW + timedelta(days=2)
    await ingester(db, fetcher, settings, clock=clock).run_due()
    assert get_source(db, missing.id).consecutive_failures == 2


async def test_unreadable_page_falls_back_to_the_feed_text(
    db: Database, server: LocalServer, fetcher: Fetcher, settings: Settings
) -> None:
    description = (
        "Rescue teams reached the flooded valley on Sunday after two days of rain. "
        "Hundreds of families spent the night in school gyms. "
        "Officials said the river had risen faster than at any time in fifty years."
    )
    items = [("Floods cut off valley", server.url("/news/missing"), description)]
    url = server.add("/feed.xml", Reply(rss("Example", items), content_type=RSS))
    add_source(db, url, "Example", now=NOW)
    report = await ingester(db, fetcher, settings).run_due()
    [article] = get_articles(db, report.new_articles)
    assert article.content_origin == "feed"
    assert article.title == "Floods cut off valley"
    assert "flooded valley" in " ".join(article.summary)


async def test_only_the_newest_entries_are_read(
    db: Database, server: LocalServer, fetcher: Fetcher, settings: Settings
) -> None:
    items = [
        (f"Item {i}", server.url(f"/news/{i}"), f"Story number {i} happened today in town {i}.")
        for i in range(8)
    ]
    url = server.add("/feed.xml", Reply(rss("Example", items), content_type=RSS))
    add_source(db, url, "Example", now=NOW)
    report = await ingester(db, fetcher, settings, max_entries=3).run_due()
    titles = {a.title for a in get_articles(db, report.new_articles)}
    assert titles == {"Item 7", "Item 6", "Item 5"}


async def test_only_due_sources_are_polled(
    db: Database, server: LocalServer, fetcher: Fetcher, settings: Settings
) -> None:
    url = serve_stories(server, ["harbour"])
    add_source(db, url, "Example", now=NOW)
    clock = Clock()
    worker = ingester(db, fetcher, settings, clock=clock)
    assert (await worker.run_due()).sources_polled == 1
    assert (await worker.run_due()).sources_polled == 0
    clock.now = NOW + timedelta(seconds=settings.poll_interval * 1.11)
    assert (await worker.run_due()).sources_polled == 1


async def test_hooks_get_new_ids_and_a_failing_hook_loses_nothing(
    db: Database, server: LocalServer, fetcher: Fetcher, settings: Settings
) -> None:
    url = serve_stories(server, ["harbour", "council"])
    add_source(db, url, "Example", now=NOW)
    seen: list[list[int]] = []

    async def broken(ids: list[int]) -> None:
        raise RuntimeError("hook bug")

    async def record(ids: list[int]) -> None:
        seen.append(ids)

    report = await ingester(db, fetcher, settings, on_new_articles=[broken, record]).run_due()
    assert seen == [report.new_articles]
    assert len(get_articles(db, report.new_articles)) == 2


async def test_articles_stored_without_a_story_are_clustered_at_the_next_run(
    db: Database, fetcher: Fetcher, settings: Settings
) -> None:
    text = "Flood waters closed the coastal road near Harbourtown on Sunday. Crews worked all day."
    stored = insert_article(
        db,
        Article(title="Flood closes coastal road", text=text, url="https://example.com/flood"),
        Summary(sentences=(text,), method="lead"),
        canonical_url="https://example.com/flood",
        source_id=None,
        source_name="Example",
        content_origin="page",
        now=NOW,
    )
    assert stored is not None
    assert get_articles(db, [stored])[0].cluster_id is None
    await ingester(db, fetcher, settings).run_due()
    assert get_articles(db, [stored])[0].cluster_id is not None


def test_next_poll_time_jitter_and_backoff() -> None:
    rng = random.Random(1)
    for _ in range(50):
        delay = (next_poll_time(NOW, 900, 0, rng) - NOW).total_seconds()
        assert 810 <= delay <= 990
    assert (
        900 * 8 * 0.9 <= (next_poll_time(NOW, 900, 3, rng) - NOW).total_seconds() <= 900 * 8 * 1.1
    )
    assert next_poll_time(NOW, 900, 40, rng) - NOW == timedelta(days=1)
    delays = {next_poll_time(NOW, 900, 0, rng) for _ in range(10)}
    assert len(delays) > 1


# --- adding a source from a URL ----------------------------------------------------------------


async def test_add_source_from_a_feed_url_uses_its_title(
    db: Database, server: LocalServer, fetcher: Fetcher
) -> None:
    url = serve_stories(server, ["harbour"])
    source = await add_source_from_url(db, fetcher, url, now=NOW)
    assert (source.name, source.url) == ("Example News", url)
    named = await add_source_from_url(
        db, fetcher, serve_stories(server, [], feed_path="/b.xml"), name="Mine", now=NOW
    )
    assert named.name == "Mine"


async def test_add_source_discovers_the_feed_of_a_site(
    db: Database, server: LocalServer, fetcher: Fetcher
) -> None:
    serve_stories(server, ["harbour"])
    html = (
        '<html><head><link rel="alternate" type="application/rss+xml" href="/broken.xml">'
        '<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head>'
        "<body>Welcome</body></html>"
    )
    site = server.add("/", Reply(html.encode()))
    source = await add_source_from_url(db, fetcher, site, now=NOW)
    assert source.url == server.url("/feed.xml")


async def test_add_source_without_a_feed_is_a_clear_error(
    db: Database, server: LocalServer, fetcher: Fetcher
) -> None:
    site = server.add("/", Reply(b"<html><body><p>No feeds here</p></body></html>"))
    with pytest.raises(SourceError, match="No feed found"):
        await add_source_from_url(db, fetcher, site, now=NOW)
    plain = server.add("/notes.txt", Reply(b"just text", content_type="text/plain"))
    with pytest.raises(SourceError, match="pass the feed's address"):
        await add_source_from_url(db, fetcher, plain, now=NOW)


async def test_add_source_refuses_private_addresses_by_default(
    db: Database, server: LocalServer
) -> None:
    url = serve_stories(server, ["harbour"])
    async with Fetcher(FetchPolicy(allow_private=False)) as strict:
        with pytest.raises(BlockedURLError):
            await add_source_from_url(db, strict, url, now=NOW)
    assert list_sources(db) == []


def test_an_article_is_stored_whole_or_not_at_all(db: Database) -> None:
    db.execute(
        "CREATE TEMP TRIGGER fail_index AFTER INSERT ON summaries"
        " BEGIN SELECT RAISE(ABORT, 'simulated crash before the search entry'); END"
    )
    article = Article(title="Half", text="A story that must not be half stored.")
    stored = insert_article(
        db,
        article,
        Summary(("A story.",), method="lead"),
        canonical_url="https://example.com/half",
        source_id=None,
        source_name="Example",
        content_origin="page",
    )
    assert stored is None
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 0


def test_an_old_database_is_migrated_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    for number, step in enumerate(MIGRATIONS[:1], start=1):
        step(old)
        old.execute(f"PRAGMA user_version = {number}")
    old.execute(
        "INSERT INTO sources (url, name, added_at) VALUES (?, ?, ?)",
        ["https://example.com/feed.xml", "Old source", to_db(NOW)],
    )
    old.close()

    db = open_database(path)
    assert schema_version(db) == len(MIGRATIONS)
    assert seed_default_sources(db, enabled=True, now=NOW) == 0
    assert [s.name for s in list_sources(db)] == ["Old source"]
    db.close()
    again = open_database(path)
    assert schema_version(again) == len(MIGRATIONS)
    assert [s.name for s in list_sources(again)] == ["Old source"]
    again.close()


async def test_a_known_guid_at_a_new_url_is_not_fetched_again(
    db: Database, server: LocalServer, fetcher: Fetcher, settings: Settings
) -> None:
    title, paragraphs = STORIES["harbour"]
    page = server.add("/news/harbour", Reply(page_html(title, paragraphs)))
    item = f"<item><title>{title}</title><guid>story-1</guid><link>{{link}}</link></item>"
    feed = '<rss version="2.0"><channel><title>X</title>{}</channel></rss>'
    url = server.add(
        "/feed.xml", Reply(feed.format(item.format(link=page)).encode(), content_type=RSS)
    )
    add_source(db, url, "Example", now=NOW)
    worker = ingester(db, fetcher, settings)
    assert len((await worker.run_due()).new_articles) == 1
    moved = item.format(link=server.url("/news/harbour-updated"))
    server.add("/feed.xml", Reply(feed.format(moved).encode(), content_type=RSS))
    again = await worker.run_due(force=True)
    assert (again.new_articles, again.duplicates) == ([], 1)
    assert page_requests(server) == 1


async def test_an_entry_with_no_text_anywhere_is_skipped(
    db: Database, server: LocalServer, fetcher: Fetcher, settings: Settings
) -> None:
    items = [("Empty", server.url("/news/none"), "")]
    url = server.add("/feed.xml", Reply(rss("Example", items), content_type=RSS))
    add_source(db, url, "Example", now=NOW)
    report = await ingester(db, fetcher, settings).run_due()
    assert (report.new_articles, report.skipped, report.failures) == ([], 1, [])
    assert get_source(db, url).last_success_at == NOW


def hostile_routes(server: LocalServer) -> dict[str, str]:
    """Feeds that must each end in a recorded source error: name -> URL."""
    bomb = gzip.compress(b"<rss>" + b" " * 30_000_000)
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<rss><channel><title>&lol2;</title></channel></rss>"
    )
    quadratic = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "' + b"a" * 100_000 + b'">]>'
        b"<rss><channel><title>" + b"&a;" * 20_000 + b"</title></channel></rss>"
    )

    def endless() -> Iterator[bytes]:
        while True:
            yield b"<rss>"

    routes = {
        "gzip bomb": Reply(bomb, headers={"Content-Encoding": "gzip"}, content_type=RSS),
        "50 MB body": Reply((b"x" * 1_000_000 for _ in range(50)), content_type=RSS),
        "endless slow body": Reply(endless(), chunk_delay=0.2, content_type=RSS),
        "redirect loop": Reply(b"", status=302, headers={"Location": "/redirect-loop"}),
        "404": Reply(b"gone", status=404),
        "500": Reply(b"oops", status=500),
        "503": Reply(b"busy", status=503),
        "image": Reply(b"\x89PNG\r\n\x1a\n" + bytes(2000), content_type="image/png"),
        "binary junk": Reply(bytes(random.Random(5).randrange(256) for _ in range(5000))),
        "entity bomb": Reply(laughs, content_type=RSS),
        "quadratic blowup": Reply(quadratic, content_type=RSS),
    }
    paths = {"redirect loop": "/redirect-loop"}
    return {
        name: server.add(paths.get(name, "/" + name.replace(" ", "-")), reply)
        for name, reply in routes.items()
    }


async def test_hostile_feeds_are_recorded_errors_and_the_batch_goes_on(
    db: Database, server: LocalServer, tmp_path: Path
) -> None:
    settings = Settings.from_env(
        {
            "NEWSBRIEF_DB": str(tmp_path / "t.db"),
            "NEWSBRIEF_ALLOW_PRIVATE_URLS": "true",
            "NEWSBRIEF_FETCH_TIMEOUT": "1",
        },
        env_file=None,
    )
    for name, url in hostile_routes(server).items():
        add_source(db, url, name, now=NOW)
    add_source(db, serve_stories(server, ["council"]), "Good", now=NOW)
    async with Fetcher(FetchPolicy.from_settings(settings)) as client:
        report = await ingester(db, client, settings).run_due()
    assert len(report.new_articles) == 1
    failed = dict(report.failures)
    assert set(failed) == {s.name for s in list_sources(db)} - {"Good"}
    for source in list_sources(db):
        if source.name != "Good":
            assert source.consecutive_failures == 1, source.name
            assert source.last_error and len(source.last_error.splitlines()) == 1, source.name


async def test_a_feed_with_a_misdeclared_encoding_is_still_read(
    db: Database, server: LocalServer, fetcher: Fetcher, settings: Settings
) -> None:
    body = rss("Café news", [("Café closes", server.url("/news/none"), "The café closed today.")])
    latin = body.decode().encode("cp1252")
    url = server.add("/feed.xml", Reply(latin, content_type="application/rss+xml; charset=utf-16"))
    add_source(db, url, "Cafés", now=NOW)
    report = await ingester(db, fetcher, settings).run_due()
    [article] = get_articles(db, report.new_articles)
    assert article.title == "Café closes"


async def test_a_bug_on_one_page_skips_that_entry_only(
    db: Database,
    server: LocalServer,
    fetcher: Fetcher,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = serve_stories(server, ["harbour", "council"])
    add_source(db, url, "Example", now=NOW)
    real = ingest_module.article_from_response

    def flaky(page: Response) -> Article:
        if "tram" in page.text():
            raise ValueError("a bug deep in extraction")
        return real(page)

    monkeypatch.setattr(ingest_module, "article_from_response", flaky)
    report = await ingester(db, fetcher, settings).run_due()
    assert (len(report.new_articles), report.skipped, report.failures) == (1, 1, [])


def test_the_outcome_line_counts_in_words() -> None:
    one = ingest_module.IngestReport(sources_polled=1, new_articles=[7], duplicates=1)
    assert one.outcome() == "Polled 1 source: 1 new article, 1 duplicate skipped, 0 failures."
    many = ingest_module.IngestReport(sources_polled=3, failures=[("A", "x"), ("B", "y")])
    assert many.outcome() == "Polled 3 sources: 0 new articles, 0 duplicates skipped, 2 failures."
    unreadable = ingest_module.IngestReport(sources_polled=1, skipped=2)
    assert unreadable.outcome() == (
        "Polled 1 source: 0 new articles, 0 duplicates skipped, 2 without readable text,"
        " 0 failures."
    )
