"""The artifacts bucket (models, profiles, drift reports) and its access-log bucket."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.nag import acknowledge


class Storage(Construct):
    """Versioned, encrypted, TLS-only artifacts bucket with server access logs."""

    def __init__(
        self, scope: Construct, id_: str, *, bucket_name: str, retain_data: bool = True
    ) -> None:
        super().__init__(scope, id_)
        removal = RemovalPolicy.RETAIN if retain_data else RemovalPolicy.DESTROY

        # S3 server access logging only delivers to SSE-S3 buckets, not SSE-KMS ones.
        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(365))],
            removal_policy=removal,
        )
        acknowledge(
            self.access_logs,
            "S1",
            "This is the access-log bucket. Logging it into itself would loop, and "
            "logging it into a third bucket only moves the same finding there.",
        )

        # S3-managed keys, not KMS: every reader of a KMS-encrypted object also needs
        # kms:Decrypt, and LocalStack's KMS would become a deploy dependency.
        self.bucket = s3.Bucket(
            self,
            "Artifacts",
            bucket_name=bucket_name,
            versioned=True,
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="artifacts/",
            # Old model versions stay restorable for rollback audits, then expire.
            lifecycle_rules=[
                s3.LifecycleRule(noncurrent_version_expiration=Duration.days(365))
            ],
            removal_policy=removal,
        )
