"""Numeric comparison: KS against the quantile sketch, PSI and Wasserstein distance."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from churnops.drift.numeric import compare_numeric, ks_statistic, numeric_distribution, sketch_cdf
from churnops.drift.psi import psi
from churnops.profile import numeric_summary


@pytest.mark.parametrize(
    ("reference", "current"),
    [
        ("normal", "normal_shifted"),
        ("normal", "normal"),
        ("integers", "integers_shifted"),
        ("binary", "binary_shifted"),
    ],
)
def test_ks_matches_scipy_on_raw_data(reference: str, current: str) -> None:
    # GIVEN samples with and without ties
    rng = np.random.default_rng(3)
    samples = {
        "normal": rng.normal(50, 10, 4000),
        "normal_shifted": rng.normal(52, 10, 800),
        "integers": rng.integers(0, 73, 4000).astype(float),
        "integers_shifted": rng.integers(5, 73, 800).astype(float),
        "binary": (rng.uniform(size=4000) < 0.16).astype(float),
        "binary_shifted": (rng.uniform(size=800) < 0.25).astype(float),
    }
    reference_values, current_values = samples[reference], samples[current]
    # WHEN the sketch-based KS runs
    comparison = compare_numeric(numeric_summary(reference_values), current_values)
    expected = stats.ks_2samp(reference_values, current_values, method="asymp")
    # THEN it agrees with scipy on the raw samples within the sketch's resolution
    assert comparison.statistic == pytest.approx(expected.statistic, abs=0.001)
    assert comparison.p_value == pytest.approx(expected.pvalue, rel=0.2, abs=1e-6)


def test_sketch_cdf_within_half_step() -> None:
    values = np.random.default_rng(4).gamma(2.0, 30.0, 10_000)
    quantiles = np.asarray(numeric_summary(values)["quantiles"])
    points = np.linspace(0, 300, 301)
    exact = np.searchsorted(np.sort(values), points, side="right") / values.size
    assert np.max(np.abs(sketch_cdf(quantiles, points) - exact)) <= 0.0006


def test_ks_statistic_identical_is_small() -> None:
    values = np.random.default_rng(5).normal(size=2000)
    quantiles = np.asarray(numeric_summary(values)["quantiles"])
    assert ks_statistic(quantiles, np.sort(values)) <= 0.001


def test_constant_reference_and_window() -> None:
    summary = numeric_summary(np.full(500, 7.0))
    same = compare_numeric(summary, np.full(200, 7.0))
    moved = compare_numeric(summary, np.full(200, 8.0))
    assert same.statistic == pytest.approx(0.0, abs=0.001)
    assert same.p_value == pytest.approx(1.0)
    assert same.details["wasserstein_normed"] is None
    assert moved.statistic == pytest.approx(1.0, abs=0.001)
    assert moved.p_value < 1e-10
    assert moved.psi > 1.0


def test_wasserstein_of_location_shift() -> None:
    rng = np.random.default_rng(6)
    reference = rng.normal(0.0, 2.0, 5000)
    comparison = compare_numeric(numeric_summary(reference), reference + 1.0)
    assert comparison.details["wasserstein"] == pytest.approx(1.0, abs=0.02)
    assert comparison.details["wasserstein_normed"] == pytest.approx(0.5, abs=0.02)


def test_compare_numeric_rejects_empty_window() -> None:
    summary = numeric_summary(np.arange(10.0))
    with pytest.raises(ValueError, match="non-empty sketch and window"):
        compare_numeric(summary, np.array([]))


def test_psi_identical_is_zero() -> None:
    counts = np.array([120, 300, 80])
    assert psi(counts, counts) == pytest.approx(0.0, abs=1e-12)
    assert psi(counts, 3 * counts) == pytest.approx(0.0, abs=1e-4)


def test_psi_known_value() -> None:
    # Shares 0.5/0.5 against 0.8/0.2 (smoothing of 0.5 per bin moves them slightly).
    reference = np.array([5000, 5000])
    current = np.array([8000, 2000])
    r = (reference + 0.5) / 10_001
    c = (current + 0.5) / 10_001
    expected = float(np.sum((c - r) * np.log(c / r)))
    assert psi(reference, current) == pytest.approx(expected)
    assert psi(reference, current) == pytest.approx(0.416, abs=0.001)


def test_psi_empty_bin_is_finite() -> None:
    value = psi(np.array([0, 100, 100]), np.array([50, 100, 50]))
    assert np.isfinite(value)
    assert value > 0.5


def test_psi_rejects_shape_mismatch() -> None:
    with pytest.raises(ValueError, match="differ in shape"):
        psi(np.array([1, 2]), np.array([1, 2, 3]))


def test_distribution_shares_sum_to_one() -> None:
    rng = np.random.default_rng(8)
    summary = numeric_summary(rng.normal(size=1000))
    distribution = numeric_distribution(summary, rng.normal(size=300))
    assert len(distribution.labels) == len(distribution.reference) == len(distribution.current)
    assert sum(distribution.reference) == pytest.approx(1.0)
    assert sum(distribution.current) == pytest.approx(1.0)
    assert distribution.labels[0].startswith("<= ")
    assert distribution.labels[-1].startswith("> ")
