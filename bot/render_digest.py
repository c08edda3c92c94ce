"""Alerts and digests rendered into Telegram HTML parts, with the articles each part carries.

Built on bot/render.py (escaping, linked titles, source and age, splitting under the limit), so a
digest looks like the rest of the bot. The outbox records which part carries which article, so
each item is located in the packed parts by its title line (parts keep the items' order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bot.render import NAME_CHARS, article_block, esc, pack, title_line
from summaries.chats import zone
from summaries.notify import AlertMessage, DigestMessage, Item, Part

SUMMARY_SENTENCES = 3


def _block(item: Item, now: datetime, *, why: bool) -> list[str]:
    article = item.article
    lines = article_block(replace(article, summary=article.summary[:SUMMARY_SENTENCES]), now)
    if why and item.topic:
        lines.append(f"<i>Matched your topic: {esc(item.topic, 100)}</i>")
    return lines


def _parts(blocks: Sequence[Sequence[str]], items: Sequence[tuple[Item, str]]) -> list[Part]:
    """Pack blocks and attach each item to the part holding its title line."""
    texts = pack(blocks)
    carried: list[list[int]] = [[] for _ in texts]
    index = 0
    for item, title in items:
        while index < len(texts) - 1 and title not in texts[index]:
            index += 1
        carried[index].append(item.article.id)
    return [Part(text, tuple(ids)) for text, ids in zip(texts, carried, strict=True)]


def render_alert(alert: AlertMessage) -> list[Part]:
    """One bundled alert: every new match, each saying which topic it matched."""
    count = len(alert.items)
    header = f"🔔 <b>{f'{count} new stories' if count > 1 else 'New story'} on your topics</b>"
    blocks: list[Sequence[str]] = [[header]]
    located = []
    for item in alert.items:
        blocks.append(_block(item, alert.now, why=True))
        located.append((item, title_line(item.article.title, item.article.url)))
    return _parts(blocks, located)


def render_digest(digest: DigestMessage) -> list[Part]:
    """The digest: a header with the local time, then stories grouped under each topic."""
    local = digest.now.astimezone(zone(digest.timezone))
    header = f"📰 <b>Your digest</b> · {local:%a %d %b, %H:%M} ({esc(digest.timezone, NAME_CHARS)})"
    if digest.is_empty:
        since = digest.since.astimezone(zone(digest.timezone))
        what = "on your topics" if digest.has_topics else "stories"
        return [Part(f"{header}\nNothing new {what} since {since:%a %d %b, %H:%M}.")]
    blocks: list[Sequence[str]] = [[header]]
    located = []
    for topic, items in digest.groups:
        name = f"🔎 <b>{esc(topic, 100)}</b>" if topic else "<b>Top stories</b>"
        blocks.append([f"{name} ({len(items)})"])
        for item in items:
            blocks.append(_block(item, digest.now, why=False))
            located.append((item, title_line(item.article.title, item.article.url)))
    footer = "Change the time with /digest HH:MM, your topics with /topics."
    if digest.more:
        more = (
            "1 more matching story" if digest.more == 1 else f"{digest.more} more matching stories"
        )
        footer = f"{more} left out. {footer}"
    blocks.append([f"<i>{footer}</i>"])
    return _parts(blocks, located)
