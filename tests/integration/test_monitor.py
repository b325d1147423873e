"""The monitor against moto: reports, audit entries, alarms and one retrain per day."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from churnops.data import load_dataset
from churnops.schema import load_schema
from churnops.monitoring.run import Monitor
from churnops.monitoring.settings import MonitorSettings
from churnops.scoring import ChurnModel
from churnops.registry import AuditEvent, promote, read_entries, register, transition
from churnops.serving.prediction_log import PredictionLog, predictions_table_definition
from tests.conftest import TELCO_CSV

NOW = datetime(2026, 12, 4, 6, 0, tzinfo=UTC)


@pytest.fixture
def monitor_parts(store, trained_model_dir, settings):
    store.dynamodb.create_table(**predictions_table_definition(settings.predictions_table))
    record = register(store, trained_model_dir, reason="first model")
    transition(store, record.version, "Staging", reason="validated")
    promote(store, record.version, reason="release")
    stepfunctions = boto3.client("stepfunctions")
    role = "arn:aws:iam::123456789012:role/retrain"
    machine = stepfunctions.create_state_machine(
        name="retrain", roleArn=role,
        definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}),
    )
    log = PredictionLog(store.dynamodb, settings.predictions_table, settings.model_name)
    monitor_settings = MonitorSettings(resources=settings, state_machine_arn=machine["stateMachineArn"])
    monitor = Monitor(store, log, stepfunctions, boto3.client("events"), monitor_settings)
    return monitor, log, stepfunctions, machine["stateMachineArn"]


def customers(rows: int, seed: int = 0, shift=None) -> list[dict]:
    dataset = load_dataset(TELCO_CSV, load_schema())
    frame = dataset.features.sample(rows, random_state=seed).copy()
    if shift:
        frame = shift(frame)
    frame["customer_id"] = [f"c{seed}-{i}" for i in range(len(frame))]
    return frame.to_dict(orient="records")


def log_window(log: PredictionLog, batch: list[dict], model_dir) -> None:
    """Score a batch with the served model and log it, as the predict Lambda does."""
    model = ChurnModel.from_bytes((model_dir / "model.onnx").read_bytes())
    predictions = model.score_validated(batch)
    log.record_predictions(batch, predictions, 1, "req-1", "customer_id")


def test_empty_window_reports_without_alarm(monitor_parts):
    monitor, _, _, _ = monitor_parts
    summary = monitor.run(NOW)
    assert summary["window"]["rows"] == 0
    assert summary["alarm"] is False
    assert summary["drift_verdict"] == "insufficient data"
    assert summary["retrain"] == {"status": "not needed"}
    (entry,) = read_entries(monitor.store, event=AuditEvent.MONITOR_RUN)
    assert entry.version == 1


def test_report_stored_next_to_version(monitor_parts):
    monitor, _, _, _ = monitor_parts
    summary = monitor.run(NOW)
    key = summary["report"]["json"].split("/", 3)[3]
    assert key.startswith("models/churn/v1/reports/2026-12-04/")
    body = json.loads(monitor.store.s3.get_object(Bucket=monitor.store.bucket, Key=key)["Body"].read())
    assert body["drift"]["verdict"] == "insufficient data"
    html_key = summary["report"]["html"].split("/", 3)[3]
    page = monitor.store.s3.get_object(Bucket=monitor.store.bucket, Key=html_key)["Body"].read().decode()
    assert "<h2>Performance</h2>" in page


def test_drift_free_window_no_alarm(monitor_parts, trained_model_dir):
    monitor, log, _, _ = monitor_parts
    log_window(log, customers(1000, seed=3), trained_model_dir)
    summary = monitor.run(datetime.now(UTC) + timedelta(minutes=1))
    assert summary["window"]["rows"] == 1000
    assert summary["drift_detected"] is False, summary["reasons"]
    assert summary["performance_verdict"] == "no labels yet"


def test_drift_alarm_starts_one_retrain_per_day(monitor_parts, trained_model_dir):
    monitor, log, stepfunctions, machine_arn = monitor_parts

    def new_customers_only(frame):
        return frame[frame["tenure"] < 12]

    log_window(log, customers(3000, seed=5, shift=new_customers_only), trained_model_dir)
    now = datetime.now(UTC) + timedelta(minutes=1)
    first = monitor.run(now)
    second = monitor.run(now + timedelta(seconds=5))
    assert first["drift_detected"] is True
    assert first["retrain"]["status"] == "started"
    assert second["retrain"]["status"] == "already started today"
    executions = stepfunctions.list_executions(stateMachineArn=machine_arn)["executions"]
    assert len(executions) == 1
    assert executions[0]["name"] == f"churn-retrain-{now:%Y%m%d}"
    assert len(read_entries(monitor.store, event=AuditEvent.RETRAIN_START)) == 1
    assert len(read_entries(monitor.store, event=AuditEvent.DRIFT_ALARM)) == 2


def test_labels_give_realised_auc(monitor_parts, trained_model_dir):
    monitor, log, _, _ = monitor_parts
    batch = customers(300, seed=9)
    log_window(log, batch, trained_model_dir)
    for customer in batch[:150]:
        log.record_outcome(customer["customer_id"], customer["contract"] == "Month-to-month")
    summary = monitor.run(datetime.now(UTC) + timedelta(minutes=1))
    assert summary["realised_auc"] is not None
    assert summary["performance_verdict"] != "no labels yet"


def test_alarm_without_state_machine_says_so(monitor_parts, trained_model_dir):
    monitor, log, _, _ = monitor_parts
    monitor.settings = MonitorSettings(resources=monitor.settings.resources, state_machine_arn=None)
    log_window(log, customers(3000, seed=5, shift=lambda f: f[f["tenure"] < 12]), trained_model_dir)
    summary = monitor.run(datetime.now(UTC) + timedelta(minutes=1))
    assert summary["alarm"] is True
    assert summary["retrain"] == {"status": "not configured"}
