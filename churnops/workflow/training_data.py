"""Assemble a retrain's training data: the base CSV's training part plus labelled feedback.

S3 layout (bucket from CHURNOPS_BUCKET):

    data/base/telco_customer_churn.csv          base data, as `churnops train` reads it
    retrain/{model}/{execution}/feedback.csv    labelled predictions exported as CSV rows
    retrain/{model}/{execution}/training.csv    what the candidate trains on
    retrain/{model}/{execution}/manifest.json   keys, SHA-256s, row counts and the split

The base data is split exactly as `churnops train` splits it (stratified, same seed
and fraction), and only its training part goes into training.csv. Its holdout part
is what validation scores the candidate and the champion on, so a champion trained
by `churnops train` on the base data with that seed, or by this workflow, never saw
those rows. Feedback from customers in that holdout is left out for the same reason.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from churnops.data import DataError, Dataset, load_dataset
from churnops.registry.store import RegistryStore
from churnops.schema import Schema
from churnops.serving.prediction_log import PredictionLog
from churnops.workflow import objects
from churnops.workflow.errors import TrainingDataInvalid
from churnops.workflow.settings import WorkflowSettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainingData:
    """The local training CSV and the manifest that describes where it came from."""

    path: str
    manifest: dict[str, Any]
    manifest_key: str


def base_split(labels: np.ndarray, seed: int, fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """Return (training rows, holdout rows) as `churnops train` splits a data set."""
    rows = np.arange(len(labels))
    train_rows, holdout_rows = train_test_split(
        rows, test_size=fraction, stratify=labels, random_state=seed
    )
    return np.sort(train_rows), np.sort(holdout_rows)


def labelled_predictions(
    log: PredictionLog, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Return the latest labelled prediction per customer scored in [start, end)."""
    latest: dict[str, dict[str, Any]] = {}
    for item in log.read_window(start, end):
        if "label" not in item:
            continue
        known = latest.get(item["customer_id"])
        if known is None or item["scored_at"] > known["scored_at"]:
            latest[item["customer_id"]] = item
    return list(latest.values())


def feedback_frame(
    items: list[dict[str, Any]], schema: Schema, excluded_ids: set[str]
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Convert labelled predictions to CSV rows under the schema's headers; count skipped rows."""
    columns = [schema.id_column, *(schema_columns(schema)), schema.target_column]
    rows: list[dict[str, str]] = []
    skipped = {"in_base_holdout": 0, "invalid_features": 0}
    for item in items:
        if item["customer_id"] in excluded_ids:
            skipped["in_base_holdout"] += 1
            continue
        row = _feedback_row(item, schema)
        if row is None:
            skipped["invalid_features"] += 1
            continue
        rows.append(row)
    return pd.DataFrame(rows, columns=columns, dtype=str), skipped


def schema_columns(schema: Schema) -> list[str]:
    return [feature.column for feature in (*schema.numeric, *schema.categorical)]


def _feedback_row(item: dict[str, Any], schema: Schema) -> dict[str, str] | None:
    features = item.get("features") or {}
    row = {schema.id_column: str(item["customer_id"])}
    for feature in schema.numeric:
        value = features.get(feature.field)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        if not np.isfinite(value) or not feature.min <= value <= feature.max:
            return None
        row[feature.column] = repr(value)
    for categorical in schema.categorical:
        text = features.get(categorical.field)
        if text not in categorical.values:
            return None
        row[categorical.column] = str(text)
    row[schema.target_column] = schema.positive_label if item["label"] else schema.negative_label
    return row


def assemble(
    store: RegistryStore,
    log: PredictionLog,
    settings: WorkflowSettings,
    schema: Schema,
    execution_id: str,
    workdir: str,
    now: datetime,
) -> TrainingData:
    """Write training.csv locally and upload it with the feedback export and the manifest."""
    base_bytes = objects.get_bytes(store, settings.base_data_key)
    base_raw = _read_csv(base_bytes, objects.s3_uri(store, settings.base_data_key))
    base = _load(base_bytes, schema, f"{workdir}/base.csv")
    train_rows, holdout_rows = base_split(base.labels, settings.seed, settings.holdout_fraction)

    start = now - timedelta(days=settings.feedback_days)
    items = labelled_predictions(log, start, now)
    holdout_ids = set(base.ids.iloc[holdout_rows])
    feedback, skipped = feedback_frame(items, schema, holdout_ids)

    training = pd.concat([base_raw.iloc[train_rows][feedback.columns], feedback], ignore_index=True)
    training_path = f"{workdir}/training.csv"
    training.to_csv(training_path, index=False)
    prefix = objects.retrain_prefix(store.model_name, execution_id)
    feedback_bytes = feedback.to_csv(index=False).encode("utf-8")
    with open(training_path, "rb") as handle:
        training_bytes = handle.read()
    manifest = {
        "execution_id": execution_id,
        "base": {
            "key": settings.base_data_key,
            "sha256": base.sha256,
            "rows": base.rows,
            "training_rows": int(len(train_rows)),
            "holdout_rows": int(len(holdout_rows)),
            "seed": settings.seed,
            "holdout_fraction": settings.holdout_fraction,
        },
        "feedback": {
            "key": prefix + "feedback.csv",
            "sha256": objects.put_bytes(store, prefix + "feedback.csv", feedback_bytes, "text/csv"),
            "rows": int(len(feedback)),
            "labelled_predictions": len(items),
            "skipped": skipped,
            "window": {"start": start.isoformat(), "end": now.isoformat()},
        },
        "training": {
            "key": prefix + "training.csv",
            "sha256": objects.put_bytes(store, prefix + "training.csv", training_bytes, "text/csv"),
            "rows": int(len(training)),
        },
    }
    objects.put_json(store, prefix + "manifest.json", manifest)
    logger.info("assembled %d training rows, %d from feedback", len(training), len(feedback))
    return TrainingData(training_path, manifest, prefix + "manifest.json")


def load_holdout(
    store: RegistryStore, base: dict[str, Any], schema: Schema, workdir: str
) -> tuple[pd.DataFrame, np.ndarray]:
    """Return the base data's holdout rows, checking the base data is the one trained with."""
    data = objects.get_bytes(store, base["key"])
    dataset = _load(data, schema, f"{workdir}/base.csv")
    if dataset.sha256 != base["sha256"]:
        raise TrainingDataInvalid(
            f"{objects.s3_uri(store, base['key'])} has SHA-256 {dataset.sha256}, but the "
            f"candidate was trained with {base['sha256']}; the base data changed in between"
        )
    _, holdout_rows = base_split(dataset.labels, base["seed"], base["holdout_fraction"])
    features = dataset.features.iloc[holdout_rows].reset_index(drop=True)
    return features, dataset.labels[holdout_rows]


def _read_csv(data: bytes, location: str) -> pd.DataFrame:
    try:
        return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise TrainingDataInvalid(f"{location} is not a readable CSV: {exc}") from exc


def _load(data: bytes, schema: Schema, path: str) -> Dataset:
    with open(path, "wb") as handle:
        handle.write(data)
    try:
        return load_dataset(path, schema)
    except DataError as exc:
        raise TrainingDataInvalid(f"base data does not match the schema: {exc}") from exc
