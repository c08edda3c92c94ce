"""An HTML page -> an article via trafilatura; feed content HTML -> text; authors tidied.

trafilatura finds the main text and the metadata a page marks up (favouring precision, no
network); what it leaves out (a "By ..." or date paragraph in the body) is read from the text's
leading paragraphs as for a scraped page (`scraped.read_header`), and the `<html lang>` and
`<meta>` tags fill in the language and the time of day.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

import lxml.html
import trafilatura
from lxml import etree
from trafilatura.settings import Document
from trafilatura.utils import load_html

from summaries.clean import clean_text, paragraphs, strip_markup
from summaries.dates import parse_date
from summaries.models import Article
from summaries.scraped import body_text, read_header

_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?(?P<lang>[A-Za-z]{2,3})\b", re.I)
_META = re.compile(r"<meta\b[^>]*>", re.I)
_META_NAME = re.compile(r"\b(?:property|name|http-equiv)\s*=\s*[\"']?(?P<name>[\w:-]+)", re.I)
_META_CONTENT = re.compile(r"\bcontent\s*=\s*[\"'](?P<value>[^\"']+)", re.I)
_EMAIL_NAME = re.compile(r"\s*[^\s@()]+@[^\s@()]+\s*\((?P<name>[^)]+)\)\s*")

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
"""trafilatura logs its verdicts ("empty HTML tree: None", "discarding data: None") without
naming the page; `extract_article` reports the same outcome as one ExtractError that the CLI and
the bot show once, so those lines would only repeat it, unreadably, beside the real message."""


def article_from_html(html: str, url: str | None) -> Article:
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
    header = read_header(paras)
    title = strip_markup(fields.get("title", "")) or header.title
    return Article(
        title=title,
        text=clean_text(body_text(paras, header.used), title=title),
        url=fields.get("url") or url,
        byline=tidy_author(fields.get("author")) or header.byline,
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


def fragment_text(fragment: str) -> str:
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


def tidy_author(author: str | None) -> str | None:
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
