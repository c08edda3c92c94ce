"""/subscribe QUERY, /topics (with remove buttons), /unsubscribe N|QUERY, /alerts on|off,
/quiet HH:MM-HH:MM|off.

Anyone may look; in a group only its admins may change what the group follows.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.commands import CommandSpec, add_command, argument
from bot.permissions import require_chat_admin
from bot.render import notice, popup
from bot.render_digest import now_posted_in, subscribed_reply, topics_reply
from bot.send import acknowledge, answer, edit, forum_topic, is_forum
from bot.services import App, Context, services_of
from summaries.chats import Chat, ensure_chat, set_alerts, set_delivery_thread, set_quiet_hours
from summaries.config import Settings
from summaries.errors import typed
from summaries.quiet_hours import USAGE, parse_quiet, quiet_label
from summaries.topics import MAX_TOPIC_CHARS, list_topics, remove_topic, subscribe, unsubscribe

SUBSCRIBE = CommandSpec(
    "subscribe", "Follow a topic: alerts for new matches and a place in your digest",
    '/subscribe climate OR "heat wave"',
)  # fmt: skip
TOPICS = CommandSpec("topics", "The topics you follow, with remove buttons", "/topics")
UNSUBSCRIBE = CommandSpec("unsubscribe", "Stop following a topic", "/unsubscribe 2")
ALERTS = CommandSpec("alerts", "Instant alerts on or off (off: matches wait for the digest)",
                     "/alerts off")  # fmt: skip
QUIET = CommandSpec("quiet", "Quiet hours: alerts then come without a sound", "/quiet 22:00-07:00")


def register(application: App) -> None:
    add_command(application, SUBSCRIBE, subscribe_command)
    add_command(application, TOPICS, topics_command)
    add_command(application, UNSUBSCRIBE, unsubscribe_command)
    add_command(application, ALERTS, alerts_command)
    add_command(application, QUIET, quiet_command)
    application.add_handler(CallbackQueryHandler(remove_button, pattern=r"^tr:\d{1,12}$"))


def this_chat(update: Update, context: Context) -> Chat:
    """The chat's settings row, created on first use (and reactivated if it had blocked us)."""
    chat, services = update.effective_chat, services_of(context)
    assert chat is not None
    return ensure_chat(services.db, chat.id, now=services.clock(), kind=chat.type, title=chat.title)


async def subscribe_command(update: Update, context: Context) -> None:
    """Follow a topic; the reply says how many recent articles it matched.

    In a forum, the forum topic it was sent in (General included) becomes the one where
    scheduled digests and alerts are posted; a refused topic changes nothing.
    """
    text = argument(update)
    if not text:
        await answer(update, notice(f"Tell me what to follow, e.g. {SUBSCRIBE.example}"))
        return
    if not await require_chat_admin(update, context):
        return
    services, chat = services_of(context), this_chat(update, context)
    limit = services.settings.max_topics_per_chat
    topic, recent = subscribe(services.db, chat.id, text, limit=limit, now=services.clock())
    where = deliver_here(update, context, chat.id)
    alerts = sends_alerts(chat, services.settings)
    await answer(update, subscribed_reply(topic, recent, alerts=alerts, posted_in=where))


def deliver_here(update: Update, context: Context, chat_id: int) -> str:
    """Make the forum topic the command was sent in (General included) the place for the chat's
    scheduled digests and alerts; in a forum, the sentence that says so ("" elsewhere).

    Outside forums this stores None (the chat itself), so a group that had topics and turned
    them off does not keep a stale thread.
    """
    here = forum_topic(update)
    set_delivery_thread(services_of(context).db, chat_id, here)
    return now_posted_in(here) if is_forum(update) else ""


async def topics_command(update: Update, context: Context) -> None:
    """List the chat's topics, numbered, each with a remove button."""
    services, chat = services_of(context), this_chat(update, context)
    alerts = sends_alerts(chat, services.settings)
    await answer(update, topics_reply(list_topics(services.db, chat.id), alerts=alerts))


