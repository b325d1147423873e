"""The churnops stack: wires storage, tables, layers, functions, API, workflow,
schedule and alarms, and gives each function only the access its handler needs."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.alarms import Alarms
from infra.api import Api
from infra.functions import Functions
from infra.layers import Layers
from infra.nag import acknowledge, arn_reference
from infra.schedule import Schedule
from infra.settings import StackSettings
from infra.storage import Storage
from infra.tables import Tables
from infra.workflow import Workflow

# Read by the monitor to start the retrain workflow, and by the notify and approval
# tasks to publish to operators. Names not in churnops/config.py yet.
STATE_MACHINE_ENV = "CHURNOPS_RETRAIN_STATE_MACHINE_ARN"
TOPIC_ENV = "CHURNOPS_NOTIFICATIONS_TOPIC_ARN"


def churnops_environment(settings: StackSettings) -> dict[str, str]:
    """Return the environment variables that `churnops.config.Settings.from_env` reads."""
    return {
        "CHURNOPS_MODEL_NAME": settings.model_name,
        "CHURNOPS_BUCKET": settings.bucket_name,
        "CHURNOPS_REGISTRY_TABLE": settings.registry_table,
        "CHURNOPS_AUDIT_TABLE": settings.audit_table,
        "CHURNOPS_PREDICTIONS_TABLE": settings.predictions_table,
    }


class ChurnopsStack(Stack):
    """Everything churnops runs on, deployable to LocalStack and to AWS alike."""

    def __init__(
        self, scope: Construct, id_: str, *, settings: StackSettings, **kwargs: Any
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        storage = Storage(
            self, "Storage", bucket_name=settings.bucket_name, retain_data=settings.retain_data
        )
        tables = Tables(
            self,
            "Tables",
            registry_table=settings.registry_table,
            audit_table=settings.audit_table,
            predictions_table=settings.predictions_table,
            retain_data=settings.retain_data,
        )
        layers = Layers(self, "Layers", build_dir=settings.build_dir)
        functions = Functions(
            self,
            "Functions",
            build_dir=settings.build_dir,
            layers=layers,
            environment=churnops_environment(settings),
            sizes=settings.function_sizes,
            extra_environment=settings.function_environment,
            log_retention_days=settings.log_retention_days,
            training_image=settings.training_image,
        )
        workflow = Workflow(
            self,
            "Workflow",
            asl_path=settings.asl_path,
            functions=dict(functions.by_name),
            log_retention_days=settings.log_retention_days,
        )
        api = Api(
            self,
            "Api",
            handler=functions["predict"],
            stage_name=settings.api_stage,
            rate_limit=settings.api_rate_limit,
            burst_limit=settings.api_burst_limit,
            log_retention_days=settings.log_retention_days,
        )
        schedule = Schedule(self, "Schedule", monitor=functions["monitor"])
        alarms = Alarms(
            self,
            "Alarms",
            functions=dict(functions.by_name),
            rest_api=api.rest_api,
            state_machine=workflow.state_machine,
            latency_p99_ms=settings.api_latency_p99_ms,
            email=settings.alarm_email,
        )
        self._grant(functions, storage.bucket, tables, workflow, alarms)
        self._outputs(storage, tables, functions, workflow, api, schedule, alarms)
        CfnOutput(self, "ModelName", value=settings.model_name)

    def _grant(
        self,
        functions: Functions,
        bucket: s3.Bucket,
        tables: Tables,
        workflow: Workflow,
        alarms: Alarms,
    ) -> None:
        objects = f"{arn_reference(bucket)}/*"
        predictions_index = f"{arn_reference(tables.predictions)}/index/*"
        predict, monitor = functions["predict"], functions["monitor"]
        _grant_objects(bucket, predict, write=False)
        tables.grant_registry_read(predict)
        tables.grant_predictions_write(predict)
        _acknowledge_scoped_wildcards(predict, [objects, predictions_index])

        _grant_objects(bucket, monitor, write=True)
        tables.grant_registry_read(monitor)
        tables.grant_predictions_read(monitor)
        tables.grant_audit_write(monitor)
        workflow.state_machine.grant_start_execution(monitor)
        monitor.add_environment(STATE_MACHINE_ENV, workflow.state_machine.state_machine_arn)
        # The monitor publishes one "Monitor Run Completed" event per run for notifications.
        default_bus = Stack.of(self).format_arn(
            service="events", resource="event-bus", resource_name="default"
        )
        monitor.add_to_role_policy(
            iam.PolicyStatement(actions=["events:PutEvents"], resources=[default_bus])
        )
        _acknowledge_scoped_wildcards(monitor, [objects, predictions_index])

        for name in ("train", "validate", "request_approval", "promote"):
            _grant_objects(
                bucket,
                functions[name],
                write=name in ("train", "validate"),
                delete=name == "train",
            )
            tables.grant_registry_write(functions[name])
            tables.grant_audit_write(functions[name])
            _acknowledge_scoped_wildcards(functions[name], [objects])
        # Training reads labelled feedback from the predictions table's by_day index.
        tables.grant_predictions_read(functions["train"])
        _acknowledge_scoped_wildcards(functions["train"], [predictions_index])
        tables.grant_registry_read(functions["notify"])
        tables.grant_audit_write(functions["notify"])
        for name in ("request_approval", "notify"):
            alarms.topic.grant_publish(functions[name])
            functions[name].add_environment(TOPIC_ENV, alarms.topic.topic_arn)

    def _outputs(
        self,
        storage: Storage,
        tables: Tables,
        functions: Functions,
        workflow: Workflow,
        api: Api,
        schedule: Schedule,
        alarms: Alarms,
    ) -> None:
        values = {
            "ApiUrl": api.rest_api.url,
            "RestApiId": api.rest_api.rest_api_id,
            "ApiStage": api.rest_api.deployment_stage.stage_name,
            "ApiKeyId": api.api_key.key_id,
            "BucketName": storage.bucket.bucket_name,
            "RegistryTableName": tables.registry.table_name,
            "AuditTableName": tables.audit.table_name,
            "PredictionsTableName": tables.predictions.table_name,
            "StateMachineArn": workflow.state_machine.state_machine_arn,
            "MonitorRuleName": schedule.rule.rule_name,
            "NotificationsTopicArn": alarms.topic.topic_arn,
        }
        for name, function in functions.by_name.items():
            values[_output_name(name) + "FunctionName"] = function.function_name
        for key, value in values.items():
            CfnOutput(self, key, value=value)


def _output_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _grant_objects(
    bucket: s3.Bucket, function: lambda_.Function, *, write: bool, delete: bool = False
) -> None:
    # Explicit actions instead of grant_read/grant_write, which add s3:GetObject*,
    # s3:List* and s3:DeleteObject*. ListBucket makes a missing key a 404, not a 403.
    actions = ["s3:GetObject", "s3:GetObjectVersion"]
    if write:
        actions.append("s3:PutObject")
    if delete:
        # Registration removes its uploads when it fails. The bucket is versioned, so
        # a delete only adds a delete marker and the object stays restorable.
        actions.append("s3:DeleteObject")
    function.add_to_role_policy(
        iam.PolicyStatement(actions=actions, resources=[bucket.arn_for_objects("*")])
    )
    function.add_to_role_policy(
        iam.PolicyStatement(actions=["s3:ListBucket"], resources=[bucket.bucket_arn])
    )


def _acknowledge_scoped_wildcards(function: lambda_.Function, resources: list[str]) -> None:
    # The finding sits on the role's policy, which is not a child of the function.
    assert function.role is not None
    for resource in resources:
        acknowledge(
            function.role,
            f"IAM5[Resource::{resource}]",
            "The wildcard covers object keys of the one artifacts bucket or the indexes "
            "of one table, and every action is named.",
        )
