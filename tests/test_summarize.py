"""The summarise API: methods, order, counts, repeats, odd input, fallback, offline use."""

from __future__ import annotations

import json
import re
import sys

import nltk
import numpy as np
import pytest

from summaries.errors import SummarizeError
from summaries.extract import extract_article
from summaries.models import Article
from summaries.summarize import (
    DEFAULT_METHOD,
    METHODS,
    centrality,
    split_sentences,
    summarize,
    summarize_article,
)
from summaries.summarize.centrality import text_positions
from summaries.summarize.document import build_document, sentence_key
from summaries.summarize.languages import language_tools
from summaries.summarize.methods import summarizer_for
from summaries.summarize.quality import FACTORS, quality_factors
from summaries.summarize.quotes import Quotations
from summaries.summarize.tokenizer import LINE_BREAK, _one_spaced
from tests.conftest import shared_file

STORY = (
    "Flooding forced thousands of residents from their homes in the river valley on Monday. "
    "Emergency crews rescued more than 200 people from rooftops and cars as the river rose "
    "three metres overnight. "
    "The regional governor declared a state of emergency and asked the army for help with the "
    "evacuation of the valley. "
    "Forecasters expect more heavy rain in the valley until Thursday, and the river may rise "
    "further. "
    "Schools in the valley will stay closed for the rest of the week. "
    "Residents said the water came faster than during the last great flood in 2002. "
    "Insurers have not yet estimated the cost of the damage to homes and businesses. "
    "The governor will visit the evacuation centres on Tuesday."
)


def sentences_of(text: str) -> list[str]:
    return split_sentences(text, "en")


def test_the_registry_has_every_required_method() -> None:
    assert DEFAULT_METHOD == "default"
    for method in ("default", "lead", "lexrank", "textrank", "lsa", "luhn"):
        assert method in METHODS


@pytest.mark.parametrize("method", METHODS)
def test_every_method_returns_n_sentences_in_article_order(method: str) -> None:
    summary = summarize(STORY, sentences=3, method=method)
    order = sentences_of(STORY)
    positions = [order.index(sentence) for sentence in summary.sentences]
    assert len(positions) == 3
    assert positions == sorted(positions)
    assert summary.method == method
    assert summary.language == "en"
    assert not summary.fallback


@pytest.mark.parametrize("method", METHODS)
def test_no_method_repeats_a_sentence(method: str) -> None:
    text = " ".join([STORY, *sentences_of(STORY)[:4]])
    summary = summarize(text, sentences=6, method=method)
    keys = [sentence.casefold() for sentence in summary.sentences]
    assert len(keys) == len(set(keys)) == 6


@pytest.mark.parametrize("method", METHODS)
def test_a_short_text_gives_back_what_there_is(method: str) -> None:
    summary = summarize("The river burst its banks on Monday.", sentences=3, method=method)
    assert summary.sentences == ("The river burst its banks on Monday.",)


@pytest.mark.parametrize("count", [1, 2, 5])
def test_the_sentence_count_is_configurable(count: int) -> None:
    assert len(summarize(STORY, sentences=count).sentences) == count


def test_an_unknown_method_names_the_valid_ones() -> None:
    with pytest.raises(SummarizeError) as error:
        summarize(STORY, method="magic")
    assert "magic" in str(error.value)
    for method in METHODS:
        assert method in str(error.value)


@pytest.mark.parametrize("text", ["", "   \n\n  ", "... !!! ---"])
def test_text_without_a_sentence_is_an_error(text: str) -> None:
    with pytest.raises(SummarizeError, match="no text to summarise"):
        summarize(text, language="en")


def test_zero_sentences_is_an_error() -> None:
    with pytest.raises(SummarizeError, match="at least 1"):
        summarize(STORY, sentences=0)


def test_max_chars_caps_the_length_but_keeps_one_sentence() -> None:
    for method in ("default", "lexrank"):
        summary = summarize(STORY, sentences=5, method=method, max_chars=200)
        assert 1 <= len(summary.sentences) < 5
        assert len(" ".join(summary.sentences)) <= 200 or len(summary.sentences) == 1
    tiny = summarize(STORY, sentences=3, max_chars=10)
    assert len(tiny.sentences) == 1


def test_line_breaks_end_sentences() -> None:
    text = "Flood waters rise in the valley\nEmergency crews rescued 200 people on Monday."
    assert sentences_of(text) == [
        "Flood waters rise in the valley",
        "Emergency crews rescued 200 people on Monday.",
    ]


