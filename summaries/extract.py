"""A fetched page or a saved file -> a clean `Article`: title, byline, date, link and body text.

HTML goes through trafilatura (main text and metadata, favouring precision, no network). Text
that is not HTML is treated as a scraped page like the seed document: a headline, a "By ..."
line, a date line, a caption, the body, and an "Original url:" trailer. Either way the body ends
in `clean_text`, so `Article.text` is exactly what the summariser should see. Anything that is
not text (a PDF, an image, binary junk) is refused with a message saying what newsbrief reads.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import datetime

import lxml.html
import trafilatura
from lxml import etree
from trafilatura.settings import Document
from trafilatura.utils import load_html

from summaries.boilerplate import is_boilerplate
from summaries.bylines import parse_byline
from summaries.clean import (
    clean_text,
    is_caption,
    paragraphs,
    printable,
    strip_markup,
)
from summaries.dates import is_date_line, parse_date
from summaries.errors import ExtractError
from summaries.models import Article, FeedEntry
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

_ORIGINAL_URL = re.compile(
    r"^(?:original (?:url|article|story|link)|source|read (?:the )?original(?: article)?|"
    r"(?:article )?link)\s*:?\s*(?P<url>https?://\S+)?$",
    re.I,
)
_BARE_URL = re.compile(r"^<?(?P<url>https?://[^\s<>]+)>?$")
_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?(?P<lang>[A-Za-z]{2,3})\b", re.I)
_META = re.compile(r"<meta\b[^>]*>", re.I)
_META_NAME = re.compile(r"\b(?:property|name|http-equiv)\s*=\s*[\"']?(?P<name>[\w:-]+)", re.I)
_META_CONTENT = re.compile(r"\bcontent\s*=\s*[\"'](?P<value>[^\"']+)", re.I)
_EMAIL_NAME = re.compile(r"\s*[^\s@()]+@[^\s@()]+\s*\((?P<name>[^)]+)\)\s*")
_HEADER_SPAN = 6
"""The headline, byline and date are looked for among this many leading paragraphs."""

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
"""trafilatura logs its verdicts ("empty HTML tree: None", "discarding data: None") without
naming the page; `extract_article` reports the same outcome as one ExtractError that the CLI and
the bot show once, so those lines would only repeat it, unreadably, beside the real message."""


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
        article = _printable(_from_html(xml_safe_charrefs(text), url))
    else:
        article = _printable(_from_scraped_text(text, url))
    if not article.text:
        raise ExtractError(f"{subject} has no readable article text.")
    return article


def article_from_entry(entry: FeedEntry, *, source_name: str = "") -> Article:
    """The article as the feed itself tells it: for when its page cannot be fetched or read."""
    _refuse_attribute_floods(entry.content_html, f"The feed entry {entry.url}")
    article = _printable(
        Article(
            title=strip_markup(entry.title),
            text=clean_text(_fragment_text(entry.content_html), title=entry.title),
            url=entry.url,
            byline=_tidy_author(entry.author),
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
            "real article has; newsbrief does not read it (that would take minutes)."
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


def _from_html(html: str, url: str | None) -> Article:
    """trafilatura's main text and metadata, then the same cleaning as every other text.

    Metadata the page does not mark up (a "By ..." or date paragraph in the body) is read from
    the text's leading paragraphs, as for a scraped page.
    """
    tree = load_html(html)
    if tree is None:
        return Article(title="", text="", url=url)
    document = trafilatura.bare_extraction(
        _rooted(tree),
        url=url,
        with_metadata=True,
        favor_precision=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if not isinstance(document, Document):
        return Article(title="", text="", url=url)
    fields = {k: v for k, v in document.as_dict().items() if isinstance(v, str) and v}
    paras = paragraphs(fields.get("text", ""))
    header = _read_header(paras)
    title = strip_markup(fields.get("title", "")) or header.title
    return Article(
        title=title,
        text=clean_text(_without(paras, header.used), title=title),
        url=fields.get("url") or url,
        byline=_tidy_author(fields.get("author")) or header.byline,
        published=_published(fields.get("date"), html) or header.published,
        site_name=fields.get("sitename"),
        language=_language(html) or fields.get("language"),
    )


def _rooted(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The page's tree under an `<html>` root.

    A page that starts with `<svg>` or `<math>` is parsed with that element as its root, and
    trafilatura's date search then drops the root from its parent-less tree: an AssertionError
    from inside lxml, where a clear "no readable text" (and, when ingesting, the feed's own
    text) belongs.
    """
    if tree.tag == "html":
        return tree
    root = lxml.html.Element("html")
    etree.SubElement(root, "body").append(tree)
    return root


def _from_scraped_text(text: str, url: str | None) -> Article:
    """A saved or scraped page as text: header lines become metadata, the rest is cleaned."""
    body, link = _take_link(paragraphs(text), url)
    header = _read_header(body)
    return Article(
        title=header.title,
        text=clean_text(_without(body, header.used), title=header.title),
        url=link,
        byline=header.byline,
        published=header.published,
    )


@dataclass(frozen=True)
class _Header:
    title: str = ""
    byline: str | None = None
    published: datetime | None = None
    used: frozenset[int] = frozenset()
    """Paragraphs that were header lines, to leave out of the body."""


