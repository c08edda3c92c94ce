"""Example news served by the local test server: article pages with boilerplate and RSS feeds.

The ingest, schedule and CLI tests and the ingest benchmark build their feeds here, so a page
always carries the navigation, share and footer boilerplate that extraction must drop, and text
is escaped, as a real site's would be.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape

from tests.servers import LocalServer, Reply

RSS = "application/rss+xml"
FIRST_ITEM = datetime(2026, 11, 25, tzinfo=UTC)

STORIES = {
    "harbour": (
        "Storm closes harbour for three days",
        [
            "A powerful storm forced the port authority to close the northern harbour on Monday.",
            "Fishing crews moved their boats inland as waves reached eight metres.",
            "The authority said repairs to the breakwater would take at least three days.",
            "Local shops reported that deliveries of fresh fish had stopped entirely.",
            "Forecasters expect the wind to ease by Thursday morning.",
            "The mayor promised compensation for crews who lost a week of work.",
        ],
    ),
    "council": (
        "Council approves new tram line",
        [
            "The city council voted narrowly to approve a new tram line to the airport.",
            "Construction is expected to begin next spring and to last four years.",
            "Opponents argued that the budget of two billion euros was unrealistic.",
            "Supporters said the line would remove thousands of cars from the ring road.",
            "A public consultation drew more than nine thousand written responses.",
            "The first trams are due to run before the end of the decade.",
        ],
    ),
    "vaccine": (
        "Malaria vaccine rollout reaches rural clinics",
        [
            "Health workers began delivering a malaria vaccine to rural clinics this week.",
            "The programme aims to reach two million children before the rainy season.",
            "Cold storage remains the biggest obstacle in villages without electricity.",
            "Solar-powered refrigerators donated by a charity are being installed first.",
            "Doctors said early results from pilot districts were encouraging.",
            "Parents queued from dawn at some clinics to register their children.",
        ],
    ),
}

BOILERPLATE_HEAD = """<header><nav><a href="/">Home</a> <a href="/world">World</a>
<a href="/sport">Sport</a></nav>
<p>Subscribe to our newsletter for the latest headlines</p></header>"""
BOILERPLATE_FOOT = """<footer><p>Share this article on Facebook Twitter Email</p>
<p>Copyright 2026 Example News. All rights reserved.</p></footer>"""


def page_html(title: str, paragraphs: list[str]) -> bytes:
    """An article page wrapped in navigation, share buttons and a footer."""
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    title = escape(title)
    return (
        f"<!doctype html><html lang='en'><head><title>{title} | Example News</title></head>"
        f"<body>{BOILERPLATE_HEAD}<main><article><h1>{title}</h1>"
        f"<p class='byline'>By Jane Reporter</p>{body}</article></main>"
        f"<aside><p>Most read: Celebrity chef opens restaurant</p></aside>{BOILERPLATE_FOOT}"
        "</body></html>"
    ).encode()


def rss(title: str, items: list[tuple[str, str, str]]) -> bytes:
    """An RSS 2.0 feed of (title, link, description) items; item n is dated n hours later."""
    entries = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(link)}</link><guid>{escape(link)}</guid>"
        f"<pubDate>{format_datetime(FIRST_ITEM + timedelta(hours=i), usegmt=True)}</pubDate>"
        f"<description>{escape(d)}</description></item>"
        for i, (t, link, d) in enumerate(items)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title>"
        f"<link>https://example.com/</link><description>News</description>{entries}</channel></rss>"
    ).encode()


def serve_stories(server: LocalServer, keys: list[str], *, feed_path: str = "/feed.xml") -> str:
    """Serve the pages of `keys` and a feed listing them; return the feed URL."""
    items = []
    for key in keys:
        title, paragraphs = STORIES[key]
        link = server.add(f"/news/{key}", Reply(page_html(title, paragraphs)))
        items.append((title, link, paragraphs[0]))
    return server.add(feed_path, Reply(rss("Example News", items), content_type=RSS))
