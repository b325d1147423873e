"""The validate task: score the candidate and the champion on the same holdout and compare.

The rule: the candidate passes when its holdout AUC is at least the floor and at
least the champion's AUC minus the margin. Without a Production version only the
floor applies. Both models are scored on the base data's holdout rows (see
`training_data`), with each model's own decision threshold.
"""

from __future__ import annotations

import logging
import tempfile
from typing import Any

import pandas as pd

from churnops.registry import (
    AuditEvent,
    NoProductionVersion,
    Stage,
    get_version,
    load_model_bytes,
    production_version,
    transition,
)
from churnops.registry.store import RegistryStore, utc_now
from churnops.registry.versions import ModelVersion
from churnops.schema import load_schema
from churnops.scoring import ChurnModel
from churnops.training.metrics import holdout_metrics
from churnops.workflow import objects, trail, training_data
from churnops.workflow.approvals import SUMMARY_METRICS
from churnops.workflow.errors import CandidateInvalid, TrainingDataInvalid
from churnops.workflow.settings import WORKFLOW_ACTOR, WorkflowSettings

logger = logging.getLogger(__name__)

# Metrics shown side by side in the audit entry and the approval request.


def validate_candidate(
    store: RegistryStore,
    settings: WorkflowSettings,
    *,
    version: int,
    manifest_key: str,
    execution_id: str,
) -> dict[str, Any]:
    """Compare candidate and champion, store the comparison, move a passing candidate to Staging."""
    candidate = get_version(store, version)
    if candidate.stage not in (Stage.NONE, Stage.STAGING):
        raise CandidateInvalid(
            f"version {version} is in {candidate.stage}; only a new candidate (None) is validated"
        )
    champion = _champion(store)

    manifest = objects.get_json(store, manifest_key)
    with tempfile.TemporaryDirectory(prefix="churnops-validate-") as workdir:
        features, labels = training_data.load_holdout(
            store, manifest["base"], load_schema(), workdir
        )
    comparison = compare(
        _score(store, candidate, features, labels),
        _score(store, champion, features, labels) if champion else None,
        settings,
    )
    comparison.update(
        {
            "execution_id": execution_id,
            "compared_at": utc_now(),
            "holdout": {
                **manifest["base"],
                "rows": int(len(labels)),
                "positives": int(labels.sum()),
            },
        }
    )

    key = objects.validation_key(store.model_name, version)
    objects.put_json(store, key, comparison)
    _record(store, comparison, key, execution_id)
    if comparison["passed"] and candidate.stage is Stage.NONE:
        transition(
            store, version, Stage.STAGING, reason=f"passed validation in {execution_id}",
            actor=WORKFLOW_ACTOR,
        )

    logger.info("version %d validation passed=%s", version, comparison["passed"])
    return {
        "passed": comparison["passed"],
        "comparison_key": key,
        "candidate_auc": comparison["candidate"]["metrics"]["auc"],
        "champion_version": champion.version if champion else None,
        "champion_auc": comparison["champion"]["metrics"]["auc"] if champion else None,
        "reasons": comparison["reasons"],
    }


def compare(
    candidate: dict[str, Any], champion: dict[str, Any] | None, settings: WorkflowSettings
) -> dict[str, Any]:
    """Apply the floor and margin rule to two scored models; list every failed condition."""
    candidate_auc = candidate["metrics"]["auc"]
    reasons = []
    if candidate_auc < settings.auc_floor:
        reasons.append(
            f"candidate AUC {candidate_auc:.4f} is below the floor {settings.auc_floor:.4f}"
        )
    if champion is not None:
        bar = champion["metrics"]["auc"] - settings.auc_margin
        if candidate_auc < bar:
            reasons.append(
                f"candidate AUC {candidate_auc:.4f} is below the champion's "
                f"{champion['metrics']['auc']:.4f} minus the margin {settings.auc_margin:.4f}"
            )
    return {
        "passed": not reasons,
        "reasons": reasons,
        "rule": {"auc_floor": settings.auc_floor, "auc_margin": settings.auc_margin},
        "candidate": candidate,
        "champion": champion,
    }


def _champion(store: RegistryStore) -> ModelVersion | None:
    try:
        return production_version(store)
    except NoProductionVersion:
        return None


def _score(
    store: RegistryStore, record: ModelVersion, features: pd.DataFrame, labels: Any
) -> dict[str, Any]:
    model = ChurnModel.from_bytes(load_model_bytes(store, record), record.model_sha256)
    missing = [name for name in model.schema.feature_order if name not in features.columns]
    if missing:
        raise TrainingDataInvalid(
            f"version {record.version} needs features {missing} that the base data lacks"
        )
    columns = {name: features[name].tolist() for name in model.schema.feature_order}
    metrics = holdout_metrics(labels, model.predict_proba(columns), model.threshold)
    return {
        "version": record.version,
        "run_id": record.run_id,
        "family": record.family,
        "metrics": metrics,
    }


def _record(store: RegistryStore, comparison: dict[str, Any], key: str, execution_id: str) -> None:
    def summary(side: dict[str, Any] | None) -> dict[str, Any] | None:
        if side is None:
            return None
        metrics = {name: side["metrics"][name] for name in SUMMARY_METRICS}
        return {"version": side["version"], **metrics}

    passed = comparison["passed"]
    trail.record(
        store,
        AuditEvent.VALIDATE,
        reason="; ".join(comparison["reasons"]) or "candidate passed the validation rule",
        actor=WORKFLOW_ACTOR,
        version=comparison["candidate"]["version"],
        details={
            "execution_id": execution_id,
            "passed": passed,
            "comparison": objects.s3_uri(store, key),
            "rule": comparison["rule"],
            "candidate": summary(comparison["candidate"]),
            "champion": summary(comparison["champion"]),
        },
    )
