"""Thresholds of the drift check, each overridable per call.

The defaults are set from the figures of `benchmarks/drift_evaluation.py` on the
Telco data; docs/drift.md lists them with the reasoning.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from churnops.drift.errors import DriftError

CORRECTIONS = ("holm", "bh", "none")


@dataclass(frozen=True)
class DriftConfig:
    """Significance level, multiple-testing correction and effect-size floors.

    A feature drifts when its corrected p-value is below `alpha` and its PSI is at
    least `psi_floor`, or when missing values or categories outside the schema
    exceed their share limits. Windows with fewer than `min_rows` rows, and
    features with fewer than `min_rows` present values, are "insufficient data".
    """

    alpha: float = 0.05
    correction: str = "holm"
    psi_floor: float = 0.1
    min_rows: int = 200
    # NOTE: the two share limits are policy, not measured: the Telco data has no
    # missing values after loading and no category outside the schema.
    unseen_share_max: float = 0.01
    missing_share_rise_max: float = 0.05

    def __post_init__(self) -> None:
        if not 0.0 < self.alpha < 1.0:
            raise DriftError(f"alpha must be between 0 and 1 (exclusive), got {self.alpha}")
        if self.correction not in CORRECTIONS:
            raise DriftError(
                f"correction must be one of {list(CORRECTIONS)}, got {self.correction!r}"
            )
        if self.psi_floor < 0.0:
            raise DriftError(f"psi_floor must not be negative, got {self.psi_floor}")
        if isinstance(self.min_rows, bool) or not isinstance(self.min_rows, int):
            raise DriftError(f"min_rows must be an integer, got {self.min_rows!r}")
        if self.min_rows < 2:
            raise DriftError(f"min_rows must be at least 2, got {self.min_rows}")
        for name in ("unseen_share_max", "missing_share_rise_max"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise DriftError(f"{name} must be between 0 and 1, got {value}")

    @classmethod
    def from_mapping(cls, overrides: dict[str, Any]) -> DriftConfig:
        """Build a config from defaults plus `overrides`, rejecting unknown keys."""
        known = {item.name for item in fields(cls)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise DriftError(f"unknown drift settings {unknown}; known: {sorted(known)}")
        return cls(**overrides)
