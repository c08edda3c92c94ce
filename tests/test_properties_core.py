"""Property tests of the core's text handling: whatever a person or a feed sends, the result is
right or a clear refusal (the specific `summaries.errors` exception), never another exception.

Generated input mixes plain words with the characters that break parsers: FTS5 operators,
quotes, combining marks, zero-width and bidi marks, astral characters, the letters
`summaries.folding` folds, the private-use column break, lone surrogates (what a command line's
undecodable bytes become) and the letters `re.I` matches unlike str.lower() (İ, ı, ſ, Kelvin K).
After the properties come plain examples of what they found.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summaries import topics
from summaries.chats import ensure_chat, parse_digest_time
from summaries.clean import _echoes, _Words, clean_text
from summaries.dates import is_date_line, parse_date
from summaries.errors import ChatSettingError, NotFoundError, QueryError, SummarizeError
from summaries.folding import COLUMN_BREAK, fold
from summaries.matching import Matcher, load_docs
from summaries.search import Query, matching_article_ids, parse_query, search
from summaries.store import Database, open_database
from summaries.summarize import METHODS, summarize
from summaries.summarize.document import MAX_SENTENCES, document_paragraphs
from summaries.summarize.languages import language_tools
from summaries.summarize.tokenizer import _unspaced_pieces
from summaries.timezones import resolve_timezone
from summaries.urls import canonical_url, find_urls
from tests.test_topics_support import NOW, store

ODD = [
    *"ANDORNOTNEAR^*\"():-+_\\',.{}[]/",
    *"\u0301\u0300\u0308\u200b\u200d\u200e\u202e\ufeff\u00ad\u0483\u093f",
    *"łŁßẞёЁıİøØæÆœŒđĐðÐþÞέΐΰΪΣςſ\u212a²ĳﬁÅé𝔘😀𐍈٣",
    COLUMN_BREAK,
    "\U000f0000",
    "\udcff",
]
"""Characters that have broken, or could break, a parser of typed text."""
WORDS = ["storm", "coast", "straße", "strasse", "zostal", "został", "café", "cafe", "έλα"]
SYNTAX = ["AND", "OR", "NOT", "NEAR", "NEAR(", "-", '"', "*", "^", "source:", "since:", "title:"]
SYNTAX += ["source:w", "source:\udcff", "since:2d", "since:٠٠١d", "since:x", "since:99999999y"]

odd_words = st.text(st.sampled_from(ODD + list("aeiostz")), min_size=1, max_size=6)
typed_text = st.one_of(
    st.lists(st.sampled_from(WORDS + SYNTAX) | odd_words, max_size=8).map(" ".join),
    st.text(st.sampled_from([*ODD, " "]), max_size=30),
    st.text(max_size=30),
)
"""What a person could type into /search or /subscribe."""

ARTICLES = [
    ("Storm hits the coast", "Wire", 0),
    ("Straße gesperrt nach dem Sturm", "Straße Zeitung", 1),
    ("Prezydent zostal wybrany", "BBC", 2),
    ("Prezydent został wybrany w Łodzi", "Wire", 3),
    ("Un café à Paris", "BBC", 10),
    ("έλα εδώ ΟΔΟΣ", "Straße Zeitung", 0),
    ("NEAR AND OR NOT title body", "Wire", 1),
    ("ﬁsh ĳssel ² İstanbul KASIM", "BBC", 2),
    ("e\u0301 cafe\u0301 𝔘nicode 😀", "Wire", 4),
]


@pytest.fixture(scope="module")
def corpus() -> Iterator[tuple[Database, list[int]]]:
    """One database for the generated queries: building one per example would cost more."""
    database = open_database(":memory:")
    ids = [
        store(database, title, source=source, at=NOW - timedelta(days=age))
        for title, source, age in ARTICLES
    ]
    yield database, ids
    database.close()


def hits(db: Database, query: Query) -> set[int]:
    return {hit.article.id for hit in search(db, query, limit=100, now=NOW).hits}


def assert_alerts_agree_with_search(db: Database, ids: list[int], text: str) -> None:
    """Unless `text` is refused, the in-memory matcher, the SQL matcher and /search agree."""
    try:
        query = parse_query(text)
    except QueryError:
        return
    matched = set(Matcher(load_docs(db, ids), now=NOW).match(query))
    assert matched == matching_article_ids(db, query, ids, now=NOW)
    if not query.is_empty:
        assert matched == hits(db, query)


@given(text=typed_text)
def test_any_typed_query_is_searched_or_refused(
    corpus: tuple[Database, list[int]], text: str
) -> None:
    """Its FTS5 expression is valid SQL for any text: no sqlite3 error, only QueryError."""
    db, _ = corpus
    try:
        search(db, text, now=NOW)
    except QueryError as refused:
        assert str(refused)


@given(text=typed_text)
def test_alerts_find_exactly_what_search_finds(
    corpus: tuple[Database, list[int]], text: str
) -> None:
    db, ids = corpus
    assert_alerts_agree_with_search(db, ids, text)


stored_words = st.text(
    st.sampled_from([c for c in ODD if c != "\udcff"] + list("aeiostz")), min_size=1, max_size=6
)
"""As `odd_words`, less the lone surrogate: stored text has been through `clean.printable`."""
story = st.lists(st.sampled_from(WORDS) | stored_words, min_size=1, max_size=6).map(" ".join)


@st.composite
def articles_and_query(draw: st.DrawFn) -> tuple[list[tuple[str, str, int]], str]:
    """A few articles and a query built from their own words, so that some of it matches."""
    articles = draw(
        st.lists(
            st.tuples(story, story, st.integers(0, 3)),
            min_size=1,
            max_size=4,
        )
    )
    own = [word for title, body, _ in articles for word in f"{title} {body}".split()]
    term = st.tuples(
        st.sampled_from(own) | st.sampled_from(SYNTAX),
        st.sampled_from(["{}", "-{}", '"{}"', "{}*", "OR {}"]),
    ).map(lambda pair: pair[1].format(pair[0]))
    terms = draw(st.lists(term, min_size=1, max_size=4))
    if len(terms) > 1 and draw(st.booleans()):
        terms = ['"' + " ".join(terms[:2]).replace('"', "") + '"', *terms[2:]]
    return articles, " ".join(terms)


@settings(max_examples=150)
@given(case=articles_and_query())
def test_alerts_agree_with_search_on_generated_articles(
    case: tuple[list[tuple[str, str, int]], str],
) -> None:
    articles, text = case
    db = open_database(":memory:")
    try:
        ids = [
            store(db, f"{title} n{n}", f"{body} n{n}. More.", at=NOW - timedelta(days=age))
            for n, (title, body, age) in enumerate(articles)
        ]
        assert_alerts_agree_with_search(db, ids, text)
    finally:
        db.close()


@settings(max_examples=100)
@given(texts=st.lists(typed_text, min_size=1, max_size=4), key=typed_text)
def test_any_topic_is_followed_or_refused_and_alerts_as_it_searches(
    texts: list[str], key: str
) -> None:
    """/subscribe and /unsubscribe refuse clearly; each followed topic alerts on what it finds."""
    db = open_database(":memory:")
    try:
        chat = ensure_chat(db, 1, now=NOW).id
        ids = [store(db, title, source=source) for title, source, _ in ARTICLES]
        for text in texts:
            try:
                topics.subscribe(db, chat, text, limit=50, now=NOW)
            except QueryError as refused:
                assert str(refused)
        matcher = Matcher(load_docs(db, ids), now=NOW)
        for sub in topics.subscriptions(db):
            assert set(matcher.match(sub.query)) == hits(db, sub.query), sub.text
        try:
            topics.unsubscribe(db, chat, key)
        except NotFoundError as refused:
            assert str(refused)
    finally:
        db.close()


NAME = [*"abſsßẞİiıIﬁfΣσς%_\\ *\"'-:K\u212aǄǆǅ", "\u0301"]
source_names = st.text(st.sampled_from(NAME), min_size=1, max_size=6)


@settings(max_examples=100)
@given(names=st.lists(source_names, min_size=1, max_size=4), value=source_names)
def test_source_filters_agree_on_any_name(names: list[str], value: str) -> None:
    """source: compares casefolded prefixes (ß = ss, ﬁ = fi, ς = σ) and escapes LIKE's % _."""
    db = open_database(":memory:")
    try:
        ids = [store(db, f"Storm {n}", source=name) for n, name in enumerate(names)]
        for text in (f"source:{value}", f'source:"{value}"', f"storm source:{value}"):
            assert_alerts_agree_with_search(db, ids, text)
    finally:
        db.close()


