"""Bylines in other languages: "Door Jan de Vries", "Av Erik Johansson", "Автор: Иван Петров".

The author's name comes without its prefix, and the line leaves the article text. Lines that
only start like a byline ("Di Maio said ...", "Von der Leyen", "Par for the course") do not.
"""

from __future__ import annotations

import pytest

from summaries.bylines import parse_byline
from summaries.clean import clean_text
from summaries.extract import extract_article

PREFIXED = [
    ("Autor: Anna Kowalska", "Anna Kowalska"),
    ("Autorin: Julia Schmidt", "Julia Schmidt"),
    ("Autorka: Petra Nováková", "Petra Nováková"),
    ("Av Erik Johansson", "Erik Johansson"),
    ("Door Jan de Vries", "Jan de Vries"),
    ("Von Hans Müller", "Hans Müller"),
    ("Par Jean Dupont", "Jean Dupont"),
    ("Por María López", "María López"),
    ("Di Mario Rossi", "Mario Rossi"),
    ("Автор: Иван Петров", "Иван Петров"),
    ("Yazar: Ayşe Yılmaz", "Ayşe Yılmaz"),
    ("Von Ursula von der Leyen", "Ursula von der Leyen"),
    ("Von Hans Müller | dpa", "Hans Müller, dpa"),
    ("Par Jean Dupont, AFP", "Jean Dupont, AFP"),
    ("Par AFP", "AFP"),
    ("Von Hans Müller und Eva Schmidt", "Hans Müller und Eva Schmidt"),
    ("Door Jan de Vries en Piet Jansen", "Jan de Vries en Piet Jansen"),
    ("Av Erik Johansson och Anna Berg", "Erik Johansson och Anna Berg"),
    ("Di Mario Rossi e Anna Bianchi", "Mario Rossi e Anna Bianchi"),
    ("Par Jean Dupont et Marie Martin", "Jean Dupont et Marie Martin"),
]


@pytest.mark.parametrize(("line", "author"), PREFIXED)
def test_a_prefixed_byline_gives_the_names_without_the_prefix(line: str, author: str) -> None:
    assert parse_byline(line) == author


NOT_BYLINES = [
    "Di Maio said the coalition would not survive the summer.",
    "Di Maio",
    "Door-to-door sales are banned in the city centre.",
    "Door to door",
    "Par for the course",
    "Par Avion",
    "Por Qué",
    "Von der Leyen",
    "Von der Leyen sagte am Montag in Brüssel, die Gespräche gingen weiter.",
    "Von Braun",
    "Av. Paulista",
    "Av. Paulista, 1578 - Bela Vista, São Paulo",
    "Autor: unbekannt",
    "Di Stefano",
]


@pytest.mark.parametrize("line", NOT_BYLINES)
def test_a_line_that_only_starts_like_a_prefixed_byline_is_not_one(line: str) -> None:
    assert parse_byline(line) is None


@pytest.mark.parametrize("name", ["Von der Leyen", "Di Maio", "Von Braun", "Di Stefano"])
def test_a_surname_with_a_particle_under_a_headline_is_read_whole(name: str) -> None:
    assert parse_byline(name, bare=True) == name


@pytest.mark.parametrize(
    ("byline", "body", "author"),
    [
        (
            "Door Jan de Vries",
            "De gemeente heeft maandag de nieuwe brug over de rivier geopend voor het verkeer.",
            "Jan de Vries",
        ),
        (
            "Av Erik Johansson",
            "Regionen öppnade på måndagen den nya bron över älven för trafik.",
            "Erik Johansson",
        ),
        (
            "Автор: Иван Петров",
            "В понедельник городские власти открыли новый мост через реку для движения.",
            "Иван Петров",
        ),
        (
            "Yazar: Ayşe Yılmaz",
            "Belediye pazartesi günü nehir üzerindeki yeni köprüyü trafiğe açtı.",
            "Ayşe Yılmaz",
        ),
    ],
)
def test_a_prefixed_byline_under_the_headline_is_the_author_and_leaves_the_text(
    byline: str, body: str, author: str
) -> None:
    article = extract_article(f"Nieuwe brug geopend\n{byline}\n\n{body}")
    assert (article.byline, article.text) == (author, body)
    assert clean_text(f"{byline}\n\n{body}") == body


def test_sentences_starting_like_prefixes_stay_in_the_text() -> None:
    text = (
        "Di Maio said the coalition would not survive the summer.\n\n"
        "Von der Leyen\n\n"
        "Door-to-door sales are banned in the city centre."
    )
    assert clean_text(text) == text
