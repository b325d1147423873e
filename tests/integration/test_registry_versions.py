"""Registering versions, version numbers, artifacts in S3 and checksum-verified loading."""

from __future__ import annotations

import hashlib
import json
import threading

import onnxruntime
import pytest

from churnops.registry import (
    ArtifactChecksumMismatch,
    ArtifactMissing,
    AuditEvent,
    InvalidModelDirectory,
    InvalidRegistryValue,
    NoProductionVersion,
    Stage,
    StoreUnavailable,
    get_model_state,
    get_run,
    get_version,
    list_versions,
    load_model_bytes,
    production_version,
    read_entries,
    register,
)


def test_register_uploads_artifacts_and_records_version(store, make_model_dir):
    directory = make_model_dir("run-001", auc=0.8412, brier=0.1377)

    record = register(store, directory, reason="first model", actor="alice")

    assert record.version == 1
    assert record.stage is Stage.NONE
    assert record.run_id == "run-001"
    assert record.created_by == "alice"
    assert record.reason == "first model"
    assert record.threshold == 0.35
    assert record.metrics["auc"] == 0.8412
    assert record.metrics["brier"] == 0.1377
    onnx_bytes = (directory / "model.onnx").read_bytes()
    assert record.model_sha256 == hashlib.sha256(onnx_bytes).hexdigest()
    assert sorted(record.artifacts) == ["model.onnx", "model_card.md", "profile.json", "run.json"]
    for name in ("model.onnx", "run.json", "profile.json"):
        key = record.artifacts[name]["key"]
        assert key == f"models/churn/v1/{name}"
        stored = store.s3.get_object(Bucket=store.bucket, Key=key)["Body"].read()
        assert stored == (directory / name).read_bytes()
        assert record.artifacts[name]["sha256"] == hashlib.sha256(stored).hexdigest()
    assert get_version(store, 1) == record


def test_register_writes_model_card(store, make_model_dir):
    record = register(store, make_model_dir("run-card"), reason="card", actor="alice")

    key = record.artifacts["model_card.md"]["key"]
    card = store.s3.get_object(Bucket=store.bucket, Key=key)["Body"].read().decode("utf-8")

    assert card.startswith("# Model card: churn version 1")
    assert "run-card" in card
    assert record.model_sha256 in card
    assert "| ROC AUC | 0.8400 |" in card
    assert "Registered by alice" in card


def test_register_floats_round_trip_exactly(store, make_model_dir):
    awkward = 0.1 + 0.2  # 0.30000000000000004: not representable with fewer digits

    register(store, make_model_dir("run-float", auc=awkward), reason="floats", actor="alice")

    assert get_version(store, 1).metrics["auc"] == awkward
    assert get_run(store, "run-float").metrics["auc"] == awkward


def test_register_concurrent_numbers_unique(store, make_model_dir):
    directories = [make_model_dir(f"run-{index:03d}") for index in range(8)]
    barrier = threading.Barrier(len(directories))
    versions: list[int] = []
    errors: list[Exception] = []

    def register_one(directory):
        barrier.wait()
        try:
            versions.append(register(store, directory, reason="race", actor="ci").version)
        except Exception as exc:  # collected so the assertion below shows it
            errors.append(exc)

    threads = [threading.Thread(target=register_one, args=(path,)) for path in directories]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(versions) == list(range(1, 9))
    assert [item.version for item in list_versions(store)] == list(range(1, 9))
    assert get_model_state(store).version_counter == 8
    registrations = read_entries(store, event=AuditEvent.REGISTER)
    assert sorted(entry.version for entry in registrations) == list(range(1, 9))


