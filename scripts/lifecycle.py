"""The lifecycle steps of the main job, run against a deployed stack.

Clients act as they would in production: API calls go through API Gateway with
the stack's API key, operator steps run the `churnops` CLI in a subprocess, and
the monitor is invoked with the event its daily EventBridge rule sends.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Callable

import boto3
import pandas as pd

from churnops.deploy import StackOutputs
from churnops.http import request_json

REPO_ROOT = Path(__file__).resolve().parent.parent
TELCO_CSV = REPO_ROOT / "data" / "telco_customer_churn.csv"
BASE_DATA_KEY = "data/base/telco_customer_churn.csv"
OPERATOR = "retention-ops@example.com"
Log = Callable[[str], None]


class LifecycleFailed(RuntimeError):
    """A lifecycle step did not reach its expected state."""


class Api:
    """The deployed prediction API, called through API Gateway with the key."""

    def __init__(self, base_url: str, api_key: str):
        self.base_url = base_url
        self.api_key = api_key

    def call(self, method: str, path: str, payload: Any = None) -> Any:
        status, body = request_json(method, f"{self.base_url}{path}", payload, self.api_key, timeout=120)
        if status != 200:
            raise LifecycleFailed(f"{method} {path} returned HTTP {status}: {json.dumps(body)[:500]}")
        return body

    def served_version(self) -> int | None:
        status, body = request_json("GET", f"{self.base_url}/model", None, self.api_key, timeout=120)
        return body.get("model_version") if status == 200 else None

    def wait_for_version(self, version: int, log: Log, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while self.served_version() != version:
            if time.monotonic() > deadline:
                raise LifecycleFailed(f"the API did not serve version {version} within {timeout:.0f} s")
            time.sleep(2)
        log(f"the API serves version {version}")

    def score(self, customers: list[dict[str, Any]], batch: int = 250) -> list[int]:
        """Score customers in batches; return the model version of each response."""
        versions = []
        for start in range(0, len(customers), batch):
            body = self.call("POST", "/predict", {"instances": customers[start:start + batch]})
            versions.append(body["model_version"])
        return versions


class Operator:
    """Runs `churnops` commands as an operator would, against the deployed stack."""

    def __init__(self, endpoint: str, model_name: str):
        self.environment = {
            **os.environ, "AWS_ENDPOINT_URL": endpoint, "CHURNOPS_ACTOR": OPERATOR,
            "CHURNOPS_MODEL_NAME": model_name,
        }
        self.environment.setdefault("AWS_DEFAULT_REGION", "us-east-1")
        self.environment.setdefault("AWS_ACCESS_KEY_ID", "test")
        self.environment.setdefault("AWS_SECRET_ACCESS_KEY", "test")

    def run(self, *arguments: str) -> str:
        command = [sys.executable, "-m", "churnops", *arguments]
        result = subprocess.run(command, env=self.environment, capture_output=True, text=True, cwd=REPO_ROOT)
        if result.returncode != 0:
            raise LifecycleFailed(f"`churnops {' '.join(arguments)}` failed: {result.stderr.strip()}")
        return result.stdout

    def json(self, *arguments: str) -> Any:
        return json.loads(self.run(*arguments, "--json"))


def customer_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Turn loaded features plus ids into the JSON objects API clients send."""
    return frame.to_dict(orient="records")


def real_customers(seed: int = 11) -> tuple[list[dict], list[dict], dict[str, bool]]:
    """Return 600 everyday customers, 1,000 new customers (tenure < 12), and true outcomes."""
    from churnops.data import load_dataset
    from churnops.schema import load_schema

    dataset = load_dataset(TELCO_CSV, load_schema())
    frame = dataset.features.assign(customer_id=dataset.ids.to_numpy())
    outcomes = dict(zip(frame["customer_id"], dataset.labels.astype(bool).tolist(), strict=True))
    everyday = frame.sample(600, random_state=seed)
    newcomers = frame[frame["tenure"] < 12].drop(everyday.index, errors="ignore").sample(1000, random_state=seed)
    return customer_records(everyday), customer_records(newcomers), outcomes


def post_outcomes(api: Api, customers: list[dict], outcomes: dict[str, bool]) -> int:
    joined = 0
    feedback = [{"customer_id": c["customer_id"], "churn": outcomes[c["customer_id"]]} for c in customers]
    for start in range(0, len(feedback), 100):
        joined += len(api.call("POST", "/feedback", {"instances": feedback[start:start + 100]})["joined"])
    return joined


def scheduled_event(rule_arn: str, region: str) -> dict[str, Any]:
    """Build the event that an EventBridge schedule rule delivers to its target."""
    return {
        "version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event",
        "source": "aws.events", "account": "000000000000",
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "region": region,
        "resources": [rule_arn], "detail": {},
    }


