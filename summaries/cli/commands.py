"""Which modules contribute commands to `newsbrief`; each one has `register(group)`.

Add a command family by writing `summaries/cli/<family>.py` with a `register` function, importing
it here and listing it in `FAMILIES`.
"""

from __future__ import annotations

from types import ModuleType

import click

from summaries.cli import backup, evaluate, ingest, reader, search, sources, status

FAMILIES: tuple[ModuleType, ...] = (
    evaluate, reader, sources, ingest, search, backup, status,
)  # fmt: skip


def register(group: click.Group) -> None:
    """Attach every command family to `group`."""
    for family in FAMILIES:
        family.register(group)
