"""Run one Lambda execution environment in this Python process.

Started by the local-process executor with the interpreter of the function's runtime,
so it uses the standard library only. It imports the handler once, reports ready (or
the import error) to LocalStack, then serves `POST /invoke` on the loopback socket it
inherits, one invocation at a time. Output written during an invocation is posted to
LocalStack's `/logs` callback before the result. After a timeout the process exits,
because a running handler thread cannot be stopped, and the executor starts a new one.
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import logging
import os
import resource
import socket
import sys
import threading
import time
import traceback
import urllib.request
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, Callable

# Proxy settings from the function's environment must not divert callbacks to LocalStack.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class LogCapture(io.TextIOBase):
    """A text stream that keeps what the function writes and copies it to the process log."""

    def __init__(self, original: io.TextIOBase) -> None:
        self._original = original
        self._lock = threading.Lock()
        self._parts: list[str] = []

    def write(self, text: str) -> int:
        with self._lock:
            self._parts.append(text)
        self._original.write(text)
        self._original.flush()
        return len(text)

    def flush(self) -> None:
        self._original.flush()

    def fileno(self) -> int:
        return self._original.fileno()

    @property
    def encoding(self) -> str:
        return "utf-8"

    def drain(self) -> str:
        """Return everything written since the last drain and start a new buffer."""
        with self._lock:
            text = "".join(self._parts)
            self._parts = []
        return text


class LambdaContext:
    """The context object of the AWS Lambda Python runtime, with the same attribute names."""

    def __init__(self, request_id: str, invoked_arn: str, deadline: float) -> None:
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def post(url: str, body: bytes) -> None:
    """POST a callback to LocalStack. Failures raise, because the invocation cannot finish."""
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    with _OPENER.open(request, timeout=30) as response:
        response.read()


def error_payload(exc: BaseException, skip_frames: int = 0) -> dict[str, Any]:
    """Build the error document the AWS Python runtime returns for an exception."""
    frames = traceback.extract_tb(exc.__traceback__)[skip_frames:]
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "stackTrace": traceback.format_list(frames),
    }


def max_memory_mb() -> int:
    """Return the peak resident memory of this process in MB.

    VmHWM restarts at exec; ru_maxrss would include the parent's peak before the exec.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


class HandlerInitError(Exception):
    """Failure to load the handler, with the Lambda error type to report."""

    def __init__(self, message: str, error_type: str) -> None:
        super().__init__(message)
        self.error_type = error_type


def load_handler(handler_setting: str) -> Callable[[Any, Any], Any]:
    """Import `module.function` (the module may use `/` as separator) and return the function."""
    module_name, _, function_name = handler_setting.rpartition(".")
    if not module_name or not function_name:
        raise HandlerInitError(
            f"Invalid handler '{handler_setting}': expected 'module.function'",
            "Runtime.MalformedHandlerName",
        )
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        message = f"Unable to import module '{module_name}': {exc}"
        raise HandlerInitError(message, "Runtime.ImportModuleError") from exc
    except SyntaxError as exc:
        message = f"Syntax error in module '{module_name}': {exc}"
        raise HandlerInitError(message, "Runtime.UserCodeSyntaxError") from exc
    handler = getattr(module, function_name, None)
    if not callable(handler):
        message = f"Handler '{function_name}' missing on module '{module_name}'"
        raise HandlerInitError(message, "Runtime.HandlerNotFound")
    return handler


