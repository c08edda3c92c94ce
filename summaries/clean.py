"""Article text -> what the summariser may see: no bylines, dates, captions, credits or boilerplate.

The summary of an article must never contain its byline, a date line, a photo caption or credit,
"Original url", share or subscribe boxes, the headline, or the same sentence twice. Extractors
(trafilatura for HTML, the scraped-page parser for text) leave some of each behind, so every text
passes through `clean_text` before it is summarised or stored.

The rules work on paragraphs and are deliberately conservative: a paragraph is dropped only when
it is short and matches a pattern that real body text does not (a lone date, "By Jane Doe", a
caption that ends in a photo credit, "Share this article"). The one rule that touches long
paragraphs removes sentences repeated word for word; besides that, long paragraphs only lose an
agency dateline ("LONDON (Reuters) - ") and "Scroll down for video". Plain article text (one long
paragraph, as in the evaluation data) therefore keeps every sentence it had.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta, timezone

_AGENCIES = (
    r"Reuters|REUTERS|AP|AP Photo|Associated Press|AFP|AFP Photo|EPA|EPA-EFE|Getty Images|Getty"
    r"|PA|PA Media|PA Wire|Bloomberg|Shutterstock|Alamy|TASS|Xinhua|dpa|ANP|Handout|File"
    r"|File photo|Supplied|CNN|UPI|EFE|ANSA|Sputnik|SWNS|Rex Features|Rex|BBC"
)
_PHOTO_ONLY = r"Getty Images|Shutterstock|Alamy|Rex Features|AP Photo|AFP Photo|REUTERS|SWNS"
_PHOTO_CREDIT = re.compile(
    r"(?:\b(?:Photo(?:graph)?s?|Picture|Pic|Image|Credit|Foto)(?:\s+(?:by|credit))?\s*[:/]\s*"
    r"[^.!?]{2,80}"
    r"|\((?:Photo(?:graph)?|Picture|Image|Pic)s?\s*(?:by|credit|:)[^()]{2,60}\)"
    rf"|\((?:[^()]{{0,40}}/\s*)?(?:{_AGENCIES})(?:\s*(?:/|via)\s*[^()]{{0,50}})?\)"
    rf"|[\w.'-]+(?: [\w.'-]+){{0,3}}\s*/\s*(?:{_AGENCIES})(?:\s+via\s+Getty\s+Images)?"
    rf"|\b(?:{_AGENCIES})\s*/\s*[\w .'-]{{1,40}}\w"
    rf"|\b(?:{_PHOTO_ONLY})(?:\s+via\s+Getty\s+Images)?)\s*$"
)
_BOLD_TAIL = re.compile(r"(?:\*\*|__)(?P<credit>[^*_]{2,80})(?:\*\*|__)\s*$")
_BOILERPLATE = re.compile(
    r"^(?:share (?:this|on|via)\b|share$|tweet$|e-?mail$|print$|copy link|"
    r"(?:facebook|twitter|linkedin|whatsapp|telegram|reddit|pinterest|email|x)(?:\W+"
    r"(?:facebook|twitter|linkedin|whatsapp|telegram|reddit|pinterest|email|x|print))+\W*$|"
    r"subscribe(?: now| today| to (?:our|the)\b|$|\s*[:|])|newsletters?$|"
    r"sign up(?: now| here| today|$| (?:for|to) (?:our|the|free|receive|get)\b)|"
    r"get (?:our|the) [\w ]{0,40}newsletter|already a subscriber|log in(?: to| or|$)|"
    r"register (?:now|for free|here|to (?:read|continue|comment))|donate(?: now| today)?$|"
    r"support (?:our|independent) journalism|"
    r"read more(?::|$| about\b| on\b| at\b| here\b)|see also(?::|$)|also read\b|"
    r"related(?::|$| articles| stories| topics| content| coverage| links| reading| news)|"
    r"more on this (?:story|topic)|recommended(?: for you| reading| stories| articles)?:?$|"
    r"most (?:read|popular|viewed)(?: stories| articles| now)?:?$|trending(?: now)?:?$|"
    r"top stories$|you may also like|advertisement$|ad$|sponsored(?: content| post)?$|"
    r"story continues below|continue reading|skip to\b|skip advertisement|scroll down for\b|"
    r"read (?:the )?full (?:story|article)|the post .{1,200} appeared first on\b|"
    r"view full coverage|"
    r"click here\b|watch(?: the)? video|listen to this\b|\d+ min(?:ute)?s? read$|"
    r"reading time\b|comments?$|leave a comment|show comments|tags?:|topics?:|"
    r"(?:posted|filed) (?:in|under):?\s+[\w ,&|-]{1,60}$|"
    r"(?:we|this (?:site|website)|our (?:site|website)) uses? cookies|"
    r"by continuing to (?:use|browse)|accept(?: all)?(?: cookies)?$|manage (?:cookie|privacy)|"
    r"cookie (?:settings|preferences|policy)$|privacy policy$|"
    r"follow (?:us|@?\w+(?: \w+)?) on\b|join (?:us|our \w+) on\b|download (?:the|our) app|"
    r"enable javascript|your browser (?:does not|doesn't) support|"
    r"©|\(c\)\s*\d{4}|copyright\s*(?:©|\(c\))?\s*\d{4}|all rights reserved|"
    r"image (?:caption|source|copyright)\b|media caption\b|(?:getty images|reuters|"
    r"associated press|afp|ap|epa|pa media|shutterstock|alamy)$|"
    r"original (?:url|article|story|link)\b|source:\s*\S+$|"
    r"\(?(?:additional )?(?:reporting|writing|editing|compiled) by [^.;]{2,60}(?:;|\)?$)|"
    r"our standards:|the thomson reuters trust principles|"
    r"photo(?:graph)?s?\s*(?:by\s*)?:|credit:|"
    r"(?:anzeige|werbung|publicité|publicidad|pubblicità|publicidade|advertentie|реклама|reklama"
    r"|reklam|annons|teilen|partager|compartir|condividi|compartilhar|delen|поделиться"
    r"|udostępnij|paylaş|dela)$|(?:lesen sie auch|mehr zum thema|(?:à )?lire aussi|lee también"
    r"|leggi anche|leia também|lees ook|читайте также|czytaj także|läs också)\b)",
    re.IGNORECASE,
)
_SCROLL_DOWN = re.compile(r"\bScroll down for (?:video|more)\b[.:!]*\s*", re.IGNORECASE)
_DATELINE = re.compile(
    rf"^(?:(?:[A-Z][A-Za-z.'-]*(?:[ ,]+[A-Z][A-Za-z.'-]*){{0,4}},?\s+"
    rf"(?:\w{{3,9}}\.? \d{{1,2}}\s+)?)?\((?:{_AGENCIES}|CNN \w+)\)\s*(?:--|[-–—:])?"
    r"|[A-Z]{3,}(?:[ -][A-Z]{2,})*(?:, [A-Z][A-Za-z.]*(?: [A-Z][A-Za-z.]*){0,3})?"
    r"\s+(?:--|[-–—]))\s*"
)
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Prof|Gen|Gov|Sen|Rep|Lt|Col|Capt|Sgt|Rev|No|vs|etc|Inc|Corp"
    r"|Ltd|Co|Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec|U\.S|U\.K|U\.N|a\.m|p\.m)|\b[A-Z])\.$"
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_SHORT_WORDS = 30
"""Paragraphs up to this many words may be boilerplate; longer ones are body text."""
_CAPTION_WORDS = 60
_ECHO_BUDGET = 40
"""At most this many sentences are compared with one possible caption."""


def clean_text(text: str, *, title: str | None = None) -> str:
    """The article body without anything that must not reach a summary; paragraphs on blank lines.

    `title`, when known, is removed wherever it is repeated as a paragraph of its own.
    """
    title_key = _key(strip_markup(title)) if title else ""
    kept: list[str] = []
    for raw in paragraphs(text):
        plain = _tidy(strip_markup(raw))
        if not plain or (title_key and _key(plain) == title_key):
            continue
        if is_boilerplate(plain) or is_caption(raw, plain):
            continue
        if is_date_line(plain) or parse_byline(plain) is not None:
            continue
        kept.append(plain)
    if kept:
        kept[0] = _DATELINE.sub("", kept[0], count=1)
    return "\n\n".join(_drop_repeats(_drop_echo_captions(kept)))


def is_boilerplate(paragraph: str) -> bool:
    """Share/subscribe/related/cookie/copyright/credit lines: short and starting like one."""
    return len(_WORD.findall(paragraph)) <= _SHORT_WORDS and bool(_BOILERPLATE.match(paragraph))


def is_caption(raw: str, plain: str) -> bool:
    """A short paragraph that ends in a photo credit ("Photo: X", "(Reuters)", a bold credit)."""
    if len(_WORD.findall(plain)) > _CAPTION_WORDS or len(split_sentences(plain)) > 3:
        return False
    bold = _BOLD_TAIL.search(raw)
    if bold and _looks_like_credit(bold.group("credit")):
        return True
    return bool(_PHOTO_CREDIT.search(plain))


def _looks_like_credit(text: str) -> bool:
    """A bold tail that names people or agencies rather than ending a sentence."""
    words = text.split()
    return (
        len(words) <= 10
        and not text.rstrip().endswith((".", "!", "?", ":", '"', "”"))
        and sum(word[:1].isupper() or word in {"/", "|", "via"} for word in words) >= len(words) - 1
    )


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of a paragraph, split at . ! ? before a capital, not after Mr./U.S./initials."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(paragraph):
        candidate = paragraph[start : match.start() + 1]
        if _ABBREVIATION.search(candidate):
            continue
        sentences.append(paragraph[start : match.end()].strip())
        start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _drop_echo_captions(kept: list[str]) -> list[str]:
    """Drop one-sentence paragraphs whose words reappear, in order, in a longer sentence elsewhere.

    A caption often restates a body sentence ("Turkey has threatened ..." above the paragraph
    that says it in full). The shorter restatement goes; the body sentence stays. Word order
    matters: a list of names ("France v Cyprus; Israel v Switzerland") is not an echo of another.
    Only sentences sharing the paragraph's rarest word are compared (a bounded number of them),
    so long texts stay linear.
    """
    sentences = [(i, _words(s)) for i, p in enumerate(kept) for s in split_sentences(p)]
    having: dict[str, list[int]] = {}
    for number, (_, words) in enumerate(sentences):
        for word in set(words):
            having.setdefault(word, []).append(number)
    result: list[str] = []
    for index, paragraph in enumerate(kept):
        words = _words(paragraph)
        candidate = len(split_sentences(paragraph)) == 1 and 8 <= len(words) <= _CAPTION_WORDS
        if candidate:
            rarest = min(set(words), key=lambda word: len(having.get(word, ())))
            numbers = having.get(rarest, [])[:_ECHO_BUDGET]
            if any(sentences[n][0] != index and _echoes(words, sentences[n][1]) for n in numbers):
                continue
        result.append(paragraph)
    return result


def _echoes(short: list[str], body: list[str]) -> bool:
    """All but a tenth of `short`'s words occur in the longer `body`, in the same order."""
    allowed = len(short) // 10
    if len(body) <= len(short) or len(set(short) - set(body)) > allowed:
        return False
    return len(short) - _common_subsequence(short, body) <= allowed


