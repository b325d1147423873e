"""The prediction log in DynamoDB: every scored customer, joined later to its outcome.

Item layout (table `churnops-predictions`):
- `pk` = `{model}#{customer_id}`, `sk` = `{scored_at}#{request_id}#{row}`: the
  latest prediction for a customer is the last item of its partition, which is
  how `/feedback` finds the prediction its outcome belongs to.
- GSI `by_day`: `day_key` = `{model}#{YYYY-MM-DD}`, sort key `scored_at`. The
  monitor reads a window day by day; one partition per day spreads the writes.
- `expires_at` (epoch seconds) is the table's TTL attribute.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from churnops.errors import ChurnopsError
from churnops.registry.dynamo import deserialize_item, serialize_item

logger = logging.getLogger(__name__)

BATCH_WRITE_LIMIT = 25
MAX_WRITE_ATTEMPTS = 5


class PredictionNotFound(ChurnopsError, LookupError):
    """No logged prediction exists for a customer, so an outcome cannot be joined."""


class PredictionLogUnavailable(ChurnopsError):
    """DynamoDB rejected or throttled writes beyond the retry budget."""


def utc_timestamp(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class PredictionLog:
    """Writes predictions and outcomes for one model to the predictions table."""

    def __init__(self, dynamodb: Any, table: str, model_name: str, ttl_days: int = 180):
        self._dynamodb = dynamodb
        self._table = table
        self._model = model_name
        self._ttl = timedelta(days=ttl_days)

    def record_predictions(
        self,
        customers: Sequence[dict[str, Any]],
        predictions: Sequence[dict[str, Any]],
        model_version: int,
        request_id: str,
        id_field: str,
    ) -> int:
        """Write one item per scored customer with BatchWriteItem; return the count."""
        now = datetime.now(UTC)
        scored_at = utc_timestamp(now)
        expires_at = int((now + self._ttl).timestamp())
        items = []
        for row, (customer, prediction) in enumerate(zip(customers, predictions, strict=True)):
            customer_id = str(customer[id_field])
            features = {k: v for k, v in customer.items() if k != id_field}
            items.append({
                "pk": f"{self._model}#{customer_id}",
                "sk": f"{scored_at}#{request_id}#{row:04d}",
                "day_key": f"{self._model}#{scored_at[:10]}",
                "scored_at": scored_at,
                "customer_id": customer_id,
                "model_name": self._model,
                "model_version": model_version,
                "request_id": request_id,
                "churn_probability": float(prediction["churn_probability"]),
                "churn": bool(prediction["churn"]),
                "features": features,
                "expires_at": expires_at,
            })
        for start in range(0, len(items), BATCH_WRITE_LIMIT):
            self._write_batch(items[start:start + BATCH_WRITE_LIMIT])
        return len(items)

    def record_outcome(self, customer_id: str, churned: bool, observed_at: str | None = None) -> dict[str, Any]:
        """Attach an observed outcome to the customer's latest prediction and return it."""
        latest = self._latest_prediction(customer_id)
        if latest is None:
            raise PredictionNotFound(f"no logged prediction for customer {customer_id!r}")
        labelled_at = observed_at or utc_timestamp()
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key={"pk": {"S": latest["pk"]}, "sk": {"S": latest["sk"]}},
                UpdateExpression="SET label = :label, labelled_at = :at",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues={":label": {"BOOL": churned}, ":at": {"S": labelled_at}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise PredictionNotFound(
                    f"the prediction for customer {customer_id!r} expired before its outcome arrived"
                ) from error
            raise PredictionLogUnavailable(f"UpdateItem on {self._table} failed: {error}") from error
        return {**latest, "label": churned, "labelled_at": labelled_at,
                "previous_label": latest.get("label")}

    def read_window(self, start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
        """Yield every prediction scored in [start, end), day partition by day partition."""
        day = start.date()
        while day <= end.date():
            yield from self._query_day(day.isoformat(), utc_timestamp(start), utc_timestamp(end))
            day += timedelta(days=1)

    def _query_day(self, day: str, start: str, end: str) -> Iterator[dict[str, Any]]:
        arguments: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "by_day",
            "KeyConditionExpression": "day_key = :day AND scored_at BETWEEN :start AND :end",
            "FilterExpression": "scored_at < :end",
            "ExpressionAttributeValues": {
                ":day": {"S": f"{self._model}#{day}"},
                ":start": {"S": start},
                ":end": {"S": end},
            },
        }
        while True:
            response = self._dynamodb.query(**arguments)
            for item in response.get("Items", []):
                yield deserialize_item(item)
            if "LastEvaluatedKey" not in response:
                return
            arguments["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _latest_prediction(self, customer_id: str) -> dict[str, Any] | None:
        response = self._dynamodb.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"{self._model}#{customer_id}"}},
            ScanIndexForward=False,
            Limit=1,
            ConsistentRead=True,
        )
        items = response.get("Items", [])
        return deserialize_item(items[0]) if items else None

    def _write_batch(self, items: list[dict[str, Any]]) -> None:
        requests = [{"PutRequest": {"Item": serialize_item(item)}} for item in items]
        pending = {self._table: requests}
        for attempt in range(MAX_WRITE_ATTEMPTS):
            try:
                response = self._dynamodb.batch_write_item(RequestItems=pending)
            except ClientError as error:
                raise PredictionLogUnavailable(f"BatchWriteItem on {self._table} failed: {error}") from error
            pending = response.get("UnprocessedItems") or {}
            if not pending:
                return
            # Throttled rows come back unprocessed: retry them with exponential backoff.
            time.sleep(0.05 * 2**attempt)
        left = len(pending.get(self._table, []))
        raise PredictionLogUnavailable(f"{left} predictions left unwritten after {MAX_WRITE_ATTEMPTS} attempts")



def predictions_table_definition(table_name: str) -> dict[str, Any]:
    """CreateTable arguments for the predictions table, matching the CDK stack."""
    strings = [{"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "day_key", "scored_at")]
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": strings,
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [{
            "IndexName": "by_day",
            "KeySchema": [
                {"AttributeName": "day_key", "KeyType": "HASH"},
                {"AttributeName": "scored_at", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }],
    }
