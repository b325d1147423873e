"""Artifacts bucket: encrypted, versioned, private, TLS only, access-logged."""

from __future__ import annotations

from aws_cdk.assertions import Match

from churnops import config


def test_bucket_encrypted_and_versioned(synthesised):
    synthesised.template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketName": config.BUCKET_DEFAULT,
            "VersioningConfiguration": {"Status": "Enabled"},
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                ]
            },
        },
    )


def test_buckets_block_public_access(synthesised):
    buckets = synthesised.of_type("AWS::S3::Bucket")
    assert len(buckets) == 2
    for logical_id, bucket in buckets.items():
        block = bucket["Properties"]["PublicAccessBlockConfiguration"]
        for setting in (
            "BlockPublicAcls",
            "BlockPublicPolicy",
            "IgnorePublicAcls",
            "RestrictPublicBuckets",
        ):
            assert block[setting] is True, f"{logical_id}: {setting} is not true"


def test_buckets_deny_plain_http(synthesised):
    policies = synthesised.of_type("AWS::S3::BucketPolicy")
    assert len(policies) == 2
    for logical_id, policy in policies.items():
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        denies_http = [
            statement
            for statement in statements
            if statement["Effect"] == "Deny"
            and statement["Action"] == "s3:*"
            and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        ]
        assert denies_http, f"{logical_id} has no TLS-only statement"


def test_artifacts_bucket_logs_access(synthesised):
    synthesised.template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketName": config.BUCKET_DEFAULT,
            "LoggingConfiguration": {
                "DestinationBucketName": Match.any_value(),
                "LogFilePrefix": "artifacts/",
            },
        },
    )


def test_data_retained_on_stack_delete(synthesised):
    synthesised.template.has_resource(
        "AWS::S3::Bucket",
        {"Properties": {"BucketName": config.BUCKET_DEFAULT}, "DeletionPolicy": "Retain"},
    )
