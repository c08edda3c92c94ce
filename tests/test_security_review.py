"""Security review: hostile pages, feeds and chat users against what the README promises.

Each test reproduces one finding of the review (it failed before the fix that came with it).
"""

from __future__ import annotations

import time

import pytest

from summaries.clean import clean_text
from summaries.extract import extract_article

LINE = 160_000
"""Characters in one hostile paragraph: 3% of the default body cap, minutes of work when a
cleaning step is quadratic, well under a second when it is linear."""


@pytest.mark.parametrize(
    "unit",
    ["Mr. ", "A. ", "[", "![a](", "[a](", "**a ", "__a ", "<http://a"],
    ids=[
        "abbreviations",
        "initials",
        "brackets",
        "images",
        "links",
        "bold",
        "underline",
        "autolinks",
    ],
)
def test_one_long_crafted_paragraph_is_cleaned_in_linear_time(unit: str) -> None:
    text = "A page begins here. " + unit * (LINE // len(unit))
    started = time.perf_counter()
    clean_text(text, title="Headline")
    assert time.perf_counter() - started < 3


def test_a_page_of_abbreviations_does_not_hold_the_extractor() -> None:
    """The bot extracts a linked page on its event loop: a slow clean freezes every chat."""
    page = (
        "<html><head><title>Headline</title></head><body><article><h1>Headline</h1><p>"
        + "Mr. " * 20_000
        + "</p><p>A normal closing paragraph of the story, as pages have.</p></article></body>"
        "</html>"
    )
    started = time.perf_counter()
    article = extract_article(page, url="https://example.com/a", content_type="text/html")
    assert time.perf_counter() - started < 5
    assert "closing paragraph" in article.text
