"""CDK entry point: `cdk synth` and `cdklocal deploy` run this through cdk.json."""

from __future__ import annotations

import dataclasses
import os

from aws_cdk import App, Environment, Tags, Validations
from cdk_nag import AwsSolutionsChecks

from infra.settings import ACCOUNT_DEFAULT, REGION_DEFAULT, StackSettings
from infra.stack import ChurnopsStack

STACK_NAME = "churnops"


def resolve_environment(app: App) -> Environment:
    """Pick account and region: context first, then the CDK CLI's, then LocalStack's."""
    account = app.node.try_get_context("account") or os.environ.get("CDK_DEFAULT_ACCOUNT")
    region = app.node.try_get_context("region") or os.environ.get("CDK_DEFAULT_REGION")
    return Environment(account=account or ACCOUNT_DEFAULT, region=region or REGION_DEFAULT)


def build_app(app: App | None = None) -> tuple[App, ChurnopsStack]:
    """Create the app with the churnops stack and cdk-nag's AwsSolutions checks."""
    app = app or App()
    context = {
        field.name: app.node.try_get_context(field.name)
        for field in dataclasses.fields(StackSettings)
    }
    settings = StackSettings.from_context(context)
    stack = ChurnopsStack(
        app,
        STACK_NAME,
        settings=settings,
        env=resolve_environment(app),
        description="churnops: churn model serving, monitoring and retraining",
    )
    Tags.of(stack).add("project", "churnops")
    # Any finding that is not acknowledged with a reason fails synthesis. The
    # acknowledgements are also written into the template metadata for auditors.
    Validations.of(app).add_plugins(
        AwsSolutionsChecks(app, verbose=True, write_suppressions_to_cloud_formation=True)
    )
    return app, stack


if __name__ == "__main__":
    built, _ = build_app()
    built.synth()
