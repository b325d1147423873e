"""Read the fields of a task's event, naming the missing or invalid one."""

from __future__ import annotations

from typing import Any, TypeVar

from churnops.workflow.errors import WorkflowConfigInvalid

T = TypeVar("T")


def require(event: dict[str, Any], name: str, kind: type[T]) -> T:
    """Return event[name] if present and of `kind`; ints are not accepted as bools."""
    if not isinstance(event, dict) or name not in event:
        raise WorkflowConfigInvalid(f"task input is missing {name!r}; check the state's Parameters")
    value = event[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise WorkflowConfigInvalid(
            f"task input {name!r} is invalid: expected {kind.__name__}, got {type(value).__name__}"
        )
    return value
