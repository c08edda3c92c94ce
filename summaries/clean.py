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

import bisect
import html
import re

from summaries.boilerplate import is_boilerplate, is_link_title, is_links_heading
from summaries.bylines import parse_byline
from summaries.dates import is_date_line

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
    rf"|[\w.'-]{{1,40}}(?: [\w.'-]{{1,40}}){{0,3}}\s*/\s*(?:{_AGENCIES})"
    r"(?:\s+via\s+Getty\s+Images)?"
    rf"|\b(?:{_AGENCIES})\s*/\s*[\w .'-]{{1,40}}\w"
    rf"|\b(?:{_PHOTO_ONLY})(?:\s+via\s+Getty\s+Images)?)\s*$"
)
_BOLD_TAIL = re.compile(r"(?:\*\*|__)(?P<credit>[^*_]{2,80})(?:\*\*|__)\s*$")
_SCROLL_DOWN = re.compile(r"\bScroll down for (?:video|more)\b[.:!]*\s*", re.IGNORECASE)
_RUN_IN_AD = re.compile(r"(?<=[.!?\"”’])\s+(?:ADVERTISEMENT|Advertisement)$")
"""An "Advertisement" slot run onto the end of a paragraph (a sentence never ends in one)."""
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
_ABBREVIATION_REACH = 16
"""More characters than the longest `_ABBREVIATION` match ("Sept." is 5)."""
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_CAPTION_WORDS = 60
_RUN_IN_LINK = re.compile(r"(?<=[.!?\"”’])\s+(?:READ MORE|RELATED|READ NEXT):\s[^.!?]{1,200}$")
"""A "READ MORE: <other story's headline>" link run onto the end of a paragraph: capitals and
no closing full stop, unlike prose that happens to say "read more"."""
_QUOTED = re.compile(r"[\"“‘'][^\"“”]+[\"”’'][.!?]?")
"""A paragraph that is one quotation and nothing else: a pull quote, when the body repeats it."""
_ECHO_BUDGET = 40
"""At most this many sentences are compared with one possible caption."""


def clean_text(text: str, *, title: str | None = None) -> str:
    """The article body without anything that must not reach a summary; paragraphs on blank lines.

    `title`, when known, is removed wherever it is repeated as a paragraph of its own. Under a
    links heading ("Related articles") the headlines that follow go too, up to the first line
    that ends like a sentence.
    """
    title_key = _key(strip_markup(title)) if title else ""
    kept: list[str] = []
    in_links = False
    for raw in paragraphs(text):
        plain = _tidy(strip_markup(raw))
        if not plain or (title_key and _key(plain) == title_key):
            continue
        if in_links and is_link_title(plain):
            continue
        furniture = is_boilerplate(plain)
        in_links = is_links_heading(plain) or (in_links and furniture)
        if furniture or is_caption(raw, plain):
            continue
        if is_date_line(plain) or parse_byline(plain) is not None:
            continue
        kept.append(plain)
    if kept:
        kept[0] = _DATELINE.sub("", kept[0], count=1)
    return "\n\n".join(_drop_repeats(_drop_echo_captions(kept)))


def printable(text: str) -> str:
    """`text` without control characters and with lone surrogates as U+FFFD.

    Tabs and line breaks stay (vertical tab and form feed become line breaks). A page can carry
    an ESC sequence that `summarize` would print to the operator's terminal, and a lone
    surrogate that SQLite and Telegram refuse.
    """
    if _UNPRINTABLE.search(text) is None:
        return text
    return _UNPRINTABLE.sub(_printable_char, text)


def _printable_char(match: re.Match[str]) -> str:
    char = match.group()
    return "\ufffd" if char >= "\ud800" else "\n" if char in "\x0b\x0c" else ""


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
        # Only the end of the sentence so far can be an abbreviation (the pattern ends at its
        # full stop): searching all of it made a paragraph of "Mr. Mr. Mr. ..." quadratic.
        stop = match.start() + 1
        if _ABBREVIATION.search(paragraph, max(start, stop - _ABBREVIATION_REACH), stop):
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
    that says it in full), and a pull quote repeats a quotation from the body (from four words,
    when it is a quotation alone). The shorter restatement goes; the body sentence stays. Word
    order matters: a list of names ("France v Cyprus; Israel v Switzerland") is not an echo of
    another. Only sentences sharing the paragraph's rarest word are compared (a bounded number of
    them), and each comparison costs what the short side does (`_echoes`), so long texts stay
    linear.
    """
    sentences = [(i, _Words(_words(s))) for i, p in enumerate(kept) for s in split_sentences(p)]
    having: dict[str, list[int]] = {}
    for number, (_, sentence) in enumerate(sentences):
        for word in sentence.places:
            having.setdefault(word, []).append(number)
    result: list[str] = []
    for index, paragraph in enumerate(kept):
        words = _words(paragraph)
        shortest = 4 if _QUOTED.fullmatch(paragraph) else 8
        candidate = (
            len(split_sentences(paragraph)) == 1 and shortest <= len(words) <= _CAPTION_WORDS
        )
        if candidate:
            rarest = min(set(words), key=lambda word: len(having.get(word, ())))
            numbers = having.get(rarest, [])[:_ECHO_BUDGET]
            if any(sentences[n][0] != index and _echoes(words, sentences[n][1]) for n in numbers):
                continue
        result.append(paragraph)
    return result


class _Words:
    """A sentence's words as `_echoes` reads them: how many, and where each one occurs."""

    def __init__(self, words: list[str]) -> None:
        self.size = len(words)
        self.places: dict[str, list[int]] = {}
        for place, word in enumerate(words):
            self.places.setdefault(word, []).append(place)


