"""Errors of the model registry, each with the HTTP status a handler should return."""

from __future__ import annotations

from churnops.errors import ChurnopsError


class RegistryError(ChurnopsError):
    """Base of every registry error."""

    http_status = 500


class InvalidRegistryValue(RegistryError, ValueError):
    """A value cannot be stored: bad name, non-finite number, unsupported type."""

    http_status = 400


class InvalidModelDirectory(RegistryError, ValueError):
    """A model directory lacks a file or its run record is incomplete or inconsistent."""

    http_status = 400


class VersionNotFound(RegistryError, LookupError):
    """The requested model version does not exist."""

    http_status = 404


class RunNotFound(RegistryError, LookupError):
    """The requested training run does not exist."""

    http_status = 404


class NoProductionVersion(RegistryError, LookupError):
    """The model has no version in Production, so nothing can be served."""

    http_status = 503


class IllegalTransition(RegistryError, ValueError):
    """A stage change that the stage rules do not allow."""

    http_status = 409


class NoRollbackTarget(RegistryError):
    """Rollback was requested but no earlier Production version is recorded."""

    http_status = 409


class RegistryConflict(RegistryError):
    """A write was cancelled because another writer changed the registry first."""

    http_status = 409


class AuditEntryExists(RegistryError):
    """An audit entry with the same key exists, and audit entries are never overwritten."""

    http_status = 409


class ArtifactMissing(RegistryError):
    """An artifact recorded for a version is not in S3."""

    http_status = 500


class ArtifactChecksumMismatch(RegistryError):
    """An artifact's bytes differ from the SHA-256 recorded at registration."""

    http_status = 500


class StoreUnavailable(RegistryError):
    """A table or bucket is missing, or AWS rejected or failed a request."""

    http_status = 503


class ConditionFailed(RegistryError):
    """A conditional write found the item in another state than the condition expected."""

    http_status = 409


class TransactionCancelled(RegistryError):
    """DynamoDB cancelled a transaction; `reasons` lists one code per item, "None" if it passed."""

    http_status = 409

    def __init__(self, message: str, reasons: list[str]) -> None:
        super().__init__(message)
        self.reasons = reasons
