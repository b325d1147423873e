"""The predict Lambda against moto: contracts, bad input, model swaps, feedback."""

from __future__ import annotations

import base64
import importlib.util
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from churnops.registry import promote, register, rollback, transition
from churnops.serving.prediction_log import predictions_table_definition

APP_PATH = Path(__file__).resolve().parents[2] / "lambdas" / "predict" / "app.py"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class LambdaContext:
    function_name = "churnops-predict"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:churnops-predict"
    aws_request_id = "lambda-request"


def rest_event(method: str, path: str, body: Any = None, content_type: str = "application/json",
               raw: str | None = None, base64_body: bool = False) -> dict[str, Any]:
    text = raw
    if text is None and body is not None:
        text = json.dumps(body)
    if base64_body and text is not None:
        text = base64.b64encode(text.encode()).decode()
    return {
        "resource": path, "path": path, "httpMethod": method,
        "headers": {"Content-Type": content_type}, "multiValueHeaders": {"Content-Type": [content_type]},
        "queryStringParameters": None, "multiValueQueryStringParameters": None,
        "pathParameters": None, "stageVariables": None,
        "requestContext": {"requestId": f"req-{uuid.uuid4().hex[:8]}", "stage": "prod", "path": path,
                           "httpMethod": method, "resourcePath": path, "accountId": "000000000000",
                           "identity": {"sourceIp": "127.0.0.1"}},
        "body": text, "isBase64Encoded": base64_body,
    }


