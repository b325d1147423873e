"""Unpack a function's code and layers, and pick the interpreter its runtime runs on."""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from localstack import config
from localstack.services.lambda_.invocation.lambda_models import FunctionVersion
from localstack.services.lambda_.invocation.runtime_executor import LambdaRuntimeException

LOG = logging.getLogger(__name__)

PYTHON_SETTING = "LAMBDA_LOCAL_PYTHON"
PYTHON_DEFAULT = "python3.12"


def interpreter() -> str:
    """Return the interpreter for function processes, from LAMBDA_LOCAL_PYTHON or the PATH."""
    setting = os.environ.get(PYTHON_SETTING, "").strip() or PYTHON_DEFAULT
    resolved = shutil.which(setting)
    if resolved is None:
        raise LambdaRuntimeException(
            f"Python interpreter '{setting}' for Lambda functions not found: set "
            f"{PYTHON_SETTING} to a Python 3.12 executable that has boto3 installed"
        )
    return resolved


@functools.cache
def interpreter_version(python: str) -> str:
    """Return 'pythonX.Y' for an interpreter, asking it once."""
    output = subprocess.run(
        [python, "-c", "import sys; print(f'python{sys.version_info[0]}.{sys.version_info[1]}')"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return output.stdout.strip()


def check_runtime(function_version: FunctionVersion) -> None:
    """Reject functions this executor cannot run, and warn when the Python version differs."""
    runtime = function_version.config.runtime
    if not runtime or not str(runtime).startswith("python"):
        raise LambdaRuntimeException(
            f"Runtime '{runtime}' of {function_version.qualified_arn} is not supported by the "
            "local-process executor: it runs Python zip functions only"
        )
    python = interpreter()
    version = interpreter_version(python)
    if version != str(runtime):
        LOG.warning(
            "Function %s declares runtime %s but runs on %s (%s)",
            function_version.qualified_arn,
            runtime,
            python,
            version,
        )


def prepare_code(function_version: FunctionVersion) -> None:
    """Unpack the function's zip and each layer's zip to LocalStack's code cache."""
    code = function_version.config.code
    if code is None:
        raise LambdaRuntimeException(
            f"{function_version.qualified_arn} has no zip code; container images are not supported"
        )
    code.prepare_for_execution()
    for layer in function_version.config.layers:
        if layer.code is not None:
            layer.code.prepare_for_execution()


def task_root(function_version: FunctionVersion) -> Path:
    """Return the unpacked code folder, the equivalent of /var/task."""
    return Path(function_version.config.code.get_unzipped_code_location())


def opt_dir(function_version: FunctionVersion) -> Path | None:
    """Return the equivalent of /opt: the layers extracted over each other in their order.

    Lambda extracts layers into /opt one after another, so a later layer replaces the
    files of an earlier one. A single layer is used where it was unpacked. Several are
    merged with hard links (copies across file systems) into a folder under LocalStack's
    tmp folder, which LocalStack clears at start and stop.
    """
    layer_dirs = [
        Path(layer.code.get_unzipped_code_location())
        for layer in function_version.config.layers
        if layer.code is not None
    ]
    if not layer_dirs:
        return None
    if len(layer_dirs) == 1:
        return layer_dirs[0]
    key = hashlib.sha256("\n".join(map(str, layer_dirs)).encode()).hexdigest()[:16]
    merged = Path(config.dirs.tmp) / "lambda-local-opt" / key
    if merged.exists():
        return merged
    merged.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{key}-", dir=merged.parent))
    for layer_dir in layer_dirs:
        shutil.copytree(layer_dir, staging, dirs_exist_ok=True, copy_function=_link_or_copy)
    try:
        staging.rename(merged)
    except OSError:
        # Another environment merged the same layers first; its result is identical.
        shutil.rmtree(staging, ignore_errors=True)
    return merged


def _link_or_copy(source: str, target: str) -> None:
    if os.path.lexists(target):
        os.unlink(target)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
