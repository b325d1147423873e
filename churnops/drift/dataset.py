"""Dataset-level drift check: every feature tested, p-values corrected, one verdict.

The window drifts when at least one feature drifts. A feature drifts when its
corrected p-value is below alpha and its PSI reaches the floor (significant and
large), or when its missing values or categories outside the schema pass their
share limits. A window smaller than `min_rows` is never an alarm.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np
import pandas as pd

from churnops.drift.categorical import (
    categorical_distribution,
    compare_categorical,
    unseen_values,
)
from churnops.drift.config import DriftConfig
from churnops.drift.correction import adjust
from churnops.drift.errors import DriftError
from churnops.drift.numeric import compare_numeric, numeric_distribution
from churnops.drift.result import DRIFT, INSUFFICIENT, NO_DRIFT, Distribution, FeatureResult
from churnops.drift.verdict import decide
from churnops.drift.window import category_counts, numeric_values
from churnops.profile import validate_profile
from churnops.schema import Schema

SCORE_FIELD = "churn_probability"


def check_drift(
    profile: dict[str, Any],
    current: pd.DataFrame,
    config: DriftConfig | None = None,
    current_scores: np.ndarray | None = None,
) -> dict[str, Any]:
    """Compare a window of feature rows (and optionally its scores) with a profile."""
    config = config or DriftConfig()
    profile = validate_profile(profile)
    schema = Schema.from_dict(profile["schema"])
    absent = [name for name in schema.feature_order if name not in current.columns]
    if absent:
        raise DriftError(f"current window is missing the feature columns {absent}")
    rows = int(len(current))
    results = _feature_results(profile, schema, current, config)
    if current_scores is not None and profile.get("scores"):
        results.append(_score_result(profile["scores"], current_scores, rows, config))
    tested = [r for r in results if r.p_value is not None]
    for result, adjusted in zip(tested, adjust([r.p_value for r in tested], config.correction)):
        result.p_value_adjusted = adjusted
    for result in results:
        result.verdict, result.reason = decide(result, rows, config)
    return _report(profile, rows, results, config)


def _feature_results(profile: dict[str, Any], schema: Schema, current: pd.DataFrame,
                     config: DriftConfig) -> list[FeatureResult]:
    results = []
    for numeric in schema.numeric:
        values, missing = numeric_values(current[numeric.field], numeric.fill_blank)
        summary = profile["numeric"][numeric.field]
        results.append(_numeric_result(summary, numeric.field, values, missing, config))
    for categorical in schema.categorical:
        observed, missing = category_counts(current[categorical.field])
        summary = profile["categorical"][categorical.field]
        results.append(_categorical_result(summary, categorical.field, categorical.values,
                                           observed, missing, config))
    return results


def _score_result(summary: dict[str, Any], current_scores: np.ndarray, rows: int,
                  config: DriftConfig) -> FeatureResult:
    scores = np.asarray(current_scores, dtype="float64").ravel()
    if scores.size != rows:
        raise DriftError(f"{scores.size} scores given for a window of {rows} rows")
    present = scores[np.isfinite(scores)]
    return _numeric_result(summary, SCORE_FIELD, present, int(scores.size - present.size), config)


def _numeric_result(summary: dict[str, Any], name: str, values: np.ndarray,
                    missing: int, config: DriftConfig) -> FeatureResult:
    result = _base(summary, name, "numeric", "ks", values.size, missing)
    result.distribution = numeric_distribution(summary, values)
    if values.size >= config.min_rows and summary["count"] >= config.min_rows:
        _apply(result, compare_numeric(summary, values))
    return result


def _categorical_result(summary: dict[str, Any], name: str, allowed: tuple[str, ...],
                        observed: dict[str, int], missing: int,
                        config: DriftConfig) -> FeatureResult:
    count = sum(observed.values())
    result = _base(summary, name, "categorical", "chi2", count, missing)
    result.distribution = categorical_distribution(summary, allowed, observed)
    listed = unseen_values(allowed, observed)
    unseen = sum(n for value, n in observed.items() if value not in allowed)
    result.details = {"unseen_count": unseen, "unseen_values": listed}
    if count >= config.min_rows and summary["count"] >= config.min_rows:
        _apply(result, compare_categorical(summary, allowed, observed))
    return result


def _base(summary: dict[str, Any], name: str, kind: str, test: str,
          count: int, missing: int) -> FeatureResult:
    reference_total = summary["count"] + summary["missing"]
    total = count + missing
    return FeatureResult(
        feature=name, kind=kind, test=test, count=int(count), missing=int(missing),
        missing_share=missing / total if total else 0.0,
        reference_missing_share=summary["missing"] / reference_total if reference_total else 0.0,
        distribution=Distribution(labels=[], reference=[], current=[]),
    )


def _apply(result: FeatureResult, comparison: Any) -> None:
    result.statistic = comparison.statistic
    result.p_value = comparison.p_value
    result.psi = comparison.psi
    result.details = {**result.details, **comparison.details}


def _report(profile: dict[str, Any], rows: int, results: list[FeatureResult],
            config: DriftConfig) -> dict[str, Any]:
    drifted = [r for r in results if r.verdict == DRIFT]
    if rows < config.min_rows:
        verdict = INSUFFICIENT
        reason = f"the window has {rows} rows, fewer than the minimum of {config.min_rows}"
    elif drifted:
        verdict = DRIFT
        listed = "; ".join(f"{r.feature}: {r.reason}" for r in drifted)
        reason = f"{len(drifted)} of {len(results)} features drifted ({listed})"
    else:
        verdict = NO_DRIFT
        skipped = sum(r.verdict == INSUFFICIENT for r in results)
        reason = f"no feature drifted among {len(results) - skipped} tested"
        if skipped:
            reason += f"; {skipped} had too few values to test"
    return {
        "drift_detected": verdict == DRIFT,
        "verdict": verdict,
        "reason": reason,
        "rows": rows,
        "reference_rows": int(profile.get("rows", 0)),
        "config": asdict(config),
        "features": [r.to_dict() for r in results],
    }
