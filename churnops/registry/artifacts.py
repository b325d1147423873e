"""Model artifacts in S3: read a model directory, upload it, download it with a checksum."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from churnops.registry.errors import (
    ArtifactChecksumMismatch,
    ArtifactMissing,
    InvalidModelDirectory,
    RegistryError,
    StoreUnavailable,
)
from churnops.registry.store import RegistryStore

logger = logging.getLogger(__name__)

MODEL_FILE = "model.onnx"
RUN_FILE = "run.json"
PROFILE_FILE = "profile.json"
CARD_FILE = "model_card.md"
REQUIRED_FILES = (MODEL_FILE, RUN_FILE, PROFILE_FILE)

_CONTENT_TYPES = {
    MODEL_FILE: "application/octet-stream",
    RUN_FILE: "application/json",
    PROFILE_FILE: "application/json",
    CARD_FILE: "text/markdown; charset=utf-8",
}


@dataclass(frozen=True)
class ModelDirectory:
    """The files of a trained model directory and its parsed run record."""

    path: Path
    files: dict[str, bytes]
    run: dict[str, Any]

    @property
    def model_sha256(self) -> str:
        return sha256_hex(self.files[MODEL_FILE])


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def artifact_key(model_name: str, version: int, file_name: str) -> str:
    """S3 key of one artifact: `models/{model}/v{version}/{file}`."""
    return f"models/{model_name}/v{version}/{file_name}"


def read_model_directory(path: str | Path) -> ModelDirectory:
    """Read a directory written by `churnops train`, checking its files agree with each other."""
    directory = Path(path)
    if not directory.is_dir():
        raise InvalidModelDirectory(f"model directory {directory} not found")
    missing = [name for name in REQUIRED_FILES if not (directory / name).is_file()]
    if missing:
        raise InvalidModelDirectory(
            f"model directory {directory} is missing {', '.join(missing)}; "
            f"expected {', '.join(REQUIRED_FILES)} as written by `churnops train`"
        )
    files = {name: (directory / name).read_bytes() for name in REQUIRED_FILES}
    run = _parse_json_object(directory / RUN_FILE, files[RUN_FILE])
    _parse_json_object(directory / PROFILE_FILE, files[PROFILE_FILE])
    model_directory = ModelDirectory(path=directory, files=files, run=run)
    recorded = run.get("model_sha256")
    if recorded is not None and recorded != model_directory.model_sha256:
        raise InvalidModelDirectory(
            f"{directory / MODEL_FILE} has SHA-256 {model_directory.model_sha256}, but "
            f"{RUN_FILE} records model_sha256 {recorded}; the files are from different runs"
        )
    return model_directory


def upload_artifacts(
    store: RegistryStore, version: int, files: dict[str, bytes]
) -> dict[str, dict[str, Any]]:
    """Upload files under the version's prefix; return each file's key, SHA-256 and size."""
    artifacts: dict[str, dict[str, Any]] = {}
    try:
        for name, data in files.items():
            key = artifact_key(store.model_name, version, name)
            artifacts[name] = _upload_one(store, key, data)
    except RegistryError:
        # No version item points at these files yet, so removing them is safe.
        delete_artifacts(store, artifacts)
        raise
    return artifacts


def _upload_one(store: RegistryStore, key: str, data: bytes) -> dict[str, Any]:
    digest = hashlib.sha256(data).digest()
    # S3 checks ChecksumSHA256 on receipt, so bytes corrupted in transit are rejected.
    store.call(
        "PutObject",
        f"s3://{store.bucket}/{key}",
        store.s3.put_object,
        Bucket=store.bucket,
        Key=key,
        Body=data,
        ContentType=_CONTENT_TYPES.get(key.rsplit("/", 1)[-1], "application/octet-stream"),
        ChecksumSHA256=base64.b64encode(digest).decode("ascii"),
    )
    return {"key": key, "sha256": digest.hex(), "size": len(data)}


def download_verified(
    store: RegistryStore, key: str, expected_sha256: str, bucket: str | None = None
) -> bytes:
    """Download one object (default bucket: the store's) and verify its recorded SHA-256."""
    bucket = bucket or store.bucket
    location = f"s3://{bucket}/{key}"
    try:
        response = store.s3.get_object(Bucket=bucket, Key=key)
        data = response["Body"].read()
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
        if code in ("NoSuchKey", "404"):
            raise ArtifactMissing(f"{location} not found; it was recorded at registration") from exc
        raise StoreUnavailable(f"GetObject on {location} failed: {code}") from exc
    except BotoCoreError as exc:
        raise StoreUnavailable(f"failed to download {location}: {exc}") from exc
    actual = sha256_hex(data)
    if actual != expected_sha256:
        raise ArtifactChecksumMismatch(
            f"{location} has SHA-256 {actual}, but {expected_sha256} was recorded at "
            "registration; the object was changed or corrupted, so it is rejected"
        )
    return data


def delete_artifacts(store: RegistryStore, artifacts: dict[str, dict[str, Any]]) -> None:
    """Delete uploaded objects after a failed registration; failures are logged, not raised."""
    for artifact in artifacts.values():
        try:
            store.s3.delete_object(Bucket=store.bucket, Key=artifact["key"])
        except (ClientError, BotoCoreError) as exc:
            logger.warning(
                "failed to delete orphaned artifact s3://%s/%s: %s",
                store.bucket,
                artifact["key"],
                exc,
            )


def _parse_json_object(path: Path, data: bytes) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidModelDirectory(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise InvalidModelDirectory(
            f"{path} must contain a JSON object, not {type(value).__name__}"
        )
    return value