def _echoes(short: list[str], body: _Words) -> bool:
    """All but a tenth of `short`'s words occur in the longer `body`, in the same order.

    That is: `short` less at most `allowed` of its words is a subsequence of `body`. For each
    number of words left out so far, `ends` keeps the earliest place in `body` where the match
    can go on (matching as early as possible never loses a match). The cost follows the short
    side, not the body: a longest-common-subsequence table cost the body's length for every
    caption compared with it, so one runaway 50,000-word sentence beside many short paragraphs
    made cleaning quadratic (a 280 KB text took over a minute).
    """
    allowed = len(short) // 10
    if body.size <= len(short) or sum(w not in body.places for w in set(short)) > allowed:
        return False
    unreachable = body.size + 1
    ends = [0] + [unreachable] * allowed
    for word in short:
        places = body.places.get(word, [])
        matched = [unreachable] * (allowed + 1)
        for skipped, end in enumerate(ends):
            found = bisect.bisect_left(places, end)
            if found < len(places):
                matched[skipped] = places[found] + 1
            if skipped:
                matched[skipped] = min(matched[skipped], ends[skipped - 1])
        ends = matched
    return min(ends) < unreachable


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
    """Unescape entities, drop "Scroll down for video" and a run-in "Advertisement" or
    "READ MORE: ..." link; one space."""
    text = _SCROLL_DOWN.sub("", html.unescape(paragraph))
    return _RUN_IN_LINK.sub("", _RUN_IN_AD.sub("", re.sub(r"\s+", " ", text).strip()))


def _words(text: str) -> list[str]:
    return [word.lower() for word in _WORD.findall(text)]


def _key(text: str) -> str:
    """Case-, punctuation- and spacing-insensitive form used to compare sentences and titles."""
    return " ".join(_words(text))


# No part of these patterns may run past the bracket, `<` or delimiter that starts another
# match: each scan then ends where the next one starts, and a line of "[[[[" or "**a **a" costs
# linear time instead of one scan to the end of the line per bracket.
_IMAGE = re.compile(r"!\[[^\[\]]*\]\([^)\[\]]*\)")
_LINK = re.compile(r"\[([^\[\]]*)\]\([^)\s\[\]]*(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<(https?://[^<>\s]+)>")
_EMPHASIS = re.compile(
    r"(?<![\w*])(?:(\*\*|__)(?=\S)((?:(?!\1).)+?)(?<=\S)\1|([*_])(?=\S)((?:(?!\3).)+?)(?<=\S)\3)"
    r"(?![\w*])"
)
"""**bold**, __bold__, *italic* and _italic_ (a whole dateline or bio is often set in italics);
an underscore inside a word (snake_case, @a_handle) is not emphasis."""
_LEADER = re.compile(r"^(?:#{1,6}\s+|>\s?|[-*+•]\s+)+")
_RULE = re.compile(r"^(?:[-*_=]\s*){3,}$")


def strip_markup(line: str) -> str:
    """Markdown-ish scraped text -> plain text: links keep their words, images and rules go."""
    if _RULE.match(line.strip()):
        return ""
    text = _AUTOLINK.sub(r"\1", _LINK.sub(r"\1", _IMAGE.sub("", line)))
    text = _EMPHASIS.sub(lambda m: m.group(2) or m.group(4), text)
    return _LEADER.sub("", text.strip()).strip()


def paragraphs(text: str) -> list[str]:
    """Paragraphs of a text: blocks between blank lines, and each line of a block on its own.

    Scraped pages put one paragraph per line; hard-wrapped text (a block of three or more lines
    of similar width) is joined back, as is a line that continues in lower case. Each
    paragraph's lines are joined once, at the end: joining every continuation line onto the
    paragraph so far was quadratic (800 KB of short lower-case lines took 1.5 s).
    """
    result: list[list[str]] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if len(lines) >= 3 and all(55 <= len(line) <= 100 for line in lines[:-1]):
            result.append(lines)
            continue
        for number, line in enumerate(lines):
            if number and (line[0].islower() or result[-1][-1][-1] in ",;"):
                result[-1].append(line)
            else:
                result.append([line])
    return [" ".join(lines) for lines in result]
