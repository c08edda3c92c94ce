"""The labelled clustering set: stories rewritten by several outlets, and look-alikes that differ.

Each JSON file holds articles on one subject; `event` is the true story. Files pair two events
on the same subject (two earthquakes, two rate decisions, two matches, ...) so that merging by
subject alone is punished. The files in `heldout/` were written after the clustering parameters
were fixed and never used to tune them: their precision and recall are the honest figures.
Shared by tests/test_cluster.py and benchmarks/cluster.py.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import combinations
from pathlib import Path

from summaries.articles import insert_article
from summaries.models import Article, Summary
from summaries.store import Database

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Labelled:
    """One article of the set, with its true event."""

    event: str
    source: str
    published: datetime
    title: str
    sentences: tuple[str, ...]


def load_labelled(folder: str = "") -> list[Labelled]:
    """Every article of every file (of `folder`, e.g. "heldout"), in order of publication."""
    items = [
        Labelled(
            event=row["event"],
            source=row["source"],
            published=datetime.fromisoformat(row["published"]),
            title=row["title"],
            sentences=tuple(row["sentences"]),
        )
        for path in sorted((HERE / folder).glob("*.json"))
        for row in json.loads(path.read_text())["articles"]
    ]
    return sorted(items, key=lambda item: item.published)


def store_labelled(db: Database, items: Sequence[Labelled]) -> list[int]:
    """Store the articles as the ingester would (lead-3 as their summary); their ids, in order."""
    ids = []
    for number, item in enumerate(items):
        article_id = insert_article(
            db,
            Article(title=item.title, text=" ".join(item.sentences), published=item.published),
            Summary(sentences=item.sentences[:3], method="lead", language="en"),
            canonical_url=f"https://{item.source.lower().replace(' ', '-')}.example/{number}",
            source_id=None,
            source_name=item.source,
            content_origin="page",
            now=item.published + timedelta(minutes=5),
        )
        assert article_id is not None
        ids.append(article_id)
    return ids


def pairwise(truth: Sequence[str], predicted: Sequence[int]) -> tuple[float, float]:
    """Pairwise precision and recall: of the pairs put together, how many belong together..."""
    pairs = list(combinations(range(len(truth)), 2))
    same_true = {p for p in pairs if truth[p[0]] == truth[p[1]]}
    same_pred = {p for p in pairs if predicted[p[0]] == predicted[p[1]]}
    hits = len(same_true & same_pred)
    return hits / max(len(same_pred), 1), hits / max(len(same_true), 1)


def bcubed(truth: Sequence[str], predicted: Sequence[int]) -> tuple[float, float]:
    """B-cubed precision and recall, averaged over articles (fair to singletons and big stories)."""
    together = Counter(zip(truth, predicted, strict=True))
    true_size, pred_size = Counter(truth), Counter(predicted)
    precision = sum(together[(t, p)] / pred_size[p] for t, p in zip(truth, predicted, strict=True))
    recall = sum(together[(t, p)] / true_size[t] for t, p in zip(truth, predicted, strict=True))
    return precision / len(truth), recall / len(truth)
