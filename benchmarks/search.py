"""Search latency (p50/p95) and peak memory at 100,000 stored articles.

Synthetic articles are generated from a Zipf-distributed vocabulary with a seeded RNG (so every
run searches the same archive) and bulk-inserted into articles, summaries and the FTS index in
one transaction. Then a mix of queries (common, medium and rare words, phrases, OR, prefixes,
exclusions, source: and since: filters) runs through `summaries.search.search` exactly as the
CLI and the bot call it. Prints figures; asserts nothing.

    python benchmarks/search.py [--articles 100000] [--queries 400]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from summaries.search import matching_article_ids, parse_query, search
from summaries.store import open_database, to_db

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SOURCES = ["BBC News - World", "The Guardian - World", "Al Jazeera", "NPR - World", "DW - World"]


def vocabulary(rng: random.Random, size: int) -> list[str]:
    """Pronounceable made-up words, most frequent first."""
    syllables = [c + v for c in "bcdfghklmnprstvz" for v in "aeiou"]
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(words, key=lambda w: (len(w), w))


def sentence(rng: random.Random, words: list[str], weights: list[float], n: int) -> str:
    return " ".join(rng.choices(words, cum_weights=weights, k=n)).capitalize() + "."


Row = tuple[tuple[object, ...], tuple[object, ...], tuple[object, ...]]


def _article(i: int, count: int, rng: random.Random, words: list[str], weights: list[float]) -> Row:
    """One synthetic article: its articles, summaries and article_fts rows.

    Articles are stored as they are fetched: over 90 days, oldest first, with publication
    times a few hours before the fetch.
    """
    title = sentence(rng, words, weights, rng.randint(5, 10))[:-1]
    body = " ".join(sentence(rng, words, weights, rng.randint(12, 25)) for _ in range(12))
    summary = body.split(". ")[:3]
    minutes_ago = (count - i) * 90 * 24 * 60 // count + rng.randint(0, 6 * 60)
    when = to_db(NOW - timedelta(minutes=minutes_ago))
    url = f"https://example.com/{i}"
    return (
        (i, SOURCES[i % len(SOURCES)], url, url, title, when, when, body, f"h{i}", "en", "page"),
        (i, "default", "en", json.dumps(summary), when),
        (i, title, " ".join(summary), body),
    )


def fill(db_path: Path, count: int, rng: random.Random, words: list[str]) -> None:
    """Insert `count` synthetic articles with summaries and search entries, in one transaction."""
    weights: list[float] = []
    total = 0.0
    for rank in range(1, len(words) + 1):
        total += 1 / rank
        weights.append(total)
    db = open_database(db_path)
    with db.conn:
        for start in range(1, count + 1, 2000):
            rows = [
                _article(i, count, rng, words, weights)
                for i in range(start, min(count + 1, start + 2000))
            ]
            db.conn.executemany(
                "INSERT INTO articles (id, source_name, url, canonical_url, title, published_at,"
                " fetched_at, text, text_hash, language, content_origin)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [r[0] for r in rows],
            )
            db.conn.executemany(
                "INSERT INTO summaries (article_id, method, language, sentences, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                [r[1] for r in rows],
            )
            db.conn.executemany(
                "INSERT INTO article_fts (rowid, title, summary, body) VALUES (?, ?, ?, ?)",
                [r[2] for r in rows],
            )
    db.execute("INSERT INTO article_fts (article_fts) VALUES ('optimize')")
    db.close()


def queries(rng: random.Random, words: list[str], n: int) -> list[str]:
    """A mix of query shapes over common, medium and rare words."""
    common, medium, rare = words[5:50], words[200:2000], words[5000:20000]
    shapes = [
        lambda: rng.choice(common),
        lambda: rng.choice(medium),
        lambda: rng.choice(rare),
        lambda: f"{rng.choice(medium)} {rng.choice(medium)}",
        lambda: f"{rng.choice(common)} {rng.choice(common)}",
        lambda: f'"{rng.choice(common)} {rng.choice(common)}"',
        lambda: f"{rng.choice(medium)} OR {rng.choice(rare)}",
        lambda: f"{rng.choice(medium)[:3]}*",
        lambda: f"{rng.choice(medium)} -{rng.choice(common)}",
        lambda: f"{rng.choice(medium)} source:bbc",
        lambda: f"{rng.choice(common)} since:7d",
    ]
    return [rng.choice(shapes)() for _ in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=400)
    args = parser.parse_args()
    rng = random.Random(20261125)
    words = vocabulary(rng, 20_000)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        started = time.perf_counter()
        fill(path, args.articles, rng, words)
        print(
            f"built {args.articles:,} articles in {time.perf_counter() - started:.1f} s"
            f" ({path.stat().st_size / 1e6:.0f} MB)"
        )
        db = open_database(path)
        timings, matched, alerts = [], [], []
        batch = list(range(args.articles - 49, args.articles + 1))
        for text in queries(rng, words, args.queries):
            started = time.perf_counter()
            page = search(db, text, limit=5, now=NOW)
            timings.append((time.perf_counter() - started) * 1000)
            matched.append(page.total)
            started = time.perf_counter()
            matching_article_ids(db, parse_query(text), batch, now=NOW)
            alerts.append((time.perf_counter() - started) * 1000)
        db.close()
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"search over {args.articles:,} articles, {len(timings)} queries (limit 5, with total):")
    print(f"  p50 {statistics.median(timings):.1f} ms  p95 {p95:.1f} ms  max {timings[-1]:.1f} ms")
    print(f"  median matches per query: {statistics.median(matched):,.0f}")
    alerts.sort()
    print(
        f"topic matching of a batch of 50 new articles: p50 {statistics.median(alerts):.2f} ms"
        f"  p95 {alerts[int(len(alerts) * 0.95) - 1]:.2f} ms"
    )
    print(f"  peak memory (max RSS, whole process incl. building): {peak:.0f} MB")


if __name__ == "__main__":
    main()
