"""Review of the core hardening: guarded branches that no other test reached.

Each test feeds the bad input a guard names and checks the safe result or the clear error.
"""

from __future__ import annotations

import asyncio
import gzip
import random
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from summaries.feed_guards import MAX_OPEN
from summaries.feeds import parse_feed
from summaries.inflate import Inflater
from summaries.polling import longest_wait, next_poll_time
from summaries.query import parse_query
from summaries.sniff import MAX_ATTRIBUTES, attribute_flood
from summaries.tasks import all_finished
from summaries.urls import find_urls

FEED_URL = "https://feeds.example/rss"
LINK = "https://news.example/story"


def _rss(items: int) -> bytes:
    body = "".join(
        f"<item><title>Story {i}</title><link>{LINK}/{i}</link>"
        f"<description>Body {i}.</description></item>"
        for i in range(items)
    )
    channel = f"<channel><title>T</title>{body}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'.encode()


@pytest.mark.parametrize("opener", [b"<![CDATA[", b"<!--"], ids=["cdata", "comment"])
def test_a_section_never_closed_keeps_the_items_before_it_and_costs_nothing(opener: bytes) -> None:
    """`_without_cdata_or_comments` stops at a CDATA section or comment that never ends: both
    parsers read the rest as text, so the elements after it (twice `MAX_OPEN`, which would
    be refused as markup) open nothing, and the items before it are kept."""
    flood = opener + b"<x>" * (2 * MAX_OPEN)
    body = _rss(3).replace(b"</channel>", flood + b"</channel>")
    tracemalloc.start()
    try:
        feed = parse_feed(body, url=FEED_URL)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [entry.url for entry in feed.entries] == [f"{LINK}/{i}" for i in range(3)]
    assert peak < 20_000_000


def test_a_gzip_member_cut_after_its_first_byte_is_still_read() -> None:
    """A lone 0x1f at the end of a chunk may start the next gzip member (`Inflater._trailer`)."""
    first, second = gzip.compress(b"<rss>"), gzip.compress(b"</rss>")
    inflater = Inflater("gzip", 1_000, FEED_URL)
    out = inflater.feed(first + second[:1]) + inflater.feed(second[1:])
    assert out == b"<rss></rss>"


def test_a_lone_gzip_magic_byte_then_junk_ends_the_body() -> None:
    """0x1f then anything but 0x8b is junk after the body: dropped, and so is all that follows."""
    inflater = Inflater("gzip", 1_000, FEED_URL)
    out = inflater.feed(gzip.compress(b"<rss/>") + b"\x1f") + inflater.feed(b"junk")
    assert out == b"<rss/>"
    assert inflater.feed(gzip.compress(b"more")) == b""


def test_a_link_followed_by_a_flood_of_closing_brackets_is_found_in_linear_time() -> None:
    """`_trim` counted the brackets again for each one dropped: 200,000 took about 12 s."""
    started = time.perf_counter()
    found = find_urls(f"see {LINK}" + ")" * 200_000)
    assert time.perf_counter() - started < 2
    assert found == [LINK]


def test_one_very_long_query_word_is_lexed_in_linear_time() -> None:
    """`_lex` lower-cased the word so far at each character: 300,000 took about 12 s."""
    started = time.perf_counter()
    query = parse_query("a" * 300_000)
    assert time.perf_counter() - started < 2
    assert not query.is_empty


async def test_all_finished_raises_only_once_every_job_has_ended() -> None:
    """Unlike `asyncio.gather`, a failing job does not leave the others running behind."""
    ended: list[str] = []

    async def fail() -> str:
        raise ValueError("first")

    async def slow() -> str:
        await asyncio.sleep(0.05)
        ended.append("slow")
        return "slow"

    with pytest.raises(ValueError, match="first"):
        await all_finished([fail(), slow()])
    assert ended == ["slow"]


async def test_all_finished_returns_results_in_the_order_given() -> None:
    async def after(delay: float, value: int) -> int:
        await asyncio.sleep(delay)
        return value

    assert await all_finished([after(0.02, 1), after(0.0, 2)]) == [1, 2]


class _Largest(random.Random):
    """A random source that always draws the top of the range (the longest jitter)."""

    def uniform(self, a: float, b: float) -> float:
        return b


@pytest.mark.parametrize("failures", [0, 1, 5, 12, 20, 30])
@pytest.mark.parametrize("interval", [60, 900, 3600])
def test_longest_wait_is_the_furthest_next_poll_time_goes(interval: int, failures: int) -> None:
    """The clock-jump check (`poll_now_after_clock_jump`) moves a source whose next poll is
    past `longest_wait`: were it shorter than a real back-off, sources would be polled early."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    furthest = next_poll_time(now, interval, failures, _Largest()) - now
    assert furthest == longest_wait(interval, failures)


@pytest.mark.parametrize("markup", [str, str.encode], ids=["page", "feed bytes"])
def test_attributes_spaced_after_their_equals_sign_are_counted_in_linear_time(
    markup: Callable[[str], str | bytes],
) -> None:
    """`x= y` is one attribute (the value may follow a space), but the pattern could also read
    it as `x=` and `y`: a tag of 128 of them, 640 bytes, backtracked through 2**128 readings
    before it said "no flood", and held the worker for ever."""
    started = time.perf_counter()
    assert not attribute_flood(markup("<a" + " x= y" * 128 + ">"))
    assert not attribute_flood(markup("<a" + " x = 'y'" * 128 + "/>"))
    assert time.perf_counter() - started < 1
    assert attribute_flood(markup("<a" + " x= y" * (MAX_ATTRIBUTES + 1) + ">"))
