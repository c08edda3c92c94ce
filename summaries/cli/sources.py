"""`newsbrief sources ...`: add, list (with health), remove, import and export news sources."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from summaries.cli import as_text
from summaries.config import Settings
from summaries.default_sources import seed_default_sources
from summaries.errors import SourceError
from summaries.fetch import Fetcher, FetchPolicy
from summaries.ingest import add_source_from_url
from summaries.models import Source
from summaries.opml import build_opml, parse_opml
from summaries.sources import add_source, list_sources, remove_source
from summaries.store import Database, open_database, utcnow


@contextmanager
def opened(settings: Settings) -> Iterator[Database]:
    """The configured database, migrated and (once, if enabled) seeded with default sources."""
    db = open_database(settings.db_path)
    try:
        seed_default_sources(db, enabled=settings.default_sources, now=utcnow())
        yield db
    finally:
        db.close()


@click.group("sources")
def sources_group() -> None:
    """Manage the news sources (feeds) that newsbrief polls."""


@sources_group.command("add")
@click.argument("url")
@click.option("--name", help="Name to show for the source (default: the feed's title).")
@click.pass_obj
def add_command(settings: Settings, url: str, name: str | None) -> None:
    """Add a feed URL, or a site URL whose feed is found from its <link rel="alternate">."""

    async def add() -> Source:
        async with Fetcher(FetchPolicy.from_settings(settings)) as fetcher:
            with opened(settings) as db:
                named = None if name is None else as_text(name)
                return await add_source_from_url(db, fetcher, url, name=named, now=utcnow())

    source = asyncio.run(add())
    click.echo(f"Added source {source.id}: {source.name} ({source.url})")


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"


def _health(source: Source) -> str:
    if not source.enabled:
        return "disabled"
    if source.consecutive_failures:
        return f"failing x{source.consecutive_failures}"
    return "ok" if source.last_success_at else "not polled yet"


def source_json(source: Source) -> dict[str, Any]:
    """A source as a JSON object with stable field names."""

    def iso(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return {
        "id": source.id,
        "name": source.name,
        "url": source.url,
        "site_url": source.site_url,
        "enabled": source.enabled,
        "health": _health(source),
        "article_count": source.article_count,
        "last_success": iso(source.last_success_at),
        "last_error": source.last_error,
        "last_error_at": iso(source.last_error_at),
        "consecutive_failures": source.consecutive_failures,
        "next_poll": iso(source.next_poll_at),
    }


def clip(text: str, width: int) -> str:
    """`text` cut to `width` characters, with an ellipsis when it was longer."""
    return text if len(text) <= width else text[: width - 1] + "…"


def source_table(sources: list[Source]) -> str:
    """A readable table of sources and their health (times in UTC)."""
    header = ("ID", "NAME", "ARTICLES", "HEALTH", "LAST SUCCESS", "LAST ERROR")
    rows = [
        (
            str(s.id),
            clip(s.name, 28),
            str(s.article_count),
            _health(s),
            _when(s.last_success_at),
            clip(f"{_when(s.last_error_at)} {s.last_error}", 60) if s.last_error else "-",
        )
        for s in sources
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    )


@sources_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source, per line.")
@click.pass_obj
def list_command(settings: Settings, as_json: bool) -> None:
    """List sources with their health: last success, last error, failures, article count."""
    with opened(settings) as db:
        sources = list_sources(db)
    if as_json:
        for source in sources:
            click.echo(json.dumps(source_json(source), ensure_ascii=False))
    elif not sources:
        click.echo("No sources yet. Add one with `newsbrief sources add URL`.")
    else:
        click.echo(source_table(sources))


@sources_group.command("remove")
@click.argument("source")
@click.pass_obj
def remove_command(settings: Settings, source: str) -> None:
    """Remove a source by id, URL or name; its stored articles stay searchable."""
    with opened(settings) as db:
        removed = remove_source(db, source)
    click.echo(f"Removed source {removed.id}: {removed.name} ({removed.url})")


@sources_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def import_command(settings: Settings, file: Path) -> None:
    """Add every feed listed in an OPML file (feeds already present are skipped)."""
    feeds = parse_opml(file.read_bytes())
    added = skipped = 0
    with opened(settings) as db:
        for url, name in feeds:
            try:
                add_source(db, url, name or url, now=utcnow())
            except SourceError:  # already a source, in this spelling or another
                skipped += 1
            else:
                added += 1
    # format_filename: a name that is not UTF-8 raised UnicodeEncodeError after the import
    shown = click.format_filename(file, shorten=True)
    click.echo(f"Imported {shown}: {added} added, {skipped} skipped (already sources).")


@sources_group.command("export")
@click.pass_obj
def export_command(settings: Settings) -> None:
    """Print every source as OPML, for other feed readers or a backup."""
    with opened(settings) as db:
        click.echo(build_opml(list_sources(db)).rstrip("\n"))


def register(group: click.Group) -> None:
    """Attach `sources` to the `newsbrief` command group."""
    group.add_command(sources_group)
