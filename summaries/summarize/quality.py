"""How well a sentence reads on its own, as a factor in (0, 1] on its score.

A summary sentence is read without its neighbours, so fragments, captions and headlines (no
closing punctuation), questions, quotations that start the sentence (whose speaker comes later or
not at all), pieces of a quotation torn from its opening, very short or rambling sentences and
page furniture (links, "click here", "follow us") are demoted, not banned: when an article has
nothing better, they can still be chosen.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

_TRAILERS = "\"'”’»)] "
_TERMINATORS = ".!?…。！？"
_QUOTES = "\"'“‘«„‹"
# a quotation closed after its punctuation and followed by words: "...," she said.
_ATTRIBUTION = re.compile(r"""[,.!?…]\s?["'”’»“]\s+\w|["”»“]\s*,?\s*[—–-]?\s*\w""")
_FURNITURE = (
    "http://",
    "https://",
    "www.",
    "click here",
    "follow us",
    "subscribe",
    "read more",
    "photo:",
    "photos:",
    "photograph:",
    "credit:",
    "copyright",
    "©",
)
_HANDLE = re.compile(r"@\w")

# Under 12 words a news sentence rarely carries the story alone (quote fragments, captions,
# sign-offs); under 7 it almost never does. Thresholds and factors were chosen on the dev halves
# of cnndm-dev and bbc-news-summary (see `centrality.Tuning`). "torn" costs one cnndm dev article
# whose reference copies a torn quotation (-0.13 ROUGE-1 there) and nothing on bbc dev; merging
# the quotation's pieces into one unit instead scored lower on bbc dev and made units of
# several sentences, so the piece is demoted instead.
SHORT_WORDS = 12
LONG_WORDS = 55
FACTORS = {
    "very_short": 0.25,
    "short": 0.8,
    "long": 0.8,
    "unclosed": 0.3,
    "question": 0.4,
    "quote": 0.25,
    "furniture": 0.3,
    "torn": 0.25,
}


def quality_factor(text: str, furniture: Sequence[str] = _FURNITURE) -> float:
    """The factor for one sentence; `furniture` narrows the markers worth looking for."""
    words = len(text.split())
    factor = 1.0
    if words < SHORT_WORDS // 2 + 1:
        factor *= FACTORS["very_short"]
    elif words < SHORT_WORDS:
        factor *= FACTORS["short"]
    elif words > LONG_WORDS:
        factor *= FACTORS["long"]
    end = text.rstrip(_TRAILERS)[-1:]
    if end == "?":
        factor *= FACTORS["question"]
    elif not end or end not in _TERMINATORS:
        factor *= FACTORS["unclosed"]
    if text[:1] in _QUOTES and _unattributed(text):
        factor *= FACTORS["quote"]
    if _is_furniture(text, furniture):
        factor *= FACTORS["furniture"]
    return factor


def _unattributed(text: str) -> bool:
    """A quotation with no speaker in the sentence: it runs to the end or never closes."""
    return _ATTRIBUTION.search(text, 1) is None


def _is_furniture(text: str, markers: Sequence[str]) -> bool:
    """Links, handles, calls to action and credits: page furniture rather than news."""
    if markers:
        lowered = text.lower()
        if any(marker in lowered for marker in markers):
            return True
    return "@" in text and _HANDLE.search(text) is not None


def quality_factors(texts: Sequence[str]) -> NDArray[np.float64]:
    """The factors for a document's sentences, as an array.

    Most articles contain no furniture marker at all: one look over the whole text finds the
    few worth checking sentence by sentence. ("torn", for a sentence that begins inside a
    quotation, is applied while choosing: see `centrality.CentralitySummarizer._select`.)
    """
    whole = "\n".join(texts).lower()
    markers = tuple(marker for marker in _FURNITURE if marker in whole)
    return np.array([quality_factor(text, markers) for text in texts], dtype=float)