def test_register_same_run_concurrently(store, make_model_dir):
    directory = make_model_dir("run-shared")
    barrier = threading.Barrier(4)
    versions: list[int] = []

    def register_one():
        barrier.wait()
        versions.append(register(store, directory, reason="same run", actor="ci").version)

    threads = [threading.Thread(target=register_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(versions) == [1, 2, 3, 4]
    assert get_run(store, "run-shared").versions == (1, 2, 3, 4)


def test_register_failed_upload_skips_number(store, make_model_dir, monkeypatch):
    real_put_object = store.s3.put_object
    calls = []

    def put_object_failing_on_second(**arguments):
        calls.append(arguments["Key"])
        if len(calls) == 2:
            from botocore.exceptions import EndpointConnectionError

            raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")
        return real_put_object(**arguments)

    monkeypatch.setattr(store.s3, "put_object", put_object_failing_on_second)
    with pytest.raises(StoreUnavailable, match="PutObject"):
        register(store, make_model_dir("run-fails"), reason="fails", actor="ci")
    monkeypatch.setattr(store.s3, "put_object", real_put_object)

    listed = store.s3.list_objects_v2(Bucket=store.bucket, Prefix="models/churn/v1/")
    assert listed.get("KeyCount", 0) == 0
    assert list_versions(store) == []
    record = register(store, make_model_dir("run-next"), reason="works", actor="ci")
    assert record.version == 2
    assert get_model_state(store).version_counter == 2


@pytest.mark.parametrize("missing", ["model.onnx", "run.json", "profile.json"])
def test_register_missing_file_rejected(store, make_model_dir, missing):
    directory = make_model_dir("run-missing")
    (directory / missing).unlink()

    with pytest.raises(InvalidModelDirectory, match=f"is missing {missing}"):
        register(store, directory, reason="incomplete", actor="ci")

    assert get_model_state(store).version_counter == 0


def test_register_checksum_disagreement_rejected(store, make_model_dir):
    directory = make_model_dir("run-mixed")
    run = json.loads((directory / "run.json").read_text())
    run["model_sha256"] = "0" * 64
    (directory / "run.json").write_text(json.dumps(run))

    with pytest.raises(InvalidModelDirectory, match="records model_sha256 0000"):
        register(store, directory, reason="mixed", actor="ci")

    assert get_model_state(store).version_counter == 0


def test_register_nan_metric_names_key(store, make_model_dir):
    directory = make_model_dir("run-nan")
    run = json.loads((directory / "run.json").read_text())
    run["holdout"]["brier"] = float("nan")
    (directory / "run.json").write_text(json.dumps(run))

    with pytest.raises(InvalidRegistryValue, match=r"metrics\.brier: nan cannot be stored"):
        register(store, directory, reason="nan", actor="ci")

    assert get_model_state(store).version_counter == 0


def test_register_missing_threshold_rejected(store, make_model_dir):
    directory = make_model_dir("run-no-threshold")
    run = json.loads((directory / "run.json").read_text())
    del run["model"]["threshold"]
    (directory / "run.json").write_text(json.dumps(run))

    with pytest.raises(InvalidRegistryValue, match="missing key 'model.threshold'"):
        register(store, directory, reason="bad", actor="ci")


def test_load_model_bytes_returns_runnable_onnx(store, make_model_dir):
    directory = make_model_dir("run-load")
    record = register(store, directory, reason="load", actor="ci")

    data = load_model_bytes(store, record)

    assert data == (directory / "model.onnx").read_bytes()
    session = onnxruntime.InferenceSession(data, providers=["CPUExecutionProvider"])
    assert [output.name for output in session.get_outputs()] == ["label", "probabilities"]


def test_load_model_bytes_rejects_tampered_object(store, make_model_dir):
    record = register(store, make_model_dir("run-tamper"), reason="tamper", actor="ci")
    key = record.artifacts["model.onnx"]["key"]
    original = store.s3.get_object(Bucket=store.bucket, Key=key)["Body"].read()
    store.s3.put_object(Bucket=store.bucket, Key=key, Body=original[:-1] + b"\x00")

    with pytest.raises(ArtifactChecksumMismatch, match=f"{key} has SHA-256 .* was recorded"):
        load_model_bytes(store, record)


def test_load_model_bytes_missing_object(store, make_model_dir):
    record = register(store, make_model_dir("run-gone"), reason="gone", actor="ci")
    store.s3.delete_object(Bucket=store.bucket, Key=record.artifacts["model.onnx"]["key"])

    with pytest.raises(ArtifactMissing, match="not found"):
        load_model_bytes(store, record)


def test_production_version_absent_raises(store, make_model_dir):
    register(store, make_model_dir("run-idle"), reason="idle", actor="ci")

    with pytest.raises(NoProductionVersion, match="churn has no Production version"):
        production_version(store)


def test_get_version_unknown_raises(store):
    from churnops.registry import VersionNotFound

    with pytest.raises(VersionNotFound, match="version 7 of model churn not found"):
        get_version(store, 7)


def test_missing_table_reports_name(aws, settings):
    from churnops.registry import RegistryStore

    store = RegistryStore.from_settings(settings)

    with pytest.raises(StoreUnavailable, match="churnops-registry not found"):
        get_version(store, 1)


def test_register_training_output(store, trained_model_dir):
    # GIVEN the directory `churnops train` wrote (trained once per session by tests/conftest.py)
    run = json.loads((trained_model_dir / "run.json").read_text())

    record = register(store, trained_model_dir, reason="real training output", actor="ci")

    assert record.run_id == run["run_id"]
    assert record.threshold == run["model"]["threshold"]
    assert record.metrics["auc"] == run["holdout"]["auc"]
    assert record.family == run["model"]["family"]
    assert get_run(store, run["run_id"]).data["sha256"] == run["data"]["sha256"]
    from churnops.scoring import ChurnModel

    data = load_model_bytes(store, record)
    model = ChurnModel.from_bytes(data, expected_sha256=record.model_sha256)
    assert model.threshold == pytest.approx(run["model"]["threshold"])
