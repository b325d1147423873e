"""DynamoDB tables (registry, audit log, predictions) and their narrow grants.

Grants name DynamoDB actions one by one instead of using `grant_read_write_data`,
so that a role gets exactly what its handler calls. The audit log is append-only
because no role is ever granted UpdateItem or DeleteItem on it.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct

READ_ACTIONS = ("dynamodb:GetItem", "dynamodb:Query")
# Registry writes: atomic version counter (UpdateItem), stage changes as conditional
# or transactional writes (PutItem, UpdateItem, ConditionCheckItem).
REGISTRY_WRITE_ACTIONS = (
    *READ_ACTIONS,
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:ConditionCheckItem",
)
AUDIT_WRITE_ACTIONS = ("dynamodb:PutItem", "dynamodb:Query")
AUDIT_READ_ACTIONS = ("dynamodb:Query",)
# Predictions are written in batches, and feedback joins the observed outcome onto a
# stored prediction with UpdateItem. BatchWriteItem could also delete items; IAM has
# no action that allows only its puts.
PREDICTIONS_WRITE_ACTIONS = (
    *READ_ACTIONS,
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:BatchWriteItem",
)
# Layout from churnops/serving/prediction_log.py: day_key = "{model}#{YYYY-MM-DD}".
PREDICTIONS_DAY_INDEX = "by_day"


class Tables(Construct):
    """The three tables: on-demand, point-in-time recovery, AWS-managed encryption."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        registry_table: str,
        audit_table: str,
        predictions_table: str,
        retain_data: bool = True,
    ) -> None:
        super().__init__(scope, id_)
        removal = RemovalPolicy.RETAIN if retain_data else RemovalPolicy.DESTROY
        self.registry = self._table("Registry", registry_table, removal)
        self.audit = self._table("Audit", audit_table, removal)
        # Predictions expire: `expires_at` contains epoch seconds set by the writer.
        self.predictions = self._table(
            "Predictions", predictions_table, removal, ttl_attribute="expires_at"
        )
        # The monitor reads one model's predictions day by day; a partition per day
        # spreads the writes.
        self.predictions.add_global_secondary_index(
            index_name=PREDICTIONS_DAY_INDEX,
            partition_key=dynamodb.Attribute(name="day_key", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="scored_at", type=dynamodb.AttributeType.STRING),
            projection_type=dynamodb.ProjectionType.ALL,
        )

    def _table(
        self,
        id_: str,
        table_name: str,
        removal: RemovalPolicy,
        ttl_attribute: str | None = None,
    ) -> dynamodb.Table:
        return dynamodb.Table(
            self,
            id_,
            table_name=table_name,
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            time_to_live_attribute=ttl_attribute,
            removal_policy=removal,
        )

    def grant_registry_read(self, grantee: iam.IGrantable) -> None:
        """Allow reading registry items: versions, stages, the Production pointer."""
        self.registry.grant(grantee, *READ_ACTIONS)

    def grant_registry_write(self, grantee: iam.IGrantable) -> None:
        """Allow registering versions and changing stages, never deleting items."""
        self.registry.grant(grantee, *REGISTRY_WRITE_ACTIONS)

    def grant_audit_write(self, grantee: iam.IGrantable) -> None:
        """Allow appending audit entries and reading them back, nothing else."""
        self.audit.grant(grantee, *AUDIT_WRITE_ACTIONS)

    def grant_audit_read(self, grantee: iam.IGrantable) -> None:
        """Allow reading the audit trail."""
        self.audit.grant(grantee, *AUDIT_READ_ACTIONS)

    def grant_predictions_write(self, grantee: iam.IGrantable) -> None:
        """Allow storing predictions and attaching feedback to them."""
        self.predictions.grant(grantee, *PREDICTIONS_WRITE_ACTIONS)

    def grant_predictions_read(self, grantee: iam.IGrantable) -> None:
        """Allow reading predictions, including through the `by_day` index."""
        self.predictions.grant(grantee, *READ_ACTIONS)
