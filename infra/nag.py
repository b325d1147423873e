"""cdk-nag acknowledgements: each names one AwsSolutions finding and says why it stays.

cdk-nag 3 reads CDK's own `Validations.of(...).acknowledge(...)` records, and a
rule that reports several findings per resource (IAM5, IAM4) needs one record per
finding, written `RuleId[FindingId]`, e.g. `AwsSolutions-IAM5[Resource::*]`.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, CfnResource, Stack, Validations
from constructs import IConstruct


def acknowledge(construct: IConstruct, finding: str, reason: str) -> None:
    """Acknowledge one AwsSolutions finding, e.g. "S1" or "IAM5[Resource::*]"."""
    if not reason.strip():
        raise ValueError(f"acknowledging AwsSolutions-{finding} needs a reason")
    Validations.of(construct).acknowledge(
        Acknowledgment(id=f"AwsSolutions-{finding}", reason=reason)
    )


def arn_reference(construct: IConstruct) -> str:
    """Return how cdk-nag prints a GetAtt Arn of the construct's resource: <LogicalId.Arn>."""
    resource = construct.node.default_child
    if not isinstance(resource, CfnResource):
        raise TypeError(f"{construct.node.path} has no CloudFormation resource")
    logical_id = Stack.of(construct).resolve(resource.logical_id)
    return f"<{logical_id}.Arn>"
