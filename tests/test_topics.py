"""Topics: validation, limits, recent-match counts, removal, and the in-memory matcher."""

from __future__ import annotations

from datetime import timedelta

import pytest

from summaries import chats, matching, topics
from summaries.errors import NotFoundError, QueryError
from summaries.search import matching_article_ids, parse_query
from summaries.store import Database
from tests.test_topics_support import NOW, store


@pytest.fixture
def chat(db: Database) -> int:
    return chats.ensure_chat(db, 42, now=NOW).id


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "Follow a topic with words"),
        ("   ", "Follow a topic with words"),
        ("-sport -weather", "only -exclusions"),
        ("since:7d", "needs words"),
        ("x" * 300, "under 200 characters"),
        ("climate -climate", "can never match"),
        ('"heat wave" -heat', "can never match"),
        ("climat* -clim*", "can never match"),
        ("Café -cafe", "can never match"),
        ('"heat wave" OR heat -heat', "can never match"),
    ],
)
def test_unusable_topics_are_explained(db: Database, chat: int, text: str, reason: str) -> None:
    with pytest.raises(QueryError, match=reason):
        topics.subscribe(db, chat, text, limit=50, now=NOW)
    assert topics.list_topics(db, chat) == []


@pytest.mark.parametrize(
    "text",
    [
        "climate OR weather -weather",
        "clim* -climate",
        'heat -"heat wave"',
        '"heat wave" -"wave heat"',
        '"big heat wa"* -"heat wave"',
    ],
)
def test_exclusions_that_leave_something_to_match_are_accepted(
    db: Database, chat: int, text: str
) -> None:
    topic, _ = topics.subscribe(db, chat, text, limit=50, now=NOW)
    assert topic.query == text


def test_subscribe_counts_recent_matches(db: Database, chat: int) -> None:
    store(db, "Climate summit opens in Belem", at=NOW - timedelta(days=1))
    store(db, "Climate talks stall", at=NOW - timedelta(days=2))
    store(db, "Climate accord signed long ago", at=NOW - timedelta(days=30))
    store(db, "Football results", at=NOW - timedelta(days=1))
    topic, recent = topics.subscribe(db, chat, "climate", limit=50, now=NOW)
    assert (topic.query, recent) == ("climate", 2)
    with pytest.raises(QueryError, match="already follow"):
        topics.subscribe(db, chat, "Climate", limit=50, now=NOW)


def test_limit_per_chat_is_said_plainly(db: Database, chat: int) -> None:
    for word in ("one", "two"):
        topics.subscribe(db, chat, word, limit=2, now=NOW)
    with pytest.raises(QueryError, match="You follow 2 topics, the most allowed"):
        topics.subscribe(db, chat, "three", limit=2, now=NOW)
    other = chats.ensure_chat(db, 7, now=NOW).id
    topics.subscribe(db, other, "three", limit=2, now=NOW)


def test_unsubscribe_by_number_text_or_id(db: Database, chat: int) -> None:
    for word in ("alpha", "beta", "gamma"):
        topics.subscribe(db, chat, word, limit=50, now=NOW)
    assert topics.unsubscribe(db, chat, "2").query == "beta"
    assert topics.unsubscribe(db, chat, "GAMMA").query == "gamma"
    with pytest.raises(NotFoundError, match="/topics"):
        topics.unsubscribe(db, chat, "9")
    other = chats.ensure_chat(db, 7, now=NOW).id
    alpha = topics.list_topics(db, chat)[0]
    with pytest.raises(NotFoundError):
        topics.remove_topic(db, other, alpha.id)
    assert [t.query for t in topics.list_topics(db, chat)] == ["alpha"]


QUERIES = [
    "climate",
    "climate OR football",
    '"heat wave"',
    '"heat wav"*',
    "elect*",
    "climate -summit",
    "source:reu",
    "source:reu climate",
    "cafe",
    "café",
    "since:2d climate",
    "wave heat",
    '"wave heat"',
]


def test_matcher_agrees_with_full_text_search(db: Database) -> None:
    ids = [
        store(db, "Climate summit opens", source="Reuters"),
        store(db, "Heat wave grips Europe", "A heat wave grips Europe. Climate scientists warn."),
        store(db, "Football: cup final tonight", source="BBC"),
        store(db, "Election results are in", source="Reuters"),
        store(db, "Electric cars sell", "Sales of electric cars rose. Heat pumps too."),
        store(db, "Un café à Paris", "Le café ouvre. Climate of the city is mild."),
        store(db, "Old climate story", at=NOW - timedelta(days=5)),
    ]
    matcher = matching.Matcher(matching.load_docs(db, ids), now=NOW)
    for text in QUERIES:
        query = parse_query(text)
        expected = matching_article_ids(db, query, ids, now=NOW)
        assert set(matcher.match(query)) == expected, text
    assert matcher.match(parse_query('"heat wave"')) == [ids[1]]


def test_matcher_compares_source_names_as_search_does(db: Database) -> None:
    ids = [
        store(db, "Harbour opens", source="Straße Zeitung"),
        store(db, "Harbour closes", source="Strand News"),
    ]
    matcher = matching.Matcher(matching.load_docs(db, ids), now=NOW)
    for text in ("source:strasse", "source:STRASSE", "source:straße", "source:Stra"):
        query = parse_query(text)
        expected = matching_article_ids(db, query, ids, now=NOW)
        assert set(matcher.match(query)) == expected, text
    assert matcher.match(parse_query("source:strasse")) == [ids[0]]


def test_match_subscriptions_picks_each_chats_first_topic(db: Database) -> None:
    a, b = chats.ensure_chat(db, 1, now=NOW).id, chats.ensure_chat(db, 2, now=NOW).id
    for chat_id, text in ((a, "climate"), (a, "europe"), (b, "football")):
        topics.subscribe(db, chat_id, text, limit=50, now=NOW)
    heat = store(db, "Heat wave grips Europe", "Climate change in Europe.")
    cup = store(db, "Cup final", "Football tonight.")
    subs = topics.subscriptions(db)
    found = matching.match_subscriptions(db, subs, [heat, cup], now=NOW)
    climate = topics.list_topics(db, a)[0].id
    assert found == {a: {heat: climate}, b: {cup: topics.list_topics(db, b)[0].id}}
    chats.deactivate_chat(db, b, now=NOW, reason="blocked")
    assert b not in matching.match_subscriptions(db, topics.subscriptions(db), [cup], now=NOW)
