"""The retrain workflow: a Standard state machine loaded from its ASL file.

Standard, not Express, because only Standard workflows support `.waitForTaskToken`,
which the operator-approval step waits on.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.catalog import ASL_SUBSTITUTIONS
from infra.functions import retention
from infra.nag import acknowledge


class Workflow(Construct):
    """State machine whose task ARNs are filled in by definition substitutions."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        asl_path: Path,
        functions: dict[str, lambda_.IFunction],
        state_machine_name: str = "churnops-retrain",
        log_retention_days: int = 30,
    ) -> None:
        super().__init__(scope, id_)
        if not asl_path.is_file():
            raise FileNotFoundError(f"state machine definition {asl_path} not found")
        self._check_placeholders(asl_path)
        log_group = logs.LogGroup(
            self,
            "Logs",
            # Step Functions requires vended log groups to be named under /aws/vendedlogs/.
            log_group_name=f"/aws/vendedlogs/states/{state_machine_name}",
            retention=retention(log_retention_days),
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            state_machine_name=state_machine_name,
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_file(str(asl_path)),
            definition_substitutions={
                placeholder: functions[name].function_arn
                for placeholder, name in ASL_SUBSTITUTIONS.items()
            },
            # State data contains S3 keys and metrics, never customer records.
            logs=sfn.LogOptions(
                destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=True
            ),
            tracing_enabled=True,
        )
        # The ASL file is opaque to CDK, so grants are explicit: invoke exactly the
        # five task functions, unqualified ARNs only.
        self.state_machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["lambda:InvokeFunction"],
                resources=[functions[name].function_arn for name in ASL_SUBSTITUTIONS.values()],
            )
        )
        acknowledge(
            self.state_machine,
            "IAM5[Resource::*]",
            "Log delivery and X-Ray actions (logs:CreateLogDelivery, "
            "xray:PutTraceSegments and their kin) support only Resource '*'.",
        )

    @staticmethod
    def _check_placeholders(asl_path: Path) -> None:
        text = asl_path.read_text()
        missing = [name for name in ASL_SUBSTITUTIONS if "${" + name + "}" not in text]
        if missing:
            raise ValueError(
                f"{asl_path} lacks the placeholders {', '.join(missing)}; every task "
                "function ARN must come from a definition substitution"
            )
