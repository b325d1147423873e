"""Scoring latency: churnops (ONNX) against the case study's scikit-learn path.

Both sides score the same real Telco rows in one process with the same fitted
model: churnops validates the request and runs the ONNX graph; the case study
calls `predict_proba` on a one-row DataFrame
and validates nothing. Cold start runs each side in fresh
processes: interpreter start, imports, model load, first score.

    .venv/bin/python benchmarks/scoring_latency.py [--family gradient_boosting]
"""

from __future__ import annotations

import argparse
import json
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from churnops.data import load_dataset  # noqa: E402
from churnops.export import to_onnx  # noqa: E402
from churnops.schema import load_schema  # noqa: E402
from churnops.scoring import ChurnModel  # noqa: E402
from churnops.training.candidates import build_pipeline, round_tree_thresholds  # noqa: E402

CHURNOPS_COLD = """
import json, sys
from churnops.scoring import ChurnModel
model = ChurnModel.from_bytes(open(sys.argv[1], "rb").read())
model.score([json.loads(sys.argv[2])])
"""
CASE_STUDY_COLD = """
import json, pickle, sys
import pandas as pd
pipeline = pickle.load(open(sys.argv[1], "rb"))
pipeline.predict_proba(pd.DataFrame([json.loads(sys.argv[2])]))
"""


def percentiles(samples: list[float]) -> tuple[float, float]:
    values = np.array(samples) * 1000
    return float(np.percentile(values, 50)), float(np.percentile(values, 99))


def time_calls(call, arguments: list, repeat: int) -> list[float]:
    samples = []
    for index in range(repeat):
        argument = arguments[index % len(arguments)]
        started = time.perf_counter()
        call(argument)
        samples.append(time.perf_counter() - started)
    return samples


def cold_start(script: str, model_path: Path, record: str, runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", script, str(model_path), record], check=True, cwd=ROOT)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", default="gradient_boosting")
    parser.add_argument("--repeat", type=int, default=1000, help="single-row calls per side")
    parser.add_argument("--batch-repeat", type=int, default=30, help="1,000-row calls per side")
    parser.add_argument("--cold-runs", type=int, default=5, help="fresh processes per side")
    args = parser.parse_args()

    schema = load_schema()
    dataset = load_dataset(ROOT / "data" / "telco_customer_churn.csv", schema)
    frame = dataset.features
    pipeline = build_pipeline(args.family, schema, seed=42).fit(frame, dataset.labels)
    round_tree_thresholds(pipeline)
    onnx_bytes = to_onnx(pipeline, schema, {"threshold": 0.5, "family": args.family, "run_id": "bench"})
    model = ChurnModel.from_bytes(onnx_bytes)

    records = frame.assign(customer_id=dataset.ids.to_numpy()).to_dict(orient="records")
    row_frames = [frame.iloc[[i]] for i in range(200)]
    batch_records = records[:1000]
    batch_frame = frame.iloc[:1000]

    results = {
        "single row": (
            percentiles(time_calls(lambda r: model.score([r]), records[:200], args.repeat)),
            percentiles(time_calls(pipeline.predict_proba, row_frames, args.repeat)),
        ),
        "batch of 1,000": (
            percentiles(time_calls(model.score, [batch_records], args.batch_repeat)),
            percentiles(time_calls(pipeline.predict_proba, [batch_frame], args.batch_repeat)),
        ),
    }
    with tempfile.TemporaryDirectory() as folder:
        onnx_path, pickle_path = Path(folder) / "model.onnx", Path(folder) / "model.pkl"
        onnx_path.write_bytes(onnx_bytes)
        pickle_path.write_bytes(pickle.dumps(pipeline))
        record = records[0]
        text = json.dumps(record)
        case_record = json.dumps({k: v for k, v in record.items() if k != "customer_id"})
        cold = (
            cold_start(CHURNOPS_COLD, onnx_path, text, args.cold_runs),
            cold_start(CASE_STUDY_COLD, pickle_path, case_record, args.cold_runs),
        )

    print(f"model family: {args.family}; rows from data/telco_customer_churn.csv")
    print(f"{'measure':<28}{'churnops':>12}{'case study':>12}{'speed-up':>10}")
    for name, ((ours_p50, ours_p99), (theirs_p50, theirs_p99)) in results.items():
        print(f"{name + ' p50 (ms)':<28}{ours_p50:>12.3f}{theirs_p50:>12.3f}{theirs_p50 / ours_p50:>9.1f}x")
        print(f"{name + ' p99 (ms)':<28}{ours_p99:>12.3f}{theirs_p99:>12.3f}{theirs_p99 / ours_p99:>9.1f}x")
    print(f"{'cold start, median (ms)':<28}{cold[0]:>12.0f}{cold[1]:>12.0f}{cold[1] / cold[0]:>9.1f}x")


if __name__ == "__main__":
    main()
