"""Rendering: every part parses as Telegram HTML, stays under the limit, escapes outside text."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot import render, render_info
from summaries.models import Article, Source, StoredArticle, Summary
from summaries.search import SearchHit, SearchPage
from tests.fake_telegram_html import parse_html, utf16_len

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
HOSTILE = [
    "<script>alert('x')</script>",
    "Tom & Jerry &amp; &lt;b&gt; &nbsp; &#0;",
    "</b></i><b>unclosed",
    '<a href="javascript:alert(1)">x</a>',
    "😀🇺🇦👩‍👩‍👧‍👦 emoji and flags",
    "\u202eRTL override עברית العربية\u202c",
    "zero\u200bwidth\u200d\u2060\ufeff",
    "control\x00\x07chars and a lone \ud800 surrogate",
    "x" * 4000,
    "😀" * 2100,
    "word " * 900,
]


def article(title: str = "Storm hits coast", **changes: object) -> StoredArticle:
    base = StoredArticle(
        id=1,
        url="https://news.example/storm?a=1&b=2",
        title=title,
        source_id=1,
        source_name="Example News",
        published_at=NOW - timedelta(hours=3),
        fetched_at=NOW,
        summary=("The storm arrived at dawn.", "Thousands lost power."),
        method="lead",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def assert_sendable(reply: render.Reply) -> list[str]:
    """Each part parses like Telegram does and is within the limit; returns the shown texts."""
    shown = []
    for part in reply.parts:
        text, _ = parse_html(part)
        assert 0 < utf16_len(text.strip()) <= render.TELEGRAM_LIMIT
        assert render.text_length(part) == utf16_len(text)
        assert render.to_plain(part) == text
        shown.append(text)
    for row in reply.buttons:
        for button in row:
            assert 0 < len(button.data.encode()) <= render.CALLBACK_LIMIT or button.url
    return shown


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_anywhere_renders_as_escaped_valid_html(hostile: str) -> None:
    story = article(
        hostile, source_name=hostile, summary=(hostile, hostile), also_reported_by=(hostile,)
    )
    shown = "\n".join(assert_sendable(render.latest_reply([story] * 3, NOW, source=hostile)))
    if hostile.startswith("<script>"):
        assert "<script>alert('x')</script>" in shown
    page = SearchPage((SearchHit(story, ((hostile, True), (hostile, False)), 1.0),), 1, 0, 5)
    assert len(assert_sendable(render.search_reply(page, hostile, NOW, key="k"))) == 1
    summary = Summary(sentences=(hostile,), method="lead")
    assert_sendable(render.summary_reply(Article(title=hostile, text="", url=hostile), summary))
    assert_sendable(render.notice(hostile))
    assert parse_html(render.inline_text(story))


def test_bidi_overrides_in_outside_text_are_dropped_and_the_script_kept() -> None:
    story = article("\u202eevil\u202c title", summary=("\u2067שלום\u2069 world",))
    shown = "\n".join(assert_sendable(render.latest_reply([story], NOW, source="\u202dx")))
    assert not set(shown) & set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    assert "evil title" in shown and "שלום world" in shown
    assert render.notice("\u202eabc").parts == ("abc",)


def test_article_block_links_title_and_shows_source_age_and_sentences() -> None:
    reply = render.latest_reply([article()], NOW)
    assert reply.parts[0] == (
        "<b>Latest news</b>\n\n"
        '<b><a href="https://news.example/storm?a=1&amp;b=2">Storm hits coast</a></b>\n'
        "<i>Example News · 3 h ago</i>\n"
        "The storm arrived at dawn.\nThousands lost power."
    )


def test_non_http_links_are_not_linked() -> None:
    assert render.link("javascript:alert(1)", "x") == "x"
    assert render.title_line("t", "tg://resolve") == "<b>t</b>"


def test_long_replies_split_between_items_each_part_under_the_limit() -> None:
    stories = [article(f"Story {i}", summary=("A sentence. " * 100,) * 3) for i in range(20)]
    reply = render.latest_reply(stories, NOW)
    shown = assert_sendable(reply)
    assert len(reply.parts) > 3
    assert all(render.text_length(p) <= render.PART_LIMIT for p in reply.parts)
    assert sum(text.count("Story ") for text in shown) == 20, "no item lost or duplicated"


def test_one_item_bigger_than_a_message_is_split_between_sentences() -> None:
    sentences = tuple(f"Sentence {i} " + "é" * 1400 for i in range(8))
    reply = render.latest_reply([article(summary=sentences)], NOW)
    shown = assert_sendable(reply)
    assert len(reply.parts) >= 3
    assert [s for text in shown for s in text.split("\n") if s.startswith("Sentence")] == [
        s.strip() for s in sentences
    ]


def test_emoji_count_twice_toward_the_limit() -> None:
    reply = render.summary_reply(Article(title="t", text=""), Summary(("😀" * 1400,) * 3, "lead"))
    assert len(reply.parts) == 3, "1,400 emoji are 2,800 UTF-16 units: two never fit in one part"
    assert_sendable(reply)


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(seconds=20), "just now"),
        (timedelta(seconds=-300), "just now"),
        (timedelta(minutes=5), "5 min ago"),
        (timedelta(hours=3, minutes=59), "3 h ago"),
        (timedelta(days=1, hours=2), "yesterday"),
        (timedelta(days=6), "6 days ago"),
        (timedelta(days=400), "21 Oct 2025"),
    ],
)
def test_age_reads_like_people_say_it(delta: timedelta, expected: str) -> None:
    assert render.age(NOW - delta, NOW) == expected


def test_search_page_buttons_and_empty_results() -> None:
    hits = tuple(SearchHit(article(f"S{i}"), (("storm", True),), 1.0) for i in range(5))
    middle = render.search_reply(SearchPage(hits, 23, 5, 5), "storm", NOW, key="abc123")
    assert [b.data for b in middle.buttons[0]] == ["s:0:abc123", "s:2:abc123"]
    assert "Results 6–10 of 23" in render.to_plain(middle.parts[0])
    last = render.search_reply(SearchPage(hits[:3], 23, 20, 5), "storm", NOW, key="abc123")
    assert [b.label for b in last.buttons[0]] == ["◀ Previous"]
    nothing = render.search_reply(SearchPage((), 0, 0, 5), "<b>zzz", NOW, key="k")
    assert "Nothing found for <b>&lt;b&gt;zzz</b>" in nothing.parts[0]
    assert nothing.buttons == ()


def test_callback_data_over_64_bytes_is_refused() -> None:
    assert render.callback_data("s", 3, "k" * 58) == "s:3:" + "k" * 58
    with pytest.raises(ValueError):
        render.callback_data("s", 3, "é" * 40)


def test_source_health_lines() -> None:
    ok = Source(1, "https://a.example/feed", "A & B", last_success_at=NOW, article_count=1)
    failing = Source(2, "https://b.example/feed", "B", consecutive_failures=3, last_error="<503>")
    shown = assert_sendable(render_info.sources_reply([ok, failing], NOW, is_admin=True))[0]
    assert "#1 A & B: 1 article\n✅ ok, polled just now" in shown
    assert "⚠️ failing (3 times): <503>" in shown
    assert "/addsource" in shown
    assert "/addsource" not in render.to_plain(
        render_info.sources_reply([], NOW, is_admin=False).parts[0]
    )
