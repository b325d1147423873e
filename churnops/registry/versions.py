"""Model versions: register a trained model directory, read versions and their artifacts."""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from churnops.registry import artifacts
from churnops.registry.audit import AuditEvent, check_text, new_entry, put_request
from churnops.registry.dynamo import serialize_item, serialize_values
from churnops.registry.errors import TransactionCancelled, VersionNotFound
from churnops.registry.model_card import build_model_card
from churnops.registry.runs import record_run
from churnops.registry.stages import Stage
from churnops.registry.store import RegistryStore, default_actor, utc_now
from churnops.registry.tables import (
    PARTITION_KEY,
    SORT_KEY,
    VERSION_PREFIX,
    model_key,
    model_partition,
    run_key,
    version_key,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelState:
    """The model item: version counter, Production pointer and the Production history."""

    model_name: str
    version_counter: int = 0
    production_version: int | None = None
    production_history: tuple[int, ...] = ()
    revision: int = 0
    promoted_at: str | None = None


@dataclass(frozen=True)
class ModelVersion:
    """One registered version; `artifacts` maps file name to its S3 key, SHA-256 and size."""

    model_name: str
    version: int
    stage: Stage
    run_id: str
    model_sha256: str
    bucket: str
    artifacts: dict[str, dict[str, Any]]
    metrics: dict[str, float]
    threshold: float
    family: str
    created_at: str
    created_by: str
    reason: str
    stage_updated_at: str
    was_production: bool = False
    promoted_at: str | None = None
    data_sha256: str | None = None
    git_commit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict of this version."""
        values = {item.name: getattr(self, item.name) for item in fields(self)}
        values["stage"] = str(self.stage)
        return values

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> ModelVersion:
        values = {item_field.name: item.get(item_field.name) for item_field in fields(cls)}
        values["stage"] = Stage(item["stage"])
        values["was_production"] = bool(item.get("was_production", False))
        return cls(**values)


def get_model_state(store: RegistryStore) -> ModelState:
    """Read the model item; a model with no registered version has the empty state."""
    item = store.get(store.registry_table, model_key(store.model_name))
    if item is None:
        return ModelState(model_name=store.model_name)
    return ModelState(
        model_name=store.model_name,
        version_counter=item.get("version_counter", 0),
        production_version=item.get("production_version"),
        production_history=tuple(item.get("production_history", [])),
        revision=item.get("revision", 0),
        promoted_at=item.get("promoted_at"),
    )


def get_version(store: RegistryStore, version: int) -> ModelVersion:
    """Return one version, or raise VersionNotFound."""
    item = store.get(store.registry_table, version_key(store.model_name, version))
    if item is None:
        raise VersionNotFound(
            f"version {version} of model {store.model_name} not found; "
            "`churnops models list` shows the registered versions"
        )
    return ModelVersion.from_item(item)


def list_versions(store: RegistryStore, stage: Stage | None = None) -> list[ModelVersion]:
    """Return the model's versions in version order, optionally only those in `stage`."""
    items = store.query(
        store.registry_table,
        f"{PARTITION_KEY} = :pk AND begins_with({SORT_KEY}, :prefix)",
        {":pk": model_partition(store.model_name), ":prefix": VERSION_PREFIX},
    )
    versions = [ModelVersion.from_item(item) for item in items]
    return [item for item in versions if stage is None or item.stage is stage]


def next_version(store: RegistryStore) -> int:
    """Take the next version number from the model's atomic counter; numbers are never reused."""
    response = store.call(
        "UpdateItem",
        store.registry_table,
        store.dynamodb.update_item,
        TableName=store.registry_table,
        Key=serialize_item(model_key(store.model_name)),
        UpdateExpression=(
            "ADD version_counter :one "
            "SET model_name = :name, created_at = if_not_exists(created_at, :now), "
            "revision = if_not_exists(revision, :zero)"
        ),
        ExpressionAttributeValues=serialize_values(
            {":one": 1, ":zero": 0, ":name": store.model_name, ":now": utc_now()}
        ),
        ReturnValues="UPDATED_NEW",
    )
    return int(response["Attributes"]["version_counter"]["N"])


def register(
    store: RegistryStore,
    directory: str | Path,
    *,
    reason: str = "registered a trained model",
    actor: str | None = None,
) -> ModelVersion:
    """Upload a trained model directory and record it as a new version in stage None.

    Artifacts are uploaded before the version item is written, so a version never
    points at missing files. A failure after the version number is taken leaves that
    number unused: versions can have gaps, but a number never names two models.
    """
    model_directory = artifacts.read_model_directory(directory)
    actor = check_text(actor or default_actor(), "actor")
    reason = check_text(reason, "reason")
    run = record_run(store, model_directory.run, actor=actor)
    version = next_version(store)
    now = utc_now()
    files = _files_with_card(store, version, model_directory, actor, now)
    uploaded = artifacts.upload_artifacts(store, version, files)
    record = ModelVersion(
        model_name=store.model_name,
        version=version,
        stage=Stage.NONE,
        run_id=run.run_id,
        model_sha256=model_directory.model_sha256,
        bucket=store.bucket,
        artifacts=uploaded,
        metrics=run.metrics,
        threshold=run.threshold,
        family=run.family,
        created_at=now,
        created_by=actor,
        reason=reason,
        stage_updated_at=now,
        data_sha256=run.data.get("sha256"),
        git_commit=run.git_commit,
    )
    _write_registration(store, record, uploaded)
    logger.info("registered %s version %d from run %s", store.model_name, version, run.run_id)
    return record


def load_model_bytes(store: RegistryStore, record: ModelVersion) -> bytes:
    """Download a version's ONNX bytes, rejecting them if their SHA-256 is not the recorded one."""
    key = record.artifacts[artifacts.MODEL_FILE]["key"]
    return artifacts.download_verified(store, key, record.model_sha256, bucket=record.bucket)


def _files_with_card(
    store: RegistryStore,
    version: int,
    model_directory: artifacts.ModelDirectory,
    actor: str,
    now: str,
) -> dict[str, bytes]:
    card = build_model_card(
        store.model_name,
        version,
        model_directory.run,
        registered_by=actor,
        registered_at=now,
        model_sha256=model_directory.model_sha256,
    )
    return {**model_directory.files, artifacts.CARD_FILE: card.encode("utf-8")}


def _write_registration(
    store: RegistryStore, record: ModelVersion, uploaded: dict[str, dict[str, Any]]
) -> None:
    entry = new_entry(
        store.model_name,
        AuditEvent.REGISTER,
        reason=record.reason,
        actor=record.created_by,
        version=record.version,
        details={"run_id": record.run_id, "model_sha256": record.model_sha256},
    )
    version_item = {**version_key(store.model_name, record.version), **record.to_dict()}
    items = [
        {
            "Put": {
                "TableName": store.registry_table,
                "Item": serialize_item(version_item),
                "ConditionExpression": f"attribute_not_exists({PARTITION_KEY})",
            }
        },
        {
            "Update": {
                "TableName": store.registry_table,
                "Key": serialize_item(run_key(store.model_name, record.run_id)),
                "UpdateExpression": "ADD versions :version",
                "ConditionExpression": f"attribute_exists({PARTITION_KEY})",
                "ExpressionAttributeValues": serialize_values({":version": {record.version}}),
            }
        },
        put_request(store, entry),
    ]
    try:
        store.transact(items, ["version item", "run item", "audit entry"])
    except TransactionCancelled:
        # Only a cancelled transaction is known to have written nothing. After other
        # errors the outcome is unknown, and the files may back a stored version.
        artifacts.delete_artifacts(store, uploaded)
        raise
