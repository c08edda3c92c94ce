"""`summaries.forget`: one chat's rows go, every other chat's and every story stay."""

from __future__ import annotations

from datetime import time

from summaries.chats import ensure_chat, set_digest_time
from summaries.forget import forget_chat, stored_about
from summaries.notify import Part
from summaries.outbox import enqueue
from summaries.store import open_database
from summaries.topics import subscribe
from tests.test_topics_support import NOW, store


def test_forgetting_one_chat_leaves_the_others_and_the_stories() -> None:
    db = open_database(":memory:")
    story = store(db, "Climate summit opens")
    for chat in (1, 2):
        ensure_chat(db, chat, now=NOW)
        subscribe(db, chat, "climate", limit=50, now=NOW)
        with db.conn:
            enqueue(db, chat, "alert", [Part("alert", (story,))], now=NOW)
        db.execute(
            "INSERT INTO search_sessions (key, chat_id, query, created_at) VALUES (?, ?, ?, ?)",
            [f"k{chat}", chat, "climate", "2026-11-25T08:00:00+00:00"],
        )
    set_digest_time(db, 1, time(7, 30), now=NOW)

    there = forget_chat(db, 1)

    # the alert is still waiting: a queued message, not yet a story sent
    assert (there.settings, there.topics, there.deliveries, there.queued) == (True, 1, 0, 1)
    assert not stored_about(db, 1).anything
    assert db.execute("SELECT count(*) FROM search_sessions WHERE chat_id = 1").fetchone() == (0,)
    kept = stored_about(db, 2)
    assert (kept.settings, kept.topics, kept.deliveries, kept.queued) == (True, 1, 0, 1)
    assert db.execute("SELECT count(*) FROM search_sessions").fetchone() == (1,)
    assert db.execute("SELECT count(*) FROM articles").fetchone() == (1,)
    assert forget_chat(db, 1).anything is False
