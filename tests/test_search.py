"""Search: the query language, hostile input, ranking, filters, snippets, paging, topic matching."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from summaries.articles import insert_article, latest_articles
from summaries.errors import QueryError
from summaries.models import Article, Summary
from summaries.search import (
    Query,
    Term,
    matching_article_ids,
    parse_query,
    search,
    tokenize,
)
from summaries.store import Database

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def store(
    db: Database,
    title: str,
    text: str,
    *,
    summary: str = "",
    source: str = "BBC World",
    published: datetime | None = None,
) -> int:
    """Insert one article (with its summary and search entry) and return its id."""
    article = Article(
        title=title, text=text, url=f"https://example.com/{title}", published=published
    )
    sentences = (summary,) if summary else (text.split(".")[0] + ".",)
    article_id = insert_article(
        db,
        article,
        Summary(sentences, method="lead"),
        canonical_url=f"https://example.com/{title.lower().replace(' ', '-')}",
        source_id=None,
        source_name=source,
        content_origin="page",
        now=published or NOW,
    )
    assert article_id is not None
    return article_id


@pytest.mark.parametrize(
    ("text", "fts"),
    [
        ("climate", '"climate"'),
        ("Climate Summit", '"climate" AND "summit"'),
        ('"climate summit"', '"climate summit"'),
        ("climate OR weather", '("climate" OR "weather")'),
        ("a OR b c", '("a" OR "b") AND "c"'),
        ("storm -sport", '"storm" NOT ("sport")'),
        ('storm -"world cup"', '"storm" NOT ("world cup")'),
        ("elect*", '"elect"*'),
        ('"climate sum"*', '"climate sum"*'),
        ("C++", '"c"'),
        ("e-mail", '"e mail"'),
        ("title:x", '"title x"'),
        ("NEAR(a b)", '"near a" AND "b"'),
        ("AND", '"and"'),
        ("OR", '"or"'),
        ("x AND y", '"x" AND "y"'),
        ("x OR", '"x"'),
        ('say "hi', '"say" AND "hi"'),
        ("café", '"café"'),
        ('"since:soon" x', '"since soon" AND "x"'),
    ],
)
def test_parse_query_compiles_to_quoted_fts(text: str, fts: str) -> None:
    assert parse_query(text).fts() == fts


def test_parse_query_filters() -> None:
    query = parse_query('floods source:"Al Jazeera" since:7d')
    assert query.source == "Al Jazeera"
    assert query.since == timedelta(days=7)
    assert query.groups == ((Term(("floods",)),),)
    assert parse_query("since:12h").since == timedelta(hours=12)
    assert parse_query("since:2w").since == timedelta(weeks=2)
    assert parse_query("since:1m").since == timedelta(days=30)
    assert parse_query("since:1y").since == timedelta(days=365)
    assert parse_query("source:bbc").fts() is None
    assert not parse_query("source:bbc").is_empty


def test_only_exclusions_cannot_match() -> None:
    with pytest.raises(QueryError, match="at least one word"):
        parse_query("-sport -weather")


@pytest.mark.parametrize("text", ["", "   ", '"', "*", "-", "(", "^", "😀", "\u200b", '""'])
def test_queries_without_words_are_empty(text: str) -> None:
    assert parse_query(text).is_empty


def test_term_count_is_capped() -> None:
    query = parse_query(" ".join(f"w{i}" for i in range(500)))
    assert len(query.groups) == 20


HOSTILE = [
    "C++",
    "e-mail",
    "AND",
    "OR",
    "NOT",
    "NEAR",
    '"',
    "*",
    "",
    "-",
    "(",
    ")",
    "title:x",
    "^",
    "a AND",
    "OR b",
    "NOT x",
    "NEAR(a b, 2)",
    "a NEAR b",
    '"unterminated phrase',
    '""',
    '"""',
    "x*y",
    "**",
    "-*",
    "--x",
    "- x",
    "(a OR b)",
    "a:b:c",
    "{title body}:x",
    "body:x",
    "+x",
    "source:",
    "since:",
    "since:-5d",
    "since:99999y",
    'source:"',
    "source:%_\\",
    "'; DROP TABLE",
    "中文 新闻",
    "Привет мир",
    "مرحبا بالعالم",
    "שלום",
    "\u202eevil\u202c",
    "a\u200bb\u200d",
    "😀🔥",
    "x😀y",
    "\x00\x01\x02",
    "\x03",
    "café",
    "İstanbul",
    "ǅ",
    "\ufeffbom",
    "a" * 4000,
    " ".join(["x"] * 2000),
    '"' * 4000,
    "-" * 4000,
    "OR " * 1000,
    "*" * 100 + "a",
]


