"""`newsbrief search QUERY`: ranked results with the matched words highlighted."""

from __future__ import annotations

import json
import sys
from itertools import islice
from typing import Any

import click

from summaries.cli import as_text
from summaries.cli.sources import opened
from summaries.config import Settings
from summaries.errors import typed
from summaries.search import SearchHit, Snippet, search

QUERY_HELP = """Search stored articles, best match first.

\b
QUERY language:
  climate summit       both words
  "climate summit"     the exact phrase (quote it for the shell: '"climate summit"')
  climate OR weather   either word
  -sport               without this word
  elect*               words starting with "elect"
  source:bbc           only sources whose name starts with "bbc"
  since:7d             from the last 7 days (h, d, w, m = 30 days, y)
"""


def render_snippet(snippet: Snippet, *, ansi: bool) -> str:
    """Matched words in bold on a terminal, in [brackets] otherwise."""
    return "".join(
        (click.style(text, bold=True) if ansi else f"[{text}]") if match else text
        for text, match in snippet
    ).replace("\n", " ")


class QueryCommand(click.Command):
    """A command whose `-word` arguments are query exclusions, never clusters of short options.

    Click reads `-fans` as `-f -a -n s` (`--limit s`, an error) and `-match` as `-h` (the help,
    exit status 0, nothing searched), so which exclusions worked depended on their letters.
    The command's own options, written exactly, stay options wherever they are.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, self.options_then_words(ctx, args))

    def options_then_words(self, ctx: click.Context, args: list[str]) -> list[str]:
        """`args` reordered as this command's options, `--`, then every query word."""
        options = [p for p in self.get_params(ctx) if isinstance(p, click.Option)]
        flags = {name for p in options if p.is_flag for name in p.opts}
        valued = {name for p in options if not p.is_flag for name in p.opts}
        front: list[str] = []
        words: list[str] = []
        rest = iter(args)
        for arg in rest:
            if arg == "--":
                words.extend(rest)
            elif arg in valued:
                front += [arg, *islice(rest, 1)]  # a missing value stays click's error
            elif arg in flags or arg.startswith("--") or _attached_value(arg, valued):
                front.append(arg)  # an unknown --option stays click's "No such option"
            else:
                words.append(arg)
        return [*front, "--", *words]


def _attached_value(arg: str, valued: set[str]) -> bool:
    """`-n5` or `--limit=5`: an option with its value in the same argument."""
    return (arg[:2] in valued and arg[2:].isdigit()) or arg.partition("=")[0] in valued


def hit_json(hit: SearchHit) -> dict[str, Any]:
    """A search result as a JSON object with stable field names."""
    article = hit.article
    return {
        "id": article.id,
        "title": article.title,
        "url": article.url,
        "source": article.source_name,
        "published": article.when.isoformat(),
        "summary": list(article.summary),
        "snippet": render_snippet(hit.snippet, ansi=False),
        "score": round(hit.score, 4),
    }


@click.command("search", cls=QueryCommand, help=QUERY_HELP)
@click.argument("query", nargs=-1, required=True)
@click.option(
    "--limit",
    "-n",
    default=5,
    show_default=True,
    type=click.IntRange(1, 100),
    help="How many results to show.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per result, per line.")
@click.pass_obj
def search_command(settings: Settings, query: tuple[str, ...], limit: int, as_json: bool) -> None:
    text = as_text(" ".join(query))
    with opened(settings) as db:
        page = search(db, text, limit=limit)
    if as_json:
        for hit in page.hits:
            click.echo(json.dumps(hit_json(hit), ensure_ascii=False))
        return
    if not page.hits:
        click.echo(f"No results for {typed(text, 80)}.")
        return
    ansi = sys.stdout.isatty()
    for number, hit in enumerate(page.hits, start=1):
        article = hit.article
        title = click.style(article.title, bold=True) if ansi else article.title
        click.echo(f"{number}. {title}")
        click.echo(f"   {article.source_name}, {article.when:%Y-%m-%d %H:%M} UTC")
        click.echo(f"   {render_snippet(hit.snippet, ansi=ansi)}")
        click.echo(f"   {article.url}")
    click.echo(f"Showing {len(page.hits)} of {page.total} results.")


def register(group: click.Group) -> None:
    """Attach `search` to the `newsbrief` command group."""
    group.add_command(search_command)
