"""newsbrief's own summariser: position-aware directed centrality, title, quality and MMR.

Stock sumy methods lose to the first three sentences on news because centrality alone ignores
where a sentence sits. Following PacSum (Zheng & Lapata, 2019), a sentence counts as central for
what *later* sentences repeat of it, not earlier ones, which rewards the lead without hard-wiring
it; an explicit position prior, similarity to the headline and a quality factor (fragments,
captions, questions and quotes read badly alone) are added, then sentences are picked greedily
with maximal marginal relevance so the summary does not say the same thing twice.

Everything over sentence pairs is one numpy matrix product on TF-IDF rows; the only Python loops
run over words (to stem them) and over the handful of sentences being picked.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sumy.summarizers import AbstractSummarizer
from sumy.utils import ItemsCount
from threadpoolctl import ThreadpoolController

from summaries.summarize.quality import FACTORS, quality_factors
from summaries.summarize.quotes import Quotations
from summaries.summarize.tokenizer import LINE_BREAK

Matrix = NDArray[np.float64]


@dataclass(frozen=True)
class Tuning:
    """The weights, chosen by grid search on the development halves (`evaluate.half`) of
    cnndm-dev and of bbc-news-summary (its first 400 dev articles) together, maximising the
    smallest margin over the strongest rival (Lead-3 on cnndm, LexRank on bbc); the held-out
    halves were scored once, afterwards (see /work/notes/README-summarize.md). cnndm alone
    would ask for a stronger lead bias and bbc alone for pure centrality."""

    forward: float = 1.0
    """Weight of similarity to later sentences (PacSum's lambda2)."""
    backward: float = -0.15
    """Weight of similarity to earlier sentences (PacSum's lambda1, negative: a lead bias)."""
    threshold: float = 0.0
    """Edges weaker than min + threshold * (max - min) are dropped (PacSum's beta)."""
    centrality: float = 1.0
    position: float = 0.6
    position_decay: float = 0.5
    """Position prior 1 / (1 + position) ** decay, the position counted in typical sentences of
    text before the sentence (`text_positions`)."""
    title: float = 0.5
    redundancy: float = 0.2
    """MMR: how much similarity to an already chosen sentence costs."""
    duplicate: float = 0.8
    """Cosine above which a sentence counts as a repeat of a chosen one and is skipped."""


class CentralitySummarizer(AbstractSummarizer):  # type: ignore[misc]
    """Pick sentences by position-aware centrality, title similarity and quality, without repeats.

    `max_chars` caps the summary's length in characters (sentences that do not fit are skipped;
    the best sentence is always returned) on top of the sentence count.
    """

    def __init__(
        self,
        stemmer: Callable[[str], str],
        stop_words: Iterable[str] = (),
        *,
        tuning: Tuning | None = None,
        max_chars: int | None = None,
    ) -> None:
        super().__init__(stemmer)
        self.stop_words = _lowered(frozenset(stop_words))
        self.tuning = tuning or Tuning()
        self.max_chars = max_chars

    def __call__(self, document: Any, sentences_count: int | str) -> tuple[Any, ...]:
        sentences = list(document.sentences)
        if not sentences:
            return ()
        count = len(ItemsCount(sentences_count)(sentences))
        title_words = [word for heading in document.headings for word in heading.words]
        word_lines: list[str] = []
        for words in [*(s.words for s in sentences), title_words]:
            word_lines += words
            word_lines.append(LINE_BREAK)
        chosen = self.choose(
            [str(sentence) for sentence in sentences],
            word_lines[:-1],
            count,
            paragraphs=[len(paragraph.sentences) for paragraph in document.paragraphs],
        )
        return tuple(sentences[i] for i in chosen)

    def choose(
        self,
        texts: Sequence[str],
        word_lines: Sequence[str],
        count: int,
        *,
        paragraphs: Sequence[int] = (),
    ) -> list[int]:
        """The indices of the chosen sentences, in the article's order.

        `word_lines` holds the words of each sentence and then of the title, as
        `PunktTokenizer.word_lines` gives them (`LINE_BREAK` between two sentences).
        `paragraphs` holds the number of sentences in each paragraph (empty: one paragraph);
        quotations are followed within a paragraph. The production path (`summarize`) calls
        this with sentences it has split and tokenised itself, skipping sumy's document
        objects; `__call__` reads the same from a sumy document.
        """
        if not texts:
            return []
        ids, line_of = self.term_ids(word_lines)
        vectors = self._vectors(ids, line_of, len(texts) + 1)
        body, title = vectors[:-1], vectors[-1]
        with _blas().limit(limits=1, user_api="blas"):
            similarity = body @ body.T
            title_similarity = body @ title
        word_counts = np.bincount(line_of[ids != _BREAK], minlength=len(texts) + 1)[:-1]
        scores = self.rate(similarity, title_similarity, word_counts) * quality_factors(texts)
        lengths = np.array([len(text) for text in texts])
        quotations = Quotations(texts, paragraphs)
        return sorted(self._select(scores, similarity, count, lengths, quotations))

    def term_ids(self, word_lines: Sequence[str]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        """Each word's term id and line number (`_Vocabulary`: lower-case, stop word, stem,
        done once per word; a stop word is -1 and a line break `_BREAK`)."""
        ids = _vocabulary(self._stemmer, self.stop_words).ids(word_lines)
        line_of: NDArray[np.intp] = np.cumsum(ids == _BREAK)
        return ids, line_of

    def _vectors(self, ids: NDArray[np.intp], line_of: NDArray[np.intp], rows: int) -> Matrix:
        """L2-normalised TF-IDF rows, one per line (sublinear tf, idf over all lines but the last).

        The terms are `term_ids`; the columns follow the order in which they first appear.
        """
        kept = ids >= 0
        if not kept.any():
            return np.zeros((rows, 1))
        row_of = line_of[kept]
        distinct, first, inverse = np.unique(ids[kept], return_index=True, return_inverse=True)
        column = np.empty(len(distinct), dtype=np.intp)
        column[np.argsort(first)] = np.arange(len(distinct))
        width = len(distinct)
        cells = np.bincount(row_of * width + column[inverse], minlength=rows * width)
        present = np.flatnonzero(cells)
        # Only the present cells are weighted: the same numbers as a pass over the dense
        # matrix, at a fraction of its cost (a news document fills about a tenth of it).
        frequency = np.bincount(present[present < (rows - 1) * width] % width, minlength=width)
        idf = np.log(rows / (1.0 + frequency)) + 1.0
        flat = np.zeros(rows * width)
        flat[present] = (1.0 + np.log(cells[present].astype(float))) * idf[present % width]
        weights = flat.reshape(rows, width)
        norms = np.sqrt(np.add.reduce(weights * weights, axis=1, keepdims=True))
        unit: Matrix = np.divide(weights, norms, out=np.zeros_like(weights), where=norms > 0)
        return unit

    def rate(
        self,
        similarity: Matrix,
        title_similarity: Matrix,
        word_counts: Sequence[int] | NDArray[np.intp],
    ) -> Matrix:
        """Each sentence's score before quality: centrality + position + title, each in [0, 1].

        `word_counts` (words per sentence) places each sentence by how much text comes before
        it (`text_positions`), not by its index.
        """
        tune = self.tuning
        n = similarity.shape[0]
        edges = similarity.copy()
        if n > 1:
            # the extremes off the diagonal, read in place instead of through a masked copy
            np.fill_diagonal(edges, np.inf)
            low = edges.min()
            np.fill_diagonal(edges, -np.inf)
            high = edges.max()
            edges = np.maximum(similarity - (low + tune.threshold * (high - low)), 0.0)
        np.fill_diagonal(edges, 0.0)
        before = np.tri(n, k=-1, dtype=bool)  # [i, j]: sentence j comes before sentence i
        later = np.where(before.T, edges, 0.0).sum(axis=1)
        earlier = np.where(before, edges, 0.0).sum(axis=1)
        centrality = _unit(tune.forward * later + tune.backward * earlier)
        position = 1.0 / (1.0 + text_positions(word_counts)) ** tune.position_decay
        return (
            tune.centrality * centrality
            + tune.position * position
            + tune.title * _unit(title_similarity)
        )

    def _select(
        self,
        scores: Matrix,
        similarity: Matrix,
        count: int,
        lengths: NDArray[np.int_],
        quotations: Quotations,
    ) -> list[int]:
        """Greedy maximal marginal relevance under the sentence and character budgets.

        A sentence about to be chosen that begins inside a quotation (`Quotations.torn`) is
        demoted and the choice made again: the same as demoting every torn sentence first,
        since a demotion only lowers a score, but only the few candidates are looked at.
        `scores` is changed in place.
        """
        tune = self.tuning
        available = np.ones(len(scores), dtype=bool)
        closest = np.zeros(len(scores))
        checked = np.zeros(len(scores), dtype=bool)
        budget = self.max_chars
        chosen: list[int] = []
        while len(chosen) < count and available.any():
            marginal = np.where(available, scores - tune.redundancy * closest, -np.inf)
            best = int(marginal.argmax())
            if not checked[best]:
                checked[best] = True
                if quotations.torn(best):
                    scores[best] *= FACTORS["torn"]
                    continue
            chosen.append(best)
            available[best] = False
            available &= similarity[best] < tune.duplicate
            closest = np.maximum(closest, similarity[best])
            if budget is not None:
                budget -= int(lengths[best]) + 1
                available &= lengths <= budget
        return chosen


_WORD_CACHE = 200_000
_BREAK = -2
"""The id of `LINE_BREAK`: not a term (stop words are -1, terms 0 and up)."""


class _Vocabulary:
    """Word -> term id for one language (stemmer and stop list); -1 for a stop word.

    A summariser is built for every summary, but the words of news repeat from one article
    to the next, so the lower-casing, stop-word test and stemming are done once per word and
    a document's words become ids with one dict lookup each. Ids only need to be consistent
    within one document: past `_WORD_CACHE` words the tables start afresh (as a new pair, so
    a document read in another thread at that moment keeps using the old, consistent one).
    """

    def __init__(self, stem: Callable[[str], str], stop_words: frozenset[str]) -> None:
        self._stem = stem
        self._stop_words = stop_words
        self._tables = _fresh_tables()

    def ids(self, words: Sequence[str]) -> NDArray[np.intp]:
        """The term id of each word, in order."""
        known, _ = self._tables
        try:
            return np.fromiter(map(known.__getitem__, words), dtype=np.intp, count=len(words))
        except KeyError:
            learnt = self._learn(words)
            return np.fromiter(map(learnt.__getitem__, words), dtype=np.intp, count=len(words))

    def _learn(self, words: Sequence[str]) -> dict[str, int]:
        """The ids of `words`, learning the new ones (a stem of "" counts as a stop word)."""
        if len(self._tables[0]) > _WORD_CACHE:
            self._tables = _fresh_tables()
        known, stems = self._tables
        learnt = {}
        for word in set(words):
            if word not in known:
                lowered = word.lower()
                stem = "" if lowered in self._stop_words else self._stem(lowered)
                known[word] = stems.setdefault(stem, len(stems)) if stem else -1
            learnt[word] = known[word]
        return learnt


def _fresh_tables() -> tuple[dict[str, int], dict[str, int]]:
    """Empty word and stem tables that know the line break."""
    return {LINE_BREAK: _BREAK}, {}


@lru_cache(maxsize=64)
def _vocabulary(stem: Callable[[str], str], stop_words: frozenset[str]) -> _Vocabulary:
    """One vocabulary per language, kept across summaries."""
    return _Vocabulary(stem, stop_words)


@lru_cache(maxsize=64)
def _lowered(words: frozenset[str]) -> frozenset[str]:
    """Lower-cased stop words, once per list: a summariser is built for every summary."""
    return frozenset(word.lower() for word in words)


@lru_cache(maxsize=1)
def _blas() -> ThreadpoolController:
    """The BLAS thread pools, found once.

    Our matrices are small: a multi-threaded BLAS spends far longer waking its threads than
    multiplying (2 ms instead of 10 us for a typical article on a busy two-core machine), so the
    products run single-threaded. The limit is process-wide while it lasts: a summary running in
    another thread at the same moment may also run single-threaded, which only changes speed.
    """
    return ThreadpoolController()


def text_positions(word_counts: Sequence[int] | NDArray[np.intp]) -> Matrix:
    """How far into the article each sentence starts, in sentences of the article's median length.

    Counting sentences puts a sentence further down than a reader finds it when short pieces
    come before it: one-line fragments, datelines and photo captions run into the text each
    count as a whole sentence. Counting the words before it, in typical sentences, does not.
    The median, not the mean, so a few long run-on captions do not shrink every distance.
    """
    counts = np.maximum(np.asarray(word_counts, dtype=float), 1.0)
    # whole numbers: the running total minus the sentence itself is exact
    before = np.cumsum(counts) - counts
    positions: Matrix = before / statistics.median(counts.tolist())  # numpy's is 10 us slower
    return positions


def _unit(values: Matrix) -> Matrix:
    """Scale to [0, 1] (all zeros when the values are all equal)."""
    low, high = float(values.min()), float(values.max())
    if high - low <= 1e-12:
        return np.zeros_like(values, dtype=float)
    return (values - low) / (high - low)
