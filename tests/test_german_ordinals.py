"""German ordinals ("der 2. Weltkrieg", "zum 5. Mal") stay inside their sentence.

Punkt ended a German sentence at every number with a full stop before a capitalised word, and
German capitalises every noun: "Das war der 2." reached summaries as a sentence of its own.
The sentences are written for these tests in the style of German news reports.
"""

from __future__ import annotations

import pytest

from summaries.summarize import split_sentences, summarize

ORDINALS = [
    "Das war der 2. Weltkrieg in Europa, sagte der Historiker.",
    "Sie gewannen zum 5. Mal den Titel und feierten bis in die Nacht.",
    "Er spielte beim 1. FC Köln, bevor er nach England wechselte.",
    "Die 2. Bundesliga startet am 5. August mit dem Spiel in Hamburg.",
    "Bayern führt die Tabelle seit dem 1. Spieltag an.",
    "Das Feuer brach im 3. Stock des Hauses aus.",
    "Für die Kanzlerin war es ihr 3. Besuch in Kiew.",
    "Jeder 4. Deutsche hat laut der Umfrage kein Auto.",
    "Die Stadt feiert in diesem Jahr ihren 750. Geburtstag.",
    "Der Verein erinnert an die Meister des 19. und 20. Jahrhunderts.",
    "Aufsteigen dürfen nur Klubs der 2. und 3. Liga mit einer Lizenz.",
    "Die Sprinterin trat zum 2. oder 3. Mal bei Olympia an.",
    "Das Gericht verhandelt den Fall erst nach einer 2. Anhörung.",
    "Zur 3. Runde des DFB-Pokals reist der Verein nach Bremen.",
    # After an opening quote or bracket: the determiner still starts a word.
    "„Beim 1. FC Köln war alles anders“, sagte der Trainer.",
    "Er nannte es „das 3. Mal in Folge“ und lachte.",
    "Der Saal (im 2. Stock des Rathauses) bleibt geschlossen.",
]


@pytest.mark.parametrize("sentence", ORDINALS)
def test_an_ordinal_after_an_article_or_determiner_stays_in_its_sentence(sentence: str) -> None:
    after = "Die Polizei ermittelt weiter."
    assert split_sentences(f"{sentence} {after}", "de") == [sentence, after]


ENDS = [
    # A bare preposition is not enough: a count, a change, an age or a time ends the sentence.
    ("Die Zahl der Toten stieg auf 12.", "Die Polizei sucht weiter nach Vermissten."),
    ("Der Kurs stieg um 2.", "Dann fiel er bis zum Abend wieder."),
    ("Der Film ist freigegeben ab 12.", "Kinder dürfen nur mit Eltern hinein."),
    ("Die Geschäfte öffnen bis 18.", "Danach bleiben die Türen zu."),
    # A year after an article-free word, and a rank without one, end the sentence too.
    ("Das Stadion wurde erbaut im Jahr 2024.", "Es fasst 40.000 Zuschauer."),
    ("Der Läufer kam ins Ziel auf Platz 2.", "Sieger wurde ein Kenianer."),
]


@pytest.mark.parametrize(("first", "second"), ENDS)
def test_a_number_that_ends_a_sentence_still_ends_it(first: str, second: str) -> None:
    assert split_sentences(f"{first} {second}", "de") == [first, second]


def test_a_line_break_after_an_ordinal_still_ends_the_line() -> None:
    text = "Tabelle nach dem 3.\nSpieltag: Bayern vorne."
    assert split_sentences(text, "de") == ["Tabelle nach dem 3.", "Spieltag: Bayern vorne."]


def test_a_german_summary_holds_whole_sentences_with_ordinals() -> None:
    article = (
        "Der 1. FC Köln hat zum 3. Mal in dieser Saison verloren. "
        "Die Mannschaft unterlag am Samstag dem Tabellenführer mit 0:2. "
        "Der Trainer sprach nach dem Spiel von einem bitteren Abend für den Verein. "
        "Am kommenden Wochenende wartet das Derby gegen den Nachbarn aus Düsseldorf."
    )
    summary = summarize(article, sentences=2, method="lead", language="de")
    assert summary.sentences[0] == "Der 1. FC Köln hat zum 3. Mal in dieser Saison verloren."
    assert all(not sentence.endswith(("1.", "3.")) for sentence in summary.sentences)


# Czech and Polish write the noun after an ordinal in lower case ("do 2. kola"), which Punkt
# already keeps: a guard that the German rule leaves them as they were.
SLAVIC = [
    ("cs", "Tým postoupil do 2. kola turnaje.", "Fanoušci slavili až do rána."),
    ("cs", "Volby se konají 28. října v celé zemi.", "Výsledky budou známé v sobotu."),
    ("pl", "Drużyna awansowała do 2. rundy pucharu.", "Kibice świętowali na ulicach."),
]


@pytest.mark.parametrize(("code", "first", "second"), SLAVIC)
def test_czech_and_polish_ordinals_before_a_lower_case_noun_stay(
    code: str, first: str, second: str
) -> None:
    assert split_sentences(f"{first} {second}", code) == [first, second]
