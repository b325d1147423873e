"""Monitor Lambda: run by the daily EventBridge rule (or by hand with any event)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from churnops.monitoring.run import Monitor

logger = Logger()
monitor = Monitor.from_env()


@logger.inject_lambda_context(correlation_id_path="id")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    logger.info("monitor run started", extra={"trigger": event.get("detail-type", "manual")})
    summary = monitor.run()
    logger.info("monitor run finished", extra={"alarm": summary["alarm"], "retrain": summary["retrain"]})
    return summary
