"""The retrain state machine from step_functions/retrain.asl.json, run by LocalStack's
Step Functions interpreter with the real task Lambdas, through every ending.

The five functions are deployed straight through boto3: a zip of lambdas/retrain plus
the churnops package, and the layers that `python -m infra.build_assets` builds
(the local executor runs functions on an interpreter that has boto3 only). Training
is kept small, a 1,500-row sample with 3 folds, so the file runs in a few minutes.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from churnops.config import Settings
from infra.catalog import FUNCTIONS
from churnops.data import load_dataset
from churnops.registry import (
    RegistryStore,
    Stage,
    create_bucket,
    create_tables,
    get_model_state,
    get_version,
    list_versions,
    promote,
    read_entries,
    register,
    transition,
)
from churnops.schema import load_schema
from churnops.serving.prediction_log import predictions_table_definition
from churnops.training.run import TrainingConfig, train
from churnops.workflow.approvals import Approval, list_approvals
from churnops.workflow.decisions import decide
from churnops.workflow.errors import ApprovalAlreadyDecided, ApprovalExpired

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("base", "onnx", "training")
SAMPLE_ROWS = 1500
ROLE_ARN = "arn:aws:iam::000000000000:role/churnops-e2e"
PLACEHOLDERS = {
    "TrainFunctionArn": "train",
    "ValidateFunctionArn": "validate",
    "RequestApprovalFunctionArn": "request_approval",
    "PromoteFunctionArn": "promote",
    "NotifyFunctionArn": "notify",
}
EXECUTION_TIMEOUT_S = 300


@dataclass
class Stack:
    """Resources of one test module: names, clients and the state machine."""

    store: RegistryStore
    settings: Settings
    functions: dict[str, str]
    environment: dict[str, str]
    state_machine_arn: str
    queue_url: str
    champion: int


def code_zip() -> bytes:
    """Zip the retrain handlers at the root and the churnops package beside them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in (REPO_ROOT / "lambdas" / "retrain").glob("*.py"):
            archive.write(path, path.name)
        for path in (REPO_ROOT / "churnops").rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix in (".py", ".toml"):
                archive.write(path, path.relative_to(REPO_ROOT).as_posix())
    return buffer.getvalue()


def publish_layers(
    aws: Callable[[str], Any], bucket: str, unique: Callable[[str], str]
) -> dict[str, str]:
    """Publish the built layers through S3 and return their ARNs by layer name.

    The zips are stored, not compressed, because compressing 300 MB is slow.
    """
    arns = {}
    if not all((REPO_ROOT / "build" / "layers" / name / "python").is_dir() for name in LAYERS):
        # A fresh clone has no build/ yet: build the layers as a deploy would.
        subprocess.run([sys.executable, "-m", "infra.build_assets"], cwd=REPO_ROOT, check=True)
    for name in LAYERS:
        folder = REPO_ROOT / "build" / "layers" / name
        with tempfile.NamedTemporaryFile(suffix=".zip") as handle:
            with zipfile.ZipFile(handle, "w", zipfile.ZIP_STORED) as archive:
                for path in folder.rglob("*"):
                    if path.is_file():
                        archive.write(path, path.relative_to(folder).as_posix())
            handle.flush()
            key = f"e2e-layers/{name}.zip"
            aws("s3").upload_file(handle.name, bucket, key)
        layer = aws("lambda").publish_layer_version(
            LayerName=unique(f"churnops-{name}"),
            Content={"S3Bucket": bucket, "S3Key": key},
            CompatibleRuntimes=["python3.12"],
        )
        arns[name] = layer["LayerVersionArn"]
    return arns


def train_champion(store: RegistryStore, base_csv: Path, workdir: Path) -> int:
    """Train on the base sample as `churnops train` does, register and promote it."""
    schema = load_schema()
    model_dir = workdir / "champion"
    train(load_dataset(base_csv, schema), schema, model_dir, TrainingConfig(cv_folds=3))
    version = register(store, model_dir, reason="e2e champion", actor="e2e").version
    transition(store, version, Stage.STAGING, reason="e2e champion", actor="e2e")
    promote(store, version, reason="e2e champion", actor="e2e")
    return version


