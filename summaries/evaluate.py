"""ROUGE evaluation of the summary methods on a JSON Lines dataset (see ../shared/data/README.md).

Scored as papers do: Google's rouge-score, ROUGE-1/2/Lsum F1 x 100 with stemming, averaged over
articles, each summary's sentences joined by newlines (what ROUGE-Lsum expects). The time per
article covers the whole `summarize` call (language detection, splitting, the method), not the
scoring, so the figures are what a user of newsbrief waits for.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from nltk.stem import porter
from rouge_score import tokenize
from rouge_score.rouge_scorer import RougeScorer
from rouge_score.tokenizers import Tokenizer

from summaries.errors import SummarizeError
from summaries.summarize import summarize
from summaries.summarize.methods import check_method

ROUGE_TYPES = ("rouge1", "rouge2", "rougeLsum")


class CachedStemmingTokenizer(Tokenizer):  # type: ignore[misc]
    """rouge-score's default tokenizer with `use_stemmer=True`, memoising the Porter stemmer.

    The tokens are exactly the default's; stemming every token anew is most of the scoring time,
    and articles repeat their words.
    """

    def __init__(self) -> None:
        self.stem = lru_cache(maxsize=200_000)(porter.PorterStemmer().stem)

    def tokenize(self, text: str) -> list[str]:
        tokens: list[str] = tokenize.tokenize(text, self)
        return tokens


@lru_cache(maxsize=1)
def rouge_scorer() -> Any:
    """The scorer papers use: ROUGE-1/2/Lsum with stemming.

    One for the process: every method is scored against the same references, so the stems
    learnt while scoring one method serve the next (a third less scoring time per method).
    """
    return RougeScorer(list(ROUGE_TYPES), tokenizer=CachedStemmingTokenizer())


@dataclass(frozen=True)
class EvalArticle:
    """One dataset row: an article and its reference summary (one sentence per line)."""

    id: str
    text: str
    reference: str
    title: str = ""


@dataclass(frozen=True)
class Prediction:
    """The sentences a method chose for one article (empty when it had nothing to summarise)."""

    id: str
    method: str
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class MethodScore:
    """A method's averages over a dataset: ROUGE F1 x 100 and milliseconds per article."""

    method: str
    articles: int
    rouge1: float
    rouge2: float
    rouge_lsum: float
    ms_per_article: float
    per_article: tuple[tuple[float, float, float], ...] = ()
    """Each article's ROUGE-1/2/Lsum F1 x 100, in the dataset's order (for paired comparisons)."""


def load_dataset(path: Path, *, limit: int | None = None) -> list[EvalArticle]:
    """Read the rows of a dataset file; SummarizeError naming the line if one is malformed."""
    articles: list[EvalArticle] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise SummarizeError(f"Cannot read the dataset {path}: {error.strerror}.") from error
    except UnicodeDecodeError as error:
        raise SummarizeError(
            f"{path} is not UTF-8 text; a dataset is JSON Lines (see ../shared/data/README.md)."
        ) from error
    for number, line in enumerate(lines, start=1):
        if limit is not None and len(articles) >= limit:
            break
        if not line.strip():
            continue
        try:
            articles.append(_row(json.loads(line)))
        except (ValueError, KeyError, TypeError) as error:
            raise SummarizeError(
                f"{path}, line {number}: not a dataset row with id, text and reference"
                f" ({error.__class__.__name__}: {error})."
                " See ../shared/data/README.md for the format."
            ) from error
    return articles


def _row(row: Any) -> EvalArticle:
    """One dataset row; TypeError unless text, reference and title are strings and the id a
    string or number. `str()` of anything else was scored silently: a `null` reference as the
    word "None", a list as its Python spelling."""
    if not isinstance(row, dict):
        raise TypeError("a row is a JSON object")
    text, reference, title = row["text"], row["reference"], row.get("title") or ""
    if not all(isinstance(value, str) for value in (text, reference, title)):
        raise TypeError("text, reference and title must be strings")
    if isinstance(row["id"], bool) or not isinstance(row["id"], str | int):
        raise TypeError("id must be a string or a number")
    return EvalArticle(id=str(row["id"]), text=text, reference=reference, title=title)


HALVES = ("dev", "held-out")


def half(articles: Sequence[EvalArticle], name: str) -> list[EvalArticle]:
    """The articles of one half: "dev" (SHA-1 of the id is even) or "held-out" (odd).

    The default method's weights were chosen on the dev halves; the held-out halves show
    whether they carry over to articles the tuning never saw.
    """
    if name not in HALVES:
        raise SummarizeError(f"Unknown half {name!r}; choose one of: {', '.join(HALVES)}.")
    parity = HALVES.index(name)
    return [a for a in articles if _parity(a.id) == parity]


def _parity(article_id: str) -> int:
    """0 or 1 from the id's SHA-1: a split that is stable and independent of the file's order."""
    key = article_id.encode(errors="surrogatepass")  # JSON ids may hold a lone surrogate
    digest = hashlib.sha1(key, usedforsecurity=False).digest()
    return digest[-1] % 2


def evaluate_method(
    articles: Sequence[EvalArticle],
    method: str,
    *,
    sentences: int = 3,
    use_title: bool = True,
    progress: Callable[[], None] | None = None,
) -> tuple[MethodScore, list[Prediction]]:
    """Summarise every article with `method` and score it against the references."""
    check_method(method)
    scorer = rouge_scorer()
    totals = dict.fromkeys(ROUGE_TYPES, 0.0)
    elapsed = 0.0
    predictions: list[Prediction] = []
    each: list[tuple[float, float, float]] = []
    if articles:  # load the language model and the method once, outside the timing
        _summarise(articles[0], method, sentences, use_title)
    for article in articles:
        started = time.perf_counter()
        chosen = _summarise(article, method, sentences, use_title)
        elapsed += time.perf_counter() - started
        predictions.append(Prediction(article.id, method, chosen))
        scores = scorer.score(article.reference, "\n".join(chosen))
        for kind in ROUGE_TYPES:
            totals[kind] += scores[kind].fmeasure
        r1, r2, rl = (100 * scores[kind].fmeasure for kind in ROUGE_TYPES)
        each.append((r1, r2, rl))
        if progress is not None:
            progress()
    count = max(len(articles), 1)
    score = MethodScore(
        method=method,
        articles=len(articles),
        rouge1=100 * totals["rouge1"] / count,
        rouge2=100 * totals["rouge2"] / count,
        rouge_lsum=100 * totals["rougeLsum"] / count,
        ms_per_article=1000 * elapsed / count,
        per_article=tuple(each),
    )
    return score, predictions


def _summarise(
    article: EvalArticle, method: str, sentences: int, use_title: bool
) -> tuple[str, ...]:
    """The chosen sentences; none for an article without a sentence (it scores zero)."""
    title = article.title if use_title else ""
    try:
        return summarize(article.text, title=title, sentences=sentences, method=method).sentences
    except SummarizeError:
        return ()


def write_predictions(path: Path, predictions: Iterable[Prediction]) -> int:
    """Write `{"id", "method", "summary"}` rows, the summary as a list of sentences.

    Returns the number of rows written.
    """
    count = 0
    try:
        # A lone surrogate (valid in JSON input) is written back as its JSON escape.
        with path.open("w", encoding="utf-8", errors="backslashreplace") as out:
            for prediction in predictions:
                row = {
                    "id": prediction.id,
                    "method": prediction.method,
                    "summary": prediction.sentences,
                }
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
    except OSError as error:
        raise SummarizeError(
            f"Cannot write the predictions to {path}: {error.strerror}."
        ) from error
    return count
