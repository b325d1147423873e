"""The prediction API's logic, apart from the Lambda event plumbing.

Each method returns `(status, body)`. Client mistakes map to 4xx with every
problem listed; a missing Production model maps to 503. A failure to write the
prediction log does not fail the request: the client still gets its scores, and
the failure is logged and counted.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

import boto3
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from churnops.errors import ChurnopsError
from churnops.registry.errors import NoProductionVersion
from churnops.registry.store import RegistryStore
from churnops.serving.model_holder import ModelHolder
from churnops.serving.prediction_log import PredictionLog, PredictionLogUnavailable, PredictionNotFound
from churnops.serving.settings import ServingSettings
from churnops.validation import (
    BatchTooLarge,
    RequestInvalid,
    errors_from_pydantic,
    parse_instances,
    validate_records,
)

logger = logging.getLogger(__name__)
JSON_TYPES = ("application/json",)
FEEDBACK_WORKERS = 16


@dataclass(frozen=True)
class Request:
    """The parts of an HTTP request the API reads."""

    body: str | None
    is_base64: bool
    content_type: str | None
    request_id: str


class Outcome(BaseModel):
    """An observed outcome for a customer scored earlier."""

    model_config = ConfigDict(extra="ignore", strict=True)
    customer_id: str = Field(min_length=1, max_length=128)
    churn: bool
    observed_at: str | None = Field(default=None, max_length=40)


_OUTCOMES = TypeAdapter(list[Outcome])


class PredictionService:
    """Scores requests with the Production model and logs them for monitoring."""

    def __init__(self, settings: ServingSettings, holder: ModelHolder, log: PredictionLog):
        self.settings = settings
        self.holder = holder
        self.log = log

    @classmethod
    def from_env(cls, on_load_failure: Callable[[Exception], None]) -> PredictionService:
        settings = ServingSettings.from_env()
        session = boto3.session.Session()
        store = RegistryStore.from_settings(settings.resources, session)
        holder = ModelHolder(store, settings.refresh_seconds, settings.cache_dir, on_load_failure)
        log = PredictionLog(
            store.dynamodb, settings.resources.predictions_table,
            settings.resources.model_name, settings.prediction_ttl_days,
        )
        return cls(settings, holder, log)

    def warm_up(self) -> None:
        """Load the Production model during the cold start, before the first request."""
        try:
            self.holder.current()
        except ChurnopsError as error:
            logger.warning("no model loaded at cold start: %s", error)

    def predict(self, request: Request, metrics: Any) -> tuple[int, dict[str, Any]]:
        started = time.perf_counter()
        try:
            instances = parse_instances(self._payload(request), self.settings.max_batch)
            served = self.holder.current()
            customers = validate_records(instances, served.model.schema)
        except _REQUEST_ERRORS as error:
            return _error_response(error)
        predictions = served.model.score_validated(customers)
        version = served.record.version
        id_field = served.model.schema.id_field
        self._log_predictions(customers, predictions, version, request.request_id, id_field, metrics)
        _record_metrics(metrics, predictions, version, time.perf_counter() - started)
        body = {"model_name": served.record.model_name, "model_version": version, "predictions": predictions}
        return 200, body

    def feedback(self, request: Request) -> tuple[int, dict[str, Any]]:
        try:
            instances = parse_instances(self._payload(request), self.settings.max_batch)
            outcomes = _OUTCOMES.validate_python(instances)
        except _REQUEST_ERRORS as error:
            return _error_response(error)
        # Each outcome costs a Query and an UpdateItem. Run in parallel, because 2,000
        # round trips in a row for 1,000 outcomes can exceed the function's timeout.
        with ThreadPoolExecutor(max_workers=FEEDBACK_WORKERS) as pool:
            rows = list(pool.map(self._record_outcome, outcomes))
        joined = [row for row in rows if row is not None]
        unmatched = [o.customer_id for o, row in zip(outcomes, rows, strict=True) if row is None]
        if unmatched and not joined:
            return 404, {"message": "no logged prediction for these customers", "unmatched": unmatched}
        return 200, {"joined": joined, "unmatched": unmatched}

    def _record_outcome(self, outcome: Outcome) -> dict[str, Any] | None:
        try:
            row = self.log.record_outcome(outcome.customer_id, outcome.churn, outcome.observed_at)
        except PredictionNotFound:
            return None
        joined = {"customer_id": outcome.customer_id, "model_version": row["model_version"]}
        if row.get("previous_label") is not None:
            joined["replaced_label"] = row["previous_label"]
        return joined

    def describe_model(self) -> tuple[int, dict[str, Any]]:
        try:
            record = self.holder.current().record
        except NoProductionVersion as error:
            return _error_response(error)
        return 200, {
            "model_name": record.model_name,
            "model_version": record.version,
            "stage": str(record.stage),
            "family": record.family,
            "threshold": record.threshold,
            "metrics": record.metrics,
            "promoted_at": record.promoted_at,
            "run_id": record.run_id,
            "model_sha256": record.model_sha256,
        }

    def _payload(self, request: Request) -> Any:
        media_type = (request.content_type or "").split(";")[0].strip().lower()
        if media_type not in JSON_TYPES:
            raise _ClientError(415, f"content type must be application/json, got {media_type or 'none'}")
        body = request.body or ""
        raw = base64.b64decode(body) if request.is_base64 else body.encode("utf-8")
        if len(raw) > self.settings.max_body_bytes:
            raise _ClientError(413, f"body of {len(raw)} bytes exceeds the limit of {self.settings.max_body_bytes}")
        try:
            return json.loads(raw, parse_constant=lambda name: float("nan"))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise _ClientError(400, f"body is not valid JSON: {error}") from error
        except RecursionError as error:
            raise _ClientError(400, "body is not valid JSON: it is nested too deeply") from error

    def _log_predictions(self, customers, predictions, version, request_id, id_field, metrics) -> None:
        try:
            self.log.record_predictions(customers, predictions, version, request_id, id_field)
        except PredictionLogUnavailable as error:
            logger.error("prediction log write failed for request %s: %s", request_id, error)
            metrics.add_metric(name="PredictionLogFailures", unit="Count", value=1)


class _ClientError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.body = {"message": message}


_REQUEST_ERRORS = (_ClientError, BatchTooLarge, RequestInvalid, ValidationError, NoProductionVersion)


def _error_response(error: Exception) -> tuple[int, dict[str, Any]]:
    """Map a client mistake, or the missing model, to its status and body."""
    if isinstance(error, _ClientError):
        return error.status, error.body
    if isinstance(error, BatchTooLarge):
        return 413, {"message": str(error)}
    if isinstance(error, RequestInvalid):
        return 400, {"message": "invalid request", "errors": error.errors}
    if isinstance(error, ValidationError):
        return 400, {"message": "invalid request", "errors": errors_from_pydantic(error)}
    return 503, {"message": str(error)}


def _record_metrics(metrics: Any, predictions: list[dict[str, Any]], version: int, seconds: float) -> None:
    metrics.add_metric(name="PredictLatency", unit="Milliseconds", value=seconds * 1000)
    metrics.add_metric(name="CustomersScored", unit="Count", value=len(predictions))
    mean = sum(p["churn_probability"] for p in predictions) / len(predictions)
    metrics.add_metric(name="MeanChurnProbability", unit="None", value=mean)
    metrics.add_metadata(key="model_version", value=version)
