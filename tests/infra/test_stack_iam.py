"""Least privilege: named DynamoDB actions, an append-only audit log, a read-only
registry for the predict function."""

from __future__ import annotations

from typing import Any

import pytest

from churnops import config
from infra.catalog import FUNCTIONS
from infra.functions import physical_name

WRITES = {
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
}


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else list(actions)


def _resources(statement: dict[str, Any]) -> list[Any]:
    resources = statement["Resource"]
    return resources if isinstance(resources, list) else [resources]


def _actions_on(synthesised, function: str, table_name: str) -> set[str]:
    table_id = synthesised.logical_id("AWS::DynamoDB::Table", TableName=table_name)
    granted: set[str] = set()
    for statement in synthesised.role_statements(physical_name("churnops", function)):
        if table_id in str(_resources(statement)):
            granted.update(_actions(statement))
    return granted


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_no_wildcard_actions(synthesised, function):
    for statement in synthesised.role_statements(physical_name("churnops", function)):
        assert statement["Effect"] == "Allow"
        for action in _actions(statement):
            assert "*" not in action, f"{function} has wildcard action {action}"


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_audit_writers_append_only(synthesised, function):
    granted = _actions_on(synthesised, function, config.AUDIT_TABLE_DEFAULT)
    assert "dynamodb:UpdateItem" not in granted
    assert "dynamodb:DeleteItem" not in granted
    assert "dynamodb:BatchWriteItem" not in granted
    assert granted <= {"dynamodb:PutItem", "dynamodb:Query"}


def test_retrain_tasks_write_audit(synthesised):
    for function in ("train", "validate", "request_approval", "promote", "notify", "monitor"):
        granted = _actions_on(synthesised, function, config.AUDIT_TABLE_DEFAULT)
        assert granted == {"dynamodb:PutItem", "dynamodb:Query"}, function


def test_predict_reads_registry_only(synthesised):
    granted = _actions_on(synthesised, "predict", config.REGISTRY_TABLE_DEFAULT)
    assert granted == {"dynamodb:GetItem", "dynamodb:Query"}
    assert not granted & WRITES


def test_predict_cannot_touch_audit(synthesised):
    assert _actions_on(synthesised, "predict", config.AUDIT_TABLE_DEFAULT) == set()


def test_predict_writes_predictions(synthesised):
    granted = _actions_on(synthesised, "predict", config.PREDICTIONS_TABLE_DEFAULT)
    assert {"dynamodb:BatchWriteItem", "dynamodb:UpdateItem", "dynamodb:Query"} <= granted
    assert "dynamodb:DeleteItem" not in granted


def test_monitor_reads_predictions_only(synthesised):
    granted = _actions_on(synthesised, "monitor", config.PREDICTIONS_TABLE_DEFAULT)
    assert granted == {"dynamodb:GetItem", "dynamodb:Query"}


def test_nobody_deletes_registry_items(synthesised):
    for function in FUNCTIONS:
        granted = _actions_on(synthesised, function, config.REGISTRY_TABLE_DEFAULT)
        assert "dynamodb:DeleteItem" not in granted, function


def test_predict_reads_bucket_only(synthesised):
    bucket_id = synthesised.logical_id("AWS::S3::Bucket", BucketName=config.BUCKET_DEFAULT)
    granted: set[str] = set()
    for statement in synthesised.role_statements("churnops-predict"):
        if bucket_id in str(_resources(statement)):
            granted.update(_actions(statement))
    assert granted == {"s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"}


def test_monitor_starts_retrain_only(synthesised):
    machine_id = next(iter(synthesised.of_type("AWS::StepFunctions::StateMachine")))
    state_actions = [
        (action, _resources(statement))
        for statement in synthesised.role_statements("churnops-monitor")
        for action in _actions(statement)
        if action.startswith("states:")
    ]
    assert state_actions == [("states:StartExecution", [{"Ref": machine_id}])]


def test_only_monitor_starts_retrain(synthesised):
    for function in FUNCTIONS:
        if function == "monitor":
            continue
        for statement in synthesised.role_statements(physical_name("churnops", function)):
            assert not any(a.startswith("states:") for a in _actions(statement)), function


def test_roles_log_to_own_group_only(synthesised):
    for function in FUNCTIONS:
        name = physical_name("churnops", function)
        group_id = synthesised.logical_id("AWS::Logs::LogGroup", LogGroupName=f"/aws/lambda/{name}")
        log_statements = [
            statement
            for statement in synthesised.role_statements(name)
            if any(action.startswith("logs:") for action in _actions(statement))
        ]
        assert len(log_statements) == 1, function
        assert _resources(log_statements[0]) == [{"Fn::GetAtt": [group_id, "Arn"]}]


def test_no_managed_policies_on_functions(synthesised):
    for function in FUNCTIONS:
        function_id = synthesised.logical_id(
            "AWS::Lambda::Function", FunctionName=physical_name("churnops", function)
        )
        role_id = synthesised.resources[function_id]["Properties"]["Role"]["Fn::GetAtt"][0]
        role = synthesised.resources[role_id]["Properties"]
        assert "ManagedPolicyArns" not in role, function
