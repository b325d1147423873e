"""Predict handler against the case study's serving path, on the same real rows.

churnops: the Lambda handler handles an API Gateway event for `POST /predict`
(validation, ONNX scoring, prediction log written to DynamoDB in moto). Case
study: a Flask app's test client posts the same customer to a route that builds
a one-row DataFrame, calls a scikit-learn pipeline and appends to a list. Cold
start runs each side in a fresh process: imports, model load, first response.

    .venv/bin/python benchmarks/predict_handler.py
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
})
os.environ.pop("AWS_ENDPOINT_URL", None)

from benchmarks import serving_setup  # noqa: E402


def percentiles(samples: list[float]) -> tuple[float, float]:
    values = np.array(samples) * 1000
    return float(np.percentile(values, 50)), float(np.percentile(values, 99))


def time_requests(send, customers: list[dict], repeat: int) -> list[float]:
    samples = []
    for index in range(repeat):
        started = time.perf_counter()
        send(customers[index % len(customers)])
        samples.append(time.perf_counter() - started)
    return samples


def cold_start(side: str, model_dir: Path, pickle_path: Path, customer: dict) -> float:
    command = [sys.executable, "-m", "benchmarks.serving_setup", side, str(model_dir),
               str(pickle_path), json.dumps(customer)]
    output = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    return float(output.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=500, help="requests per side")
    parser.add_argument("--cold-runs", type=int, default=3, help="fresh processes per side")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        model_dir, pipeline = serving_setup.train_model(Path(folder))
        pickle_path = Path(folder) / "pipeline.pkl"
        pickle_path.write_bytes(pickle.dumps(pipeline))
        customers = serving_setup.real_customers(200)

        with serving_setup.mocked_registry(model_dir):
            handler = serving_setup.load_handler()
            send_event = serving_setup.event_sender(handler)
            send_event(customers[0])
            with contextlib.redirect_stdout(io.StringIO()):  # EMF metric lines
                ours = percentiles(time_requests(send_event, customers, args.repeat))
                serving_setup.disable_prediction_log()
                unlogged = percentiles(time_requests(send_event, customers, args.repeat))
        flask_client = serving_setup.flask_client(pipeline)
        theirs = percentiles(time_requests(flask_client, customers, args.repeat))

        cold = [
            np.median([cold_start(side, model_dir, pickle_path, customers[0]) for _ in range(args.cold_runs)])
            for side in ("handler", "flask")
        ]

    print("one POST /predict per request, real Telco customers")
    print(f"{'measure':<34}{'churnops':>10}{'case study':>12}{'ratio':>8}")
    print(f"{'p50 (ms)':<34}{ours[0]:>10.2f}{theirs[0]:>12.2f}{theirs[0] / ours[0]:>7.1f}x")
    print(f"{'p99 (ms)':<34}{ours[1]:>10.2f}{theirs[1]:>12.2f}{theirs[1] / ours[1]:>7.1f}x")
    share = (ours[0] - unlogged[0]) / ours[0]
    print(f"{'p50 without prediction log (ms)':<34}{unlogged[0]:>10.2f}   (log write: {share:.0%} of p50)")
    print(f"{'cold start, median (ms)':<34}{cold[0]:>10.0f}{cold[1]:>12.0f}{cold[1] / cold[0]:>7.1f}x")


if __name__ == "__main__":
    main()
