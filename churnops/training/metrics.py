"""Holdout metrics, calibration table and decision-threshold choice."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import (
    brier_score_loss,
    f1_score,
    log_loss,
    precision_recall_curve,
    precision_score,
    recall_score,
    roc_auc_score,
)

CALIBRATION_BINS = 10


def choose_threshold(labels: np.ndarray, scores: np.ndarray) -> float:
    """Return the probability cut-off that maximises F1 on out-of-fold scores.

    It is chosen on the training part only, never on the holdout. F1 balances
    the retention team's two costs: calls wasted on loyal customers (precision)
    and churners never called (recall).
    """
    precision, recall, thresholds = precision_recall_curve(labels, scores)
    f1 = np.divide(
        2 * precision * recall,
        precision + recall,
        out=np.zeros_like(precision),
        where=(precision + recall) > 0,
    )
    best = int(np.argmax(f1[:-1]))
    return float(thresholds[best])


def holdout_metrics(labels: np.ndarray, scores: np.ndarray, threshold: float) -> dict[str, Any]:
    """Score the holdout once: ranking, decision and calibration quality."""
    decisions = (scores >= threshold).astype(int)
    return {
        "auc": float(roc_auc_score(labels, scores)),
        "precision": float(precision_score(labels, decisions, zero_division=0)),
        "recall": float(recall_score(labels, decisions, zero_division=0)),
        "f1": float(f1_score(labels, decisions, zero_division=0)),
        "accuracy": float(np.mean(decisions == labels)),
        "brier": float(brier_score_loss(labels, scores)),
        "log_loss": float(log_loss(labels, np.clip(scores, 1e-15, 1 - 1e-15))),
        "threshold": threshold,
        "rows": int(len(labels)),
        "positives": int(labels.sum()),
        "calibration": calibration_table(labels, scores),
    }


def calibration_table(labels: np.ndarray, scores: np.ndarray) -> list[dict[str, Any]]:
    """Compare mean predicted probability with the observed churn rate per bin."""
    edges = np.linspace(0.0, 1.0, CALIBRATION_BINS + 1)
    bins = np.clip(np.digitize(scores, edges[1:-1]), 0, CALIBRATION_BINS - 1)
    table = []
    for index in range(CALIBRATION_BINS):
        members = bins == index
        count = int(members.sum())
        table.append(
            {
                "bin_lower": float(edges[index]),
                "bin_upper": float(edges[index + 1]),
                "count": count,
                "mean_predicted": float(scores[members].mean()) if count else None,
                "observed_rate": float(labels[members].mean()) if count else None,
            }
        )
    return table
