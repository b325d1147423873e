"""Run LocalStack on this host, without Docker: `churnops local up|down|status`.

LocalStack gets a virtual environment of its own (its pins clash with the project's),
with the plugins in `localstack/plugin`: Lambda functions run as local Python processes
on a second environment that contains what the AWS Python runtime ships (boto3), and
DynamoDB is served by moto. Both environments, LocalStack's state and its log live in
`.localstack/` at the repository root, or in CHURNOPS_LOCALSTACK_HOME.

Also runnable as `python -m churnops.local up|down|status`.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from churnops.errors import ChurnopsError

HOST = "127.0.0.1"
PORT_DEFAULT = 4566
START_TIMEOUT_SECONDS = 180.0
STOP_TIMEOUT_SECONDS = 30.0
# Services of the churnops stack, plus the ones a CDK bootstrap and deploy call.
SERVICES = (
    "s3", "dynamodb", "lambda", "apigateway", "stepfunctions", "events", "iam", "sts",
    "logs", "cloudformation", "ssm", "sqs", "sns", "cloudwatch",
)
# Interpreters: LocalStack 2026.3.0 needs Python 3.12 or newer; functions use python3.12.
LOCALSTACK_PYTHONS = ("3.13", "3.12")
LAMBDA_PYTHONS = ("3.12",)
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class LocalStackPaths:
    """Locations of the LocalStack environments, state, log and pid file."""

    source: Path
    home: Path

    @property
    def venv(self) -> Path:
        return self.home / "venv"

    @property
    def lambda_venv(self) -> Path:
        return self.home / "lambda-python3.12"

    @property
    def log_file(self) -> Path:
        return self.home / "localstack.log"

    @property
    def pid_file(self) -> Path:
        return self.home / "localstack.pid"

    @property
    def filesystem(self) -> Path:
        return self.home / "filesystem"

    @classmethod
    def from_env(cls) -> LocalStackPaths:
        """Find `localstack/` next to the package (or in the working directory) and the home."""
        for root in (Path(__file__).resolve().parents[1], Path.cwd()):
            if (root / "localstack" / "requirements.txt").is_file():
                home = os.environ.get("CHURNOPS_LOCALSTACK_HOME") or root / ".localstack"
                return cls(source=root / "localstack", home=Path(home).resolve())
        raise ChurnopsError(
            "localstack/requirements.txt not found: run this from a churnops checkout"
        )


def endpoint() -> str:
    """Return the LocalStack URL, http://127.0.0.1:<CHURNOPS_LOCALSTACK_PORT or 4566>."""
    return f"http://{HOST}:{_port()}"


def _port() -> int:
    raw = os.environ.get("CHURNOPS_LOCALSTACK_PORT", str(PORT_DEFAULT))
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ChurnopsError(f"CHURNOPS_LOCALSTACK_PORT is invalid: {raw!r} is not a TCP port")
    return int(raw)


def health() -> dict[str, Any] | None:
    """Return LocalStack's /_localstack/health document, or None if no server responds."""
    try:
        with _NO_PROXY.open(f"{endpoint()}/_localstack/health", timeout=2) as response:
            return json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None


def missing_services(document: dict[str, Any]) -> list[str]:
    """List the services churnops needs that a health document shows as absent or disabled."""
    states = document.get("services", {})
    return [name for name in SERVICES if states.get(name, "disabled") in ("disabled", "error")]


def find_python(setting: str, versions: tuple[str, ...]) -> str:
    """Find an interpreter: the setting's value, else pythonX.Y on PATH, else a pyenv install."""
    if os.environ.get(setting):
        return os.environ[setting]
    candidates = [f"python{version}" for version in versions]
    pyenv_root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    for version in versions:
        candidates += sorted(glob.glob(f"{pyenv_root}/versions/{version}.*/bin/python{version}"))
    for candidate in candidates:
        if _python_version(candidate) in versions:
            return candidate
    raise ChurnopsError(
        f"no Python {' or '.join(versions)} found: install one or set {setting} to its path"
    )


def _python_version(python: str) -> str | None:
    if shutil.which(python) is None:
        return None
    script = "import sys; print('%d.%d' % sys.version_info[:2])"
    result = subprocess.run([python, "-c", script], capture_output=True, text=True, check=False)
    return result.stdout.strip() if result.returncode == 0 else None


def ensure_environment(venv: Path, python_setting: str, versions: tuple[str, ...],
                       installs: list[list[str]], inputs: list[Path]) -> None:
    """Create a venv and run the pip installs when missing or when an input file changed."""
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in inputs)).hexdigest()
    stamp = venv / "churnops-installed.sha256"
    if stamp.is_file() and stamp.read_text().strip() == digest:
        return
    if not (venv / "bin" / "python").exists():
        python = find_python(python_setting, versions)
        print(f"creating {venv} with {python}", file=sys.stderr)
        _run([python, "-m", "venv", str(venv)])
    for arguments in installs:
        _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", *arguments])
    stamp.write_text(digest + "\n")


def _run(command: list[str]) -> None:
    try:
        subprocess.run(command, check=True)
    except subprocess.CalledProcessError as exc:
        raise ChurnopsError(f"command failed with exit code {exc.returncode}: {command}") from exc


