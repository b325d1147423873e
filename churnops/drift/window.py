"""The current window: typed feature columns with missing values counted, not rejected.

`churnops.data.load_dataset` rejects a training CSV with any unknown category
or blank. A drift window is measured as it is instead. Blanks and non-numeric
text count as missing, and categories outside the schema are kept so that the
check can count and report them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from churnops.data import read_csv_text
from churnops.drift.errors import DriftError
from churnops.schema import Schema


def read_window_csv(path: str | Path, schema: Schema) -> pd.DataFrame:
    """Read a CSV with either the schema's CSV headers or its field names."""
    raw = read_csv_text(path, "current data file")
    frame = raw.rename(columns=schema.column_to_field())
    missing = [name for name in schema.feature_order if name not in frame.columns]
    if missing:
        raise DriftError(f"{path}: missing the feature columns {missing}")
    return frame[list(schema.feature_order)]


def numeric_values(column: pd.Series, fill_blank: float | None) -> tuple[np.ndarray, int]:
    """Return the present values as floats and the count of missing or non-numeric ones.

    Blank text becomes `fill_blank` when the schema gives one, as in training.
    """
    if column.dtype == object or pd.api.types.is_string_dtype(column):
        text = column.astype("string").str.strip()
        if fill_blank is not None:
            text = text.mask(text == "", str(fill_blank))
        values = pd.to_numeric(text, errors="coerce")
    else:
        values = pd.to_numeric(column, errors="coerce")
    array = values.to_numpy(dtype="float64", na_value=np.nan)
    present = np.isfinite(array)
    return array[present], int(array.size - present.sum())


def category_counts(column: pd.Series) -> tuple[dict[str, int], int]:
    """Return the count of each present value (stripped text) and the count of missing ones."""
    counts: dict[str, int] = {}
    missing = 0
    # Counting distinct raw values first keeps this fast on long windows.
    for value, count in column.value_counts(dropna=False).items():
        text = "" if pd.isna(value) else str(value).strip()
        if text:
            counts[text] = counts.get(text, 0) + int(count)
        else:
            missing += int(count)
    return counts, missing