def run_monitor_like_rule(session: boto3.Session, outputs: StackOutputs, log: Log) -> dict[str, Any]:
    """Invoke the rule's target with the rule's event, after checking that wiring."""
    events, lambda_client = session.client("events"), session.client("lambda")
    rule = events.describe_rule(Name=outputs.values["MonitorRuleName"])
    targets = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
    function = lambda_client.get_function(FunctionName=outputs.values["MonitorFunctionName"])
    if function["Configuration"]["FunctionArn"] not in {t["Arn"] for t in targets}:
        raise LifecycleFailed(f"rule {rule['Name']} does not target the monitor function")
    log(f"invoking the monitor as rule {rule['Name']} ({rule['ScheduleExpression']}) does")
    response = lambda_client.invoke(
        FunctionName=outputs.values["MonitorFunctionName"],
        Payload=json.dumps(scheduled_event(rule["Arn"], session.region_name)).encode(),
    )
    payload = json.loads(response["Payload"].read())
    if response.get("FunctionError"):
        raise LifecycleFailed(f"the monitor failed: {json.dumps(payload)[:800]}")
    return payload


def wait_for_approval(operator: Operator, session: boto3.Session, execution_arn: str,
                      timeout: float = 1200) -> dict[str, Any]:
    """Wait for the workflow's approval request; fail at once if the execution ends first."""
    stepfunctions = session.client("stepfunctions")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = operator.json("approvals", "list")
        if pending:
            return pending[0]
        execution = stepfunctions.describe_execution(executionArn=execution_arn)
        if execution["status"] != "RUNNING":
            raise LifecycleFailed(
                f"the retrain workflow ended {execution['status']} before asking for approval: "
                f"{execution.get('error', '')} {execution.get('cause', '')[:500]}"
            )
        time.sleep(5)
    raise LifecycleFailed(f"no approval request appeared within {timeout:.0f} s")


def wait_for_execution(session: boto3.Session, arn: str, timeout: float = 600) -> dict[str, Any]:
    client = session.client("stepfunctions")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        execution = client.describe_execution(executionArn=arn)
        if execution["status"] != "RUNNING":
            return execution
        time.sleep(3)
    raise LifecycleFailed(f"execution {arn} still running after {timeout:.0f} s")


def run(outputs: StackOutputs, workdir: Path, log: Log) -> dict[str, Any]:
    """Run every lifecycle step; return the summary the main job prints."""
    session = boto3.Session(region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    api = Api(outputs.api_url, outputs.api_key(session))
    operator = Operator(outputs.endpoint, outputs.values["ModelName"])
    served: dict[str, Any] = {}

    log("uploading the base data set for retraining")
    session.client("s3").upload_file(str(TELCO_CSV), outputs.values["BucketName"], BASE_DATA_KEY)
    log("training version 1 on the real data (churnops train)")
    first = operator.json("train", "--data", str(TELCO_CSV), "--out", str(workdir / "v1"))
    version = operator.json("models", "register", str(workdir / "v1"), "--reason", "first model")["version"]
    operator.run("models", "transition", str(version), "Staging", "--reason", "holdout AUC checked")
    operator.run("models", "promote", str(version), "--reason", "first release")
    api.wait_for_version(version, log)

    everyday, newcomers, outcomes = real_customers()
    log(f"scoring {len(everyday)} real customers through API Gateway")
    served["scoring"] = sorted(set(api.score(everyday)))
    log(f"posting their outcomes: {post_outcomes(api, everyday, outcomes)} joined")
    log(f"sending a drifted batch: {len(newcomers)} new customers (tenure under 12 months)")
    api.score(newcomers)
    post_outcomes(api, newcomers, outcomes)

    monitor = run_monitor_like_rule(session, outputs, log)
    log(f"monitor: drift {monitor['drift_verdict']}, retrain {monitor['retrain']['status']}")
    if monitor["retrain"]["status"] != "started":
        raise LifecycleFailed(f"the monitor did not start a retrain: {json.dumps(monitor)[:800]}")
    log("waiting for the retrain workflow to train, validate and ask for approval")
    approval = wait_for_approval(operator, session, monitor["retrain"]["execution_arn"])
    log(f"approving version {approval['version']} (request {approval['approval_id']}) as {OPERATOR}")
    operator.run("approvals", "approve", approval["approval_id"], "--reason", "within the validation margin on the holdout; trained on the new customers")
    execution = wait_for_execution(session, monitor["retrain"]["execution_arn"])
    log(f"workflow finished: {execution['status']}")
    api.wait_for_version(approval["version"], log)
    served["after_approval"] = api.score(everyday[:5])[0]

    operator.run("models", "rollback", "--reason", "main job: rollback drill")
    api.wait_for_version(version, log)
    served["after_rollback"] = api.score(everyday[:5])[0]
    audit = operator.run("audit")
    print(audit, file=sys.stderr)
    return {
        "ok": served == {"scoring": [version], "after_approval": approval["version"], "after_rollback": version}
        and execution["status"] == "SUCCEEDED",
        "versions_served": served,
        # Both versions scored on the base data's holdout, which neither trained on.
        "holdout_auc": {
            f"v{version}": approval["champion"]["auc"],
            f"v{approval['version']}": approval["candidate"]["auc"],
        },
        "trained_v1_holdout_auc": first["holdout"]["auc"],
        "drift_verdict": monitor["drift_verdict"],
        "drift_detected": monitor["drift_detected"],
        "workflow_status": execution["status"],
        "audit_entries": len([line for line in audit.splitlines() if line.strip()]) - 1,
    }