@pytest.fixture
def corpus(db: Database) -> Database:
    store(db, "Storm hits coast", "A storm hit the coast. Homes were damaged by the storm surge.")
    store(db, "Election results", "Voters elected a new council. The e-mail scandal faded.")
    store(db, "C++ conference", "Programmers met to discuss C++ and Rust. Talks ran late.")
    return db


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_queries_never_break_sqlite(corpus: Database, text: str) -> None:
    try:
        page = search(corpus, text, now=NOW)
    except QueryError as error:
        assert str(error)
    else:
        assert page.total >= len(page.hits)


def test_random_queries_never_break_sqlite(corpus: Database) -> None:
    rng = random.Random(20261125)
    symbols = list("\"*-()^:+,.;'\\ \t\nAaZz0é中😀\u200b\u202e")
    words = ["OR", "AND", "NOT", "NEAR", "source:", "since:", "storm", "e-mail", "c++", "7d"]
    alphabet = symbols + words
    for _ in range(400):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25)))
        try:
            search(corpus, text, now=NOW)
        except QueryError:
            pass
        except sqlite3.Error as error:  # pragma: no cover - the assertion below reports it
            pytest.fail(f"{text!r} broke SQLite: {error}")


def test_tokenize_agrees_with_fts5(db: Database) -> None:
    db.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='unicode61 remove_diacritics 2')")
    db.execute("CREATE VIRTUAL TABLE t_vocab USING fts5vocab(t, 'instance')")
    samples = ["C++ and e-mail", "o'neil x’s ab_cd", "١٢٣ مرحبا", "x😀y a\u200bb", "Café ÉTÉ"]
    for sample in samples:
        db.execute("DELETE FROM t")
        db.execute("INSERT INTO t VALUES (?)", [sample])
        count = db.execute("SELECT count(*) FROM t_vocab").fetchone()[0]
        assert len(tokenize(sample)) == count, sample


def test_words_phrases_or_and_exclusion(corpus: Database) -> None:
    def titles(text: str) -> set[str]:
        return {h.article.title for h in search(corpus, text, limit=10, now=NOW).hits}

    assert titles("storm") == {"Storm hits coast"}
    assert titles("C++") == {"C++ conference"}
    assert titles("e-mail") == {"Election results"}
    assert titles('"storm surge"') == {"Storm hits coast"}
    assert titles('"surge storm"') == set()
    assert titles("storm OR voters") == {"Storm hits coast", "Election results"}
    assert titles("the -storm") == {"Election results"}
    assert titles("elect*") == {"Election results"}


def test_title_outranks_body(db: Database) -> None:
    body_only = store(db, "Council meets", "The council discussed flooding in the valley today.")
    in_title = store(db, "Flooding in the valley", "The council met today to discuss the rain.")
    hits = search(db, "flooding", now=NOW).hits
    assert [h.article.id for h in hits] == [in_title, body_only]
    assert hits[0].score > hits[1].score > 0


def test_newest_first_among_equals(db: Database) -> None:
    old = store(db, "Storm one", "Storm over the sea alpha.", published=NOW - timedelta(days=2))
    new = store(db, "Storm two", "Storm over the sea bravo.", published=NOW - timedelta(days=1))
    assert [h.article.id for h in search(db, "storm", now=NOW).hits] == [new, old]


def test_source_and_since_filters(db: Database) -> None:
    bbc = store(db, "Storm A", "Storm a.", source="BBC World", published=NOW - timedelta(days=1))
    store(db, "Storm B", "Storm b.", source="Al Jazeera", published=NOW - timedelta(days=1))
    old = store(db, "Storm C", "Storm c.", source="BBC News", published=NOW - timedelta(days=30))

    def ids(text: str) -> list[int]:
        return [h.article.id for h in search(db, text, limit=10, now=NOW).hits]

    assert ids("storm source:bbc") == [bbc, old]
    assert ids("storm source:BBC since:7d") == [bbc]
    assert ids('source:"bbc world"') == [bbc]
    assert ids("storm source:100%") == []
    assert len(ids("since:2d")) == 2


