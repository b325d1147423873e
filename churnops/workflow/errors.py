"""Errors of the retrain workflow.

A task Lambda that raises one of these fails its state with the class name as the
Step Functions error name, so the ASL and the audit log see, for example,
`TrainingDataInvalid` instead of a generic exception.
"""

from __future__ import annotations

from churnops.errors import ChurnopsError


class WorkflowError(ChurnopsError):
    """Base of every retrain workflow error."""


class WorkflowConfigInvalid(WorkflowError, ValueError):
    """An environment variable or execution input of the workflow has an invalid value."""


class TrainingDataInvalid(WorkflowError, ValueError):
    """The base data or the feedback export cannot be used for training."""


class CandidateInvalid(WorkflowError):
    """The candidate version is not in the state the next step expects."""


class ApprovalNotFound(WorkflowError, LookupError):
    """No approval request has the given id."""


class ApprovalAlreadyDecided(WorkflowError):
    """The approval request was approved or rejected before; each is used once."""


class ApprovalExpired(WorkflowError):
    """The approval request passed its expiry, so the workflow no longer waits for it."""


class ApprovalDeliveryFailed(WorkflowError):
    """Step Functions did not accept the decision; the request stays pending."""


class NotApproved(WorkflowError):
    """Promotion was asked for a version without an approved request."""
