"""End-to-end ingest throughput and peak memory: 1,000 articles over 20 feeds from a local server.

The whole pipeline runs as in production: conditional GET of each feed, parsing, dedupe, page
fetch through the guarded Fetcher, extraction (trafilatura), cleaning, the default summariser,
and storage with the search index, into a fresh SQLite file. The HTTP server runs in a separate
process so that serving pages does not compete with the ingester for the GIL (a real news site
does not run on our CPU). Article texts are the BBC News set from ../shared when present (read
here, never copied), else generated; each is wrapped in navigation, share and footer
boilerplate. Prints figures; asserts nothing.

    python -m benchmarks.ingest [--feeds 20] [--per-feed 50]     (from the checkout)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import resource
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

from summaries.config import Settings
from summaries.fetch import Fetcher, FetchPolicy
from summaries.ingest import Ingester
from summaries.sources import add_source
from summaries.store import open_database
from tests.servers import LocalServer, Reply
from tests.stories import RSS, page_html, rss

SHARED = (
    Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "bbc-news-summary.jsonl"
)


def articles(count: int) -> list[tuple[str, list[str]]]:
    """(title, paragraphs) for `count` articles: real BBC texts if available, else generated."""
    if SHARED.exists():
        rows = [json.loads(line) for line in SHARED.read_text(encoding="utf-8").splitlines()]
        unique = {row["text"]: row for row in rows}.values()
        picked = [r for r in unique if r["title"]][:count]
        return [(r["title"], [p for p in r["text"].split("\n") if p.strip()]) for r in picked]
    rng = random.Random(7)
    words = [
        "government",
        "minister",
        "said",
        "people",
        "market",
        "city",
        "police",
        "report",
        "week",
        "year",
        "new",
    ]
    return [
        (
            f"Story {i}: " + " ".join(rng.choices(words, k=6)),
            [" ".join(rng.choices(words, k=25)).capitalize() + "." for _ in range(10)],
        )
        for i in range(count)
    ]


def serve(feeds: int, per_feed: int, pipe: Connection) -> None:
    """Child process: serve the feeds and pages, send the base URL, run until terminated."""
    server = LocalServer()
    stories = articles(feeds * per_feed)
    for f in range(feeds):
        items = []
        for n, (title, paragraphs) in enumerate(stories[f * per_feed : (f + 1) * per_feed]):
            link = server.add(f"/f{f}/a{n}", Reply(page_html(title, paragraphs)))
            items.append((title, link, paragraphs[0]))
        server.add(f"/f{f}.xml", Reply(rss(f"Feed {f}", items), content_type=RSS))
    server.start()
    pipe.send((server.base_url, len(stories)))
    time.sleep(3600)


async def ingest(db_path: Path, base_url: str, feeds: int) -> tuple[int, int, float]:
    settings = Settings.from_env(
        {"NEWSBRIEF_DB": str(db_path), "NEWSBRIEF_ALLOW_PRIVATE_URLS": "true"}, env_file=None
    )
    db = open_database(db_path)
    for f in range(feeds):
        add_source(db, f"{base_url}/f{f}.xml", f"Feed {f}")
    async with Fetcher(FetchPolicy.from_settings(settings)) as fetcher:
        started = time.perf_counter()
        report = await Ingester(db, fetcher, settings).run_due(force=True)
        elapsed = time.perf_counter() - started
    db.close()
    return len(report.new_articles), len(report.failures), elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--per-feed", type=int, default=50)
    args = parser.parse_args()
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve, args=(args.feeds, args.per_feed, child))
    server.start()
    try:
        base_url, served = parent.recv()
        with tempfile.TemporaryDirectory() as tmp:
            stored, failures, elapsed = asyncio.run(
                ingest(Path(tmp) / "b.db", base_url, args.feeds)
            )
            size = (Path(tmp) / "b.db").stat().st_size / 1e6
    finally:
        server.terminate()
        server.join()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    source = "BBC News texts from ../shared" if SHARED.exists() else "generated texts"
    print(f"ingest: {served} articles over {args.feeds} feeds ({source}), local HTTP server")
    print(f"  stored {stored} articles, {failures} feed failures, in {elapsed:.1f} s")
    print(
        f"  throughput {stored / elapsed:.1f} articles/s (fetch, extract, summarise, store, index)"
    )
    print(f"  peak memory (max RSS of the ingesting process) {peak:.0f} MB; database {size:.1f} MB")


if __name__ == "__main__":
    main()
