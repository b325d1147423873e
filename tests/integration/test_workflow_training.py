"""Train and validate tasks against moto: data assembly, registration, the validation gate."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from churnops.config import Settings
from churnops.registry import RegistryStore, Stage, get_version, promote, read_entries
from churnops.schema import load_schema
from churnops.serving.prediction_log import PredictionLog, predictions_table_definition
from churnops.workflow.candidate import train_candidate
from churnops.workflow.errors import TrainingDataInvalid
from churnops.workflow.settings import WorkflowSettings
from churnops.workflow.training_data import base_split
from churnops.workflow.validation import validate_candidate

REPOSITORY = Path(__file__).resolve().parents[2]
SAMPLE_ROWS = 700
FAST = WorkflowSettings(cv_folds=3, families=("logistic_regression",))


def customer(customer_id: str, **changes: Any) -> dict[str, Any]:
    """Return a valid customer record with the schema's field names."""
    record = {
        "customer_id": customer_id, "gender": "Female", "senior_citizen": 0, "partner": "Yes",
        "dependents": "No", "tenure": 5, "phone_service": "Yes", "multiple_lines": "No",
        "internet_service": "Fiber optic", "online_security": "No", "online_backup": "No",
        "device_protection": "No", "tech_support": "No", "streaming_tv": "No",
        "streaming_movies": "No", "contract": "Month-to-month", "paperless_billing": "Yes",
        "payment_method": "Electronic check", "monthly_charges": 80.5, "total_charges": 402.5,
    }
    record.update(changes)
    return record


@pytest.fixture
def base_frame() -> pd.DataFrame:
    frame = pd.read_csv(REPOSITORY / "data" / "telco_customer_churn.csv", dtype=str, keep_default_na=False)
    return frame.iloc[:SAMPLE_ROWS].reset_index(drop=True)


@pytest.fixture
def prediction_log(store: RegistryStore, settings: Settings, base_frame: pd.DataFrame) -> PredictionLog:
    """The predictions table, and the base sample uploaded where the train task reads it."""
    store.dynamodb.create_table(**predictions_table_definition(settings.predictions_table))
    buffer = io.StringIO()
    base_frame.to_csv(buffer, index=False)
    store.s3.put_object(Bucket=store.bucket, Key=FAST.base_data_key, Body=buffer.getvalue().encode())
    return PredictionLog(store.dynamodb, settings.predictions_table, settings.model_name)


def log_feedback(log: PredictionLog, customers: list[dict[str, Any]], labels: list[bool]) -> None:
    predictions = [{"churn_probability": 0.5, "churn": True} for _ in customers]
    log.record_predictions(customers, predictions, 1, "request-1", "customer_id")
    for record, label in zip(customers, labels, strict=True):
        log.record_outcome(record["customer_id"], label)


def read_object(store: RegistryStore, key: str) -> bytes:
    return store.s3.get_object(Bucket=store.bucket, Key=key)["Body"].read()


def test_base_split_matches_churnops_train(base_frame: pd.DataFrame) -> None:
    # GIVEN the base sample loaded as `churnops train` loads it
    from sklearn.model_selection import train_test_split

    from churnops.data import load_dataset

    path = REPOSITORY / "data" / "telco_customer_churn.csv"
    dataset = load_dataset(path, load_schema())
    # WHEN both split it with seed 42 and a 20% holdout
    _, holdout_x, _, _ = train_test_split(
        dataset.features, dataset.labels, test_size=0.2, stratify=dataset.labels, random_state=42
    )
    _, holdout_rows = base_split(dataset.labels, 42, 0.2)
    # THEN they pick the same holdout rows
    assert sorted(holdout_x.index) == list(holdout_rows)


def test_train_candidate_adds_feedback_rows(
    store: RegistryStore, prediction_log: PredictionLog, base_frame: pd.DataFrame
) -> None:
    # GIVEN two new labelled customers, one customer from the base holdout and one invalid row
    labels = base_frame["Churn"].eq("Yes").to_numpy()
    _, holdout_rows = base_split(labels, FAST.seed, FAST.holdout_fraction)
    holdout_id = base_frame["customerID"].iloc[holdout_rows[0]]
    customers = [
        customer("new-1"), customer("new-2", contract="Two year"),
        customer(holdout_id), customer("bad-1", contract="Lifetime"),
    ]
    log_feedback(prediction_log, customers, [True, False, True, False])
    # WHEN the train task runs
    result = train_candidate(store, prediction_log, FAST, execution_id="exec-1", reason="drift")
    # THEN the candidate is registered in stage None and the manifest accounts for every row
    assert get_version(store, result["version"]).stage is Stage.NONE
    manifest = json.loads(read_object(store, result["manifest_key"]))
    assert manifest["feedback"]["rows"] == 2
    assert manifest["feedback"]["skipped"] == {"in_base_holdout": 1, "invalid_features": 1}
    assert manifest["base"]["holdout_rows"] == len(holdout_rows)
    assert result["training_rows"] == SAMPLE_ROWS - len(holdout_rows) + 2
    training = pd.read_csv(io.BytesIO(read_object(store, manifest["training"]["key"])), dtype=str)
    assert {"new-1", "new-2"} <= set(training["customerID"])
    assert holdout_id not in set(training["customerID"])
    assert training.loc[training["customerID"] == "new-1", "Churn"].item() == "Yes"


