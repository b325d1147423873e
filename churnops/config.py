"""Locations of churnops state: table, bucket and model names.

Every Lambda, the CDK stack and the CLI read the same environment variables, and
the defaults are the names the CDK stack gives its resources. The AWS endpoint is
boto3's own `AWS_ENDPOINT_URL`, so one setting points everything at LocalStack,
another emulator or real AWS.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

MODEL_NAME_DEFAULT = "churn"
BUCKET_DEFAULT = "churnops-artifacts"
REGISTRY_TABLE_DEFAULT = "churnops-registry"
AUDIT_TABLE_DEFAULT = "churnops-audit"
PREDICTIONS_TABLE_DEFAULT = "churnops-predictions"


@dataclass(frozen=True)
class Settings:
    """Resource names, each overridable by its environment variable."""

    model_name: str = MODEL_NAME_DEFAULT
    bucket: str = BUCKET_DEFAULT
    registry_table: str = REGISTRY_TABLE_DEFAULT
    audit_table: str = AUDIT_TABLE_DEFAULT
    predictions_table: str = PREDICTIONS_TABLE_DEFAULT

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            model_name=os.environ.get("CHURNOPS_MODEL_NAME", MODEL_NAME_DEFAULT),
            bucket=os.environ.get("CHURNOPS_BUCKET", BUCKET_DEFAULT),
            registry_table=os.environ.get("CHURNOPS_REGISTRY_TABLE", REGISTRY_TABLE_DEFAULT),
            audit_table=os.environ.get("CHURNOPS_AUDIT_TABLE", AUDIT_TABLE_DEFAULT),
            predictions_table=os.environ.get(
                "CHURNOPS_PREDICTIONS_TABLE", PREDICTIONS_TABLE_DEFAULT
            ),
        )
