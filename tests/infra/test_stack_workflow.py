"""Retrain state machine: Standard type, ASL placeholders filled, logged, invoke grants."""

from __future__ import annotations

import json

import pytest
from aws_cdk import App

from infra.catalog import ASL_SUBSTITUTIONS
from infra.functions import physical_name
from infra.layers import AssetMissing
from infra.settings import StackSettings
from infra.stack import ChurnopsStack

from .conftest import TEST_ASL, synthesise


def test_state_machine_is_standard(synthesised):
    synthesised.template.has_resource_properties(
        "AWS::StepFunctions::StateMachine",
        {"StateMachineType": "STANDARD", "StateMachineName": "churnops-retrain"},
    )


def test_placeholders_become_function_arns(synthesised):
    machine = next(iter(synthesised.of_type("AWS::StepFunctions::StateMachine").values()))
    substitutions = machine["Properties"]["DefinitionSubstitutions"]
    assert set(substitutions) == set(ASL_SUBSTITUTIONS)
    for placeholder, name in ASL_SUBSTITUTIONS.items():
        function_id = synthesised.logical_id(
            "AWS::Lambda::Function", FunctionName=physical_name("churnops", name)
        )
        assert substitutions[placeholder] == {"Fn::GetAtt": [function_id, "Arn"]}


def test_state_machine_logs_everything(synthesised):
    machine = next(iter(synthesised.of_type("AWS::StepFunctions::StateMachine").values()))
    properties = machine["Properties"]
    assert properties["LoggingConfiguration"]["Level"] == "ALL"
    assert properties["TracingConfiguration"] == {"Enabled": True}


def test_state_machine_invokes_only_tasks(synthesised):
    machine = next(iter(synthesised.of_type("AWS::StepFunctions::StateMachine").values()))
    role_id = machine["Properties"]["RoleArn"]["Fn::GetAtt"][0]
    invoked = []
    for policy in synthesised.of_type("AWS::IAM::Policy").values():
        if {"Ref": role_id} not in policy["Properties"]["Roles"]:
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"]
            actions = [actions] if isinstance(actions, str) else actions
            if any(action.startswith("lambda:") for action in actions):
                assert actions == ["lambda:InvokeFunction"]
                invoked.extend(statement["Resource"])
    expected = [
        {
            "Fn::GetAtt": [
                synthesised.logical_id(
                    "AWS::Lambda::Function", FunctionName=physical_name("churnops", name)
                ),
                "Arn",
            ]
        }
        for name in ASL_SUBSTITUTIONS.values()
    ]
    assert sorted(map(json.dumps, invoked)) == sorted(map(json.dumps, expected))


def test_missing_placeholder_rejected(tmp_path):
    asl = json.loads(json.dumps(TEST_ASL))
    asl["States"]["Notify"]["Parameters"]["FunctionName"] = "arn:aws:lambda:fixed"
    (tmp_path / "bad.asl.json").write_text(json.dumps(asl))
    with pytest.raises(ValueError, match="NotifyFunctionArn"):
        synthesise(tmp_path / "run", asl_path=str(tmp_path / "bad.asl.json"))


def test_missing_layer_build_named(tmp_path):
    (tmp_path / "retrain.asl.json").write_text(json.dumps(TEST_ASL))
    settings = StackSettings(build_dir=tmp_path / "empty", asl_path=tmp_path / "retrain.asl.json")
    with pytest.raises(AssetMissing, match="python -m infra.build_assets"):
        ChurnopsStack(App(), "churnops", settings=settings)
