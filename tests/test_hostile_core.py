"""Hostile input and careless operators against the core: search, topics, digests, CLI, eval."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from summaries import chats, digest_schedule, outbox, topics
from summaries.cli import cli
from summaries.cluster import assign_cluster
from summaries.default_sources import DEFAULT_SOURCES, seed_default_sources
from summaries.errors import ChatSettingError, NotFoundError, QueryError
from summaries.evaluate import half, load_dataset
from summaries.migrations import MIGRATIONS
from summaries.schema import schema_version
from summaries.search import parse_query, search
from summaries.sources import get_source
from summaries.store import Database, open_database
from summaries.timezones import timezone_suggestions
from tests.cli_helpers import assert_one_line_error, newsbrief
from tests.old_schema import database_before
from tests.test_topics_support import NOW, RecordingNotifier, store


@pytest.fixture
def chat(db: Database) -> int:
    return chats.ensure_chat(db, 42, now=NOW).id


def test_a_page_far_past_the_end_is_empty_not_an_overflow(db: Database) -> None:
    store(db, "Storm hits the coast", at=NOW - timedelta(hours=1))
    page = search(db, "storm", offset=10**20, now=NOW)  # a forged page button
    assert (page.hits, page.total) == ((), 1)


def test_a_stray_accent_does_not_empty_a_search(db: Database) -> None:
    store(db, "Storm hits the coast", at=NOW - timedelta(hours=1))
    assert search(db, "storm \u0301", now=NOW).total == 1
    assert parse_query("\u0301 \u0300\u0301").is_empty


@pytest.mark.parametrize("key", ["\u00b2", "9" * 5000])
def test_unsubscribe_by_a_number_that_is_not_one(db: Database, chat: int, key: str) -> None:
    topics.subscribe(db, chat, "climate", limit=50, now=NOW)
    with pytest.raises(NotFoundError, match="No topic"):
        topics.unsubscribe(db, chat, key)
    assert len(topics.list_topics(db, chat)) == 1


@pytest.mark.parametrize(
    "again", ["Cafe", "CAFÉ", '"cafe"', "cafe AND cafe", "cafe OR café", "cafe  cafe"]
)
def test_the_same_topic_spelt_differently_is_refused(db: Database, chat: int, again: str) -> None:
    topics.subscribe(db, chat, "café", limit=50, now=NOW)
    with pytest.raises(QueryError, match="already follow") as refused:
        topics.subscribe(db, chat, again, limit=50, now=NOW)
    assert ("(as 'café')" in str(refused.value)) == (again.lower() != "café")
    assert [t.query for t in topics.list_topics(db, chat)] == ["café"]


@pytest.mark.parametrize("other", ["cafe -paris", "cafe*", "cafe OR bar", "cafe source:bbc"])
def test_a_topic_that_finds_something_else_is_not_a_duplicate(
    db: Database, chat: int, other: str
) -> None:
    topics.subscribe(db, chat, "café", limit=50, now=NOW)
    topics.subscribe(db, chat, other, limit=50, now=NOW)
    assert len(topics.list_topics(db, chat)) == 2


async def test_an_unusable_stored_timezone_does_not_stop_every_digest(db: Database) -> None:
    box = outbox.Outbox(db, RecordingNotifier(), clock=lambda: NOW)
    start = NOW - timedelta(days=1)
    for chat_id in (1, 2):
        chats.ensure_chat(db, chat_id, now=start)
        chats.set_digest_time(db, chat_id, chats.parse_digest_time("08:00"), now=start)
    with db.conn:  # a hand edit, or a database from a tzdata where this was a zone
        db.execute("UPDATE chats SET timezone = 'Europe' WHERE id = 1")
    run = await digest_schedule.run_due_digests(db, box, NOW, grace=timedelta(hours=6))
    assert sorted(run.planned) == [1, 2]  # chat 1 at 08:00 UTC


def test_a_locked_database_is_a_one_line_cli_error(tmp_path: Path) -> None:
    open_database(tmp_path / "newsbrief.db").close()
    opml = tmp_path / "feeds.opml"
    opml.write_text(
        '<opml version="2.0"><body>'
        '<outline type="rss" xmlUrl="https://example.com/feed.xml" text="Ex"/></body></opml>',
        encoding="utf-8",
    )
    holder = sqlite3.connect(tmp_path / "newsbrief.db", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process writing for longer than 5 s
        result = newsbrief(tmp_path, "sources", "import", str(opml))
    finally:
        holder.close()
    assert_one_line_error(result, "database is locked", "try again")


def test_eval_takes_a_lone_surrogate_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    dataset = tmp_path / "odd.jsonl"
    text = "The storm hit the coast on Monday. Homes were flooded. Roads closed."
    row = '{"id": "\\ud800%d", "text": "%s", "reference": "The storm hit."}'
    dataset.write_text("\n".join(row % (n, text) for n in range(6)), encoding="utf-8")
    articles = load_dataset(dataset)
    assert len(half(articles, "dev")) + len(half(articles, "held-out")) == 6
    out = tmp_path / "pred.jsonl"
    result = CliRunner().invoke(
        cli, ["eval", str(dataset), "-m", "lead", "--predictions", str(out)]
    )
    assert result.exit_code == 0, result.output
    ids = [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert ids == [f"\ud800{n}" for n in range(6)]


def test_short_prefixes_are_indexed_and_an_old_archive_keeps_its_search(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "old.db"
    old = database_before(path, "_fts_prefix_index")
    prefix = schema_version(old)
    tombstones = next(step for step in MIGRATIONS if step.__name__ == "_article_tombstones")
    tombstones(old)  # what storing an article reads today; a later migration makes it for real
    store(old, "Storm hits the coast", at=NOW - timedelta(hours=1))
    old.execute("DROP TABLE article_tombstones")
    old.close()
    with caplog.at_level("INFO", logger="summaries.schema"):
        db = open_database(path)
    # the operator learns why this start-up takes longer (a rebuild: ~40 s at 300k articles)
    assert f"Upgrading the database to version {prefix + 1}: Index 1- and 2-letter" in (caplog.text)
    sql = db.execute("SELECT sql FROM sqlite_master WHERE name = 'article_fts'").fetchone()[0]
    assert "prefix = '1 2'" in sql  # "a* OR b* OR ..." reads stored lists, not every word
    assert [h.article.title for h in search(db, "s* c*", now=NOW).hits] == ["Storm hits the coast"]
    db.close()


def test_two_events_under_one_generic_headline_stay_two_stories(db: Database) -> None:
    for n, text in enumerate(BACKGROUND):
        assign_cluster(db, store(db, f"Report {n}", text, source=f"S{n}"), now=NOW)
    budget_text = "Parliament passed the budget bill after a pension debate."
    budget = store(db, "Live updates", budget_text, source="A")
    quake = store(db, "Live updates", "A 6.1 earthquake struck Chile near Valparaiso.", source="B")
    assert assign_cluster(db, budget, now=NOW) != assign_cluster(db, quake, now=NOW)
    rewrite = store(db, "Budget approved", "Parliament passed the budget bill after pension talks.")
    assert assign_cluster(db, rewrite, now=NOW) == assign_cluster(db, budget, now=NOW)


BACKGROUND = [
    "The city council approved a new bus route connecting the airport with the old town.",
    "Shares in the carmaker fell after it recalled 40,000 vehicles over faulty brakes.",
    "Firefighters contained a wildfire that burned 2,000 hectares of forest near the coast.",
    "The national team named a new coach after a poor run of results in qualifying.",
    "Heavy snow closed schools and roads across the northern region for a second day.",
    "Researchers reported a new treatment that slowed memory loss in a small trial.",
]


@pytest.mark.parametrize("name", ["localtime", "Factory", "posixrules", "LOCALTIME"])
def test_zones_that_are_no_place_are_refused(db: Database, chat: int, name: str) -> None:
    with pytest.raises(ChatSettingError, match="is not a timezone name"):
        chats.set_timezone(db, chat, name, now=NOW)
    assert "localtime" not in timezone_suggestions("localtim")
    assert chats.set_timezone(db, chat, "europe/berlin", now=NOW).timezone == "Europe/Berlin"


@pytest.mark.parametrize("key", ["9" * 5000, "source\udcff", "12345678901234567890"])
def test_a_source_asked_for_by_any_command_line_key_is_found_or_refused(
    db: Database, key: str
) -> None:
    """5,000 digits passed int()'s limit (ValueError); an undecodable byte reached SQLite."""
    with pytest.raises(NotFoundError, match="No source"):
        get_source(db, key)


def test_a_default_set_cut_short_is_neither_kept_nor_marked_seeded(db: Database) -> None:
    """A failure (a kill, a full disk) during seeding left part of the set, marked as seeded."""
    third = DEFAULT_SOURCES[2][0]
    db.execute(
        "CREATE TRIGGER fail BEFORE INSERT ON sources WHEN NEW.name = ?"
        " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END".replace("?", repr(third))
    )
    with pytest.raises(sqlite3.IntegrityError):
        seed_default_sources(db, enabled=True, now=NOW)
    assert db.execute("SELECT count(*) FROM sources").fetchone() == (0,)
    db.execute("DROP TRIGGER fail")
    assert seed_default_sources(db, enabled=True, now=NOW) == len(DEFAULT_SOURCES)
