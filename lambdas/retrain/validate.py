"""Validate task of the retrain workflow: candidate against champion on the same holdout."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from churnops.registry import RegistryStore
from churnops.workflow.settings import WorkflowSettings
from churnops.workflow.task_input import require
from churnops.workflow.validation import validate_candidate

logger = Logger()
workflow_settings = WorkflowSettings.from_env()
store = RegistryStore.from_settings()


@logger.inject_lambda_context(correlation_id_path="execution_id")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = validate_candidate(
        store,
        workflow_settings,
        version=require(event, "version", int),
        manifest_key=require(event, "manifest_key", str),
        execution_id=require(event, "execution_id", str),
    )
    logger.info("validation finished", extra=result)
    return result
