"""Workflow logic without AWS: settings, the validation rule, feedback rows, outcome text."""

from __future__ import annotations

import json
from typing import Any

import pytest

from churnops.schema import load_schema
from churnops.workflow.errors import WorkflowConfigInvalid
from churnops.workflow.objects import check_execution_id
from churnops.workflow.outcomes import _facts, _reason
from churnops.workflow.settings import WorkflowSettings
from churnops.workflow.task_input import require
from churnops.workflow.training_data import feedback_frame
from churnops.workflow.validation import compare


def scored(version: int, auc: float) -> dict[str, Any]:
    return {"version": version, "metrics": {"auc": auc}}


@pytest.mark.parametrize(
    ("candidate_auc", "champion_auc", "passed", "failures"),
    [
        (0.85, None, True, 0),
        (0.79, None, False, 1),
        (0.84, 0.845, True, 0),   # worse by 0.005: inside the 0.01 margin
        (0.83, 0.845, False, 1),  # worse by 0.015: outside it
        (0.80, 0.80, True, 0),    # exactly at the floor passes
        (0.75, 0.90, False, 2),
    ],
)
def test_compare_floor_and_margin(candidate_auc, champion_auc, passed, failures) -> None:
    champion = scored(1, champion_auc) if champion_auc is not None else None
    result = compare(scored(2, candidate_auc), champion, WorkflowSettings())
    assert result["passed"] is passed
    assert len(result["reasons"]) == failures
    assert result["rule"] == {"auc_floor": 0.80, "auc_margin": 0.01}


def test_settings_defaults_and_overrides() -> None:
    assert WorkflowSettings.from_env({}).auc_floor == 0.80
    settings = WorkflowSettings.from_env({
        "CHURNOPS_VALIDATION_AUC_FLOOR": "0.7", "CHURNOPS_VALIDATION_AUC_MARGIN": "0.02",
        "CHURNOPS_TRAINING_FAMILIES": "logistic_regression", "CHURNOPS_TRAINING_CV_FOLDS": "3",
    })
    assert (settings.auc_floor, settings.auc_margin) == (0.7, 0.02)
    assert settings.families == ("logistic_regression",)
    assert settings.cv_folds == 3


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("CHURNOPS_VALIDATION_AUC_FLOOR", "high", "expected a float"),
        ("CHURNOPS_VALIDATION_AUC_MARGIN", "-0.1", "expected at least 0.0"),
        ("CHURNOPS_TRAINING_CV_FOLDS", "1", "expected at least 2"),
        ("CHURNOPS_TRAINING_FAMILIES", "xgboost", "choose from"),
        ("CHURNOPS_HOLDOUT_FRACTION", "1.5", "between 0 and 1"),
    ],
)
def test_settings_invalid_value_named(name: str, value: str, message: str) -> None:
    with pytest.raises(WorkflowConfigInvalid, match=f"{name}=.*{message}"):
        WorkflowSettings.from_env({name: value})


def labelled(customer_id: str, label: bool, **features: Any) -> dict[str, Any]:
    base = {
        "gender": "Male", "senior_citizen": 1, "partner": "No", "dependents": "No", "tenure": 12,
        "phone_service": "Yes", "multiple_lines": "Yes", "internet_service": "DSL",
        "online_security": "Yes", "online_backup": "No", "device_protection": "No",
        "tech_support": "Yes", "streaming_tv": "No", "streaming_movies": "No",
        "contract": "One year", "paperless_billing": "No", "payment_method": "Mailed check",
        "monthly_charges": 55.25, "total_charges": 663.0,
    }
    return {"customer_id": customer_id, "label": label, "features": {**base, **features}}


def test_feedback_frame_uses_csv_headers() -> None:
    schema = load_schema()
    frame, skipped = feedback_frame(
        [labelled("c1", True), labelled("c2", False, tenure=-3), labelled("c3", False)],
        schema,
        excluded_ids={"c3"},
    )
    assert list(frame["customerID"]) == ["c1"]
    assert frame.loc[0, "Churn"] == "Yes"
    assert frame.loc[0, "MonthlyCharges"] == "55.25"
    assert frame.loc[0, "Contract"] == "One year"
    assert skipped == {"in_base_holdout": 1, "invalid_features": 1}


def test_failure_facts_keep_error_message() -> None:
    run = {"error": {"Error": "CandidateInvalid", "Cause": json.dumps({"errorMessage": "x" * 5000})}}
    facts = _facts("failed", run)
    assert facts["error"] == "CandidateInvalid"
    assert len(facts["cause"]) == 1000
    assert _reason("failed", facts).startswith("retrain failed: CandidateInvalid: xxx")


def test_rejection_facts_read_decision() -> None:
    cause = json.dumps({"approval_id": "a1", "decided_by": "bo", "reason": "risky"})
    facts = _facts("rejected", {"error": {"Error": "Approval.Rejected", "Cause": cause}})
    assert (facts["decided_by"], facts["decision_reason"]) == ("bo", "risky")
    assert _reason("rejected", facts) == "candidate rejected by an operator: risky"


@pytest.mark.parametrize("value", ["", "a/b", "x" * 81, 7, None])
def test_execution_id_checked(value: Any) -> None:
    with pytest.raises(WorkflowConfigInvalid, match="execution_id"):
        check_execution_id(value)


def test_task_input_names_missing_field() -> None:
    with pytest.raises(WorkflowConfigInvalid, match="missing 'version'"):
        require({}, "version", int)
    with pytest.raises(WorkflowConfigInvalid, match="expected int, got bool"):
        require({"version": True}, "version", int)
