"""Start the retrain state machine by hand (`churnops retrain start`) or from code."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from churnops.registry import AuditEvent, record_event
from churnops.registry.audit import check_text
from churnops.registry.errors import StoreUnavailable
from churnops.registry.store import RegistryStore
from churnops.workflow.approvals import MAX_TIMEOUT_S
from churnops.workflow.errors import WorkflowConfigInvalid


def execution_name(now: datetime | None = None) -> str:
    """Return a unique, sortable execution name such as retrain-20260131T120000Z-1a2b3c4d."""
    return f"retrain-{(now or datetime.now(UTC)):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def start_retrain(
    store: RegistryStore,
    stepfunctions: Any,
    state_machine_arn: str | None,
    *,
    reason: str,
    actor: str,
    approval_timeout_seconds: int | None = None,
) -> dict[str, Any]:
    """Start one execution and append a `retrain_start` audit entry naming it."""
    if not state_machine_arn:
        raise WorkflowConfigInvalid(
            "the retrain state machine is unknown: set CHURNOPS_RETRAIN_STATE_MACHINE_ARN "
            "or pass --state-machine-arn (the stack output StateMachineArn)"
        )
    execution_input: dict[str, Any] = {
        "reason": check_text(reason, "reason"),
        "requested_by": check_text(actor, "actor"),
    }
    if approval_timeout_seconds is not None:
        if not 1 <= approval_timeout_seconds <= MAX_TIMEOUT_S:
            raise WorkflowConfigInvalid(
                f"approval timeout {approval_timeout_seconds} s is invalid: expected 1 to "
                f"{MAX_TIMEOUT_S} seconds"
            )
        execution_input["approval_timeout_seconds"] = approval_timeout_seconds
    name = execution_name()
    try:
        response = stepfunctions.start_execution(
            stateMachineArn=state_machine_arn, name=name, input=json.dumps(execution_input)
        )
    except (ClientError, BotoCoreError) as exc:
        raise StoreUnavailable(f"failed to start {state_machine_arn}: {exc}") from exc
    record_event(
        store,
        AuditEvent.RETRAIN_START,
        reason=execution_input["reason"],
        actor=execution_input["requested_by"],
        details={"execution_id": name, "execution_arn": response["executionArn"]},
    )
    return {
        "execution_id": name,
        "execution_arn": response["executionArn"],
        "input": execution_input,
    }
