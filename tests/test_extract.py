"""extract_article and article_from_entry: the seed document, fixture pages, refused input."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from summaries.errors import ExtractError
from summaries.extract import article_from_entry, extract_article
from summaries.models import Article, FeedEntry
from summaries.summarize import summarize_article
from tests.conftest import shared_file

PAGES = Path(__file__).parent / "pages"
SEED_LINK = (
    "https://www.themoscowtimes.com/2020/02/20/"
    "turkey-russia-discuss-joint-patrol-option-in-syrias-idlib-a69373"
)
CAPTION = "Turkey has threatened to use military power to drive back Syrian forces in Idlib"


def assert_absent(text: str, *leftovers: str) -> None:
    """None of `leftovers` survives in `text`; a failure lists every one that did."""
    found = [leftover for leftover in leftovers if leftover in text]
    assert not found, f"left in the text: {found}"


@pytest.fixture
def seed() -> Article:
    return extract_article(shared_file("seed/000_3eea214e2d73931a.txt").read_bytes())


def test_seed_metadata(seed: Article) -> None:
    assert seed.title == "Turkey, Russia Discuss Joint Patrol Option in Syria's Idlib"
    assert seed.byline == "Reuters"
    assert seed.published == datetime(2020, 2, 20, tzinfo=UTC)
    assert seed.url == SEED_LINK


def test_seed_body_is_clean(seed: Article) -> None:
    assert seed.text.startswith("Turkey and Russia are discussing the possibility of joint patrols")
    assert seed.text.endswith("to evaluate progress made on Idlib.")
    assert_absent(
        seed.text,
        CAPTION + " unless",
        "Baderkhan",
        "TASS",
        "**",
        "By ",
        "[Reuters]",
        "February 20, 2020",
        "Original url",
        "themoscowtimes",
        "<http",
        seed.title,
    )
    paragraphs = seed.text.split("\n\n")
    assert len(paragraphs) == 8
    assert all(p.strip() == p and p for p in paragraphs)
    assert "has threatened to use military power" in paragraphs[5]


def test_seed_summary_has_none_of_the_noise(seed: Article) -> None:
    summary = summarize_article(seed, sentences=5)
    joined = " ".join(summary.sentences)
    assert summary.sentences
    assert_absent(
        joined, "Baderkhan", "TASS", "Original url", "themoscowtimes", "February 20, 2020"
    )
    assert seed.title not in summary.sentences
    assert not any(s.startswith(CAPTION) for s in summary.sentences)
    assert len(set(summary.sentences)) == len(summary.sentences)


def test_scraped_text_in_another_house_style() -> None:
    article = extract_article((PAGES / "scraped_wire.txt").read_bytes())
    assert article.title == "Port workers agree deal to end ten-day strike"
    assert article.byline == "Amira Haddad, Reuters"
    assert article.published == datetime(2021, 3, 3, 10, 15, tzinfo=UTC)
    assert article.url == "https://news.example.com/business/port-strike-deal-2021-03-03/"
    assert article.text.startswith("Dock workers at the country's largest container port voted")
    assert article.text.endswith("just weeks before the spring holiday.")
    assert_absent(
        article.text,
        "Share",
        "Idle cranes",
        "(Reuters)",
        "Advertisement",
        "Read more",
        "Subscribe",
        "Editing by",
        "©",
        "Original",
        "https://",
        "LONDON",
    )
    assert len(article.text.split("\n\n")) == 5


def test_news_page_with_every_kind_of_boilerplate() -> None:
    article = extract_article(
        (PAGES / "wire_story.html").read_bytes(),
        url="https://courier.example.com/world/flood-barrier?utm_source=x",
        content_type="text/html",
    )
    assert article.title == "Harbour city opens flood barrier after record storm surge"
    assert article.byline == "Maria Lindqvist"
    assert article.published == datetime(2024, 3, 14, 8, 30, tzinfo=UTC)
    assert article.site_name == "Coastline Courier"
    assert article.language == "en"
    assert article.url == "https://courier.example.com/world/2024/03/14/flood-barrier"
    assert article.text.startswith("Engineers in Porthaven closed the city's new flood barrier")
    assert article.text.endswith("within six weeks.")
    assert_absent(
        article.text,
        "cookies",
        "Subscribe",
        "Sign up",
        "Share",
        "Photo:",
        "dawn on Thursday",
        "Advertisement",
        "Read more",
        "Follow us",
        "Related",
        "©",
        "PORTHAVEN",
        "(Reuters)",
        "Opinion",
    )
    assert len(article.text.split("\n\n")) == 7


def test_broadcaster_page_drops_image_captions_and_sources() -> None:
    article = extract_article((PAGES / "broadcaster_live.html").read_text(encoding="utf-8"))
    assert article.title == "Rail strike: Commuters face second week of cancellations"
    assert article.site_name == "Northern Broadcasting News"
    assert article.published == datetime(2023, 10, 2, tzinfo=UTC)
    assert article.language == "en"
    assert article.text.startswith("Commuters across the north face a second week")
    assert_absent(
        article.text,
        "Image caption",
        "Image source",
        "Getty",
        "Buses have replaced",
        "More on this story",
        "Related Topics",
        "Copyright",
        "Skip to",
    )


def test_small_site_page_in_windows_1252_with_boilerplate_in_the_body() -> None:
    article = extract_article((PAGES / "local_paper.html").read_bytes())
    assert article.title == "Valley library reopens after two-year rebuild"
    assert article.byline == "Sam Whitfield"
    assert article.published == datetime(2019, 11, 9, 11, 45, tzinfo=UTC)
    assert article.text.startswith("The Valley library reopened its doors on Saturday morning")
    assert "café" in article.text and "£4.1 million" in article.text
    assert article.text.count("waiting for this") == 1
    assert_absent(
        article.text,
        "By Sam",
        "Published",
        "Share this",
        "Photo by",
        "Advertisement",
        "Subscribe",
        "Read more",
        "Related:",
        "Follow us",
        "©",
        "ELMSBURY",
        "cookies",
        "Most read",
    )
    assert len(article.text.split("\n\n")) == 6


@pytest.mark.parametrize(
    ("body", "content_type", "what"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/pdf", "a PDF"),
        (b"%PDF-1.4\n1 0 obj", "", "a PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png", "an image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "", "an image"),
        (b"<html>fake</html>", "image/jpeg", "an image"),
        (b"\x00\x01\x02junk\x00\xff" * 50, "", "a binary file"),
        (b"\x00\x01\x02junk\x00\xff" * 50, "text/html", "a binary file"),
        (bytes(range(128, 256)) * 20, "", "a binary file"),
        (b"data", "application/octet-stream", "a binary file"),
        (b"PK\x03\x04\x14\x00", "", "a ZIP archive or office document"),
    ],
)
def test_non_text_is_refused_with_a_clear_message(
    body: bytes, content_type: str, what: str
) -> None:
    with pytest.raises(ExtractError) as caught:
        extract_article(body, url="https://example.com/file", content_type=content_type)
    assert str(caught.value) == (
        f"That link is {what}, not an article page; newsbrief reads HTML and plain text."
    )


def test_the_pdf_message_is_the_documented_one() -> None:
    with pytest.raises(ExtractError, match=r"^That link is a PDF, not an article page; "):
        extract_article(b"%PDF-1.5", url="https://example.com/report.pdf")


@pytest.mark.parametrize(
    "body",
    [b"", b"   \n\n  ", (PAGES / "no_article.html").read_bytes(), b"<html><body></body></html>"],
)
def test_a_page_without_readable_text_is_refused(body: bytes) -> None:
    with pytest.raises(ExtractError, match="has no readable article text"):
        extract_article(body, url="https://example.com/empty")


def test_a_feed_is_refused_with_a_pointer_to_sources_add() -> None:
    rss = b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>'
    with pytest.raises(ExtractError, match=r"feed.*/addsource in Telegram or `newsbrief sources"):
        extract_article(rss, url="https://example.com/feed.xml", content_type="application/xml")


def test_plain_text_without_a_headline_is_all_body() -> None:
    article = extract_article("hello there")
    assert (article.title, article.text) == ("", "hello there")


def test_text_plain_is_not_parsed_as_html_even_with_tags() -> None:
    body = "Tags like <p> appear in this text about HTML.\n\nIt is still plain text, though."
    article = extract_article(body, content_type="text/plain; charset=utf-8")
    assert "<p>" in article.text


def test_utf16_text_with_bom_is_decoded() -> None:
    text = "Headline here\n\nThe council met on Tuesday and approved the budget for next year."
    article = extract_article(text.encode("utf-16"))
    assert article.title == "Headline here"
    assert article.text.startswith("The council met")


def test_article_from_feed_entry_content() -> None:
    entry = FeedEntry(
        url="https://example.com/a",
        title="Council approves budget",
        published=datetime(2024, 5, 1, 9, 0, tzinfo=UTC),
        author="news@example.com (Jane Doe)",
        content_html=(
            "<p>Council approves budget</p><figure><img src='x.jpg'><figcaption>The chamber. "
            "Photo: X</figcaption></figure><p>The council approved the budget on Tuesday.<br>"
            "It takes effect in June.</p><script>track()</script><p>Read more: Other story</p>"
            "<p>Opposition members said taxes would rise &amp; services shrink.</p>"
        ),
    )
    article = article_from_entry(entry, source_name="Example News")
    assert article.title == "Council approves budget"
    assert article.byline == "Jane Doe"
    assert article.site_name == "Example News"
    assert article.published == entry.published
    assert article.url == entry.url
    assert article.text == (
        "The council approved the budget on Tuesday.\n\nIt takes effect in June.\n\n"
        "Opposition members said taxes would rise & services shrink."
    )


def test_article_from_entry_with_plain_text_and_with_nothing() -> None:
    plain = FeedEntry(url="https://example.com/b", title="T", content_html="Just words here.")
    assert article_from_entry(plain).text == "Just words here."
    with pytest.raises(ExtractError, match="no text of its own"):
        article_from_entry(FeedEntry(url="https://example.com/c", title="T", content_html=""))


def test_publication_time_from_meta_in_either_attribute_order() -> None:
    page = (PAGES / "wire_story.html").read_text(encoding="utf-8")
    swapped = page.replace(
        '<meta property="article:published_time" content="2024-03-14T08:30:00+00:00">',
        '<meta content="2024-03-14T09:45:00+01:00" property="article:published_time">',
    )
    assert swapped != page
    assert extract_article(swapped).published == datetime(2024, 3, 14, 8, 45, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "byline"),
    [("Jane Doe", "Jane Doe"), ("Reuters", "Reuters"), ("Jane Doe | Reuters", "Jane Doe, Reuters")],
)
def test_a_bare_name_under_the_headline_is_the_byline(header: str, byline: str) -> None:
    body = "The old bridge over the river reopened to traffic on Monday, the town council said."
    article = extract_article(f"Bridge reopens after repairs\n{header}\n\n{body}")
    assert (article.title, article.byline, article.text) == (
        "Bridge reopens after repairs",
        byline,
        body,
    )


def test_a_lead_sentence_without_a_full_stop_is_not_taken_for_the_headline() -> None:
    text = (
        "Japanese brewers are increasingly making money from drinks that taste like beer\n\n"
        "Sales of the new drinks rose by a fifth last year, the industry association said."
    )
    article = extract_article(text)
    assert article.title == ""
    assert article.text == text


STANDFIRST_PAGE = """Paris cafés fight plan to ban terrace heaters

