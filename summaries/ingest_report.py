"""What a poll (or a batch of polls) did: counted by the ingester, read by people and scripts."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class IngestReport:
    """What a poll (or a batch of polls) did."""

    sources_polled: int = 0
    new_articles: list[int] = field(default_factory=list)
    duplicates: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    """(source name, error message) for each source that failed."""
    skipped: int = 0
    """Entries with no readable text at all (neither page nor feed), or nothing to summarise."""

    def outcome(self) -> str:
        """One line for people: `ingest`'s closing line and the worker's log line.

        Entries skipped for having no readable text are named only when there are some.
        """
        unreadable = f"{self.skipped} without readable text, " if self.skipped else ""
        return (
            f"Polled {_plural(self.sources_polled, 'source')}: "
            f"{_plural(len(self.new_articles), 'new article')}, "
            f"{_plural(self.duplicates, 'duplicate')} skipped, {unreadable}"
            f"{_plural(len(self.failures), 'failure')}."
        )

    def add(self, other: IngestReport) -> None:
        """Fold another report into this one."""
        self.sources_polled += other.sources_polled
        self.new_articles.extend(other.new_articles)
        self.duplicates += other.duplicates
        self.failures.extend(other.failures)
        self.skipped += other.skipped


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
