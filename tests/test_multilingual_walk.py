"""newsbrief as people who read the news in other languages use it, end to end.

Articles written for these tests, with the furniture real sites put around them (bylines, local
dates, photo credits, "Читайте також" links), are read, summarised, searched and followed.
"""

from __future__ import annotations

import pytest

from summaries.summarize import split_sentences

ABBREVIATED = [
    ("nl", "Volgens de burgemeester kostte de brug ca. 300 miljoen euro. Omwonenden klaagden."),
    ("nl", "Er kwamen ong. 40 mensen op af, zgn. vrijwilligers. Daarna ging iedereen naar huis."),
    ("sv", "Enligt regionen kostade bygget ca. 3 miljarder kronor. Kritiker menar annat."),
    ("sv", "Stationen öppnade enl. planen, inkl. 4 nya hissar. Resenärer åker gratis."),
    ("tr", "Av. Mehmet Kaya davayı üstlendi. Duruşma yarın yapılacak."),
    ("tr", "Bazı hatlar, örn. 34 numaralı hat, etkilendi. Yetkililer açıklama yaptı."),
    ("it", "Lo sciopero è costato ca. 2 milioni di euro. Il sindaco ha parlato."),
    ("es", "La huelga costó aprox. 2 millones de euros. El alcalde pidió calma."),
]


@pytest.mark.parametrize(("code", "text"), ABBREVIATED)
def test_news_abbreviations_before_a_number_or_name_do_not_end_a_sentence(
    code: str, text: str
) -> None:
    first, second = text.split(". ", 1)[0], text.rsplit(". ", 2)[-1]
    sentences = split_sentences(text, code)
    assert len(sentences) == 2, sentences
    assert sentences[1] == second or sentences[1].endswith(second)
    assert sentences[0].startswith(first)


QUOTED = [
    ("de", "Der Bürgermeister sprach von einem „historischen Tag.“ Dann begann das Fest."),
    ("de", "Sie nannte es ‚gut.‘ Danach ging sie."),
    ("cs", "Primátor řekl: „Je to velký den.“ Pak přestřihl pásku."),
    ("uk", "Мер сказав: „Це великий день.“ Потім перерізав стрічку."),
]


@pytest.mark.parametrize(("code", "text"), QUOTED)
def test_a_closing_low_quote_stays_with_its_sentence(code: str, text: str) -> None:
    first, _, second = text.partition("“ " if "“ " in text else "‘ ")
    assert split_sentences(text, code) == [first + text[len(first)], second]
