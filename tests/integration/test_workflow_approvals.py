"""Approval requests and decisions against moto, with a recording Step Functions client."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from churnops.registry import AuditEvent, RegistryStore, read_entries
from churnops.registry.store import format_time
from churnops.workflow.approvals import get_approval, list_approvals, request_approval
from churnops.workflow.decisions import REJECTED_ERROR, decide
from churnops.workflow.errors import (
    ApprovalAlreadyDecided,
    ApprovalDeliveryFailed,
    ApprovalExpired,
    ApprovalNotFound,
    WorkflowConfigInvalid,
)

COMPARISON_KEY = "models/churn/v2/validation.json"
TOKEN = "secret-task-token-123"


class RecordingStepFunctions:
    """Stands in for the Step Functions client: records calls, can fail with an error code."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.error_code: str | None = None

    def _call(self, name: str, **arguments: Any) -> dict[str, Any]:
        if self.error_code:
            raise ClientError({"Error": {"Code": self.error_code, "Message": "test"}}, name)
        self.calls.append((name, arguments))
        return {}

    def send_task_success(self, **arguments: Any) -> dict[str, Any]:
        return self._call("send_task_success", **arguments)

    def send_task_failure(self, **arguments: Any) -> dict[str, Any]:
        return self._call("send_task_failure", **arguments)


@pytest.fixture
def stepfunctions() -> RecordingStepFunctions:
    return RecordingStepFunctions()


def comparison() -> dict[str, Any]:
    metrics = {"auc": 0.85, "precision": 0.6, "recall": 0.7, "f1": 0.65, "brier": 0.13, "log_loss": 0.4}
    return {
        "passed": True,
        "reasons": [],
        "candidate": {"version": 2, "metrics": metrics},
        "champion": {"version": 1, "metrics": {**metrics, "auc": 0.84}},
    }


def make_request(store: RegistryStore, *, timeout: int = 3600, entered: datetime | None = None,
                 execution_id: str = "exec-1", token: str = TOKEN):
    store.s3.put_object(Bucket=store.bucket, Key=COMPARISON_KEY, Body=json.dumps(comparison()))
    return request_approval(
        store, version=2, execution_id=execution_id, comparison_key=COMPARISON_KEY,
        task_token=token, entered_at=format_time(entered or datetime.now(UTC)),
        timeout_seconds=timeout,
    )


def test_request_shows_metrics_without_token(store: RegistryStore) -> None:
    approval = make_request(store)
    details = get_approval(store, approval.approval_id).to_dict()
    assert details["status"] == "pending"
    assert details["candidate"]["auc"] == 0.85
    assert details["champion"]["auc"] == 0.84
    assert details["reports"]["comparison"] == f"s3://{store.bucket}/{COMPARISON_KEY}"
    assert TOKEN not in json.dumps(details)
    assert TOKEN not in json.dumps([item.to_dict() for item in list_approvals(store)])


def test_approve_sends_success_once(
    store: RegistryStore, stepfunctions: RecordingStepFunctions
) -> None:
    approval = make_request(store)
    decided = decide(store, stepfunctions, approval.approval_id, approve=True, actor="ana", reason="better")
    assert decided.status == "approved"
    assert decided.decided_by == "ana"
    name, arguments = stepfunctions.calls[0]
    assert name == "send_task_success"
    assert arguments["taskToken"] == TOKEN
    assert json.loads(arguments["output"]) == {
        "approved": True, "approval_id": approval.approval_id, "decided_by": "ana", "reason": "better",
    }
    entry = read_entries(store, event=AuditEvent.APPROVE)[-1]
    assert (entry.actor, entry.version, entry.reason) == ("ana", 2, "better")
    item = store.get(store.registry_table, {"pk": "MODEL#churn", "sk": f"APPROVAL#{approval.approval_id}"})
    assert "task_token" not in item


def test_second_decision_raises(
    store: RegistryStore, stepfunctions: RecordingStepFunctions
) -> None:
    approval = make_request(store)
    decide(store, stepfunctions, approval.approval_id, approve=True, actor="ana", reason="ok")
    with pytest.raises(ApprovalAlreadyDecided, match="already approved by ana at .*decided once"):
        decide(store, stepfunctions, approval.approval_id, approve=True, actor="bo", reason="ok")
    with pytest.raises(ApprovalAlreadyDecided, match="already approved by ana"):
        decide(store, stepfunctions, approval.approval_id, approve=False, actor="bo", reason="no")
    assert len(stepfunctions.calls) == 1


