"""Model registry, training runs and audit log on DynamoDB and S3.

Typical use (the predict Lambda):

    store = RegistryStore.from_settings()
    record = production_version(store)
    onnx_bytes = load_model_bytes(store, record)
"""

from churnops.registry.audit import (
    AuditEntry,
    AuditEvent,
    read_entries,
    record_event,
    to_json_lines,
)
from churnops.registry.consistency import find_inconsistencies
from churnops.registry.errors import (
    ArtifactChecksumMismatch,
    ArtifactMissing,
    AuditEntryExists,
    IllegalTransition,
    InvalidModelDirectory,
    InvalidRegistryValue,
    NoProductionVersion,
    NoRollbackTarget,
    RegistryConflict,
    RegistryError,
    RunNotFound,
    StoreUnavailable,
    VersionNotFound,
)
from churnops.registry.runs import RunRecord, compare_runs, get_run, list_runs, record_run
from churnops.registry.stages import ALLOWED_TRANSITIONS, Stage
from churnops.registry.store import RegistryStore, default_actor
from churnops.registry.tables import create_bucket, create_tables
from churnops.registry.transitions import promote, production_version, rollback, transition
from churnops.registry.versions import (
    ModelState,
    ModelVersion,
    get_model_state,
    get_version,
    list_versions,
    load_model_bytes,
    register,
)

__all__ = [
    "ALLOWED_TRANSITIONS",
    "ArtifactChecksumMismatch",
    "ArtifactMissing",
    "AuditEntry",
    "AuditEntryExists",
    "AuditEvent",
    "IllegalTransition",
    "InvalidModelDirectory",
    "InvalidRegistryValue",
    "ModelState",
    "ModelVersion",
    "NoProductionVersion",
    "NoRollbackTarget",
    "RegistryConflict",
    "RegistryError",
    "RegistryStore",
    "RunNotFound",
    "RunRecord",
    "Stage",
    "StoreUnavailable",
    "VersionNotFound",
    "compare_runs",
    "create_bucket",
    "create_tables",
    "default_actor",
    "find_inconsistencies",
    "get_model_state",
    "get_run",
    "get_version",
    "list_runs",
    "list_versions",
    "load_model_bytes",
    "production_version",
    "promote",
    "read_entries",
    "record_event",
    "record_run",
    "register",
    "rollback",
    "to_json_lines",
    "transition",
]