def _read_header(paras: list[str]) -> _Header:
    """The headline, byline and date among the leading paragraphs.

    The headline comes before any prose; a byline and date may follow a standfirst.

    A first line that merely lacks a full stop is only taken as the headline when it looks like
    one (a heading, title case, a few words) or a byline or date follows it: plain text often
    starts straight with its lead sentence.
    """
    title, title_at, byline, published = "", 0, None, None
    used: set[int] = set()
    prose = 0
    for index, raw in enumerate(paras[: min(_HEADER_SPAN, len(paras) - 1)]):
        plain = strip_markup(raw)
        if _is_body_paragraph(plain):
            prose += 1
            continue
        found = parse_byline(plain)
        if found is None and title and byline is None and prose <= 1:
            found = parse_byline(plain, bare=True)
        if found and byline is None:
            byline = found
            published = published or parse_date(plain)
        elif is_date_line(plain):
            published = published or parse_date(plain)
        elif not title and not prose and _is_headline(raw, plain):
            title, title_at = plain, index
        else:
            continue
        used.add(index)
    if title and not (byline or published or _looks_like_headline(paras[title_at])):
        title = ""
        used.discard(title_at)
    return _Header(title, byline, published, frozenset(used))


def _without(paras: list[str], used: frozenset[int]) -> str:
    """The paragraphs not used as header lines, as one text."""
    return "\n\n".join(p for index, p in enumerate(paras) if index not in used)


def _take_link(paras: list[str], url: str | None) -> tuple[list[str], str | None]:
    """Drop "Original url:" trailers and bare URL lines; the labelled (or last) URL is the link."""
    kept: list[str] = []
    labelled: str | None = None
    after_label = False
    for index, raw in enumerate(paras):
        plain = strip_markup(raw)
        label = _ORIGINAL_URL.match(plain)
        bare = _BARE_URL.match(plain)
        if label:
            labelled = labelled or label["url"]
            after_label = label["url"] is None
        elif bare:
            if after_label or index == len(paras) - 1:
                labelled = labelled or bare["url"]
            after_label = False
        else:
            after_label = False
            kept.append(raw)
    return kept, url or labelled


def _is_headline(raw: str, plain: str) -> bool:
    """A short line that is not boilerplate or a caption and does not end like a sentence."""
    return (
        0 < len(plain.split()) <= 30
        and not plain.endswith((".", ":", ")"))
        and not plain.startswith("(")
        and not (is_boilerplate(plain) or is_caption(raw, plain))
    )


def _looks_like_headline(raw: str) -> bool:
    """A markdown heading, a line of a few words, or one in title case."""
    words = [word for word in strip_markup(raw).split() if len(word) > 3]
    capitalised = sum(word[:1].isupper() for word in words)
    return raw.lstrip().startswith("#") or len(raw.split()) <= 8 or capitalised >= 0.6 * len(words)


def _is_body_paragraph(plain: str) -> bool:
    """A paragraph of running prose: the header (headline, byline, date) ends before it."""
    return len(plain.split()) >= 12 and plain.rstrip()[-1:] in ".!?\"'”’)"


def _fragment_text(fragment: str) -> str:
    """Feed content HTML -> text with a paragraph per block element; figures and scripts go."""
    if "<" not in fragment:
        return fragment
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    etree.strip_elements(
        root,
        "script",
        "style",
        "figure",
        "figcaption",
        "noscript",
        "iframe",
        "aside",
        "nav",
        "form",
        etree.Comment,
        with_tail=False,
    )
    for element in root.iter("p", "div", "li", "h1", "h2", "h3", "h4", "blockquote", "br", "tr"):
        element.tail = "\n\n" + (element.tail or "")
    return str(root.text_content())


def _tidy_author(author: str | None) -> str | None:
    """ "jane@example.com (Jane Doe)" -> "Jane Doe"; "A; B" -> "A, B".

    The address is matched as one `@` between runs that cannot hold another (`_EMAIL_NAME`):
    with `\\S+@\\S+`, an author of "a@a@a@..." (from a feed or a page's meta tag) was tried at
    every pair of `@`, and 80 KB of it took 17 s.
    """
    if not author:
        return None
    inner = _EMAIL_NAME.fullmatch(author)
    name = inner["name"] if inner else author
    name = re.sub(r"^by\s+", "", name.strip(), flags=re.I)
    return ", ".join(part.strip() for part in name.split(";") if part.strip()) or None


def _published(value: str | None, html: str) -> datetime | None:
    """trafilatura's YYYY-MM-DD, with the time from `article:published_time` when it agrees."""
    if not value:
        return None
    day = parse_date(value)
    stamp = _meta(html, "article:published_time")
    precise = parse_date(stamp) if stamp else None
    if day and precise and precise.date() == day.date():
        return precise
    return day


def _language(html: str) -> str | None:
    """The language the page declares: `<html lang>`, else og:locale or Content-Language."""
    declared = _HTML_LANG.search(html[:5000])
    locale = _meta(html, "og:locale") or _meta(html, "content-language") or ""
    code = declared["lang"] if declared else locale[:2]
    return code.lower() or None


def _meta(html: str, name: str) -> str | None:
    """The content of the first `<meta>` with this property or name, in any attribute order."""
    for tag in _META.finditer(html[:100_000]):
        named = _META_NAME.search(tag.group(0))
        if named and named["name"].lower() == name:
            content = _META_CONTENT.search(tag.group(0))
            return content["value"].strip() if content else None
    return None