def test_reject_sends_failure(store: RegistryStore, stepfunctions: RecordingStepFunctions) -> None:
    approval = make_request(store)
    decided = decide(store, stepfunctions, approval.approval_id, approve=False, actor="bo", reason="too risky")
    assert decided.status == "rejected"
    name, arguments = stepfunctions.calls[0]
    assert name == "send_task_failure"
    assert arguments["error"] == REJECTED_ERROR
    assert json.loads(arguments["cause"])["reason"] == "too risky"
    assert read_entries(store, event=AuditEvent.REJECT)[-1].actor == "bo"


def test_expired_request_raises(
    store: RegistryStore, stepfunctions: RecordingStepFunctions
) -> None:
    # GIVEN a request whose 60 s timeout ran out a minute ago
    entered = datetime.now(UTC) - timedelta(seconds=120)
    approval = make_request(store, timeout=60, entered=entered)
    # THEN it reads as expired and cannot be decided
    assert get_approval(store, approval.approval_id).status == "expired"
    assert list_approvals(store) == []
    with pytest.raises(ApprovalExpired, match=f"approval {approval.approval_id} expired at"):
        decide(store, stepfunctions, approval.approval_id, approve=True, actor="ana", reason="ok")
    assert stepfunctions.calls == []


def test_workflow_gone_marks_expired(
    store: RegistryStore, stepfunctions: RecordingStepFunctions
) -> None:
    approval = make_request(store)
    stepfunctions.error_code = "TaskTimedOut"
    with pytest.raises(ApprovalExpired, match="stopped waiting \\(TaskTimedOut\\)"):
        decide(store, stepfunctions, approval.approval_id, approve=True, actor="ana", reason="ok")
    assert get_approval(store, approval.approval_id).status == "expired"
    assert read_entries(store, event=AuditEvent.APPROVE) == []


def test_delivery_failure_keeps_pending(
    store: RegistryStore, stepfunctions: RecordingStepFunctions
) -> None:
    # GIVEN Step Functions throttles the first attempt
    approval = make_request(store)
    stepfunctions.error_code = "ThrottlingException"
    with pytest.raises(ApprovalDeliveryFailed, match="still pending"):
        decide(store, stepfunctions, approval.approval_id, approve=True, actor="ana", reason="ok")
    assert get_approval(store, approval.approval_id).status == "pending"
    # WHEN the operator runs the command again THEN the token was kept and is sent
    stepfunctions.error_code = None
    decide(store, stepfunctions, approval.approval_id, approve=True, actor="ana", reason="ok")
    assert stepfunctions.calls[0][1]["taskToken"] == TOKEN


def test_concurrent_decisions_one_wins(
    store: RegistryStore, stepfunctions: RecordingStepFunctions
) -> None:
    approval = make_request(store)
    outcomes: list[str] = []

    def attempt(approve: bool) -> None:
        try:
            decide(store, stepfunctions, approval.approval_id, approve=approve, actor="x", reason="r")
            outcomes.append("decided")
        except ApprovalAlreadyDecided:
            outcomes.append("refused")

    threads = [threading.Thread(target=attempt, args=(index % 2 == 0,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["decided", "refused", "refused", "refused"]
    assert len(stepfunctions.calls) == 1


def test_retried_request_replaces_token(
    store: RegistryStore, stepfunctions: RecordingStepFunctions
) -> None:
    first = make_request(store, token="token-1")
    second = make_request(store, token="token-2")
    assert first.approval_id == second.approval_id
    decide(store, stepfunctions, first.approval_id, approve=True, actor="ana", reason="ok")
    assert stepfunctions.calls[0][1]["taskToken"] == "token-2"
    with pytest.raises(WorkflowConfigInvalid, match="already decided"):
        make_request(store, token="token-3")


def test_unknown_approval(store: RegistryStore, stepfunctions: RecordingStepFunctions) -> None:
    with pytest.raises(ApprovalNotFound, match="approval nope of model churn not found"):
        decide(store, stepfunctions, "nope", approve=True, actor="ana", reason="ok")


@pytest.mark.parametrize("timeout", [0, -5, True, 100_000_000])
def test_invalid_timeout_rejected(store: RegistryStore, timeout: Any) -> None:
    with pytest.raises(WorkflowConfigInvalid, match="approval_timeout_seconds"):
        make_request(store, timeout=timeout)
