"""Shared set-up of the serving benchmarks: a trained model, moto, both servers.

Run as a module it measures one cold start in this fresh process and prints
milliseconds: `python -m benchmarks.serving_setup handler|flask MODEL_DIR PICKLE CUSTOMER`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TELCO_CSV = ROOT / "data" / "telco_customer_churn.csv"
HANDLER_PATH = ROOT / "lambdas" / "predict" / "app.py"
FAMILY = "gradient_boosting"


def train_model(folder: Path) -> tuple[Path, Any]:
    """Train the benchmark model; return its directory and the same fitted pipeline."""
    from sklearn.model_selection import train_test_split

    from churnops.data import load_dataset
    from churnops.schema import load_schema
    from churnops.training.candidates import build_pipeline, round_tree_thresholds
    from churnops.training.run import TrainingConfig, train

    schema = load_schema()
    dataset = load_dataset(TELCO_CSV, schema)
    config = TrainingConfig(families=(FAMILY,), cv_folds=3)
    model_dir = folder / "model"
    train(dataset, schema, model_dir, config)
    # The same seed and split as train() rebuild the identical fitted pipeline.
    train_x, _, train_y, _ = train_test_split(
        dataset.features, dataset.labels, test_size=config.holdout_fraction,
        stratify=dataset.labels, random_state=config.seed,
    )
    pipeline = build_pipeline(FAMILY, schema, config.seed).fit(train_x, train_y)
    round_tree_thresholds(pipeline)
    return model_dir, pipeline


def real_customers(count: int) -> list[dict[str, Any]]:
    from churnops.data import load_dataset
    from churnops.schema import load_schema

    dataset = load_dataset(TELCO_CSV, load_schema())
    frame = dataset.features.iloc[:count].assign(customer_id=dataset.ids.iloc[:count].to_numpy())
    return frame.to_dict(orient="records")


@contextlib.contextmanager
def mocked_registry(model_dir: Path) -> Iterator[None]:
    """Start moto, create the stack's tables and bucket, release the model to Production."""
    from moto import mock_aws

    from churnops.config import Settings
    from churnops.registry import RegistryStore, create_bucket, create_tables, promote, register, transition
    from churnops.serving.prediction_log import predictions_table_definition

    with mock_aws():
        settings = Settings()
        store = RegistryStore.from_settings(settings)
        create_tables(store.dynamodb, settings.registry_table, settings.audit_table)
        create_bucket(store.s3, settings.bucket)
        store.dynamodb.create_table(**predictions_table_definition(settings.predictions_table))
        record = register(store, model_dir, reason="benchmark")
        transition(store, record.version, "Staging", reason="benchmark")
        promote(store, record.version, reason="benchmark")
        yield


_loaded: dict[str, Any] = {}


def disable_prediction_log() -> None:
    """Make the loaded handler skip its DynamoDB write, to measure what the write costs."""
    _loaded["module"].service.log.record_predictions = lambda *args, **kwargs: 0


def load_handler() -> Any:
    os.environ.setdefault("CHURNOPS_MODEL_CACHE_DIR", f"/tmp/churnops-bench-{uuid.uuid4().hex[:8]}")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    spec = importlib.util.spec_from_file_location("predict_app", HANDLER_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    _loaded["module"] = module
    return module.handler


def event_sender(handler: Callable) -> Callable[[dict[str, Any]], Any]:
    class Context:
        function_name = "churnops-predict"
        memory_limit_in_mb = 1024
        invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:churnops-predict"
        aws_request_id = "benchmark"

    def send(customer: dict[str, Any]) -> Any:
        event = {
            "resource": "/predict", "path": "/predict", "httpMethod": "POST",
            "headers": {"Content-Type": "application/json"}, "body": json.dumps(customer),
            "requestContext": {"requestId": uuid.uuid4().hex, "stage": "prod"},
            "isBase64Encoded": False,
        }
        response = handler(event, Context())
        assert response["statusCode"] == 200, response["body"]
        return response

    return send


def flask_client(pipeline: Any) -> Callable[[dict[str, Any]], Any]:
    """Build the case study's serving path: Flask, a one-row DataFrame, an in-memory log."""
    import pandas as pd
    from flask import Flask, jsonify, request

    app = Flask("case_study")
    logged: list[dict[str, Any]] = []

    @app.post("/predict")
    def predict() -> Any:
        data = request.json
        probability = float(pipeline.predict_proba(pd.DataFrame([data]))[0][1])
        logged.append({"customer_id": data.get("customer_id"), "prediction": probability})
        return jsonify({"churn_probability": probability})

    client = app.test_client()
    return lambda customer: client.post("/predict", json=customer)


def _measure_cold_start(side: str, model_dir: Path, pickle_path: Path, customer: dict) -> float:
    if side == "handler":
        with mocked_registry(model_dir):
            started = time.perf_counter()
            event_sender(load_handler())(customer)
            return time.perf_counter() - started
    started = time.perf_counter()
    import pickle

    pipeline = pickle.loads(pickle_path.read_bytes())
    flask_client(pipeline)(customer)
    return time.perf_counter() - started


if __name__ == "__main__":
    side, model_path, pickle_file, customer_json = sys.argv[1:5]
    seconds = _measure_cold_start(side, Path(model_path), Path(pickle_file), json.loads(customer_json))
    print(f"{seconds * 1000:.1f}")
