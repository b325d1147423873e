"""Predict Lambda: POST /predict, POST /feedback and GET /model behind API Gateway (REST)."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit

from churnops.serving import api

logger = Logger()
metrics = Metrics(namespace="churnops")
app = APIGatewayRestResolver()
service = api.PredictionService.from_env(on_load_failure=lambda error: metrics.add_metric(
    name="ModelLoadFailures", unit=MetricUnit.Count, value=1))
service.warm_up()


@app.post("/predict")
def predict() -> Response:
    return _json(*service.predict(_request(), metrics))


@app.post("/feedback")
def feedback() -> Response:
    return _json(*service.feedback(_request()))


@app.get("/model")
def model() -> Response:
    return _json(*service.describe_model())


@app.exception_handler(Exception)
def unexpected(error: Exception) -> Response:
    logger.exception("unhandled error")
    metrics.add_metric(name="Errors", unit=MetricUnit.Count, value=1)
    request_id = app.current_event.request_context.request_id
    return _json(500, {"message": "internal error; quote the request id", "request_id": request_id})


def _request() -> api.Request:
    event = app.current_event
    return api.Request(
        body=event.body,
        is_base64=bool(event.is_base64_encoded),
        content_type=event.headers.get("content-type") or event.headers.get("Content-Type"),
        request_id=event.request_context.request_id,
    )


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=json.dumps(body))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
