"""Load a churn CSV into a frame with the schema's field names and types."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from churnops.errors import ChurnopsError
from churnops.schema import Schema


class DataError(ChurnopsError, ValueError):
    """A CSV does not match its schema."""


@dataclass
class Dataset:
    """Features, labels and provenance of one loaded CSV."""

    features: pd.DataFrame
    labels: np.ndarray
    ids: pd.Series
    sha256: str
    path: str
    filled_blanks: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return len(self.labels)


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_csv_text(path: str | Path, description: str) -> pd.DataFrame:
    """Read a CSV with every cell as text; raise DataError naming `description` and `path`."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError as exc:
        raise DataError(f"{description} not found: {path}") from exc
    except pd.errors.EmptyDataError as exc:
        raise DataError(f"{description} {path} is empty: it needs a header row") from exc
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataError(f"{description} {path} is not a UTF-8 CSV file: {exc}") from exc


def load_dataset(path: str | Path, schema: Schema) -> Dataset:
    """Read a CSV, rename headers to fields, and check every value against the schema.

    Blank numeric cells are filled only where the schema gives `fill_blank`. Any
    other blank, a value outside the schema's range, an unknown category or an
    unknown label raises `DataError`, naming the column and how many rows it affects.
    """
    raw = read_csv_text(path, "data file")
    missing = [column for column in schema.column_to_field() if column not in raw.columns]
    if missing:
        raise DataError(f"{path}: missing columns {missing}")
    frame = raw.rename(columns=schema.column_to_field())
    features, filled = features_from_text(frame, schema)
    labels = _labels(frame[schema.target_field], schema)
    return Dataset(
        features=features,
        labels=labels,
        ids=frame[schema.id_field].str.strip(),
        sha256=file_sha256(path),
        path=str(path),
        filled_blanks=filled,
    )


def features_from_text(
    frame: pd.DataFrame, schema: Schema
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Convert text columns named by field to typed feature columns."""
    columns: dict[str, pd.Series] = {}
    filled: dict[str, int] = {}
    for feature in schema.numeric:
        text = frame[feature.field].astype(str).str.strip()
        blank = text == ""
        if blank.any():
            if feature.fill_blank is None:
                raise DataError(f"column {feature.column!r}: {int(blank.sum())} blank values")
            filled[feature.field] = int(blank.sum())
            text = text.mask(blank, str(feature.fill_blank))
        values = pd.to_numeric(text, errors="coerce")
        if values.isna().any():
            first = int(values.isna().to_numpy().argmax())
            raise DataError(
                f"column {feature.column!r}: {int(values.isna().sum())} non-numeric values, "
                f"the first in data row {first + 1}"
            )
        outside = (values < feature.min) | (values > feature.max)
        if outside.any():
            raise DataError(
                f"column {feature.column!r}: {int(outside.sum())} values outside the schema's "
                f"range {feature.min:g} to {feature.max:g}, the first in data row "
                f"{int(outside.to_numpy().argmax()) + 1}; the API would reject them too"
            )
        columns[feature.field] = values.astype("float64")
    for feature in schema.categorical:
        text = frame[feature.field].astype(str).str.strip()
        unknown = sorted(set(text) - set(feature.values))
        if unknown:
            raise DataError(
                f"column {feature.column!r}: values {unknown[:5]} are not in the schema's "
                f"allowed values {list(feature.values)}"
            )
        columns[feature.field] = text.astype(object)
    return pd.DataFrame(columns, index=frame.index)[list(schema.feature_order)], filled


def _labels(target: pd.Series, schema: Schema) -> np.ndarray:
    text = target.astype(str).str.strip()
    known = {schema.positive_label, schema.negative_label}
    unknown = sorted(set(text) - known)
    if unknown:
        raise DataError(
            f"column {schema.target_column!r}: labels {unknown[:5]} are neither "
            f"{schema.positive_label!r} nor {schema.negative_label!r}"
        )
    return (text == schema.positive_label).to_numpy(dtype=np.int64)