@settings(max_examples=100)
@given(
    ages=st.lists(st.integers(3595, 3605), min_size=1, max_size=4), micro=st.integers(0, 10**6 - 1)
)
def test_since_cuts_alerts_where_it_cuts_search(ages: list[int], micro: int) -> None:
    """Around the since: boundary, with a clock that has microseconds (a real one)."""
    db = open_database(":memory:")
    try:
        ids = [store(db, f"Storm {n}", at=NOW - timedelta(seconds=s)) for n, s in enumerate(ages)]
        now = NOW + timedelta(microseconds=micro)
        query = parse_query("storm since:1h")
        matched = set(Matcher(load_docs(db, ids), now=now).match(query))
        assert matched == matching_article_ids(db, query, ids, now=now)
    finally:
        db.close()


folding_words = st.text(st.sampled_from(list("aeoltsdi") + list("łŁßẞёıøæœđðþέώΰΐ")), min_size=2)


@settings(max_examples=100)
@given(word=folding_words.filter(lambda w: fold(w) != w))
def test_each_spelling_finds_the_other(word: str) -> None:
    """What `summaries.folding` promises: "zostal" finds "został" and the other way round."""
    db = open_database(":memory:")
    try:
        written = store(db, "Report", f"The word {word} is here. Nothing else.")
        typed = store(db, "Report two", f"The word {fold(word)} is here. Nothing else.")
        assert hits(db, parse_query(word)) == {written, typed}
        assert hits(db, parse_query(fold(word))) == {written, typed}
    finally:
        db.close()


