"""Stage changes, promotion and rollback, each one DynamoDB transaction with its audit entry.

Promotion and rollback make four conditional writes in one TransactWriteItems call:

- the model item's Production pointer, if its revision is the one that was read;
- the incoming version's stage, if that stage is the one that was read;
- the outgoing version's stage, if it is still Production;
- a new audit entry, if its key is new.

DynamoDB applies all four or none. So a racing writer or a failure leaves the registry
as it was, with exactly one Production version.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from churnops.registry.audit import AuditEntry, AuditEvent, new_entry, put_request
from churnops.registry.dynamo import serialize_item, serialize_values
from churnops.registry.errors import (
    NoProductionVersion,
    NoRollbackTarget,
    RegistryConflict,
    TransactionCancelled,
    VersionNotFound,
)
from churnops.registry.stages import Stage, check_transition, parse_stage
from churnops.registry.store import RegistryStore
from churnops.registry.tables import model_key, version_key
from churnops.registry.versions import ModelState, ModelVersion, get_model_state, get_version

logger = logging.getLogger(__name__)

# The history only feeds rollback; older entries stay readable in the audit log.
HISTORY_LIMIT = 100


def production_version(store: RegistryStore) -> ModelVersion:
    """Return the version serving now (two GetItems), or raise NoProductionVersion."""
    state = get_model_state(store)
    if state.production_version is None:
        raise NoProductionVersion(
            f"model {store.model_name} has no Production version; promote one with "
            "`churnops models promote VERSION`"
        )
    return get_version(store, state.production_version)


def transition(
    store: RegistryStore,
    version: int,
    target: Stage | str,
    *,
    reason: str,
    actor: str | None = None,
) -> ModelVersion:
    """Move a version to another stage; a move to Production is a promotion."""
    target = parse_stage(target)
    if target is Stage.PRODUCTION:
        return promote(store, version, reason=reason, actor=actor)
    record = get_version(store, version)
    check_transition(version, record.stage, target)
    entry = new_entry(
        store.model_name,
        AuditEvent.TRANSITION,
        reason=reason,
        actor=actor,
        version=version,
        details={"from_stage": str(record.stage), "to_stage": str(target)},
    )
    items = [
        _stage_update(store, version, record.stage, target, entry.at),
        put_request(store, entry),
    ]
    _commit(store, items, [f"version {version}", "audit entry"], f"move of version {version}")
    logger.info("moved %s version %d to %s", store.model_name, version, target)
    return replace(record, stage=target, stage_updated_at=entry.at)


def promote(
    store: RegistryStore,
    version: int,
    *,
    reason: str,
    actor: str | None = None,
    details: dict[str, Any] | None = None,
) -> ModelVersion:
    """Make `version` the Production version; the current one moves to Archived atomically."""
    state = get_model_state(store)
    record = get_version(store, version)
    check_transition(version, record.stage, Stage.PRODUCTION)
    previous = state.production_version
    entry = new_entry(
        store.model_name,
        AuditEvent.PROMOTE,
        reason=reason,
        actor=actor,
        version=version,
        details={"from_stage": str(record.stage), "replaced_version": previous, **(details or {})},
    )
    history = (*state.production_history, version)[-HISTORY_LIMIT:]
    _switch_production(store, state, record, history, entry, "promotion of version")
    logger.info("promoted %s version %d, replacing %s", store.model_name, version, previous)
    return replace(record, stage=Stage.PRODUCTION, was_production=True, promoted_at=entry.at)


def rollback(store: RegistryStore, *, reason: str, actor: str | None = None) -> ModelVersion:
    """Put the previous Production version back into Production; the current one is Archived."""
    state = get_model_state(store)
    history = state.production_history
    if state.production_version is None or len(history) < 2:
        raise NoRollbackTarget(
            f"model {store.model_name} has no earlier Production version to roll back to "
            f"(Production history: {list(history) or 'empty'})"
        )
    current, target = history[-1], history[-2]
    record = get_version(store, target)
    check_transition(target, record.stage, Stage.PRODUCTION)
    entry = new_entry(
        store.model_name,
        AuditEvent.ROLLBACK,
        reason=reason,
        actor=actor,
        version=target,
        details={"from_version": current, "to_version": target},
    )
    _switch_production(store, state, record, history[:-1], entry, "rollback to version")
    logger.info("rolled %s back from version %d to %d", store.model_name, current, target)
    return replace(record, stage=Stage.PRODUCTION, promoted_at=entry.at)


def _switch_production(
    store: RegistryStore,
    state: ModelState,
    incoming: ModelVersion,
    history: tuple[int, ...],
    entry: AuditEntry,
    action: str,
) -> None:
    items = [
        _pointer_update(store, state, incoming.version, history, entry.at),
        _stage_update(store, incoming.version, incoming.stage, Stage.PRODUCTION, entry.at),
    ]
    labels = ["model item", f"version {incoming.version}"]
    outgoing = state.production_version
    if outgoing is not None:
        items.append(_stage_update(store, outgoing, Stage.PRODUCTION, Stage.ARCHIVED, entry.at))
        labels.append(f"version {outgoing}")
    items.append(put_request(store, entry))
    labels.append("audit entry")
    _commit(store, items, labels, f"{action} {incoming.version}")


def _pointer_update(
    store: RegistryStore, state: ModelState, version: int, history: tuple[int, ...], now: str
) -> dict[str, Any]:
    # The revision changes on every promotion and rollback, so a writer that read an
    # older state fails here even if the pointer has meanwhile returned to its old value.
    condition = "#revision = :revision AND "
    values: dict[str, Any] = {
        ":revision": state.revision,
        ":version": version,
        ":history": list(history),
        ":now": now,
        ":one": 1,
    }
    if state.production_version is None:
        condition += "attribute_not_exists(production_version)"
    else:
        condition += "production_version = :current"
        values[":current"] = state.production_version
    return {
        "Update": {
            "TableName": store.registry_table,
            "Key": serialize_item(model_key(store.model_name)),
            "UpdateExpression": (
                "SET production_version = :version, production_history = :history, "
                "promoted_at = :now, updated_at = :now ADD #revision :one"
            ),
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {"#revision": "revision"},
            "ExpressionAttributeValues": serialize_values(values),
        }
    }


def _stage_update(
    store: RegistryStore, version: int, expected: Stage, target: Stage, now: str
) -> dict[str, Any]:
    expression = "SET #stage = :target, stage_updated_at = :now"
    values: dict[str, Any] = {":expected": str(expected), ":target": str(target), ":now": now}
    if target is Stage.PRODUCTION:
        expression += ", was_production = :true, promoted_at = :now"
        values[":true"] = True
    return {
        "Update": {
            "TableName": store.registry_table,
            "Key": serialize_item(version_key(store.model_name, version)),
            "UpdateExpression": expression,
            "ConditionExpression": "#stage = :expected",
            "ExpressionAttributeNames": {"#stage": "stage"},
            "ExpressionAttributeValues": serialize_values(values),
        }
    }


def _commit(
    store: RegistryStore, items: list[dict[str, Any]], labels: list[str], action: str
) -> None:
    try:
        store.transact(items, labels)
    except TransactionCancelled as exc:
        versions = [int(label.split()[1]) for label in labels if label.startswith("version ")]
        raise RegistryConflict(
            f"{action} did not happen, and nothing was changed: {exc}. "
            f"{_describe_state(store, versions)} "
            "Check the state and retry if the change is still wanted."
        ) from exc


def _describe_state(store: RegistryStore, versions: list[int]) -> str:
    state = get_model_state(store)
    if state.production_version is None:
        serving = f"Model {store.model_name} has no Production version"
    else:
        serving = f"Model {store.model_name} now serves version {state.production_version}"
    stages = []
    for version in versions:
        try:
            stages.append(f"version {version} is in {get_version(store, version).stage}")
        except VersionNotFound:
            stages.append(f"version {version} does not exist")
    return f"{serving} (revision {state.revision}); {', '.join(stages)}."
