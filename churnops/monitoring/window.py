"""Turn logged prediction items into the frame, scores and labels the checks take."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from churnops.schema import Schema


def window_arrays(
    items: Iterable[dict[str, Any]], schema: Schema
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Return features (one column per schema field), scores, and labels (1, 0 or NaN)."""
    rows, scores, labels = [], [], []
    for item in items:
        features = item.get("features") or {}
        rows.append({name: features.get(name) for name in schema.feature_order})
        scores.append(float(item.get("churn_probability", np.nan)))
        label = item.get("label")
        labels.append(np.nan if label is None else float(bool(label)))
    frame = pd.DataFrame(rows, columns=list(schema.feature_order))
    return frame, np.asarray(scores, dtype="float64"), np.asarray(labels, dtype="float64")