def test_glued_paragraphs_are_split() -> None:
    text = "The river rose overnight.Emergency crews were called in. The U.S. Army helped."
    assert sentences_of(text) == [
        "The river rose overnight.",
        "Emergency crews were called in.",
        "The U.S. Army helped.",
    ]


def test_an_unsupported_language_falls_back_to_the_lead() -> None:
    text = "東京で大雨が降った。多くの人が避難した。電車は止まった。学校は休みになった。"
    summary = summarize(text, sentences=2)
    assert summary.fallback
    assert summary.language == "ja"
    assert summary.sentences == ("東京で大雨が降った。", "多くの人が避難した。")


def test_a_fallback_records_the_lead_as_its_method() -> None:
    text = "東京で大雨が降った。多くの人が避難した。電車は止まった。学校は休みになった。"
    for method in ("default", "lexrank"):
        assert summarize(text, sentences=2, method=method).method == "lead"
    assert summarize(STORY, sentences=2, method="lexrank").method == "lexrank"


def test_an_unknown_language_code_falls_back_without_a_crash() -> None:
    summary = summarize(STORY, sentences=2, language="xx")
    assert summary.fallback
    assert summary.language == "xx"
    assert summary.sentences == tuple(sentences_of(STORY)[:2])


@pytest.mark.parametrize("tag", ["en", "EN", "en-GB", "en_US"])
def test_loose_language_tags_are_understood(tag: str) -> None:
    summary = summarize(STORY, language=tag)
    assert summary.language == "en"
    assert not summary.fallback


def test_summarize_article_uses_the_title_and_recorded_language() -> None:
    schools = sentences_of(STORY)[4]
    untitled = Article(title="", text=STORY, language="en")
    titled = Article(title="Schools in the valley closed for the week", text=STORY, language="en")
    assert schools not in summarize_article(untitled).sentences
    summary = summarize_article(titled)
    assert schools in summary.sentences
    assert summary.language == "en"


@pytest.mark.parametrize(
    "intruder",
    [
        "Rescue workers carry a child through flood water in the valley on Monday\n",
        "Is the valley ready for another flood in the coming days? ",
        "'We lost everything in the flood in the valley this week.' ",
        "Follow us on Twitter for the latest flood updates from the valley. ",
    ],
    ids=["caption", "question", "unattributed-quote", "furniture"],
)
def test_the_default_passes_over_sentences_that_read_badly_alone(intruder: str) -> None:
    expected = tuple(sentences_of(STORY)[:3])
    assert summarize(STORY).sentences == expected
    assert summarize(intruder + STORY).sentences == expected


def test_the_default_skips_a_near_repeat_that_lead_keeps() -> None:
    first = sentences_of(STORY)[0]
    text = first + " " + first.replace("on Monday", "early on Monday") + " " + STORY[len(first) :]
    assert summarize(text, method="lead").sentences[1].startswith("Flooding forced")
    assert summarize(text).sentences == tuple(sentences_of(STORY)[:3])


def test_a_long_document_is_summarised() -> None:
    paragraphs = [STORY.replace("valley", f"valley {n}") for n in range(60)]
    text = "\n\n".join(paragraphs)
    assert len(sentences_of(text)) >= 480
    assert len(summarize(text, sentences=5).sentences) == 5


def test_the_headline_is_never_a_summary_sentence() -> None:
    title = "Flooding forces thousands from their homes"
    text = title + ".\n" + STORY
    summary = summarize(text, title=title + ".", sentences=3)
    assert title + "." not in summary.sentences


def test_no_code_path_needs_nltk_data(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("NLTK data was requested")

    monkeypatch.setenv("NLTK_DATA", str(tmp_path))
    monkeypatch.setattr(nltk.data, "path", [str(tmp_path)])
    monkeypatch.setattr(nltk.data, "find", refuse)
    monkeypatch.setattr(nltk.data, "load", refuse)
    monkeypatch.setattr(nltk, "download", refuse)
    for method in METHODS:
        assert summarize(STORY, title="Floods in the valley", method=method).sentences
    assert summarize("Der Fluss trat am Montag über die Ufer. Viele flohen.").language == "de"


TRICKY_LINES = [
    "He met Dr. Smith at 5 p.m. on Monday. The U.S. Army arrived. Then it rained.",
    "'We will win, ' he said. ' It is our year. ' Fans cheered. No. 5 scored.",
    "Prices rose 3.5 per cent in 2014. Analysts (pictured) were surprised. Why? Nobody knows!",
    "The film cost $1.6m. J. K. Rowling wrote it. It opened e.g. in Paris. Reviews were good.",
    "It began in 2013. The club joined in 2001. Business was good on May 5. he said.",
    'He said. "It was fine." She (pictured) left. Then came the U.S. team. ‘We won’.',
    "'It is over, ' he said. '",
    "Is it over? ' he asked. ) Nobody knew. ' )",
]


@pytest.mark.parametrize("line", TRICKY_LINES)
def test_the_sentence_shortcut_agrees_with_punkt(line: str) -> None:
    tokenizer = language_tools("en").tokenizer
    punkt_alone = tuple(s.strip() for s in tokenizer._splitter.tokenize(line) if s.strip())
    assert tokenizer.to_sentences(line) == punkt_alone


def test_the_default_chooses_the_same_with_or_without_a_sumy_document() -> None:
    path = shared_file("data/cnndm-dev.jsonl")
    tools = language_tools("en")
    summarizer = summarizer_for("default", tools)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[:40]]
    for text, title in [(STORY, "Floods in the valley"), *((r["text"], "") for r in rows)]:
        document = build_document(text, tools.tokenizer, title=title)
        via_sumy = tuple(str(s) for s in summarizer(document, 3))
        assert summarize(text, title=title, language="en").sentences == via_sumy


