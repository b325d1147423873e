"""Promote task of the retrain workflow: the approved candidate becomes the Production version."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from churnops.registry import RegistryStore
from churnops.workflow.promotion import promote_approved
from churnops.workflow.task_input import require

logger = Logger()
store = RegistryStore.from_settings()


@logger.inject_lambda_context(correlation_id_path="execution_id")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = promote_approved(
        store,
        version=require(event, "version", int),
        approval_id=require(event, "approval_id", str),
        execution_id=require(event, "execution_id", str),
    )
    logger.info("candidate promoted", extra=result)
    return result
