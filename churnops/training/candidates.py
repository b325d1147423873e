"""Model families that compete for a training run, as scikit-learn pipelines.

Every pipeline takes the raw schema fields and ends in a classifier, so that the
whole of it exports to one ONNX graph. Tree pipelines skip scaling and cast the
features to float32 themselves: scikit-learn trees compare float32 features, and
doing the cast inside the pipeline makes the ONNX graph do exactly the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from skl2onnx.sklapi import CastTransformer

from churnops.schema import Schema
from churnops.training import FAMILY_NAMES


@dataclass(frozen=True)
class Family:
    """A named classifier with its fixed hyperparameters."""

    name: str
    params: dict[str, Any]
    make_classifier: Callable[..., Any]
    is_tree_ensemble: bool
    extra: dict[str, Any] = field(default_factory=dict)


FAMILIES: dict[str, Family] = {
    "logistic_regression": Family(
        name="logistic_regression",
        params={"C": 1.0, "max_iter": 2000},
        make_classifier=LogisticRegression,
        is_tree_ensemble=False,
    ),
    # The case study's model: 100 trees of depth at most 10.
    "random_forest": Family(
        name="random_forest",
        params={"n_estimators": 100, "max_depth": 10, "n_jobs": -1},
        make_classifier=RandomForestClassifier,
        is_tree_ensemble=True,
    ),
    "gradient_boosting": Family(
        name="gradient_boosting",
        params={"n_estimators": 150, "max_depth": 3, "learning_rate": 0.05, "subsample": 0.8},
        make_classifier=GradientBoostingClassifier,
        is_tree_ensemble=True,
    ),
}

DEFAULT_FAMILIES = FAMILY_NAMES
assert tuple(FAMILIES) == FAMILY_NAMES, "churnops.training.FAMILY_NAMES is out of date"


def build_pipeline(family_name: str, schema: Schema, seed: int) -> Pipeline:
    """Build an unfitted pipeline from raw fields to churn probability."""
    try:
        family = FAMILIES[family_name]
    except KeyError as exc:
        raise ValueError(
            f"unknown model family {family_name!r}; choose from {sorted(FAMILIES)}"
        ) from exc
    params = dict(family.params)
    if family.name != "logistic_regression":
        params["random_state"] = seed
    classifier = family.make_classifier(**params)
    encoder = OneHotEncoder(
        categories=[list(f.values) for f in schema.categorical], handle_unknown="ignore"
    )
    numeric_step = "passthrough" if family.is_tree_ensemble else StandardScaler()
    preprocess = ColumnTransformer(
        [("numeric", numeric_step, schema.numeric_fields), ("categorical", encoder, schema.categorical_fields)],
        sparse_threshold=0.0,
    )
    steps: list[tuple[str, Any]] = [("preprocess", preprocess)]
    if family.is_tree_ensemble:
        steps.append(("to_float32", CastTransformer(dtype=np.float32)))
    steps.append(("classifier", classifier))
    return Pipeline(steps)


def round_tree_thresholds(pipeline: Pipeline) -> int:
    """Round every split threshold down to the nearest float32; return how many moved.

    scikit-learn compares float32 features with float64 thresholds, while ONNX
    tree operators store float32 thresholds. For a float32 value x, `x <= t` is true
    exactly when `x <= float32_round_down(t)`, so this leaves scikit-learn's
    predictions bit for bit unchanged and makes the ONNX export decide the same.
    """
    classifier = pipeline[-1]
    estimators = getattr(classifier, "estimators_", None)
    if estimators is None:
        return 0
    moved = 0
    for estimator in np.ravel(estimators):
        thresholds = estimator.tree_.threshold
        as_float32 = thresholds.astype(np.float32)
        too_high = as_float32.astype(np.float64) > thresholds
        rounded = np.where(too_high, np.nextafter(as_float32, np.float32(-np.inf)), as_float32)
        moved += int(np.count_nonzero(rounded.astype(np.float64) != thresholds))
        thresholds[:] = rounded.astype(np.float64)
    return moved
