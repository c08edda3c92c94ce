"""`newsbrief eval DATASET.jsonl`: ROUGE of the summary methods against reference summaries."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from summaries.compare import Difference, paired_difference
from summaries.errors import SummarizeError
from summaries.evaluate import (
    HALVES,
    MethodScore,
    Prediction,
    evaluate_method,
    load_dataset,
    write_predictions,
)
from summaries.evaluate import half as split_half
from summaries.summarize import METHODS, STOCK_METHODS

DEFAULT_METHODS = ("default", "lead", *STOCK_METHODS)

EVAL_HELP = """Score summary methods on DATASET.jsonl with ROUGE-1/2/Lsum F1 x 100.

\b
DATASET is JSON Lines, one article per line:
  {"id": ..., "title": ..., "text": ..., "reference": "sentence\\nsentence", ...}
(the format of ../shared/data). Scores use rouge-score with stemming, each summary's
sentences joined by newlines; ms/article is the time of the whole summarize() call.
Without --method, every method is scored: default, lead and each stock sumy method.
"""


@contextmanager
def progress(total: int, label: str) -> Iterator[Callable[[], None]]:
    """A tick callback that draws a progress bar on a terminal (stderr) and is silent otherwise."""
    if not sys.stderr.isatty():
        yield lambda: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield lambda: bar.update(1)


def score_row(score: MethodScore) -> str:
    """One line of the table."""
    return (
        f"{score.method:<10} {score.rouge1:>7.2f} {score.rouge2:>7.2f} "
        f"{score.rouge_lsum:>7.2f} {score.ms_per_article:>11.2f}"
    )


def score_json(
    score: MethodScore, dataset: Path, sentences: int, against: Difference | None = None
) -> str:
    """One method's result as a JSON object (stable field names)."""
    row: dict[str, object] = {
        "dataset": dataset.name,
        "method": score.method,
        "articles": score.articles,
        "sentences": sentences,
        "rouge1": round(score.rouge1, 2),
        "rouge2": round(score.rouge2, 2),
        "rougeLsum": round(score.rouge_lsum, 2),
        "ms_per_article": round(score.ms_per_article, 3),
    }
    if against is not None:
        row["against"] = {
            "method": against.baseline,
            "difference": [round(m, 2) for m in against.means],
            "standard_error": [round(e, 2) for e in against.errors],
            "ahead": against.ahead,
            "behind": against.behind,
            "level": against.level,
        }
    return json.dumps(row)


@click.command("eval", help=EVAL_HELP)
@click.argument("dataset", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--method",
    "-m",
    "methods",
    multiple=True,
    type=click.Choice(METHODS),
    help="A method to score (repeat for several). Default: default, lead and every stock method.",
)
@click.option(
    "--sentences",
    "-s",
    default=3,
    show_default=True,
    type=click.IntRange(1, 20),
    help="Sentences per summary.",
)
@click.option(
    "--half",
    type=click.Choice(HALVES),
    help="Only the dev half (used to tune the default method) or the held-out half.",
)
@click.option("--limit", type=click.IntRange(1), help="Only the first N articles.")
@click.option(
    "--predictions",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help='Write {"id", "method", "summary": [sentences]} rows to this JSON Lines file.',
)
@click.option(
    "--against",
    type=click.Choice(METHODS),
    help="Also print each method's paired difference from this one (mean ± standard error).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per method, per line.")
def eval_command(
    dataset: Path,
    methods: tuple[str, ...],
    sentences: int,
    half: str | None,
    limit: int | None,
    predictions: Path | None,
    against: str | None,
    as_json: bool,
) -> None:
    articles = load_dataset(dataset, limit=None if half else limit)
    if half is not None:
        articles = split_half(articles, half)[:limit]
    part = f" ({half} half)" if half else ""
    if not articles:
        raise SummarizeError(f"No articles to score in {dataset}{part}.")
    if predictions is not None:
        write_predictions(predictions, [])  # an unwritable path fails now, not after the run
    chosen = tuple(dict.fromkeys(methods)) or DEFAULT_METHODS
    if against is not None and against not in chosen:
        chosen = (*chosen, against)
    scores: list[MethodScore] = []
    written: list[Prediction] = []
    with progress(len(articles) * len(chosen), "Summarising") as tick:
        for method in chosen:
            score, rows = evaluate_method(articles, method, sentences=sentences, progress=tick)
            scores.append(score)
            written.extend(rows)
    if predictions is not None:
        write_predictions(predictions, written)
    differences = _differences(scores, against)
    if as_json:
        for score in scores:
            click.echo(score_json(score, dataset, sentences, differences.get(score.method)))
        return
    counts = f"{_counted(len(articles), 'article')}, {_counted(sentences, 'sentence')}"
    # format_filename: a name that is not UTF-8 could not be printed (UnicodeEncodeError)
    click.echo(f"{click.format_filename(dataset, shorten=True)}{part}: {counts} per summary")
    click.echo(f"{'method':<10} {'ROUGE-1':>7} {'ROUGE-2':>7} {'R-Lsum':>7} {'ms/article':>11}")
    for score in scores:
        click.echo(score_row(score))
    for difference in differences.values():
        click.echo(difference.describe())
    if predictions is not None:
        click.echo(f"Predictions: {len(written)} rows in {click.format_filename(predictions)}")


def _differences(scores: list[MethodScore], against: str | None) -> dict[str, Difference]:
    """Each method's paired difference from the `against` method, by method name."""
    if against is None:
        return {}
    baseline = next(s for s in scores if s.method == against)
    return {s.method: paired_difference(s, baseline) for s in scores if s is not baseline}


def _counted(number: int, noun: str) -> str:
    """`1 article`, `2 articles`."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def register(group: click.Group) -> None:
    """Add `eval` to the command line."""
    group.add_command(eval_command)
