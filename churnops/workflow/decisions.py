"""An operator's decision on an approval request, delivered to the waiting workflow.

Deciding is one conditional UpdateItem: it succeeds only while the request is
pending and before its expiry, so of two operators deciding at once exactly one
wins. That update also removes the task token and returns it, and only then is
the decision sent to Step Functions: SendTaskSuccess to approve, SendTaskFailure
with the error `Approval.Rejected` to reject.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from churnops.registry import AuditEvent, record_event
from churnops.registry.audit import check_text
from churnops.registry.dynamo import serialize_item, serialize_values
from churnops.registry.errors import ConditionFailed
from churnops.registry.store import RegistryStore, format_time
from churnops.workflow.approvals import (
    APPROVED,
    EXPIRED,
    PENDING,
    REJECTED,
    Approval,
    approval_key,
    get_approval,
)
from churnops.workflow.errors import (
    ApprovalAlreadyDecided,
    ApprovalDeliveryFailed,
    ApprovalExpired,
    WorkflowConfigInvalid,
)

logger = logging.getLogger(__name__)

REJECTED_ERROR = "Approval.Rejected"
MAX_REASON_LENGTH = 1000
# Step Functions returns these error codes when the execution no longer waits for the token.
_GONE = ("TaskTimedOut", "TaskDoesNotExist", "InvalidToken")


def decide(
    store: RegistryStore,
    stepfunctions: Any,
    approval_id: str,
    *,
    approve: bool,
    actor: str,
    reason: str,
) -> Approval:
    """Record the decision once, send it to the workflow, and append the audit entry."""
    actor = check_text(actor, "actor")
    reason = check_text(reason, "reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise WorkflowConfigInvalid(
            f"reason is {len(reason)} characters long; the limit is {MAX_REASON_LENGTH}"
        )
    status = APPROVED if approve else REJECTED
    now = datetime.now(UTC)
    decided_at = format_time(now)
    old = _claim(store, approval_id, status, actor, reason, decided_at, now.timestamp())
    decision = {
        "approved": approve, "approval_id": approval_id, "decided_by": actor, "reason": reason,
    }
    _deliver(store, stepfunctions, decision, decided_at, old["task_token"])
    record_event(
        store,
        AuditEvent.APPROVE if approve else AuditEvent.REJECT,
        reason=reason,
        actor=actor,
        version=old["version"],
        details={"approval_id": approval_id, "execution_id": old["execution_id"]},
    )
    logger.info("approval %s %s by %s", approval_id, status, actor)
    return get_approval(store, approval_id)


def _deliver(
    store: RegistryStore,
    stepfunctions: Any,
    decision: dict[str, Any],
    decided_at: str,
    token: str,
) -> None:
    """Send the decision; if it fails, mark the request expired or reopen it."""
    approval_id = decision["approval_id"]
    status = APPROVED if decision["approved"] else REJECTED
    try:
        _send(stepfunctions, token, decision)
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
        if code in _GONE:
            _set_status(store, approval_id, status, decided_at, {":new": EXPIRED})
            raise ApprovalExpired(
                f"approval {approval_id} can no longer be decided: the workflow stopped "
                f"waiting ({code}); start a new retrain with `churnops retrain start`"
            ) from exc
        _reopen(store, approval_id, status, decided_at, token)
        raise ApprovalDeliveryFailed(
            f"failed to send the decision on approval {approval_id} to Step Functions "
            f"({code}); the request is still pending, so run the command again"
        ) from exc
    except BotoCoreError as exc:
        _reopen(store, approval_id, status, decided_at, token)
        raise ApprovalDeliveryFailed(
            f"failed to reach Step Functions ({exc}); approval {approval_id} is still pending, "
            "so run the command again"
        ) from exc


def _claim(
    store: RegistryStore,
    approval_id: str,
    status: str,
    actor: str,
    reason: str,
    decided_at: str,
    now_epoch: float,
) -> dict[str, Any]:
    try:
        response = store.call(
            "UpdateItem",
            store.registry_table,
            store.dynamodb.update_item,
            TableName=store.registry_table,
            Key=serialize_item(approval_key(store.model_name, approval_id)),
            UpdateExpression=(
                "SET #status = :new, decided_by = :actor, decided_at = :at, "
                "decision_reason = :reason REMOVE task_token"
            ),
            ConditionExpression="#status = :pending AND expires_at_epoch > :now",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues=serialize_values(
                {
                    ":new": status,
                    ":actor": actor,
                    ":at": decided_at,
                    ":reason": reason,
                    ":pending": PENDING,
                    ":now": int(now_epoch),
                }
            ),
            ReturnValues="ALL_OLD",
        )
    except ConditionFailed:
        _raise_decision_error(store, approval_id)
    attributes = response["Attributes"]
    return {
        "task_token": attributes["task_token"]["S"],
        "version": int(attributes["version"]["N"]),
        "execution_id": attributes["execution_id"]["S"],
    }


def _raise_decision_error(store: RegistryStore, approval_id: str) -> None:
    approval = get_approval(store, approval_id)  # raises ApprovalNotFound
    if approval.status == EXPIRED:
        raise ApprovalExpired(
            f"approval {approval_id} expired at {approval.expires_at}; the workflow treats it "
            "as rejected. Start a new retrain with `churnops retrain start`"
        )
    raise ApprovalAlreadyDecided(
        f"approval {approval_id} was already {approval.status} by {approval.decided_by} at "
        f"{approval.decided_at}; each approval request is decided once"
    )


def _send(stepfunctions: Any, token: str, decision: dict[str, Any]) -> None:
    if decision["approved"]:
        stepfunctions.send_task_success(taskToken=token, output=json.dumps(decision))
    else:
        stepfunctions.send_task_failure(
            taskToken=token, error=REJECTED_ERROR, cause=json.dumps(decision)
        )


def _set_status(
    store: RegistryStore,
    approval_id: str,
    expected: str,
    decided_at: str,
    values: dict[str, Any],
    expression: str = "SET #status = :new",
) -> None:
    # Conditional on this process's own claim, so it never overwrites another decision.
    store.call(
        "UpdateItem",
        store.registry_table,
        store.dynamodb.update_item,
        TableName=store.registry_table,
        Key=serialize_item(approval_key(store.model_name, approval_id)),
        UpdateExpression=expression,
        ConditionExpression="#status = :expected AND decided_at = :at",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues=serialize_values(
            {**values, ":expected": expected, ":at": decided_at}
        ),
    )


def _reopen(
    store: RegistryStore, approval_id: str, status: str, decided_at: str, token: str
) -> None:
    _set_status(
        store,
        approval_id,
        status,
        decided_at,
        {":new": PENDING, ":token": token},
        "SET #status = :new, task_token = :token REMOVE decided_by, decided_at, decision_reason",
    )

