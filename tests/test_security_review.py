"""Security review: hostile pages, feeds and chat users against what the README promises.

Each test reproduces one finding of the review (it failed before the fix that came with it).
"""

from __future__ import annotations

import json
import time

import pytest

from summaries.clean import clean_text
from summaries.errors import FeedError
from summaries.extract import extract_article
from summaries.feeds import discover_feeds, parse_feed

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


@pytest.mark.parametrize("unit", ["<link rel=alternate ", "<a ", '<a b="'])
def test_feed_discovery_reads_unclosed_tags_in_linear_time(unit: str) -> None:
    """An operator adds a site; a hostile page of unclosed tags held the event loop."""
    page = unit * (400_000 // len(unit))
    started = time.perf_counter()
    assert discover_feeds(page, "https://example.com/") == []
    assert time.perf_counter() - started < 3


def test_feed_discovery_still_reads_links_anywhere_in_tag_soup() -> None:
    page = (
        "<?xml version='1.0' encoding='utf-8'?><html><head><title>Caf\u00e9 &amp; co</title>"
        '<link rel="alternate" title="News > World" type="application/rss+xml" '
        'href="/rss?a=1&amp;b=2"></head><body><p>text<div><<<'
        "<link rel=alternate type=application/atom+xml href=atom.xml></body>"
    )
    assert discover_feeds(page, "https://example.com/x/") == [
        "https://example.com/rss?a=1&b=2",
        "https://example.com/x/atom.xml",
    ]
    assert discover_feeds("", "https://example.com/") == []
    assert discover_feeds("<!-- only a comment -->", "https://example.com/") == []


def _has_control(text: str | None) -> bool:
    return any(ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F for char in text or "")


def test_control_characters_in_feed_links_never_reach_a_terminal() -> None:
    """An entry's link is stored as the article's address and printed by `newsbrief search`."""
    rss = (
        b'<rss version="2.0"><channel><title>t</title><link>https://e.com/\x1b[2J</link><item>'
        b"<title>x</title><link>https://e.com/a\x1b]0;owned\x07</link>"
        b"<description>hello there</description></item></channel></rss>"
    )
    json_feed = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "t",
            "home_page_url": "https://e.com/\u009b2J",
            "items": [{"id": "1", "url": "https://e.com/a\u001b[31m", "content_text": "hi"}],
        }
    ).encode()
    for body in (rss, json_feed):
        feed = parse_feed(body, url="https://e.com/feed")
        assert feed.entries
        for link in (feed.link, *(entry.url for entry in feed.entries)):
            assert not _has_control(link), link
    assert (
        parse_feed(rss, url="https://e.com/feed").entries[0].url == "https://e.com/a%1B]0;owned%07"
    )


def test_a_content_type_header_cannot_put_control_characters_in_a_source_error() -> None:
    with pytest.raises(FeedError) as refused:
        parse_feed(b"<p>x</p>", url="https://e.com/f", content_type="text/plain\x9b31m")
    assert not _has_control(str(refused.value))
