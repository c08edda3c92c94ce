"""One story, many outlets: group articles about the same event into clusters.

Each article gets a signature when it is assigned: the TF-IDF vector of its title (counted
twice: headlines name the event) and its lead (the first `LEAD_WORDS` words, where news states
who, what, where and when), over the stemmed content words of `multidoc.content_terms`. The
IDF comes from every signature stored so far (`cluster_terms.df`), so words every story uses
weigh little and names, places and figures weigh much. Vectors are stored unit-length, weighted
with the IDF of the day they were made, as a search engine stores norms at index time.

A new article is compared, in one vectorised pass, with the signatures of the articles within
`WINDOW` of its time (an indexed range scan, a few thousand rows even for a busy store): it
joins the cluster of its most similar article if the cosine reaches `THRESHOLD`, else it starts
a new cluster. Cosine catches both the same wire copy republished with small edits (near 1) and
the same event rewritten by another outlet (shared names and figures); the window keeps next
month's jobs report out of this month's.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from summaries.articles import get_articles
from summaries.errors import NotFoundError
from summaries.models import StoredArticle
from summaries.multidoc import cluster_summary, content_terms
from summaries.store import Database, from_db, to_db, utcnow

WINDOW = timedelta(hours=48)
THRESHOLD = 0.34
"""Cosine at which two articles tell the same event (tuned on tests/clusters, see benchmarks)."""

LEAD_FLOOR = 0.08
"""Least cosine of the leads alone (same-event pairs in tests/clusters: 0.14 and up)."""

NUMBER_BOOST = 1.5
"""Extra weight for figures (magnitudes, scores, tolls, rates): they tell look-alikes apart."""

LEAD_WORDS = 60
SUMMARY_SENTENCES = 3

NewArticlesHook = Callable[[list[int]], Awaitable[None]]


def signature_terms(title: str, text: str, language: str | None) -> Counter[str]:
    """The term counts that stand for an article: its title twice, then its lead."""
    lead = " ".join(text.split()[:LEAD_WORDS])
    return Counter(content_terms(f"{title}\n{title}\n{lead}", language))


def _term_weights(db: Database, counts: Counter[str]) -> tuple[np.ndarray, np.ndarray]:
    """Register the terms' document frequency and return (sorted term ids, unit weights)."""
    if not counts:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    db.conn.executemany(
        "INSERT INTO cluster_terms (term, df) VALUES (?, 1)"
        " ON CONFLICT(term) DO UPDATE SET df = df + 1",
        [(term,) for term in counts],
    )
    total = signature_count(db) + 1
    marks = ",".join("?" * len(counts))
    rows = db.execute(
        f"SELECT id, term, df FROM cluster_terms WHERE term IN ({marks})",  # noqa: S608
        list(counts),
    ).fetchall()
    rows.sort()
    ids = np.array([r[0] for r in rows], dtype=np.int32)
    weights = np.array(
        [_weight(counts[term], df, total, term[0].isdigit()) for _, term, df in rows]
    )
    return ids, (weights / np.linalg.norm(weights)).astype(np.float32)


_SIGNATURES_KEY = "cluster_signatures"


def signature_count(db: Database) -> int:
    """How many signatures the IDF is taken over, kept in `meta` as they are stored.

    `count(*)` walks a whole index, and was run up to three times per article: 0.6 ms at
    100,000 signatures, 8 ms at a million, so clustering slowed down every day the bot ran.
    The first call (a database from before this counter) counts once and stores the number.
    """
    row = db.execute("SELECT value FROM meta WHERE key = ?", [_SIGNATURES_KEY]).fetchone()
    if row is not None:
        return int(row[0])
    total = int(db.execute("SELECT count(*) FROM cluster_signatures").fetchone()[0])
    db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", [_SIGNATURES_KEY, str(total)])
    return total


def _weight(count: int, df: int, total: int, is_number: bool) -> float:
    """Sublinear term frequency times smoothed IDF, figures boosted."""
    idf = math.log((1 + total) / (1 + df)) + 1.0
    return (1.0 + math.log(count)) * idf * (NUMBER_BOOST if is_number else 1.0)


