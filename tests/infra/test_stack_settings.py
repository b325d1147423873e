"""Stack settings from CDK context, and the environment the functions receive."""

from __future__ import annotations

import pytest

from churnops import config
from infra.catalog import FUNCTIONS
from infra.functions import physical_name, retention
from infra.settings import FunctionSize, StackSettings
from infra.stack import STATE_MACHINE_ENV, TOPIC_ENV

from .conftest import synthesise


def _environment(synthesised, function: str) -> dict:
    function_id = synthesised.logical_id(
        "AWS::Lambda::Function", FunctionName=physical_name("churnops", function)
    )
    return synthesised.resources[function_id]["Properties"]["Environment"]["Variables"]


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_function_env_matches_config(synthesised, function, monkeypatch):
    variables = _environment(synthesised, function)
    for key, value in variables.items():
        if key.startswith("CHURNOPS_") and isinstance(value, str):
            monkeypatch.setenv(key, value)
    assert config.Settings.from_env() == config.Settings()
    churnops_keys = {key for key in variables if key.startswith("CHURNOPS_")}
    expected = {
        "CHURNOPS_MODEL_NAME",
        "CHURNOPS_BUCKET",
        "CHURNOPS_REGISTRY_TABLE",
        "CHURNOPS_AUDIT_TABLE",
        "CHURNOPS_PREDICTIONS_TABLE",
    }
    assert expected <= churnops_keys


def test_monitor_gets_state_machine_arn(synthesised):
    machine_id = next(iter(synthesised.of_type("AWS::StepFunctions::StateMachine")))
    assert _environment(synthesised, "monitor")[STATE_MACHINE_ENV] == {"Ref": machine_id}


@pytest.mark.parametrize("function", ("request_approval", "notify"))
def test_publishers_get_topic_arn(synthesised, function):
    topic_id = next(iter(synthesised.of_type("AWS::SNS::Topic")))
    assert _environment(synthesised, function)[TOPIC_ENV] == {"Ref": topic_id}


@pytest.mark.parametrize(
    ("function", "memory", "timeout", "layers"),
    [
        ("predict", 1024, 15, 2),
        ("monitor", 1024, 300, 2),
        ("train", 3008, 300, 3),
        ("validate", 2048, 300, 3),
        ("request_approval", 256, 30, 1),
    ],
)
def test_function_sizes_and_layers(synthesised, function, memory, timeout, layers):
    synthesised.template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "FunctionName": physical_name("churnops", function),
            "Runtime": "python3.12",
            "MemorySize": memory,
            "Timeout": timeout,
        },
    )
    function_id = synthesised.logical_id(
        "AWS::Lambda::Function", FunctionName=physical_name("churnops", function)
    )
    assert len(synthesised.resources[function_id]["Properties"]["Layers"]) == layers


def test_log_groups_have_retention(synthesised):
    groups = synthesised.of_type("AWS::Logs::LogGroup")
    assert len(groups) == len(FUNCTIONS) + 2  # plus API access logs and workflow logs
    for logical_id, group in groups.items():
        assert group["Properties"]["RetentionInDays"] == 30, logical_id


def test_context_overrides_defaults():
    settings = StackSettings.from_context(
        {
            "bucket_name": "churnops-artifacts-123456789012",
            "retain_data": "false",
            "api_rate_limit": "5",
            "function_sizes": {"train": {"memory_mb": 4096}},
            "function_environment": {"monitor": {"CHURNOPS_DRIFT_ALPHA": 0.01}},
        }
    )
    assert settings.bucket_name == "churnops-artifacts-123456789012"
    assert settings.retain_data is False
    assert settings.api_rate_limit == 5.0
    assert settings.function_sizes["train"] == FunctionSize(memory_mb=4096, timeout_s=900)
    assert settings.function_sizes["predict"] == FunctionSize(memory_mb=1024, timeout_s=15)
    assert settings.function_environment == {"monitor": {"CHURNOPS_DRIFT_ALPHA": "0.01"}}


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"function_sizes": {"trainer": {"memory_mb": 512}}}, "unknown function 'trainer'"),
        ({"function_sizes": {"train": {"memory_mb": 64}}}, "memory_mb must be 128-10240"),
        ({"function_sizes": {"train": {"timeout_s": 901}}}, "timeout_s must be 1-900"),
        ({"retain_data": "maybe"}, "'retain_data' must be true or false"),
        ({"function_environment": {"api": {"X": "1"}}}, "unknown function 'api'"),
    ],
)
def test_bad_context_rejected(context, message):
    with pytest.raises(ValueError, match=message):
        StackSettings.from_context(context)


def test_unsupported_retention_rejected():
    with pytest.raises(ValueError, match="log_retention_days must be one of"):
        retention(10)


def test_destroy_mode_drops_retain(tmp_path):
    synthesised = synthesise(tmp_path, retain_data=False)
    for kind in ("AWS::S3::Bucket", "AWS::DynamoDB::Table"):
        for logical_id, resource in synthesised.of_type(kind).items():
            assert resource.get("DeletionPolicy") == "Delete", logical_id