@given(text=st.text())
def test_folding_is_idempotent_and_keeps_case(text: str) -> None:
    assert fold(fold(text)) == fold(text)
    assert fold(text.lower()) == fold(text).lower()


@given(text=typed_text)
def test_a_readable_since_is_that_span(text: str) -> None:
    """since:N<unit> is N units whatever the script of the digits, up to the 100-year clamp."""
    digits = "".join(c for c in text if c.isdecimal())[:8] or "7"
    number = int(digits)
    for unit, days in (("h", 1 / 24), ("d", 1), ("w", 7), ("m", 30), ("y", 365)):
        since = parse_query(f"since:{digits}{unit}").since
        assert since == timedelta(days=min(number * days, 100 * 365))


URL_PIECES = ["http:", "https:", "HTTP:", "//", "/", "?", "#", "&", "=", "@", ":", "[", "]"]
URL_PIECES += ["a", "B", "ß", "ü", "例え", ".", "%41", "utm_x=1", "fbclid=2", "p=1", ":80", ":0080"]
URL_PIECES += [" ", "\t", "\u3002", "\u200b", "(", ")", "x" * 64, "\\", "\udcff", "😀", "١"]
url_pieces = st.sampled_from(URL_PIECES)
urls = st.one_of(
    st.lists(url_pieces, max_size=12).map("".join),
    st.text(max_size=40),
    st.tuples(st.sampled_from(["http://", "https://", "http:///"]), st.text(max_size=30)).map(
        "".join
    ),
)


