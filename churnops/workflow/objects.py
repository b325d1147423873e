"""Small S3 helpers for the workflow's own objects: the data exports and the comparison."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from churnops.registry.errors import StoreUnavailable
from churnops.registry.store import RegistryStore
from churnops.workflow.errors import TrainingDataInvalid, WorkflowConfigInvalid

# Step Functions execution names: 1-80 characters from this set.
_EXECUTION_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


def check_execution_id(execution_id: Any) -> str:
    """Return the execution name if it is safe in S3 keys and item ids, else raise."""
    if not isinstance(execution_id, str) or not _EXECUTION_ID.match(execution_id):
        raise WorkflowConfigInvalid(
            f"execution_id {execution_id!r} is invalid: expected 1-80 letters, digits, "
            "'-' or '_' (a Step Functions execution name)"
        )
    return execution_id


def retrain_prefix(model_name: str, execution_id: str) -> str:
    """Return the S3 prefix of one execution's data exports: `retrain/{model}/{execution}/`."""
    return f"retrain/{model_name}/{check_execution_id(execution_id)}/"


def validation_key(model_name: str, version: int) -> str:
    """Return the key of a version's comparison, next to its registry artifacts."""
    return f"models/{model_name}/v{version}/validation.json"


def s3_uri(store: RegistryStore, key: str) -> str:
    return f"s3://{store.bucket}/{key}"


def put_bytes(store: RegistryStore, key: str, data: bytes, content_type: str) -> str:
    """Upload bytes with a SHA-256 checksum that S3 verifies; return their SHA-256 in hex."""
    digest = hashlib.sha256(data).digest()
    store.call(
        "PutObject",
        s3_uri(store, key),
        store.s3.put_object,
        Bucket=store.bucket,
        Key=key,
        Body=data,
        ContentType=content_type,
        ChecksumSHA256=base64.b64encode(digest).decode("ascii"),
    )
    return digest.hex()


def put_json(store: RegistryStore, key: str, value: Any) -> str:
    """Upload a JSON document; return its SHA-256."""
    data = json.dumps(value, indent=2, sort_keys=True).encode("utf-8")
    return put_bytes(store, key, data, "application/json")


def get_bytes(store: RegistryStore, key: str) -> bytes:
    """Download one object, raising TrainingDataInvalid if it does not exist."""
    location = s3_uri(store, key)
    try:
        return store.s3.get_object(Bucket=store.bucket, Key=key)["Body"].read()
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
        if code in ("NoSuchKey", "404"):
            raise TrainingDataInvalid(
                f"{location} not found; upload the base data there or set CHURNOPS_BASE_DATA_KEY"
            ) from exc
        raise StoreUnavailable(f"GetObject on {location} failed: {code}") from exc
    except BotoCoreError as exc:
        raise StoreUnavailable(f"failed to download {location}: {exc}") from exc


def get_json(store: RegistryStore, key: str) -> Any:
    """Download and parse one JSON object."""
    data = get_bytes(store, key)
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TrainingDataInvalid(f"{s3_uri(store, key)} is not valid JSON: {exc}") from exc
