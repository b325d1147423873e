"""Approval requests: one registry item per candidate awaiting an operator's decision.

Item layout in the registry table, in the model's item collection:

    pk = MODEL#{model}    sk = APPROVAL#{approval_id}
    approval_id, model_name, version, status (pending | approved | rejected | expired),
    execution_id, requested_at, expires_at, expires_at_epoch, timeout_seconds,
    candidate, champion (metrics side by side), reasons, reports (S3 URIs),
    task_token, decided_by, decided_at, decision_reason

The task token lets anyone holding it resume the workflow, so it stays in the item:
`Approval` never carries it, and only `decisions.decide` reads it, to hand it to
Step Functions. A pending request past `expires_at` reads as expired.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from churnops.registry.dynamo import serialize_item
from churnops.registry.errors import ConditionFailed
from churnops.registry.store import RegistryStore, format_time
from churnops.registry.tables import PARTITION_KEY, SORT_KEY, model_partition
from churnops.workflow import objects
from churnops.workflow.errors import ApprovalNotFound, WorkflowConfigInvalid

# Metrics shown side by side for the candidate and the champion.
SUMMARY_METRICS = ("auc", "precision", "recall", "f1", "brier", "log_loss")

APPROVAL_PREFIX = "APPROVAL#"
PENDING, APPROVED, REJECTED, EXPIRED = "pending", "approved", "rejected", "expired"
# Step Functions' own limit on a task's TimeoutSeconds is 99999999 seconds.
MAX_TIMEOUT_S = 99_999_999


@dataclass(frozen=True)
class Approval:
    """An approval request as operators see it: everything but the task token."""

    approval_id: str
    model_name: str
    version: int
    status: str
    execution_id: str
    requested_at: str
    expires_at: str
    candidate: dict[str, Any]
    champion: dict[str, Any] | None
    reasons: list[str] = field(default_factory=list)
    reports: dict[str, str] = field(default_factory=dict)
    decided_by: str | None = None
    decided_at: str | None = None
    decision_reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_item(cls, item: dict[str, Any], now: float | None = None) -> Approval:
        """Build from a registry item, reading a pending request past its expiry as expired."""
        status = item["status"]
        if status == PENDING and (now or time.time()) >= item["expires_at_epoch"]:
            status = EXPIRED
        names = cls.__dataclass_fields__
        values = {name: item.get(name) for name in names if name != "status"}
        values["reasons"] = item.get("reasons") or []
        values["reports"] = item.get("reports") or {}
        return cls(status=status, **values)


def approval_key(model_name: str, approval_id: str) -> dict[str, str]:
    return {PARTITION_KEY: model_partition(model_name), SORT_KEY: APPROVAL_PREFIX + approval_id}


def approval_id_for(execution_id: str, version: int) -> str:
    """Return a short id that is the same when Step Functions retries the request task."""
    return hashlib.sha256(f"{execution_id}#{version}".encode()).hexdigest()[:12]


def request_approval(
    store: RegistryStore,
    *,
    version: int,
    execution_id: str,
    comparison_key: str,
    task_token: str,
    entered_at: str,
    timeout_seconds: int,
) -> Approval:
    """Store a pending request; a retried task replaces the token of its pending request.

    The expiry counts from `entered_at`, the time the state was entered, because
    that is when Step Functions starts the task's timeout.
    """
    if isinstance(timeout_seconds, bool) or not isinstance(timeout_seconds, int) or not (
        1 <= timeout_seconds <= MAX_TIMEOUT_S
    ):
        raise WorkflowConfigInvalid(
            f"approval_timeout_seconds {timeout_seconds!r} is invalid: expected an integer "
            f"from 1 to {MAX_TIMEOUT_S}"
        )
    if not isinstance(task_token, str) or not task_token:
        raise WorkflowConfigInvalid("task_token is missing: invoke with .waitForTaskToken")
    expires = _parse_time(entered_at) + timedelta(seconds=timeout_seconds)
    comparison = objects.get_json(store, comparison_key)
    approval_id = approval_id_for(objects.check_execution_id(execution_id), version)
    item = {
        **approval_key(store.model_name, approval_id),
        "approval_id": approval_id,
        "model_name": store.model_name,
        "version": version,
        "status": PENDING,
        "execution_id": execution_id,
        "requested_at": format_time(datetime.now(UTC)),
        "expires_at": format_time(expires),
        "expires_at_epoch": int(expires.timestamp()),
        "timeout_seconds": timeout_seconds,
        "candidate": _summary(comparison["candidate"]),
        "champion": _summary(comparison["champion"]),
        "reasons": comparison["reasons"],
        "reports": _reports(store, version, comparison_key),
        "task_token": task_token,
    }
    _put_pending(store, item)
    return Approval.from_item(item)


def get_approval(store: RegistryStore, approval_id: str) -> Approval:
    """Return one request, or raise ApprovalNotFound."""
    item = store.get(store.registry_table, approval_key(store.model_name, approval_id))
    if item is None:
        raise ApprovalNotFound(
            f"approval {approval_id} of model {store.model_name} not found; "
            "`churnops approvals list --all` shows every request"
        )
    return Approval.from_item(item)


def list_approvals(store: RegistryStore, *, include_decided: bool = False) -> list[Approval]:
    """Return requests newest first: pending ones only, unless `include_decided`."""
    items = store.query(
        store.registry_table,
        f"{PARTITION_KEY} = :pk AND begins_with({SORT_KEY}, :prefix)",
        {":pk": model_partition(store.model_name), ":prefix": APPROVAL_PREFIX},
    )
    approvals = [Approval.from_item(item) for item in items]
    approvals.sort(key=lambda approval: approval.requested_at, reverse=True)
    return [item for item in approvals if include_decided or item.status == PENDING]


def _put_pending(store: RegistryStore, item: dict[str, Any]) -> None:
    try:
        store.call(
            "PutItem",
            store.registry_table,
            store.dynamodb.put_item,
            TableName=store.registry_table,
            Item=serialize_item(item),
            ConditionExpression=f"attribute_not_exists({PARTITION_KEY}) OR #status = :pending",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":pending": {"S": PENDING}},
        )
    except ConditionFailed as exc:
        raise WorkflowConfigInvalid(
            f"approval {item['approval_id']} for version {item['version']} was already "
            "decided; a decided request is never reopened"
        ) from exc


def _summary(side: dict[str, Any] | None) -> dict[str, Any] | None:
    if side is None:
        return None
    return {"version": side["version"], **{name: side["metrics"][name] for name in SUMMARY_METRICS}}


def _reports(store: RegistryStore, version: int, comparison_key: str) -> dict[str, str]:
    prefix = f"models/{store.model_name}/v{version}/"
    return {
        "comparison": objects.s3_uri(store, comparison_key),
        "model_card": objects.s3_uri(store, prefix + "model_card.md"),
        "run": objects.s3_uri(store, prefix + "run.json"),
    }


def _parse_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError as exc:
        raise WorkflowConfigInvalid(f"entered_at {text!r} is not an ISO 8601 time") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
