"""Date lines and publication dates in article text, in English and the other summarised languages.

Scraped pages and extracted bodies carry their date as a paragraph of its own ("Published
12 March 2024, 14:05 GMT", "Mis à jour le 3 mai 2024", "2 hours ago"). `is_date_line` lets
`clean_text` drop such a paragraph without touching body sentences that merely mention a date;
`parse_date` turns an absolute date (years 1990 to 2100) into the publication time in UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

_MONTH = (
    r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DATES: tuple[re.Pattern[str], ...] = (
    re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})\b", re.I),
    re.compile(
        rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+(?P<year>\d{{4}})\b", re.I
    ),
    re.compile(r"\b(?P<year>\d{4})-(?P<mon>\d{1,2})-(?P<day>\d{1,2})(?=\b|T)"),
    re.compile(r"\b(?P<day>\d{1,2})\.(?P<mon>\d{1,2})\.(?P<year>\d{4})\b"),
)
_MONTH_NAMES_ABROAD = (
    "januar jänner janvier enero gennaio janeiro januari ocak stycznia января січня ledna",
    "februar février febrero febbraio fevereiro februari şubat lutego февраля лютого února",
    "märz mars marzo março maart mart marca марта березня března",
    "avril abril aprile nisan kwietnia апреля квітня dubna",
    "mai mayo maggio maio mei mayıs maj maja мая травня května",
    "juni juin junio giugno junho haziran czerwca июня червня června",
    "juli juillet julio luglio julho temmuz lipca июля липня července",
    "août agosto augustus augusti ağustos sierpnia августа серпня srpna",
    "septembre septiembre setiembre settembre setembro eylül września сентября вересня září",
    "oktober octobre octubre ottobre outubro ekim października октября жовтня října",
    "novembre noviembre novembro kasım listopada ноября листопада listopadu",
    "dezember décembre diciembre dicembre dezembro aralık grudnia декабря грудня prosince",
)
_MONTH_ABROAD = {
    name: number
    for number, names in enumerate(_MONTH_NAMES_ABROAD, start=1)
    for name in names.split()
}
_DATES += (
    re.compile(
        rf"\b(?P<day>\d{{1,2}})\.?\s+(?:de\s+)?(?P<abroad>{'|'.join(_MONTH_ABROAD)})\.?,?\s+"
        r"(?:de\s+)?(?P<year>\d{4})\b",
        re.I,
    ),
)
_DATES += (  # 2026年2月20日 (Chinese, Japanese), 2026년 2월 20일 (Korean): lead-only languages
    re.compile(
        r"(?<!\d)(?P<year>\d{4})\s*[年년]\s*(?P<mon>\d{1,2})\s*[月월]\s*(?P<day>\d{1,2})\s*[日일]"
    ),
)
_TIME = re.compile(
    r"(?:\b|(?<=\dT))(?P<hour>\d{1,2})[:.h](?P<minute>\d{2})(?::\d{2})?(?:\.\d+)?\s*"
    r"(?P<ampm>[ap]\.?m\b\.?)?\s*(?P<zone>Z\b|UTC\b|GMT\b|BST\b|CES?T\b|E[SD]T\b|C[SD]T\b"
    r"|P[SD]T\b|MSK\b|[+-]\d{2}:?\d{2})?",
    re.I,
)
_ZONES = {"z": 0, "utc": 0, "gmt": 0, "bst": 1, "cet": 1, "cest": 2, "est": -5, "edt": -4}
_ZONES |= {"cst": -6, "cdt": -5, "pst": -8, "pdt": -7, "msk": 3}
_LONGEST_OFFSET = 14
"""Hours: UTC+14 (Kiribati) is the furthest any place is; "+9999" after a time is no zone."""
_DATE_NOISE = re.compile(
    r"^(?:[\W_]|\b(?:published|updated|posted|last|first|modified|created|date|on|at|the|"
    r"mon|tue|wed|thu|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?\b|\b[ap]m\b|T\b|"
    r"\b(?:am|um|uhr|stand|le|la|à|h|de|del|el|las|a|en|em|às|op|om|il|alle|ore|г|r|"
    r"veröffentlicht|aktualisiert|publié|mis|jour|publicado|actualizado|atualizado|pubblicato|"
    r"aggiornato|gepubliceerd|bijgewerkt|montag|dienstag|mittwoch|donnerstag|freitag|samstag|"
    r"sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|"
    r"jueves|viernes|sábado|domingo|lunedì|martedì|mercoledì|giovedì|venerdì|sabato|domenica|"
    r"segunda|terça|quarta|quinta|sexta|feira|maandag|dinsdag|woensdag|donderdag|vrijdag|"
    r"zaterdag|zondag|kl|publicerad|uppdaterad|måndag|tisdag|onsdag|torsdag|fredag|lördag|"
    r"söndag)\b)*$",
    re.I,
)
_PART_BREAK = re.compile(
    r"\s[|•·]\s|\b(?:updated|modified|aktualisiert|mis à jour|actualizado|atualizado|aggiornato"
    r"|bijgewerkt)\b",
    re.I,
)
_RELATIVE_DATE = re.compile(
    r"^(?:(?:published|updated|posted)\s+)?(?:\d+\s+(?:second|minute|hour|day|week)s?\s+ago"
    r"|yesterday|today|just now)$",
    re.I,
)


def parse_date(text: str) -> datetime | None:
    """The first calendar date in `text` (with its time and zone if given), in UTC."""
    for pattern in _DATES:
        found = pattern.search(text)
        if found is None:
            continue
        parts = found.groupdict()
        abroad = parts.get("abroad")
        month = parts.get("mon") or (
            _named(_MONTH_ABROAD, abroad) if abroad else _month_number(parts["month"])
        )
        try:
            day = datetime(int(parts["year"]), int(month), int(parts["day"]), tzinfo=UTC)
        except ValueError:
            continue
        if not 1990 <= day.year <= 2100:
            continue
        clock = _clock_of(text, found)
        return _at_time(day, clock) if clock else day
    return None


def _clock_of(text: str, date: re.Match[str]) -> re.Match[str] | None:
    """The time written with this date: after it, else before it, within the same part of the
    line, so "Published: 10:32 GMT, 2 March | Updated: 12:05 GMT" is 10:32, not the update."""
    start = max((b.end() for b in _PART_BREAK.finditer(text, 0, date.start())), default=0)
    following = _PART_BREAK.search(text, date.end())
    end = following.start() if following else len(text)
    return _TIME.search(text, date.end(), end) or _TIME.search(text[start : date.start()])


def is_date_line(line: str) -> bool:
    """A paragraph that is only a date (and time, weekday, "Published", "Updated" ...)."""
    if len(line) > 90:
        return False
    if _RELATIVE_DATE.match(line.strip()):
        return True
    if parse_date(line) is None:
        return _is_time_line(line)
    rest = re.sub(r"(?<=\d)T(?=\d)", " ", line)
    for pattern in (*_DATES, _TIME):
        rest = pattern.sub(" ", rest)
    return bool(_DATE_NOISE.match(rest))


def _is_time_line(line: str) -> bool:
    """A clock time alone ("14:32 GMT", "Posted at 14:05"): a live blog's entry stamp."""
    if len(line) > 30 or _TIME.search(line) is None:
        return False
    return bool(_DATE_NOISE.match(_TIME.sub(" ", line, count=1)))


