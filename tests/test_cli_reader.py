"""`newsbrief extract` and `newsbrief summarize`, through the click group and the real script."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from summaries.cli import cli
from summaries.cli.reader import load_article
from summaries.config import Settings
from tests.cli_helpers import newsbrief
from tests.conftest import shared_file
from tests.servers import LocalServer, Reply

PAGES = Path(__file__).parent / "pages"
SEED_TITLE = "Turkey, Russia Discuss Joint Patrol Option in Syria's Idlib"
SEED_LINK = (
    "https://www.themoscowtimes.com/2020/02/20/"
    "turkey-russia-discuss-joint-patrol-option-in-syrias-idlib-a69373"
)
NOISE = ("Baderkhan", "TASS", "Original url", "By [Reuters]", "February 20, 2020")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Settings for the command: a temporary database, local servers allowed, no .env file."""
    monkeypatch.chdir(tmp_path)
    return {
        "NEWSBRIEF_DB": str(tmp_path / "cli.db"),
        "NEWSBRIEF_ALLOW_PRIVATE_URLS": "true",
        "NEWSBRIEF_DEFAULT_SOURCES": "false",
        "NEWSBRIEF_SUMMARY_SENTENCES": "3",
    }


def run(env: dict[str, str], *args: str, stdin: str | bytes | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, input=stdin)


def seed_path() -> str:
    return str(shared_file("seed/000_3eea214e2d73931a.txt"))


def test_extract_prints_the_clean_article(env: dict[str, str]) -> None:
    result = run(env, "extract", seed_path())
    assert result.exit_code == 0, result.output
    head, body = result.stdout.split("\n\n", 1)
    assert head.splitlines() == [SEED_TITLE, "By Reuters", "2020-02-20", SEED_LINK]
    assert body.startswith("Turkey and Russia are discussing")
    assert not any(noise in result.stdout for noise in NOISE)


def test_extract_json(env: dict[str, str]) -> None:
    result = run(env, "extract", "--json", seed_path())
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"title", "url", "source", "byline", "published", "language", "text"}
    assert data["title"] == SEED_TITLE
    assert data["url"] == SEED_LINK
    assert (data["source"], data["byline"]) == ("Reuters", "Reuters")
    assert data["published"] == "2020-02-20T00:00:00+00:00"
    assert data["text"].startswith("Turkey and Russia are discussing")


def test_summarize_prints_title_source_date_bullets_and_link(env: dict[str, str]) -> None:
    result = run(env, "summarize", seed_path())
    assert result.exit_code == 0, result.output
    lines = result.stdout.rstrip("\n").split("\n")
    assert lines[:3] == [SEED_TITLE, "Reuters · 2020-02-20", ""]
    bullets = [line for line in lines if line.startswith("• ")]
    assert len(bullets) == 3
    assert lines[3:6] == bullets
    assert lines[-2:] == ["", SEED_LINK]
    assert not any(noise in result.stdout for noise in NOISE)


def test_summarize_json_with_sentences_and_method(env: dict[str, str]) -> None:
    result = run(env, "summarize", seed_path(), "--json", "--sentences", "2", "--method", "lead")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {
        "title",
        "url",
        "source",
        "byline",
        "published",
        "language",
        "method",
        "summary",
    }
    assert data["method"] == "lead"
    assert data["language"] == "en"
    assert data["summary"][0].startswith("Turkey and Russia are discussing")
    assert len(data["summary"]) == 2
    assert not any(noise in " ".join(data["summary"]) for noise in NOISE)


def test_stdin_is_read_when_piped_or_given_as_dash(env: dict[str, str]) -> None:
    page = (PAGES / "scraped_wire.txt").read_bytes()
    for args in (["extract"], ["extract", "-"]):
        result = run(env, *args, stdin=page)
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("Port workers agree deal to end ten-day strike\n")


