"""Categorical comparison: chi-square of homogeneity, PSI and values outside the schema."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from churnops.drift.categorical import (
    UNSEEN_LABEL,
    categorical_distribution,
    chi_square_homogeneity,
    compare_categorical,
    unseen_values,
)

ALLOWED = ("basic", "plus", "pro")
SUMMARY = {"count": 1000, "missing": 0, "counts": {"basic": 500, "plus": 300, "pro": 200}}


@pytest.mark.parametrize(
    "table",
    [
        [[500, 300, 200], [260, 140, 100]],
        [[500, 300, 200], [100, 300, 100]],
        [[900, 100], [170, 30]],
    ],
)
def test_chi_square_matches_scipy(table: list[list[int]]) -> None:
    counts = np.array(table)
    expected = stats.chi2_contingency(counts, correction=False)
    statistic, p_value = chi_square_homogeneity(counts)
    assert statistic == pytest.approx(expected.statistic)
    assert p_value == pytest.approx(expected.pvalue)


def test_same_shares_not_significant() -> None:
    comparison = compare_categorical(SUMMARY, ALLOWED, {"basic": 250, "plus": 150, "pro": 100})
    assert comparison.test == "chi2"
    assert comparison.statistic == pytest.approx(0.0, abs=1e-9)
    assert comparison.p_value == pytest.approx(1.0)
    assert comparison.psi < 0.001
    assert comparison.details["degrees_of_freedom"] == 2


def test_shifted_shares_significant() -> None:
    comparison = compare_categorical(SUMMARY, ALLOWED, {"basic": 100, "plus": 150, "pro": 250})
    assert comparison.p_value < 1e-20
    assert comparison.psi > 0.5


def test_unseen_category_enters_the_table() -> None:
    # GIVEN a window where 5% of rows carry a plan the schema does not list
    observed = {"basic": 240, "plus": 142, "pro": 93, "gold": 25}
    # WHEN compared
    comparison = compare_categorical(SUMMARY, ALLOWED, observed)
    # THEN the extra column alone makes the difference significant
    assert comparison.details["degrees_of_freedom"] == 3
    assert comparison.p_value < 1e-6
    assert comparison.psi > 0.1


def test_unseen_values_listed_by_count() -> None:
    observed = {"basic": 10, "gold": 3, "silver": 5, "platinum": 3}
    listed = unseen_values(ALLOWED, observed)
    assert listed == [
        {"value": "silver", "count": 5},
        {"value": "gold", "count": 3},
        {"value": "platinum", "count": 3},
    ]


def test_unseen_values_truncated() -> None:
    observed = {f"value-{i}-" + "x" * 80: i + 1 for i in range(15)}
    listed = unseen_values(ALLOWED, observed)
    assert len(listed) == 10
    assert all(len(item["value"]) == 50 for item in listed)
    assert listed[0]["count"] == 15


def test_single_category_in_both() -> None:
    summary = {"count": 100, "missing": 0, "counts": {"basic": 100, "plus": 0, "pro": 0}}
    comparison = compare_categorical(summary, ALLOWED, {"basic": 40})
    assert comparison.statistic == 0.0
    assert comparison.p_value == 1.0


def test_empty_window_rejected() -> None:
    with pytest.raises(ValueError, match="non-empty window"):
        compare_categorical(SUMMARY, ALLOWED, {})


def test_distribution_adds_unseen_bar_only_when_present() -> None:
    plain = categorical_distribution(SUMMARY, ALLOWED, {"basic": 5, "plus": 5})
    extra = categorical_distribution(SUMMARY, ALLOWED, {"basic": 5, "gold": 5})
    assert plain.labels == list(ALLOWED)
    assert plain.current == pytest.approx([0.5, 0.5, 0.0])
    assert extra.labels == [*ALLOWED, UNSEEN_LABEL]
    assert extra.current == pytest.approx([0.5, 0.0, 0.0, 0.5])
    assert extra.reference[-1] == 0.0
