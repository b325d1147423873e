"""`churnops predict` on the command line: scores, and clear errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def run_predict(model_dir, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "churnops", "predict", "--model", str(model_dir), *args]
    return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=60)


def test_scores_one_customer(trained_model_dir, valid_customer):
    result = run_predict(trained_model_dir, "--json", json.dumps(valid_customer))
    assert result.returncode == 0, result.stderr
    (prediction,) = json.loads(result.stdout)["predictions"]
    assert prediction["customer_id"] == "7590-VHVEG"
    assert 0.0 <= prediction["churn_probability"] <= 1.0


def test_scores_batch_from_stdin(trained_model_dir, valid_customer):
    body = json.dumps({"instances": [valid_customer, dict(valid_customer, customer_id="x")]})
    result = run_predict(trained_model_dir, stdin=body)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["predictions"]) == 2


def test_scores_from_file(trained_model_dir, valid_customer, tmp_path):
    path = tmp_path / "request.json"
    path.write_text(json.dumps(valid_customer))
    result = run_predict(trained_model_dir, "--file", str(path))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"tenure": None}, "tenure: must be a number"),
        ({"tenure": "twelve"}, "tenure: must be a number"),
        ({"tenure": -4}, "tenure: must be >= 0"),
        ({"monthly_charges": 1e300}, "monthly_charges: must be <= 100000"),
        ({"contract": "Weekly"}, "contract: is not an allowed value"),
    ],
)
def test_bad_field_named(trained_model_dir, valid_customer, change, expected):
    result = run_predict(trained_model_dir, "--json", json.dumps({**valid_customer, **change}))
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_field_named(trained_model_dir, valid_customer):
    del valid_customer["payment_method"]
    result = run_predict(trained_model_dir, "--json", json.dumps(valid_customer))
    assert result.returncode == 2
    assert "payment_method: is required" in result.stderr


def test_nan_rejected(trained_model_dir, valid_customer):
    text = json.dumps(valid_customer).replace("29.85,", "NaN,", 1)
    result = run_predict(trained_model_dir, "--json", text)
    assert result.returncode == 2
    assert "monthly_charges: must be a finite number" in result.stderr


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[1, 2]", "body: must be a JSON object"),
        ('"customer"', "body: must be a JSON object"),
        ('{"instances": []}', "instances: must hold at least one customer"),
        ("{not json", "is not valid JSON"),
        ("", "is not valid JSON"),
    ],
)
def test_malformed_body_rejected(trained_model_dir, body, expected):
    result = run_predict(trained_model_dir, "--json", body)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_model_dir_explained(tmp_path, valid_customer):
    result = run_predict(tmp_path / "none", "--json", json.dumps(valid_customer))
    assert result.returncode == 2
    assert "no model.onnx" in result.stderr


def test_tampered_model_rejected(trained_model_dir, valid_customer, tmp_path):
    copy = tmp_path / "model"
    copy.mkdir()
    (copy / "run.json").write_bytes((trained_model_dir / "run.json").read_bytes())
    data = bytearray((trained_model_dir / "model.onnx").read_bytes())
    data[-10] ^= 0x01
    (copy / "model.onnx").write_bytes(bytes(data))
    result = run_predict(copy, "--json", json.dumps(valid_customer))
    assert result.returncode == 2
    assert "SHA-256" in result.stderr
