"""Reference profile of the training features, written next to model.onnx.

Drift checks compare a window of production data with this profile, so the
monitor never needs the training CSV. Per numeric feature it stores a quantile
sketch fine enough to rebuild the empirical CDF within 0.0005 (for the KS test
and the Wasserstein distance) plus decile bins with their counts (for PSI and the
HTML report). Per categorical feature it stores the count of every allowed value.
Both store the missing count. The model's holdout scores, when given, are
profiled like a numeric feature so prediction drift can be tested too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from churnops.errors import ChurnopsError
from churnops.schema import Schema, SchemaError

PROFILE_FORMAT = "churnops.profile/1"
QUANTILE_COUNT = 1001
BIN_COUNT = 10


class ProfileError(ChurnopsError, ValueError):
    """A reference profile cannot be built or read."""


def build_profile(
    features: pd.DataFrame, schema: Schema, scores: np.ndarray | None = None
) -> dict[str, Any]:
    """Build the JSON-serialisable reference profile of training features and scores."""
    absent = [name for name in schema.feature_order if name not in features.columns]
    if absent:
        raise ProfileError(f"features frame is missing the fields {absent}")
    numeric = {
        feature.field: numeric_summary(_numeric_values(features[feature.field], feature.field))
        for feature in schema.numeric
    }
    categorical = {
        feature.field: _categorical_summary(features[feature.field], feature.field, feature.values)
        for feature in schema.categorical
    }
    return {
        "format": PROFILE_FORMAT,
        "rows": int(len(features)),
        "schema": schema.to_dict(),
        "numeric": numeric,
        "categorical": categorical,
        "scores": None if scores is None else _score_summary(scores),
    }


def numeric_summary(values: np.ndarray) -> dict[str, Any]:
    """Summarise one numeric column: counts, moments, quantile sketch and decile bins.

    `values` may contain NaN, which is counted as missing. The sketch contains the
    `inverted_cdf` quantiles at probabilities 0, 1/1000, ..., 1, so every entry
    is an observed value and repeated values (0/1 flags, integer months) survive.
    """
    present = values[~np.isnan(values)]
    summary: dict[str, Any] = {
        "count": int(present.size),
        "missing": int(values.size - present.size),
    }
    if present.size == 0:
        return {**summary, "min": None, "max": None, "mean": None, "std": None,
                "quantiles": [], "bin_edges": [], "bin_counts": []}
    probabilities = np.linspace(0.0, 1.0, QUANTILE_COUNT)
    quantiles = np.quantile(present, probabilities, method="inverted_cdf")
    edges = bin_edges(present)
    return {
        **summary,
        "min": float(present.min()),
        "max": float(present.max()),
        "mean": float(present.mean()),
        "std": float(present.std()),
        "quantiles": [float(q) for q in quantiles],
        "bin_edges": [float(e) for e in edges],
        "bin_counts": [int(c) for c in bin_counts(present, edges)],
    }


def bin_edges(values: np.ndarray) -> np.ndarray:
    """Return the distinct inner decile edges; bin i contains edges[i-1] < x <= edges[i]."""
    inner = np.quantile(values, np.linspace(0.0, 1.0, BIN_COUNT + 1)[1:-1], method="inverted_cdf")
    edges = np.unique(inner)
    # The top edge equal to the maximum would leave an always-empty last bin.
    return edges[edges < values.max()] if edges.size > 1 else edges


def bin_counts(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Count values per bin of `edges` (len(edges) + 1 bins, open at both ends)."""
    return np.bincount(np.searchsorted(edges, values, side="left"), minlength=edges.size + 1)


def load_profile(path: str | Path) -> dict[str, Any]:
    """Read a profile JSON file and check its format and sections."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ProfileError(f"profile file not found: {path}") from exc
    except json.JSONDecodeError as exc:
        raise ProfileError(f"profile file {path} is not valid JSON: {exc}") from exc
    return validate_profile(raw)


def validate_profile(raw: Any) -> dict[str, Any]:
    """Return `raw` if it is a profile this version reads, else raise ProfileError."""
    if not isinstance(raw, dict) or raw.get("format") != PROFILE_FORMAT:
        found = raw.get("format") if isinstance(raw, dict) else type(raw).__name__
        raise ProfileError(f"profile format is {found!r}, expected {PROFILE_FORMAT!r}")
    for section in ("schema", "numeric", "categorical"):
        if not isinstance(raw.get(section), dict):
            raise ProfileError(f"profile is missing the section {section!r}")
    try:
        schema = Schema.from_dict(raw["schema"])
    except SchemaError as exc:
        raise ProfileError(f"profile schema is invalid: {exc}") from exc
    absent = [f for f in schema.numeric_fields if f not in raw["numeric"]]
    absent += [f for f in schema.categorical_fields if f not in raw["categorical"]]
    if absent:
        raise ProfileError(f"profile has no summary for the fields {absent}")
    return raw


def _numeric_values(column: pd.Series, name: str) -> np.ndarray:
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype="float64")
    invalid = int(np.isnan(values).sum() - column.isna().sum())
    if invalid:
        raise ProfileError(f"field {name!r}: {invalid} values are not numeric")
    if np.isinf(values).any():
        raise ProfileError(f"field {name!r}: contains infinite values")
    return values


def _categorical_summary(column: pd.Series, name: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    missing = column.isna() | (column.astype(str).str.strip() == "")
    present = column[~missing].astype(str).str.strip()
    unknown = sorted(set(present) - set(allowed))
    if unknown:
        raise ProfileError(
            f"field {name!r}: values {unknown[:5]} are not in the schema's allowed values"
        )
    counts = present.value_counts()
    return {
        "count": int(present.size),
        "missing": int(missing.sum()),
        "counts": {value: int(counts.get(value, 0)) for value in allowed},
    }


def _score_summary(scores: np.ndarray) -> dict[str, Any]:
    values = np.asarray(scores, dtype="float64").ravel()
    if values.size == 0:
        raise ProfileError("scores are empty; pass None to build a profile without scores")
    present = values[~np.isnan(values)]
    outside = present.size > 0 and (present.min() < 0.0 or present.max() > 1.0)
    if outside or not np.isfinite(present).all():
        raise ProfileError("scores must be probabilities between 0 and 1")
    return numeric_summary(values)
