"""Categorical features: chi-square test of homogeneity on the category counts.

The 2 x k table contains the profile's counts per allowed value and the window's,
plus one column for values outside the schema ("unseen"). Yates' continuity
correction is off: it only applies to 2 x 2 tables and makes them conservative.
Columns empty in both rows are dropped, because they carry no information.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy import stats

from churnops.drift.psi import psi
from churnops.drift.result import Comparison, Distribution, shares

UNSEEN_LABEL = "(not in schema)"
UNSEEN_LISTED_MAX = 10
VALUE_TEXT_MAX = 50


def compare_categorical(
    summary: dict[str, Any], allowed: tuple[str, ...], observed: Mapping[str, int]
) -> Comparison:
    """Compare the window's count per value with a profile's category counts."""
    reference_counts, current_counts = _tables(summary, allowed, observed)
    if current_counts.sum() == 0:
        raise ValueError("compare_categorical needs a non-empty window")
    table = np.vstack([reference_counts, current_counts])
    table = table[:, table.sum(axis=0) > 0]
    statistic, p_value = chi_square_homogeneity(table)
    return Comparison(
        test="chi2",
        statistic=statistic,
        p_value=p_value,
        psi=psi(reference_counts, current_counts),
        details={"degrees_of_freedom": max(0, table.shape[1] - 1)},
    )


def chi_square_homogeneity(table: np.ndarray) -> tuple[float, float]:
    """Return Pearson's chi-square statistic and p-value for a 2 x k table of counts.

    The same figures as `scipy.stats.chi2_contingency(table, correction=False)`,
    without its per-call overhead, which dominated the check's run time.
    """
    if table.shape[1] < 2:
        return 0.0, 1.0
    total = table.sum()
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / total
    statistic = float(np.sum((table - expected) ** 2 / expected))
    return statistic, float(stats.chi2.sf(statistic, table.shape[1] - 1))


def unseen_values(allowed: tuple[str, ...], observed: Mapping[str, int]) -> list[dict[str, Any]]:
    """List the most frequent window values outside the schema, with their counts."""
    unseen = [(count, value) for value, count in observed.items() if value not in allowed]
    unseen.sort(key=lambda item: (-item[0], item[1]))
    return [
        {"value": value[:VALUE_TEXT_MAX], "count": count}
        for count, value in unseen[:UNSEEN_LISTED_MAX]
    ]


def categorical_distribution(
    summary: dict[str, Any], allowed: tuple[str, ...], observed: Mapping[str, int]
) -> Distribution:
    """Return the shares per allowed value (plus unseen, when any) for the report."""
    reference_counts, current_counts = _tables(summary, allowed, observed)
    labels = list(allowed)
    if current_counts[-1] == 0:
        reference_counts, current_counts = reference_counts[:-1], current_counts[:-1]
    else:
        labels.append(UNSEEN_LABEL)
    return Distribution(
        labels=labels, reference=shares(reference_counts), current=shares(current_counts)
    )


def _tables(
    summary: dict[str, Any], allowed: tuple[str, ...], observed: Mapping[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    unseen = sum(count for value, count in observed.items() if value not in allowed)
    reference = [int(summary["counts"].get(value, 0)) for value in allowed] + [0]
    window = [int(observed.get(value, 0)) for value in allowed] + [unseen]
    return np.asarray(reference), np.asarray(window)