class Runtime:
    """State of one execution environment, with its handler, log capture and callback URL."""

    def __init__(self, handler: Callable[[Any, Any], Any], capture: LogCapture, init_ms: float):
        self.handler = handler
        self.capture = capture
        self.endpoint = os.environ["LOCALSTACK_RUNTIME_ENDPOINT"]
        self.timeout_s = float(os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT", "3"))
        self.busy = threading.Lock()
        self._init_ms: float | None = init_ms

    def run(self, request: dict[str, Any]) -> None:
        """Run one invocation under the function's timeout and post its logs and result."""
        request_id = request["invoke-id"]
        started = time.monotonic()
        deadline = started + self.timeout_s
        os.environ["_X_AMZN_TRACE_ID"] = request.get("trace-id") or ""
        version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        print(f"START RequestId: {request_id} Version: {version}")
        outcome: dict[str, Any] = {}
        context = LambdaContext(request_id, request.get("invoked-function-arn", ""), deadline)
        payload = request.get("payload") or "null"
        worker = threading.Thread(target=self._call, args=(payload, context, outcome), daemon=True)
        worker.start()
        worker.join(timeout=self.timeout_s)
        timed_out = worker.is_alive()
        if timed_out:
            message = f"Task timed out after {self.timeout_s:.2f} seconds"
            print(f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {request_id} {message}")
            outcome = {"error": {"errorType": "Sandbox.Timedout",
                                 "errorMessage": f"RequestId: {request_id} Error: {message}"}}
        self._report(request_id, started, outcome)
        if timed_out:
            os._exit(1)

    def _call(self, payload: str, context: LambdaContext, outcome: dict[str, Any]) -> None:
        try:
            result = self.handler(json.loads(payload), context)
        except Exception as exc:  # noqa: BLE001 - any handler error becomes a function error
            # The first frame is this method; the AWS runtime also hides its own frames.
            outcome["error"] = error_payload(exc, skip_frames=1)
            print(f"[ERROR] {type(exc).__name__}: {exc}\nTraceback (most recent call last):")
            print(f"{''.join(outcome['error']['stackTrace'])}{type(exc).__name__}: {exc}")
            return
        try:
            outcome["result"] = json.dumps(result)
        except (TypeError, ValueError) as exc:
            message = f"Unable to marshal response: {exc}"
            outcome["error"] = {"errorType": "Runtime.MarshalError", "errorMessage": message}

    def _report(self, request_id: str, started: float, outcome: dict[str, Any]) -> None:
        duration_ms = (time.monotonic() - started) * 1000
        memory_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        report = (
            f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
            f"Billed Duration: {max(1, int(duration_ms + 0.999))} ms\t"
            f"Memory Size: {memory_mb} MB\tMax Memory Used: {max_memory_mb()} MB\t"
        )
        if self._init_ms is not None:
            report += f"Init Duration: {self._init_ms:.2f} ms\t"
            self._init_ms = None
        print(f"END RequestId: {request_id}")
        print(report)
        base = f"{self.endpoint}/invocations/{request_id}"
        post(f"{base}/logs", json.dumps({"logs": self.capture.drain()}).encode())
        if "error" in outcome:
            post(f"{base}/error", json.dumps(outcome["error"]).encode())
        else:
            post(f"{base}/response", outcome["result"].encode())


def make_request_handler(runtime: Runtime) -> type[BaseHTTPRequestHandler]:
    """Build the HTTP handler class that accepts `POST /invoke` for this environment."""

    class InvokeHandler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - name fixed by http.server
            if self.path != "/invoke":
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if not runtime.busy.acquire(blocking=False):
                self.send_error(HTTPStatus.CONFLICT, "an invocation is already running")
                return
            self.send_response(HTTPStatus.ACCEPTED)
            self.send_header("Content-Length", "0")
            self.end_headers()
            try:
                runtime.run(json.loads(body))
            finally:
                runtime.busy.release()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base signature
            return

    return InvokeHandler


def configure_paths(task_root: str, opt_dir: str | None) -> None:
    """Put code and layers on sys.path in the order of the AWS runtime, and cd to the code."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    paths = [task_root]
    if opt_dir:
        paths += [os.path.join(opt_dir, "python", "lib", version, "site-packages"),
                  os.path.join(opt_dir, "python")]
    sys.path[0:0] = paths
    os.chdir(task_root)


def install_log_capture() -> LogCapture:
    """Route sys.stdout, sys.stderr and root logging into one capture, as Lambda does."""
    capture = LogCapture(sys.__stdout__)
    sys.stdout = capture
    sys.stderr = capture
    handler = logging.StreamHandler(capture)
    handler.setFormatter(logging.Formatter("[%(levelname)s]\t%(asctime)s\t%(message)s"))
    logging.getLogger().addHandler(handler)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
    if level:
        logging.getLogger().setLevel(level.upper())
    return capture


def main() -> None:
    """Load the handler, report to LocalStack and serve invocations until killed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listen-fd", type=int, required=True)
    parser.add_argument("--task-root", required=True)
    parser.add_argument("--opt-dir")
    args = parser.parse_args()
    started = time.monotonic()
    capture = install_log_capture()
    configure_paths(args.task_root, args.opt_dir)
    runtime_id = os.environ["LOCALSTACK_RUNTIME_ID"]
    status_url = f"{os.environ['LOCALSTACK_RUNTIME_ENDPOINT']}/status/{runtime_id}"
    try:
        handler = load_handler(os.environ["_HANDLER"])
    except HandlerInitError as exc:
        # The frames are the bootstrap's own; AWS also reports none for these errors.
        report = {"errorMessage": str(exc), "errorType": exc.error_type, "stackTrace": []}
        print(f"[ERROR] {exc.error_type}: {exc}")
        post(f"{status_url}/error", json.dumps(report).encode())
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - an error at import time fails the init phase
        traceback.print_exc()
        post(f"{status_url}/error", json.dumps(error_payload(exc)).encode())
        sys.exit(1)
    runtime = Runtime(handler, capture, (time.monotonic() - started) * 1000)
    server = HTTPServer(("127.0.0.1", 0), make_request_handler(runtime), bind_and_activate=False)
    server.socket.close()
    server.socket = socket.socket(fileno=args.listen_fd)
    post(f"{status_url}/ready", b"{}")
    server.serve_forever()


if __name__ == "__main__":
    main()
