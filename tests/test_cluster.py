"""Same-story clustering and the multi-document summary, on real SQLite and the labelled set."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from itertools import combinations

import pytest

from summaries.articles import get_articles, insert_article, latest_articles
from summaries.cluster import (
    assign_cluster,
    assign_pending,
    cluster_hook,
    cluster_members,
    collapse,
)
from summaries.errors import NotFoundError
from summaries.models import Article, Summary
from summaries.multidoc import cluster_summary
from summaries.store import Database, from_db
from tests.clusters import Labelled, bcubed, load_labelled, pairwise, store_labelled

NOW = datetime(2026, 12, 5, tzinfo=UTC)
QUAKE = (
    "A magnitude 6.1 earthquake struck the Greek island of Crete on Monday, damaging old stone"
    " houses in the village of Arkalochori. The Athens Geodynamic Institute put the depth at"
    " 10 km. Schools in Heraklion were closed while engineers inspected them."
)


def _store(
    db: Database, title: str, text: str, source: str, when: datetime, language: str = "en"
) -> int:
    article_id = insert_article(
        db,
        Article(title=title, text=text, published=when),
        Summary(sentences=(text,), method="lead", language=language),
        canonical_url=f"https://{source.lower()}.example/{when.isoformat()}",
        source_id=None,
        source_name=source,
        content_origin="page",
        now=when,
    )
    assert article_id is not None
    return article_id


def _cluster_set(db: Database, folder: str = "") -> tuple[list[Labelled], list[int]]:
    """A labelled set stored and clustered in publication order, as the ingester would."""
    items = load_labelled(folder)
    ids = store_labelled(db, items)
    for article_id in ids:
        assign_cluster(db, article_id, now=NOW)
    return items, ids


@pytest.fixture
def labelled(db: Database) -> tuple[list[Labelled], list[int]]:
    """The labelled set (the one the parameters were tuned on), clustered."""
    return _cluster_set(db)


@pytest.mark.parametrize(("folder", "floor"), [("", 0.95), ("heldout", 0.9)])
def test_labelled_sets_precision_and_recall(db: Database, folder: str, floor: float) -> None:
    items, ids = _cluster_set(db, folder)
    truth = [item.event for item in items]
    predicted = [article.cluster_id or 0 for article in get_articles(db, ids)]
    precision, recall = pairwise(truth, predicted)
    b3_precision, b3_recall = bcubed(truth, predicted)
    print(
        f"\n{folder or 'tuning'} set: {len(items)} articles, {len(set(truth))} events,"
        f" {len(set(predicted))} clusters: pairwise P {precision:.3f} R {recall:.3f};"
        f" B-cubed P {b3_precision:.3f} R {b3_recall:.3f}"
    )
    assert precision >= floor
    assert recall >= floor - 0.1


def test_article_with_no_match_starts_its_own_cluster(db: Database) -> None:
    first = _store(db, "Crete earthquake damages houses", QUAKE, "Alpha", NOW)
    other = _store(
        db,
        "Dutch parliament passes housing bill",
        "The Dutch lower house approved a bill capping rents for mid-priced flats on Tuesday.",
        "Beta",
        NOW,
    )
    a, b = assign_cluster(db, first, now=NOW), assign_cluster(db, other, now=NOW)
    assert a != b
    assert [m.id for m in cluster_members(db, a)] == [first]
    assert db.execute("SELECT summary FROM clusters WHERE id = ?", [a]).fetchone()[0] is None


def test_rewrite_joins_within_the_window_but_not_beyond(db: Database) -> None:
    rewrite = (
        "Old stone houses in Arkalochori were damaged when a 6.1-magnitude quake hit Crete on"
        " Monday, the Athens Geodynamic Institute said. Heraklion closed its schools."
    )
    first = _store(db, "Crete earthquake damages houses", QUAKE, "Alpha", NOW)
    near = _store(db, "Quake shakes Crete", rewrite, "Beta", NOW + timedelta(hours=47))
    again = rewrite.replace("closed", "shut")
    far = _store(db, "Crete quake: houses damaged", again, "Gamma", NOW + timedelta(days=5))
    cluster = assign_cluster(db, first, now=NOW)
    assert assign_cluster(db, near, now=NOW + timedelta(hours=47)) == cluster
    assert assign_cluster(db, far, now=NOW + timedelta(days=5)) != cluster
    updated = db.execute("SELECT updated_at FROM clusters WHERE id = ?", [cluster]).fetchone()[0]
    assert from_db(updated) == NOW + timedelta(hours=47)


def test_assignment_is_idempotent(db: Database) -> None:
    first = _store(db, "Crete earthquake damages houses", QUAKE, "Alpha", NOW)
    cluster = assign_cluster(db, first, now=NOW)
    assert assign_cluster(db, first, now=NOW + timedelta(hours=1)) == cluster
    assert db.execute("SELECT count(*) FROM cluster_signatures").fetchone()[0] == 1
    with pytest.raises(NotFoundError):
        assign_cluster(db, 999, now=NOW)


def test_articles_without_content_words_never_match(db: Database) -> None:
    first = _store(db, "The", "It was the one.", "Alpha", NOW)
    second = _store(db, "The", "And then it was over.", "Beta", NOW)
    story = _store(db, "Crete earthquake damages houses", QUAKE, "Gamma", NOW)
    clusters = {assign_cluster(db, a, now=NOW) for a in (first, second, story)}
    assert len(clusters) == 3


def test_a_language_without_support_still_clusters(db: Database) -> None:
    text = "東京で大雨が降った。多くの人が避難した。電車は止まった。"
    first = _store(db, "東京で大雨", text, "Alpha", NOW, language="ja")
    copy = _store(db, "東京で大雨", text + "学校は休みになった。", "Beta", NOW, language="und")
    other = _store(db, "大阪で地震", "大阪で地震があった。", "Gamma", NOW, language="ja")
    cluster = assign_cluster(db, first, now=NOW)
    assert assign_cluster(db, copy, now=NOW) == cluster
    assert assign_cluster(db, other, now=NOW) != cluster
    summary = db.execute("SELECT summary FROM clusters WHERE id = ?", [cluster]).fetchone()[0]
    assert json.loads(summary)


def test_collapse_one_item_per_story_with_other_outlets(
    db: Database, labelled: tuple[list[Labelled], list[int]]
) -> None:
    newest = latest_articles(db, limit=100)
    by_time = collapse(newest, db, rank_by_coverage=False)
    assert len(by_time) == len({a.cluster_id for a in newest}) == 14
    assert [a.when for a in by_time] == sorted((a.when for a in by_time), reverse=True)
    peru = next(a for a in by_time if "Peru" in a.title)
    assert peru.source_name == "Metro Dispatch"  # the newest of its story stands for it
    assert peru.also_reported_by == (
        "Harbor Ledger",
        "Coastline Wire",
        "Daily Meridian",
        "Northgate Post",
    )
    assert peru.method == "multidoc"
    ranked = collapse(newest, db)
    coverage = [len(a.also_reported_by) for a in ranked]
    assert coverage == sorted(coverage, reverse=True)
    assert ranked[0].id == peru.id


def test_collapse_keeps_unclustered_articles(db: Database) -> None:
    lone = _store(db, "Crete earthquake damages houses", QUAKE, "Alpha", NOW)
    [item] = collapse(get_articles(db, [lone]), db)
    assert (item.id, item.also_reported_by, item.method) == (lone, (), "lead")


def _words(sentence: str) -> set[str]:
    return {w for w in re.findall(r"\w+", sentence.lower()) if len(w) > 3}


@pytest.mark.parametrize(("folder", "stories"), [("", 14), ("heldout", 10)])
def test_cluster_summaries_repeat_no_fact(db: Database, folder: str, stories: int) -> None:
    _cluster_set(db, folder)
    summaries = [
        json.loads(row[0])
        for row in db.execute("SELECT summary FROM clusters WHERE summary IS NOT NULL")
    ]
    assert len(summaries) == stories
    for sentences in summaries:
        assert 2 <= len(sentences) <= 3
        for one, two in combinations(sentences, 2):
            shared = _words(one) & _words(two)
            assert len(shared) / len(_words(one) | _words(two)) < 0.3, (one, two)
            figures = set(re.findall(r"\d+[.,]\d+|\d{2,}", one)) & set(re.findall(r"\d+", two))
            assert not figures - {str(y) for y in range(1900, 2100)}, (one, two)


def test_summary_drops_a_republished_copy() -> None:
    original = [
        "A strong 6.4 earthquake shook southern Peru early on Tuesday, killing seven people.",
        "Old adobe homes in Caraveli province bore the brunt of the damage.",
    ]
    copy = [original[0].replace("strong", "powerful"), original[1]]
    other = ["Rescue teams dug through rubble near Arequipa after the quake left seven dead."]
    chosen = cluster_summary([original, copy, other], sentences=3)
    assert len(chosen) == 3
    assert len({original[0], copy[0]} & set(chosen)) == 1
    assert set(chosen) >= {original[1], other[0]}


async def test_hook_and_backfill_assign_clusters(db: Database) -> None:
    first = _store(db, "Crete earthquake damages houses", QUAKE, "Alpha", NOW)
    second = _store(db, "Crete quake", QUAKE.replace("Monday", "Monday morning"), "Beta", NOW)
    await cluster_hook(db, clock=lambda: NOW)([first])
    assert assign_pending(db, now=NOW) == 1
    assert assign_pending(db, now=NOW) == 0
    one, two = get_articles(db, [first, second])
    assert one.cluster_id is not None and one.cluster_id == two.cluster_id
