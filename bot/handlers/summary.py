"""/summary URL, and any link (or long pasted text) sent in a private chat: read and summarise.

A photo's caption counts as its text: a news channel's post forwarded to the bot is usually a
picture with the link in the caption.

The core's fetcher applies its address checks, so a link to a private or local address is
refused with the core's own sentence (shown by the error handler), like any unreadable page.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Message, Update
from telegram.constants import ChatAction, MessageEntityType
from telegram.ext import MessageHandler, filters

from bot.commands import CommandSpec, add_command, argument
from bot.render import notice, summary_reply
from bot.send import answer
from bot.services import App, Context, services_of
from summaries.errors import NewsbriefError, Throttled
from summaries.models import Article
from summaries.reader import read_url
from summaries.summarize import summarize, summarize_article
from summaries.throttle import Throttle
from summaries.urls import find_urls

log = logging.getLogger(__name__)

MIN_PASTED_CHARS = 400
"""A message without a link longer than this is an article pasted or forwarded to be summarised."""
MAX_LINKS = 3
"""Links read from one message, each answered on its own: a forwarded list of twenty links
would otherwise be twenty fetches and twenty replies."""
TOO_MANY_LINKS = (
    f"I read the first {MAX_LINKS} links of your message. Send the others in another message."
)
SUMMARY = CommandSpec("summary", "Summarise a web page (or a long text)",
                      "/summary https://example.com/article")  # fmt: skip
HINT = (
    "Send me a link to a news article and I will summarise it, or paste a long text "
    f"(over {MIN_PASTED_CHARS} characters). /help lists everything else."
)
CAPTION_COMMAND = (
    "Commands work in a text message, not in a photo's caption: send the command on its own. "
    "/help lists every command."
)
USAGE = (
    f"Send me a link with the command, e.g. {SUMMARY.example} "
    f"(or a text of over {MIN_PASTED_CHARS} characters)."
)
"""/summary without something to read: in a group, a link sent alone is not read, so the
private-chat hint would send people the wrong way."""


def register(application: App) -> None:
    add_command(application, SUMMARY, summary_command)
    private_text = filters.ChatType.PRIVATE & (filters.TEXT | filters.CAPTION) & ~filters.COMMAND
    application.add_handler(MessageHandler(private_text, private_message))
    settings = services_of(application).settings
    throttle = Throttle(settings.summaries_per_minute, exempt=settings.admin_ids)
    application.bot_data["summary_throttle"] = throttle


async def summary_command(update: Update, context: Context) -> None:
    """Summarise the link (or long text) given after /summary."""
    await summarise_text(update, context, argument(update), hint=USAGE)


async def private_message(update: Update, context: Context) -> None:
    """A message in a private chat: summarise its links, or the text itself if long.

    A caption that starts with a command (a photo sent with "/subscribe storm") is not run as
    one, as Telegram's clients do not send it as a command: the hint says how to send it.
    """
    message = update.effective_message
    text = (message.text or message.caption or "") if message else ""
    command = message is not None and message.text is None and _starts_with_command(message)
    await summarise_text(update, context, text, hint=CAPTION_COMMAND if command else HINT)


def _starts_with_command(message: Message) -> bool:
    entities = message.caption_entities
    return any(e.type == MessageEntityType.BOT_COMMAND and e.offset == 0 for e in entities)


async def summarise_text(update: Update, context: Context, text: str, *, hint: str) -> None:
    """The links in `text` (the first `MAX_LINKS`), else `text` itself when it is long enough,
    else `hint`."""
    urls = find_urls(text)
    if not urls:
        if len(text) <= MIN_PASTED_CHARS:
            await answer(update, notice(hint))
            return
        await _summarise(update, context, None, text)
        return
    if len(urls) == 1:
        await _summarise(update, context, urls[0], text)  # its refusal goes to the error handler
        return
    for url in urls[:MAX_LINKS]:
        try:
            await _summarise(update, context, url, text)
        except Throttled:
            raise  # the user's share is spent: the error handler says when to try again
        except NewsbriefError as error:  # one bad link does not hold back the others
            log.info("Refused a request: %s", error)
            await answer(update, notice(f"{url}\n{error}"))
    if len(urls) > MAX_LINKS:
        await answer(update, notice(TOO_MANY_LINKS))


async def _summarise(update: Update, context: Context, url: str | None, text: str) -> None:
    """Read `url` (or take `text` as the article), summarise it and answer with the summary."""
    services = services_of(context)
    sentences, method = services.settings.summary_sentences, services.settings.summary_method
    chat = update.effective_chat
    assert chat is not None
    throttle: Throttle = context.bot_data["summary_throttle"]
    with throttle.hold(sender_id(update), services.clock()):
        await context.bot.send_chat_action(chat.id, ChatAction.TYPING)
        if url is not None:
            article = await read_url(services.fetcher, url)
            summary = await asyncio.to_thread(
                summarize_article, article, sentences=sentences, method=method
            )
        else:
            article = Article(title="Your text in short", text=text)
            summary = await asyncio.to_thread(summarize, text, sentences=sentences, method=method)
    await answer(update, summary_reply(article, summary))


def sender_id(update: Update) -> int:
    """Who sent the message, for their share of summaries.

    A message sent on behalf of a chat (an anonymous group admin, a member writing as their
    channel, a channel's post) counts for that chat: its `from` is one of Telegram's placeholder
    accounts, the same in every group, so one group's anonymous admin would otherwise use up
    everyone else's share.
    """
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id
    if user is not None:
        return user.id
    assert chat is not None
    return chat.id
