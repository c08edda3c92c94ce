"""Bylines: "By Jane Doe", "Jane Doe and John Roe | Reuters", or under a headline a bare name.

A byline must leave the body before it is summarised, and it is the article's author when the
page does not mark one up. The recogniser accepts only name-like words (capitals and a few
linking words) so that a short sentence or heading is never mistaken for one.
"""

from __future__ import annotations

import re

from summaries.dates import is_date_line

_BY = re.compile(
    r"^(?:(?P<word>by|written by|words by|story by|posted by|von|par|por|door|av|di)\b[:\s]+"
    r"|(?:autor|autorin|autorka|автор|yazar)\s*:\s*)(?P<who>.+)$",
    re.I,
)
"""English "By", German "Von", French "Par", Spanish "Por", Dutch "Door", Swedish "Av",
Italian "Di"; "Autor:" (German, Polish, Czech, Spanish...), "Автор:" and "Yazar:" need a colon."""
_PARTICLES = frozenset({"von", "par", "por", "door", "av", "di"})
"""Prefixes that also start surnames and phrases: "Von der Leyen", "Di Maio", "Par Avion"."""
_LONGEST_NAME = 5
_BYLINE_PARTS = re.compile(r"\s+[|•·]\s+|\s+[-–—]\s+")
_AGENCY_NAMES = (
    r"(?:Reuters|Associated Press|AP|AFP|Agence France-Presse|Bloomberg|TASS|Xinhua|dpa|PA Media"
    r"|Press Association|UPI|EFE|ANSA|Interfax|Kyodo|Yonhap)"
)
_NEWS_AGENCY = re.compile(rf"^{_AGENCY_NAMES}(?: Staff)?$")
_AGENCY_TAIL = re.compile(rf"[\s,]+(?P<agency>{_AGENCY_NAMES})$")
"""" Associated Press" after the names with no separator, as wire bylines print it."""
_NAME_LINKS = {"and", "&", "de", "da", "di", "van", "von", "der", "den", "la", "le", "du", "al"}
_NAME_LINKS |= {"bin", "el", "y", "in", "for", "the", "of", "staff", "reporter", "correspondent"}
_NAME_LINKS |= {"editor", "writer", "contributor", "special", "senior", "chief", "with", "at"}
_AND = frozenset({"and", "y", "und", "et", "e", "en", "och", "og", "ve", "и"})
"""'and' in bylines: "Von Hans Müller und Eva Schmidt", "Door Jan de Vries en Piet Jansen"."""
_PREFIXED_LINKS = _NAME_LINKS | _AND
_NAME_SEPARATOR = re.compile(rf"\s*[,;&]\s*|\s+(?:{'|'.join(sorted(_AND))})\s+", re.I)
_PLACE = re.compile(r"\s+in\s+[A-Z][\w.' -]*$")
"""" in Paris" after a name: where the reporter was, not who they are."""
_DATE_TAIL = re.compile(r"(?:,|\s+on)\s+(?P<date>[^,]+)$")
"""", 2 June 2025" or " on 2 June 2025" after a name: when, not who."""
_READING_TIME = re.compile(r"^\d+\s*min(?:ute)?s?(?: read)?$", re.I)


def parse_byline(line: str, *, bare: bool = False) -> str | None:
    """The author(s) in a byline line ("By X", "By X and Y", "X | Reuters"), else None.

    `bare` also accepts a name or agency alone ("Jane Doe", "Reuters"): under a headline that
    is a byline, anywhere else it could be a heading.
    """
    if len(line) > 140 or (bare and (len(line.split()) > 6 or re.search(r"\d", line))):
        return None
    names: list[str] = []
    agencies: list[str] = []
    marked = False
    for part in (p.strip(" ,;") for p in _BYLINE_PARTS.split(line.strip())):
        by = _BY.match(part)
        who = _without_date(by["who"]) if by else ""
        tail = _AGENCY_TAIL.search(who)
        who = who[: tail.start()] if tail else who
        if by and not names and _name_like(who, _PREFIXED_LINKS) and _fits(by["word"], who):
            names.append(who.strip(" ,;"))
            agencies += [tail["agency"]] if tail else []
            marked = True
        elif _NEWS_AGENCY.match(part):
            agencies.append(part)
        elif part and not (is_date_line(part) or _READING_TIME.match(part)):
            if not _name_like(part) or (names and not marked):
                return None
            if not marked:
                names.append(part)
    if not (marked or bare or (agencies and len(line) > len(agencies[0]))):
        return None
    names = [_PLACE.sub("", name) for name in names]
    return ", ".join(names + agencies) or None


def _name_like(text: str, links: set[str] = _NAME_LINKS) -> bool:
    """Capitalised words (names, an agency), a few linking words, no sentence punctuation."""
    words = re.sub(r"[,;&]", " ", text).split()
    return (
        0 < len(words) <= 10
        and not re.search(r"[a-z]{3,}[.!?]", text)
        and all(word[:1].isupper() or word.lower() in links for word in words)
        and any(word[:1].isupper() for word in words)
    )


def _fits(prefix: str | None, who: str) -> bool:
    """Whether `who` after `prefix` reads as a byline's names rather than a name or phrase.

    After a prefix that also starts surnames and phrases ("Von der Leyen", "Di Maio", "Par
    Avion") the names must be a news agency, or each name (between commas and "and"s) must
    start with a capital and hold two capitalised words in at most five ("Von Hans Müller",
    "Door Jan de Vries en Piet Jansen").
    """
    if prefix is None or prefix.lower() not in _PARTICLES or _NEWS_AGENCY.match(who):
        return True
    return all(
        0 < len(words) <= _LONGEST_NAME
        and words[0][0].isupper()
        and sum(word[:1].isupper() for word in words) >= 2
        for words in (name.split() for name in _NAME_SEPARATOR.split(who))
    )


def _without_date(who: str) -> str:
    """ "Newsroom Staff on 2 June 2025" -> "Newsroom Staff": the date is read on its own."""
    tail = _DATE_TAIL.search(who)
    return who[: tail.start()] if tail and is_date_line(tail["date"]) else who
