"""A LocalStack Lambda runtime executor that runs each environment as a local Python process.

LocalStack's own executor starts a container per execution environment. This one starts
`bootstrap.py` with the function's Python instead and talks to it through the same
callback routes (`ExecutorEndpoint`), so LocalStack's invocation, concurrency and
logging machinery is unchanged. Each environment has its own process, loopback port and
TMPDIR. A process that timed out or crashed is replaced before the next invocation,
which then pays a cold start, as on AWS.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import threading
import time
from concurrent.futures import Future, wait
from pathlib import Path

import requests

from localstack import config
from localstack.services.lambda_.invocation.executor_endpoint import (
    ExecutorEndpoint,
    InvokeSendError,
    StatusErrorException,
)
from localstack.services.lambda_.invocation.lambda_models import FunctionVersion, InvocationResult
from localstack.services.lambda_.invocation.runtime_executor import (
    LambdaRuntimeException,
    RuntimeExecutor,
)

from churnops_localstack import code
from churnops_localstack.process import EnvironmentProcess, build_process_env, remove_dir, spawn

LOG = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
POLL_SECONDS = 0.05
# The bootstrap enforces the function timeout itself; this margin only catches a hung process.
TIMEOUT_MARGIN_SECONDS = 5.0


class LocalProcessRuntimeExecutor(RuntimeExecutor):
    """Runs one Lambda execution environment in a local Python process."""

    def __init__(self, id: str, function_version: FunctionVersion) -> None:  # noqa: A002
        super().__init__(id=id, function_version=function_version)
        self.executor_endpoint = ExecutorEndpoint(self.id, container_address=LOOPBACK)
        self._process: EnvironmentProcess | None = None
        self._env_vars: dict[str, str] = {}
        self._work_dir: Path | None = None
        self._lock = threading.Lock()

    def start(self, env_vars: dict[str, str]) -> None:
        """Start the function process and wait until it reports ready or failed."""
        self._env_vars = dict(env_vars)
        root = Path(config.dirs.tmp) / "lambda-local-env"
        root.mkdir(parents=True, exist_ok=True)
        self._work_dir = Path(tempfile.mkdtemp(prefix=f"{self.id}-", dir=root))
        with self._lock:
            self._start_process()

    def _start_process(self) -> None:
        tmp_dir = self._work_dir / "tmp"
        shutil.rmtree(tmp_dir, ignore_errors=True)
        tmp_dir.mkdir()
        task_root = code.task_root(self.function_version)
        opt_dir = code.opt_dir(self.function_version)
        env = build_process_env(self._env_vars, task_root, opt_dir, tmp_dir)
        self.executor_endpoint.start()
        self._process = spawn(code.interpreter(), env, task_root, opt_dir, self._work_dir)
        self.executor_endpoint.container_port = self._process.port
        startup = self.executor_endpoint.startup_future
        while not startup.done():
            wait([startup], timeout=POLL_SECONDS)
            exit_code = self._process.exit_code()
            if exit_code is not None and not startup.done():
                raise StatusErrorException(
                    f"Function process exited with code {exit_code} during init",
                    payload=_exit_error(None, exit_code),
                )
        self.executor_endpoint.wait_for_startup()

    def stop(self) -> None:
        """Kill the function process and remove the environment's folder."""
        if self._process is not None:
            self._process.stop()
        try:
            self.executor_endpoint.shutdown()
        except KeyError:
            LOG.debug("Executor endpoint %s was not registered", self.id)
        if self._work_dir is not None:
            remove_dir(self._work_dir)

    def get_address(self) -> str:
        return LOOPBACK

    def get_endpoint_from_executor(self) -> str:
        return LOOPBACK

    def get_runtime_endpoint(self) -> str:
        port = config.GATEWAY_LISTEN[0].port
        return f"http://{LOOPBACK}:{port}{self.executor_endpoint.get_endpoint_prefix()}"

    def invoke(self, payload: dict[str, str]) -> InvocationResult:
        """Send one invocation and wait for its result, replacing a dead process first."""
        with self._lock:
            if self._process is None or self._process.exit_code() is not None:
                LOG.debug("Restarting function process of environment %s", self.id)
                if self._process is not None:
                    self._process.stop()
                self._start_process()
            return self._invoke(payload)

    def _invoke(self, payload: dict[str, str]) -> InvocationResult:
        request_id = payload["invoke-id"]
        future: Future[InvocationResult] = Future()
        self.executor_endpoint.invocation_future = future
        self.executor_endpoint.logs = None
        url = f"http://{LOOPBACK}:{self._process.port}/invoke"
        try:
            response = requests.post(
                url, json=payload, proxies={"http": "", "https": ""}, timeout=30
            )
        except requests.RequestException as exc:
            raise InvokeSendError(f"Sending invocation {request_id} to {url} failed: {exc}")
        if not response.ok:
            raise InvokeSendError(
                f"Function process at {url} rejected invocation {request_id}: "
                f"HTTP {response.status_code}"
            )
        timeout = float(self.function_version.config.timeout) + TIMEOUT_MARGIN_SECONDS
        deadline = time.monotonic() + timeout
        while not future.done():
            wait([future], timeout=POLL_SECONDS)
            exit_code = self._process.exit_code()
            if future.done():
                break
            if exit_code is not None:
                return self._failed(request_id, _exit_error(request_id, exit_code))
            if time.monotonic() > deadline:
                self._process.stop()
                message = f"RequestId: {request_id} Error: no result after {timeout:.0f} s"
                body = json.dumps({"errorType": "Sandbox.Timedout", "errorMessage": message})
                return self._failed(request_id, body.encode())
        return future.result()

    def _failed(self, request_id: str, body: bytes) -> InvocationResult:
        logs = self._process.log_tail() if self._process else ""
        return InvocationResult(request_id, body, is_error=True, logs=logs)

    def get_logs(self) -> str:
        return self._process.log_tail() if self._process else ""

    @classmethod
    def prepare_version(cls, function_version: FunctionVersion) -> None:
        code.check_runtime(function_version)
        code.prepare_code(function_version)

    @classmethod
    def cleanup_version(cls, function_version: FunctionVersion) -> None:
        # NOTE: merged layer folders are shared between versions and are left for
        # LocalStack to clear with its tmp folder at shutdown.
        return

    @classmethod
    def validate_environment(cls) -> bool:
        try:
            python = code.interpreter()
        except LambdaRuntimeException as exc:
            LOG.error("%s", exc)
            return False
        LOG.info("Lambda functions run as local processes on %s", python)
        return True


def _exit_error(request_id: str | None, exit_code: int) -> bytes:
    prefix = f"RequestId: {request_id} " if request_id else ""
    message = f"{prefix}Error: Runtime exited with error: exit status {exit_code}"
    return json.dumps({"errorType": "Runtime.ExitError", "errorMessage": message}).encode()
