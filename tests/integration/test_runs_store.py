"""Training runs: recorded from run.json, listed best first, compared, linked to versions."""

from __future__ import annotations

import json

import pytest

from churnops.registry import (
    InvalidRegistryValue,
    RunNotFound,
    compare_runs,
    get_run,
    get_version,
    list_runs,
    record_run,
    register,
)


def _run(make_model_dir, run_id: str, **overrides) -> dict:
    return json.loads((make_model_dir(run_id, **overrides) / "run.json").read_text())


def test_record_run_stores_provenance(store, make_model_dir):
    run = _run(make_model_dir, "run-a", auc=0.83, data_sha256="b" * 64)

    recorded = record_run(store, run, actor="alice")

    stored = get_run(store, "run-a")
    assert stored == recorded
    assert stored.params == {"seed": 42, "test_size": 0.2}
    assert stored.model_params == {"C": 1.0, "max_iter": 500}
    assert stored.metrics["auc"] == 0.83
    assert stored.metrics["cv_auc_mean"] == pytest.approx(0.82)
    assert stored.data["sha256"] == "b" * 64
    assert stored.data["rows"] == 400
    assert stored.git_commit == run["git_commit"]
    assert stored.model_sha256 == run["model_sha256"]
    assert stored.recorded_by == "alice"
    assert stored.versions == ()


def test_record_run_twice_is_noop(store, make_model_dir):
    run = _run(make_model_dir, "run-a")
    first = record_run(store, run, actor="alice")

    second = record_run(store, run, actor="bob")

    assert second == first
    assert get_run(store, "run-a").recorded_by == "alice"


def test_record_run_conflicting_id_rejected(store, make_model_dir):
    run = _run(make_model_dir, "run-a")
    record_run(store, run, actor="alice")
    run["model_sha256"] = "f" * 64

    with pytest.raises(InvalidRegistryValue, match="run run-a is already recorded"):
        record_run(store, run, actor="alice")


def test_record_run_invalid_id_rejected(store, make_model_dir):
    run = _run(make_model_dir, "run-a")
    run["run_id"] = "bad id/with slash"

    with pytest.raises(InvalidRegistryValue, match="run id 'bad id/with slash' is invalid"):
        record_run(store, run, actor="alice")


def test_list_runs_best_first(store, make_model_dir):
    for run_id, auc, brier in (("run-a", 0.81, 0.15), ("run-b", 0.85, 0.14), ("run-c", 0.83, 0.13)):
        record_run(store, _run(make_model_dir, run_id, auc=auc, brier=brier), actor="ci")

    by_auc = [run.run_id for run in list_runs(store)]
    by_brier = [run.run_id for run in list_runs(store, sort_by="brier")]
    worst_auc_first = [run.run_id for run in list_runs(store, ascending=True)]
    top = [run.run_id for run in list_runs(store, limit=1)]

    assert by_auc == ["run-b", "run-c", "run-a"]
    assert by_brier == ["run-c", "run-b", "run-a"]
    assert worst_auc_first == ["run-a", "run-c", "run-b"]
    assert top == ["run-b"]


def test_list_runs_unknown_metric_rejected(store, make_model_dir):
    record_run(store, _run(make_model_dir, "run-a"), actor="ci")

    with pytest.raises(InvalidRegistryValue, match="metric 'accuracy' is not recorded.*auc"):
        list_runs(store, sort_by="accuracy")


def test_compare_runs_reports_differences(store, make_model_dir):
    record_run(store, _run(make_model_dir, "run-a", auc=0.80), actor="ci")
    record_run(
        store,
        _run(make_model_dir, "run-b", auc=0.84, params={"seed": 7, "test_size": 0.2}),
        actor="ci",
    )

    comparison = compare_runs(get_run(store, "run-a"), get_run(store, "run-b"))

    assert comparison["a"] == "run-a"
    assert comparison["b"] == "run-b"
    assert comparison["metrics"]["auc"]["difference"] == pytest.approx(0.04)
    assert comparison["metrics"]["brier"]["difference"] == 0
    assert comparison["params"] == {"params.seed": {"a": 42, "b": 7}}
    assert comparison["same_data"] is True


def test_version_links_run(store, make_model_dir):
    directory = make_model_dir("run-linked")

    record = register(store, directory, reason="link", actor="ci")
    again = register(store, directory, reason="link again", actor="ci")

    assert get_version(store, record.version).run_id == "run-linked"
    assert get_run(store, "run-linked").versions == (record.version, again.version)


def test_get_run_unknown_raises(store):
    with pytest.raises(RunNotFound, match="run 'nope' of model churn not found"):
        get_run(store, "nope")


def test_runs_cli_list_and_show(store, make_model_dir, run_cli):
    for run_id, auc in (("run-a", 0.81), ("run-b", 0.85)):
        code, _, _ = run_cli("runs", "record", str(make_model_dir(run_id, auc=auc)))
        assert code == 0

    code, out, _ = run_cli("runs", "list", "--json")
    listed = json.loads(out)
    code_table, table, _ = run_cli("runs", "list", "--sort-by", "brier")
    code_show, show_output, _ = run_cli("runs", "show", "run-a", "--json")

    assert code == 0
    assert [run["run_id"] for run in listed] == ["run-b", "run-a"]
    assert code_table == 0
    assert table.splitlines()[0].split()[:3] == ["RUN", "BRIER", "AUC"]
    assert "run-a" in table
    assert code_show == 0
    assert json.loads(show_output)["metrics"]["auc"] == 0.81


def test_runs_cli_compare_table(store, make_model_dir, run_cli):
    run_cli("runs", "record", str(make_model_dir("run-a", auc=0.80)))
    run_cli("runs", "record", str(make_model_dir("run-b", auc=0.84)))

    code, out, _ = run_cli("runs", "compare", "run-a", "run-b")

    assert code == 0
    assert "same data: yes" in out
    auc_line = next(line for line in out.splitlines() if line.startswith("auc "))
    assert auc_line.split() == ["auc", "0.8000", "0.8400", "0.0400"]


def test_runs_cli_unknown_run_exits_2(store, run_cli):
    code, out, err = run_cli("runs", "show", "missing-run")

    assert code == 2
    assert out == ""
    assert err == "error: run 'missing-run' of model churn not found\n"
