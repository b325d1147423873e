"""Model performance in a window: realised AUC once labels arrive, estimated AUC before.

Churn labels arrive weeks after the score. Until enough have, the AUC is
estimated from the model's calibrated probabilities alone (confidence-based
performance estimation, CBPE). If a probability p is calibrated, the customer
churns with probability p. The expected counts of correctly and wrongly ordered
churner/non-churner pairs then follow from the scores themselves. The estimate
is valid under covariate shift (P(churn | features) unchanged) and fails when
that relation itself changes, which only labels can show.

Decay is an alarm only when it is both significant and large: the upper bound of
the DeLong confidence interval lies below the validation AUC and the realised
AUC lies more than `margin` below it. Needs numpy and scipy only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import stats

from churnops.errors import ChurnopsError

NO_LABELS = "no labels yet"
TOO_FEW_LABELS = "insufficient labels"
ONE_CLASS = "one class only"
OK = "ok"
DECAY_SUSPECTED = "decay suspected"
DECAY = "decay"


class PerformanceError(ChurnopsError, ValueError):
    """Scores, labels or performance settings are invalid."""


@dataclass(frozen=True)
class PerformanceConfig:
    """Labels needed before the realised AUC counts, decay margin and interval level."""

    min_labels: int = 100
    margin: float = 0.05
    level: float = 0.95

    def __post_init__(self) -> None:
        if self.min_labels < 2:
            raise PerformanceError(f"min_labels must be at least 2, got {self.min_labels}")
        if not 0.0 <= self.margin < 1.0:
            raise PerformanceError(f"margin must be between 0 and 1, got {self.margin}")
        if not 0.5 <= self.level < 1.0:
            raise PerformanceError(f"level must be between 0.5 and 1, got {self.level}")


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Return the ROC AUC (Mann-Whitney U / (n1 * n0)); ties count one half."""
    labels, scores = _pair(labels, scores)
    positives = int(labels.sum())
    negatives = labels.size - positives
    if positives == 0 or negatives == 0:
        raise PerformanceError("AUC needs at least one positive and one negative label")
    ranks = stats.rankdata(scores)
    rank_sum = float(ranks[labels == 1].sum())
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def delong_interval(
    labels: np.ndarray, scores: np.ndarray, level: float = 0.95
) -> tuple[float, float, float, float]:
    """Return AUC, its DeLong standard error and the two-sided interval at `level`."""
    labels, scores = _pair(labels, scores)
    positive = scores[labels == 1]
    negative = scores[labels == 0]
    if positive.size < 2 or negative.size < 2:
        raise PerformanceError("a DeLong interval needs at least two labels of each class")
    # Placement values: each positive's share of negatives ranked below it, and the reverse.
    all_ranks = stats.rankdata(np.concatenate([positive, negative]))
    positive_placements = (
        all_ranks[: positive.size] - stats.rankdata(positive)
    ) / negative.size
    negative_placements = 1.0 - (
        all_ranks[positive.size:] - stats.rankdata(negative)
    ) / positive.size
    auc = float(positive_placements.mean())
    variance = (
        positive_placements.var(ddof=1) / positive.size
        + negative_placements.var(ddof=1) / negative.size
    )
    error = float(np.sqrt(variance))
    z = float(stats.norm.ppf(0.5 + level / 2))
    return auc, error, max(0.0, auc - z * error), min(1.0, auc + z * error)


