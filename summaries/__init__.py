"""newsbrief core: sources, extraction, cleaning, summarising, storage, search, topics, schedules.

Nothing in this package imports Telegram; the `bot` package is a thin adapter over it.
"""

__version__ = "0.1.0"
