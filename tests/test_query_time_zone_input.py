"""Typed time input that used to go wrong quietly: since: spans, and UTC offsets as timezones.

`since:2x` was searched as the words "since 2x" (finding nothing, and a topic with it never
matched); these check it is refused with a message naming the span and saying what works, at
the core and at the edges (the bot's /search and /subscribe, `newsbrief search`), and that
topics saved before keep working. `/timezone GMT+2` was answered "Did you mean Etc/GMT+2?",
which is UTC-2 (tzdata's sign is reversed): offsets are now read the way people write them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from summaries.chats import ensure_chat, parse_digest_time, set_timezone
from summaries.config import Settings
from summaries.errors import ChatSettingError, NotFoundError, QueryError
from summaries.migrations import _topics_readable_since
from summaries.query import MAX_SINCE, Term, parse_query, quote_unreadable_since
from summaries.sources import get_source
from summaries.store import Database, open_database, to_db
from summaries.topics import subscribe, subscriptions, unsubscribe
from tests.bot_harness import add_story, running_bot
from tests.cli_helpers import assert_one_line_error, newsbrief

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
FORMAT = "use a number and h, d, w, m or y, like since:2d."


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("storm since:2x", "since:2x"),
        ("storm since:5", "since:5"),
        ("storm since:-1d", "since:-1d"),
        ("storm SINCE:1.5d", "SINCE:1.5d"),
        ('storm since:"2 x"', 'since:"2 x"'),
        ("since:2x", "since:2x"),
        ("storm since:" + "9" * 40, "since:" + "9" * 23 + "…"),
        # Shown like any typed text (errors.typed): no ESC or line break reaches a log line.
        ("storm since:2\x1b[2Jx", "since:2 [2Jx"),
        ('storm since:"2\nx"', 'since:"2 x"'),
    ],
)
def test_a_since_that_cannot_be_read_is_refused_naming_it(text: str, shown: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(text)
    assert str(caught.value) == f"I can't read the time span '{shown}': {FORMAT}"


def test_readable_spans_still_filter() -> None:
    assert parse_query("storm since:2d").since == timedelta(days=2)
    assert parse_query('storm since:"3 W"').since == timedelta(days=21)
    assert parse_query("storm since:12h").since == timedelta(hours=12)


@pytest.mark.parametrize("span", ["99999999y", "99999y", "9" * 5000 + "h", "0000000001h"])
def test_a_huge_span_is_clamped_not_an_overflow(span: str) -> None:
    expected = timedelta(hours=1) if span.endswith("1h") else MAX_SINCE
    assert parse_query(f"storm since:{span}").since == expected


def test_a_quoted_or_excluded_since_stays_words() -> None:
    query = parse_query('storm "since:2x"')
    assert query.groups == ((Term(("storm",)),), (Term(("since", "2x")),))
    assert query.since is None
    assert parse_query("storm -since:2x").excluded == (Term(("since", "2x")),)


@pytest.mark.parametrize(
    ("saved", "rewritten"),
    [
        ("storm since:2x", 'storm "since 2x"'),
        ('a OR since:"2 x" -b', 'a OR "since 2 x" -b'),
        ('since:2"x since:2d', '"since 2 x" since:2d'),
        ('storm "since:2x" since:1w', 'storm "since:2x" since:1w'),
    ],
)
def test_saved_topics_keep_what_they_meant(saved: str, rewritten: str) -> None:
    assert quote_unreadable_since(saved) == rewritten
    parse_query(rewritten)  # readable now: the alert and digest jobs parse every saved topic


def test_the_upgrade_makes_saved_typo_topics_readable_for_the_jobs() -> None:
    db = open_database(":memory:")
    ensure_chat(db, 7, now=NOW)
    for text in ("storm since:2x", "floods since:3d", 'storm "since 2x"', "x since:5"):
        db.execute(
            "INSERT INTO topics (chat_id, query, created_at) VALUES (7, ?, ?)", [text, to_db(NOW)]
        )
    _topics_readable_since(db)
    topics = [s.text for s in subscriptions(db, chat_id=7)]
    assert topics == ['storm "since 2x"', "floods since:3d", 'x "since 5"']


async def test_the_bot_refuses_a_typo_span_in_search_and_subscribe(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        add_story(bot.services.db, "Storm hits the coast")
        [search] = await bot.ask(42, "/search storm since:2x")
        assert search.text == f"I can't read the time span 'since:2x': {FORMAT}"
        [subscribe] = await bot.ask(42, "/subscribe storm since:-1d")
        assert subscribe.text == f"I can't read the time span 'since:-1d': {FORMAT}"
        [topics] = await bot.ask(42, "/topics")
        assert "storm" not in topics.text


def test_newsbrief_search_refuses_a_typo_span_in_one_line(tmp_path: Path) -> None:
    open_database(tmp_path / "newsbrief.db").close()
    result = newsbrief(tmp_path, "search", "storm", "since:5")
    assert_one_line_error(result, f"I can't read the time span 'since:5': {FORMAT}")


@pytest.mark.parametrize(
    ("typed", "stored", "hours"),
    [
        ("UTC+2", "Etc/GMT-2", 2),
        ("GMT+2", "Etc/GMT-2", 2),
        ("utc -05", "Etc/GMT+5", -5),
        ("+03:00", "Etc/GMT-3", 3),
        ("UTC\u22124", "Etc/GMT+4", -4),
        ("UTC+14", "Etc/GMT-14", 14),
        ("UTC-12", "Etc/GMT+12", -12),
        ("GMT+0", "UTC", 0),
        ("GMT", "GMT", 0),
    ],
)
def test_a_utc_offset_is_the_fixed_zone_it_means(typed: str, stored: str, hours: int) -> None:
    db = open_database(":memory:")
    ensure_chat(db, 7, now=NOW)
    chat = set_timezone(db, 7, typed, now=NOW)
    assert chat.timezone == stored
    assert chat.tz.utcoffset(NOW) == timedelta(hours=hours)


def test_a_fixed_offset_reads_as_people_write_it() -> None:
    db = open_database(":memory:")
    ensure_chat(db, 7, now=NOW)
    assert set_timezone(db, 7, "UTC+2", now=NOW).timezone_label == "UTC+2, no daylight saving"
    assert set_timezone(db, 7, "Etc/GMT+5", now=NOW).timezone_label == "UTC-5, no daylight saving"
    assert set_timezone(db, 7, "europe/berlin", now=NOW).timezone_label == "Europe/Berlin"
    assert set_timezone(db, 7, "UTC", now=NOW).timezone_label == "UTC"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "UTC+5:30",
            "UTC+5:30 has no fixed-offset timezone: use your place's Area/City name."
            " Asia/Colombo and Asia/Kolkata are on UTC+5:30 now.",
        ),
        ("+0545", "Asia/Kathmandu is on UTC+5:45 now."),
        ("GMT-0330", "America/St_Johns is on UTC-3:30 now."),
        (
            "+0015",
            "UTC+0:15 has no fixed-offset timezone: use your place's Area/City name."
            " No place is on UTC+0:15 at the moment.",
        ),
        ("UTC+15", "'UTC+15' is not a UTC offset: they run from UTC-12 to UTC+14."),
        ("GMT-13", "'GMT-13' is not a UTC offset: they run from UTC-12 to UTC+14."),
    ],
)
def test_an_offset_without_a_fixed_zone_names_the_places_on_it(typed: str, message: str) -> None:
    db = open_database(":memory:")
    ensure_chat(db, 7, now=NOW)
    with pytest.raises(ChatSettingError) as caught:
        set_timezone(db, 7, typed, now=NOW)
    assert message in str(caught.value)


def test_refusals_show_the_text_as_typed_and_never_suggest_a_reversed_zone() -> None:
    db = open_database(":memory:")
    ensure_chat(db, 7, now=NOW)
    with pytest.raises(ChatSettingError) as caught:
        set_timezone(db, 7, "Europe\\Berlin\u200b", now=NOW)
    assert str(caught.value).startswith("'Europe\\Berlin\u200b' is not a timezone name.")
    with pytest.raises(ChatSettingError) as caught:
        set_timezone(db, 7, "Etc/GMT+2x", now=NOW)
    assert "Etc/GMT+2," not in str(caught.value)
    assert "Etc/GMT+2?" not in str(caught.value)
    with pytest.raises(ChatSettingError) as caught:
        parse_digest_time("8 o’clock")
    assert str(caught.value).startswith("'8 o’clock' is not a time.")


async def test_the_bot_confirms_an_offset_as_typed_and_refuses_in_plain_quotes(
    settings: Settings,
) -> None:
    async with running_bot(settings) as bot:
        [confirmed] = await bot.ask(42, "/timezone GMT+2")
        assert confirmed.text == (
            "Timezone set to UTC+2, no daylight saving (it is 10:00 there now)."
        )
        [refused] = await bot.ask(42, "/timezone Mars/Olympus")
        assert refused.text.startswith("'Mars/Olympus' is not a timezone name.")


async def test_every_reply_shows_a_fixed_offset_as_people_write_it(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        await bot.ask(42, "/timezone UTC+2")
        [daily] = await bot.ask(42, "/digest 08:00")
        assert "(UTC+2, no daylight saving)" in daily.text
        [current] = await bot.ask(42, "/timezone")
        assert current.text.startswith("Your timezone is UTC+2, no daylight saving.")
        [shown] = await bot.ask(42, "/settings")
        assert "Timezone: UTC+2, no daylight saving" in shown.text
        [digest] = await bot.ask(42, "/digest")
        assert "(UTC+2, no daylight saving)" in digest.text and "Etc/GMT" not in digest.text


def test_core_refusals_quote_what_was_typed_not_python_repr(db: Database) -> None:
    ensure_chat(db, 1, now=NOW)
    with pytest.raises(NotFoundError) as missing:
        unsubscribe(db, 1, "back\\slash")
    assert str(missing.value).startswith("No topic 'back\\slash'.")
    subscribe(db, 1, "café's", limit=50, now=NOW)
    with pytest.raises(QueryError) as twice:
        subscribe(db, 1, "Cafe's", limit=50, now=NOW)
    assert str(twice.value).startswith("You already follow 'Cafe's' (as 'café's').")
    with pytest.raises(NotFoundError) as source:
        get_source(db, "back\\slash")
    assert str(source.value).startswith("No source 'back\\slash'.")


@pytest.mark.parametrize("digits", ["9223372036854775808", "9" * 20, "9" * 5000])
def test_an_id_past_sqlite_integers_is_no_source_not_an_overflow(db: Database, digits: str) -> None:
    """Past 2**63 an id is no row (SQLite would overflow); past 4,300 digits int() refuses."""
    with pytest.raises(NotFoundError) as missing:
        get_source(db, digits)
    assert str(missing.value).startswith(f"No source '{digits[:79]}")


def test_typed_text_in_a_message_cannot_forge_a_log_line_or_move_a_terminal() -> None:
    with pytest.raises(ChatSettingError) as refused:
        set_timezone_of_new_chat("Mars\n2026-01-01 ERROR root: forged\u2028line\x1b[2J")
    message = str(refused.value)
    assert "\n" not in message and "\u2028" not in message and "\x1b" not in message
    assert message.startswith("'Mars 2026-01-01 ERROR root: forged line [2J' is not")


def set_timezone_of_new_chat(name: str) -> None:
    db = open_database(":memory:")
    ensure_chat(db, 1, now=NOW)
    set_timezone(db, 1, name, now=NOW)
