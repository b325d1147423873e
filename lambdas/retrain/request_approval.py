"""Request-approval task: store a pending approval with its task token and tell operators.

Invoked with `lambda:invoke.waitForTaskToken`: the execution waits until
`churnops approvals approve|reject` sends the decision, or until the state's timeout.
The token is stored in the registry table only; it is never logged or returned.
"""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from churnops.registry import RegistryStore
from churnops.workflow import notifications
from churnops.workflow.approvals import request_approval
from churnops.workflow.settings import WorkflowSettings
from churnops.workflow.task_input import require

logger = Logger()
workflow_settings = WorkflowSettings.from_env()
store = RegistryStore.from_settings()
sns = boto3.client("sns")


@logger.inject_lambda_context(correlation_id_path="execution_id")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    approval = request_approval(
        store,
        version=require(event, "version", int),
        execution_id=require(event, "execution_id", str),
        comparison_key=require(event, "comparison_key", str),
        task_token=require(event, "task_token", str),
        entered_at=require(event, "entered_at", str),
        timeout_seconds=require(event, "timeout_seconds", int),
    )
    body = {
        **approval.to_dict(),
        "approve": f"churnops approvals approve {approval.approval_id} --reason TEXT",
        "reject": f"churnops approvals reject {approval.approval_id} --reason TEXT",
    }
    subject = f"churnops {store.model_name}: approve version {approval.version}?"
    notified = notifications.publish(sns, workflow_settings.topic_arn, subject, body)
    logger.info(
        "approval requested",
        extra={"approval_id": approval.approval_id, "version": approval.version,
               "expires_at": approval.expires_at, "notified": notified},
    )
    return {"approval_id": approval.approval_id, "expires_at": approval.expires_at}