@pytest.fixture
def api(store, make_model_dir, monkeypatch, tmp_path):
    """Load the handler module with one Production version and a fake refresh clock."""
    store.dynamodb.create_table(**predictions_table_definition("churnops-predictions"))
    release(store, make_model_dir("run-001"), "initial release")
    monkeypatch.setenv("CHURNOPS_MODEL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "churnops")
    spec = importlib.util.spec_from_file_location(f"predict_app_{uuid.uuid4().hex}", APP_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    clock = FakeClock()
    module.service.holder._clock = clock
    module.service.holder._checked_at = clock.now  # the cold start loaded version 1 just now
    module.clock = clock
    module.store = store
    return module


def release(store, directory, reason: str):
    """Register a model directory and move it through Staging into Production."""
    record = register(store, directory, reason=reason)
    transition(store, record.version, "Staging", reason="validated")
    return promote(store, record.version, reason=reason)


def call(api, event) -> tuple[int, dict[str, Any]]:
    response = api.handler(event, LambdaContext())
    return response["statusCode"], json.loads(response["body"])


def test_predict_single_customer(api, valid_customer):
    status, body = call(api, rest_event("POST", "/predict", valid_customer))
    assert status == 200
    assert body["model_name"] == "churn"
    assert body["model_version"] == 1
    (prediction,) = body["predictions"]
    assert prediction["customer_id"] == "7590-VHVEG"
    assert 0.0 <= prediction["churn_probability"] <= 1.0
    assert isinstance(prediction["churn"], bool)


def test_predict_batch_logs_every_customer(api, valid_customer):
    batch = [dict(valid_customer, customer_id=f"c{i}") for i in range(30)]
    status, body = call(api, rest_event("POST", "/predict", {"instances": batch}))
    assert status == 200
    assert len(body["predictions"]) == 30
    items = api.store.dynamodb.scan(TableName="churnops-predictions")["Items"]
    assert len(items) == 30
    assert {item["model_version"]["N"] for item in items} == {"1"}
    assert all("expires_at" in item for item in items)


def test_validation_lists_every_bad_field(api, valid_customer):
    bad = dict(valid_customer, tenure=-1, contract="Weekly", monthly_charges="cheap")
    del bad["gender"]
    status, body = call(api, rest_event("POST", "/predict", {"instances": [valid_customer, bad]}))
    assert status == 400
    fields = {(e["index"], e["field"]) for e in body["errors"]}
    assert fields == {(1, "tenure"), (1, "contract"), (1, "monthly_charges"), (1, "gender")}
    contract = next(e for e in body["errors"] if e["field"] == "contract")
    assert "Month-to-month" in contract["problem"]


@pytest.mark.parametrize(
    ("event_kwargs", "status", "fragment"),
    [
        ({"raw": "{not json"}, 400, "not valid JSON"),
        ({"raw": "[1, 2, 3]"}, 400, "invalid request"),
        ({"raw": '{"instances": []}'}, 400, "invalid request"),
        ({"raw": "null"}, 400, "invalid request"),
        ({"raw": "", "content_type": "application/json"}, 400, "not valid JSON"),
        ({"raw": "a=b", "content_type": "application/x-www-form-urlencoded"}, 415, "application/json"),
        ({"raw": "{}", "content_type": ""}, 415, "application/json"),
    ],
)
def test_malformed_requests_get_4xx(api, event_kwargs, status, fragment):
    got, body = call(api, rest_event("POST", "/predict", **event_kwargs))
    assert got == status
    assert fragment in json.dumps(body)


def test_null_values_named(api, valid_customer):
    status, body = call(api, rest_event("POST", "/predict", dict(valid_customer, tenure=None, partner=None)))
    assert status == 400
    assert {e["field"] for e in body["errors"]} == {"tenure", "partner"}


def test_unicode_and_extra_fields_accepted(api, valid_customer):
    customer = dict(valid_customer, customer_id="客户-Ω-1", note="extra field ignored")
    status, body = call(api, rest_event("POST", "/predict", customer))
    assert status == 200
    assert body["predictions"][0]["customer_id"] == "客户-Ω-1"


def test_base64_body_decoded(api, valid_customer):
    status, _ = call(api, rest_event("POST", "/predict", valid_customer, base64_body=True))
    assert status == 200


def test_batch_of_10000_gets_413(api, valid_customer):
    status, body = call(api, rest_event("POST", "/predict", {"instances": [valid_customer] * 10_000}))
    assert status == 413
    assert "limit" in body["message"]
    assert api.store.dynamodb.scan(TableName="churnops-predictions")["Count"] == 0


def test_body_over_limit_gets_413(api):
    big = json.dumps({"instances": [{"x": "y" * 1000}] * 3000})
    status, body = call(api, rest_event("POST", "/predict", raw=big))
    assert status == 413
    assert "exceeds the limit" in body["message"]


def test_no_production_model_gets_503(store, make_model_dir, monkeypatch, tmp_path):
    store.dynamodb.create_table(**predictions_table_definition("churnops-predictions"))
    monkeypatch.setenv("CHURNOPS_MODEL_CACHE_DIR", str(tmp_path / "cache"))
    spec = importlib.util.spec_from_file_location("predict_app_empty", APP_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    status, body = call(module, rest_event("POST", "/predict", {"customer_id": "x"}))
    assert status == 503
    assert "no Production version" in body["message"]
    status, _ = call(module, rest_event("GET", "/model"))
    assert status == 503


def test_promotion_and_rollback_picked_up(api, make_model_dir, valid_customer):
    call(api, rest_event("GET", "/model"))  # loads version 1
    release(api.store, make_model_dir("run-002", auc=0.86), "better AUC")
    _, before = call(api, rest_event("POST", "/predict", valid_customer))
    assert before["model_version"] == 1  # refresh interval not yet elapsed
    api.clock.now += 61
    _, after = call(api, rest_event("POST", "/predict", valid_customer))
    assert after["model_version"] == 2
    rollback(api.store, reason="v2 misbehaves")
    api.clock.now += 61
    _, rolled_back = call(api, rest_event("GET", "/model"))
    assert rolled_back["model_version"] == 1


def test_tampered_artifact_keeps_old_model(api, make_model_dir, valid_customer):
    call(api, rest_event("GET", "/model"))  # loads version 1
    second = register(api.store, make_model_dir("run-002"), reason="retrained")
    key = second.artifacts["model.onnx"]["key"]
    api.store.s3.put_object(Bucket=api.store.bucket, Key=key, Body=b"tampered bytes")
    transition(api.store, second.version, "Staging", reason="validated")
    promote(api.store, second.version, reason="promote tampered")
    api.clock.now += 61
    status, body = call(api, rest_event("POST", "/predict", valid_customer))
    assert status == 200
    assert body["model_version"] == 1


def test_feedback_joins_latest_prediction(api, valid_customer):
    call(api, rest_event("POST", "/predict", valid_customer))
    status, body = call(api, rest_event("POST", "/feedback", {"customer_id": "7590-VHVEG", "churn": True}))
    assert status == 200
    assert body["joined"] == [{"customer_id": "7590-VHVEG", "model_version": 1}]
    (item,) = api.store.dynamodb.scan(TableName="churnops-predictions")["Items"]
    assert item["label"] == {"BOOL": True}


def test_feedback_for_unknown_customer_404(api):
    status, body = call(api, rest_event("POST", "/feedback", {"customer_id": "never-scored", "churn": False}))
    assert status == 404
    assert body["unmatched"] == ["never-scored"]


def test_feedback_validation(api):
    status, body = call(api, rest_event("POST", "/feedback", {"customer_id": "a", "churn": "yes"}))
    assert status == 400
    assert body["errors"][0]["field"] == "churn"
    assert body["errors"][0]["problem"] == "must be true or false"


def test_get_model_describes_production(api):
    status, body = call(api, rest_event("GET", "/model"))
    assert status == 200
    assert body["model_version"] == 1
    assert body["stage"] == "Production"
    assert "auc" in body["metrics"]
    assert body["promoted_at"]


def test_unexpected_error_is_500_with_request_id(api, valid_customer, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(api.service.holder, "current", explode)
    status, body = call(api, rest_event("POST", "/predict", valid_customer))
    assert status == 500
    assert body["request_id"].startswith("req-")
    assert "disk on fire" not in json.dumps(body)


def test_deeply_nested_body_gets_400(api):
    body = '{"instances": ' + "[" * 5000 + "]" * 5000 + "}"
    status, result = call(api, rest_event("POST", "/predict", raw=body))
    assert status == 400
    assert "nested too deeply" in result["message"]


def test_repeated_feedback_reports_replaced_label(api, valid_customer):
    call(api, rest_event("POST", "/predict", valid_customer))
    call(api, rest_event("POST", "/feedback", {"customer_id": "7590-VHVEG", "churn": True}))
    status, body = call(api, rest_event("POST", "/feedback", {"customer_id": "7590-VHVEG", "churn": False}))
    assert status == 200
    assert body["joined"][0]["replaced_label"] is True


def test_feedback_batch_joins_every_customer(api, valid_customer):
    batch = [dict(valid_customer, customer_id=f"f{i}") for i in range(60)]
    call(api, rest_event("POST", "/predict", {"instances": batch}))
    outcomes = [{"customer_id": f"f{i}", "churn": i % 2 == 0} for i in range(60)]
    outcomes.append({"customer_id": "never-scored", "churn": True})
    status, body = call(api, rest_event("POST", "/feedback", {"instances": outcomes}))
    assert status == 200
    assert len(body["joined"]) == 60
    assert body["unmatched"] == ["never-scored"]