def _best_match(
    db: Database, ids: np.ndarray, weights: np.ndarray, moment: datetime
) -> tuple[int, float, int] | None:
    """The (cluster id, cosine, article id) of the most similar clustered article in the window."""
    rows = db.execute(
        "SELECT a.cluster_id, s.terms, s.weights, a.id FROM cluster_signatures s"
        " JOIN articles a ON a.id = s.article_id"
        " WHERE s.at BETWEEN ? AND ? AND a.cluster_id IS NOT NULL",
        [to_db(moment - WINDOW), to_db(moment + WINDOW)],
    ).fetchall()
    if not rows or not len(ids):
        return None
    lengths = np.fromiter((len(r[1]) // 4 for r in rows), dtype=np.int64, count=len(rows))
    flat_ids = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.int32)
    flat_weights = np.frombuffer(b"".join(r[2] for r in rows), dtype=np.float32)
    query = np.zeros(max(int(ids.max()), int(flat_ids.max(initial=0))) + 1, dtype=np.float32)
    query[ids] = weights
    products = flat_weights * query[flat_ids]
    scores = np.bincount(np.repeat(np.arange(len(rows)), lengths), products, len(rows))
    best = int(np.argmax(scores))
    return int(rows[best][0]), float(scores[best]), int(rows[best][3])


def _leads_agree(db: Database, text: str, language: str | None, other_id: int) -> bool:
    """False when two leads share (almost) nothing: a generic headline ("Live updates") alone
    must not make two events one story, which would keep the second from ever being sent.
    """
    other_text, other_language = db.execute(
        "SELECT text, language FROM articles WHERE id = ?", [other_id]
    ).fetchone()
    mine, theirs = _lead_vector(db, text, language), _lead_vector(db, other_text, other_language)
    if not mine or not theirs:
        return True  # a headline-only item: the title is all there is to go on
    return sum(w * theirs.get(term, 0.0) for term, w in mine.items()) >= LEAD_FLOOR


def _lead_vector(db: Database, text: str, language: str | None) -> dict[str, float]:
    """The lead's unit TF-IDF weights, with the document frequencies of the signatures."""
    counts = Counter(content_terms(" ".join(text.split()[:LEAD_WORDS]), language))
    if not counts:
        return {}
    total = signature_count(db) + 1
    marks = ",".join("?" * len(counts))
    df = dict(
        db.execute(
            f"SELECT term, df FROM cluster_terms WHERE term IN ({marks})",  # noqa: S608
            list(counts),
        ).fetchall()
    )
    weights = {t: _weight(n, df.get(t, 0), total, False) for t, n in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {t: w / norm for t, w in weights.items()}


def assign_cluster(db: Database, article_id: int, *, now: datetime) -> int:
    """Put a stored article in the cluster of its story (a new one if none matches); its id.

    Idempotent: an article already in a cluster keeps it. Refreshes the cluster's
    multi-document summary once it has two members.
    """
    row = db.execute(
        "SELECT title, text, language, coalesce(published_at, fetched_at), cluster_id"
        " FROM articles WHERE id = ?",
        [article_id],
    ).fetchone()
    if row is None:
        raise NotFoundError(f"No article with id {article_id}.")
    title, text, language, when, current = row
    if current is not None:
        return int(current)
    moment = from_db(when) or now
    with db.conn:
        ids, weights = _term_weights(db, signature_terms(title, text, language))
        match = _best_match(db, ids, weights, moment)
        if match is not None and (
            match[1] < THRESHOLD or not _leads_agree(db, text, language, match[2])
        ):
            match = None
        if match is not None:
            cluster_id = match[0]
            db.execute("UPDATE clusters SET updated_at = ? WHERE id = ?", [to_db(now), cluster_id])
        else:
            cursor = db.execute(
                "INSERT INTO clusters (created_at, updated_at) VALUES (?, ?)",
                [to_db(now), to_db(now)],
            )
            cluster_id = int(cursor.lastrowid or 0)
        db.execute(
            "INSERT INTO cluster_signatures (article_id, at, terms, weights) VALUES (?, ?, ?, ?)",
            [article_id, to_db(moment), ids.tobytes(), weights.tobytes()],
        )
        db.execute(
            "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = ?", [_SIGNATURES_KEY]
        )
        db.execute("UPDATE articles SET cluster_id = ? WHERE id = ?", [cluster_id, article_id])
        if match is not None:
            _refresh_summary(db, cluster_id)
    return cluster_id


def _refresh_summary(db: Database, cluster_id: int) -> None:
    """Store the cluster's multi-document summary (JSON list of sentences)."""
    rows = db.execute(
        "SELECT s.sentences, a.language FROM articles a JOIN summaries s ON s.article_id = a.id"
        " WHERE a.cluster_id = ? ORDER BY coalesce(a.published_at, a.fetched_at), a.id",
        [cluster_id],
    ).fetchall()
    documents = [json.loads(r[0]) for r in rows]
    language = Counter(r[1] for r in rows).most_common(1)[0][0] if rows else None
    sentences = cluster_summary(documents, language=language, sentences=SUMMARY_SENTENCES)
    db.execute(
        "UPDATE clusters SET summary = ? WHERE id = ?",
        [json.dumps(sentences, ensure_ascii=False), cluster_id],
    )


def assign_pending(db: Database, *, now: datetime) -> int:
    """Cluster every stored article that has no cluster yet, oldest first; how many there were.

    For articles stored before clustering was wired in, or by a process without the hook.
    """
    pending = [
        int(r[0])
        for r in db.execute(
            "SELECT id FROM articles WHERE cluster_id IS NULL"
            " ORDER BY coalesce(published_at, fetched_at), id"
        ).fetchall()
    ]
    for article_id in pending:
        assign_cluster(db, article_id, now=now)
    return len(pending)


def cluster_hook(db: Database, *, clock: Callable[[], datetime] = utcnow) -> NewArticlesHook:
    """A hook that clusters each newly stored article; every `Ingester` runs it first."""

    async def assign_new(article_ids: list[int]) -> None:
        now = clock()
        for article_id in article_ids:
            assign_cluster(db, article_id, now=now)

    return assign_new


def cluster_members(db: Database, cluster_id: int) -> list[StoredArticle]:
    """The articles of a cluster, oldest first."""
    ids = [
        int(r[0])
        for r in db.execute(
            "SELECT id FROM articles WHERE cluster_id = ?"
            " ORDER BY coalesce(published_at, fetched_at), id",
            [cluster_id],
        ).fetchall()
    ]
    return get_articles(db, ids)


def collapse(
    articles: Sequence[StoredArticle], db: Database, *, rank_by_coverage: bool = True
) -> list[StoredArticle]:
    """One item per story: the first article given of each cluster stands for it.

    The item gets `also_reported_by` (the other outlets, earliest first) and, when the cluster
    has one, the multi-document summary (`method="multidoc"`). With `rank_by_coverage`, stories
    covered by more outlets come first (ties keep the given order); without it the given order
    is kept, which is what `/latest` wants.
    """
    info = _cluster_info(db, {a.cluster_id for a in articles if a.cluster_id is not None})
    seen: set[int] = set()
    items: list[StoredArticle] = []
    for article in articles:
        if article.cluster_id is None:
            items.append(article)
            continue
        if article.cluster_id in seen:
            continue
        seen.add(article.cluster_id)
        outlets, summary = info.get(article.cluster_id, ([], None))
        others = tuple(name for name in outlets if name != article.source_name)
        item = replace(article, also_reported_by=others)
        if summary:
            item = replace(item, summary=tuple(summary), method="multidoc")
        items.append(item)
    if rank_by_coverage:
        items.sort(key=lambda item: -len(item.also_reported_by))
    return items


def _cluster_info(db: Database, cluster_ids: set[int]) -> dict[int, tuple[list[str], Any]]:
    """For each cluster: its distinct outlet names (earliest first) and its stored summary."""
    if not cluster_ids:
        return {}
    marks = ",".join("?" * len(cluster_ids))
    info: dict[int, tuple[list[str], Any]] = {
        int(r[0]): ([], json.loads(r[1]) if r[1] else None)
        for r in db.execute(
            f"SELECT id, summary FROM clusters WHERE id IN ({marks})",  # noqa: S608
            list(cluster_ids),
        ).fetchall()
    }
    for cluster_id, source_name in db.execute(
        f"SELECT cluster_id, source_name FROM articles WHERE cluster_id IN ({marks})"  # noqa: S608
        " ORDER BY coalesce(published_at, fetched_at), id",
        list(cluster_ids),
    ).fetchall():
        outlets = info[int(cluster_id)][0]
        if source_name not in outlets:
            outlets.append(source_name)
    return info
