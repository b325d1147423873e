"""Print LocalStack start-up time and cold and warm invoke times of an empty function.

Run with the project's environment from the repository root:

    .venv/bin/python localstack/benchmark.py [--warm 50]

If LocalStack is not running, the script starts it with `python -m churnops.local up`,
times that, and stops it at the end. Point CHURNOPS_LOCALSTACK_HOME at an empty folder
to include creating both virtual environments in the start-up time.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import time
import uuid
import zipfile

import boto3

from churnops import local

EMPTY_HANDLER = "def handler(event, context):\n    return None\n"


def timed_local(action: str) -> float:
    """Run `python -m churnops.local ACTION` and return its wall time in seconds."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "churnops.local", action], check=True)
    return time.perf_counter() - started


def empty_function(client: object, name: str) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", EMPTY_HANDLER)
    client.create_function(
        FunctionName=name, Runtime="python3.12", Handler="app.handler",
        Role="arn:aws:iam::000000000000:role/benchmark", Code={"ZipFile": buffer.getvalue()},
    )
    client.get_waiter("function_active_v2").wait(FunctionName=name)


def invoke_ms(client: object, name: str) -> float:
    started = time.perf_counter()
    response = client.invoke(FunctionName=name, Payload=b"{}")
    response["Payload"].read()
    if response.get("FunctionError"):
        raise RuntimeError(f"benchmark function failed: {response['FunctionError']}")
    return (time.perf_counter() - started) * 1000


def main() -> None:
    """Measure and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=int, default=50, help="number of warm invokes (default 50)")
    args = parser.parse_args()
    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                        "AWS_EC2_METADATA_DISABLED": "true"}.items():
        os.environ.setdefault(name, value)
    started_here = local.health() is None
    if started_here:
        print(f"start-up (churnops local up): {timed_local('up'):.2f} s")
    else:
        print("start-up: not measured, LocalStack was already running")
    client = boto3.client("lambda", endpoint_url=local.endpoint(), region_name="us-east-1")
    name = f"benchmark-empty-{uuid.uuid4().hex[:8]}"
    try:
        empty_function(client, name)
        print(f"cold invoke: {invoke_ms(client, name):.1f} ms")
        warm = [invoke_ms(client, name) for _ in range(args.warm)]
        quantiles = statistics.quantiles(warm, n=20)
        print(f"warm invoke over {args.warm}: median {statistics.median(warm):.1f} ms, "
              f"p95 {quantiles[18]:.1f} ms, min {min(warm):.1f} ms")
    finally:
        client.delete_function(FunctionName=name)
        if started_here:
            print(f"shutdown (churnops local down): {timed_local('down'):.2f} s")


if __name__ == "__main__":
    main()
