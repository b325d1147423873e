"""Table designs of the registry and audit log, their key formats, and their creation.

`registry_table_definition` and `audit_table_definition` are the source of truth
for the keys the CDK stack declares; docs/registry.md describes the access patterns.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from botocore.exceptions import ClientError

from churnops.registry.errors import InvalidRegistryValue

logger = logging.getLogger(__name__)

PARTITION_KEY = "pk"
SORT_KEY = "sk"

MODEL_SORT_KEY = "MODEL"
VERSION_PREFIX = "VERSION#"
RUN_PREFIX = "RUN#"
# Ten digits keep version sort keys in numeric order up to version 9,999,999,999.
VERSION_DIGITS = 10

_MODEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")


def check_model_name(name: str) -> str:
    """Return `name` if it is usable in keys and S3 prefixes, else raise."""
    if not isinstance(name, str) or not _MODEL_NAME.match(name):
        raise InvalidRegistryValue(
            f"model name {name!r} is invalid: use 1-64 letters, digits, '_', '.' or '-', "
            "starting with a letter or digit"
        )
    return name


def check_run_id(run_id: str) -> str:
    """Return `run_id` if it is usable as a key, else raise."""
    if not isinstance(run_id, str) or not _RUN_ID.match(run_id):
        raise InvalidRegistryValue(
            f"run id {run_id!r} is invalid: use 1-128 letters, digits, '_', '.', ':' or '-', "
            "starting with a letter or digit"
        )
    return run_id


def model_partition(model_name: str) -> str:
    return f"MODEL#{check_model_name(model_name)}"


def model_key(model_name: str) -> dict[str, str]:
    """Key of the model item: version counter, Production pointer and its history."""
    return {PARTITION_KEY: model_partition(model_name), SORT_KEY: MODEL_SORT_KEY}


def version_key(model_name: str, version: int) -> dict[str, str]:
    """Key of one version item."""
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise InvalidRegistryValue(f"version {version!r} is invalid: expected an integer >= 1")
    sort_key = f"{VERSION_PREFIX}{version:0{VERSION_DIGITS}d}"
    return {PARTITION_KEY: model_partition(model_name), SORT_KEY: sort_key}


def run_key(model_name: str, run_id: str) -> dict[str, str]:
    """Key of one training-run item."""
    sort_key = f"{RUN_PREFIX}{check_run_id(run_id)}"
    return {PARTITION_KEY: model_partition(model_name), SORT_KEY: sort_key}


def registry_table_definition(table_name: str) -> dict[str, Any]:
    """Return `create_table` arguments of the registry table (one item collection per model)."""
    return {
        "TableName": table_name,
        "KeySchema": [
            {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": PARTITION_KEY, "AttributeType": "S"},
            {"AttributeName": SORT_KEY, "AttributeType": "S"},
        ],
        "BillingMode": "PAY_PER_REQUEST",
    }


def audit_table_definition(table_name: str) -> dict[str, Any]:
    """Return `create_table` arguments of the audit table (model name, then time-ordered key)."""
    return registry_table_definition(table_name)


def create_tables(dynamodb: Any, registry_table: str, audit_table: str) -> list[str]:
    """Create both tables unless they exist; return the names created.

    For tests and local emulators. Deployed stacks create the tables with CDK.
    """
    created = []
    for definition in (
        registry_table_definition(registry_table),
        audit_table_definition(audit_table),
    ):
        try:
            dynamodb.create_table(**definition)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ResourceInUseException":
                raise
            logger.debug("table %s exists, left unchanged", definition["TableName"])
            continue
        dynamodb.get_waiter("table_exists").wait(TableName=definition["TableName"])
        created.append(definition["TableName"])
    return created


def create_bucket(s3: Any, bucket: str) -> bool:
    """Create the artifact bucket unless it exists; return whether it was created."""
    region = s3.meta.region_name
    arguments: dict[str, Any] = {"Bucket": bucket}
    # us-east-1 rejects an explicit LocationConstraint; every other region requires one.
    if region and region != "us-east-1":
        arguments["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        s3.create_bucket(**arguments)
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
        return False
    return True
