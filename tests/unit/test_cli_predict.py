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


@pytest.fixture
def fake_api():
    """A loopback HTTP server standing in for the deployed API; records requests."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's naming)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append({"path": self.path, "key": self.headers.get("x-api-key"), "body": body})
            status = 400 if "bad" in json.dumps(body) else 200
            payload = json.dumps({"model_version": 3, "predictions": [], "status": status}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/prod", seen
    server.shutdown()


def test_url_posts_to_predict_with_key(fake_api, valid_customer):
    url, seen = fake_api
    command = [sys.executable, "-m", "churnops", "predict", "--url", url, "--api-key", "k-123",
               "--json", json.dumps(valid_customer)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["model_version"] == 3
    assert seen == [{"path": "/prod/predict", "key": "k-123", "body": valid_customer}]


def test_url_error_status_exits_nonzero(fake_api):
    url, _ = fake_api
    command = [sys.executable, "-m", "churnops", "predict", "--url", url, "--json", '{"x": "bad"}']
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "HTTP 400" in result.stderr


def test_url_unreachable_explained():
    command = [sys.executable, "-m", "churnops", "predict", "--url", "http://127.0.0.1:9",
               "--json", "{}", "--timeout", "2"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "cannot reach http://127.0.0.1:9/predict" in result.stderr
    assert "Traceback" not in result.stderr
