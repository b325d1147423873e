"""Lambda on the local endpoint: zip and layer, sync and async invokes, errors, logs."""

from __future__ import annotations

import base64
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = pytest.mark.e2e

LAYER_FILES = {"python/greeting.py": "def greet(name):\n    return f'hello {name}'\n"}

APP = """
import json
import os
import time

import boto3
import greeting

print("init marker")


def handler(event, context):
    action = event.get("action")
    print(f"event marker {event.get('marker')}")
    if action == "fail":
        raise ValueError(f"rejected input {event['value']}")
    if action == "sleep":
        time.sleep(event["seconds"])
    if action == "put":
        s3 = boto3.client("s3")
        s3.put_object(Bucket=event["bucket"], Key=event["key"], Body=json.dumps(event).encode())
    return {
        "greeting": greeting.greet(event.get("name", "nobody")),
        "boto3": boto3.__version__,
        "setting": os.environ.get("CHURNOPS_SETTING"),
        "pid": os.getpid(),
        "tmpdir": os.environ.get("TMPDIR"),
        "request_id": context.aws_request_id,
        "remaining_ms": context.get_remaining_time_in_millis(),
    }
"""


@pytest.fixture
def function_with_layer(aws, lambda_function, make_zip, unique):
    """A function whose code imports a module that only its layer provides."""
    layer = aws("lambda").publish_layer_version(
        LayerName=unique("e2e-layer"),
        Content={"ZipFile": make_zip(LAYER_FILES)},
        CompatibleRuntimes=["python3.12"],
    )
    return lambda_function(
        {"app.py": APP},
        Layers=[layer["LayerVersionArn"]],
        Timeout=2,
        Environment={"Variables": {"CHURNOPS_SETTING": "from-env"}},
    )


def test_sync_invoke_returns_value(function_with_layer, invoke):
    # GIVEN a function built from a zip and a layer
    # WHEN it is invoked synchronously
    response = invoke(function_with_layer, {"name": "ana"})
    # THEN its return value comes back, with layer, boto3 and env vars available
    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert response["Body"]["greeting"] == "hello ana"
    assert response["Body"]["boto3"]
    assert response["Body"]["setting"] == "from-env"
    assert 0 < response["Body"]["remaining_ms"] <= 2000


def test_async_invoke_runs_function(aws, function_with_layer, unique, wait_for):
    s3 = aws("s3")
    bucket = unique("e2e-async")
    s3.create_bucket(Bucket=bucket)
    event = {"action": "put", "bucket": bucket, "key": "done.json"}
    response = aws("lambda").invoke(
        FunctionName=function_with_layer, InvocationType="Event", Payload=json.dumps(event)
    )
    assert response["StatusCode"] == 202

    def object_written():
        """the function wrote done.json"""
        listing = s3.list_objects_v2(Bucket=bucket)
        return [item["Key"] for item in listing.get("Contents", [])]

    assert wait_for(object_written, timeout=30) == ["done.json"]
    s3.delete_object(Bucket=bucket, Key="done.json")
    s3.delete_bucket(Bucket=bucket)


def test_raised_exception_is_function_error(function_with_layer, invoke):
    response = invoke(function_with_layer, {"action": "fail", "value": 42})
    assert response["FunctionError"] == "Unhandled"
    assert response["Body"]["errorType"] == "ValueError"
    assert response["Body"]["errorMessage"] == "rejected input 42"
    assert any("app.py" in frame for frame in response["Body"]["stackTrace"])


def test_timeout_ends_invocation_and_next_runs(function_with_layer, invoke):
    started = time.monotonic()
    response = invoke(function_with_layer, {"action": "sleep", "seconds": 10})
    elapsed = time.monotonic() - started
    assert response["FunctionError"] == "Unhandled"
    assert "Task timed out after 2.00 seconds" in response["Body"]["errorMessage"]
    assert elapsed < 8
    # The timed-out process is replaced, so the next invocation starts cold and succeeds.
    assert invoke(function_with_layer, {"name": "again"})["Body"]["greeting"] == "hello again"


def test_log_lines_reach_cloudwatch(aws, function_with_layer, invoke, unique, wait_for):
    marker = unique("marker")
    response = invoke(function_with_layer, {"marker": marker}, LogType="Tail")
    tail = base64.b64decode(response["LogResult"]).decode()
    assert f"event marker {marker}" in tail
    assert "REPORT RequestId: " + response["Body"]["request_id"] in tail
    logs = aws("logs")

    def marker_logged():
        """the marker line is in /aws/lambda/<function>"""
        events = logs.filter_log_events(
            logGroupName=f"/aws/lambda/{function_with_layer}", filterPattern=marker
        )["events"]
        return [event["message"] for event in events]

    messages = wait_for(marker_logged, timeout=20)
    assert any(f"event marker {marker}" in message for message in messages)


def test_import_error_reported_at_once(lambda_function, invoke):
    name = lambda_function({"app.py": "import module_that_does_not_exist\n"})
    started = time.monotonic()
    response = invoke(name, {})
    assert response["FunctionError"] == "Unhandled"
    assert response["Body"]["errorType"] == "Runtime.ImportModuleError"
    assert "module_that_does_not_exist" in response["Body"]["errorMessage"]
    assert time.monotonic() - started < 10


def test_concurrent_environments_kept_apart(function_with_layer, invoke, aws, wait_for):
    # WHEN two invocations overlap, each gets its own process and temporary folder
    event = {"action": "sleep", "seconds": 1}
    with ThreadPoolExecutor(max_workers=2) as pool:
        bodies = [r["Body"] for r in pool.map(lambda _: invoke(function_with_layer, event), [0, 1])]
    pids = {body["pid"] for body in bodies}
    assert len(pids) == 2
    assert len({body["tmpdir"] for body in bodies}) == 2
    # THEN deleting the function stops its processes
    aws("lambda").delete_function(FunctionName=function_with_layer)

    def processes_gone():
        """the function processes have exited"""
        return not any(os.path.exists(f"/proc/{pid}") for pid in pids)

    wait_for(processes_gone, timeout=20)
