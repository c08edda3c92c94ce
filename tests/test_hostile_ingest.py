"""Hostile input on the ingest side: what a feed, a page or an odd CLI argument can throw at us.

Each test is one input that once crashed, hung or stored garbage, with the behaviour now wanted.
"""

from __future__ import annotations

import json
import time

import pytest

from summaries.clean import clean_text, is_caption
from summaries.feeds import parse_feed


def test_a_huge_word_is_not_a_quadratic_caption_check() -> None:
    word = "a" * 200_000  # a base64 blob or a URL run together: one "word" with no spaces
    started = time.perf_counter()
    assert not is_caption(word, word)
    assert clean_text(f"Intro sentence here.\n\n{word}\n\nPhoto: Jane Doe / Reuters") == (
        f"Intro sentence here.\n\n{word}"
    )
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize(
    "stamp",
    ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "Fri, 31 Dec 9999 23:59:59 -1200"],
)
def test_a_json_feed_date_past_the_calendar_leaves_the_entry_undated(stamp: str) -> None:
    item = {"id": "1", "url": "https://example.com/a", "title": "A", "content_text": "Text."}
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "items": [{**item, "date_published": stamp}],
    }
    parsed = parse_feed(json.dumps(feed).encode(), url="https://example.com/feed.json")
    assert [(e.url, e.published) for e in parsed.entries] == [("https://example.com/a", None)]
