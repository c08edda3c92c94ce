"""read_url (one guarded fetch from a local server) and read_path_or_text (files, stdin, text)."""

from __future__ import annotations

import io
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from summaries import reader
from summaries.errors import BlockedURLError, ExtractError, HTTPStatusError
from summaries.fetch import Fetcher, FetchPolicy
from summaries.models import Article
from summaries.reader import ACCEPT, is_url, read_path_or_text, read_url
from tests.conftest import shared_file
from tests.servers import LocalServer, Reply

PAGES = Path(__file__).parent / "pages"


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(FetchPolicy(allow_private=True, timeout=10)) as client:
        yield client


async def test_read_url_fetches_once_and_extracts(server: LocalServer, fetcher: Fetcher) -> None:
    url = server.add("/story", Reply((PAGES / "wire_story.html").read_bytes()))
    article = await read_url(fetcher, url)
    assert article.title == "Harbour city opens flood barrier after record storm surge"
    assert article.text.startswith("Engineers in Porthaven")
    assert [r.path for r in server.requests] == ["/story"]
    assert server.requests[0].headers["Accept"] == ACCEPT


async def test_read_url_uses_the_final_url_and_declared_charset(
    server: LocalServer, fetcher: Fetcher
) -> None:
    page = "<html><head><title>Café news</title></head><body><article><h1>Café news</h1>" + (
        "<p>The café on the corner reopened on Monday after a long renovation, its owner said.</p>"
        "<p>Customers queued from seven in the morning to get the first coffee of the day.</p>"
        "</article></body></html>"
    )
    server.add("/final", Reply(page.encode("latin-1"), content_type="text/html; charset=latin-1"))
    start = server.add("/start", Reply(status=301, headers={"Location": server.url("/final")}))
    article = await read_url(fetcher, start)
    assert article.url == server.url("/final")
    assert "The café on the corner reopened" in article.text


async def test_read_url_reads_plain_text(server: LocalServer, fetcher: Fetcher) -> None:
    seed = shared_file("seed/000_3eea214e2d73931a.txt").read_bytes()
    url = server.add("/seed.txt", Reply(seed, content_type="text/plain; charset=utf-8"))
    article = await read_url(fetcher, url)
    assert article.byline == "Reuters"
    assert article.url == url
    assert article.text.startswith("Turkey and Russia are discussing")


async def test_read_url_refuses_a_pdf(server: LocalServer, fetcher: Fetcher) -> None:
    url = server.add("/report", Reply(b"%PDF-1.7 ...", content_type="application/pdf"))
    with pytest.raises(ExtractError, match=r"^That link is a PDF, not an article page"):
        await read_url(fetcher, url)


async def test_read_url_refuses_mislabelled_binary(server: LocalServer, fetcher: Fetcher) -> None:
    url = server.add("/junk", Reply(b"\x00\x9f\x92\x00\xff" * 100, content_type="text/html"))
    with pytest.raises(ExtractError, match="binary file"):
        await read_url(fetcher, url)


async def test_fetch_errors_propagate_unchanged(server: LocalServer, fetcher: Fetcher) -> None:
    with pytest.raises(HTTPStatusError) as caught:
        await read_url(fetcher, server.url("/missing"))
    assert caught.value.status == 404
    async with Fetcher(FetchPolicy(allow_private=False)) as strict:
        with pytest.raises(BlockedURLError):
            await read_url(strict, server.url("/missing"))


def test_read_path_detects_html_and_text() -> None:
    html = read_path_or_text(str(PAGES / "local_paper.html"), io.StringIO())
    assert html.title == "Valley library reopens after two-year rebuild"
    text = read_path_or_text(str(PAGES / "scraped_wire.txt"), io.StringIO())
    assert text.title == "Port workers agree deal to end ten-day strike"


def test_read_path_of_a_saved_html_page_without_html_suffix(tmp_path: Path) -> None:
    saved = tmp_path / "page"
    saved.write_bytes((PAGES / "wire_story.html").read_bytes())
    assert read_path_or_text(str(saved), io.StringIO()).site_name == "Coastline Courier"


def test_read_path_refuses_a_pdf_file(tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    with pytest.raises(ExtractError, match=r"^That input is a PDF"):
        read_path_or_text(str(pdf), io.StringIO())


@pytest.mark.parametrize("arg", [None, "-"])
def test_read_stdin_bytes_and_text(arg: str | None) -> None:
    body = "Headline\n\nThe council met on Tuesday and approved the budget for the next year."
    binary = io.TextIOWrapper(io.BytesIO(body.encode("utf-8")), encoding="utf-8")
    from_bytes = read_path_or_text(arg, binary)
    from_text = read_path_or_text(arg, io.StringIO(body))
    assert from_bytes == from_text
    assert from_text.title == "Headline"


def test_an_argument_with_line_breaks_is_the_text_itself() -> None:
    article = read_path_or_text("Headline\n\nThe council approved the budget.", io.StringIO())
    assert (article.title, article.text) == ("Headline", "The council approved the budget.")


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.html")
    with pytest.raises(ExtractError, match=r"^No such file: .*nope\.html\. Give a saved page"):
        read_path_or_text(missing, io.StringIO())
    with pytest.raises(ExtractError, match="No such file"):
        read_path_or_text(str(tmp_path), io.StringIO())


def test_is_url() -> None:
    assert is_url("https://example.com/a") and is_url("HTTP://example.com")
    assert is_url("ftp://example.com/a") and is_url("file:///etc/passwd")
    assert not is_url("example.com/a") and not is_url("-") and not is_url(None)
    assert not is_url("notes/http://x.txt")


async def test_read_url_extracts_off_the_event_loop(
    server: LocalServer, fetcher: Fetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large page takes trafilatura seconds: the bot's loop must keep answering meanwhile."""
    threads: list[int] = []
    real = reader.extract_article

    def recording(*args: Any, **kwargs: Any) -> Article:
        threads.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(reader, "extract_article", recording)
    url = server.add("/story", Reply((PAGES / "wire_story.html").read_bytes()))
    article = await read_url(fetcher, url)
    assert article.text.startswith("Engineers in Porthaven")
    assert threads and threads[0] != threading.get_ident()
