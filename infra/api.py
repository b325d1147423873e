"""The REST API (API Gateway v1): POST /predict, POST /feedback, GET /model.

REST, not HTTP API, because open-source LocalStack implements only REST APIs.
Every method needs an API key, and a usage plan throttles the keys.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.functions import retention
from infra.nag import acknowledge

# (path, method) pairs, all proxied to the predict function.
ROUTES = (("predict", "POST"), ("feedback", "POST"), ("model", "GET"))


class Api(Construct):
    """REST API in front of the predict function, with key, usage plan and logs."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        handler: lambda_.IFunction,
        stage_name: str = "v1",
        rate_limit: float = 50.0,
        burst_limit: int = 100,
        log_retention_days: int = 30,
        name: str = "churnops",
    ) -> None:
        super().__init__(scope, id_)
        access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=retention(log_retention_days),
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.rest_api = apigw.RestApi(
            self,
            "RestApi",
            rest_api_name=name,
            description="churnops: churn scores, feedback and the served model",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            # Access logging needs the account-level CloudWatch role in API Gateway.
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=RemovalPolicy.DESTROY,
            default_method_options=apigw.MethodOptions(api_key_required=True),
            deploy_options=apigw.StageOptions(
                stage_name=stage_name,
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=True,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),
                logging_level=apigw.MethodLoggingLevel.ERROR,
                # Request bodies hold customer data, so they stay out of the logs.
                data_trace_enabled=False,
                metrics_enabled=True,
                throttling_rate_limit=rate_limit,
                throttling_burst_limit=burst_limit,
            ),
        )
        self._add_routes(handler)
        self._add_usage_plan(rate_limit, burst_limit)
        self._suppress_rules()

    def _add_routes(self, handler: lambda_.IFunction) -> None:
        integration = apigw.LambdaIntegration(handler, proxy=True)
        # The gateway only checks that a body is a JSON object; the handler checks
        # the fields and lists every problem, which a JSON schema error cannot.
        json_object = self.rest_api.add_model(
            "JsonObject",
            content_type="application/json",
            schema=apigw.JsonSchema(
                schema=apigw.JsonSchemaVersion.DRAFT4,
                title="JsonObject",
                type=apigw.JsonSchemaType.OBJECT,
            ),
        )
        # No route declares required parameters, so parameter validation passes
        # every request; it is on so that any parameter added later is checked.
        validator = self.rest_api.add_request_validator(
            "Validator", validate_request_body=True, validate_request_parameters=True
        )
        for path, method in ROUTES:
            resource = self.rest_api.root.add_resource(path)
            models = {"application/json": json_object} if method == "POST" else None
            resource.add_method(
                method, integration, request_models=models, request_validator=validator
            )

    def _add_usage_plan(self, rate_limit: float, burst_limit: int) -> None:
        self.api_key = self.rest_api.add_api_key("ApiKey", description="churnops client key")
        self.usage_plan = self.rest_api.add_usage_plan(
            "UsagePlan",
            description="Throttling for churnops API keys",
            throttle=apigw.ThrottleSettings(rate_limit=rate_limit, burst_limit=burst_limit),
        )
        self.usage_plan.add_api_stage(stage=self.rest_api.deployment_stage)
        self.usage_plan.add_api_key(self.api_key)

    def _suppress_rules(self) -> None:
        acknowledge(
            self.rest_api,
            "APIG3",
            "No WAF: open-source LocalStack has none, and API keys with usage-plan "
            "throttling bound each client. Add a WebACL on real AWS if the API is "
            "reachable from the internet.",
        )
        acknowledge(
            self.rest_api,
            "APIG4",
            "Clients are internal services identified by API key and throttled by "
            "usage plan. They hold no IAM or Cognito identities.",
        )
        acknowledge(
            self.rest_api,
            "COG4",
            "No Cognito user pool: clients are services identified by API key.",
        )
        acknowledge(
            self.rest_api,
            "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs]",
            "The account-level API Gateway logging role uses the AWS-managed "
            "AmazonAPIGatewayPushToCloudWatchLogs policy, written for this one purpose.",
        )
