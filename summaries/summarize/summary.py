"""Text in, `Summary` out: detect the language, build the document, run the chosen method.

The one place that decides what happens with odd input: an unknown method or a text without a
single sentence is a `SummarizeError`; a short text gives back what there is; a language we
cannot read gets its lead sentences with `fallback=True` and `method="lead"` (what the store and
`--json` then record), never a crash.
"""

from __future__ import annotations

from summaries.errors import SummarizeError
from summaries.models import Article, Summary
from summaries.summarize.centrality import CentralitySummarizer
from summaries.summarize.document import build_document, document_paragraphs
from summaries.summarize.languages import detect_language, language_tools
from summaries.summarize.methods import DEFAULT_METHOD, check_method, summarizer_for
from summaries.summarize.tokenizer import PunktTokenizer, split_text


def summarize(
    text: str,
    *,
    title: str = "",
    sentences: int = 3,
    method: str = DEFAULT_METHOD,
    language: str | None = None,
    max_chars: int | None = None,
) -> Summary:
    """Pick up to `sentences` sentences of `text`, in the article's order.

    `language` (ISO 639-1) skips detection. `max_chars` also caps the summary's length in
    characters; the first chosen sentence is always kept.
    """
    check_method(method)
    if sentences < 1:
        raise SummarizeError("The number of summary sentences must be at least 1.")
    code = _language_code(language) or detect_language(text)
    tools = language_tools(code)
    used = method if tools.supported else "lead"
    summarizer = summarizer_for(used, tools)
    if max_chars is not None and hasattr(summarizer, "max_chars"):
        summarizer.max_chars = max_chars
    if isinstance(summarizer, CentralitySummarizer):
        chosen = _choose(summarizer, text, title, sentences, tools.tokenizer)
    else:
        document = build_document(text, tools.tokenizer, title=title)
        chosen = [str(sentence) for sentence in summarizer(document, sentences)]
    if not chosen:
        raise SummarizeError("There is no text to summarise: the article has no sentences.")
    if max_chars is not None:
        chosen = _within(chosen, max_chars)
    return Summary(
        sentences=tuple(chosen), method=used, language=tools.code, fallback=not tools.supported
    )


def _choose(
    summarizer: CentralitySummarizer,
    text: str,
    title: str,
    count: int,
    tokenizer: PunktTokenizer,
) -> list[str]:
    """Our summariser on sentences split and tokenised here, without sumy's document objects.

    The sentences and words are exactly those of `build_document` (a test checks that both
    paths choose the same); building sumy's objects cost more than the summariser itself.
    """
    blocks = document_paragraphs(text, tokenizer, title=title)
    texts = [sentence for block in blocks for sentence in block]
    words = tokenizer.word_lines([*texts, " ".join(title.split())])
    sizes = [len(block) for block in blocks]
    return [texts[i] for i in summarizer.choose(texts, words, count, paragraphs=sizes)]


def _language_code(language: str | None) -> str | None:
    """ "en-US", "pt_BR", "DE" -> "en", "pt", "de": pages and feeds tag languages loosely."""
    if not language:
        return None
    return language.replace("_", "-").split("-")[0].strip().lower() or None


def _within(sentences: list[str], max_chars: int) -> list[str]:
    """The leading sentences that fit in `max_chars` (at least one)."""
    kept: list[str] = []
    used = -1
    for sentence in sentences:
        used += len(sentence) + 1
        if kept and used > max_chars:
            break
        kept.append(sentence)
    return kept


def summarize_article(
    article: Article, *, sentences: int = 3, method: str = DEFAULT_METHOD
) -> Summary:
    """Summarise a clean article, using its title and any language the extractor recorded."""
    return summarize(
        article.text,
        title=article.title,
        sentences=sentences,
        method=method,
        language=article.language,
    )


def split_sentences(text: str, language: str = "en") -> list[str]:
    """The sentences of `text` as newsbrief's summarisers see them (line breaks end sentences)."""
    return split_text(text, language_tools(language).tokenizer)
