"""Notify task of the retrain workflow: record and announce how the execution ended."""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from churnops.registry import RegistryStore
from churnops.workflow.outcomes import record_outcome
from churnops.workflow.settings import WorkflowSettings
from churnops.workflow.task_input import require

logger = Logger()
workflow_settings = WorkflowSettings.from_env()
store = RegistryStore.from_settings()
sns = boto3.client("sns")


@logger.inject_lambda_context(correlation_id_path="execution_id")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = record_outcome(
        store,
        sns,
        workflow_settings,
        outcome=require(event, "outcome", str),
        execution_id=require(event, "execution_id", str),
        run=require(event, "run", dict),
    )
    logger.info("retrain ended", extra=result)
    return result
