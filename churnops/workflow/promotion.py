"""The promote task: put an approved candidate into Production with the registry's transaction."""

from __future__ import annotations

import logging
from typing import Any

from churnops.registry import Stage, get_model_state, get_version, promote
from churnops.registry.store import RegistryStore
from churnops.workflow.approvals import APPROVED, get_approval
from churnops.workflow.errors import CandidateInvalid, NotApproved

logger = logging.getLogger(__name__)


def promote_approved(
    store: RegistryStore, *, version: int, approval_id: str, execution_id: str
) -> dict[str, Any]:
    """Promote `version` if its approval request was approved; the old champion is Archived.

    The approval item is checked here, not trusted from the state input, so only a
    decision recorded through `churnops approvals approve` promotes. The registry's
    promotion is one transaction, so a failure leaves every item as it was. A retry
    after a committed promotion finds the version serving and returns.
    """
    approval = get_approval(store, approval_id)
    if approval.status != APPROVED or approval.version != version:
        raise NotApproved(
            f"approval {approval_id} is {approval.status} for version {approval.version}; "
            f"version {version} is promoted only after its request is approved"
        )
    state = get_model_state(store)
    record = get_version(store, version)
    if state.production_version == version and record.stage is Stage.PRODUCTION:
        logger.info("version %d already serves; promotion was committed before", version)
        return _result(version, state.production_history[-2:-1], approval.decided_by)
    if record.stage is not Stage.STAGING:
        raise CandidateInvalid(
            f"version {version} is in {record.stage}; only a validated candidate in Staging "
            "is promoted by the workflow"
        )
    promote(
        store,
        version,
        reason=f"approved: {approval.decision_reason}",
        actor=approval.decided_by,
        details={"approval_id": approval_id, "execution_id": execution_id},
    )
    logger.info("promoted version %d, replacing %s", version, state.production_version)
    previous = () if state.production_version is None else (state.production_version,)
    return _result(version, previous, approval.decided_by)


def _result(version: int, previous: tuple[int, ...], approved_by: str | None) -> dict[str, Any]:
    return {
        "version": version,
        "replaced_version": previous[0] if previous else None,
        "approved_by": approved_by,
    }
