"""The lead baseline: the article's first sentences, as a sumy summariser.

News is written as an inverted pyramid, so the first sentences are a strong summary (Lead-3 is
the yardstick on CNN/DailyMail) and the fallback for a language we cannot read.
"""

from __future__ import annotations

from typing import Any

from sumy.summarizers import AbstractSummarizer
from sumy.utils import ItemsCount


class LeadSummarizer(AbstractSummarizer):  # type: ignore[misc]
    """Return the first `sentences_count` sentences (an int or sumy's "20%" form)."""

    def __call__(self, document: Any, sentences_count: int | str) -> tuple[Any, ...]:
        return tuple(ItemsCount(sentences_count)(list(document.sentences)))
