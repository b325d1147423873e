"""Realised AUC with a DeLong interval, CBPE estimate and the decay verdict."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from churnops.performance import (
    PerformanceConfig,
    PerformanceError,
    assess_performance,
    delong_interval,
    estimate_auc,
    roc_auc,
)


def calibrated_window(rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Return scores and labels drawn so that the scores are calibrated by construction."""
    rng = np.random.default_rng(seed)
    scores = rng.beta(1.2, 3.0, rows)
    return scores, (rng.uniform(size=rows) < scores).astype(float)


def brute_force_placements(labels: np.ndarray, scores: np.ndarray) -> np.ndarray:
    positive = scores[labels == 1][:, None]
    negative = scores[labels == 0][None, :]
    return (positive > negative) + 0.5 * (positive == negative)


def test_roc_auc_matches_sklearn_with_ties() -> None:
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, 500)
    scores = np.round(rng.uniform(size=500) + 0.3 * labels, 1)
    assert roc_auc(labels, scores) == pytest.approx(roc_auc_score(labels, scores))


def test_roc_auc_needs_both_classes() -> None:
    with pytest.raises(PerformanceError, match="one positive and one negative"):
        roc_auc(np.ones(10), np.linspace(0, 1, 10))


def test_delong_matches_brute_force() -> None:
    rng = np.random.default_rng(2)
    labels = rng.integers(0, 2, 300)
    scores = np.round(rng.uniform(size=300) + 0.4 * labels, 2)
    psi = brute_force_placements(labels, scores)
    row_means, column_means = psi.mean(axis=1), psi.mean(axis=0)
    variance = row_means.var(ddof=1) / row_means.size + column_means.var(ddof=1) / column_means.size
    auc, error, low, high = delong_interval(labels, scores, level=0.95)
    assert auc == pytest.approx(psi.mean())
    assert error == pytest.approx(np.sqrt(variance))
    assert low == pytest.approx(auc - 1.959964 * error, abs=1e-6)
    assert high == pytest.approx(auc + 1.959964 * error, abs=1e-6)


def test_estimate_matches_pairwise_definition() -> None:
    scores = np.array([0.1, 0.3, 0.3, 0.6, 0.9, 0.05, 0.3])
    weights = scores[:, None] * (1 - scores[None, :])
    ordered = (scores[:, None] > scores[None, :]) + 0.5 * (scores[:, None] == scores[None, :])
    np.fill_diagonal(weights, 0.0)
    expected = float(np.sum(weights * ordered) / np.sum(weights))
    assert estimate_auc(scores) == pytest.approx(expected)


def test_estimate_close_to_realised_when_calibrated() -> None:
    # GIVEN windows whose labels follow the scores exactly
    realised, estimated = [], []
    for seed in range(30):
        scores, labels = calibrated_window(2000, seed)
        realised.append(roc_auc(labels, scores))
        estimated.append(estimate_auc(scores))
    # THEN the CBPE estimate is unbiased to within a few thousandths
    assert np.mean(estimated) == pytest.approx(np.mean(realised), abs=0.005)


def test_estimate_edge_cases() -> None:
    assert estimate_auc(np.array([])) is None
    assert estimate_auc(np.array([0.4])) is None
    assert estimate_auc(np.array([0.0, 0.0, 1.0, 1.0])) == pytest.approx(1.0)
    with pytest.raises(PerformanceError, match="between 0 and 1"):
        estimate_auc(np.array([0.2, 1.2]))


def test_window_without_feedback() -> None:
    scores, _ = calibrated_window(500, seed=3)
    report = assess_performance(scores, np.full(500, np.nan), validation_auc=0.84)
    assert report["verdict"] == "no labels yet"
    assert report["labelled"] == 0
    assert report["realised_auc"] is None
    assert report["alarm"] is False
    assert 0.5 < report["estimated_auc"] < 1.0


def test_too_few_labels() -> None:
    scores, labels = calibrated_window(500, seed=4)
    labels[60:] = np.nan
    report = assess_performance(scores, labels, validation_auc=0.84)
    assert report["verdict"] == "insufficient labels"
    assert report["labelled"] == 60
    assert report["alarm"] is False
    assert "fewer than 100" in report["reason"]


def test_healthy_model_ok() -> None:
    scores, labels = calibrated_window(1000, seed=5)
    validation = roc_auc(labels, scores)
    report = assess_performance(scores, labels, validation_auc=validation)
    assert report["verdict"] == "ok"
    assert report["alarm"] is False
    low, high = report["auc_interval"]
    assert low < report["realised_auc"] < high


def test_decayed_model_alarms() -> None:
    # GIVEN labels that no longer follow the scores at all
    rng = np.random.default_rng(6)
    scores = rng.uniform(size=1000)
    labels = (rng.uniform(size=1000) < 0.3).astype(float)
    report = assess_performance(scores, labels, validation_auc=0.84)
    assert report["verdict"] == "decay"
    assert report["alarm"] is True
    assert report["auc_interval"][1] < 0.84


def test_small_decay_only_suspected() -> None:
    scores, labels = calibrated_window(120, seed=7)
    realised = roc_auc(labels, scores)
    report = assess_performance(scores, labels, validation_auc=realised + 0.06)
    assert report["verdict"] == "decay suspected"
    assert report["alarm"] is False


def test_one_class_labels() -> None:
    scores, _ = calibrated_window(200, seed=8)
    report = assess_performance(scores, np.zeros(200), validation_auc=0.84)
    assert report["verdict"] == "one class only"
    assert report["alarm"] is False


@pytest.mark.parametrize(
    ("scores", "labels", "validation", "message"),
    [
        (np.ones(3) * 0.5, np.array([0, 1]), 0.8, "3 scores but 2 labels"),
        (np.ones(2) * 0.5, np.array([0, 2]), 0.8, "labels must be 0, 1 or missing"),
        (np.ones(2) * 0.5, np.array([0, 1]), 1.3, "validation_auc must be between 0 and 1"),
    ],
)
def test_invalid_input(
    scores: np.ndarray, labels: np.ndarray, validation: float, message: str
) -> None:
    with pytest.raises(PerformanceError, match=message):
        assess_performance(scores, labels, validation_auc=validation)


def test_config_rejects_bad_values() -> None:
    with pytest.raises(PerformanceError, match="min_labels must be at least 2"):
        PerformanceConfig(min_labels=1)
    with pytest.raises(PerformanceError, match="level must be between 0.5 and 1"):
        PerformanceConfig(level=1.0)
