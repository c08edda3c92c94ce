"""Alerts and digests rendered into Telegram HTML parts, with the articles each part carries.

Built on bot/render.py (escaping, linked titles, source and age, splitting under the limit), so a
digest looks like the rest of the bot. The outbox records which part carries which article, so
each item is located in the packed parts by its title line (parts keep the items' order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bot.render import (
    NAME_CHARS,
    Button,
    Reply,
    age,
    article_block,
    callback_data,
    esc,
    pack,
    title_line,
)
from summaries.chats import Chat, next_slot
from summaries.digest_days import days_label
from summaries.notify import AlertMessage, DigestMessage, Item, Part
from summaries.outbox_admin import Failure
from summaries.quiet_hours import quiet_label
from summaries.timezones import timezone_label, zone
from summaries.topics import MAX_TOPIC_CHARS, Topic

SUMMARY_SENTENCES = 3
MIN_TOPIC_CHARS = 20
"""How short /topics may show a topic so that a long list still fits one message."""


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
    label = esc(timezone_label(digest.timezone), NAME_CHARS)
    header = f"📰 <b>Your digest</b> · {local:%a %d %b, %H:%M} ({label})"
    if digest.is_empty:
        since = digest.since.astimezone(zone(digest.timezone))
        what = "Nothing new on your topics" if digest.has_topics else "No new stories"
        return [Part(f"{header}\n{what} since {since:%a %d %b, %H:%M}.")]
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


# --- replies to the topic and digest commands ------------------------------------------------


def topics_reply(topics: Sequence[Topic], *, alerts: bool) -> Reply:
    """/topics: numbered, each with a remove button (callback `tr:<topic id>`).

    The list is one message, each topic shown shorter when the whole list would not fit: a
    remove button edits the message it is under, so a list spread over two messages would be
    rewritten into the second one and leave a stale first half above it.
    """
    if not topics:
        return Reply(('You follow no topics yet. Add one: /subscribe climate OR "heat wave"',))
    state = "on" if alerts else "off (matches wait for the digest)"
    width = MAX_TOPIC_CHARS
    while True:
        lines = [f"<b>Your topics ({len(topics)})</b>"]
        lines += [f"{n}. {esc(t.query, width)}" for n, t in enumerate(topics, start=1)]
        lines.append(f"<i>Alerts {state}. Remove with a button or /unsubscribe N.</i>")
        parts = pack([lines])
        if len(parts) == 1 or width <= MIN_TOPIC_CHARS:
            break
        width = max(MIN_TOPIC_CHARS, width * 3 // 4)
    buttons = tuple(
        (Button(f"✖ Remove {n}", callback_data("tr", t.id)),) for n, t in enumerate(topics, 1)
    )
    return Reply(parts, buttons)


def subscribed_reply(topic: Topic, recent: int, *, alerts: bool, posted_in: str = "") -> Reply:
    """The confirmation, with the count of recent matches so a typo shows at once.

    In a forum, `posted_in` (`now_posted_in`) says where deliveries now go, since following a
    topic there moved them.
    """
    matched = "1 article" if recent == 1 else f"{recent} articles"
    then = "You get an alert when a new one appears" if alerts else "New ones go into your digest"
    text = (
        f"Following <b>{esc(topic.query, 200)}</b>. It matched {matched} in the last 7 days."
        f" {then}. See all your topics with /topics."
    )
    return Reply((f"{text} {posted_in}".rstrip(),))


def now_posted_in(here: int | None) -> str:
    """In a forum, after /digest HH:MM or /subscribe in topic `here` (None: General): where
    scheduled digests and alerts go from now on."""
    return f"Scheduled digests and alerts are now posted in {_place(here)}."


def _place(thread: int | None) -> str:
    return "General" if thread is None else "this topic"


def _posted_in(chat: Chat, here: int | None) -> str:
    """/settings in a forum, asked in topic `here` (None: General): where deliveries go.

    A bot cannot read a topic's name without extra calls, so a topic other than this one is
    named by what chose it.
    """
    thread = chat.delivery_thread
    label = "Scheduled digests and alerts: in"
    if thread is not None and thread != here:
        return (
            f"{label} another topic, where /digest HH:MM or /subscribe was last sent"
            " (send /digest HH:MM here to move them here)"
        )
    elsewhere = "in a topic" if thread is None else "in another topic or in General"
    return f"{label} {_place(thread)} (/digest HH:MM or /subscribe sent {elsewhere} moves them)"


def settings_reply(
    chat: Chat,
    *,
    topics: int,
    per_hour: int,
    now: datetime,
    forum: bool = False,
    here: int | None = None,
) -> Reply:
    """/settings: everything this chat can change, and how; in a forum (`forum`, asked in
    topic `here`, None: General), where digests and alerts are posted."""
    if chat.digest_time is None:
        digest = "off (turn on with /digest 08:00)"
    else:
        upcoming = next_slot(chat.digest_time, chat.tz, now, chat.digest_days)
        local = upcoming.astimezone(chat.tz)
        when = days_label(chat.digest_days)
        digest = f"at {chat.digest_time:%H:%M}, {when}; next {local:%a %d %b %H:%M}"
    if not chat.alerts:
        alerts = "off (/alerts on)"
    elif per_hour == 0:
        alerts = "none on this bot (its operator turned them off; matches go into your digest)"
    else:
        alerts = f"on (at most {per_hour} an hour)"
    empty = "say so" if chat.empty_digest == "send" else "skip the digest"
    lines = [
        "<b>Settings for this chat</b>",
        f"Timezone: {esc(chat.timezone_label, 60)} (/timezone Area/City)",
        f"Digest: {digest}",
        f"Alerts: {alerts}",
        f"Quiet hours: {quiet_label(chat.quiet_start, chat.quiet_end)} (/quiet 22:00-07:00|off)",
        f"Topics: {topics} (/topics)",
        f"When nothing is new: {empty} (/emptydigest send|skip)",
    ]
    if forum:
        lines.append(_posted_in(chat, here))
    return Reply(("\n".join(lines),))


def failures_reply(failures: Sequence[Failure], counts: dict[str, int], now: datetime) -> Reply:
    """/failures for operators: messages that failed or may not have arrived, newest first."""
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing yet"
    lines = [f"<b>Delivery</b>: {esc(summary, 300)}"]
    if not failures:
        lines.append("No failed deliveries.")
    for f in failures:
        when = age(f.updated_at, now) if f.updated_at else ""
        lines.append(
            f"#{f.outbox_id} {f.kind} to chat <code>{f.chat_id}</code>: <b>{f.status}</b>"
            f" after {f.attempts} attempt(s), {when}\n<i>{esc(f.error, 300)}</i>"
        )
    return Reply(pack([lines]))
