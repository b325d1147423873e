"""CloudWatch alarms on function errors, API latency and 5xx, and workflow failures."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.nag import acknowledge

PERIOD = Duration.minutes(5)


class Alarms(Construct):
    """Alarms that notify one SNS topic, which operators subscribe to."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        functions: dict[str, lambda_.IFunction],
        rest_api: apigw.RestApi,
        state_machine: sfn.IStateMachine,
        latency_p99_ms: int = 3000,
        email: str | None = None,
        topic_name: str = "churnops-notifications",
    ) -> None:
        super().__init__(scope, id_)
        self.topic = sns.Topic(self, "Topic", topic_name=topic_name, enforce_ssl=True)
        acknowledge(
            self.topic,
            "SNS2",
            "No server-side encryption: CloudWatch alarms cannot publish to a topic "
            "encrypted with the AWS-managed SNS key, and messages carry alarm names, "
            "model versions and metrics, no customer data.",
        )
        if email:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
        self.alarms: list[cloudwatch.Alarm] = []

        for name, function in functions.items():
            self._alarm(
                f"{name}-errors",
                function.metric_errors(period=PERIOD, statistic="Sum"),
                threshold=1,
                description=f"Lambda {name} raised at least one error in 5 minutes",
            )
        self._alarm(
            "api-5xx",
            rest_api.metric_server_error(period=PERIOD, statistic="Sum"),
            threshold=1,
            description="The API returned at least one 5xx in 5 minutes",
        )
        self._alarm(
            "api-latency-p99",
            rest_api.metric_latency(period=PERIOD, statistic="p99"),
            threshold=latency_p99_ms,
            description=f"API p99 latency at or above {latency_p99_ms} ms over 5 minutes",
        )
        self._alarm(
            "retrain-failed",
            state_machine.metric_failed(period=PERIOD, statistic="Sum"),
            threshold=1,
            description="A retrain workflow execution failed",
        )

    def _alarm(
        self, id_: str, metric: cloudwatch.IMetric, *, threshold: float, description: str
    ) -> None:
        alarm = cloudwatch.Alarm(
            self,
            id_,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            # No traffic is no failure: a quiet night must not page anyone.
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        self.alarms.append(alarm)
