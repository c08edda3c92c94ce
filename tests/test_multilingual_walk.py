"""newsbrief as people who read the news in other languages use it, end to end.

Articles written for these tests, with the furniture real sites put around them (bylines, local
dates, photo credits, "Читайте також" links), are read, summarised, searched and followed.
"""

from __future__ import annotations

import random
import sqlite3
from contextlib import closing
from datetime import UTC, datetime

import pytest

from summaries.boilerplate import is_boilerplate
from summaries.config import Settings
from summaries.extract import extract_article
from summaries.ingest import Ingester
from summaries.matching import Matcher, load_docs
from summaries.query import index_words
from summaries.search import parse_query, search
from summaries.sources import add_source
from summaries.store import Database
from summaries.summarize import split_sentences, summarize_article
from tests.bot_harness import NOW, add_story, running_bot
from tests.servers import LocalServer, Reply

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


def page(code: str, title: str, paragraphs: list[str]) -> bytes:
    """An article page as a news site serves it: headline, furniture and body as paragraphs."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html lang='{code}'><head><title>{title} | Zeitung</title></head>"
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    ).encode()


FURNISHED: dict[str, tuple[str, list[str], list[str]]] = {
    # code: (headline, paragraphs, furniture that must not reach the text)
    "uk": (
        "У Києві відкрили новий міст",
        [
            "Олена Шевченко",
            "У Києві в понеділок відкрили новий пішохідний міст через Дніпро.",
            "Будівництво тривало понад два роки, т. зв. перший етап завершили ще торік.",
            "Фото: Укрінформ",
            "Міський голова заявив, що міст з'єднає вул. Хрещатик з Трухановим островом.",
            "Читайте також: Ціни на проїзд зростуть з 1 січня",
            "Вартість проєкту склала близько 500 млн грн.",
            "Мешканці міста вже оцінили новий маршрут для прогулянок.",
            "Наступного року планують відкрити ще два мости.",
            "Ми використовуємо cookies для покращення роботи сайту.",
        ],
        ["Фото", "Читайте також", "cookies"],
    ),
    "cs": (
        "V Praze otevřeli novou stanici metra",
        [
            "V Praze v pondělí otevřeli novou stanici metra na lince D.",
            "Stavba trvala téměř tři roky, tj. o půl roku déle, než se plánovalo.",
            "Foto: ČTK",
            "Podle primátora stanice uleví přetíženým autobusovým linkám, např. na Pankráci.",
            "Čtěte také: Jízdné v MHD od ledna zdraží",
            "Projekt stál asi 10 mld. Kč, uvedl dopravní podnik.",
            "Cestující mohou první týden jezdit zdarma.",
            "Další stanice mají být hotové do roku 2030.",
        ],
        ["Foto", "Čtěte také"],
    ),
    "tr": (
        "İstanbul'da yeni metro hattı açıldı",
        [
            "İstanbul'da yeni metro hattı pazartesi günü düzenlenen törenle hizmete açıldı.",
            "Hat, Kadıköy ile Ataşehir arasında yaklaşık 15 dakikada yolculuk imkânı sunuyor.",
            "Fotoğraf: AA",
            "Belediye Başkanı, projenin 3 yılda tamamlandığını söyledi.",
            "İlgili Haber: İstanbul'da toplu taşıma ücretlerine zam",
            "Projenin maliyeti yaklaşık 10 milyar lira olarak açıklandı.",
            "Yolcular ilk hafta boyunca ücretsiz seyahat edebilecek.",
            "Sitemizde çerezler kullanılmaktadır.",
        ],
        ["Fotoğraf", "İlgili Haber", "çerez"],
    ),
    "pl": (
        "Nowa linia tramwajowa w Krakowie",
        [
            "W Krakowie otwarto w poniedziałek nową linię tramwajową łączącą centrum z Nową Hutą.",
            "Budowa trwała ponad dwa lata, tj. o pół roku dłużej niż planowano.",
            "Fot. PAP/Łukasz Gągulski",
            "Prezydent miasta podkreślił, że inwestycja kosztowała ok. 500 mln zł.",
            "Zobacz także: Podwyżki cen biletów od stycznia",
            "Pasażerowie, np. studenci i seniorzy, mogą jeździć nową linią za darmo.",
            "Mieszkańcy ul. Mogilskiej skarżyli się jednak na hałas w czasie budowy.",
            "Używamy plików cookies, aby ułatwić korzystanie z serwisu.",
        ],
        ["Fot.", "Zobacz także", "cookies"],
    ),
    "de": (
        "Neuer Bahnhof in Leipzig eröffnet",
        [
            "Der neue Hauptbahnhof in Leipzig ist am 3. Oktober eröffnet worden.",
            "Bürgermeister Dr. Klaus Weber sprach von einem „historischen Tag.“ Dann kam der Zug.",
            "Viele Pendler, z. B. aus Halle und Dresden, sparen künftig 20 Minuten pro Fahrt.",
            "Die Deutsche Bahn will ab dem 15. Dezember zusätzliche Züge einsetzen.",
            "Kritiker bemängeln, dass die Straßenbahnanbindung erst 2028 fertig wird.",
            "Wir verwenden Cookies, um Ihnen das beste Nutzererlebnis zu bieten.",
        ],
        ["Cookies"],
    ),
}


@pytest.mark.parametrize("code", sorted(FURNISHED))
def test_a_page_keeps_its_story_and_loses_the_furniture_of_its_language(code: str) -> None:
    title, paragraphs, furniture = FURNISHED[code]
    article = extract_article(page(code, title, paragraphs), url=f"https://news.example/{code}")
    summary = summarize_article(article)
    assert summary.language == code and not summary.fallback
    for line in furniture:
        assert line not in article.text, line
    story = [p for p in paragraphs if not any(line in p for line in furniture)]
    for sentence in split_sentences(article.text, code):
        assert any(sentence in p for p in story), sentence
    assert all(s.endswith((".", "“")) for s in summary.sentences), summary.sentences


def test_body_sentences_that_start_like_a_credit_or_link_stay() -> None:
    for line in (
        "Foto e video sono stati diffusi dalla polizia nella serata di lunedì.",
        "Fotografie ukazuje, jak most vypadal před rekonstrukcí.",
        "Фотографии с места событий публикуют местные жители.",
        "Wir verwenden das Geld für neue Schulen, sagte der Bürgermeister.",
        "Zobacz, co się stało w Krakowie w poniedziałek rano.",
    ):
        assert not is_boilerplate(line), line


STORIES = {
    "ru": ("Ёлки в Москве", "В Москве установили ёлки. Выборы пройдут в сентябре. Путин выступил."),
    "uk": ("Вибори у Києві", "У Києві відбудуться вибори. Мій їжак і ґанок."),
    "el": ("Εκλογές στην Αθήνα", "Οι εκλογές στην Αθήνα έγιναν σήμερα."),
    "ja": ("東京で選挙", "東京都で知事選挙が行われました。投票率は高かった。"),
    "tr": ("İstanbul seçimleri", "Iğdır ve Işık kapandı. Seçim yapıldı."),
    "de": ("Straße gesperrt", "Die Straße bleibt gesperrt. Die Wahlen finden statt."),
    "fr": ("Élection à Paris", "Le café de l'Élysée a fermé."),
    "pl": ("Łódź wybiera", "W Łodzi odbędą się wybory."),
}
QUERIES = [
    "елки", "Ёлки", "ЁЛКИ", "мои", "мой", "Выбор*", "вибори", "ïжак", "їжак", "іжак",
    "εκλογες", "Εκλογές", "ΕΚΛΟΓΈΣ", "選挙", "東京*", "東京都て", "istanbul", "İSTANBUL", "işık",
    "ışık", "igdır", "strasse", "STRASSE", "Straße", "Wahl", "Wahl*", "elysee", "ÉLYSÉE", "lodz",
    "Łódź", '"w łodzi"', "élection -cafe",
]  # fmt: skip
FOLDED = [
    "lodzi", '"w lodzi"', "lodz*", "ŁODZI", "isik", "IŞIK", "ıgdır", "igdir", "елк*", "εκλογ*",
    "εκλογες αθηνα", "straß*", "strass*", "ёлки -афины",
]  # fmt: skip
"""Spellings that find text written with other letters (ł/l, ı/i, ё/е, έ/ε: summaries.folding)."""


def test_topic_alerts_find_exactly_what_search_finds_in_every_script(db: Database) -> None:
    ids = {
        code: add_story(db, title, body=f"{title}. {text}")
        for code, (title, text) in STORIES.items()
    }
    matcher = Matcher(load_docs(db, list(ids.values())), now=NOW)
    for text in QUERIES + FOLDED:
        query = parse_query(text)
        found = {hit.article.id for hit in search(db, query, limit=50, now=NOW).hits}
        assert set(matcher.match(query)) == found, text
        assert found or text not in FOLDED, text


def test_every_character_is_folded_as_the_search_index_folds_it() -> None:
    chars = [chr(code) for code in range(0x80, 0x3100) if not 0xD800 <= code < 0xE000]
    with closing(sqlite3.connect(":memory:")) as index:
        index.execute(
            "CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'unicode61 remove_diacritics 2')"
        )
        index.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
        rows = [(row, f"a{ch}b A{ch.upper()}B") for row, ch in enumerate(chars)]
        index.executemany("INSERT INTO t(rowid, x) VALUES (?, ?)", rows)
        indexed: dict[int, list[str]] = {}
        for term, row in index.execute("SELECT term, doc FROM v ORDER BY doc, offset"):
            indexed.setdefault(row, []).append(term)
    learnt_at_once = [text for row, text in rows if row % 100]  # the rest one by one
    index_words(" ".join(learnt_at_once))
    wrong = [text for row, text in rows if index_words(text) != indexed.get(row, [])]
    assert wrong == []


def feed(server: LocalServer, stories: dict[str, tuple[str, list[str]]]) -> str:
    """An RSS feed whose items link to article pages on `server`."""
    items = ""
    for code, (title, paragraphs) in stories.items():
        link = server.add(f"/{code}", Reply(page(code, title, paragraphs)))
        items += f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid></item>"
    rss = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Welt</title>'
        f"<link>https://welt.example/</link><description>News</description>{items}</channel></rss>"
    )
    return server.add("/feed.xml", Reply(rss.encode(), content_type="application/rss+xml"))


ELECTION = {
    "de": (
        "Wahlen in Sachsen: Ergebnis steht fest",
        [
            "Von Anna Müller",
            "Die Wahlen in Sachsen sind am Sonntag ohne Zwischenfälle zu Ende gegangen.",
            "Die Wahlbeteiligung lag bei rund 70 Prozent, z. B. in Leipzig sogar darüber.",
            "Lesen Sie auch: So funktioniert die Briefwahl",
            "Der Ministerpräsident sprach von einem „klaren Auftrag.“ Die Koalition steht.",
            "Die neue Regierung soll bis zum 3. Oktober gebildet werden.",
            "Foto: dpa",
        ],
    ),
    "ru": (
        "Выборы в Новосибирске завершились",
        [
            "Выборы в городской совет Новосибирска прошли в воскресенье.",
            "Явка составила около 40 проц., т. е. меньше, чем пять лет назад.",
            "Читайте также: Как голосовать онлайн",
            "Наблюдатели не сообщили о серьёзных нарушениях.",
            "Новый совет соберётся на первое заседание в октябре.",
            "Фото: ТАСС",
        ],
    ),
}


async def test_readers_follow_topics_in_their_language_and_get_clean_alerts(
    settings: Settings, server: LocalServer
) -> None:
    async with running_bot(settings) as bot:
        [exact] = await bot.ask(42, "/subscribe Wahl")
        [prefix] = await bot.ask(42, "/subscribe Wahl*")
        [russian] = await bot.ask(7, "/subscribe ВЫБОРЫ")
        assert "It matched 0 articles" in exact.text and "Wahl*" in prefix.text
        assert russian.text.startswith("Following ВЫБОРЫ")
        add_source(bot.db, feed(server, ELECTION), "Welt", now=bot.clock())
        hooks = bot.services.new_article_hooks
        ingester = Ingester(
            bot.db, bot.services.fetcher, bot.services.settings, clock=bot.clock,
            on_new_articles=hooks, rng=random.Random(1),
        )  # fmt: skip
        assert len((await ingester.run_due()).new_articles) == 2
        [german] = bot.fake.bot_messages(42)[2:]
        assert "Wahlen in Sachsen" in german.text and "Matched your topic: Wahl*" in german.text
        [alert] = bot.fake.bot_messages(7)[1:]
        assert "Выборы в Новосибирске" in alert.text and "т. е. меньше" in alert.text
        for message in (german, alert):
            for furniture in ("Lesen Sie", "Foto", "Читайте", "Фото", "Von Anna"):
                assert furniture not in message.text
        assert "„klaren Auftrag.“" in german.text or "klaren" not in german.text
        rows = bot.db.execute("SELECT language FROM articles ORDER BY id").fetchall()
        assert [r[0] for r in rows] == ["de", "ru"]
        [found] = await bot.ask(42, "/search wahl*")
        assert "Wahlen in Sachsen" in found.text and "Выборы" not in found.text


UNSUPPORTED = {
    "hu": ("Új híd épül Budapesten", "Budapesten hétfőn megkezdődött az új Duna-híd építése."),
    "ar": ("جسر جديد في القاهرة", "بدأ يوم الاثنين بناء جسر جديد فوق نهر النيل في القاهرة."),
    "zh": ("北京新建大桥", "北京市周一开始建设一座新的大桥。该项目耗资约100亿元人民币。"),
    "ja": ("東京に新しい橋", "東京都は月曜日、新しい橋の建設を始めた。事業費は約1000億円に上る。"),
    "he": ("גשר חדש בתל אביב", "בניית גשר חדש החלה ביום שני בתל אביב. התושבים מודאגים מהרעש."),
}


async def test_a_link_in_a_language_without_support_gets_its_opening_sentences(
    settings: Settings, server: LocalServer
) -> None:
    async with running_bot(settings, summaries_per_minute=20) as bot:
        for code, (title, opening) in UNSUPPORTED.items():
            paragraphs = [opening, opening.replace("2", "3"), opening[::-1]]
            url = server.add(f"/{code}", Reply(page(code, title, paragraphs)))
            [reply] = await bot.ask(42, f"/summary {url}")
            assert reply.text.startswith(title), code
            assert "(language without full support: the opening sentences)" in reply.text
            first = split_sentences(opening, code)[0]
            assert first in reply.text, code


async def test_replies_that_repeat_right_to_left_or_combining_text_stay_valid(
    settings: Settings,
) -> None:
    async with running_bot(settings) as bot:
        for text in (
            "القاهرة <b>",
            "גשר & שלום",
            "e\u0301le\u0301ction\u0301",
            "Ελλάδα\u0301\u0308",
        ):
            [follow] = await bot.ask(42, f"/subscribe {text}")
            assert follow.text.startswith("Following"), text
            [nothing] = await bot.ask(42, f"/search {text}")
            assert nothing.text.startswith("Nothing found for"), text
        [listing] = await bot.ask(42, "/topics")
        assert "القاهرة <b>" in listing.text and "גשר & שלום" in listing.text


@pytest.mark.parametrize(
    ("code", "date_line"),
    [("sv", "Publicerad 20 februari 2026 kl. 10.32"), ("zh", "2026年2月20日 10:32")],
)
def test_a_local_date_line_is_the_publication_time_and_leaves_the_text(
    code: str, date_line: str
) -> None:
    title, body = {
        "sv": (
            "Ny tunnelbanestation öppnad i Stockholm",
            "En ny tunnelbanestation öppnades i Stockholm på måndagen efter fem års byggande. "
            "Enligt regionen kostade bygget ca. 3 miljarder kronor. Resenärer åker gratis.",
        ),
        "zh": ("北京新建大桥", "北京市周一开始建设一座新的大桥。该项目耗资约100亿元人民币。"),
    }[code]
    article = extract_article(page(code, title, [date_line, body]), url="https://news.example/")
    assert article.published == datetime(2026, 2, 20, 10, 32, tzinfo=UTC)
    assert "2026" not in article.text and summarize_article(article).sentences[0] in body
