"""The daily EventBridge rule that runs the monitor."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from constructs import Construct


class Schedule(Construct):
    """A `rate(1 day)` rule invoking the monitor with the standard scheduled event."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        monitor: lambda_.IFunction,
        rule_name: str = "churnops-daily-monitor",
    ) -> None:
        super().__init__(scope, id_)
        # A scheduled rule, not EventBridge Scheduler: open-source LocalStack only
        # mocks the Scheduler API and never fires its schedules.
        self.rule = events.Rule(
            self,
            "Daily",
            rule_name=rule_name,
            description="Daily drift and performance check of the served churn model",
            schedule=events.Schedule.rate(Duration.days(1)),
        )
        self.rule.add_target(
            targets.LambdaFunction(
                monitor, retry_attempts=2, max_event_age=Duration.hours(2)
            )
        )
