"""Bylines: "By Jane Doe", "Jane Doe and John Roe | Reuters", or under a headline a bare name.

A byline must leave the body before it is summarised, and it is the article's author when the
page does not mark one up. The recogniser accepts only name-like words (capitals and a few
linking words) so that a short sentence or heading is never mistaken for one.
"""

from __future__ import annotations

import re

from summaries.dates import is_date_line

_BY = re.compile(
    r"^(?:by|written by|words by|story by|posted by|von|par|por)\b[:\s]+(?P<who>.+)$", re.I
)
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
        if by and not names and _name_like(who):
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


def _name_like(text: str) -> bool:
    """Capitalised words (names, an agency), a few linking words, no sentence punctuation."""
    words = re.sub(r"[,;&]", " ", text).split()
    return (
        0 < len(words) <= 10
        and not re.search(r"[a-z]{3,}[.!?]", text)
        and all(word[:1].isupper() or word.lower() in _NAME_LINKS for word in words)
        and any(word[:1].isupper() for word in words)
    )


def _without_date(who: str) -> str:
    """ "Newsroom Staff on 2 June 2025" -> "Newsroom Staff": the date is read on its own."""
    tail = _DATE_TAIL.search(who)
    return who[: tail.start()] if tail and is_date_line(tail["date"]) else who
