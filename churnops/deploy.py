"""Deploy the CDK stack to an AWS-compatible endpoint and read back its outputs.

`deploy()` builds the layers and code assets (no Docker), bootstraps the
environment and deploys with `cdklocal`, whose versions `package-lock.json` pins.
The endpoint is `AWS_ENDPOINT_URL`, LocalStack on 127.0.0.1:4566 by default.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from churnops.errors import ChurnopsError

REPO_ROOT = Path(__file__).resolve().parent.parent
OUTPUTS_FILE = REPO_ROOT / "build" / "outputs.json"
STACK_NAME = "churnops"
LOCAL_ENDPOINT = "http://127.0.0.1:4566"
LOCAL_ACCOUNT = "000000000000"
# Overrides for a local deploy: the predict Lambda notices a promotion within 5 s
# instead of 60 s, so the demo and the e2e tests do not wait a minute per change.
LOCAL_CONTEXT = {
    "function_environment": {"predict": {"CHURNOPS_MODEL_REFRESH_SECONDS": "5"}},
}


class DeployFailed(ChurnopsError):
    """A build, bootstrap or deploy step exited with an error."""


@dataclass(frozen=True)
class StackOutputs:
    """Outputs of the deployed stack: resource names, ARNs and the API's address."""

    values: dict[str, str]
    endpoint: str

    @property
    def api_url(self) -> str:
        """Base URL of the REST API stage, in LocalStack's path form for a local endpoint."""
        if self.endpoint:
            rest_api, stage = self.values["RestApiId"], self.values["ApiStage"]
            return f"{self.endpoint}/restapis/{rest_api}/{stage}/_user_request_"
        return self.values["ApiUrl"].rstrip("/")

    def api_key(self, session: Any) -> str:
        client = session.client("apigateway", endpoint_url=self.endpoint or None)
        response = client.get_api_key(
            apiKey=self.values["ApiKeyId"], includeValue=True
        )
        return response["value"]


def deploy_environment(endpoint: str) -> dict[str, str]:
    """Return the environment for cdklocal: endpoint, region and dummy credentials."""
    environment = dict(os.environ)
    environment.update({
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ENDPOINT_URL_S3": endpoint,
        # cdklocal builds some URLs (the bootstrap bucket's) from EDGE_PORT alone.
        "EDGE_PORT": str(urlparse(endpoint).port or 4566),
        "AWS_EC2_METADATA_DISABLED": "true",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
        "CDK_DISABLE_VERSION_CHECK": "1",
    })
    environment.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    environment.setdefault("AWS_ACCESS_KEY_ID", "test")
    environment.setdefault("AWS_SECRET_ACCESS_KEY", "test")
    return environment


def deploy(endpoint: str = LOCAL_ENDPOINT, log=print, context: dict[str, Any] | None = None) -> StackOutputs:
    """Build assets, bootstrap and deploy; return the stack outputs.

    `context` adds CDK context values to LOCAL_CONTEXT, e.g. another `model_name`.
    """
    environment = deploy_environment(endpoint)
    _ensure_node_packages(log)
    timings = {}
    started = time.perf_counter()
    _run([sys.executable, "-m", "infra.build_assets"], environment, "build assets", log)
    timings["build"] = time.perf_counter() - started
    region = environment["AWS_DEFAULT_REGION"]
    values = {**LOCAL_CONTEXT, **(context or {})}
    context_args = [
        arg for key, value in values.items()
        for arg in ("-c", f"{key}={value if isinstance(value, str) else json.dumps(value)}")
    ]
    started = time.perf_counter()
    _run([_cdklocal(), "bootstrap", f"aws://{LOCAL_ACCOUNT}/{region}", *context_args], environment,
         "cdklocal bootstrap", log)
    timings["bootstrap"] = time.perf_counter() - started
    started = time.perf_counter()
    _run([_cdklocal(), "deploy", STACK_NAME, "--require-approval", "never",
          "--outputs-file", str(OUTPUTS_FILE), *context_args], environment, "cdklocal deploy", log)
    timings["deploy"] = time.perf_counter() - started
    log("deploy timings (s): " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()))
    return read_outputs(endpoint)


def read_outputs(endpoint: str = LOCAL_ENDPOINT) -> StackOutputs:
    """Read the outputs file written by the last deploy."""
    try:
        values = json.loads(OUTPUTS_FILE.read_text())[STACK_NAME]
    except FileNotFoundError as exc:
        raise ChurnopsError(f"{OUTPUTS_FILE} not found; run `churnops local deploy` first") from exc
    return StackOutputs(values=values, endpoint=endpoint)


def _ensure_node_packages(log) -> None:
    installed = REPO_ROOT / "node_modules" / ".package-lock.json"
    lock = REPO_ROOT / "package-lock.json"
    if installed.is_file() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    if shutil.which("npm") is None:
        raise DeployFailed("npm not found; install Node.js 20 or newer to deploy with cdklocal")
    _run(["npm", "ci", "--no-audit", "--no-fund"], dict(os.environ), "npm ci", log)


def _cdklocal() -> str:
    return str(REPO_ROOT / "node_modules" / ".bin" / "cdklocal")


def _run(command: list[str], environment: dict[str, str], step: str, log) -> None:
    log(f"{step}: {' '.join(command[:3])} ...")
    result = subprocess.run(command, cwd=REPO_ROOT, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-25:])
        raise DeployFailed(f"{step} failed with exit code {result.returncode}:\n{tail}")
