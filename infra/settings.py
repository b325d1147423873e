"""Stack settings: resource names, thresholds and function sizes, read from CDK context.

The defaults are the names in `churnops/config.py`, so the CLI and the Lambdas find
the deployed resources without extra environment variables. `cdk.json` at the
repository root sets the same keys, and `cdk deploy -c key=value` overrides one.
"""

from __future__ import annotations

import json

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from churnops import config

REPO_ROOT = Path(__file__).resolve().parent.parent
BUILD_DIR_DEFAULT = REPO_ROOT / "build"
ASL_PATH_DEFAULT = REPO_ROOT / "step_functions" / "retrain.asl.json"

# LocalStack accepts any 12-digit account, and synth needs no AWS account at all.
ACCOUNT_DEFAULT = "000000000000"
REGION_DEFAULT = "us-east-1"


@dataclass(frozen=True)
class FunctionSize:
    """Memory in MB and timeout in seconds of one Lambda function."""

    memory_mb: int
    timeout_s: int

    def __post_init__(self) -> None:
        # Lambda's own limits: 128-10,240 MB of memory and at most 900 s per invoke.
        if not 128 <= self.memory_mb <= 10_240:
            raise ValueError(f"memory_mb must be 128-10240, got {self.memory_mb}")
        if not 1 <= self.timeout_s <= 900:
            raise ValueError(f"timeout_s must be 1-900, got {self.timeout_s}")


# NOTE: estimates, not measurements: predict loads onnxruntime and one model, train
# fits three model families on 7,043 rows. Override in cdk.json once measured.
FUNCTION_SIZES_DEFAULT: dict[str, FunctionSize] = {
    "predict": FunctionSize(memory_mb=1024, timeout_s=15),
    "monitor": FunctionSize(memory_mb=1024, timeout_s=300),
    "train": FunctionSize(memory_mb=3008, timeout_s=900),
    "validate": FunctionSize(memory_mb=2048, timeout_s=300),
    "request_approval": FunctionSize(memory_mb=256, timeout_s=30),
    "promote": FunctionSize(memory_mb=256, timeout_s=30),
    "notify": FunctionSize(memory_mb=256, timeout_s=30),
}


@dataclass(frozen=True)
class StackSettings:
    """Everything the stack needs besides the construct tree itself."""

    model_name: str = config.MODEL_NAME_DEFAULT
    bucket_name: str = config.BUCKET_DEFAULT
    registry_table: str = config.REGISTRY_TABLE_DEFAULT
    audit_table: str = config.AUDIT_TABLE_DEFAULT
    predictions_table: str = config.PREDICTIONS_TABLE_DEFAULT
    build_dir: Path = BUILD_DIR_DEFAULT
    asl_path: Path = ASL_PATH_DEFAULT
    retain_data: bool = True
    # Whether train and validate deploy from a container image. AWS needs it because
    # their layers exceed 250 MiB, and it needs Docker at deploy time, so it is off
    # for LocalStack.
    training_image: bool = False
    log_retention_days: int = 30
    api_stage: str = "v1"
    api_rate_limit: float = 50.0
    api_burst_limit: int = 100
    api_latency_p99_ms: int = 3000
    alarm_email: str | None = None
    function_sizes: dict[str, FunctionSize] = field(
        default_factory=lambda: dict(FUNCTION_SIZES_DEFAULT)
    )
    # Extra environment variables per function, for thresholds the handlers read.
    function_environment: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def from_context(cls, context: dict[str, Any]) -> StackSettings:
        """Build settings from CDK context values, keeping defaults for missing keys."""
        settings = cls()
        simple = {
            "model_name": str,
            "bucket_name": str,
            "registry_table": str,
            "audit_table": str,
            "predictions_table": str,
            "api_stage": str,
            "alarm_email": str,
            "log_retention_days": int,
            "api_rate_limit": float,
            "api_burst_limit": int,
            "api_latency_p99_ms": int,
        }
        changes: dict[str, Any] = {}
        for key, kind in simple.items():
            if context.get(key) is not None:
                changes[key] = kind(context[key])
        if context.get("build_dir"):
            changes["build_dir"] = REPO_ROOT / str(context["build_dir"])
        if context.get("asl_path"):
            changes["asl_path"] = REPO_ROOT / str(context["asl_path"])
        for key in ("retain_data", "training_image"):
            if context.get(key) is not None:
                changes[key] = _parse_bool(key, context[key])
        changes["function_sizes"] = _parse_sizes(_mapping(context, "function_sizes"))
        changes["function_environment"] = _parse_environment(
            _mapping(context, "function_environment")
        )
        return replace(settings, **changes)


def _mapping(context: dict[str, Any], key: str) -> dict[str, Any]:
    # `-c key={...}` arrives as a JSON string, cdk.json values as objects.
    value = context.get(key) or {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"context {key!r} is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise ValueError(f"context {key!r} must be a JSON object, got {type(value).__name__}")
    return value


def _parse_bool(key: str, value: Any) -> bool:
    # `-c key=false` arrives as the string "false", cdk.json values as JSON booleans.
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise ValueError(f"context {key!r} must be true or false, got {value!r}")


def _parse_sizes(raw: dict[str, Any]) -> dict[str, FunctionSize]:
    sizes = dict(FUNCTION_SIZES_DEFAULT)
    for name, value in raw.items():
        if name not in sizes:
            known = ", ".join(sorted(sizes))
            raise ValueError(f"function_sizes has unknown function {name!r}; known: {known}")
        sizes[name] = FunctionSize(
            memory_mb=int(value.get("memory_mb", sizes[name].memory_mb)),
            timeout_s=int(value.get("timeout_s", sizes[name].timeout_s)),
        )
    return sizes


def _parse_environment(raw: dict[str, Any]) -> dict[str, dict[str, str]]:
    environment: dict[str, dict[str, str]] = {}
    for name, variables in raw.items():
        if name not in FUNCTION_SIZES_DEFAULT:
            known = ", ".join(sorted(FUNCTION_SIZES_DEFAULT))
            raise ValueError(
                f"function_environment has unknown function {name!r}; known: {known}"
            )
        environment[name] = {str(key): str(value) for key, value in variables.items()}
    return environment
