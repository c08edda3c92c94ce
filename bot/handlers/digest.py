"""/digest (now), /digest HH:MM, /digest off, /timezone Area/City, /emptydigest, /settings,
and /failures for the bot's operators.

Registering this feature also wires delivery: it creates the bot's outbox, hooks topic alerts
into ingestion and, on the bot's JobQueue, schedules the start-up recovery and the digest job
(`bot.delivery.install_delivery`, `schedule_delivery`).
"""

from __future__ import annotations

from telegram import Update

from bot.commands import CommandSpec, add_command, argument
from bot.delivery import install_delivery, outbox_of, schedule_delivery
from bot.handlers.topics import deliver_here, this_chat
from bot.permissions import require_bot_admin, require_chat_admin
from bot.render import notice
from bot.render_digest import failures_reply, settings_reply
from bot.send import answer, forum_topic, is_forum
from bot.services import App, Context, services_of
from summaries.chats import (
    parse_digest_time,
    set_digest_time,
    set_empty_digest,
    set_timezone,
)
from summaries.digest import plan_digest
from summaries.digest_days import EVERY_DAY, days_label, parse_days
from summaries.outbox_admin import failures, status_counts
from summaries.topics import list_topics

DIGEST = CommandSpec("digest", "The digest now; /digest HH:MM [weekdays] scheduled; /digest off",
                     "/digest 08:00")  # fmt: skip
TIMEZONE = CommandSpec("timezone", "Your timezone for the digest hour", "/timezone Europe/Berlin")
SETTINGS = CommandSpec("settings", "This chat's timezone, digest, alerts and topics", "/settings")
EMPTY = CommandSpec("emptydigest", "When nothing is new: send a one-line digest, or skip it",
                    "/emptydigest skip")  # fmt: skip
OFF_WITH_DAYS = (
    "/digest off turns the scheduled digest off on every day. To have it on some days only,"
    " give the time and those days, e.g. /digest 08:00 weekdays."
)
"""The answer to "/digest off weekends", which could mean either; "'off' is not a time" did
not say what to write instead."""
FAILURES = CommandSpec("failures", "Messages that could not be delivered", "/failures",
                       admin_only=True)  # fmt: skip


def register(application: App) -> None:
    install_delivery(application)
    schedule_delivery(application)
    add_command(application, DIGEST, digest_command)
    add_command(application, TIMEZONE, timezone_command)
    add_command(application, SETTINGS, settings_command)
    add_command(application, EMPTY, empty_digest_command)
    add_command(application, FAILURES, failures_command)


async def digest_command(update: Update, context: Context) -> None:
    """No argument: the digest now. HH:MM [DAYS]: at that local time, every day or on DAYS
    ("weekdays", "mon,wed,fri"). off: no scheduled digest.

    In a forum, HH:MM also makes the topic it was sent in (General included) the one where
    scheduled digests and alerts are posted; "off" leaves that alone, as alerts still go there.
    """
    choice = argument(update).lower()
    services, chat = services_of(context), this_chat(update, context)
    if not choice:
        box = outbox_of(context)
        thread = forum_topic(update)
        if not plan_digest(
            services.db, box, chat.id, now=services.clock(), slot=None, thread_id=thread
        ):
            await answer(update, notice("Nothing new since your last digest."))
        await box.flush()
        return
    if not await require_chat_admin(update, context):
        return
    at_text, *days_text = choice.split(maxsplit=1)  # the days may follow on the next line
    if at_text == "off" and days_text:
        await answer(update, notice(OFF_WITH_DAYS))
        return
    at = None if at_text == "off" else parse_digest_time(at_text)
    days = parse_days(days_text[0]) if days_text else EVERY_DAY
    chat = set_digest_time(services.db, chat.id, at, now=services.clock(), days=days)
    if chat.digest_time is None:
        text = "Scheduled digest off. /digest still sends one whenever you ask."
    else:
        where = deliver_here(update, context, chat.id)
        text = (
            f"Digest at {chat.digest_time:%H:%M} ({chat.timezone_label}),"
            f" {days_label(chat.digest_days)}. Change the timezone with /timezone Area/City."
            f" {where}"
        ).rstrip()
    await answer(update, notice(text))


async def timezone_command(update: Update, context: Context) -> None:
    """Set the chat's IANA timezone; a wrong name gets suggestions."""
    name = argument(update)
    services, chat = services_of(context), this_chat(update, context)
    if not name:
        await answer(
            update, notice(f"Your timezone is {chat.timezone_label}. Change it: {TIMEZONE.example}")
        )
        return
    if not await require_chat_admin(update, context):
        return
    chat = set_timezone(services.db, chat.id, name, now=services.clock())
    local = services.clock().astimezone(chat.tz)
    await answer(
        update, notice(f"Timezone set to {chat.timezone_label} (it is {local:%H:%M} there now).")
    )


async def empty_digest_command(update: Update, context: Context) -> None:
    """/emptydigest send|skip."""
    mode = argument(update).lower()
    chat = this_chat(update, context)
    if mode and not await require_chat_admin(update, context):
        return
    set_empty_digest(services_of(context).db, chat.id, mode)
    text = "say so in one line" if mode == "send" else "skip the digest"
    await answer(update, notice(f"When nothing is new, I will {text}."))


async def settings_command(update: Update, context: Context) -> None:
    """Show every setting of this chat."""
    services, chat = services_of(context), this_chat(update, context)
    topics = len(list_topics(services.db, chat.id))
    per_hour = services.settings.alerts_per_hour
    reply = settings_reply(
        chat,
        topics=topics,
        per_hour=per_hour,
        now=services.clock(),
        forum=is_forum(update),
        here=forum_topic(update),
    )
    await answer(update, reply)


async def failures_command(update: Update, context: Context) -> None:
    """Operators: recent deliveries that failed or may not have arrived."""
    if not await require_bot_admin(update, context):
        return
    services = services_of(context)
    reply = failures_reply(failures(services.db), status_counts(services.db), services.clock())
    await answer(update, reply)
