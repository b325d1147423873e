"""Append-only audit log: who changed what, when, on which version, and why.

Entries live in the audit table under the model name, with a sort key of the UTC
time plus a random suffix, so a model's entries read back in time order and a time
range is one Query. Every write is conditional on the key being new, and this module
offers no update or delete, so the library cannot overwrite or remove an entry.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from churnops.registry.dynamo import serialize_item
from churnops.registry.errors import AuditEntryExists, ConditionFailed, InvalidRegistryValue
from churnops.registry.store import RegistryStore, default_actor, format_time, utc_now
from churnops.registry.tables import PARTITION_KEY, SORT_KEY, check_model_name

# Sorts after every entry id (hex digits), so an `until` bound includes its own instant.
_KEY_UPPER_SUFFIX = "#~"


class AuditEvent(StrEnum):
    """Kind of change an audit entry records."""

    REGISTER = "register"
    TRANSITION = "transition"
    PROMOTE = "promote"
    ROLLBACK = "rollback"
    APPROVE = "approve"
    REJECT = "reject"
    DRIFT_ALARM = "drift_alarm"
    RETRAIN_START = "retrain_start"
    MONITOR_RUN = "monitor_run"
    VALIDATE = "validate"
    RETRAIN_END = "retrain_end"


@dataclass(frozen=True)
class AuditEntry:
    """One audit record; `at` is UTC in the fixed-width form of `format_time`."""

    model_name: str
    at: str
    entry_id: str
    event: AuditEvent
    actor: str
    reason: str
    version: int | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def sort_key(self) -> str:
        return f"{self.at}#{self.entry_id}"

    def to_item(self) -> dict[str, Any]:
        """Return the DynamoDB item (plain values) of this entry."""
        item = {PARTITION_KEY: self.model_name, SORT_KEY: self.sort_key, **self.to_dict()}
        if self.version is None:
            del item["version"]
        return item

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict of this entry."""
        return {
            "model_name": self.model_name,
            "at": self.at,
            "entry_id": self.entry_id,
            "event": str(self.event),
            "actor": self.actor,
            "reason": self.reason,
            "version": self.version,
            "details": self.details,
        }

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> AuditEntry:
        return cls(
            model_name=item["model_name"],
            at=item["at"],
            entry_id=item["entry_id"],
            event=AuditEvent(item["event"]),
            actor=item["actor"],
            reason=item["reason"],
            version=item.get("version"),
            details=item.get("details") or {},
        )


def new_entry(
    model_name: str,
    event: AuditEvent | str,
    *,
    reason: str,
    actor: str | None = None,
    version: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Build an entry stamped with the current time and a random id; nothing is written."""
    return AuditEntry(
        model_name=check_model_name(model_name),
        at=utc_now(),
        entry_id=uuid.uuid4().hex,
        event=parse_event(event),
        actor=check_text(actor or default_actor(), "actor"),
        reason=check_text(reason, "reason"),
        version=version,
        details=dict(details or {}),
    )


def put_request(store: RegistryStore, entry: AuditEntry) -> dict[str, Any]:
    """Return the TransactWriteItems Put that appends `entry` unless its key exists."""
    return {
        "Put": {
            "TableName": store.audit_table,
            "Item": serialize_item(entry.to_item()),
            "ConditionExpression": f"attribute_not_exists({PARTITION_KEY})",
        }
    }


def append(store: RegistryStore, entry: AuditEntry) -> AuditEntry:
    """Write `entry`; raise AuditEntryExists if an entry with its key is already stored."""
    put = put_request(store, entry)["Put"]
    try:
        store.call("PutItem", store.audit_table, store.dynamodb.put_item, **put)
    except ConditionFailed as exc:
        raise AuditEntryExists(
            f"audit entry {entry.model_name}/{entry.sort_key} already exists; "
            "audit entries are never overwritten"
        ) from exc
    return entry


def record_event(
    store: RegistryStore,
    event: AuditEvent | str,
    *,
    reason: str,
    actor: str | None = None,
    version: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry for an event that changes no registry item (approval, drift alarm)."""
    entry = new_entry(
        store.model_name, event, reason=reason, actor=actor, version=version, details=details
    )
    return append(store, entry)


def read_entries(
    store: RegistryStore,
    *,
    model_name: str | None = None,
    since: str | None = None,
    until: str | None = None,
    event: AuditEvent | str | None = None,
) -> list[AuditEntry]:
    """Return a model's entries in time order, from `since` to `until` (both inclusive)."""
    values: dict[str, Any] = {":model": check_model_name(model_name or store.model_name)}
    condition = f"{PARTITION_KEY} = :model"
    lower = parse_time(since, "since") if since else None
    upper = parse_time(until, "until") + _KEY_UPPER_SUFFIX if until else None
    if lower and upper:
        condition += f" AND {SORT_KEY} BETWEEN :lower AND :upper"
        values.update({":lower": lower, ":upper": upper})
    elif lower:
        condition += f" AND {SORT_KEY} >= :lower"
        values[":lower"] = lower
    elif upper:
        condition += f" AND {SORT_KEY} <= :upper"
        values[":upper"] = upper
    filter_expression = None
    names = None
    if event is not None:
        filter_expression = "#event = :event"
        names = {"#event": "event"}
        values[":event"] = str(parse_event(event))
    items = store.query(
        store.audit_table, condition, values, filter_expression=filter_expression, names=names
    )
    return [AuditEntry.from_item(item) for item in items]


def to_json_lines(entries: Iterable[AuditEntry]) -> str:
    """Export entries as JSON lines, one entry per line, keys sorted."""
    return "".join(json.dumps(entry.to_dict(), sort_keys=True) + "\n" for entry in entries)


def parse_time(text: str, name: str) -> str:
    """Parse an ISO 8601 time (naive means UTC) into the audit key's time form."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise InvalidRegistryValue(
            f"{name} {text!r} is not an ISO 8601 time, e.g. 2026-01-31 or 2026-01-31T12:00:00Z"
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_time(moment)


def parse_event(event: AuditEvent | str) -> AuditEvent:
    """Return the AuditEvent named by `event`, or raise listing the event names."""
    try:
        return AuditEvent(str(event))
    except ValueError as exc:
        names = ", ".join(item.value for item in AuditEvent)
        raise InvalidRegistryValue(
            f"audit event {event!r} is invalid: expected one of {names}"
        ) from exc


def check_text(value: str, name: str) -> str:
    """Return `value` stripped, or raise if it is missing or blank."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidRegistryValue(f"{name} is missing: every registry change records its {name}")
    return value.strip()
