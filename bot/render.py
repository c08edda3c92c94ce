"""Every reply the bot sends, rendered from plain data into Telegram HTML: pure functions.

Outside text (titles, summaries, source names, user queries) is escaped exactly once, here, and
clipped before escaping, so a fragment can never be cut inside a tag or an entity. Telegram
counts a message's length on the text it shows, after the HTML is parsed, in UTF-16 code units;
`text_length` counts the same way and replies are split between items (or between the lines of
one item) to stay under `PART_LIMIT`, a margin below Telegram's 4096.

A `Reply` is what a handler sends: one or more HTML parts, optional buttons under the last part,
and whether to show a link preview. `to_plain` turns a part into the plain text it displays, the
fallback when Telegram refuses the HTML. The bot's own pages (welcome, help, sources) are in
`bot.render_info`; digests and alerts in `bot.render_digest`, on the same primitives.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from summaries.models import Article, StoredArticle, Summary
from summaries.search import SearchHit, SearchPage, Snippet

TELEGRAM_LIMIT = 4096
PART_LIMIT = 3900
CALLBACK_LIMIT = 64
POPUP_LIMIT = 200
TITLE_CHARS = 250
SENTENCE_CHARS = 1500
SNIPPET_CHARS = 300
NAME_CHARS = 80
_TAG = re.compile(r"<[^>]*>")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Button:
    """An inline button: callback `data` (under 64 bytes) or a `url`."""

    label: str
    data: str = ""
    url: str = ""


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Reply:
    """One answer: HTML parts (each within Telegram's limit), buttons under the last part."""

    parts: tuple[str, ...]
    buttons: Keyboard = ()
    preview: bool = False


# --- text primitives --------------------------------------------------------------------------


def clip(text: str, limit: int) -> str:
    """Outside text made safe to show: no control characters or lone surrogates, at most `limit`
    characters (cut at a word boundary when one is near, with an ellipsis)."""
    text = _clean(text).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 0.8 else cut).rstrip() + "…"


def _clean(text: str) -> str:
    """No lone surrogates (they cannot be sent as UTF-8) and no control characters.

    Bidi embeddings, overrides and isolates go too: a right-to-left override in a title or a
    query would display the bot's own words after it backwards (or disguise a link's text).
    Right-to-left script itself is untouched; clients lay it out without them.
    """
    text = _BIDI_CONTROL.sub("", text.encode("utf-8", "replace").decode("utf-8"))
    return _CONTROL.sub(" ", unicodedata.normalize("NFC", text))


def popup(text: str) -> str:
    """The text of a button's answer (a toast or pop-up): at most `POPUP_LIMIT` characters as
    Telegram counts them, in UTF-16 code units like a message's length (an emoji counts twice)."""
    limit = POPUP_LIMIT
    while len((shown := clip(text, limit)).encode("utf-16-le")) // 2 > POPUP_LIMIT:
        limit -= 10
    return shown


def esc(text: str, limit: int = SENTENCE_CHARS) -> str:
    """Clip then escape outside text for HTML parse mode."""
    return html.escape(clip(text, limit))


def link(url: str, label_html: str) -> str:
    """`label_html` linked to `url` when it is an http(s) URL; just the label otherwise."""
    if not url.lower().startswith(("http://", "https://")):
        return label_html
    return f'<a href="{html.escape(clip(url, 2000))}">{label_html}</a>'


def text_length(part: str) -> int:
    """The length Telegram checks: the shown text (tags removed, entities decoded), UTF-16 units."""
    return len(to_plain(part).encode("utf-16-le")) // 2


def to_plain(part: str) -> str:
    """The text an HTML part displays: the plain-text fallback for a part Telegram refused."""
    return html.unescape(_TAG.sub("", part))


def callback_data(*fields: object) -> str:
    """Button data `a:b:c`; raises ValueError if Telegram would refuse it (over 64 bytes)."""
    data = ":".join(str(f) for f in fields)
    if not 0 < len(data.encode()) <= CALLBACK_LIMIT:
        raise ValueError(f"callback data of {len(data.encode())} bytes: {data[:70]!r}")
    return data


def age(moment: datetime, now: datetime) -> str:
    """How long ago, as people say it: "just now", "5 min ago", "3 h ago", "2 days ago", a date."""
    delta = now - moment
    if delta < timedelta(minutes=1):
        return "just now"
    if delta < timedelta(hours=1):
        return f"{delta.seconds // 60} min ago"
    if delta < timedelta(days=1):
        return f"{delta.seconds // 3600} h ago"
    if delta < timedelta(days=30):
        return "yesterday" if delta.days == 1 else f"{delta.days} days ago"
    return f"{moment.day} {moment:%b %Y}"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


# --- splitting ----------------------------------------------------------------------------------


def pack(blocks: Iterable[Sequence[str]], *, limit: int = PART_LIMIT) -> tuple[str, ...]:
    """Join blocks (each a list of lines) into parts under `limit`, blank lines between blocks.

    A block goes whole into a part when it fits; a block too big for a part of its own is split
    between its lines. Every line is a complete HTML fragment shorter than `limit` (outside text
    is clipped before rendering), so nothing is ever cut inside a tag.
    """
    parts: list[str] = []
    current: list[str] = []

    def fits(extra: str, separator: str) -> bool:
        return text_length(separator.join([*current, extra])) <= limit if current else True

    for block in blocks:
        whole = "\n".join(block)
        if current and not fits(whole, "\n\n"):
            parts.append("\n\n".join(current))
            current = []
        if text_length(whole) <= limit:
            current.append(whole)
            continue
        lines: list[str] = []
        for line in block:
            if lines and text_length("\n".join([*lines, line])) > limit:
                parts.append("\n".join(lines))
                lines = []
            lines.append(line)
        current = ["\n".join(lines)] if lines else []
    if current:
        parts.append("\n\n".join(current))
    return tuple(parts)


