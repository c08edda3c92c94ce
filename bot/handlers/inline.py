"""Inline mode: `@bot words` in any chat offers matching stories; picking one posts it.

An empty query offers the latest stories. Results page through `next_offset`, ten at a time.
"""

from __future__ import annotations

from telegram import InlineQueryResultArticle, InputTextMessageContent, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import InlineQueryHandler

from bot.render import clip, inline_text
from bot.services import App, Context, services_of
from summaries.articles import latest_articles
from summaries.models import StoredArticle
from summaries.search import search

PAGE_SIZE = 10
MAX_OFFSET = 200


def register(application: App) -> None:
    application.add_handler(InlineQueryHandler(inline_query))


async def inline_query(update: Update, context: Context) -> None:
    """Answer an inline query with stories as articles to post."""
    query = update.inline_query
    assert query is not None
    services = services_of(context)
    offset = int(query.offset) if query.offset.isdecimal() else 0
    text = query.query.strip()
    if offset >= MAX_OFFSET:
        # Our offsets stop before MAX_OFFSET: a bigger one is forged (and may overflow SQLite).
        stories, more = [], False
    elif text:
        page = search(services.db, text, limit=PAGE_SIZE, offset=offset, now=services.clock())
        stories = [hit.article for hit in page.hits]
        more = offset + len(stories) < min(page.total, MAX_OFFSET)
    else:
        stories, more = latest_articles(services.db, limit=PAGE_SIZE), False
    await query.answer(
        [result(story) for story in stories],
        cache_time=60,
        next_offset=str(offset + PAGE_SIZE) if more else "",
    )


def result(story: StoredArticle) -> InlineQueryResultArticle:
    """One offered story: its title and first sentence in the list, the full item when sent."""
    return InlineQueryResultArticle(
        id=str(story.id),
        # Telegram refuses the whole answer if one result's title is blank.
        title=clip(story.title, 120) or "(untitled)",
        description=clip(" ".join(story.summary[:1]) or story.source_name, 200),
        url=story.url if story.url.startswith(("http://", "https://")) else None,
        input_message_content=InputTextMessageContent(
            inline_text(story),
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
    )
