"""The bot's own pages, rendered like every other reply: welcome, help, sources and their health.

Pure functions over plain data, built on the primitives of `bot.render` (escaping, splitting).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.render import (
    NAME_CHARS,
    Button,
    Reply,
    age,
    callback_data,
    esc,
    link,
    pack,
    plural,
)
from summaries.models import Source


def welcome_reply(first_name: str, *, private: bool) -> Reply:
    """/start: what the bot does, and the three most useful things as buttons.

    Outside a private chat the bot ignores plain links (they are members' conversation), so
    there the welcome points to /summary instead of promising to read any link.
    """
    name = esc(first_name, NAME_CHARS) or "there"
    links = (
        "• Send me any link and I will summarise the page."
        if private
        else "• /summary <i>link</i>: summarise a page"
    )
    text = (
        f"Hi {name}! I read news feeds and give you short summaries.\n\n"
        "• /latest: the newest stories\n"
        "• /search <i>words</i>: find stories\n"
        f"{links}\n\n"
        "/help lists everything I can do."
    )
    buttons = (
        (Button("📰 Latest news", callback_data("cmd", "latest")),),
        (
            Button("🔎 How to search", callback_data("cmd", "search")),
            Button("❓ Help", callback_data("cmd", "help")),
        ),
    )
    return Reply((text,), buttons)


def help_reply(commands: Sequence[tuple[str, str, str]], *, bot_username: str) -> Reply:
    """/help: every command (name, one-line summary, example)."""
    lines = ["<b>What I can do</b>"]
    for name, summary, example in commands:
        line = f"/{esc(name, 40)}: {esc(summary, 300)}"
        if example:
            line += f"\n   e.g. <code>{esc(example, 300)}</code>"
        lines.append(line)
    lines.append(
        "\nIn a private chat, send any link to get it summarised, or paste a long text."
        f" In any chat, type <code>@{esc(bot_username, 64)} words</code> to share a story."
    )
    return Reply(pack([lines]))


def search_help() -> Reply:
    """How to search, for the welcome button."""
    return Reply(
        (
            "<b>Searching</b>\n"
            "<code>/search climate summit</code>: both words\n"
            '<code>/search "climate summit"</code>: the exact phrase\n'
            "<code>/search climate OR weather</code>: either word\n"
            "<code>/search storm -football</code>: leave out a word\n"
            "<code>/search elect*</code>: words starting with elect\n"
            "<code>/search source:bbc since:2d</code>: one source, last two days",
        )
    )


def source_health(source: Source, now: datetime) -> str:
    """One line on how a source is doing."""
    if not source.enabled:
        state = "⏸ disabled"
    elif source.consecutive_failures:
        error = esc(source.last_error or "unknown error", 120)
        state = f"⚠️ failing ({plural(source.consecutive_failures, 'time')}): {error}"
    elif source.last_success_at is not None:
        state = f"✅ ok, polled {age(source.last_success_at, now)}"
    else:
        state = "🕓 not polled yet"
    count = plural(source.article_count, "article")
    return f"<b>#{source.id}</b> {link(source.url, esc(source.name, NAME_CHARS))}: {count}\n{state}"


def sources_reply(sources: Sequence[Source], now: datetime, *, is_admin: bool) -> Reply:
    """/sources: every source with its health (and, for admins, how to change the list)."""
    if not sources:
        hint = " Add one with /addsource URL." if is_admin else ""
        return Reply((f"No sources yet.{hint}",))
    footer = "Add with /addsource URL, remove with /removesource ID." if is_admin else ""
    blocks = [[f"<b>Sources ({len(sources)})</b>"], *([source_health(s, now)] for s in sources)]
    return Reply(pack([*blocks, [footer]] if footer else blocks))
