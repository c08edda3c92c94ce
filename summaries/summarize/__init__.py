"""Extractive summaries, offline, in many languages, with sumy's methods and our own.

    summarize(text, title=..., sentences=3, method="default") -> Summary
    summarize_article(article) -> Summary
    detect_language(text) -> "en" | "de" | ... | None
    split_sentences(text, language) -> [sentence, ...]

`METHODS` lists the method names: "default" (ours: position-aware centrality with MMR, see
`centrality.py`), "lead" (first sentences) and the stock sumy methods.
"""

from __future__ import annotations

from summaries.summarize.languages import SUPPORTED_LANGUAGES, detect_language
from summaries.summarize.methods import DEFAULT_METHOD, METHODS, STOCK_METHODS
from summaries.summarize.summary import split_sentences, summarize, summarize_article

__all__ = [
    "DEFAULT_METHOD",
    "METHODS",
    "STOCK_METHODS",
    "SUPPORTED_LANGUAGES",
    "detect_language",
    "split_sentences",
    "summarize",
    "summarize_article",
]
