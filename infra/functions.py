"""The Lambda functions: predict, monitor and the five retrain workflow tasks.

Each function gets a role of its own that starts with no permissions except
writing to its own log group; the stack then adds narrow grants per function.
Log groups are created here with a retention, instead of through the function's
`log_retention` property, which deploys a Node.js custom resource.

With `training_image`, the IMAGE_FUNCTIONS (train, validate) are container-image
functions built from build/images/training, and the others stay zip archives with
layers. Names, roles, environment, sizes and log groups are the same either way, so
the grants, alarms and state machine substitutions do not change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.catalog import FUNCTIONS, IMAGE_FUNCTIONS, FunctionSpec
from infra.image_context import image_dir
from infra.layers import RUNTIME, Layers, require_dir
from infra.nag import acknowledge
from infra.settings import FUNCTION_SIZES_DEFAULT, FunctionSize

RETENTION_BY_DAYS: dict[int, logs.RetentionDays] = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
}


def retention(days: int) -> logs.RetentionDays:
    """Return the CloudWatch Logs retention for a number of days."""
    if days not in RETENTION_BY_DAYS:
        allowed = ", ".join(str(value) for value in RETENTION_BY_DAYS)
        raise ValueError(f"log_retention_days must be one of {allowed}, got {days}")
    return RETENTION_BY_DAYS[days]


def physical_name(prefix: str, name: str) -> str:
    """Return the deployed function name, e.g. churnops-request-approval."""
    return f"{prefix}-{name.replace('_', '-')}"


class Functions(Construct):
    """All Lambda functions, keyed by the names in `infra.catalog.FUNCTIONS`."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        build_dir: Path,
        layers: Layers,
        environment: dict[str, str],
        sizes: dict[str, FunctionSize] | None = None,
        extra_environment: dict[str, dict[str, str]] | None = None,
        log_retention_days: int = 30,
        name_prefix: str = "churnops",
        training_image: bool = False,
    ) -> None:
        super().__init__(scope, id_)
        self._build_dir = build_dir
        self._layers = layers
        self._image_functions = IMAGE_FUNCTIONS if training_image else ()
        self._retention = retention(log_retention_days)
        sizes = {**FUNCTION_SIZES_DEFAULT, **(sizes or {})}
        extra_environment = extra_environment or {}
        self.by_name: dict[str, lambda_.Function] = {}
        for name, spec in FUNCTIONS.items():
            function_name = physical_name(name_prefix, name)
            self.by_name[name] = self._function(
                name,
                spec,
                function_name,
                sizes[name],
                {
                    **environment,
                    "POWERTOOLS_SERVICE_NAME": function_name,
                    "POWERTOOLS_LOG_LEVEL": "INFO",
                    **extra_environment.get(name, {}),
                },
            )

    def _function(
        self,
        name: str,
        spec: FunctionSpec,
        function_name: str,
        size: FunctionSize,
        environment: dict[str, str],
    ) -> lambda_.Function:
        log_group = self._log_group(name, function_name)
        common: dict[str, Any] = {
            "function_name": function_name,
            "description": spec.description,
            "architecture": lambda_.Architecture.X86_64,
            "memory_size": size.memory_mb,
            "timeout": Duration.seconds(size.timeout_s),
            "role": self._role(name, log_group),
            "log_group": log_group,
            "environment": environment,
        }
        if name in self._image_functions:
            return lambda_.DockerImageFunction(self, name, code=self._image(spec), **common)
        code_dir = require_dir(self._build_dir / "functions" / spec.asset, f"code {spec.asset!r}")
        function = lambda_.Function(
            self,
            name,
            runtime=RUNTIME,
            code=lambda_.Code.from_asset(str(code_dir)),
            handler=spec.handler,
            layers=self._layers.select(spec.layers),
            **common,
        )
        # Image functions have no Runtime property, so L1 only concerns zip functions.
        acknowledge(
            function,
            "L1",
            "Python 3.12 on purpose: the layers hold cp312 wheels, and the tests and "
            "the local Lambda executor run 3.12.",
        )
        return function

    def _log_group(self, name: str, function_name: str) -> logs.LogGroup:
        return logs.LogGroup(
            self,
            f"{name}-logs",
            log_group_name=f"/aws/lambda/{function_name}",
            retention=self._retention,
            removal_policy=RemovalPolicy.DESTROY,
        )

    def _image(self, spec: FunctionSpec) -> lambda_.DockerImageCode:
        # Synthesis only copies the context into cdk.out. `cdk deploy` builds the image
        # with Docker and pushes it to the bootstrap ECR repository.
        context = require_dir(image_dir(self._build_dir), "image context")
        return lambda_.DockerImageCode.from_image_asset(
            str(context),
            cmd=[spec.handler],
            platform=ecr_assets.Platform.LINUX_AMD64,
        )

    def _role(self, name: str, log_group: logs.LogGroup) -> iam.Role:
        role = iam.Role(
            self,
            f"{name}-role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"churnops {name} function",
        )
        # In place of AWSLambdaBasicExecutionRole, which allows every log group.
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[log_group.log_group_arn],
            )
        )
        return role

    def __getitem__(self, name: str) -> lambda_.Function:
        return self.by_name[name]