QUOTED = (
    "The mayor spoke to reporters at the evacuation centre. "
    '"We were ready for this. Flooding forced thousands of residents from the river valley, and '
    'emergency crews rescued more than 200 people from rooftops," the mayor said. '
)


def test_the_default_does_not_choose_a_quotation_torn_from_its_opening() -> None:
    torn = "Flooding forced thousands of residents from the river valley, and emergency crews"
    text = QUOTED + STORY
    assert any(sentence.startswith(torn) for sentence in sentences_of(text))
    chosen = summarize(text).sentences
    assert len(chosen) == 3
    assert not any(sentence.startswith(torn) for sentence in chosen)


def unbalanced(sentence: str) -> bool:
    """Quote marks that do not pair up inside the sentence (straight ones by parity)."""
    return (
        sentence.count('"') % 2 == 1
        or sentence.count("“") != sentence.count("”")
        or sentence.count("«") != sentence.count("»")
    )


def test_no_seed_summary_sentence_has_unbalanced_quotes() -> None:
    text = shared_file("seed/000_3eea214e2d73931a.txt").read_text(encoding="utf-8")
    article = extract_article(text)
    assert any(unbalanced(s) for s in split_sentences(article.text)), "the case is still there"
    summary = summarize_article(article)
    assert len(summary.sentences) == 3
    assert not [sentence for sentence in summary.sentences if unbalanced(sentence)]


def starts_in_quotation(paragraphs: list[list[str]]) -> list[bool]:
    """For each sentence, in order: does it begin inside a quotation an earlier one opened?"""
    texts = [sentence for sentences in paragraphs for sentence in sentences]
    quotations = Quotations(texts, [len(sentences) for sentences in paragraphs])
    return [quotations.torn(index) for index in range(len(texts))]


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        ([['"We are ready.', 'Patrols are possible," he said.', "Talks go on."]], [0, 1, 0]),
        ([["“We are ready.", "Patrols are possible,” he said."]], [0, 1]),
        ([["Er sagte: „Wir sind bereit.", "Patrouillen sind möglich“, so der Beamte."]], [0, 1]),
        (
            [["Il a dit : « Nous sommes prêts.", "Des patrouilles sont possibles », a-t-il dit."]],
            [0, 1],
        ),
        ([["Er sagte: »Wir sind bereit.", "Patrouillen sind möglich«, so der Beamte."]], [0, 1]),
        (
            [["He said: 'We are ready.", "Patrols are possible, ' he said.", "Talks go on."]],
            [0, 1, 0],
        ),
        ([['The "zero "is a burden.', "He trains."]], [0, 0]),
        ([["The team's coach didn't say.", "It's late.", "The players' union agreed."]], [0, 0, 0]),
        ([['"We are ready.', '"Patrols are possible.', 'Talks go on," he said.']], [0, 0, 1]),
        ([['"We are ready.'], ["Talks go on."]], [0, 0]),
    ],
    ids=[
        "straight",
        "curly",
        "german",
        "french",
        "german-chevrons",
        "single-tokenised",
        "tokenised-closer",
        "apostrophes",
        "reopened",
        "paragraph-ends-it",
    ],
)
def test_sentences_that_begin_inside_a_quotation_are_found(
    paragraphs: list[list[str]], expected: list[int]
) -> None:
    assert starts_in_quotation(paragraphs) == [bool(flag) for flag in expected]


