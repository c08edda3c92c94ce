"""The method registry: a name -> a sumy summariser configured for one language.

Every method, ours included, is a sumy `AbstractSummarizer` called as `summarizer(document, n)`
on the same document, so the evaluation compares them like for like.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy
from sumy.summarizers.edmundson import EdmundsonSummarizer
from sumy.summarizers.kl import KLSummarizer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer
from sumy.summarizers.luhn import LuhnSummarizer
from sumy.summarizers.sum_basic import SumBasicSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer

from summaries.errors import SummarizeError
from summaries.summarize.centrality import CentralitySummarizer
from summaries.summarize.languages import LanguageTools
from summaries.summarize.lead import LeadSummarizer

Factory = Callable[[LanguageTools], Any]


def _stock(summarizer_class: type[Any]) -> Factory:
    """A stock sumy summariser with the language's stemmer and stop words, as sumy documents it."""

    def build(tools: LanguageTools) -> Any:
        summarizer = summarizer_class(tools.stem)
        summarizer.stop_words = tools.stop_words
        return summarizer

    return build


class _LexRank(LexRankSummarizer):  # type: ignore[misc]
    """sumy's LexRank, except when no sentence is like any other, itself included.

    That happens when every word is a stop word or in all sentences but one (its idf is 0:
    "Cats run fast. Dogs jump high."). The similarity matrix is then all zeros and sumy's power
    method divides by a zero norm: a RuntimeWarning and NaN scores. Equal scores instead pick
    the same sentences (the first ones) without the warning.
    """

    @staticmethod
    def power_method(matrix: Any, epsilon: float) -> Any:
        if not matrix.any():
            return numpy.full(len(matrix), 1.0 / len(matrix))
        return LexRankSummarizer.power_method(matrix, epsilon)


def _edmundson(tools: LanguageTools) -> Any:
    """Edmundson's title and location methods (cue and key words need lists we do not have)."""
    summarizer = EdmundsonSummarizer(
        tools.stem, cue_weight=0.0, key_weight=0.0, title_weight=1.0, location_weight=1.0
    )
    summarizer.null_words = tools.stop_words or {""}
    return summarizer


def _default(tools: LanguageTools) -> Any:
    return CentralitySummarizer(tools.stem, tools.stop_words)


def _lead(tools: LanguageTools) -> Any:
    return LeadSummarizer()


_FACTORIES: dict[str, Factory] = {
    "default": _default,
    "lead": _lead,
    "lexrank": _stock(_LexRank),
    "textrank": _stock(TextRankSummarizer),
    "lsa": _stock(LsaSummarizer),
    "luhn": _stock(LuhnSummarizer),
    "kl": _stock(KLSummarizer),
    "sumbasic": _stock(SumBasicSummarizer),
    "edmundson": _edmundson,
}

METHODS: tuple[str, ...] = tuple(_FACTORIES)
DEFAULT_METHOD = "default"
STOCK_METHODS: tuple[str, ...] = tuple(m for m in METHODS if m not in ("default", "lead"))


def check_method(method: str) -> str:
    """`method` if it is known; otherwise a SummarizeError that lists the valid names."""
    if method not in _FACTORIES:
        raise SummarizeError(
            f"Unknown summary method {method!r}; choose one of: {', '.join(METHODS)}."
        )
    return method


def summarizer_for(method: str, tools: LanguageTools) -> Any:
    """A fresh summariser for `method` in the language of `tools`."""
    return _FACTORIES[check_method(method)](tools)
