"""Connection to the registry's tables and bucket, and the DynamoDB calls every module shares."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from churnops.config import Settings
from churnops.registry.dynamo import deserialize_item, serialize_item, serialize_values
from churnops.registry.errors import (
    ConditionFailed,
    RegistryError,
    StoreUnavailable,
    TransactionCancelled,
)
from churnops.registry.tables import check_model_name

ACTOR_ENV = "CHURNOPS_ACTOR"


def default_actor() -> str:
    """Return who is acting: $CHURNOPS_ACTOR, else the OS user, else "unknown"."""
    actor = os.environ.get(ACTOR_ENV, "").strip()
    if actor:
        return actor
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def utc_now() -> str:
    """Return the current UTC time in the fixed-width form used in keys and records."""
    return format_time(datetime.now(UTC))


def format_time(moment: datetime) -> str:
    """Format an aware datetime as `YYYY-MM-DDTHH:MM:SS.ffffffZ`, which sorts as text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class RegistryStore:
    """Clients and resource names of one model's registry, audit log and artifacts."""

    dynamodb: Any
    s3: Any
    registry_table: str
    audit_table: str
    bucket: str
    model_name: str

    def __post_init__(self) -> None:
        check_model_name(self.model_name)

    @classmethod
    def from_settings(
        cls, settings: Settings | None = None, session: boto3.session.Session | None = None
    ) -> RegistryStore:
        """Build a store from settings (default: the environment) and a boto3 session."""
        settings = settings or Settings.from_env()
        session = session or boto3.session.Session()
        try:
            dynamodb = session.client("dynamodb")
            s3 = session.client("s3")
        except BotoCoreError as exc:
            raise StoreUnavailable(
                f"failed to create AWS clients: {exc}; set AWS_DEFAULT_REGION "
                "(and AWS_ENDPOINT_URL for an emulator)"
            ) from exc
        return cls(
            dynamodb=dynamodb,
            s3=s3,
            registry_table=settings.registry_table,
            audit_table=settings.audit_table,
            bucket=settings.bucket,
            model_name=settings.model_name,
        )

    def get(self, table: str, key: dict[str, str]) -> dict[str, Any] | None:
        """Read one item with a strongly consistent read; None if absent."""
        response = self.call(
            "GetItem",
            table,
            self.dynamodb.get_item,
            TableName=table,
            Key=serialize_item(key),
            ConsistentRead=True,
        )
        item = response.get("Item")
        return deserialize_item(item) if item else None

    def query(
        self,
        table: str,
        key_condition: str,
        values: dict[str, Any],
        *,
        filter_expression: str | None = None,
        names: dict[str, str] | None = None,
        ascending: bool = True,
    ) -> Iterator[dict[str, Any]]:
        """Yield every item matching a key condition, following pagination."""
        arguments: dict[str, Any] = {
            "TableName": table,
            "KeyConditionExpression": key_condition,
            "ExpressionAttributeValues": serialize_values(values),
            "ScanIndexForward": ascending,
            "ConsistentRead": True,
        }
        if filter_expression:
            arguments["FilterExpression"] = filter_expression
        if names:
            arguments["ExpressionAttributeNames"] = names
        while True:
            response = self.call("Query", table, self.dynamodb.query, **arguments)
            for item in response.get("Items", []):
                yield deserialize_item(item)
            last_key = response.get("LastEvaluatedKey")
            if not last_key:
                return
            arguments["ExclusiveStartKey"] = last_key

    def transact(self, items: Sequence[dict[str, Any]], labels: Sequence[str]) -> None:
        """Run TransactWriteItems; if cancelled, raise TransactionCancelled naming failed items."""
        try:
            self.dynamodb.transact_write_items(TransactItems=list(items))
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise _store_error("TransactWriteItems", self.registry_table, exc) from exc
            reasons = [
                str(reason.get("Code", "None"))
                for reason in exc.response.get("CancellationReasons", [])
            ]
            failed = [
                f"{label} ({code})"
                for label, code in zip(labels, reasons, strict=False)
                if code != "None"
            ]
            detail = ", ".join(failed) or exc.response["Error"].get("Message", "no reason given")
            raise TransactionCancelled(f"transaction cancelled: {detail}", reasons) from exc
        except BotoCoreError as exc:
            raise StoreUnavailable(f"failed to run TransactWriteItems: {exc}") from exc

    def call(self, operation: str, resource: str, method: Any, **arguments: Any) -> Any:
        """Call one AWS API and translate its errors into registry errors."""
        try:
            return method(**arguments)
        except ClientError as exc:
            raise _store_error(operation, resource, exc) from exc
        except BotoCoreError as exc:
            raise StoreUnavailable(f"failed to call {operation} on {resource}: {exc}") from exc


def _store_error(operation: str, resource: str, exc: ClientError) -> RegistryError:
    code = exc.response["Error"]["Code"]
    message = exc.response["Error"].get("Message", "")
    if code == "ConditionalCheckFailedException":
        return ConditionFailed(f"{operation} on {resource} failed its condition: {message}")
    if code in ("ResourceNotFoundException", "NoSuchBucket"):
        return StoreUnavailable(
            f"{operation} failed: {resource} not found ({message}); deploy the stack or set "
            "CHURNOPS_REGISTRY_TABLE, CHURNOPS_AUDIT_TABLE and CHURNOPS_BUCKET"
        )
    return StoreUnavailable(f"{operation} on {resource} failed: {code}: {message}")
