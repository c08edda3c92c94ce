"""`newsbrief ingest` and `newsbrief worker` end to end, including being killed mid-way."""

from __future__ import annotations

import json
import signal
import sqlite3
import time
from pathlib import Path

from tests.cli_helpers import newsbrief, start_newsbrief
from tests.servers import LocalServer, Reply
from tests.stories import RSS, STORIES, page_html, rss, serve_stories


def counts(db_path: Path) -> tuple[int, int, int]:
    """(articles, summaries, search entries) as another process sees them."""
    with sqlite3.connect(db_path) as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("articles", "summaries", "article_fts")
        )


def wait_for(condition: object, timeout: float = 60) -> None:
    """Poll `condition()` until it is true (the subprocess works at its own pace)."""
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out waiting for the subprocess"
        time.sleep(0.05)


def test_ingest_without_sources_says_how_to_add_one(tmp_path: Path) -> None:
    result = newsbrief(tmp_path, "ingest")
    assert result.returncode == 0
    assert (
        result.stdout.strip()
        == "Polled 0 sources: 0 new articles, 0 duplicates skipped, 0 failures."
    )
    assert "newsbrief sources add URL" in result.stderr


def test_ingest_then_reingest(tmp_path: Path, server: LocalServer) -> None:
    newsbrief(tmp_path, "sources", "add", serve_stories(server, ["harbour", "council", "vaccine"]))
    opml = tmp_path / "more.opml"
    opml.write_text(
        f'<opml version="2.0"><body><outline text="Missing" xmlUrl="{server.url("/missing.xml")}"/>'
        "</body></opml>"
    )
    newsbrief(tmp_path, "sources", "import", str(opml))
    first = newsbrief(tmp_path, "ingest")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == (
        "Polled 2 sources: 3 new articles, 0 duplicates skipped, 1 failure."
    )
    assert first.stderr.startswith("  Missing: ")
    again = newsbrief(tmp_path, "ingest", "--json")
    report = json.loads(again.stdout)
    assert report["sources_polled"] == 2
    assert (report["new_articles"], report["duplicates"]) == ([], 3)
    assert [f["source"] for f in report["failures"]] == ["Missing"]
    health = [
        json.loads(x) for x in newsbrief(tmp_path, "sources", "list", "--json").stdout.splitlines()
    ]
    assert [(h["article_count"], h["consecutive_failures"]) for h in health] == [(3, 0), (0, 2)]


def test_killed_ingest_loses_nothing_and_resumes(tmp_path: Path, server: LocalServer) -> None:
    keys = [f"story{i}" for i in range(8)]
    title, paragraphs = STORIES["harbour"]
    items = []
    for i, key in enumerate(keys):
        body = [f"Story {i}: {p}" for p in paragraphs]
        chunks = [page_html(f"{title} {i}", body)[n : n + 400] for n in range(0, 4000, 400)]
        link = server.add(f"/news/{key}", Reply(chunks, chunk_delay=0.15))
        items.append((f"{title} {i}", link, body[0]))
    feed = server.add("/feed.xml", Reply(rss("Slow News", items), content_type=RSS))
    newsbrief(tmp_path, "sources", "add", feed)
    db_path = tmp_path / "newsbrief.db"
    process = start_newsbrief(tmp_path, "ingest")
    try:
        wait_for(lambda: counts(db_path)[0] >= 2)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    stored, summaries, indexed = counts(db_path)
    assert 2 <= stored < len(keys)
    assert summaries == indexed == stored

    with sqlite3.connect(db_path) as conn:
        kept = {row[0].split("/news/")[1] for row in conn.execute("SELECT url FROM articles")}
    requests_before = len(server.requests)
    for key in keys:
        server.routes[f"/news/{key}"].chunk_delay = 0  # type: ignore[union-attr]
    resumed = newsbrief(tmp_path, "ingest")
    assert resumed.returncode == 0, resumed.stderr
    assert counts(db_path) == (len(keys), len(keys), len(keys))
    with sqlite3.connect(db_path) as conn:
        urls = [row[0] for row in conn.execute("SELECT canonical_url FROM articles")]
    assert sorted(urls) == sorted(set(urls))
    assert f"{len(keys) - stored} new articles" in resumed.stdout
    refetched = {r.path for r in server.requests[requests_before:] if r.path.startswith("/news/")}
    assert refetched == {f"/news/{key}" for key in keys if key not in kept}


def test_worker_polls_and_stops_on_sigterm(tmp_path: Path, server: LocalServer) -> None:
    newsbrief(tmp_path, "sources", "add", serve_stories(server, ["harbour", "council"]))
    db_path = tmp_path / "newsbrief.db"
    process = start_newsbrief(tmp_path, "worker", capture=True)
    try:
        wait_for(lambda: counts(db_path)[0] == 2)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert "Worker stopped." in stderr
