"""A DynamoDB provider for LocalStack that serves every operation from moto, in process.

LocalStack's own DynamoDB provider forwards to DynamoDB Local, a Java program that it
downloads at first use, so it fails on a machine without Java or network access. This
provider implements no operation itself: the moto fallback dispatcher sends each call
to moto's DynamoDB backend, which keeps tables in LocalStack's memory.

NOTE: moto stores and returns TTL settings but never deletes expired items, so code
must not depend on expiry here (on AWS it can also take up to days).
"""

from __future__ import annotations

from localstack.aws.api.dynamodb import DynamodbApi
from localstack.services.plugins import ServiceLifecycleHook
from localstack.state import StateVisitor


class MotoDynamoDBProvider(DynamodbApi, ServiceLifecycleHook):
    """DynamoDB API whose operations all fall through to moto."""

    def accept_state_visitor(self, visitor: StateVisitor) -> None:
        from moto.dynamodb.models import dynamodb_backends

        visitor.visit(dynamodb_backends)
