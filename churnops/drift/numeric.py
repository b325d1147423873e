"""Numeric features: two-sample KS test against the profile's quantile sketch.

The sketch contains 1001 `inverted_cdf` quantiles, from which the reference CDF is
rebuilt within 0.0005 at every point, ties included. The KS statistic is the
largest gap between that CDF and the window's empirical CDF. Its p-value uses the
Kolmogorov distribution with the effective size n*m/(n+m), as scipy's
`ks_2samp(method="asymp")` does. For repeated values (0/1 flags, whole months)
this p-value is conservative. PSI is taken over the profile's decile bins.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from churnops.drift.psi import psi
from churnops.drift.result import Comparison, Distribution, shares
from churnops.profile import bin_counts


def compare_numeric(summary: dict[str, Any], current: np.ndarray) -> Comparison:
    """Compare present (non-NaN) window values with a profile's numeric summary."""
    quantiles = np.asarray(summary["quantiles"], dtype="float64")
    if quantiles.size < 2 or current.size == 0:
        raise ValueError("compare_numeric needs a non-empty sketch and window")
    ordered = np.sort(current)
    statistic = ks_statistic(quantiles, ordered)
    effective = summary["count"] * ordered.size / (summary["count"] + ordered.size)
    p_value = float(stats.kstwo.sf(statistic, max(1, round(effective))))
    edges = np.asarray(summary["bin_edges"], dtype="float64")
    current_counts = bin_counts(ordered, edges)
    details = _wasserstein(quantiles, ordered, summary.get("std"))
    details["current_mean"] = float(ordered.mean())
    details["reference_mean"] = summary.get("mean")
    return Comparison(
        test="ks",
        statistic=statistic,
        p_value=min(1.0, max(0.0, p_value)),
        psi=psi(np.asarray(summary["bin_counts"]), current_counts),
        details=details,
    )


def ks_statistic(quantiles: np.ndarray, ordered: np.ndarray) -> float:
    """Return the largest gap between the sketch's CDF and the sorted window's CDF."""
    points = np.union1d(quantiles, ordered)
    reference_cdf = sketch_cdf(quantiles, points)
    current_cdf = np.searchsorted(ordered, points, side="right") / ordered.size
    return float(np.max(np.abs(reference_cdf - current_cdf)))


def sketch_cdf(quantiles: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Return the reference CDF at `points`, rebuilt from an inverted_cdf sketch."""
    # q_k <= x exactly when F(x) >= k/K, so the count of such k brackets F(x)
    # within 1/K; the midpoint of that bracket halves the error.
    steps = quantiles.size - 1
    below = np.searchsorted(quantiles, points, side="right")
    return np.clip((below - 0.5) / steps, 0.0, 1.0)


def numeric_distribution(summary: dict[str, Any], current: np.ndarray) -> Distribution:
    """Return the decile-bin shares of the reference and the window, with bin labels."""
    edges = np.asarray(summary["bin_edges"], dtype="float64")
    if summary["count"] == 0:
        return Distribution(labels=[], reference=[], current=[])
    labels = _bin_labels(edges)
    counts = bin_counts(current, edges) if current.size else np.zeros(edges.size + 1)
    return Distribution(
        labels=labels, reference=shares(summary["bin_counts"]), current=shares(counts)
    )


def _wasserstein(quantiles: np.ndarray, ordered: np.ndarray, std: float | None) -> dict[str, Any]:
    probabilities = np.linspace(0.0, 1.0, quantiles.size)
    current_quantiles = np.quantile(ordered, probabilities, method="inverted_cdf")
    distance = float(np.mean(np.abs(current_quantiles - quantiles)))
    normed = distance / std if std else None
    return {"wasserstein": distance, "wasserstein_normed": normed}


def _bin_labels(edges: np.ndarray) -> list[str]:
    if edges.size == 0:
        return ["all values"]
    texts = [f"{edge:g}" for edge in edges]
    labels = [f"<= {texts[0]}"]
    labels += [f"{low} to {high}" for low, high in zip(texts, texts[1:])]
    labels.append(f"> {texts[-1]}")
    return labels
