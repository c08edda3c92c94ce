"""Hostile input on the ingest side: what a feed, a page or an odd CLI argument can throw at us.

Each test is one input that once crashed, hung or stored garbage, with the behaviour now wanted.
"""

from __future__ import annotations

import time

from summaries.clean import clean_text, is_caption


def test_a_huge_word_is_not_a_quadratic_caption_check() -> None:
    word = "a" * 200_000  # a base64 blob or a URL run together: one "word" with no spaces
    started = time.perf_counter()
    assert not is_caption(word, word)
    assert clean_text(f"Intro sentence here.\n\n{word}\n\nPhoto: Jane Doe / Reuters") == (
        f"Intro sentence here.\n\n{word}"
    )
    assert time.perf_counter() - started < 2
