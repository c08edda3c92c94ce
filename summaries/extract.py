"""A fetched page or a saved file -> a clean `Article`: title, byline, date, link and body text.

HTML goes through trafilatura (main text and metadata, favouring precision, no network). Text
that is not HTML is treated as a scraped page like the seed document: a headline, a "By ..."
line, a date line, a caption, the body, and an "Original url:" trailer. Either way the body ends
in `clean_text`, so `Article.text` is exactly what the summariser should see. Anything that is
not text (a PDF, an image, binary junk) is refused with a message saying what newsbrief reads.

This module is the gate: it decides what the input is and refuses what is not an article (or
would take minutes to parse); the readers themselves are `html_article` and `scraped`.
"""

from __future__ import annotations

from dataclasses import replace

from summaries.clean import clean_text, printable, strip_markup
from summaries.errors import ExtractError
from summaries.html_article import article_from_html, fragment_text, tidy_author
from summaries.models import Article, FeedEntry
from summaries.scraped import article_from_scraped_text
from summaries.sniff import (
    MAX_ATTRIBUTES,
    attribute_flood,
    binary_kind,
    decode,
    is_feed,
    is_html,
    looks_binary,
    xml_safe_charrefs,
)


def extract_article(
    body: str | bytes, *, url: str | None = None, content_type: str = ""
) -> Article:
    """The clean article in a page or text; ExtractError if there is none or it is not text."""
    subject = "That link" if url else "That input"
    content_type = content_type.split(";")[0].strip().lower()
    what = binary_kind(body, content_type)
    text = "" if what else decode(body)
    if what or looks_binary(text[:4096]):
        raise ExtractError(
            f"{subject} is {what or 'a binary file'}, not an article page; "
            "newsbrief reads HTML and plain text."
        )
    if is_feed(text):
        raise ExtractError(
            f"{subject} is a news feed, not an article. To follow it, the bot's operator can add"
            " it with /addsource in Telegram or `newsbrief sources add`."
        )
    if is_html(text, content_type):
        _refuse_attribute_floods(text, subject)
        article = _printable(article_from_html(xml_safe_charrefs(text), url))
    else:
        article = _printable(article_from_scraped_text(text, url))
    if not article.text:
        raise ExtractError(f"{subject} has no readable article text.")
    return article


def article_from_entry(entry: FeedEntry, *, source_name: str = "") -> Article:
    """The article as the feed itself tells it: for when its page cannot be fetched or read."""
    _refuse_attribute_floods(entry.content_html, f"The feed entry {entry.url}")
    article = _printable(
        Article(
            title=strip_markup(entry.title),
            text=clean_text(fragment_text(entry.content_html), title=entry.title),
            url=entry.url,
            byline=tidy_author(entry.author),
            published=entry.published,
            site_name=source_name or None,
        )
    )
    if not article.text:
        raise ExtractError(f"The feed entry {entry.url} has no text of its own to summarise.")
    return article


def _refuse_attribute_floods(html: str, subject: str) -> None:
    """ExtractError for markup with an element of more than `MAX_ATTRIBUTES` attributes: lxml
    spends time quadratic in their number (38 s for one tag of 200,000), and a JSON Feed's
    `content_html` reaches it as sent (`summaries.sniff.attribute_flood`)."""
    if attribute_flood(html):
        raise ExtractError(
            f"{subject} has an element with more than {MAX_ATTRIBUTES} attributes, which no "
            "real article has; newsbrief does not read it (that would take minutes). Paste the "
            "article's text instead."
        )


def _printable(article: Article) -> Article:
    """The article without control characters or lone surrogates in what people read: entities
    (`&#x1b;`) become characters only during extraction, after any check on the raw input."""
    return replace(
        article,
        title=printable(article.title),
        text=printable(article.text),
        byline=printable(article.byline) if article.byline else article.byline,
        site_name=printable(article.site_name) if article.site_name else article.site_name,
    )