def prepare(paths: LocalStackPaths) -> None:
    """Create or update LocalStack's environment and the Lambda runtime's environment."""
    paths.home.mkdir(parents=True, exist_ok=True)
    source = paths.source
    ensure_environment(
        paths.venv, "CHURNOPS_LOCALSTACK_PYTHON", LOCALSTACK_PYTHONS,
        [["-r", str(source / "requirements.txt")], ["-e", str(source / "plugin")]],
        [source / "requirements.txt", source / "plugin" / "pyproject.toml"],
    )
    runtime_requirements = source / "lambda-runtime-requirements.txt"
    ensure_environment(
        paths.lambda_venv, "CHURNOPS_LAMBDA_PYTHON", LAMBDA_PYTHONS,
        [["-r", str(runtime_requirements)]], [runtime_requirements],
    )


def localstack_env(paths: LocalStackPaths) -> dict[str, str]:
    """Build LocalStack's environment: loopback only, no telemetry, DNS or downloads."""
    address = f"{HOST}:{_port()}"
    return {
        **os.environ,
        "GATEWAY_LISTEN": address,
        "LOCALSTACK_HOST": address,
        "SERVICES": ",".join(SERVICES),
        "DISABLE_EVENTS": "1",
        "SKIP_SSL_CERT_DOWNLOAD": "1",
        "DNS_ADDRESS": "0",
        "SQS_ENDPOINT_STRATEGY": "path",
        "LAMBDA_RUNTIME_EXECUTOR": "local-process",
        "LAMBDA_LOCAL_PYTHON": str(paths.lambda_venv / "bin" / "python"),
        "PROVIDER_OVERRIDE_DYNAMODB": "moto",
        "FILESYSTEM_ROOT": str(paths.filesystem),
        # LocalStack unpacks function code under tempfile.gettempdir(), so keep that in home.
        "TMPDIR": str(paths.home / "tmp"),
    }


def _read_pid(paths: LocalStackPaths) -> int | None:
    """Return the pid from the pid file if that process is still alive."""
    try:
        pid = int(paths.pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if _alive(pid) else None


def _alive(pid: int) -> bool:
    """Tell whether a process runs. A zombie (exited, not yet reaped) counts as stopped."""
    if not Path("/proc/self").exists():
        # No /proc (macOS): a signal-0 probe, which cannot tell zombies apart.
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def up(timeout: float = START_TIMEOUT_SECONDS) -> dict[str, Any]:
    """Start LocalStack in the background unless it already runs, and wait until healthy."""
    paths = LocalStackPaths.from_env()
    pid = _read_pid(paths)
    if pid is None and health() is None:
        prepare(paths)
        paths.filesystem.mkdir(parents=True, exist_ok=True)
        # Code unpacked by an earlier run is stale: LocalStack starts with no functions.
        shutil.rmtree(paths.home / "tmp", ignore_errors=True)
        (paths.home / "tmp").mkdir()
        with paths.log_file.open("wb") as log:
            process = subprocess.Popen(
                [str(paths.venv / "bin" / "python"), "-m", "localstack.runtime.main"],
                env=localstack_env(paths), cwd=paths.home, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        paths.pid_file.write_text(f"{process.pid}\n")
        pid = process.pid
        print(f"starting LocalStack (pid {pid}), log: {paths.log_file}", file=sys.stderr)
    document = _wait_healthy(paths, pid, timeout)
    missing = missing_services(document)
    if missing:
        raise ChurnopsError(
            f"LocalStack at {endpoint()} lacks services {', '.join(missing)}: stop it and "
            "run `churnops local up` again"
        )
    return {"endpoint": endpoint(), "pid": pid, "log": str(paths.log_file)}


def _wait_healthy(paths: LocalStackPaths, pid: int | None, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        document = health()
        if document is not None:
            return document
        if pid is not None and _read_pid(paths) is None:
            raise ChurnopsError(f"LocalStack exited during start-up: see {paths.log_file}")
        time.sleep(0.25)
    raise ChurnopsError(
        f"LocalStack did not respond on {endpoint()} within {timeout:.0f} s: see {paths.log_file}"
    )


def down() -> bool:
    """Stop the LocalStack started by `up` and its function processes; False if none ran."""
    paths = LocalStackPaths.from_env()
    pid = _read_pid(paths)
    if pid is not None:
        _stop_group(pid, STOP_TIMEOUT_SECONDS)
    paths.pid_file.unlink(missing_ok=True)
    # LocalStack stops its function processes on a clean shutdown; these are left only
    # when it was killed. Each executor wrote its process's pid next to its work folder.
    for pid_file in paths.filesystem.glob("**/lambda-local-env/*/pid"):
        function_pid = int(pid_file.read_text().strip() or 0)
        if function_pid and _is_bootstrap(function_pid):
            _stop_group(function_pid, 2.0)
    return pid is not None


def _is_bootstrap(pid: int) -> bool:
    try:
        return b"churnops_localstack" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _stop_group(pid: int, timeout: float) -> None:
    """Send SIGTERM to a process group, then SIGKILL if it outlives the timeout."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return
        time.sleep(0.2)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        return


def status() -> dict[str, Any]:
    """Report whether LocalStack runs and responds, and the state of each needed service."""
    paths = LocalStackPaths.from_env()
    document = health()
    return {
        "endpoint": endpoint(),
        "pid": _read_pid(paths),
        "healthy": document is not None,
        "version": (document or {}).get("version"),
        "services": {name: (document or {}).get("services", {}).get(name) for name in SERVICES},
        "log": str(paths.log_file),
        "home": str(paths.home),
    }


def main(argv: list[str] | None = None) -> int:
    """Run `up`, `down` or `status` without the rest of the churnops CLI."""
    from churnops.cli.local import run

    return run(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