@pytest.fixture(scope="module")
def stack(aws, unique, tmp_path_factory) -> Iterator[Stack]:
    settings = Settings(
        model_name="churn",
        bucket=unique("churnops-e2e"),
        registry_table=unique("registry"),
        audit_table=unique("audit"),
        predictions_table=unique("predictions"),
    )
    store = RegistryStore(aws("dynamodb"), aws("s3"), settings.registry_table,
                          settings.audit_table, settings.bucket, settings.model_name)
    create_tables(store.dynamodb, settings.registry_table, settings.audit_table)
    create_bucket(store.s3, settings.bucket)
    store.dynamodb.create_table(**predictions_table_definition(settings.predictions_table))
    workdir = tmp_path_factory.mktemp("retrain")
    base_csv = workdir / "base.csv"
    frame = pd.read_csv(REPO_ROOT / "data" / "telco_customer_churn.csv", dtype=str, keep_default_na=False)
    frame.sample(n=SAMPLE_ROWS, random_state=7).to_csv(base_csv, index=False)
    store.s3.upload_file(str(base_csv), settings.bucket, "data/base/telco_customer_churn.csv")
    champion = train_champion(store, base_csv, workdir)

    sns, sqs = aws("sns"), aws("sqs")
    topic = sns.create_topic(Name=unique("churnops-notifications"))["TopicArn"]
    queue_url = sqs.create_queue(QueueName=unique("operators"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn["Attributes"]["QueueArn"],
                  Attributes={"RawMessageDelivery": "true"})
    # Small training; a wide margin because the e2e test checks the paths, not the rule.
    environment = {
        "CHURNOPS_MODEL_NAME": settings.model_name,
        "CHURNOPS_BUCKET": settings.bucket,
        "CHURNOPS_REGISTRY_TABLE": settings.registry_table,
        "CHURNOPS_AUDIT_TABLE": settings.audit_table,
        "CHURNOPS_PREDICTIONS_TABLE": settings.predictions_table,
        "CHURNOPS_TRAINING_CV_FOLDS": "3",
        "CHURNOPS_VALIDATION_AUC_FLOOR": "0.6",
        "CHURNOPS_VALIDATION_AUC_MARGIN": "0.1",
        "CHURNOPS_NOTIFICATIONS_TOPIC_ARN": topic,
        "POWERTOOLS_SERVICE_NAME": "churnops-retrain-e2e",
    }
    layers = publish_layers(aws, settings.bucket, unique)
    lambdas = aws("lambda")
    code = code_zip()
    functions: dict[str, str] = {}
    for name in PLACEHOLDERS.values():
        function_name = unique(f"retrain-{name.replace('_', '-')}")
        response = lambdas.create_function(
            FunctionName=function_name, Runtime="python3.12", Role=ROLE_ARN,
            Handler=f"{name}.handler", Code={"ZipFile": code},
            # Each task gets the layers the stack gives it (infra/catalog.py).
            Layers=[layers[layer] for layer in FUNCTIONS[name].layers],
            Timeout=900, MemorySize=3008, Environment={"Variables": environment},
        )
        lambdas.get_waiter("function_active_v2").wait(FunctionName=function_name)
        functions[name] = response["FunctionArn"]
    definition = (REPO_ROOT / "step_functions" / "retrain.asl.json").read_text()
    for placeholder, name in PLACEHOLDERS.items():
        definition = definition.replace("${" + placeholder + "}", functions[name])
    machine = aws("stepfunctions").create_state_machine(
        name=unique("churnops-retrain"), definition=definition,
        roleArn="arn:aws:iam::000000000000:role/churnops-e2e-states",
    )
    yield Stack(store, settings, functions, environment, machine["stateMachineArn"], queue_url, champion)
    aws("stepfunctions").delete_state_machine(stateMachineArn=machine["stateMachineArn"])
    for arn in functions.values():
        lambdas.delete_function(FunctionName=arn)


@pytest.fixture
def configure(aws, stack: Stack) -> Iterator[Callable[..., None]]:
    """Change one function's environment for a test; every change is undone afterwards."""
    changed: list[str] = []

    def apply(name: str, **variables: str) -> None:
        update(name, {**stack.environment, **variables})
        changed.append(name)

    def update(name: str, variables: dict[str, str]) -> None:
        lambdas = aws("lambda")
        lambdas.update_function_configuration(
            FunctionName=stack.functions[name], Environment={"Variables": variables}
        )
        lambdas.get_waiter("function_updated_v2").wait(FunctionName=stack.functions[name])

    yield apply
    for name in changed:
        update(name, stack.environment)


def start(aws, stack: Stack, **execution_input: Any) -> str:
    response = aws("stepfunctions").start_execution(
        stateMachineArn=stack.state_machine_arn,
        input=json.dumps({"reason": "e2e", **execution_input}),
    )
    return response["executionArn"]


def finish(aws, wait_for, execution_arn: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        """the execution left RUNNING"""
        described = aws("stepfunctions").describe_execution(executionArn=execution_arn)
        return described if described["status"] != "RUNNING" else None

    return wait_for(done, timeout=EXECUTION_TIMEOUT_S, interval=1.0)


def await_request(wait_for, stack: Stack, execution_arn: str) -> Approval:
    execution_id = execution_arn.rsplit(":", 1)[-1]

    def pending() -> Approval | None:
        """the workflow stored its approval request"""
        requests = list_approvals(stack.store, include_decided=True)
        return next((item for item in requests if item.execution_id == execution_id), None)

    return wait_for(pending, timeout=EXECUTION_TIMEOUT_S, interval=1.0)


def outcome_entries(stack: Stack, execution_arn: str) -> list[Any]:
    execution_id = execution_arn.rsplit(":", 1)[-1]
    return [
        entry for entry in read_entries(stack.store)
        if entry.details.get("execution_id") == execution_id
        and entry.details.get("workflow_event") == "retrain_end"
    ]


def registry_snapshot(stack: Stack, exclude: int | None = None) -> tuple[Any, list[Any]]:
    state = get_model_state(stack.store)
    versions = [(v.version, v.stage) for v in list_versions(stack.store) if v.version != exclude]
    return (state.production_version, state.revision), versions


def test_validation_failure_ends_recorded(aws, stack, configure, wait_for) -> None:
    # GIVEN a floor no model reaches
    configure("validate", CHURNOPS_VALIDATION_AUC_FLOOR="0.99")
    before = registry_snapshot(stack)
    # WHEN a retrain runs
    execution = start(aws, stack)
    described = finish(aws, wait_for, execution)
    # THEN it succeeds with the outcome, the candidate stays in None, the champion serves
    assert described["status"] == "SUCCEEDED"
    output = json.loads(described["output"])
    assert output["outcome"] == "validation_failed"
    assert "below the floor 0.9900" in output["reason"]
    assert get_version(stack.store, output["version"]).stage is Stage.NONE
    assert registry_snapshot(stack, exclude=output["version"]) == before
    assert outcome_entries(stack, execution)[0].details["outcome"] == "validation_failed"


def test_approved_candidate_is_promoted(aws, stack, wait_for) -> None:
    previous = get_model_state(stack.store).production_version
    execution = start(aws, stack)
    request = await_request(wait_for, stack, execution)
    assert request.status == "pending"
    assert get_version(stack.store, request.version).stage is Stage.STAGING
    decide(stack.store, aws("stepfunctions"), request.approval_id, approve=True,
           actor="ana", reason="better on recent customers")
    described = finish(aws, wait_for, execution)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["outcome"] == "promoted"
    state = get_model_state(stack.store)
    assert state.production_version == request.version
    assert get_version(stack.store, previous).stage is Stage.ARCHIVED
    promote_entry = read_entries(stack.store, event="promote")[-1]
    assert (promote_entry.version, promote_entry.actor) == (request.version, "ana")
    assert outcome_entries(stack, execution)[0].details["outcome"] == "promoted"
    messages = aws("sqs").receive_message(QueueUrl=stack.queue_url, MaxNumberOfMessages=10)
    assert any("approval_id" in message["Body"] for message in messages.get("Messages", []))


def test_rejected_candidate_is_not_promoted(aws, stack, wait_for) -> None:
    execution = start(aws, stack)
    request = await_request(wait_for, stack, execution)
    before = registry_snapshot(stack)
    decide(stack.store, aws("stepfunctions"), request.approval_id, approve=False,
           actor="bo", reason="wait for the next billing cycle")
    described = finish(aws, wait_for, execution)
    assert described["status"] == "SUCCEEDED"
    output = json.loads(described["output"])
    assert output["outcome"] == "rejected"
    assert output["reason"] == "candidate rejected by an operator: wait for the next billing cycle"
    assert registry_snapshot(stack) == before
    entry = outcome_entries(stack, execution)[0]
    assert (entry.actor, entry.details["outcome"]) == ("bo", "rejected")


def test_approval_timeout_counts_as_rejection(aws, stack, wait_for) -> None:
    execution = start(aws, stack, approval_timeout_seconds=8)
    request = await_request(wait_for, stack, execution)
    before = registry_snapshot(stack)
    described = finish(aws, wait_for, execution)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["outcome"] == "timed_out"
    assert registry_snapshot(stack) == before
    with pytest.raises(ApprovalExpired, match=request.approval_id):
        decide(stack.store, aws("stepfunctions"), request.approval_id, approve=True,
               actor="ana", reason="too late")


def test_train_failure_fails_execution(aws, stack, configure, wait_for) -> None:
    configure("train", CHURNOPS_BASE_DATA_KEY="data/base/missing.csv")
    before = registry_snapshot(stack)
    execution = start(aws, stack)
    described = finish(aws, wait_for, execution)
    assert described["status"] == "FAILED"
    assert described["error"] == "TrainingDataInvalid"
    assert "data/base/missing.csv not found" in described["cause"]
    assert registry_snapshot(stack) == before
    assert outcome_entries(stack, execution)[0].details["outcome"] == "failed"


def test_promote_failure_leaves_registry(aws, stack, configure, wait_for) -> None:
    # GIVEN the promote task cannot write its audit entry, the last write of its transaction
    configure("promote", CHURNOPS_AUDIT_TABLE="missing-audit-table")
    execution = start(aws, stack)
    request = await_request(wait_for, stack, execution)
    before = registry_snapshot(stack)
    decide(stack.store, aws("stepfunctions"), request.approval_id, approve=True,
           actor="ana", reason="looks good")
    described = finish(aws, wait_for, execution)
    # THEN the execution fails and no registry item changed
    assert described["status"] == "FAILED"
    assert registry_snapshot(stack) == before
    assert get_version(stack.store, request.version).stage is Stage.STAGING
    assert outcome_entries(stack, execution)[0].details["outcome"] == "failed"


def test_second_approval_raises(aws, stack, wait_for) -> None:
    execution = start(aws, stack)
    request = await_request(wait_for, stack, execution)
    sfn = aws("stepfunctions")
    decide(stack.store, sfn, request.approval_id, approve=True, actor="ana", reason="ok")
    with pytest.raises(ApprovalAlreadyDecided, match="already approved by ana"):
        decide(stack.store, sfn, request.approval_id, approve=True, actor="bo", reason="ok")
    with pytest.raises(ApprovalAlreadyDecided, match="decided once"):
        decide(stack.store, sfn, request.approval_id, approve=False, actor="bo", reason="no")
    described = finish(aws, wait_for, execution)
    assert json.loads(described["output"])["outcome"] == "promoted"
    assert len(outcome_entries(stack, execution)) == 1
