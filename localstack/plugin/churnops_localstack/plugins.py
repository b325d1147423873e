"""Entry points that LocalStack loads through its plugin manager (see pyproject.toml).

Selected with `LAMBDA_RUNTIME_EXECUTOR=local-process` and `PROVIDER_OVERRIDE_DYNAMODB=moto`.
Imports stay inside the factories so that listing plugins loads no LocalStack service.
"""

from __future__ import annotations

import threading
from typing import Any

from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin
from localstack.services.plugins import Service, aws_provider

EXECUTOR_NAME = "local-process"
DYNAMODB_PROVIDER_NAME = "moto"


class LocalProcessExecutorPlugin(RuntimeExecutorPlugin):
    """Plugin that returns the local-process runtime executor class."""

    name = EXECUTOR_NAME

    def load(self, *args: Any, **kwargs: Any) -> type:
        from churnops_localstack.executor import LocalProcessRuntimeExecutor

        return LocalProcessRuntimeExecutor


@aws_provider(api="dynamodb", name=DYNAMODB_PROVIDER_NAME)
def dynamodb_moto() -> Service:
    """Create the DynamoDB service backed by moto."""
    from localstack.services.moto import MotoFallbackDispatcher

    from churnops_localstack.dynamodb import MotoDynamoDBProvider

    provider = MotoDynamoDBProvider()
    return Service.for_provider(
        provider, dispatch_table_factory=lambda p: serialized(MotoFallbackDispatcher(p))
    )


def serialized(table: dict[str, Any]) -> dict[str, Any]:
    """Run one DynamoDB request at a time, as DynamoDB applies each request atomically.

    moto applies a transaction by copying the tables and restoring the copies when a
    condition fails, without a lock: a cancelled transaction running beside another
    request can undo that request's committed write. Serialising the requests makes
    every request, each transaction included, atomic again; clients still race
    between their own reads and writes, as they do on AWS.
    """
    lock = threading.Lock()

    def locked(handler: Any) -> Any:
        def call(context: Any, request: Any) -> Any:
            with lock:
                return handler(context, request)

        return call

    return {operation: locked(handler) for operation, handler in table.items()}