@given(url=urls)
def test_canonical_url_is_idempotent(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once


@given(text=st.lists(urls | st.text(max_size=10), max_size=6).map(" ".join))
def test_found_urls_are_links_of_the_text_each_once(text: str) -> None:
    found = find_urls(text)
    assert all(url in text and url.lower().startswith(("http://", "https://")) for url in found)
    assert len({canonical_url(url) for url in found}) == len(found)


PROSE = ["Alpha", "beta", "Gamma", "delta.", "By", "Jane", "Doe", "Photo:", "(Reuters)", "Mr."]
PROSE += ['"', "“", "U.S.", "Read more:", "READ MORE:", "Advertisement", "LONDON", "--", "—"]
PROSE += ["*", "**", "_", "[", "]", "(", ")", "![", "](", "http://x.y/z", "<", ">", "#", "|"]
PROSE += ["\n", "\n\n", "\r", "\t", "12", "June", "2025", "Monday,", "10:30", "MSK", "KASIM"]
PROSE += ["EKİM", "ſep", "+9999", "Share", "Subscribe", "Related", "Von", "Di", "Maio", "Σ"]
PROSE += ["Straße", "\u0301", "\u200b", "\x00", "\x0b", "\udcff", "😀", "İ", "Getty Images"]
ENTITIES = ["&amp;", "&lt;", "&#65;", "&#x41;", "&", ";"]
page_text = st.one_of(
    st.lists(st.sampled_from(PROSE + ENTITIES) | st.text(max_size=5), max_size=60).map(" ".join),
    st.lists(st.sampled_from(PROSE), max_size=60).map("".join),
    st.text(max_size=200),
)
"""Scraped text; an entity is always whole, never put together by removing markup in it."""


def _squashed(text: str) -> str:
    return re.sub(r"\s+", "", text)


@given(text=page_text, title=st.none() | page_text)
def test_cleaning_only_removes(text: str, title: str | None) -> None:
    """The cleaned text's characters appear in that order in the input (entities decoded)."""
    cleaned = clean_text(text, title=title)
    source = iter(_squashed(html.unescape(text)))
    assert all(char in source for char in _squashed(cleaned))
    assert cleaned == cleaned.strip()


def _longest_common_subsequence(a: list[str], b: list[str]) -> int:
    previous = [0] * (len(b) + 1)
    for word in a:
        current = [0]
        for j, other in enumerate(b):
            current.append(previous[j] + 1 if word == other else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


vocabulary = st.sampled_from(list("abcdef"))


@settings(max_examples=400)
@given(short=st.lists(vocabulary, max_size=25), body=st.lists(vocabulary, max_size=40))
def test_an_echo_is_a_near_subsequence(short: list[str], body: list[str]) -> None:
    """`_echoes` (linear in the caption) says what its docstring defines with an LCS."""
    allowed = len(short) // 10
    expected = (
        len(body) > len(short)
        and len(set(short) - set(body)) <= allowed
        and len(short) - _longest_common_subsequence(short, body) <= allowed
    )
    assert _echoes(short, _Words(body)) == expected


@given(text=page_text)
def test_a_date_is_read_or_not_never_a_crash(text: str) -> None:
    found = parse_date(text)
    assert found is None or (found.tzinfo is UTC and 1989 <= found.year <= 2101)
    is_date_line(text)


@given(text=typed_text | st.sampled_from(["UTC+2", "gmt-5", "+05:30", "berlin", "Etc/GMT-2"]))
def test_a_typed_timezone_is_a_zone_or_refused(text: str) -> None:
    try:
        name = resolve_timezone(text, now=NOW)
    except ChatSettingError as refused:
        assert str(refused)
    else:
        assert ZoneInfo(name).utcoffset(NOW) is not None


@given(text=typed_text, hour=st.integers(0, 23), minute=st.integers(0, 59))
def test_a_digest_time_is_read_or_refused(text: str, hour: int, minute: int) -> None:
    assert parse_digest_time(f" {hour}:{minute:02d} ") == time(hour, minute)
    try:
        parse_digest_time(text)
    except ChatSettingError as refused:
        assert str(refused)


SENTENCES = ["The cat sat.", "Der Hund bellt.", "Кот сидит.", "猫が座った。", "قطة جلست."]
SENTENCES += ["!", "?", "...", "Mr.", "U.S.", "\n", "\n\n", "\u200b", "\u0301", "😀", "\x00"]
SENTENCES += ["Cats run fast.", "Dogs jump high.", "a.", "0.", "The the the.", "e.g.", "«", "Σς"]
article_text = st.one_of(
    st.lists(st.sampled_from(SENTENCES) | st.text(max_size=4), max_size=40).map(" ".join),
    st.text(max_size=100),
)


@settings(max_examples=150)
@given(text=article_text, method=st.sampled_from(METHODS), count=st.integers(1, 4))
def test_summaries_are_sentences_of_the_text_or_refused(text: str, method: str, count: int) -> None:
    try:
        summary = summarize(text, method=method, sentences=count)
    except SummarizeError as refused:
        assert str(refused)
        return
    flat = " ".join(text.split())
    assert 1 <= len(summary.sentences) <= count
    assert len(set(summary.sentences)) == len(summary.sentences)
    assert all(" ".join(sentence.split()) in flat for sentence in summary.sentences)


CJK = list("这是一支笔那本书今天天气很好日本語のテキストですカタカナー한국어0123456789abcXYZ")
CJK += list("。！？…!?.,，、「」『』“”‘’（）()《》«» \t-—:;：；=*#@&%/+<>|~^$\"'\u0301\u200b")
CJK += ["。」", "！！", "？！", "...", "……", "Mr.", "U.S."]


@settings(max_examples=300)
@given(
    text=st.lists(st.sampled_from(CJK), max_size=100).map("".join),
    code=st.sampled_from(["zh", "ja"]),
)
def test_unspaced_text_splits_in_pieces_as_punkt_splits_it_whole(text: str, code: str) -> None:
    """`_unspaced_pieces` keeps Chinese and Japanese splitting linear without changing it."""
    splitter = language_tools(code).tokenizer._splitter
    whole = [s.strip() for s in splitter.tokenize(text) if s.strip()]
    pieces = [s.strip() for p in _unspaced_pieces(text) for s in splitter.tokenize(p) if s.strip()]
    assert pieces == whole


# Plain examples of what the properties found.


def test_the_column_break_typed_into_a_search_is_no_word(db: Database) -> None:
    """It separates title, summary and body in the index's folded column: as a query word it
    found every article with ł, ß, έ... and alerts (which read it as the break) found all."""
    folded = store(db, "Straße gesperrt", "Die Straße ist gesperrt. Mehr folgt.")
    plain = store(db, "Storm hits", "The storm hits the coast. More follows.")
    assert parse_query(COLUMN_BREAK).is_empty
    matcher = Matcher(load_docs(db, [folded, plain]), now=NOW)
    for text, found in (
        (f"{COLUMN_BREAK} storm", {plain}),
        (f'"gesperrt {COLUMN_BREAK} die"', set()),
    ):
        query = parse_query(text)  # the phrase ran from the title into the summary
        assert hits(db, query) == set(matcher.match(query)) == found, text


def test_an_empty_query_alerts_on_nothing(db: Database) -> None:
    """As `matching_article_ids`: a stored topic that parses to nothing matches no article."""
    ids = [store(db, "Storm hits the coast")]
    assert Matcher(load_docs(db, ids), now=NOW).match(Query("", ())) == []


def test_an_article_exactly_since_old_is_alerted_as_it_is_found(db: Database) -> None:
    ids = [store(db, "Storm hits the coast", at=NOW - timedelta(hours=1))]
    now = NOW + timedelta(microseconds=500_000)
    query = parse_query("storm since:1h")
    assert Matcher(load_docs(db, ids), now=now).match(query) == ids
    assert matching_article_ids(db, query, ids, now=now) == set(ids)


def test_a_lone_surrogate_in_a_search_is_no_crash(db: Database) -> None:
    """`newsbrief search` gets undecodable bytes as lone surrogates, which SQLite refuses."""
    store(db, "Storm hits the coast")
    assert search(db, "storm source:a\udcff", now=NOW).total == 0
    assert search(db, "storm \udcff", now=NOW).total == 1


def test_since_reads_leading_zeros_of_any_script() -> None:
    assert parse_query("since:٠٠٠٠٠٠٠١d").since == timedelta(days=1)


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("////", "/"),
        ("http:////example.com/a", "http:///example.com/a"),  # no host, as check_url says
        ("http: ?", "http:///"),
        ("//http::80http:", "//http::80http:/"),  # a colon in the host: no port read off it
        ("http://a::80/x", "http://a::80/x"),
        ("? #", ""),
        ("\x1b\xa0\x1b", ""),
    ],
)
def test_canonical_form_of_an_odd_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical == canonical_url(canonical)


