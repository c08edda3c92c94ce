"""Clustering quality on the labelled set, and assignment speed in a large store.

Quality: the labelled set (tests/clusters: stories rewritten by several outlets, plus
look-alike stories on the same subject) is clustered in publication order, in a fresh database
("cold": the IDF knows only these articles) and after a background of real news from
../shared/data ("warm": the IDF of a store in use; the background is dated months earlier, so
it shapes the IDF without being a candidate). Pairwise and B-cubed precision/recall are printed
for a sweep of thresholds around `cluster.THRESHOLD`, and for the held-out set
(tests/clusters/heldout), written after the parameters were fixed.

Speed: the store is filled with `--articles` articles (real texts from ../shared/data recycled
with fresh titles, `--per-day` articles a day, so the 48 h window holds what a busy install
would), every one assigned through `assign_cluster` in time order as the ingester does; the
ms/article of the last `--measure` assignments is printed. Prints figures; asserts nothing.

    python benchmarks/cluster.py [--articles 10000 100000] [--per-day 1000] [--measure 1000]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summaries import cluster  # noqa: E402
from summaries.evaluate import load_dataset  # noqa: E402
from summaries.store import Database, open_database, to_db  # noqa: E402
from tests.clusters import Labelled, bcubed, load_labelled, pairwise, store_labelled  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
START = datetime(2026, 1, 1, tzinfo=UTC)


def shared_articles() -> list[tuple[str, str]]:
    """(title, text) of the real articles in ../shared/data; empty when they are absent."""
    return [
        (article.title or " ".join(article.text.split()[:12]), article.text)
        for path in sorted(DATA.glob("*.jsonl"))
        for article in load_dataset(path)
    ]


def fill(db: Database, texts: Sequence[tuple[str, str]], count: int, per_day: int) -> list[int]:
    """Bulk-store `count` articles (recycled texts, fresh titles), `per_day` a day from START."""
    rng = random.Random(7)
    step = timedelta(days=1) / per_day
    rows = []
    for i in range(count):
        title, text = texts[i % len(texts)]
        when = to_db(START + i * step)
        url = f"https://filler.example/{i}"
        rows.append((i + 1, "Filler", url, url, f"{title} {rng.random():.6f}", when, when, text))
    with db.conn:
        db.conn.executemany(
            "INSERT INTO articles (id, source_name, url, canonical_url, title, published_at,"
            " fetched_at, text, text_hash, language, content_origin)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'h' || ?1, 'en', 'page')",
            rows,
        )
        db.conn.executemany(
            "INSERT INTO summaries (article_id, method, sentences, created_at)"
            " VALUES (?, 'lead', '[]', ?)",
            [(r[0], r[5]) for r in rows],
        )
    return [r[0] for r in rows]


def assign_all(db: Database, ids: Sequence[int]) -> list[int]:
    """Assign each article in turn; the cluster ids."""
    return [cluster.assign_cluster(db, i, now=START) for i in ids]


def thresholds() -> Iterator[float]:
    """A sweep around the configured threshold."""
    base = cluster.THRESHOLD
    yield from (round(base + delta, 3) for delta in (-0.06, -0.04, -0.02, 0, 0.02, 0.04, 0.06))


def quality(items: list[Labelled], background: Sequence[tuple[str, str]], label: str) -> None:
    """Print pairwise and B-cubed precision/recall for each threshold of the sweep."""
    truth = [item.event for item in items]
    configured = cluster.THRESHOLD
    print(f"\n{label}: {len(items)} articles, {len(set(truth))} events")
    print("threshold  pairwise P   R     B-cubed P   R     F1   clusters")
    base = open_database(":memory:")
    assign_all(base, fill(base, background, len(background), 200))
    for threshold in thresholds():
        db = open_database(":memory:")
        base.conn.backup(db.conn)
        cluster.THRESHOLD = threshold
        predicted = assign_all(db, store_labelled(db, items))
        p, r = pairwise(truth, predicted)
        bp, br = bcubed(truth, predicted)
        mark = " <- configured" if threshold == configured else ""
        print(
            f"  {threshold:.2f}       {p:.3f}  {r:.3f}      {bp:.3f}  {br:.3f}"
            f"   {2 * bp * br / (bp + br):.3f}  {len(set(predicted)):3d}{mark}"
        )
        db.close()
    cluster.THRESHOLD = configured
    base.close()


def speed(texts: Sequence[tuple[str, str]], count: int, per_day: int, measure: int) -> None:
    """Fill a store with `count` articles and time the last `measure` assignments."""
    db = open_database(":memory:")
    ids = fill(db, texts, count, per_day)
    started = time.perf_counter()
    assign_all(db, ids[:-measure])
    filled = time.perf_counter()
    assign_all(db, ids[-measure:])
    elapsed = time.perf_counter() - filled
    window = db.execute(
        "SELECT count(*) FROM cluster_signatures WHERE at >= ?",
        [to_db(START + (count - 1) * timedelta(days=1) / per_day - cluster.WINDOW)],
    ).fetchone()[0]
    clusters = db.execute("SELECT count(*) FROM clusters").fetchone()[0]
    print(
        f"{count:>7} stored, {per_day}/day ({window} in the last window): "
        f"{1000 * elapsed / measure:.2f} ms/article over the last {measure}"
        f" (filling took {filled - started:.0f} s; {clusters} clusters)"
    )
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, nargs="*", default=[10_000])
    parser.add_argument("--per-day", type=int, default=1000)
    parser.add_argument("--measure", type=int, default=1000)
    args = parser.parse_args()
    background = shared_articles()
    items = load_labelled()
    quality(items, [], "Labelled set, cold store")
    heldout = load_labelled("heldout")
    quality(heldout, [], "Held-out set, cold store")
    if background:
        quality(items, background, f"Labelled set, warm store ({len(background)} background)")
        quality(heldout, background, f"Held-out set, warm store ({len(background)} background)")
    else:
        print(f"\n(no {DATA}: warm-store figures and the speed test need it)")
        return
    print("\nAssignment speed")
    for count in args.articles:
        speed(background, count, args.per_day, min(args.measure, count))


if __name__ == "__main__":
    main()
