"""`newsbrief search` end to end through the installed console script."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summaries.cli.search import render_snippet
from summaries.store import open_database
from tests.cli_helpers import assert_one_line_error, newsbrief
from tests.test_search import store


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """A database with a few stored articles, where `newsbrief` (run in tmp_path) finds it."""
    db = open_database(tmp_path / "newsbrief.db")
    store(db, "Storm hits coast", "A storm hit the coast. Homes were damaged by the storm surge.")
    store(db, "Sport storm", "A storm of protest followed the match. Fans left early.")
    store(db, "C++ conference", "Programmers met to discuss C++ and Rust.", source="DW")
    db.close()
    return tmp_path


def test_search_prints_ranked_results_with_marked_snippets(archive: Path) -> None:
    result = newsbrief(archive, "search", "storm", "-sport")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "1. Storm hits coast"
    assert "[storm]" in lines[2]
    assert lines[3] == "   https://example.com/Storm hits coast"
    assert lines[-1] == "Showing 1 of 1 results."


def test_search_json_lines(archive: Path) -> None:
    result = newsbrief(archive, "search", "storm", "--json", "--limit", "1")
    [line] = result.stdout.splitlines()
    hit = json.loads(line)
    assert hit["title"] == "Storm hits coast"
    assert {"id", "url", "source", "published", "summary", "snippet", "score"} <= hit.keys()
    assert isinstance(hit["summary"], list)


def test_search_odd_queries(archive: Path) -> None:
    assert "C++ conference" in newsbrief(archive, "search", "C++").stdout
    assert "C++ conference" in newsbrief(archive, "search", "source:dw").stdout
    assert newsbrief(archive, "search", "zebra").stdout.strip() == "No results for 'zebra'."
    pasted = newsbrief(archive, "search", "zebra " * 800).stdout.strip()
    assert pasted == f"No results for '{('zebra ' * 14)[:79]}…'."
    typed = newsbrief(archive, "search", "zebra\\stripes").stdout.strip()
    assert typed == "No results for 'zebra\\stripes'.", "as typed, not Python's repr"
    assert_one_line_error(newsbrief(archive, "search", '"'), "Nothing to search for")
    assert_one_line_error(newsbrief(archive, "search", "-storm"), "at least one word")


def test_snippets_are_bold_on_a_terminal() -> None:
    snippet = (("A ", False), ("storm", True), (" hit.", False))
    assert render_snippet(snippet, ansi=False) == "A [storm] hit."
    assert render_snippet(snippet, ansi=True) == "A \x1b[1mstorm\x1b[0m hit."


def test_exclusions_are_never_read_as_options(archive: Path) -> None:
    """`-word` leaves the word out whatever its letters: click used to read `-fans` as
    `-n s` (an error) and `-match` as `-h` (the help text, exit status 0, nothing searched)."""
    for exclusion, found in (("-fans", 1), ("-match", 1), ("-json", 2)):
        result = newsbrief(archive, "search", "storm", exclusion)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[-1] == f"Showing {found} of {found} results."
    options_after_words = newsbrief(archive, "search", "storm", "-fans", "-n", "1", "--json")
    assert json.loads(options_after_words.stdout)["title"] == "Storm hits coast"
    assert newsbrief(archive, "search", "--limit=1", "storm").stdout.count("\n   https://") == 1
    mistyped = newsbrief(archive, "search", "storm", "--limt", "1")
    assert mistyped.returncode == 2
    assert "Did you mean '--limit'?" in mistyped.stderr