Owners say the winter rule will cost them customers and jobs, as the city presses on with its plan.

Jane Doe in Paris

Mon 3 Mar 2021 10.15 GMT

The city council voted on Monday to ban gas heaters on café terraces from next winter.

The ban is part of a wider plan to cut the city's emissions by half before 2030.

Last modified on Mon 3 Mar 2021 11.02 GMT"""

WIRE_PAGE = """Storm Closes Schools Across the Region

Updated 3:15 PM EST, Mon March 3, 2021

By JANE DOE, Associated Press

The storm closed schools across the region on Monday, officials said, as snow piled up.

More snow is expected overnight.

Officials said schools would reopen on Wednesday."""


@pytest.mark.parametrize(
    ("text", "title", "byline", "published", "first"),
    [
        (
            STANDFIRST_PAGE,
            "Paris cafés fight plan to ban terrace heaters",
            "Jane Doe",
            datetime(2021, 3, 3, 10, 15, tzinfo=UTC),
            "Owners say the winter rule",
        ),
        (
            WIRE_PAGE,
            "Storm Closes Schools Across the Region",
            "JANE DOE, Associated Press",
            datetime(2021, 3, 3, 20, 15, tzinfo=UTC),
            "The storm closed schools",
        ),
    ],
)
def test_header_lines_in_other_orders(
    text: str, title: str, byline: str, published: datetime, first: str
) -> None:
    article = extract_article(text)
    assert (article.title, article.byline, article.published) == (title, byline, published)
    assert article.text.startswith(first)
    assert len(article.text.split("\n\n")) == 3
    assert "Jane" not in article.text and "JANE" not in article.text
    assert "2021" not in article.text and "Last modified" not in article.text


@pytest.mark.parametrize(
    ("head", "language"),
    [
        ('<html lang="de-AT"><head>', "de"),
        ('<html><head><meta property="og:locale" content="fr_FR">', "fr"),
        ('<html><head><meta content="es" http-equiv="Content-Language">', "es"),
        ("<html><head>", None),
    ],
)
def test_the_declared_language(head: str, language: str | None) -> None:
    page = head + (
        "<title>Bridge reopens</title></head><body><article><h1>Bridge reopens</h1>"
        "<p>The old bridge over the river reopened to traffic on Monday after eight months of "
        "repairs, the town council said.</p><p>Drivers had faced a long detour through the "
        "industrial estate while the work was carried out.</p></article></body></html>"
    )
    assert extract_article(page).language == language


@pytest.mark.parametrize(
    ("page", "noise"),
    [
        ("wire_story.html", ("cookie", "Photo", "Subscribe", "Share", "Read more", "PORTHAVEN")),
        ("broadcaster_live.html", ("Image", "Getty", "Buses have replaced", "More on this")),
        ("local_paper.html", ("By Sam", "Published", "Photo by", "Advertisement", "©")),
        ("scraped_wire.txt", ("Amira", "Idle cranes", "Editing by", "Original", "LONDON")),
    ],
)
def test_summaries_of_fixture_pages_carry_none_of_the_noise(
    page: str, noise: tuple[str, ...]
) -> None:
    article = extract_article((PAGES / page).read_bytes())
    summary = summarize_article(article, sentences=20)
    joined = " ".join(summary.sentences)
    assert summary.sentences
    assert article.title not in summary.sentences
    assert len(set(summary.sentences)) == len(summary.sentences)
    assert not any(word in joined for word in noise)


def test_scraped_text_served_as_html_is_still_read_as_text() -> None:
    seed = shared_file("seed/000_3eea214e2d73931a.txt").read_bytes()
    article = extract_article(seed, url="https://example.com/seed", content_type="text/html")
    assert (article.title, article.byline) == (
        "Turkey, Russia Discuss Joint Patrol Option in Syria's Idlib",
        "Reuters",
    )
    assert article.text.startswith("Turkey and Russia are discussing")