def _common_subsequence(a: list[str], b: list[str]) -> int:
    """Length of the longest common subsequence of two word lists."""
    previous = [0] * (len(b) + 1)
    for word in a:
        current = [0]
        for j, other in enumerate(b):
            current.append(previous[j] + 1 if word == other else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def _drop_repeats(kept: list[str]) -> list[str]:
    """Drop repeated sentences (case and spacing ignored), keeping the first of each."""
    seen: set[str] = set()
    result: list[str] = []
    for paragraph in kept:
        fresh: list[str] = []
        for sentence in split_sentences(paragraph):
            key = _key(sentence)
            if len(key.split()) >= 4 and key in seen:
                continue
            seen.add(key)
            fresh.append(sentence)
        if fresh:
            result.append(" ".join(fresh))
    return result


def _tidy(paragraph: str) -> str:
    """Unescape entities, drop "Scroll down for video", collapse spaces."""
    text = _SCROLL_DOWN.sub("", html.unescape(paragraph))
    return re.sub(r"\s+", " ", text).strip()


def _words(text: str) -> list[str]:
    return [word.lower() for word in _WORD.findall(text)]


def _key(text: str) -> str:
    """Case-, punctuation- and spacing-insensitive form used to compare sentences and titles."""
    return " ".join(_words(text))


_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_EMPHASIS = re.compile(
    r"(?<![\w*])(?:(\*\*|__)(?=\S)(.+?)(?<=\S)\1|\*(?=\S)([^*]+?)(?<=\S)\*)(?![\w*])"
)
_LEADER = re.compile(r"^(?:#{1,6}\s+|>\s?|[-*+•]\s+)+")
_RULE = re.compile(r"^(?:[-*_=]\s*){3,}$")


def strip_markup(line: str) -> str:
    """Markdown-ish scraped text -> plain text: links keep their words, images and rules go."""
    if _RULE.match(line.strip()):
        return ""
    text = _AUTOLINK.sub(r"\1", _LINK.sub(r"\1", _IMAGE.sub("", line)))
    text = _EMPHASIS.sub(lambda m: m.group(2) or m.group(3), text)
    return _LEADER.sub("", text.strip()).strip()


def paragraphs(text: str) -> list[str]:
    """Paragraphs of a text: blocks between blank lines, and each line of a block on its own.

    Scraped pages put one paragraph per line; hard-wrapped text (a block of three or more lines
    of similar width) is joined back, as is a line that continues in lower case.
    """
    result: list[str] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if len(lines) >= 3 and all(55 <= len(line) <= 100 for line in lines[:-1]):
            result.append(" ".join(lines))
            continue
        for number, line in enumerate(lines):
            if number and (line[0].islower() or result[-1][-1] in ",;"):
                result[-1] = f"{result[-1]} {line}"
            else:
                result.append(line)
    return result


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
_TIME = re.compile(
    r"(?:\b|(?<=\dT))(?P<hour>\d{1,2})[:.h](?P<minute>\d{2})(?::\d{2})?(?:\.\d+)?\s*"
    r"(?P<ampm>[ap]\.?m\b\.?)?\s*(?P<zone>Z\b|UTC\b|GMT\b|BST\b|CES?T\b|E[SD]T\b|C[SD]T\b"
    r"|P[SD]T\b|MSK\b|[+-]\d{2}:?\d{2})?",
    re.I,
)
_ZONES = {"Z": 0, "UTC": 0, "GMT": 0, "BST": 1, "CET": 1, "CEST": 2, "EST": -5, "EDT": -4}
_ZONES |= {"CST": -6, "CDT": -5, "PST": -8, "PDT": -7, "MSK": 3}
_DATE_NOISE = re.compile(
    r"^(?:[\W_]|\b(?:published|updated|posted|last|first|modified|created|date|on|at|the|"
    r"mon|tue|wed|thu|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?\b|\b[ap]m\b|T\b|"
    r"\b(?:am|um|uhr|stand|le|la|à|h|de|del|el|las|a|en|em|às|op|om|il|alle|ore|г|r|"
    r"veröffentlicht|aktualisiert|publié|mis|jour|publicado|actualizado|atualizado|pubblicato|"
    r"aggiornato|gepubliceerd|bijgewerkt|montag|dienstag|mittwoch|donnerstag|freitag|samstag|"
    r"sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|"
    r"jueves|viernes|sábado|domingo|lunedì|martedì|mercoledì|giovedì|venerdì|sabato|domenica|"
    r"segunda|terça|quarta|quinta|sexta|feira|maandag|dinsdag|woensdag|donderdag|vrijdag|"
    r"zaterdag|zondag)\b)*$",
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
            _MONTH_ABROAD[abroad.lower()] if abroad else _month_number(parts["month"])
        )
        try:
            day = datetime(int(parts["year"]), int(month), int(parts["day"]), tzinfo=UTC)
        except ValueError:
            continue
        if not 1990 <= day.year <= 2100:
            continue
        clock = _TIME.search(text, found.end()) or _TIME.search(text[: found.start()])
        return _at_time(day, clock) if clock else day
    return None


def is_date_line(line: str) -> bool:
    """A paragraph that is only a date (and time, weekday, "Published", "Updated" ...)."""
    if len(line) > 90:
        return False
    if _RELATIVE_DATE.match(line.strip()):
        return True
    if parse_date(line) is None:
        return False
    rest = re.sub(r"(?<=\d)T(?=\d)", " ", line)
    for pattern in (*_DATES, _TIME):
        rest = pattern.sub(" ", rest)
    return bool(_DATE_NOISE.match(rest))


_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _month_number(name: str) -> int:
    return _MONTH_NAMES.index(name[:3].lower()) + 1


def _at_time(day: datetime, clock: re.Match[str]) -> datetime:
    hour, minute = int(clock["hour"]), int(clock["minute"])
    ampm = (clock["ampm"] or "").lower()[:1]
    hour = hour % 12 + 12 if ampm == "p" else hour % 12 if ampm == "a" else hour
    if hour > 23 or minute > 59:
        return day
    zone = (clock["zone"] or "UTC").upper()
    if zone[0] in "+-":
        sign = -1 if zone[0] == "-" else 1
        offset = sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[-2:]))
    else:
        offset = timedelta(hours=_ZONES[zone])
    local = day.replace(hour=hour, minute=minute, tzinfo=timezone(offset))
    return local.astimezone(UTC)


_BY = re.compile(r"^(?:by|written by|words by|story by|von|par|por)\b[:\s]+(?P<who>.+)$", re.I)
_BYLINE_PARTS = re.compile(r"\s+[|•·]\s+|\s+[-–—]\s+")
_NEWS_AGENCY = re.compile(
    r"^(?:Reuters|Associated Press|AP|AFP|Agence France-Presse|Bloomberg|TASS|Xinhua|dpa|PA Media"
    r"|Press Association|UPI|EFE|ANSA|Interfax|Kyodo|Yonhap)(?: Staff)?$"
)
_NAME_LINKS = {"and", "&", "de", "da", "di", "van", "von", "der", "den", "la", "le", "du", "al"}
_NAME_LINKS |= {"bin", "el", "y", "in", "for", "the", "of", "staff", "reporter", "correspondent"}
_NAME_LINKS |= {"editor", "writer", "contributor", "special", "senior", "chief", "with", "at"}
_PLACE = re.compile(r"\s+in\s+[A-Z][\w.' -]*$")
"""" in Paris" after a name: where the reporter was, not who they are."""
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
        if by and not names and _name_like(by["who"]):
            names.append(by["who"].strip(" ,;"))
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
