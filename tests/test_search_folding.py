"""Search folds the letters people type without (ł, ß, ё, ı, ø, æ, œ, đ, ð, þ, Greek tonos).

Each spelling finds the other, in words, phrases and prefixes; headlines still rank first,
snippets still show the text as written, topic alerts find what /search finds, an existing
archive is re-indexed by its migration, and letters that differ (か/が, й/и) stay apart.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from summaries import chats, topics
from summaries.errors import QueryError
from summaries.folding import fold
from summaries.matching import Matcher, load_docs
from summaries.query import index_words
from summaries.schema import schema_version
from summaries.search import parse_query, search
from summaries.store import Database, open_database
from tests.old_schema import database_before
from tests.test_search import NOW, store

PAIRS = [
    ("zostal", "został"),
    ("LODZ", "ŁÓDŹ"),
    ("strasse", "straße"),
    ("STRASSE", "STRAẞE"),
    ("елка", "ёлка"),
    ("ЕЛКА", "ЁЛКА"),
    ("isik", "ışık"),
    ("kobenhavn", "københavn"),
    ("OSTERBRO", "ØSTERBRO"),
    ("aeble", "æble"),
    ("AEBLE", "ÆBLE"),
    ("oeuvre", "œuvre"),
    ("OEUVRE", "ŒUVRE"),
    ("dordevic", "đorđević"),
    ("DORDEVIC", "ĐORĐEVIĆ"),
    ("gudrun", "guðrún"),
    ("GUDRUN", "GUÐRÚN"),
    ("thing", "þing"),
    ("THING", "ÞING"),
    ("καλα", "καλά"),
    ("εκλογες", "εκλογές"),
    ("αθηνα", "αθήνα"),
    ("σπιτι", "σπίτι"),
    ("λογος", "λόγος"),
    ("υδρα", "ύδρα"),
    ("ωρα", "ώρα"),
    ("ταιβαν", "ταϊβάν"),
    ("προυποθεση", "προϋπόθεση"),
    ("ταιζω", "ταΐζω"),
    ("ευφασμα", "εΰφασμα"),
    ("ΑΝΟΙΞΗ", "ΆΝΟΙΞΗ"),
    ("ΕΒΡΟΣ", "ΈΒΡΟΣ"),
    ("ΗΠΕΙΡΟΣ", "ΉΠΕΙΡΟΣ"),
    ("ΙΜΒΡΟΣ", "ΊΜΒΡΟΣ"),
    ("ΟΛΥΜΠΟΣ", "ΌΛΥΜΠΟΣ"),
    ("ΥΔΡΑ", "ΎΔΡΑ"),
    ("ΩΡΑ", "ΏΡΑ"),
    ("ΤΑΙΒΑΝ", "ΤΑΪΒΑΝ"),
    ("ΠΡΟΥΠΟΘΕΣΗ", "ΠΡΟΫΠΟΘΕΣΗ"),
]


def found(db: Database, text: str) -> set[int]:
    """Ids /search finds for `text`, checking that topic alerts find exactly the same."""
    query = parse_query(text)
    hits = {hit.article.id for hit in search(db, query, limit=50, now=NOW).hits}
    everything = [row[0] for row in db.execute("SELECT id FROM articles ORDER BY id")]
    assert set(Matcher(load_docs(db, everything), now=NOW).match(query)) == hits, text
    return hits


@pytest.mark.parametrize(("plain", "accented"), PAIRS)
def test_each_spelling_finds_the_other(db: Database, plain: str, accented: str) -> None:
    written = store(db, "Report one", f"The word {accented} is in this text. Nothing else.")
    typed = store(db, "Report two", f"The word {plain} is in this text. Nothing else.")
    store(db, "Report three", "An unrelated story about the weather. Nothing else.")
    assert found(db, plain) == {written, typed}
    assert found(db, accented) == {written, typed}
    assert found(db, plain.lower()[:3] + "*") >= {written, typed}


def test_phrases_and_prefixes_are_folded_too(db: Database) -> None:
    polish = store(db, "Wybory", "Prezydent został wybrany w Łodzi. Głosowało wielu.")
    plain = store(db, "Wybory bez liter", "Prezydent zostal wybrany w Lodzi. Glosowalo wielu.")
    store(db, "Inne", "Został tylko jeden. Wybrany później.")  # both words, not the phrase
    for text in ('"zostal wybrany"', '"został wybrany"', '"ZOSTAŁ WYBRANY w łodzi"'):
        assert found(db, text) == {polish, plain}, text
    for text in ("zost*", "został*", "głosow*", '"wybrany w łod"*', '"wybrany w lod"*'):
        assert found(db, text) >= {polish, plain}, text
    assert found(db, "wybory -łodzi") == set()
    assert found(db, 'wybory -"w lodzi"') == set()


def test_a_headline_still_ranks_first(db: Database) -> None:
    """Typed as written, a folded word keeps its title weight (the typed spelling is OR-ed in)."""
    headline = store(db, "Straße gesperrt in Berlin", "Die Polizei meldet einen Unfall. " * 5)
    deep = store(
        db,
        "Traffic news",
        "Long report. " * 5 + "Die Straße ist gesperrt, sagt die Polizei.",
        summary="Long report on the traffic.",
    )
    for n in range(5):  # words in every article would weigh nothing
        store(db, f"Other {n}", f"Nothing about it {n}. Weather.")
    for text in ("Straße", "STRAẞE", "gesperrt", "polizei straße", "polizei strasse"):
        hits = search(db, text, now=NOW).hits
        assert [h.article.id for h in hits] == [headline, deep], text


def test_snippets_show_the_text_as_written(db: Database) -> None:
    summary = "Prezydent został wybrany w Łodzi."
    store(db, "Wybory", "Prezydent został wybrany w Łodzi. Głosowało wielu.", summary=summary)
    [hit] = search(db, "został", now=NOW).hits
    assert hit.snippet == (("Prezydent ", False), ("został", True), (" wybrany w Łodzi.", False))
    [plain] = search(db, "zostal", now=NOW).hits
    assert "".join(text for text, _ in plain.snippet) == summary  # never the folded text


def test_letters_outside_the_table_stay_distinct(db: Database) -> None:
    ka = store(db, "Kana one", "今日 かき 食べた. Nothing else.")
    ga = store(db, "Kana two", "今日 がき 来た. Nothing else.")
    moi = store(db, "Cyrillic one", "Это мои слова. Nothing else.")
    moj = store(db, "Cyrillic two", "Это мой дом. Nothing else.")
    assert found(db, "がき") == {ga}
    assert found(db, "かき") == {ka}
    assert found(db, "мой") == {moj}
    assert found(db, "мои") == {moi}


def test_an_existing_archive_is_reindexed_with_folded_letters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "old.db"
    old = database_before(path, "_fts_folded_letters")
    version = schema_version(old)
    with monkeypatch.context() as before:  # the search entry as written before this version
        before.setattr("summaries.articles.folded_text", lambda *parts: "")
        ids = [
            store(old, f"Story {n}", f"Prezydent {n} został wybrany. Storm {n} hit.")
            for n in range(4)
        ]
        english = store(old, "Storm hits the coast", "A storm hit the coast. Nothing else.")
    old.conn.commit()
    old.close()
    monkeypatch.setattr("summaries.migrations._FOLD_BATCH", 2)  # several batches
    with caplog.at_level("INFO", logger="summaries.schema"):
        db = open_database(path)
    assert f"Upgrading the database to version {version + 1}: Let plain typing find" in (
        caplog.text
    )
    sql = db.execute("SELECT sql FROM sqlite_master WHERE name = 'article_fts'").fetchone()[0]
    assert "folded" in sql
    assert "prefix = '1 2'" in sql
    assert "remove_diacritics 2" in sql
    assert found(db, "zostal") == set(ids)
    assert found(db, "storm") == {*ids, english}
    folded = dict(db.execute("SELECT rowid, folded FROM article_fts").fetchall())
    assert folded[english] == ""
    assert "zostal" in folded[ids[0]]
    assert "Story 0" in folded[ids[0]]
    db.close()


def test_folding_agrees_with_the_index_on_every_character() -> None:
    """Alerts == search for every letter, not only the ones tried above.

    A search term finds its typed or its folded spelling; the alert matcher compares folded
    spellings only. They agree when text the index folds alike (Ł and ł, ǿ and ø) folds
    alike here too, and folded text folds no further: a table missing "Ł" next to "ł" would
    let `Łódź` alerts miss what /search finds.
    """
    for code in range(0x80, 0x3100):
        if 0xD800 <= code < 0xE000:
            continue
        text = f"a{chr(code)}b"
        folded = index_words(fold(text))
        assert folded == index_words(fold(" ".join(index_words(text)))), hex(code)
        assert folded == index_words(fold(" ".join(folded))), hex(code)


def test_a_topic_spelt_with_or_without_the_letters_is_followed_once(db: Database) -> None:
    """`strasse` finds exactly what `Straße` finds (alerts and search), so it is the same topic."""
    chat = chats.ensure_chat(db, 42, now=NOW).id
    topics.subscribe(db, chat, "Straße", limit=50, now=NOW)
    with pytest.raises(QueryError, match=r"already follow 'strasse' \(as 'Straße'\)"):
        topics.subscribe(db, chat, "strasse", limit=50, now=NOW)
    with pytest.raises(QueryError, match="can never match"):
        topics.subscribe(db, chat, "łódź -lodz", limit=50, now=NOW)
    assert [t.query for t in topics.list_topics(db, chat)] == ["Straße"]


def test_a_phrase_never_runs_from_the_headline_into_the_summary(db: Database) -> None:
    """The index keeps title, summary and body in separate columns; the folded copy and the
    alert matcher keep them apart too, so alerts still find exactly what /search finds."""
    store(db, "Storm hits coast", "Overnight the harbour flooded.", summary="Overnight rain.")
    store(db, "Burza w Łodzi", "Prezydent zwołał sztab kryzysowy.", summary="Prezydent miasta.")
    assert found(db, '"coast overnight"') == set()
    assert found(db, '"lodzi prezydent"') == set()
    assert found(db, '"łodzi prezydent"') == set()
    assert len(found(db, '"w lodzi"')) == 1
