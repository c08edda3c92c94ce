"""Which modules contribute commands to `newsbrief`; each one has `register(group)`.

Add a command family by writing `summaries/cli/<family>.py` with a `register` function and
listing it here.
"""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Attach every command family to `group`."""
    for family in ():  # filled in as command modules are written
        family.register(group)
