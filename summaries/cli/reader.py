"""`newsbrief extract` and `newsbrief summarize`: one article, from a file, stdin or a URL.

`extract` shows exactly what the summariser sees (reader mode, for checking extraction);
`summarize` shows the summary newsbrief would store. Both take `--json` with stable field names.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime
from typing import Any

import click

from summaries.config import Settings
from summaries.fetch import Fetcher, FetchPolicy
from summaries.models import Article, Summary
from summaries.reader import is_url, read_path_or_text, read_url
from summaries.summarize import METHODS, summarize_article

SOURCE = click.argument("source", required=False, metavar="[PATH|URL|-]")
AS_JSON = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")


def load_article(settings: Settings, source: str | None) -> Article:
    """The clean article named by the command's argument (URL, file, '-' or piped stdin)."""
    if source is not None and is_url(source):
        return asyncio.run(_fetch(settings, source))
    if source is None and (sys.stdin is None or sys.stdin.isatty()):
        raise click.UsageError("Give a saved page, a URL, or '-' to read the article from stdin.")
    return read_path_or_text(source, sys.stdin)


async def _fetch(settings: Settings, url: str) -> Article:
    async with Fetcher(FetchPolicy.from_settings(settings)) as fetcher:
        return await read_url(fetcher, url)


def when(moment: datetime | None) -> str:
    """A publication time for people: the date, and the UTC time when one is known."""
    if moment is None:
        return ""
    moment = moment.astimezone(UTC)
    if (moment.hour, moment.minute) == (0, 0):
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def article_fields(article: Article) -> dict[str, Any]:
    """The fields `extract --json` and `summarize --json` share."""
    return {
        "title": article.title,
        "url": article.url,
        "source": article.site_name or article.byline,
        "byline": article.byline,
        "published": article.published.astimezone(UTC).isoformat() if article.published else None,
        "language": article.language,
    }


def render_article(article: Article) -> str:
    """Title, byline, date and link, a blank line, then the body."""
    head = [
        article.title,
        f"By {article.byline}" if article.byline else "",
        when(article.published),
        article.url or "",
    ]
    shown = "\n".join(line for line in head if line)
    return f"{shown}\n\n{article.text}" if shown else article.text


def render_summary(article: Article, summary: Summary) -> str:
    """Title, source and date, the sentences as bullets, then the link."""
    meta = " · ".join(
        part for part in (article.site_name or article.byline, when(article.published)) if part
    )
    lines = [line for line in (article.title, meta) if line]
    lines += [""] if lines else []
    lines += [f"• {sentence}" for sentence in summary.sentences]
    if article.url:
        lines += ["", article.url]
    return "\n".join(lines)


@click.command("extract")
@SOURCE
@AS_JSON
@click.pass_obj
def extract_command(settings: Settings, source: str | None, as_json: bool) -> None:
    """Show the clean article the summariser sees: title, byline, date, link, then the text.

    Give a saved page (HTML or text), an http(s) URL, or '-' to read standard input
    (the default when input is piped).
    """
    article = load_article(settings, source)
    if as_json:
        click.echo(
            json.dumps({**article_fields(article), "text": article.text}, ensure_ascii=False)
        )
    else:
        click.echo(render_article(article))


@click.command("summarize")
@SOURCE
@click.option(
    "--sentences",
    "-n",
    type=click.IntRange(1, 20),
    help="How many sentences (default: NEWSBRIEF_SUMMARY_SENTENCES).",
)
@click.option(
    "--method",
    "-m",
    type=click.Choice(METHODS),
    help="Summarisation method (default: NEWSBRIEF_SUMMARY_METHOD).",
)
@AS_JSON
@click.pass_obj
def summarize_command(
    settings: Settings, source: str | None, sentences: int | None, method: str | None, as_json: bool
) -> None:
    """Summarise one article: title, source, date, the summary sentences and the link.

    Give a saved page (HTML or text), an http(s) URL, or '-' to read standard input
    (the default when input is piped).
    """
    article = load_article(settings, source)
    summary = summarize_article(
        article,
        sentences=sentences or settings.summary_sentences,
        method=method or settings.summary_method,
    )
    if as_json:
        fields = article_fields(article)
        fields["language"] = fields["language"] or summary.language
        fields |= {"method": summary.method, "summary": list(summary.sentences)}
        click.echo(json.dumps(fields, ensure_ascii=False))
    else:
        click.echo(render_summary(article, summary))


def register(group: click.Group) -> None:
    """Add `extract` and `summarize` to the `newsbrief` group."""
    group.add_command(extract_command)
    group.add_command(summarize_command)
