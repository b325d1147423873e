"""Fixtures for integration tests against moto: AWS resources, a registry store, model directories.

Every test here runs with dummy credentials, no endpoint override and the instance
metadata service disabled, so nothing can reach a real AWS account or host.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws

from churnops.config import Settings
from churnops.registry import RegistryStore, create_bucket, create_tables

REPOSITORY = Path(__file__).resolve().parents[2]
TELCO_CSV = REPOSITORY / "data" / "telco_customer_churn.csv"

DUMMY_AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}
# Variables that could point boto3 or churnops at real resources.
CLEARED_ENVIRONMENT = (
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_ENDPOINT_URL_DYNAMODB",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "CHURNOPS_MODEL_NAME",
    "CHURNOPS_BUCKET",
    "CHURNOPS_REGISTRY_TABLE",
    "CHURNOPS_AUDIT_TABLE",
    "CHURNOPS_PREDICTIONS_TABLE",
    "CHURNOPS_ACTOR",
)


@pytest.fixture(autouse=True)
def aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Set dummy credentials and hide the user's AWS configuration files."""
    for name in CLEARED_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    for name, value in DUMMY_AWS_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Mock every AWS service with moto; DynamoDB requests run one at a time.

    DynamoDB applies each request, a transaction included, atomically. moto 5.2.5
    does not, because two threads' transactions can interleave: in 40 races of two
    conditional transactions on one item, both passed once. Serialising moto's
    DynamoDB handler restores the server's guarantee, while races between clients
    (read, then write) stay real.
    """
    from moto.dynamodb.responses import DynamoHandler

    lock = threading.Lock()
    handle = DynamoHandler.call_action

    def call_action_atomically(self: DynamoHandler) -> Any:
        with lock:
            return handle(self)

    with mock_aws():
        monkeypatch.setattr(DynamoHandler, "call_action", call_action_atomically)
        yield


def create_registry_resources(settings: Settings) -> RegistryStore:
    """Create the registry and audit tables and the bucket as the stack declares them."""
    store = RegistryStore.from_settings(settings)
    create_tables(store.dynamodb, settings.registry_table, settings.audit_table)
    create_bucket(store.s3, settings.bucket)
    return store


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
def store(aws: None, settings: Settings) -> RegistryStore:
    return create_registry_resources(settings)


@dataclass(frozen=True)
class TrainedModel:
    """A small logistic regression exported to ONNX, shared by the whole session."""

    onnx_model: Any
    schema: Any
    profile: dict[str, Any]
    rows: int


@pytest.fixture(scope="session")
def trained_model() -> TrainedModel:
    """Train a logistic regression on 400 Telco rows; export one ONNX input per schema field."""
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import DoubleTensorType, StringTensorType
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from churnops.data import load_dataset
    from churnops.schema import load_schema

    schema = load_schema()
    dataset = load_dataset(TELCO_CSV, schema)
    features = dataset.features.iloc[:400]
    labels = dataset.labels[:400]
    preprocess = ColumnTransformer(
        [
            ("numeric", StandardScaler(), schema.numeric_fields),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), schema.categorical_fields),
        ]
    )
    classifier = LogisticRegression(max_iter=500)
    pipeline = Pipeline([("preprocess", preprocess), ("classifier", classifier)])
    pipeline.fit(features, labels)
    inputs = [(name, DoubleTensorType([None, 1])) for name in schema.numeric_fields]
    inputs += [(name, StringTensorType([None, 1])) for name in schema.categorical_fields]
    onnx_model = convert_sklearn(
        pipeline, initial_types=inputs, options={id(classifier): {"zipmap": False}}, target_opset=17
    )
    profile = {
        "rows": len(features),
        "numeric": {
            name: {"mean": float(features[name].mean()), "std": float(features[name].std())}
            for name in schema.numeric_fields
        },
        "categorical": {
            name: features[name].value_counts(normalize=True).to_dict()
            for name in schema.categorical_fields
        },
    }
    return TrainedModel(onnx_model=onnx_model, schema=schema, profile=profile, rows=len(features))


ModelDirectoryFactory = Callable[..., Path]


@pytest.fixture
def make_model_dir(tmp_path: Path, trained_model: TrainedModel) -> ModelDirectoryFactory:
    """Return a factory writing model.onnx, run.json and profile.json for one training run."""

    def make(
        run_id: str = "run-001",
        *,
        auc: float = 0.84,
        brier: float = 0.14,
        family: str = "logistic_regression",
        params: dict[str, Any] | None = None,
        data_sha256: str = "a" * 64,
    ) -> Path:
        directory = tmp_path / run_id
        directory.mkdir()
        onnx_bytes = _onnx_bytes(trained_model, run_id, family)
        model_sha256 = hashlib.sha256(onnx_bytes).hexdigest()
        run = run_document(
            run_id,
            schema=trained_model.schema,
            auc=auc,
            brier=brier,
            family=family,
            params=params or {"seed": 42, "test_size": 0.2},
            data_sha256=data_sha256,
            model_sha256=model_sha256,
        )
        (directory / "model.onnx").write_bytes(onnx_bytes)
        (directory / "run.json").write_text(json.dumps(run, indent=2), encoding="utf-8")
        (directory / "profile.json").write_text(json.dumps(trained_model.profile), encoding="utf-8")
        return directory

    return make


def run_document(
    run_id: str,
    *,
    schema: Any,
    auc: float,
    brier: float,
    family: str,
    params: dict[str, Any],
    data_sha256: str,
    model_sha256: str,
) -> dict[str, Any]:
    """Build a run.json document of the shape `churnops train` writes."""
    return {
        "run_id": run_id,
        "created_at": "2026-01-15T10:00:00Z",
        "schema": schema.to_dict(),
        "data": {
            "path": "data/telco_customer_churn.csv",
            "sha256": data_sha256,
            "rows": 400,
            "filled_blanks": {"total_charges": 1},
        },
        "params": params,
        "selection": {family: {"cv_auc_mean": auc - 0.01, "cv_auc_std": 0.012}},
        "model": {"family": family, "params": {"C": 1.0, "max_iter": 500}, "threshold": 0.35},
        "holdout": {
            "auc": auc,
            "precision": 0.61,
            "recall": 0.72,
            "f1": 0.66,
            "brier": brier,
            "log_loss": 0.43,
            "rows": 80,
            "positives": 21,
            "calibration": [
                {
                    "bin_lower": 0.0,
                    "bin_upper": 0.5,
                    "count": 55,
                    "mean_predicted": 0.18,
                    "observed_rate": 0.16,
                },
                {
                    "bin_lower": 0.5,
                    "bin_upper": 1.0,
                    "count": 25,
                    "mean_predicted": 0.66,
                    "observed_rate": 0.64,
                },
            ],
        },
        "parity": {"max_abs_diff": 1e-12, "tolerance": 1e-6, "rows": 80},
        "model_sha256": model_sha256,
        "git_commit": "0123456789abcdef0123456789abcdef01234567",
        "versions": {"scikit-learn": "1.9.1", "skl2onnx": "1.20.0"},
        "timings": {"fit_seconds": 0.4},
    }


def _onnx_bytes(trained_model: TrainedModel, run_id: str, family: str) -> bytes:
    model = copy.deepcopy(trained_model.onnx_model)
    metadata = {
        "churnops.schema": trained_model.schema.to_json(),
        "churnops.threshold": "0.35",
        "churnops.family": family,
        "churnops.run_id": run_id,
    }
    for key, value in metadata.items():
        entry = model.metadata_props.add()
        entry.key = key
        entry.value = value
    return model.SerializeToString()


@pytest.fixture
def run_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, str, str]]:
    """Return a function that runs `churnops ARGS` and returns (exit code, stdout, stderr)."""
    import churnops.cli

    monkeypatch.setattr(churnops.cli, "COMMAND_MODULES", ("models", "runs", "audit"))

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = churnops.cli.main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