def test_demoting_torn_quotations_while_choosing_equals_demoting_them_all_first() -> None:
    path = shared_file("data/cnndm-dev.jsonl")
    tools = language_tools("en")
    summarizer = summarizer_for("default", tools)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[:60]]
    changed = 0
    for row in rows:
        texts = split_sentences(row["text"])
        words = tools.tokenizer.word_lines([*texts, ""])
        ids, line_of = summarizer.term_ids(words)
        vectors = summarizer._vectors(ids, line_of, len(texts) + 1)
        similarity = vectors[:-1] @ vectors[:-1].T
        counts = [len(tools.tokenizer.to_words(text)) for text in texts]
        scores = summarizer.rate(similarity, vectors[:-1] @ vectors[-1], counts)
        scores *= quality_factors(texts)
        lengths = np.array([len(text) for text in texts])
        nothing_torn = Quotations(["plain"] * len(texts))
        undemoted = sorted(summarizer._select(scores.copy(), similarity, 3, lengths, nothing_torn))
        scores[starts_in_quotation([texts])] *= FACTORS["torn"]
        eager = sorted(summarizer._select(scores, similarity, 3, lengths, nothing_torn))
        assert summarizer.choose(texts, words, 3) == eager
        changed += eager != undemoted
    assert changed > 0, "no article here has a torn quotation worth choosing"


def test_ascii_sentence_keys_follow_the_general_rule() -> None:
    for code in range(128):
        text = f"Ab{chr(code)}Cd 1_2 {chr(code)}"
        assert text.isascii()
        assert sentence_key(text) == re.sub(r"[\W_]+", " ", text.casefold()).strip()


def test_vocabulary_ids_words_by_stem_and_starts_afresh_past_its_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(centrality, "_WORD_CACHE", 4)
    tools = language_tools("en")
    vocabulary = centrality._Vocabulary(tools.stem, tools.stop_words)
    cats = vocabulary.ids(["Cats", "the", "cat"])
    walks = vocabulary.ids(["Walking", "walked", "dogs"])
    rivers = vocabulary.ids(["rivers", "a", "River"])
    assert cats[0] == cats[2] and cats[1] == -1
    assert walks[0] == walks[1] != walks[2]
    assert rivers[0] == rivers[2] and rivers[1] == -1
    assert len(vocabulary._tables[0]) == 4  # afresh: three words and the line break, not nine


@pytest.mark.parametrize(
    "lines",
    [
        ["Cats don't sit.", "", "Well-known — “Jürgen’s” café, 2024.", "x"],
        ["All ASCII here.", "A title"],
        ["Только кириллица, т.е. слова.", "ASCII line"],
        [],
        [""],
    ],
)
def test_word_lines_are_each_lines_words_with_a_break_between(lines: list[str]) -> None:
    tokenizer = language_tools("en").tokenizer
    expected: list[str] = []
    for line in lines:
        expected += re.findall(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*", line)
        expected.append(LINE_BREAK)
    assert tokenizer.word_lines(lines) == expected[:-1]
    assert [tokenizer.to_words(line) for line in lines] == [
        tuple(re.findall(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*", line)) for line in lines
    ]


def test_ascii_words_are_the_unicode_rule_on_every_dataset_sentence() -> None:
    tokenizer = language_tools("en").tokenizer
    rows = shared_file("data/cnndm-dev.jsonl").read_text(encoding="utf-8").splitlines()
    for row in rows:
        texts = split_sentences(json.loads(row)["text"])
        unicode_rule = [re.findall(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*", t) for t in texts]
        assert [list(tokenizer.to_words(t)) for t in texts] == unicode_rule


def test_only_the_space_among_whitespace_is_printable() -> None:
    """`tokenizer._one_spaced` trusts a printable line to hold no whitespace but spaces."""
    printable_spaces = [
        hex(code)
        for code in range(sys.maxunicode + 1)
        if chr(code).isspace() and chr(code).isprintable()
    ]
    assert printable_spaces == ["0x20"]


@pytest.mark.parametrize(
    "line", ["plain line", " lead", "trail ", "two  spaces", "tab\there", "nbsp\xa0x", "", "   "]
)
def test_one_spaced_is_split_and_joined(line: str) -> None:
    assert _one_spaced(line) == " ".join(line.split())


def test_position_counts_the_text_before_a_sentence_in_typical_sentences() -> None:
    # a 3-word fragment first puts the next sentence a fifth of a sentence down, not one whole
    assert text_positions([3, 15, 15, 20]).tolist() == pytest.approx([0.0, 0.2, 1.2, 2.2])
    # an empty sentence counts as one word
    assert text_positions([0, 10, 12]).tolist() == pytest.approx([0.0, 0.1, 1.1])
