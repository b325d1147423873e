"""Fixtures for end-to-end tests against LocalStack (or any AWS-compatible endpoint).

The session starts LocalStack with `python -m churnops.local up` unless one already
responds on 127.0.0.1:4566, and stops it at the end only if it started it. Set
CHURNOPS_E2E_ENDPOINT to test another emulator instead; nothing is started then.
Tests talk to AWS through boto3 only.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from churnops import local

REGION = "us-east-1"
ROLE_ARN = "arn:aws:iam::000000000000:role/churnops-e2e"
REPO_ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.e2e)


def _run_local(action: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "churnops.local", action], cwd=REPO_ROOT, check=True, timeout=900
    )


@pytest.fixture(scope="session")
def endpoint() -> Iterator[str]:
    """The AWS endpoint URL under test, with dummy credentials set for boto3."""
    settings = {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    patch = pytest.MonkeyPatch()
    for name, value in settings.items():
        patch.setenv(name, value)
    started_here = False
    url = os.environ.get("CHURNOPS_E2E_ENDPOINT")
    if not url:
        url = local.endpoint()
        if local.health() is None:
            _run_local("up")
            started_here = True
    patch.setenv("AWS_ENDPOINT_URL", url)
    yield url
    patch.undo()
    if started_here:
        _run_local("down")


@pytest.fixture(scope="session")
def aws(endpoint: str) -> Callable[[str], Any]:
    """Return a factory of boto3 clients bound to the endpoint under test."""

    def client(service: str) -> Any:
        return boto3.client(service, endpoint_url=endpoint, region_name=REGION)

    return client


def _make_zip(files: dict[str, str]) -> bytes:
    """Build a zip archive in memory from {path: source text}."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return buffer.getvalue()


def _unique(prefix: str) -> str:
    """Return a resource name that no other test run uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _wait_for(check: Callable[[], Any], timeout: float, interval: float = 0.5) -> Any:
    """Poll `check` until it returns something truthy; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout:.0f} s: {check.__doc__ or check}")
        time.sleep(interval)


@pytest.fixture
def lambda_function(aws: Callable[[str], Any]) -> Iterator[Callable[..., str]]:
    """Create Python 3.12 functions from source files; delete them after the test."""
    client = aws("lambda")
    created: list[str] = []

    def create(files: dict[str, str], handler: str = "app.handler", **options: Any) -> str:
        name = options.pop("name", None) or _unique("e2e-fn")
        client.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=ROLE_ARN,
            Handler=handler,
            Code={"ZipFile": _make_zip(files)},
            **options,
        )
        created.append(name)
        client.get_waiter("function_active_v2").wait(FunctionName=name)
        return name

    yield create
    for name in created:
        try:
            client.delete_function(FunctionName=name)
        except client.exceptions.ResourceNotFoundException:
            pass  # the test deleted it itself


@pytest.fixture
def invoke(aws: Callable[[str], Any]) -> Callable[..., dict[str, Any]]:
    """Invoke synchronously; the response gets the payload parsed as JSON under "Body"."""

    def call(name: str, event: Any, **options: Any) -> dict[str, Any]:
        response = aws("lambda").invoke(FunctionName=name, Payload=json.dumps(event), **options)
        response["Body"] = json.loads(response["Payload"].read())
        return response

    return call


@pytest.fixture(scope="session")
def make_zip() -> Callable[[dict[str, str]], bytes]:
    """Build a zip archive in memory from {path: source text}."""
    return _make_zip


@pytest.fixture(scope="session")
def unique() -> Callable[[str], str]:
    """Return resource names that no other test run uses."""
    return _unique


@pytest.fixture(scope="session")
def wait_for() -> Callable[..., Any]:
    """Poll a check until it returns something truthy, failing after a timeout in seconds."""
    return _wait_for
