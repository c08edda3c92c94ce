"""`newsbrief sources ...` end to end through the installed console script, plus help for all.

Each command runs in a subprocess exactly as an operator would run it, with its database in a
temporary directory and private URLs allowed (the feeds are on a local server).
"""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from bot.main import run
from summaries.cli import cli
from summaries.default_sources import DEFAULT_SOURCES
from tests.cli_helpers import assert_one_line_error, newsbrief
from tests.servers import LocalServer, Reply
from tests.stories import serve_stories


def test_add_list_export_remove(tmp_path: Path, server: LocalServer) -> None:
    url = serve_stories(server, ["harbour"])
    added = newsbrief(tmp_path, "sources", "add", url)
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == f"Added source 1: Example News ({url})"
    named = newsbrief(
        tmp_path,
        "sources",
        "add",
        serve_stories(server, [], feed_path="/b.xml"),
        "--name",
        "Second",
    )
    assert "Added source 2: Second" in named.stdout

    table = newsbrief(tmp_path, "sources", "list").stdout.splitlines()
    assert table[0].split() == [
        "ID",
        "NAME",
        "ARTICLES",
        "HEALTH",
        "LAST",
        "SUCCESS",
        "LAST",
        "ERROR",
    ]
    assert "Example News" in table[1] and "not polled yet" in table[1]
    rows = [
        json.loads(line)
        for line in newsbrief(tmp_path, "sources", "list", "--json").stdout.splitlines()
    ]
    assert (rows[0]["id"], rows[0]["name"], rows[0]["url"]) == (1, "Example News", url)
    assert {"last_success", "last_error", "consecutive_failures", "article_count"} <= rows[0].keys()

    opml = newsbrief(tmp_path, "sources", "export").stdout
    assert opml.startswith("<?xml") and url in opml and "Second" in opml

    removed = newsbrief(tmp_path, "sources", "remove", "1")
    assert removed.stdout.strip() == f"Removed source 1: Example News ({url})"
    assert newsbrief(tmp_path, "sources", "remove", "Second").returncode == 0
    assert "No sources yet" in newsbrief(tmp_path, "sources", "list").stdout


def test_import_reports_added_and_skipped(tmp_path: Path, server: LocalServer) -> None:
    known = serve_stories(server, ["harbour"])
    newsbrief(tmp_path, "sources", "add", known)
    opml = tmp_path / "feeds.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>'
        f'<outline text="Known" type="rss" xmlUrl="{known}"/>'
        '<outline text="Tech"><outline text="New one" type="rss" xmlUrl="https://example.org/rss"/>'
        "</outline></body></opml>"
    )
    result = newsbrief(tmp_path, "sources", "import", str(opml))
    assert result.returncode == 0, result.stderr
    assert "1 added, 1 skipped" in result.stdout
    names = [
        json.loads(x)["name"]
        for x in newsbrief(tmp_path, "sources", "list", "--json").stdout.splitlines()
    ]
    assert names == ["Example News", "New one"]


def test_import_skips_a_known_feed_in_another_spelling(tmp_path: Path) -> None:
    newsbrief(tmp_path, "sources", "import", str(write_opml(tmp_path, "https://example.org/rss")))
    again = write_opml(tmp_path, "HTTPS://EXAMPLE.ORG/rss#top", "https://example.org/rss?utm_x=1")
    result = newsbrief(tmp_path, "sources", "import", str(again))
    assert result.stdout.strip() == "Imported feeds.opml: 0 added, 2 skipped (already sources)."
    assert len(newsbrief(tmp_path, "sources", "list", "--json").stdout.splitlines()) == 1


def write_opml(tmp_path: Path, *urls: str) -> Path:
    """An OPML file listing `urls` as feeds."""
    outlines = "".join(f'<outline text="Feed" type="rss" xmlUrl="{url}"/>' for url in urls)
    opml = tmp_path / "feeds.opml"
    opml.write_text(f'<opml version="2.0"><body>{outlines}</body></opml>')
    return opml


def test_errors_are_one_line(tmp_path: Path, server: LocalServer) -> None:
    assert_one_line_error(newsbrief(tmp_path, "sources", "remove", "42"), "No source '42'")
    bad = tmp_path / "bad.opml"
    bad.write_text("<opml><body><outline")
    assert_one_line_error(newsbrief(tmp_path, "sources", "import", str(bad)), "Error:")
    assert_one_line_error(
        newsbrief(tmp_path, "sources", "add", "http://127.0.0.1:9/feed.xml"), "Error:"
    )
    page = server.add("/", Reply(b"<html><body><p>No feeds here.</p></body></html>"))
    assert_one_line_error(newsbrief(tmp_path, "sources", "add", page), "No feed found")
    feed = serve_stories(server, ["harbour"])
    blocked = newsbrief(tmp_path, "sources", "add", feed, NEWSBRIEF_ALLOW_PRIVATE_URLS="false")
    assert_one_line_error(blocked, "Error:")
    newsbrief(tmp_path, "sources", "add", feed)
    assert_one_line_error(newsbrief(tmp_path, "sources", "add", feed), "already a source")


def test_a_database_path_that_is_not_a_database_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("shopping list, not a database\n" * 10)
    for command in (("sources", "list"), ("ingest",), ("search", "storm")):
        result = newsbrief(tmp_path, *command, NEWSBRIEF_DB=str(tmp_path / "notes.txt"))
        assert_one_line_error(result, "Cannot open the database", "NEWSBRIEF_DB")


def test_default_sources_are_seeded_once(tmp_path: Path) -> None:
    def listed() -> list[str]:
        result = newsbrief(tmp_path, "sources", "list", "--json", NEWSBRIEF_DEFAULT_SOURCES="true")
        return [json.loads(line)["url"] for line in result.stdout.splitlines()]

    urls = [url for _, url in DEFAULT_SOURCES]
    assert listed() == urls
    newsbrief(tmp_path, "sources", "remove", urls[0], NEWSBRIEF_DEFAULT_SOURCES="true")
    assert listed() == urls[1:]


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path under `group`, groups included."""
    paths = []
    for name, command in sorted(group.commands.items()):
        paths.append((*prefix, name))
        if isinstance(command, click.Group):
            paths += all_commands(command, (*prefix, name))
    return paths


NEWSBRIEF_GROUP = click.Group("newsbrief", commands={**cli.commands, "run": run})
"""The command line as the console script assembles it: the core commands plus the bot's `run`."""


@pytest.mark.parametrize("path", all_commands(NEWSBRIEF_GROUP), ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    command: click.Command = NEWSBRIEF_GROUP
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    assert (command.help or "").strip(), f"`{' '.join(path)}` has no help text"
    result = CliRunner().invoke(NEWSBRIEF_GROUP, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
