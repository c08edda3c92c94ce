"""Is one method really ahead of another? The paired difference of their ROUGE scores.

Two methods scored on the same articles differ by a mean that is only worth reading beside
its standard error: on 97 articles a gap of half a ROUGE point can be noise. Pairing (the
difference article by article) removes how hard each article is, so the error is far smaller
than comparing two averages would suggest, and it is what "within one standard error" in the
README's evaluation means.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from summaries.errors import SummarizeError
from summaries.evaluate import MethodScore

FIGURES = ("R-1", "R-2", "R-Lsum")


@dataclass(frozen=True)
class Difference:
    """`method` minus `baseline`: per figure the mean and its standard error, and on how many
    articles `method` scored above, below and level with `baseline` on ROUGE-1."""

    method: str
    baseline: str
    means: tuple[float, float, float]
    errors: tuple[float, float, float]
    ahead: int
    behind: int
    level: int

    def describe(self) -> str:
        """ "default - lead: R-1 +0.43 ± 0.49, ...; ahead on 80, behind on 70, level on 46"."""
        figures = ", ".join(
            f"{name} {mean:+.2f} ± {error:.2f}"
            for name, mean, error in zip(FIGURES, self.means, self.errors, strict=True)
        )
        tally = f"ahead on {self.ahead}, behind on {self.behind}, level on {self.level}"
        return f"{self.method} - {self.baseline}: {figures}; {tally} (R-1, by article)"


def paired_difference(method: MethodScore, baseline: MethodScore) -> Difference:
    """The difference of two methods' scores on the same articles, article by article."""
    pairs = list(zip(method.per_article, baseline.per_article, strict=False))
    if not pairs or len(method.per_article) != len(baseline.per_article):
        raise SummarizeError("Two methods can only be compared on the same, scored articles.")
    columns = [[m[i] - b[i] for m, b in pairs] for i in range(3)]
    means = tuple(sum(c) / len(c) for c in columns)
    errors = tuple(_standard_error(c) for c in columns)
    first = columns[0]
    return Difference(
        method=method.method,
        baseline=baseline.method,
        means=(means[0], means[1], means[2]),
        errors=(errors[0], errors[1], errors[2]),
        ahead=sum(d > 1e-9 for d in first),
        behind=sum(d < -1e-9 for d in first),
        level=sum(abs(d) <= 1e-9 for d in first),
    )


def _standard_error(values: list[float]) -> float:
    """The standard error of the mean (sample standard deviation / √n); 0 for one value."""
    if len(values) < 2:
        return 0.0
    mean = sum(values) / len(values)
    variance = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
    return math.sqrt(variance / len(values))