def estimate_auc(probabilities: np.ndarray) -> float | None:
    """Return the CBPE estimate of AUC from calibrated churn probabilities alone.

    It is the expected count of correctly ordered churner/non-churner pairs over
    the expected count of such pairs, each customer churning with probability p.
    None when fewer than two scores are given or every score is 0 or 1.
    """
    values = np.asarray(probabilities, dtype="float64").ravel()
    values = values[np.isfinite(values)]
    if values.size < 2:
        return None
    if values.min() < 0.0 or values.max() > 1.0:
        raise PerformanceError("probabilities must lie between 0 and 1")
    order = np.sort(values)
    negative_weight = 1.0 - order
    # For each score, the expected non-churners scored strictly below it; ties add half.
    _, first, counts = np.unique(order, return_index=True, return_counts=True)
    cumulative = np.concatenate([[0.0], np.cumsum(negative_weight)])
    below = np.repeat(cumulative[first], counts)
    tied = np.repeat(cumulative[first + counts] - cumulative[first], counts)
    # A customer is never paired with itself: remove its own (1 - p) from its tie group.
    concordant = float(np.sum(order * (below + 0.5 * (tied - negative_weight))))
    pairs = float(order.sum() * negative_weight.sum() - np.sum(order * negative_weight))
    return concordant / pairs if pairs > 0 else None


def assess_performance(
    scores: np.ndarray,
    labels: np.ndarray,
    validation_auc: float,
    config: PerformanceConfig | None = None,
) -> dict[str, Any]:
    """Assess a window: CBPE always, realised AUC and decay once enough labels exist.

    `labels` aligns with `scores` and contains 1, 0 or NaN where no feedback came yet.
    """
    config = config or PerformanceConfig()
    if not 0.0 <= validation_auc <= 1.0:
        raise PerformanceError(f"validation_auc must be between 0 and 1, got {validation_auc}")
    scores = np.asarray(scores, dtype="float64").ravel()
    labels = np.asarray(labels, dtype="float64").ravel()
    if scores.size != labels.size:
        raise PerformanceError(f"{scores.size} scores but {labels.size} labels")
    known = np.isfinite(labels)
    if not np.isin(labels[known], (0.0, 1.0)).all():
        raise PerformanceError("labels must be 0, 1 or missing (NaN)")
    report: dict[str, Any] = {
        "predictions": int(scores.size),
        "labelled": int(known.sum()),
        "estimated_auc": estimate_auc(scores),
        "validation_auc": validation_auc,
        "config": asdict(config),
        "realised_auc": None,
        "auc_interval": None,
        "alarm": False,
    }
    return {**report, **_realised(scores[known], labels[known], validation_auc, config)}


def _realised(
    scores: np.ndarray, labels: np.ndarray, validation_auc: float, config: PerformanceConfig
) -> dict[str, Any]:
    if labels.size == 0:
        return {"verdict": NO_LABELS, "reason": "no prediction in the window has feedback yet"}
    if labels.size < config.min_labels:
        return {"verdict": TOO_FEW_LABELS,
                "reason": f"{labels.size} labelled predictions, fewer than {config.min_labels}"}
    positives = int(labels.sum())
    if min(positives, labels.size - positives) < 2:
        return {"verdict": ONE_CLASS,
                "reason": f"{positives} churners among {labels.size} labels; AUC needs both"}
    auc, error, low, high = delong_interval(labels, scores, config.level)
    # NOTE: the validation AUC is taken as exact, although it has its own sampling
    # error (about 0.01 on the 1,409-row Telco holdout).
    floor = validation_auc - config.margin
    found = {"realised_auc": auc, "auc_standard_error": error, "auc_interval": [low, high]}
    figures = f"AUC {auc:.3f} ({config.level:.0%} interval {low:.3f} to {high:.3f})"
    if auc < floor and high < validation_auc:
        return {**found, "verdict": DECAY, "alarm": True,
                "reason": f"{figures} is below validation {validation_auc:.3f} "
                          f"by more than the margin of {config.margin}"}
    if auc < floor:
        return {**found, "verdict": DECAY_SUSPECTED,
                "reason": f"{figures} is more than {config.margin} below validation "
                          f"{validation_auc:.3f}, but the interval reaches it"}
    return {**found, "verdict": OK,
            "reason": f"{figures} within {config.margin} of validation {validation_auc:.3f}"}


def _pair(labels: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    labels = np.asarray(labels).ravel().astype("int64")
    scores = np.asarray(scores, dtype="float64").ravel()
    if labels.size != scores.size:
        raise PerformanceError(f"{labels.size} labels but {scores.size} scores")
    return labels, scores
