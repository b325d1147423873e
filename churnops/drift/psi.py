"""Population stability index (PSI) between two binned distributions."""

from __future__ import annotations

import numpy as np

# Half a count per bin (the Jeffreys prior) keeps log(0) out of empty bins and
# shrinks small windows only slightly: 5 counts over 10 bins of 200 rows.
SMOOTHING = 0.5


def psi(reference_counts: np.ndarray, current_counts: np.ndarray) -> float:
    """Return sum((c - r) * ln(c / r)) over bins of the smoothed shares r and c."""
    reference = np.asarray(reference_counts, dtype="float64") + SMOOTHING
    current = np.asarray(current_counts, dtype="float64") + SMOOTHING
    if reference.shape != current.shape:
        raise ValueError(
            f"bin counts differ in shape: {reference.shape} and {current.shape}"
        )
    reference /= reference.sum()
    current /= current.sum()
    return float(np.sum((current - reference) * np.log(current / reference)))