async def unsubscribe_command(update: Update, context: Context) -> None:
    """Stop following a topic given by number or by its text."""
    key = argument(update)
    if not key:
        await answer(update, notice("Say which topic: /unsubscribe 2 (numbers are in /topics)."))
        return
    if not await require_chat_admin(update, context):
        return
    chat = this_chat(update, context)
    topic = unsubscribe(services_of(context).db, chat.id, key)
    await answer(update, notice(f"Stopped following {typed(topic.query, MAX_TOPIC_CHARS)}."))


async def remove_button(update: Update, context: Context) -> None:
    """A remove button under /topics: drop that topic and show the list again."""
    query = update.callback_query
    assert query is not None and query.data is not None
    if not await require_chat_admin(update, context):
        return
    services, chat = services_of(context), this_chat(update, context)
    topic = remove_topic(services.db, chat.id, int(query.data.split(":")[1]))
    await acknowledge(query, popup(f"Removed {topic.query}"))
    alerts = sends_alerts(chat, services.settings)
    await edit(query, topics_reply(list_topics(services.db, chat.id), alerts=alerts))


async def alerts_command(update: Update, context: Context) -> None:
    """/alerts on|off, or the current state."""
    choice = argument(update).lower()
    chat = this_chat(update, context)
    if choice not in ("on", "off"):
        settings = services_of(context).settings
        state = "on" if chat.alerts else "off"
        text = f"Alerts are {state}. Use /alerts on or /alerts off."
        silenced = chat.alerts and not sends_alerts(chat, settings)
        await answer(update, notice(alerts_text(True, settings) if silenced else text))
        return
    if not await require_chat_admin(update, context):
        return
    set_alerts(services_of(context).db, chat.id, choice == "on")
    await answer(update, notice(alerts_text(choice == "on", services_of(context).settings)))


async def quiet_command(update: Update, context: Context) -> None:
    """/quiet HH:MM-HH:MM sets the chat's quiet hours, /quiet off ends them, /quiet shows them."""
    choice = argument(update).lower()
    chat = this_chat(update, context)
    if not choice:
        shown = quiet_label(chat.quiet_start, chat.quiet_end)
        await answer(update, notice(f"Quiet hours: {shown}. {USAGE}"))
        return
    if not await require_chat_admin(update, context):
        return
    hours = None if choice == "off" else parse_quiet(choice)
    chat = set_quiet_hours(services_of(context).db, chat.id, hours)
    if hours is None:
        text = "Quiet hours off: alerts come with the usual sound at any hour."
    else:
        text = (
            f"Quiet hours {quiet_label(*hours)} ({chat.timezone_label}): alerts then come"
            " without a sound. Digests keep their sound."
        )
    await answer(update, notice(text))


def sends_alerts(chat: Chat, settings: Settings) -> bool:
    """Whether the chat gets instant alerts: its own choice, unless the operator turned them
    off for the whole bot (`NEWSBRIEF_ALERTS_PER_HOUR=0`), when matches wait for the digest."""
    return chat.alerts and settings.alerts_per_hour > 0


def alerts_text(on: bool, settings: Settings) -> str:
    """The confirmation; with alerts off for the whole bot (`NEWSBRIEF_ALERTS_PER_HOUR=0`) a
    chat's "on" is kept for later but promises nothing."""
    per_hour = settings.alerts_per_hour
    if on and per_hour == 0:
        return (
            "Alerts on, but this bot sends no instant alerts (its operator turned them off):"
            " matches for your topics go into your digest (/digest HH:MM)."
        )
    if on:
        return (
            f"Alerts on: new matches arrive as they are found (at most {per_hour} messages an"
            " hour; the rest go into your digest)."
        )
    return "Alerts off: matches for your topics now wait for your digest (/digest HH:MM)."
