"""Adjust p-values for testing many features at once.

Holm's step-down method bounds the chance of any false alarm (the family-wise
error rate) under any dependence between features, which suits an alarm that
starts a retrain. Benjamini-Hochberg bounds the expected share of false
findings instead: more power, more false alarms on the dataset-level "any".
"""

from __future__ import annotations

import numpy as np

from churnops.drift.errors import DriftError


def adjust(p_values: list[float], method: str) -> list[float]:
    """Return p-values adjusted by `method` ("holm", "bh" or "none"), in input order."""
    values = np.asarray(p_values, dtype="float64")
    if values.size == 0:
        return []
    if np.isnan(values).any() or (values < 0).any() or (values > 1).any():
        raise DriftError("p-values must lie between 0 and 1")
    if method == "holm":
        adjusted = holm(values)
    elif method == "bh":
        adjusted = benjamini_hochberg(values)
    elif method == "none":
        adjusted = values
    else:
        raise DriftError(f"unknown correction {method!r}; use holm, bh or none")
    return [float(p) for p in adjusted]


def holm(p_values: np.ndarray) -> np.ndarray:
    """Return Holm step-down adjusted p-values."""
    count = p_values.size
    order = np.argsort(p_values, kind="stable")
    scaled = (count - np.arange(count)) * p_values[order]
    # A later (larger) p-value may not get a smaller adjusted value than an earlier one.
    monotone = np.minimum(np.maximum.accumulate(scaled), 1.0)
    adjusted = np.empty(count)
    adjusted[order] = monotone
    return adjusted


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Return Benjamini-Hochberg step-up adjusted p-values (q-values)."""
    count = p_values.size
    order = np.argsort(p_values, kind="stable")
    scaled = p_values[order] * count / np.arange(1, count + 1)
    monotone = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    adjusted = np.empty(count)
    adjusted[order] = monotone
    return adjusted
