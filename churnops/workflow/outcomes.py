"""The notify task: report how a retrain ended, in the audit log and to operators by SNS."""

from __future__ import annotations

import json
import logging
from typing import Any

from churnops.registry import AuditEvent
from churnops.registry.store import RegistryStore
from churnops.workflow import notifications, trail
from churnops.workflow.errors import WorkflowConfigInvalid
from churnops.workflow.settings import WORKFLOW_ACTOR, WorkflowSettings

logger = logging.getLogger(__name__)

PROMOTED, REJECTED, VALIDATION_FAILED = "promoted", "rejected", "validation_failed"
TIMED_OUT, FAILED = "timed_out", "failed"
OUTCOMES = (PROMOTED, REJECTED, VALIDATION_FAILED, TIMED_OUT, FAILED)
MAX_CAUSE_LENGTH = 1000


def record_outcome(
    store: RegistryStore,
    sns: Any,
    settings: WorkflowSettings,
    *,
    outcome: str,
    execution_id: str,
    run: dict[str, Any],
) -> dict[str, Any]:
    """Append the outcome's audit entry, publish it, and return a summary for the final state."""
    if outcome not in OUTCOMES:
        raise WorkflowConfigInvalid(f"outcome {outcome!r} is invalid: expected one of {OUTCOMES}")
    version = (run.get("train") or {}).get("version")
    details = {"execution_id": execution_id, "outcome": outcome, **_facts(outcome, run)}
    reason = _reason(outcome, details)
    actor = details.get("decided_by") or WORKFLOW_ACTOR
    trail.record(
        store, AuditEvent.RETRAIN_END,
        reason=reason, actor=actor, version=version, details=details,
    )
    subject = f"churnops {store.model_name} retrain: {outcome.replace('_', ' ')}"
    message = {**details, "reason": reason}
    notified = notifications.publish(sns, settings.topic_arn, subject, message)
    logger.info("retrain %s ended: %s", execution_id, outcome)
    return {"outcome": outcome, "version": version, "reason": reason, "notified": notified}


def _facts(outcome: str, run: dict[str, Any]) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    validation = run.get("validation") or {}
    if validation:
        facts["comparison"] = validation.get("comparison_key")
        facts["candidate_auc"] = validation.get("candidate_auc")
        facts["champion_auc"] = validation.get("champion_auc")
        facts["validation_reasons"] = validation.get("reasons") or []
    approval = run.get("approval") or {}
    if outcome == PROMOTED:
        facts["decided_by"] = approval.get("decided_by")
        facts["approval_id"] = approval.get("approval_id")
    error = run.get("error") or {}
    if error:
        facts["error"] = str(error.get("Error", "unknown"))
        cause = _parse_cause(error.get("Cause"))
        if outcome == REJECTED:
            facts.update({key: cause.get(key) for key in ("approval_id", "decided_by")})
            facts["decision_reason"] = cause.get("reason")
        else:
            facts["cause"] = str(cause.get("errorMessage") or cause.get("message") or "")[
                :MAX_CAUSE_LENGTH
            ]
    return {key: value for key, value in facts.items() if value is not None}


def _parse_cause(cause: Any) -> dict[str, Any]:
    # Lambda errors arrive as a JSON object in a string; other errors as plain text.
    if not isinstance(cause, str):
        return {}
    try:
        parsed = json.loads(cause)
    except json.JSONDecodeError:
        return {"message": cause}
    return parsed if isinstance(parsed, dict) else {"message": cause}


def _reason(outcome: str, details: dict[str, Any]) -> str:
    if outcome == PROMOTED:
        return "candidate approved and promoted to Production"
    if outcome == REJECTED:
        return f"candidate rejected by an operator: {details.get('decision_reason', 'no reason')}"
    if outcome == VALIDATION_FAILED:
        return "candidate failed validation: " + "; ".join(details.get("validation_reasons", []))
    if outcome == TIMED_OUT:
        return "no operator decided before the approval request expired; counted as rejected"
    return f"retrain failed: {details.get('error', 'unknown')}: {details.get('cause', '')}".strip()