# --- articles -------------------------------------------------------------------------------------


def title_line(title: str, url: str, *, limit: int = TITLE_CHARS) -> str:
    """A bold title, linked; one that is blank once cleaned (spaces, control characters) reads
    "(untitled)", so the link never has empty text."""
    return "<b>" + link(url, esc(title, limit) or "(untitled)") + "</b>"


def meta_line(source: str, when: datetime | None, now: datetime, others: Sequence[str] = ()) -> str:
    """Source · age, and the other outlets that reported the same story."""
    bits = [esc(source or "unknown source", NAME_CHARS)]
    if when is not None:
        bits.append(age(when, now))
    line = "<i>" + " · ".join(bits) + "</i>"
    if others:
        names = ", ".join(esc(name, NAME_CHARS) for name in others[:5])
        more = f" and {len(others) - 5} more" if len(others) > 5 else ""
        line += f"\n<i>Also reported by {names}{more}</i>"
    return line


def article_block(article: StoredArticle, now: datetime) -> list[str]:
    """A stored story: linked bold title, source and age, one summary sentence per line."""
    return [
        title_line(article.title, article.url),
        meta_line(article.source_name, article.when, now, article.also_reported_by),
        *(esc(sentence) for sentence in article.summary),
    ]


def snippet_line(snippet: Snippet) -> str:
    """A search passage with the matched words in bold, at most `SNIPPET_CHARS` long."""
    out, budget = [], SNIPPET_CHARS
    for text, is_match in snippet:
        piece = _clean(text)[:budget]
        budget -= len(piece)
        escaped = html.escape(piece)
        out.append(f"<b>{escaped}</b>" if is_match and piece.strip() else escaped)
        if budget <= 0:
            out.append("…")
            break
    return "".join(out).strip() or "…"


def latest_reply(articles: Sequence[StoredArticle], now: datetime, *, source: str = "") -> Reply:
    """/latest: newest stories first."""
    if not articles:
        where = f" from {esc(source, NAME_CHARS)}" if source else ""
        return Reply(
            (f"No stories{where} yet. New ones arrive as sources are polled; see /sources.",)
        )
    header = "<b>Latest news</b>" + (f" from {esc(source, NAME_CHARS)}" if source else "")
    return Reply(pack([[header], *(article_block(a, now) for a in articles)]))


def search_reply(page: SearchPage, query: str, now: datetime, *, key: str) -> Reply:
    """/search: one page of hits (always one part, so the buttons can edit it in place)."""
    shown = esc(query, 100)
    if not page.hits:
        if page.total:
            return Reply((f"No more results for <b>{shown}</b>.",))
        return Reply(
            (
                f"Nothing found for <b>{shown}</b>.\nTry fewer or broader words, drop "
                "<code>source:</code> or <code>since:</code>, or add <code>OR</code> between "
                "alternatives: <code>climate OR weather</code>.",
            )
        )
    first, last = page.offset + 1, page.offset + len(page.hits)
    header = f"<b>Results {first}–{last} of {page.total}</b> for <b>{shown}</b>"
    blocks = [[header], *(_hit_block(hit, now) for hit in page.hits)]
    parts = pack(blocks, limit=PART_LIMIT)
    number = page.offset // page.limit
    nav = []
    if page.offset > 0:
        nav.append(Button("◀ Previous", callback_data("s", number - 1, key)))
    if last < page.total:
        nav.append(Button("Next ▶", callback_data("s", number + 1, key)))
    return Reply(parts[:1], (tuple(nav),) if nav else ())


def _hit_block(hit: SearchHit, now: datetime) -> list[str]:
    article = hit.article
    return [
        title_line(article.title, article.url, limit=150),
        meta_line(article.source_name, article.when, now),
        snippet_line(hit.snippet),
    ]


def summary_reply(article: Article, summary: Summary) -> Reply:
    """/summary and links sent in private: the page's title, where it is from, the sentences."""
    about = [clip(b, NAME_CHARS) for b in (article.site_name, article.byline) if b]
    lines = [title_line(article.title, article.url or "")]
    if about:
        lines.append("<i>" + html.escape(" · ".join(about)) + "</i>")
    if summary.fallback:
        lines.append("<i>(language without full support: the opening sentences)</i>")
    lines += [esc(sentence) for sentence in summary.sentences]
    return Reply(pack([lines]))


def inline_text(article: StoredArticle) -> str:
    """The message an inline result posts: title, link, summary (always one part)."""
    lines = [title_line(article.title, article.url, limit=150), esc(article.url, 500)]
    lines += [esc(sentence, 800) for sentence in article.summary[:3]]
    return pack([lines])[0]


def notice(text: str) -> Reply:
    """A one-line answer made of plain outside text (errors from the core, confirmations).

    Clipped to `SENTENCE_CHARS` characters: even if each is an emoji (two UTF-16 units), the
    part stays under `PART_LIMIT`, whatever user input a core message repeats.
    """
    return Reply((esc(text),))