def test_text_without_a_header_starts_with_the_text(env: dict[str, str]) -> None:
    text = (
        "The council voted on Tuesday to close the old bridge for repairs. Engineers had warned "
        "that the steel supports were badly corroded. The work will take six months."
    )
    extracted = run(env, "extract", stdin=text)
    assert (extracted.exit_code, extracted.stdout) == (0, text + "\n")
    summarized = run(env, "summarize", "-n", "1", stdin=text)
    assert summarized.exit_code == 0, summarized.output
    assert summarized.stdout.splitlines() == [
        "• The council voted on Tuesday to close the old bridge for repairs."
    ]


def test_an_html_page_from_a_local_server(env: dict[str, str], server: LocalServer) -> None:
    url = server.add("/story", Reply((PAGES / "wire_story.html").read_bytes()))
    result = run(env, "summarize", url, "-n", "1")
    assert result.exit_code == 0, result.output
    lines = result.stdout.rstrip("\n").split("\n")
    assert lines[0] == "Harbour city opens flood barrier after record storm surge"
    assert lines[1] == "Coastline Courier · 2024-03-14 08:30 UTC"
    assert lines[3].startswith("• Engineers in Porthaven closed")
    assert lines[-1] == "https://courier.example.com/world/2024/03/14/flood-barrier"


@pytest.mark.parametrize(
    ("route", "message"),
    [
        (Reply(b"%PDF-1.7", content_type="application/pdf"), "That link is a PDF, not an article"),
        (Reply(b"gone", status=404, content_type="text/plain"), "404"),
    ],
)
def test_url_errors_are_one_line(
    env: dict[str, str], server: LocalServer, route: Reply, message: str
) -> None:
    url = server.add("/thing", route)
    result = run(env, "extract", url)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("address", ["ftp://example.com/story", "file:///etc/passwd"])
def test_other_schemes_are_refused_as_addresses(env: dict[str, str], address: str) -> None:
    result = run(env, "extract", address)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith("Error: newsbrief only fetches http:// and https:// addresses")
    assert result.stderr.count("\n") == 1


def test_file_errors_are_one_line(env: dict[str, str], tmp_path: Path) -> None:
    missing = run(env, "summarize", str(tmp_path / "missing.html"))
    assert missing.exit_code == 1
    assert missing.stderr.startswith("Error: No such file:")
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    result = run(env, "extract", str(empty))
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: That input has no readable article text.\n",
    )


def test_unknown_method_and_bad_sentence_count_are_usage_errors(env: dict[str, str]) -> None:
    assert run(env, "summarize", seed_path(), "--method", "magic").exit_code == 2
    assert run(env, "summarize", seed_path(), "--sentences", "0").exit_code == 2


def test_help_texts(env: dict[str, str]) -> None:
    for command in ("extract", "summarize"):
        result = run(env, command, "--help")
        assert result.exit_code == 0
        assert "[PATH|URL|-]" in result.stdout and "--json" in result.stdout
    assert "--sentences" in run(env, "summarize", "--help").stdout


def test_the_installed_script_end_to_end(tmp_path: Path) -> None:
    done = newsbrief(tmp_path, "summarize", "--json", seed_path(), NEWSBRIEF_SUMMARY_SENTENCES="3")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["title"], data["url"], data["byline"]) == (SEED_TITLE, SEED_LINK, "Reuters")
    assert len(data["summary"]) == 3
    failed = newsbrief(tmp_path, "extract", str(tmp_path / "missing.txt"))
    assert failed.returncode == 1
    assert failed.stderr.startswith("Error: No such file:")
    assert "Traceback" not in failed.stderr


def test_a_page_with_no_article_is_one_error_line_not_extractor_logs(tmp_path: Path) -> None:
    for page in ("<div>x</div>", (PAGES / "no_article.html").read_text(encoding="utf-8")):
        failed = newsbrief(tmp_path, "extract", "-", stdin=page)
        assert (failed.returncode, failed.stdout) == (1, "")
        assert failed.stderr == "Error: That input has no readable article text.\n"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_argument_on_a_terminal_asks_for_one_instead_of_waiting(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    monkeypatch.setattr(sys, "stdin", Terminal())
    with pytest.raises(click.UsageError, match="Give a saved page, a URL, or '-'"):
        load_article(settings, None)
