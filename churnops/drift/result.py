"""Result types shared by the numeric and categorical comparisons."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

DRIFT = "drift"
NO_DRIFT = "no drift"
INSUFFICIENT = "insufficient data"


@dataclass(frozen=True)
class Comparison:
    """Outcome of one two-sample test between the reference and the window."""

    test: str
    statistic: float
    p_value: float
    psi: float
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Distribution:
    """Reference and window shares per bin or category, for the report's bars."""

    labels: list[str]
    reference: list[float]
    current: list[float]


@dataclass
class FeatureResult:
    """Verdict on one feature, with the figures behind it."""

    feature: str
    kind: str
    test: str
    count: int
    missing: int
    missing_share: float
    reference_missing_share: float
    distribution: Distribution
    statistic: float | None = None
    p_value: float | None = None
    p_value_adjusted: float | None = None
    psi: float | None = None
    details: dict[str, Any] = field(default_factory=dict)
    verdict: str = INSUFFICIENT
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def shares(counts: list[int] | Any) -> list[float]:
    """Return counts divided by their total, or zeros when the total is 0."""
    values = [float(c) for c in counts]
    total = sum(values)
    return [v / total if total else 0.0 for v in values]
