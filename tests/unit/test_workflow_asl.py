"""Structure of step_functions/retrain.asl.json: placeholders, retries, catches, endings."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

ASL_PATH = Path(__file__).resolve().parents[2] / "step_functions" / "retrain.asl.json"
PLACEHOLDERS = {
    "${TrainFunctionArn}", "${ValidateFunctionArn}", "${RequestApprovalFunctionArn}",
    "${PromoteFunctionArn}", "${NotifyFunctionArn}",
}
TRANSIENT = {
    "Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
}


@pytest.fixture(scope="module")
def states() -> dict[str, Any]:
    return json.loads(ASL_PATH.read_text())["States"]


def tasks(states: dict[str, Any]) -> dict[str, Any]:
    return {name: state for name, state in states.items() if state["Type"] == "Task"}


def test_asl_uses_exactly_the_placeholders() -> None:
    found = set(re.findall(r"\$\{[A-Za-z]+\}", ASL_PATH.read_text()))
    assert found == PLACEHOLDERS


def test_asl_every_task_retries_transient_errors(states: dict[str, Any]) -> None:
    for name, state in tasks(states).items():
        retried = {error for rule in state["Retry"] for error in rule["ErrorEquals"]}
        assert retried == TRANSIENT, name
        assert state["Retry"][0]["BackoffRate"] > 1, name


def test_asl_work_tasks_catch_failures(states: dict[str, Any]) -> None:
    for name in ("Train Candidate", "Validate Candidate", "Await Approval", "Promote Candidate"):
        catches = states[name]["Catch"]
        assert catches[-1]["ErrorEquals"] == ["States.ALL"], name
        assert catches[-1]["Next"] == "Record Failure", name


def test_asl_approval_waits_with_timeout(states: dict[str, Any]) -> None:
    state = states["Await Approval"]
    assert state["Resource"] == "arn:aws:states:::lambda:invoke.waitForTaskToken"
    assert state["TimeoutSecondsPath"] == "$.request.approval_timeout_seconds"
    routes = {tuple(rule["ErrorEquals"]): rule["Next"] for rule in state["Catch"]}
    assert routes[("States.Timeout",)] == "Record Timeout"
    assert routes[("Approval.Rejected",)] == "Record Rejection"
    assert state["Parameters"]["Payload"]["task_token.$"] == "$$.Task.Token"


def test_asl_main_path_order(states: dict[str, Any]) -> None:
    assert states["Train Candidate"]["Next"] == "Validate Candidate"
    assert states["Validate Candidate"]["Next"] == "Passed Validation?"
    assert states["Passed Validation?"]["Choices"][0]["Next"] == "Await Approval"
    assert states["Passed Validation?"]["Default"] == "Record Validation Failure"
    assert states["Await Approval"]["Next"] == "Approved?"
    assert states["Approved?"]["Choices"][0]["Next"] == "Promote Candidate"
    assert states["Promote Candidate"]["Next"] == "Record Promotion"


@pytest.mark.parametrize(
    ("record", "outcome", "ending", "kind"),
    [
        ("Record Promotion", "promoted", "Promoted", "Succeed"),
        ("Record Rejection", "rejected", "Rejected", "Succeed"),
        ("Record Timeout", "timed_out", "Approval Timed Out", "Succeed"),
        ("Record Validation Failure", "validation_failed", "Validation Failed", "Succeed"),
        ("Record Failure", "failed", "Retrain Failed", "Fail"),
    ],
)
def test_asl_each_ending_is_recorded(states, record, outcome, ending, kind) -> None:
    state = states[record]
    assert state["Parameters"]["FunctionName"] == "${NotifyFunctionArn}"
    assert state["Parameters"]["Payload"]["outcome"] == outcome
    assert state["Next"] == ending
    assert states[ending]["Type"] == kind


def test_asl_payloads_carry_ids_not_data(states: dict[str, Any]) -> None:
    for name, state in tasks(states).items():
        payload = state["Parameters"]["Payload"]
        assert payload["execution_id.$"] == "$$.Execution.Name", name
        if not name.startswith("Record"):
            assert "ResultSelector" in state or "waitForTaskToken" in state["Resource"], name
