"""One summary for a story told by several outlets: the facts they agree on, each stated once.

The words that carry a story's facts (stemmed content words and numbers) are defined here and
shared with `cluster.py`, so "the same story" and "the same fact" are judged by one measure.

The summary picks sentences from the members' own summaries. A sentence scores by how strongly
the *other* outlets support it (for each other outlet, its most similar sentence; summed), a
cross-document centrality in the spirit of LexRank/MEAD, plus a small bonus for coming early in
its article, where news puts the key facts. Sentences are then taken greedily, best first,
skipping any whose TF-IDF cosine with one already taken is above `REDUNDANCY`: that is how no
fact is repeated twice even though four outlets reported it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from summaries.summarize.languages import language_tools

REDUNDANCY = 0.2
"""Cosine above which a sentence restates one already chosen."""

COVERAGE = 0.3
"""Share of a sentence's weighted terms, already said by the chosen ones, that makes it a repeat."""

POSITION_WEIGHT = 0.15
"""Bonus for a document's first sentence, decaying as 1 / (1 + position)."""

_TOKEN = re.compile(r"\d+(?:[.,:\-–]\d+)*|[^\W\d_]+(?:['’][^\W\d_]+)?")


def content_terms(text: str, language: str | None = "en") -> list[str]:
    """The stemmed content words and numbers of `text`, in order, stop words dropped.

    Numbers stay whole ("6.4", "1,200", "2-1") because in news they carry the facts that tell
    one earthquake, rate decision or match from another. A language without support is still
    tokenised, just not stemmed (`summarize.languages.language_tools` decides).
    """
    tools = language_tools(language or "en")
    words = [w for w in _TOKEN.findall(text.lower()) if w not in tools.stop_words]
    return [w if w[0].isdigit() else tools.stem(w) for w in words if len(w) > 1 or w.isdigit()]


def tfidf_matrix(bags: Sequence[Sequence[str]]) -> np.ndarray:
    """Unit-length rows of sublinear TF-IDF weights, the IDF taken from `bags` themselves."""
    vocabulary: dict[str, int] = {}
    for bag in bags:
        for term in bag:
            vocabulary.setdefault(term, len(vocabulary))
    matrix = np.zeros((len(bags), max(len(vocabulary), 1)))
    for row, bag in enumerate(bags):
        for term, count in Counter(bag).items():
            matrix[row, vocabulary[term]] = 1.0 + math.log(count)
    df = np.count_nonzero(matrix, axis=0)
    matrix *= np.log((1 + len(bags)) / (1 + df)) + 1.0
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit: np.ndarray = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    return unit


def cluster_summary(
    documents: Sequence[Sequence[str]], *, language: str | None = "en", sentences: int = 3
) -> list[str]:
    """Up to `sentences` sentences drawn from `documents` (each a list of sentences), no fact twice.

    Returned best-supported first, so the sentence most outlets agree on leads.
    """
    pool = [(doc, pos, s) for doc, sents in enumerate(documents) for pos, s in enumerate(sents)]
    if not pool:
        return []
    bags = [content_terms(s, language) for _, _, s in pool]
    figures = [_figures(bag) for bag in bags]
    vectors = tfidf_matrix(bags)
    similarity = vectors @ vectors.T
    owners = np.array([doc for doc, _, _ in pool])
    support = np.zeros(len(pool))
    for doc in np.unique(owners):
        support += np.where(owners != doc, similarity[:, owners == doc].max(axis=1), 0.0)
    positions = np.array([pos for _, pos, _ in pool], dtype=float)
    score = support / max(len(documents) - 1, 1) + POSITION_WEIGHT / (1.0 + positions)
    chosen: list[int] = []
    for index in np.argsort(-score, kind="stable"):
        if len(chosen) == sentences:
            break
        if not chosen or not _repeats(int(index), chosen, vectors, similarity, figures):
            chosen.append(int(index))
    return [pool[i][2] for i in chosen]


def _figures(terms: Sequence[str]) -> frozenset[str]:
    """The figures among a sentence's terms: amounts, rates and scores, not years or small counts.

    Two sentences quoting the same figure ("12,000 acres", "4.2%", "2-1") state the same fact,
    however differently they word it around the number.
    """
    return frozenset(
        t
        for t in terms
        if t[0].isdigit() and (not t.isdigit() or (int(t) >= 10 and not 1900 <= int(t) <= 2100))
    )


def _repeats(
    index: int,
    chosen: list[int],
    vectors: np.ndarray,
    similarity: np.ndarray,
    figures: Sequence[frozenset[str]],
) -> bool:
    """Whether sentence `index` restates what the chosen sentences already say.

    Three tests, any of which is enough: close wording overall (cosine), most of its weighted
    words already said (coverage, for a short sentence inside a longer one), or a shared figure.
    """
    if similarity[index, chosen].max() > REDUNDANCY:
        return True
    said = (vectors[chosen] > 0).any(axis=0)
    weight = vectors[index].sum()
    if weight > 0 and vectors[index][said].sum() / weight >= COVERAGE:
        return True
    return any(figures[index] & figures[other] for other in chosen)
