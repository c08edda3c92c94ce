"""Extraction quality on the page kinds a news bot meets: no page furniture reaches the summary.

Each fixture page in tests/pages was written for these tests. For every page the leftovers that
must be gone are listed next to real sentences that must stay, so a rule that deletes too much
fails as surely as one that deletes too little.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from summaries.bylines import parse_byline
from summaries.clean import clean_text, strip_markup
from summaries.dates import is_date_line, parse_date
from summaries.extract import article_from_entry, extract_article
from summaries.models import Article, FeedEntry
from summaries.summarize import summarize_article

PAGES = Path(__file__).parent / "pages"

CASES = {
    "consent_newsletter.html": (
        ("Have your say", "letters@", "Don't miss a story", "newsletter", "amended on"),
        ("The port authority said it would study the decision",),
    ),
    "live_blog.html": (
        ("JavaScript", "latest posts below", "GMT", "Posted at", "Share"),
        ("Police have closed the Fairhaven bridge", "Islanders have been told"),
    ),
    "inline_links.html": (
        ("Read more:", "RELATED", "Story continues", "Got a story", "newsdesk@", "Follow"),
        (
            "Parents who read more to their children in the first years",
            "The advertisement for the scheme, which ran on local buses",
        ),
    ),
    "div_soup.html": (
        ("Read next", "Anglers report dead fish", "ADVERTISEMENT", "Share this", "Comments"),
        ("The Environment Agency said it was investigating",),
    ),
    "ap_wire.html": (
        ("contributed to this report", "Follow AP", "apnews.com", "NAIROBI", "Copyright"),
        ("Measles spreads quickly in crowded camps",),
    ),
    "amp_story.html": (
        ("cookies", "Picture:", "Advertisement", "Sign up"),
        ("The operator said residents' season tickets would be frozen",),
    ),
    "headline_repeat.html": (
        ("City bans e-scooters", "Posted by", "Newsroom Staff", "Tags", "Share"),
        ("The council will review the rules after six months.",),
    ),
    "german_news.html": (
        ("Anzeige", "Lesen Sie auch", "Mieterbund", "teilen", "Startseite", "erschien zuerst"),
        ("Die Stadtwerke verwiesen auf einen Härtefallfonds",),
    ),
    "scraped_markdown.txt": (
        ("_", "Updated", "Photo:", "Read more", "RELATED", "Advertisement", "is our", "Share"),
        ("Shipping lines have been told to expect delays",),
    ),
    "tabloid.html": (
        ("View gallery", "Previous", "Runner, 90", "Share", "Comments", "comment", "moderated"),
        ("She raised more than £6,000 for the local hospice",),
    ),
    "french_news.html": (
        ("Publicité", "lire aussi", "Lire aussi", "abonnés", "Partager", "Abonnez-vous"),
        ("Les associations sportives regrettent un calendrier trop serré",),
    ),
}


def read(page: str) -> Article:
    return extract_article((PAGES / page).read_bytes())


def assert_absent(text: str, leftovers: tuple[str, ...]) -> None:
    found = [leftover for leftover in leftovers if leftover in text]
    assert not found, f"left in the text: {found}"


@pytest.mark.parametrize("page", sorted(CASES))
def test_page_text_has_no_furniture_and_keeps_the_story(page: str) -> None:
    leftovers, kept = CASES[page]
    article = read(page)
    assert_absent(article.text, leftovers)
    for sentence in kept:
        assert sentence in article.text


@pytest.mark.parametrize("page", sorted(CASES))
def test_every_summary_sentence_is_story(page: str) -> None:
    leftovers, _ = CASES[page]
    summary = summarize_article(read(page), sentences=20)
    assert summary.sentences
    assert_absent(" ".join(summary.sentences), leftovers)


def test_wire_story_byline_names_the_writer_and_the_agency() -> None:
    assert read("ap_wire.html").byline == "GRACE WANJIRU, Associated Press"


def test_live_blog_summary_starts_with_news_not_a_javascript_notice() -> None:
    summary = summarize_article(read("live_blog.html"))
    assert summary.sentences[0].startswith("The regional network operator says")


def test_italic_date_line_in_scraped_text_is_the_date() -> None:
    article = read("scraped_markdown.txt")
    assert article.published == datetime(2025, 3, 3, 18, 20, tzinfo=UTC)
    assert article.url == "https://news.example/eastport-strike"


@pytest.mark.parametrize(
    ("markup", "plain"),
    [
        ("_Updated 3 March 2025_", "Updated 3 March 2025"),
        ("a _quiet_ word", "a quiet word"),
        ("the my_var setting and @a_handle", "the my_var setting and @a_handle"),
    ],
)
def test_underscore_italics_are_markup_but_underscores_in_words_stay(
    markup: str, plain: str
) -> None:
    assert strip_markup(markup) == plain


def test_published_time_is_not_the_updated_time_on_the_same_line() -> None:
    assert read("tabloid.html").published == datetime(2025, 3, 2, 10, 32, tzinfo=UTC)
    assert parse_date("2 March 2025 | Updated 12:05") == datetime(2025, 3, 2, tzinfo=UTC)
    assert parse_date("Updated 3:15 PM EST, Mon March 3, 2021") == datetime(
        2021, 3, 3, 20, 15, tzinfo=UTC
    )


def test_headlines_under_a_links_heading_go_up_to_the_next_sentence() -> None:
    text = (
        "The bridge reopened on Monday.\n\nRelated articles\n\nPrevious\n\n"
        "Council approves new cycle lanes\n\nWhy is the bypass late?\n\n"
        "Drivers had faced a long detour.\n\nA quieter road\n\nThe work cost £2m."
    )
    assert clean_text(text) == (
        "The bridge reopened on Monday.\n\nDrivers had faced a long detour."
        "\n\nA quieter road\n\nThe work cost £2m."
    )


def test_a_run_in_advertisement_goes_from_the_end_of_a_paragraph() -> None:
    text = (
        "The increase adds £90 a year to a typical bill. Advertisement"
        "\n\nAdvertisement revenue fell by a fifth, the paper said."
        "\n\nThe paper said the figures were an advertisement for the town. It was wrong."
    )
    assert clean_text(text) == (
        "The increase adds £90 a year to a typical bill."
        "\n\nAdvertisement revenue fell by a fifth, the paper said."
        "\n\nThe paper said the figures were an advertisement for the town. It was wrong."
    )


def test_a_short_pull_quote_goes_when_the_body_repeats_it() -> None:
    text = (
        "The flood plan was approved on Wednesday.\n\n“We will not be flooded again”\n\n"
        '"We will not be flooded again," said resident Paul Grey.\n\n"Never again."'
    )
    assert clean_text(text) == (
        "The flood plan was approved on Wednesday.\n\n"
        '"We will not be flooded again," said resident Paul Grey.\n\n"Never again."'
    )


@pytest.mark.parametrize(
    ("line", "byline"),
    [
        ("By GRACE WANJIRU Associated Press", "GRACE WANJIRU, Associated Press"),
        (
            "By Maria Lopez and John Chen Associated Press",
            "Maria Lopez and John Chen, Associated Press",
        ),
        ("By Jane Doe, Reuters", "Jane Doe, Reuters"),
        ("By AP", "AP"),
    ],
)
def test_an_agency_after_the_names_is_told_apart(line: str, byline: str) -> None:
    assert parse_byline(line) == byline


def test_posted_by_line_gives_byline_and_date() -> None:
    article = read("headline_repeat.html")
    assert (article.byline, article.published) == (
        "Newsroom Staff",
        datetime(2025, 6, 2, tzinfo=UTC),
    )
    assert parse_byline("Posted by Jane Doe, 3 March 2024") == "Jane Doe"
    assert parse_byline("Posted by the lake on a sunny day") is None


@pytest.mark.parametrize("line", ["14:32 GMT", "Posted at 14:05", "10.45am", "Updated at 9:12 BST"])
def test_a_clock_time_alone_is_a_date_line(line: str) -> None:
    assert is_date_line(line)


@pytest.mark.parametrize(
    "line", ["The bridge reopened at 14:05.", "Kick-off is 15:00", "Sign up at 9:30 today"]
)
def test_a_sentence_with_a_time_is_not_a_date_line(line: str) -> None:
    assert not is_date_line(line)


PROSE = (
    "The advertisement, which ran for six weeks, was pulled after complaints.",
    "Parents who read more to their children see them start school with more words.",
    "More than 2,000 residents signed up for the scheme in its first week.",
    "She said the newsletter had helped her sign up volunteers for the food bank.",
    "Three hospitals contributed to the report published by the ministry on Tuesday.",
    "Live music returns to the park on Saturday after a two-year break.",
    "Councillors will follow the coverage of the inquiry on the town's website, he said.",
    "This article of the constitution was amended in 1992 after a referendum.",
    "Get in touch with your local councillor if you object to the plans, she urged.",
    "Die Kosten teilen sich Bund und Länder, sagte die Ministerin.",
    "Zurück zur Arbeit gehen die Beschäftigten erst nach der Einigung am Montag.",
    "Les habitants peuvent partager leurs idées lors de la réunion publique de jeudi.",
    "Tom Field is the BBC's Moscow correspondent, who was expelled on Friday.",
    "Ms Jones is our longest-serving councillor, the mayor said.",
    "Shares in the company fell 4% in early trading in London.",
    "The winner is our own sports reporter, Tom Hale, who ran the course twice.",
    "Next year the race will start at the castle, organisers said.",
    "Comments made by the minister on Tuesday were criticised by the opposition.",
    "Fake parcel notices delivered to your inbox look genuine, police warned.",
)


@pytest.mark.parametrize("sentence", PROSE)
def test_prose_that_mentions_furniture_words_survives(sentence: str) -> None:
    assert clean_text(f"{sentence}\n\nThe council meets again in May.") == (
        f"{sentence}\n\nThe council meets again in May."
    )


@pytest.mark.parametrize(
    "line",
    [
        "Don't miss a story: sign up to our free newsletter",
        "Enter your email address",
        "By signing up you agree to our Terms of Use and Privacy Policy.",
        "Thank you for subscribing!",
        "The day's top stories from along the coast, delivered to your inbox every weekday.",
        "We value your privacy",
        "We and our 842 partners store and access information on your device.",
        "Please enable JavaScript to view this content.",
        "Read next: Anglers report dead fish",
        "Reuters reporter Tom Field in Oslo contributed to this story.",
        "Follow our election coverage at https://news.example/vote",
        "This story has been updated to include a statement from the council.",
        "A version of this article appeared in print on 3 May 2024.",
        "Artikel teilen",
        "Teilen auf WhatsApp",
        "Zur Startseite",
        "Dieser Beitrag erschien zuerst im Magazin.",
        "Partager sur X",
        "Cet article a été publié dans notre édition du matin.",
        "Abonnez-vous à notre newsletter",
        "Jetzt abonnieren",
        "Share: Facebook | X | Email",
        "Lena Fischer is our industry correspondent. Follow her on X: @lfischer",
        "Sam Roe is a freelance writer based in Leeds.",
        "Share or comment on this article:",
        "Comments 48",
        "Share what you think",
        "The comments below have not been moderated.",
        "View gallery",
        "+3",
    ],
)
def test_furniture_lines_go_from_feed_content_too(line: str) -> None:
    entry = FeedEntry(
        url="https://news.example/a",
        title="Bridge reopens",
        content_html=f"<p>The bridge reopened on Monday after repairs.</p><p>{line}</p>",
    )
    assert article_from_entry(entry).text == "The bridge reopened on Monday after repairs."
