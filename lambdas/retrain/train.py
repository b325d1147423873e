"""Train task of the retrain workflow: train a candidate on base data plus feedback, register it."""

from __future__ import annotations

import resource
import time
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from churnops.config import Settings
from churnops.registry import RegistryStore
from churnops.serving.prediction_log import PredictionLog
from churnops.workflow.candidate import train_candidate
from churnops.workflow.settings import WorkflowSettings
from churnops.workflow.task_input import require

logger = Logger()
settings = Settings.from_env()
workflow_settings = WorkflowSettings.from_env()
store = RegistryStore.from_settings(settings)
prediction_log = PredictionLog(store.dynamodb, settings.predictions_table, settings.model_name)


@logger.inject_lambda_context(correlation_id_path="execution_id")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    started = time.perf_counter()
    result = train_candidate(
        store,
        prediction_log,
        workflow_settings,
        execution_id=require(event, "execution_id", str),
        reason=str(event.get("reason") or "retrain requested"),
    )
    # ru_maxrss is in KiB on Linux: the figure that sizes this function's memory.
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    elapsed_s = round(time.perf_counter() - started, 1)
    logger.info(
        "candidate registered",
        extra={**result, "peak_memory_mib": round(peak_mib), "elapsed_s": elapsed_s},
    )
    return result
