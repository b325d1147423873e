"""Promote and notify tasks, and the approvals CLI, against moto."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from churnops.registry import (
    RegistryConflict,
    RegistryStore,
    Stage,
    StoreUnavailable,
    get_model_state,
    get_version,
    list_versions,
    promote,
    read_entries,
    register,
    transition,
)
from churnops.registry.store import format_time
from churnops.workflow.approvals import request_approval
from churnops.workflow.decisions import decide
from churnops.workflow.errors import NotApproved
from churnops.workflow.outcomes import record_outcome
from churnops.workflow.promotion import promote_approved
from churnops.workflow.settings import WorkflowSettings

COMPARISON_KEY = "models/churn/v2/validation.json"


class AcceptingStepFunctions:
    def __init__(self) -> None:
        self.tokens: list[str] = []

    def send_task_success(self, **arguments: Any) -> dict[str, Any]:
        self.tokens.append(arguments["taskToken"])
        return {}

    send_task_failure = send_task_success


@pytest.fixture
def champion_and_candidate(store: RegistryStore, make_model_dir) -> tuple[int, int]:
    """Version 1 in Production, version 2 in Staging."""
    champion = register(store, make_model_dir("run-1"), actor="test").version
    transition(store, champion, Stage.STAGING, reason="test", actor="test")
    promote(store, champion, reason="first", actor="test")
    candidate = register(store, make_model_dir("run-2", auc=0.86), actor="test").version
    transition(store, candidate, Stage.STAGING, reason="passed", actor="test")
    return champion, candidate


def approve(store: RegistryStore, version: int, *, decision: bool = True) -> str:
    metrics = {"auc": 0.86, "precision": 0.6, "recall": 0.7, "f1": 0.65, "brier": 0.13, "log_loss": 0.4}
    document = {"passed": True, "reasons": [], "candidate": {"version": version, "metrics": metrics},
                "champion": None}
    store.s3.put_object(Bucket=store.bucket, Key=COMPARISON_KEY, Body=json.dumps(document))
    approval = request_approval(
        store, version=version, execution_id="exec-1", comparison_key=COMPARISON_KEY,
        task_token="token", entered_at=format_time(datetime.now(UTC)), timeout_seconds=600,
    )
    decide(store, AcceptingStepFunctions(), approval.approval_id, approve=decision, actor="ana",
           reason="better recall")
    return approval.approval_id


def registry_snapshot(store: RegistryStore) -> tuple[Any, list[tuple[int, Stage]]]:
    return get_model_state(store), [(item.version, item.stage) for item in list_versions(store)]


def test_promote_approved_candidate(store: RegistryStore, champion_and_candidate) -> None:
    champion, candidate = champion_and_candidate
    approval_id = approve(store, candidate)
    result = promote_approved(store, version=candidate, approval_id=approval_id, execution_id="exec-1")
    assert result == {"version": candidate, "replaced_version": champion, "approved_by": "ana"}
    assert get_model_state(store).production_version == candidate
    assert get_version(store, champion).stage is Stage.ARCHIVED
    entry = read_entries(store, event="promote")[-1]
    assert (entry.actor, entry.details["approval_id"]) == ("ana", approval_id)
    # A retry after the committed promotion returns the same result and changes nothing.
    again = promote_approved(store, version=candidate, approval_id=approval_id, execution_id="exec-1")
    assert again["version"] == candidate
    assert len(read_entries(store, event="promote")) == 2


def test_promote_without_approval_raises(store: RegistryStore, champion_and_candidate) -> None:
    _, candidate = champion_and_candidate
    approval_id = approve(store, candidate, decision=False)
    before = registry_snapshot(store)
    with pytest.raises(NotApproved, match="is rejected for version 2"):
        promote_approved(store, version=candidate, approval_id=approval_id, execution_id="exec-1")
    assert registry_snapshot(store) == before


def test_promote_race_leaves_registry_unchanged(
    store: RegistryStore, champion_and_candidate, make_model_dir, monkeypatch
) -> None:
    # GIVEN another writer promotes version 3 between the task's read and its transaction
    champion, candidate = champion_and_candidate
    approval_id = approve(store, candidate)
    rival = register(store, make_model_dir("run-3"), actor="test").version
    transition(store, rival, Stage.STAGING, reason="test", actor="test")
    transact = store.dynamodb.transact_write_items
    raced = []

    def rival_first(**arguments: Any) -> Any:
        if not raced:
            raced.append(True)
            monkeypatch.setattr(store.dynamodb, "transact_write_items", transact)
            promote(store, rival, reason="rival", actor="other")
            state_after_rival.append(registry_snapshot(store))
        return transact(**arguments)

    state_after_rival: list[Any] = []
    monkeypatch.setattr(store.dynamodb, "transact_write_items", rival_first)
    # WHEN the promote task commits THEN its transaction is cancelled whole
    with pytest.raises(RegistryConflict, match="nothing was changed"):
        promote_approved(store, version=candidate, approval_id=approval_id, execution_id="exec-1")
    assert registry_snapshot(store) == state_after_rival[0]
    assert get_version(store, candidate).stage is Stage.STAGING
    assert get_model_state(store).production_version == rival


def test_promote_audit_failure_leaves_registry_unchanged(
    store: RegistryStore, champion_and_candidate
) -> None:
    # GIVEN the audit table cannot be written: the last write of the transaction fails
    champion, candidate = champion_and_candidate
    approval_id = approve(store, candidate)
    before = registry_snapshot(store)
    broken = RegistryStore(store.dynamodb, store.s3, store.registry_table, "missing-audit",
                           store.bucket, store.model_name)
    with pytest.raises((StoreUnavailable, RegistryConflict)):
        promote_approved(broken, version=candidate, approval_id=approval_id, execution_id="exec-1")
    assert registry_snapshot(store) == before
    assert get_model_state(store).production_version == champion


@pytest.mark.parametrize(
    ("outcome", "run", "event", "actor", "reason_part"),
    [
        ("promoted", {"train": {"version": 2}, "approval": {"decided_by": "ana", "approval_id": "a1"}},
         "promote", "ana", "promoted"),
        ("rejected", {"train": {"version": 2}, "error": {"Error": "Approval.Rejected",
         "Cause": json.dumps({"decided_by": "bo", "reason": "risky", "approval_id": "a1"})}},
         "reject", "bo", "risky"),
        ("timed_out", {"train": {"version": 2}, "error": {"Error": "States.Timeout"}},
         "reject", "churnops-retrain", "expired"),
        ("validation_failed", {"train": {"version": 2}, "validation": {"reasons": ["AUC low"]}},
         "reject", "churnops-retrain", "AUC low"),
        ("failed", {"error": {"Error": "TrainingDataInvalid",
         "Cause": json.dumps({"errorMessage": "base missing"})}},
         "reject", "churnops-retrain", "TrainingDataInvalid: base missing"),
    ],
)
def test_outcome_audit_entry(store: RegistryStore, outcome, run, event, actor, reason_part) -> None:
    result = record_outcome(
        store, None, WorkflowSettings(), outcome=outcome, execution_id="exec-9", run=run
    )
    assert result["outcome"] == outcome
    assert result["notified"] is False
    entry = [e for e in read_entries(store) if e.details.get("workflow_event") == "retrain_end"][-1]
    assert entry.details["outcome"] == outcome
    assert entry.details["execution_id"] == "exec-9"
    assert entry.actor == actor
    assert reason_part in entry.reason
    assert entry.event in (event, "retrain_end")


def test_outcome_published_to_sns(store: RegistryStore) -> None:
    import boto3

    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    topic = sns.create_topic(Name="churnops-notifications")["TopicArn"]
    queue = sqs.create_queue(QueueName="operators")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    settings = WorkflowSettings(topic_arn=topic)
    result = record_outcome(store, sns, settings, outcome="timed_out", execution_id="exec-9",
                            run={"train": {"version": 2}})
    assert result["notified"] is True
    message = json.loads(sqs.receive_message(QueueUrl=queue)["Messages"][0]["Body"])
    assert message["Subject"] == "churnops churn retrain: timed out"
    assert json.loads(message["Message"])["outcome"] == "timed_out"


def test_approvals_cli_round_trip(
    store: RegistryStore, champion_and_candidate, run_cli, monkeypatch
) -> None:
    import boto3

    import churnops.cli

    _, candidate = champion_and_candidate
    monkeypatch.setattr(churnops.cli, "COMMAND_MODULES", ("approvals",))
    metrics = {"auc": 0.86, "precision": 0.6, "recall": 0.7, "f1": 0.65, "brier": 0.13, "log_loss": 0.4}
    document = {"passed": True, "reasons": [], "candidate": {"version": candidate, "metrics": metrics},
                "champion": None}
    store.s3.put_object(Bucket=store.bucket, Key=COMPARISON_KEY, Body=json.dumps(document))
    approval = request_approval(
        store, version=candidate, execution_id="exec-1", comparison_key=COMPARISON_KEY,
        task_token="cli-token", entered_at=format_time(datetime.now(UTC)), timeout_seconds=600,
    )
    fake = AcceptingStepFunctions()
    real_client = boto3.client

    def client(name: str, *args: Any, **kwargs: Any) -> Any:
        return fake if name == "stepfunctions" else real_client(name, *args, **kwargs)

    monkeypatch.setattr(boto3, "client", client)

    code, out, _ = run_cli("approvals", "list", "--json")
    assert code == 0
    assert [item["approval_id"] for item in json.loads(out)] == [approval.approval_id]
    assert "cli-token" not in out
    code, out, _ = run_cli("approvals", "show", approval.approval_id)
    assert code == 0
    assert "cli-token" not in out
    assert "0.8600" in out
    code, out, _ = run_cli("approvals", "approve", approval.approval_id, "--actor", "ana", "--json")
    assert (code, json.loads(out)["status"]) == (0, "approved")
    code, _, err = run_cli("approvals", "reject", approval.approval_id, "--reason", "late")
    assert code == 2
    assert "already approved by ana" in err
    with pytest.raises(SystemExit, match="2"):
        run_cli("approvals", "reject", approval.approval_id)
    assert fake.tokens == ["cli-token"]


def test_retrain_start_cli(store: RegistryStore, run_cli, monkeypatch) -> None:
    import boto3

    import churnops.cli

    monkeypatch.setattr(churnops.cli, "COMMAND_MODULES", ("retrain",))
    machine = boto3.client("stepfunctions").create_state_machine(
        name="churnops-retrain",
        definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}),
        roleArn="arn:aws:iam::123456789012:role/states",
    )["stateMachineArn"]
    code, out, _ = run_cli(
        "retrain", "start", "--reason", "drift alarm", "--approval-timeout", "600",
        "--state-machine-arn", machine, "--actor", "ana", "--json",
    )
    assert code == 0
    result = json.loads(out)
    assert result["input"] == {"reason": "drift alarm", "requested_by": "ana",
                               "approval_timeout_seconds": 600}
    entry = read_entries(store, event="retrain_start")[-1]
    assert (entry.actor, entry.details["execution_id"]) == ("ana", result["execution_id"])
    code, _, err = run_cli("retrain", "start", "--approval-timeout", "0",
                           "--state-machine-arn", machine)
    assert code == 2
    assert "approval timeout 0 s is invalid" in err
    monkeypatch.delenv("CHURNOPS_RETRAIN_STATE_MACHINE_ARN", raising=False)
    code, _, err = run_cli("retrain", "start")
    assert code == 2
    assert "CHURNOPS_RETRAIN_STATE_MACHINE_ARN" in err
