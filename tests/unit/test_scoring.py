"""Scoring an exported model: checksum, metadata, batch order, light imports."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from churnops.scoring import ChecksumMismatch, ChurnModel, ModelInvalid
from churnops.validation import RequestInvalid


@pytest.fixture(scope="module")
def model_bytes(trained_model_dir) -> bytes:
    return (trained_model_dir / "model.onnx").read_bytes()


def test_model_loads_with_its_recorded_checksum(model_bytes, trained_model_dir):
    expected = json.loads((trained_model_dir / "run.json").read_text())["model_sha256"]
    model = ChurnModel.from_bytes(model_bytes, expected_sha256=expected)
    assert model.sha256 == expected
    assert 0.0 < model.threshold < 1.0
    assert model.schema.name == "telco"


def test_tampered_bytes_rejected(model_bytes, trained_model_dir):
    expected = json.loads((trained_model_dir / "run.json").read_text())["model_sha256"]
    tampered = bytearray(model_bytes)
    tampered[len(tampered) // 2] ^= 0xFF
    with pytest.raises(ChecksumMismatch, match="expected " + expected):
        ChurnModel.from_bytes(bytes(tampered), expected_sha256=expected)


def test_garbage_bytes_rejected():
    with pytest.raises(ModelInvalid, match="cannot load"):
        ChurnModel.from_bytes(b"not an onnx model")


def test_batch_scores_in_request_order(model_bytes, valid_customer):
    model = ChurnModel.from_bytes(model_bytes)
    loyal = dict(valid_customer, customer_id="b", tenure=72, contract="Two year",
                 total_charges=72 * 29.85, payment_method="Credit card (automatic)")
    results = model.score([valid_customer, loyal])
    assert [r["customer_id"] for r in results] == ["7590-VHVEG", "b"]
    assert all(0.0 <= r["churn_probability"] <= 1.0 for r in results)
    assert results[0]["churn_probability"] > results[1]["churn_probability"]
    assert results[0]["churn"] == (results[0]["churn_probability"] >= model.threshold)


def test_invalid_record_not_scored(model_bytes, valid_customer):
    model = ChurnModel.from_bytes(model_bytes)
    with pytest.raises(RequestInvalid):
        model.score([dict(valid_customer, tenure=-3)])


def test_scoring_imports_no_pandas_or_sklearn(trained_model_dir, valid_customer):
    script = (
        "import json, sys\n"
        "from churnops.scoring import ChurnModel\n"
        f"model = ChurnModel.from_bytes(open({str(trained_model_dir / 'model.onnx')!r}, 'rb').read())\n"
        f"model.score([json.loads({json.dumps(valid_customer)!r})])\n"
        "heavy = sorted(m for m in ('pandas', 'sklearn', 'scipy', 'skl2onnx') if m in sys.modules)\n"
        "print(json.dumps(heavy))\n"
    )
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert json.loads(output.stdout) == []
