"""One training run: split, compare families, refit, score, export, write.

The holdout is split off first and is scored once, after the winner is chosen and
refit. Model selection and the decision threshold use cross-validation on the
training part only.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from churnops.data import Dataset
from churnops.errors import ChurnopsError
from churnops.export import PARITY_TOLERANCE, check_parity, to_onnx
from churnops.schema import Schema
from churnops.training import outputs
from churnops.training.candidates import (
    DEFAULT_FAMILIES,
    FAMILIES,
    build_pipeline,
    round_tree_thresholds,
)
from churnops.training.metrics import choose_threshold, holdout_metrics

Progress = Callable[[str], None]


@dataclass(frozen=True)
class TrainingConfig:
    """Settings of a training run; the defaults are those of `churnops train`."""

    seed: int = 42
    holdout_fraction: float = 0.2
    cv_folds: int = 5
    families: Sequence[str] = DEFAULT_FAMILIES
    parity_tolerance: float = PARITY_TOLERANCE

    def __post_init__(self) -> None:
        unknown = [name for name in self.families if name not in FAMILIES]
        if unknown or not self.families:
            raise TrainingError(
                f"unknown model families {unknown or '(none given)'}; choose from {sorted(FAMILIES)}"
            )
        if not 0.05 <= self.holdout_fraction <= 0.5:
            raise TrainingError(f"holdout fraction must be 0.05-0.5, got {self.holdout_fraction}")
        if self.cv_folds < 2:
            raise TrainingError(f"cross-validation needs at least 2 folds, got {self.cv_folds}")


class TrainingError(ChurnopsError, ValueError):
    """Training settings or data cannot produce a trustworthy model."""


def check_trainable(labels: np.ndarray, config: TrainingConfig) -> None:
    """Raise TrainingError unless each class has enough rows for the holdout and the folds."""
    churned = int(labels.sum())
    stayed = int(len(labels) - churned)
    needed = max(10, int(np.ceil(2 * config.cv_folds / (1 - config.holdout_fraction))))
    if min(churned, stayed) < needed:
        raise TrainingError(
            f"training needs at least {needed} customers of each class for a holdout and "
            f"{config.cv_folds} folds; the data has {churned} churned and {stayed} stayed"
        )


def train(
    dataset: Dataset,
    schema: Schema,
    out_dir: Path,
    config: TrainingConfig = TrainingConfig(),
    progress: Progress = lambda message: None,
) -> dict[str, Any]:
    """Train, gate and write a model directory; return the run record."""
    check_trainable(dataset.labels, config)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    split = train_test_split(
        dataset.features,
        dataset.labels,
        test_size=config.holdout_fraction,
        stratify=dataset.labels,
        random_state=config.seed,
    )
    train_x, holdout_x, train_y, holdout_y = split
    progress(f"split {dataset.rows} rows: {len(train_y)} training, {len(holdout_y)} holdout")

    selection, oof_scores = _compare_families(train_x, train_y, schema, config, progress)
    winner = max(selection, key=lambda name: selection[name]["cv_auc_mean"])
    threshold = choose_threshold(train_y, oof_scores[winner])
    timings["cross_validation_s"] = time.perf_counter() - started
    progress(f"winner: {winner} (cv AUC {selection[winner]['cv_auc_mean']:.4f})")

    refit_started = time.perf_counter()
    pipeline = build_pipeline(winner, schema, config.seed).fit(train_x, train_y)
    round_tree_thresholds(pipeline)
    timings["refit_s"] = time.perf_counter() - refit_started
    holdout = holdout_metrics(holdout_y, pipeline.predict_proba(holdout_x)[:, 1], threshold)
    progress(f"holdout AUC {holdout['auc']:.4f}, Brier {holdout['brier']:.4f}")

    export_started = time.perf_counter()
    onnx_bytes = to_onnx(pipeline, schema, {"threshold": threshold, "family": winner, "run_id": run_id})
    parity = check_parity(pipeline, onnx_bytes, holdout_x, config.parity_tolerance)
    timings["export_and_parity_s"] = time.perf_counter() - export_started
    progress(f"parity gate passed: max |ONNX - scikit-learn| = {parity['max_abs_diff']:.2e}")

    record = {
        "run_id": run_id,
        "created_at": datetime.now(UTC).isoformat(),
        "schema": schema.to_dict(),
        "data": outputs.data_section(dataset),
        "params": outputs.params_section(config, len(train_y), len(holdout_y)),
        "selection": selection,
        "model": {"family": winner, "params": FAMILIES[winner].params, "threshold": threshold},
        "holdout": holdout,
        "parity": parity,
    }
    timings["total_s"] = time.perf_counter() - started
    outputs.write_model_dir(out_dir, onnx_bytes, record, timings, train_x, schema, holdout_x, pipeline)
    return record


def _compare_families(
    features, labels: np.ndarray, schema: Schema, config: TrainingConfig, progress: Progress
) -> tuple[dict[str, dict[str, Any]], dict[str, np.ndarray]]:
    folds = StratifiedKFold(config.cv_folds, shuffle=True, random_state=config.seed)
    selection: dict[str, dict[str, Any]] = {}
    oof_scores: dict[str, np.ndarray] = {}
    for family in config.families:
        started = time.perf_counter()
        template = build_pipeline(family, schema, config.seed)
        scores = np.zeros(len(labels))
        fold_aucs = []
        for fold, (fit_rows, score_rows) in enumerate(folds.split(features, labels), start=1):
            progress(f"cross-validating {family}: fold {fold}/{config.cv_folds}")
            model = clone(template).fit(features.iloc[fit_rows], labels[fit_rows])
            scores[score_rows] = model.predict_proba(features.iloc[score_rows])[:, 1]
            fold_aucs.append(float(roc_auc_score(labels[score_rows], scores[score_rows])))
        selection[family] = {
            "cv_auc_mean": float(np.mean(fold_aucs)),
            "cv_auc_std": float(np.std(fold_aucs)),
            "cv_fold_aucs": fold_aucs,
            "seconds": time.perf_counter() - started,
        }
        oof_scores[family] = scores
        progress(f"{family}: cv AUC {np.mean(fold_aucs):.4f} +/- {np.std(fold_aucs):.4f}")
    return selection, oof_scores