def test_source_names_match_in_any_case_and_script(db: Database) -> None:
    izvestia = store(db, "Storm in Moscow", "Storm in Moscow.", source="Известия")
    elysee = store(db, "Storm in Paris", "Storm in Paris.", source="Élysée Info")
    store(db, "Storm in Lagos", "Storm in Lagos.", source="my_feed")

    def sources(text: str) -> list[str]:
        return [h.article.source_name for h in search(db, text, limit=10, now=NOW).hits]

    for typed, wanted in (("Известия", izvestia), ("известия", izvestia), ("ÉLYSÉE", elysee)):
        assert [h.article.id for h in search(db, f"storm source:{typed}", now=NOW).hits] == [wanted]
        assert [a.id for a in latest_articles(db, source=typed)] == [wanted]
    assert sources("source:my_") == ["my_feed"]
    assert sources("source:my%") == [] and latest_articles(db, source="m_") == []


def test_snippet_marks_matched_words(db: Database) -> None:
    store(
        db,
        "Harbour news",
        "Fishing boats left early. A storm closed the harbour at noon.",
        summary="A storm closed the harbour at noon.",
    )
    snippet = search(db, "storm", now=NOW).hits[0].snippet
    assert ("storm", True) in snippet
    assert "".join(text for text, _ in snippet) == "A storm closed the harbour at noon."


def test_snippet_falls_back_to_body(db: Database) -> None:
    store(db, "Harbour", "Boats left early. Gulls circled the pier.", summary="Boats left early.")
    snippet = search(db, "gulls", now=NOW).hits[0].snippet
    assert ("Gulls", True) in snippet


def test_paging_reports_total(db: Database) -> None:
    for i in range(7):
        store(db, f"Storm {i}", f"Storm number {i}.", published=NOW - timedelta(hours=i))
    first = search(db, "storm", limit=3, now=NOW)
    second = search(db, "storm", limit=3, offset=3, now=NOW)
    assert first.total == second.total == 7
    assert {h.article.id for h in first.hits}.isdisjoint(h.article.id for h in second.hits)
    assert len(second.hits) == 3


def test_empty_query_is_a_clear_error(corpus: Database) -> None:
    with pytest.raises(QueryError, match="Nothing to search for"):
        search(corpus, "  ", now=NOW)


def test_matching_article_ids(corpus: Database) -> None:
    extra = store(corpus, "Storm returns", "Another storm arrived.", source="DW")
    all_ids = [r[0] for r in corpus.execute("SELECT id FROM articles")]
    assert matching_article_ids(corpus, parse_query("storm"), all_ids, now=NOW) == {1, extra}
    assert matching_article_ids(corpus, parse_query("storm source:dw"), all_ids, now=NOW) == {extra}
    assert matching_article_ids(corpus, parse_query("storm"), [2, 3], now=NOW) == set()
    assert matching_article_ids(corpus, parse_query("storm"), [], now=NOW) == set()
    assert matching_article_ids(corpus, Query("", ()), all_ids, now=NOW) == set()


def test_a_page_past_the_end_still_reports_the_total(db: Database) -> None:
    for i in range(4):
        store(db, f"Storm {i}", f"Storm number {i}.")
    page = search(db, "storm", limit=3, offset=9, now=NOW)
    assert (page.hits, page.total) == ((), 4)


def test_only_the_newest_matches_are_ranked(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("summaries.search.MAX_MATCHES", 3)
    store(db, "Storm storm storm", "The oldest story about a storm.")
    newer = {store(db, f"Report {i}", f"Item {i} mentions a storm once.") for i in range(3)}
    page = search(db, "storm", limit=10, now=NOW)
    assert page.total == 3
    assert {h.article.id for h in page.hits} == newer


def test_filters_alone_list_newest_first(db: Database) -> None:
    old = store(db, "Old", "Old news.", source="DW", published=NOW - timedelta(days=3))
    new = store(db, "New", "New news.", source="DW", published=NOW - timedelta(days=1))
    store(db, "Other", "Other news.", source="NPR", published=NOW)
    page = search(db, "source:dw", now=NOW)
    assert [h.article.id for h in page.hits] == [new, old]
    assert page.hits[0].snippet == (("New news.", False),)