_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NUMBERS = {name: number for number, name in enumerate(_MONTH_NAMES, start=1)}


def _month_number(name: str) -> int:
    return _named(_MONTH_NUMBERS, name[:3])


def _named(table: dict[str, int], word: str) -> int:
    """The value of `word` in `table` (lower-case keys), with the case rules of `re.I`.

    The patterns match case-insensitively the way `re` does, which is not str.lower(): "KASIM"
    matches kasım (I and ı), "EKİM" ekim, "ſep" sep and "MSK" (Kelvin sign) msk, so looking
    up `word.lower()` alone raised KeyError on a Turkish date line in capitals.
    """
    found = table.get(word.lower())
    if found is not None:
        return found
    return next(v for k, v in table.items() if re.fullmatch(re.escape(k), word, re.I))


def _at_time(day: datetime, clock: re.Match[str]) -> datetime:
    hour, minute = int(clock["hour"]), int(clock["minute"])
    ampm = (clock["ampm"] or "").lower()[:1]
    hour = hour % 12 + 12 if ampm == "p" else hour % 12 if ampm == "a" else hour
    if hour > 23 or minute > 59:
        return day
    zone = clock["zone"] or "UTC"
    if zone[0] in "+-":
        if int(zone[1:3]) > _LONGEST_OFFSET or int(zone[-2:]) > 59:
            return day
        sign = -1 if zone[0] == "-" else 1
        offset = sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[-2:]))
    else:
        offset = timedelta(hours=_named(_ZONES, zone))
    local = day.replace(hour=hour, minute=minute, tzinfo=timezone(offset))
    return local.astimezone(UTC)
