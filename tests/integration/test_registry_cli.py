"""`churnops models`: the register-to-rollback flow from the command line."""

from __future__ import annotations

import json

import pytest


def test_models_cli_full_flow(store, make_model_dir, run_cli, monkeypatch):
    monkeypatch.setenv("CHURNOPS_ACTOR", "cli-user")
    for run_id in ("run-1", "run-2"):
        code, out, _ = run_cli("models", "register", str(make_model_dir(run_id)), "--json")
        assert code == 0
        assert json.loads(out)["run_id"] == run_id

    steps = [
        ("models", "transition", "1", "staging", "--reason", "validate"),
        ("models", "promote", "1", "--reason", "first"),
        ("models", "transition", "2", "Staging", "--reason", "validate"),
        ("models", "promote", "2", "--reason", "better"),
        ("models", "rollback", "--reason", "bad canary"),
    ]
    outputs = [run_cli(*argv) for argv in steps]
    code, listed, _ = run_cli("models", "list", "--json")
    code_table, table, _ = run_cli("models", "list")
    code_check, check, _ = run_cli("models", "check")

    assert [result[0] for result in outputs] == [0, 0, 0, 0, 0]
    assert outputs[1][1] == "version 1 is now in Production\n"
    assert outputs[4][1] == "rolled back: version 1 is in Production\n"
    assert code == 0
    assert [(item["version"], item["stage"]) for item in json.loads(listed)] == [
        (1, "Production"),
        (2, "Archived"),
    ]
    assert {item["created_by"] for item in json.loads(listed)} == {"cli-user"}
    assert code_table == 0
    header, first, second = table.splitlines()
    expected_header = ["VERSION", "STAGE", "AUC", "BRIER", "THRESHOLD", "RUN", "CREATED", "BY"]
    assert header.split() == expected_header
    assert first.split()[:3] == ["*", "1", "Production"]
    assert second.split()[:2] == ["2", "Archived"]
    assert code_check == 0
    assert check == "registry is consistent\n"


def test_models_cli_show_table_and_json(store, make_model_dir, run_cli):
    run_cli("models", "register", str(make_model_dir("run-1")), "--reason", "first")

    code, show_output, _ = run_cli("models", "show", "1")
    code_json, show_json, _ = run_cli("models", "show", "1", "--json")

    assert code == 0
    assert "stage: None" in show_output.splitlines()
    assert "reason: first" in show_output.splitlines()
    assert code_json == 0
    assert json.loads(show_json)["artifacts"]["model.onnx"]["key"] == "models/churn/v1/model.onnx"


def test_models_cli_illegal_promotion_exits_2(store, make_model_dir, run_cli):
    run_cli("models", "register", str(make_model_dir("run-1")))

    code, out, err = run_cli("models", "promote", "1", "--reason", "skip staging")

    assert code == 2
    assert out == ""
    assert err == (
        "error: version 1 cannot move from None to Production: "
        "from None the allowed moves are to Staging or Archived\n"
    )


def test_models_cli_promote_requires_reason(store, run_cli):
    with pytest.raises(SystemExit) as exit_info:
        run_cli("models", "promote", "1")

    assert exit_info.value.code == 2


def test_models_cli_flags_override_environment(store, make_model_dir, run_cli, monkeypatch):
    monkeypatch.setenv("CHURNOPS_REGISTRY_TABLE", "no-such-table")

    code_env, _, err_env = run_cli("models", "list")
    code_flag, out_flag, _ = run_cli(
        "models", "list", "--registry-table", store.registry_table, "--json"
    )

    assert code_env == 2
    assert "no-such-table not found" in err_env
    assert code_flag == 0
    assert json.loads(out_flag) == []
