"""clean_text and its recognisers: what must never reach a summary, and what must always stay."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from summaries.bylines import parse_byline
from summaries.clean import (
    clean_text,
    is_boilerplate,
    is_caption,
    paragraphs,
    split_sentences,
    strip_markup,
)
from summaries.dates import is_date_line, parse_date
from tests.conftest import shared_file

BODY = (
    "The city council approved the budget on Tuesday after a six-hour debate.\n\n"
    "Opposition members said the plan would raise local taxes for most households."
)


def cleaned_with(noise: str) -> str:
    """The body with one noisy paragraph put between its two paragraphs, then cleaned."""
    first, second = BODY.split("\n\n")
    return clean_text(f"{first}\n\n{noise}\n\n{second}")


@pytest.mark.parametrize(
    "noise",
    [
        "Share this article",
        "Share on Facebook",
        "Facebook Twitter LinkedIn Email",
        "Subscribe to our newsletter",
        "Sign up for our morning briefing",
        "Get our free daily newsletter",
        "Read more: Council approves library rebuild",
        "Related: Budget row deepens",
        "Related Topics",
        "More on this story",
        "See also: How the budget works",
        "Advertisement",
        "Story continues below advertisement",
        "We use cookies to improve your experience. By continuing you accept our cookie policy.",
        "This site uses cookies. Accept cookies to continue.",
        "Accept all cookies",
        "Follow us on Twitter and Facebook for the latest news.",
        "Follow Jane Doe on Instagram",
        "© 2024 Example News Ltd. All rights reserved.",
        "Copyright 2024 The Example Times",
        "Image caption, Councillors voted late into the night",
        "Image source, Getty Images",
        "Media caption, Watch: the moment the vote was announced",
        "Getty Images",
        "Original url:",
        "Original article: https://example.com/a",
        "Reporting by Jane Doe; Editing by John Smith",
        "Additional reporting by Ana Lima",
        "Skip to content",
        "Scroll down for video",
        "3 min read",
        "Tags: budget, council",
        "Click here to download the full report",
        "Continue reading →",
        "Read the full story",
        "The post Council approves budget appeared first on Example News.",
        "Anzeige",
        "Lesen Sie auch: Der Haushalt im Überblick",
        "À lire aussi : le budget en cinq points",
        "Publicidad",
        "Читайте также: бюджет города",
    ],
)
def test_boilerplate_paragraphs_are_dropped(noise: str) -> None:
    assert cleaned_with(noise) == BODY


@pytest.mark.parametrize(
    "caption",
    [
        "Councillors leave the chamber after the vote. Photo: Jane Doe/Example News",
        "Councillors leave the chamber after the vote. (Photo by Lee Chan)",
        "Councillors leave the chamber after the vote on Tuesday. (Reuters)",
        "The mayor speaks to reporters outside City Hall. REUTERS/Murad Sezer",
        "The mayor speaks to reporters outside City Hall. (AP Photo/Jane Doe)",
        "The mayor speaks to reporters outside City Hall. AFP via Getty Images",
        "The mayor speaks to reporters outside City Hall. Jane Doe/Reuters",
        "The mayor speaks to reporters outside City Hall. **Baderkhan Ahmad / AP / TASS**",
        "The mayor at City Hall. Credit: Ana Lima",
    ],
)
def test_captions_ending_in_a_credit_are_dropped(caption: str) -> None:
    assert cleaned_with(caption) == BODY


@pytest.mark.parametrize(
    "noise",
    [
        "By Jane Doe",
        "By [Jane Doe](https://example.com/jane) and John Smith",
        "Jane Doe | Reuters",
        "By Jane Doe, Political Editor",
        "February 20, 2020",
        "Published: Saturday 9 November 2019, 11:45 GMT",
        "Updated 10:32 GMT, 20 February 2020",
        "2020-02-20T10:30:00Z",
        "3 hours ago",
    ],
)
def test_byline_and_date_lines_are_dropped(noise: str) -> None:
    assert cleaned_with(noise) == BODY


def test_the_headline_is_dropped_wherever_it_repeats() -> None:
    title = "Council approves budget after long debate"
    text = f"{title}\n\n{BODY}\n\n**{title}**"
    assert clean_text(text, title=title) == BODY


def test_repeated_sentences_are_dropped_keeping_the_first() -> None:
    quote = '"It feels like the whole town has been waiting for this," she said.'
    text = f"{BODY}\n\n{quote}\n\nThe library opens daily.  {quote.upper()}"
    assert clean_text(text) == f"{BODY}\n\n{quote}\n\nThe library opens daily."


def test_a_caption_restating_a_body_sentence_is_dropped_and_the_body_sentence_kept() -> None:
    caption = "Turkey has threatened to use military power to drive back Syrian forces in Idlib."
    body = (
        "Turkey, which backs rebels, has threatened to use military power to drive back Syrian "
        "forces advancing in Idlib. Talks will continue next week."
    )
    assert clean_text(f"{caption}\n\n{body}") == body


def test_a_list_of_names_is_not_mistaken_for_an_echo() -> None:
    fixtures = (
        "Republic of Ireland v Cyprus; France v Israel; Switzerland v Faroe Islands.\n\n"
        "Republic of Ireland v Faroe Islands; Cyprus v France."
    )
    assert clean_text(fixtures) == fixtures


@pytest.mark.parametrize(
    "paragraph",
    [
        "By the end of the year, the company had recovered most of its losses.",
        "By Monday the river had burst its banks in three places.",
        "A spokesman for the ministry told the BBC.",
        "The photo was taken by a passer-by and shared thousands of times.",
        "Sign language interpreters will be at every session, organisers said today.",
        "Related companies saw their shares fall sharply on Tuesday afternoon.",
        "Original plans for the building were drawn up in 1998.",
        "He said he would follow the advice of doctors.",
        "The reporting by local media was later confirmed by police.",
        "Reporting by the BBC revealed that the minister had known for months.",
        "Copyright lawyers argued that the ruling was wrong.",
        "The EU's new cookie consent rules take effect on Monday.",
        "Register offices will close early on Friday.",
        "Share prices fell by a third.",
        "The rules were drawn up by the Environmental Protection Agency (EPA).",
        "Support for the party stood at 35%, according to a poll by Reuters/Ipsos.",
        "He made the remarks in an interview with the British Broadcasting Corporation (BBC).",
    ],
)
def test_body_sentences_that_look_a_little_like_boilerplate_stay(paragraph: str) -> None:
    assert clean_text(f"{BODY}\n\n{paragraph}") == f"{BODY}\n\n{paragraph}"


def test_long_paragraphs_are_body_even_when_they_start_like_boilerplate() -> None:
    long = (
        "Subscribe is the word the minister used for the new scheme, saying that households "
        "would be able to join at any time, pay a fixed monthly amount, and leave without a "
        "penalty if their circumstances changed during the first year of the contract."
    )
    assert clean_text(long) == long


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("WASHINGTON (Reuters) - The Senate voted on Monday.", "The Senate voted on Monday."),
        ("LONDON, Feb 20 (Reuters) - Shares fell.", "Shares fell."),
        (
            "(CNN) A fiery sunset greeted people in Washington.",
            "A fiery sunset greeted people in Washington.",
        ),
        ("Rome (CNN) Italy is coping with a rising wave.", "Italy is coping with a rising wave."),
        (
            "KYIV, Ukraine — Air raid sirens sounded overnight.",
            "Air raid sirens sounded overnight.",
        ),
    ],
)
def test_the_dateline_is_removed_from_the_first_paragraph(text: str, expected: str) -> None:
    assert clean_text(text) == expected


def test_scroll_down_for_video_is_removed_inside_running_text() -> None:
    text = "Scroll down for video An outfit worn in the film sold for $137,000 at auction."
    assert clean_text(text) == "An outfit worn in the film sold for $137,000 at auction."


def test_markup_is_reduced_to_its_words() -> None:
    line = "## See [the report](https://x.example/r) and **bold** *claims* <https://x.example/>"
    assert strip_markup(line) == "See the report and bold claims https://x.example/"
    assert strip_markup("![photo](https://x.example/p.jpg)") == ""
    assert strip_markup("---") == ""
    assert strip_markup("f**ing f**k stays as written") == "f**ing f**k stays as written"


def test_paragraphs_split_scraped_lines_and_join_hard_wrapped_text() -> None:
    assert paragraphs("Title\nBy Reuters\n\nFirst para.\nSecond para.") == [
        "Title",
        "By Reuters",
        "First para.",
        "Second para.",
    ]
    wrapped = (
        "The council met on Tuesday evening to discuss the budget for the coming\n"
        "year, and after a long debate the members voted to approve the plan with\n"
        "a small number of changes."
    )
    assert paragraphs(wrapped) == [" ".join(wrapped.split("\n"))]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("By Reuters", "Reuters"),
        ("By Jane Doe and John Smith", "Jane Doe and John Smith"),
        ("Jane Doe | Reuters", "Jane Doe, Reuters"),
        ("By Sam Whitfield | Valley Gazette", "Sam Whitfield"),
        ("By Jane Doe | February 20, 2020", "Jane Doe"),
        ("By the end of the day it was over.", None),
        ("Reuters", None),
        ("The Senate | voted today", None),
    ],
)
def test_parse_byline(line: str, expected: str | None) -> None:
    assert parse_byline(line) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("February 20, 2020", datetime(2020, 2, 20, tzinfo=UTC)),
        ("20 February 2020", datetime(2020, 2, 20, tzinfo=UTC)),
        ("Feb. 20, 2020", datetime(2020, 2, 20, tzinfo=UTC)),
        ("Thursday 20th of February 2020", datetime(2020, 2, 20, tzinfo=UTC)),
        ("2020-02-20T10:30:00+02:00", datetime(2020, 2, 20, 8, 30, tzinfo=UTC)),
        ("Updated 10:32 GMT, 20 February 2020", datetime(2020, 2, 20, 10, 32, tzinfo=UTC)),
        ("March 14, 2024 8:30 PM EST", datetime(2024, 3, 15, 1, 30, tzinfo=UTC)),
        ("20.02.2020", datetime(2020, 2, 20, tzinfo=UTC)),
        ("Montag, 20. Februar 2020, 10:32 Uhr", datetime(2020, 2, 20, 10, 32, tzinfo=UTC)),
        ("Publié le 20 février 2020 à 10h32", datetime(2020, 2, 20, 10, 32, tzinfo=UTC)),
        ("20 de febrero de 2020", datetime(2020, 2, 20, tzinfo=UTC)),
        ("20 февраля 2020 г.", datetime(2020, 2, 20, tzinfo=UTC)),
        ("February 30, 2020", None),
        ("no date here", None),
    ],
)
def test_parse_date(text: str, expected: datetime | None) -> None:
    assert parse_date(text) == expected


def test_a_date_inside_a_sentence_is_not_a_date_line() -> None:
    assert not is_date_line("The talks began on February 20, 2020 in Ankara.")
    assert not is_date_line("Die Gespräche begannen am 20. Februar 2020 in Ankara.")
    assert not is_date_line("Talks began February 20, 2020")
    assert is_date_line("Published on Thursday, February 20, 2020")
    assert is_date_line("Aggiornato il 20 febbraio 2020 alle ore 10:32")


def test_recognisers_say_no_to_plain_prose() -> None:
    prose = "The union said its members would not return to work without a better deal."
    assert not is_boilerplate(prose)
    assert not is_caption(prose, prose)
    assert parse_byline(prose) is None


def test_split_sentences_keeps_abbreviations_and_initials_together() -> None:
    text = "Mr. Smith met Dr. Jones in the U.S. on Monday. J. K. Rowling was there. It rained."
    assert split_sentences(text) == [
        "Mr. Smith met Dr. Jones in the U.S. on Monday.",
        "J. K. Rowling was there.",
        "It rained.",
    ]


def test_clean_text_keeps_every_sentence_of_plain_article_text() -> None:
    """Dataset articles (one paragraph, inline captions) lose nothing but "Scroll down" lines
    and "READ MORE: <another story>" links."""
    path = shared_file("data/cnndm-dev.jsonl")
    changed = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text = json.loads(line)["text"]
        cleaned = " ".join(clean_text(text).split())
        for sentence in split_sentences(text):
            kept = " ".join(sentence.split()[3:])
            furniture = "Scroll down" in sentence or sentence.startswith("READ MORE:")
            if len(sentence.split()) >= 6 and not furniture and kept not in cleaned:
                changed.append(sentence)
    assert changed == []


def test_parse_byline_bare_accepts_a_name_or_agency_alone() -> None:
    assert parse_byline("Jane Doe", bare=True) == "Jane Doe"
    assert parse_byline("Reuters", bare=True) == "Reuters"
    assert parse_byline("Jane Doe") is None
    assert parse_byline("The Council Met On Tuesday In The Town Hall", bare=True) is None
    assert parse_byline("Top 10 Stories", bare=True) is None


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        (
            "The minister answered questions in parliament. READ MORE: Japan unveils its warship",
            "The minister answered questions in parliament.",
        ),
        (
            "The council met. RELATED: Storm closes the harbour for three days",
            "The council met.",
        ),
        (  # prose that says "read more" stays
            "Parents who read more to their children see results. Teachers agree.",
            "Parents who read more to their children see results. Teachers agree.",
        ),
        (  # a link with a full sentence after it is not a run-in headline
            "The council met. READ MORE: The mayor resigned. She gave no reason.",
            "The council met. READ MORE: The mayor resigned. She gave no reason.",
        ),
    ],
)
def test_a_read_more_link_run_onto_a_paragraph_end_goes(text: str, cleaned: str) -> None:
    assert clean_text(text) == cleaned