def test_train_candidate_ignores_old_feedback(
    store: RegistryStore, prediction_log: PredictionLog
) -> None:
    # GIVEN a labelled prediction older than the feedback window
    log_feedback(prediction_log, [customer("old-1")], [True])
    later = datetime.now(UTC) + timedelta(days=FAST.feedback_days + 2)
    # WHEN the train task runs that much later
    result = train_candidate(store, prediction_log, FAST, execution_id="exec-2", reason="r", now=later)
    # THEN the feedback export is empty
    assert result["feedback_rows"] == 0


def test_train_candidate_missing_base_data(
    store: RegistryStore, prediction_log: PredictionLog
) -> None:
    settings = replace(FAST, base_data_key="data/base/missing.csv")
    with pytest.raises(TrainingDataInvalid, match="data/base/missing.csv not found"):
        train_candidate(store, prediction_log, settings, execution_id="exec-3", reason="r")


@pytest.fixture
def candidate(store: RegistryStore, prediction_log: PredictionLog) -> dict[str, Any]:
    return train_candidate(store, prediction_log, FAST, execution_id="exec-v", reason="drift")


def test_validate_without_champion_passes(store: RegistryStore, candidate: dict[str, Any]) -> None:
    # WHEN the first candidate is validated (no Production version yet)
    result = validate_candidate(
        store, FAST, version=candidate["version"], manifest_key=candidate["manifest_key"],
        execution_id="exec-v",
    )
    # THEN only the floor applies, it passes and moves to Staging
    assert result["passed"] is True
    assert result["champion_version"] is None
    assert get_version(store, candidate["version"]).stage is Stage.STAGING
    comparison = json.loads(read_object(store, result["comparison_key"]))
    assert result["comparison_key"] == f"models/churn/v{candidate['version']}/validation.json"
    assert comparison["champion"] is None
    assert comparison["holdout"]["rows"] == 140
    entries = [e for e in read_entries(store) if e.details.get("workflow_event") == "validate"]
    assert entries[-1].details["passed"] is True
    assert entries[-1].details["candidate"]["auc"] == pytest.approx(result["candidate_auc"])


def test_validate_below_floor_fails(store: RegistryStore, candidate: dict[str, Any]) -> None:
    strict = replace(FAST, auc_floor=0.99)
    result = validate_candidate(
        store, strict, version=candidate["version"], manifest_key=candidate["manifest_key"],
        execution_id="exec-v",
    )
    assert result["passed"] is False
    assert "below the floor 0.9900" in result["reasons"][0]
    assert get_version(store, candidate["version"]).stage is Stage.NONE
    entries = [e for e in read_entries(store) if e.details.get("workflow_event") == "validate"]
    assert entries[-1].details["passed"] is False


def test_validate_scores_champion_on_same_holdout(
    store: RegistryStore, prediction_log: PredictionLog, candidate: dict[str, Any]
) -> None:
    # GIVEN a champion in Production and a second candidate trained on the same data
    first = validate_candidate(
        store, FAST, version=candidate["version"], manifest_key=candidate["manifest_key"],
        execution_id="exec-v",
    )
    promote(store, candidate["version"], reason="first champion", actor="test")
    second = train_candidate(store, prediction_log, FAST, execution_id="exec-w", reason="drift")
    # WHEN the second candidate is validated
    result = validate_candidate(
        store, FAST, version=second["version"], manifest_key=second["manifest_key"],
        execution_id="exec-w",
    )
    # THEN the champion's AUC is the one it had as a candidate: same rows, same model
    assert result["champion_version"] == candidate["version"]
    assert result["champion_auc"] == pytest.approx(first["candidate_auc"])
    assert result["passed"] is True


def test_validate_base_data_changed(
    store: RegistryStore, candidate: dict[str, Any], base_frame
) -> None:
    # GIVEN the base data replaced after training
    buffer = io.StringIO()
    base_frame.iloc[:-1].to_csv(buffer, index=False)
    store.s3.put_object(Bucket=store.bucket, Key=FAST.base_data_key, Body=buffer.getvalue().encode())
    # WHEN validating THEN it refuses to compare on a different holdout
    with pytest.raises(TrainingDataInvalid, match="the base data changed in between"):
        validate_candidate(
            store, FAST, version=candidate["version"], manifest_key=candidate["manifest_key"],
            execution_id="exec-v",
        )