@pytest.mark.parametrize(
    ("line", "month", "hour"),
    [
        ("2 KASIM 2025", 11, 0),
        ("2 EKİM 2025", 10, 0),
        ("2 avrİl 2025", 4, 0),
        ("ſep 2, 2025", 9, 0),
        ("2 liſtopada 2025", 11, 0),
        ("2 March 2025 10:30 MS\u212a", 3, 7),  # Kelvin sign: re.I reads it as K
        ("2 March 2025 10:30 +9999", 3, 0),  # no zone: the day alone
    ],
)
def test_dates_read_with_the_case_rules_of_their_patterns(line: str, month: int, hour: int) -> None:
    found = parse_date(line)
    assert found is not None
    assert (found.month, found.day, found.hour) == (month, 2, hour)


def test_a_turkish_date_line_in_capitals_is_cleaned_away() -> None:
    assert clean_text("2 KASIM 2025\n\nBelediye yeni parkı açtı.") == "Belediye yeni parkı açtı."


def test_lexrank_with_no_two_sentences_alike_picks_the_first() -> None:
    """sumy divided by a zero norm here: a RuntimeWarning (an error in tests), NaN scores."""
    summary = summarize("Cats run fast. Dogs jump high.", method="lexrank", sentences=1)
    assert summary.sentences == ("Cats run fast.",)


def test_a_runaway_text_is_read_up_to_the_sentence_cap() -> None:
    text = " ".join(f"Sentence number {n} is here." for n in range(MAX_SENTENCES + 500))
    blocks = document_paragraphs(text, language_tools("en").tokenizer)
    assert sum(map(len, blocks)) == MAX_SENTENCES
    assert blocks[0][0] == "Sentence number 0 is here."
