"""Digest and alert HTML: escaping, splitting under Telegram's limit, each part's article ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.render import PART_LIMIT, text_length, to_plain
from bot.render_digest import render_alert, render_digest
from summaries.models import StoredArticle
from summaries.notify import AlertMessage, DigestMessage, Item

NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)


def story(n: int, *, title: str = "", sentence_chars: int = 400) -> StoredArticle:
    sentence = ("Word " * (sentence_chars // 5)).strip() + "."
    return StoredArticle(
        id=n,
        url=f"https://news.example/{n}",
        title=title or f"Story number {n}",
        source_id=None,
        source_name="Wire & Co",
        published_at=NOW - timedelta(hours=2),
        fetched_at=NOW - timedelta(hours=1),
        summary=(sentence, sentence, sentence, sentence),
        method="lead",
        also_reported_by=("AP", "<Reuters>") if n % 2 else (),
    )


def test_a_long_digest_is_split_between_stories_and_each_part_knows_its_articles() -> None:
    climate = tuple(Item(story(n), "climate") for n in range(1, 16))
    sport = tuple(Item(story(n), '"cup <final>"') for n in range(16, 31))
    digest = DigestMessage(
        42,
        (("climate", climate), ('"cup <final>"', sport)),
        NOW - timedelta(days=1),
        NOW,
        "Europe/Berlin",
        more=3,
    )
    parts = render_digest(digest)
    assert len(parts) > 3
    assert all(text_length(p.text) <= PART_LIMIT for p in parts)
    carried = [a for p in parts for a in p.article_ids]
    assert carried == list(range(1, 31))
    for part in parts:
        for article_id in part.article_ids:
            assert f"Story number {article_id}</a>" in part.text
    first = to_plain(parts[0].text)
    assert first.startswith("📰 Your digest · Wed 25 Nov, 08:00 (Europe/Berlin)\n\n🔎 climate (15)")
    assert "Also reported by AP, <Reuters>" in first
    assert first.count("Word.") == 3 * len(parts[0].article_ids)  # at most 3 sentences each
    assert "&lt;final&gt;" in "".join(p.text for p in parts)
    assert to_plain(parts[-1].text).endswith(
        "3 more matching stories left out."
        " Change the time with /digest HH:MM, your topics with /topics."
    )


def test_empty_digest_and_a_bundled_alert() -> None:
    empty = DigestMessage(42, (), NOW - timedelta(days=1), NOW, "UTC")
    [part] = render_digest(empty)
    assert to_plain(part.text).endswith("Nothing new on your topics since Tue 24 Nov, 07:00.")
    assert part.article_ids == ()
    alert = AlertMessage(
        42, (Item(story(1, title="<script>x</script>"), "x OR y"), Item(story(2), "z")), NOW
    )
    [part] = render_alert(alert)
    assert part.article_ids == (1, 2)
    assert part.text.startswith("🔔 <b>2 new stories on your topics</b>")
    assert "&lt;script&gt;" in part.text and "<script>" not in part.text
    assert "Matched your topic: x OR y" in to_plain(part.text)
