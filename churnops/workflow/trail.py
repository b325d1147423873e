"""Audit entries that the workflow writes for events that change no registry item."""

from __future__ import annotations

from typing import Any

from churnops.registry.audit import AuditEntry, AuditEvent, record_event
from churnops.registry.store import RegistryStore


def record(
    store: RegistryStore,
    event: AuditEvent,
    *,
    reason: str,
    actor: str,
    version: int | None,
    details: dict[str, Any],
) -> AuditEntry:
    """Append one workflow entry; `details` carries the execution id and the outcome."""
    return record_event(
        store,
        event,
        reason=reason,
        actor=actor,
        version=version,
        details={"workflow_event": str(event), **details},
    )
