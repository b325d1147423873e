"""`churnops train`: train on a CSV and write a gated model directory."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train on a CSV and write model.onnx, run.json and profile.json",
        description="Compare model families by cross-validated AUC, refit the winner, "
        "score it once on a stratified holdout, export it to ONNX behind a parity gate.",
    )
    parser.add_argument("--data", required=True, type=Path, help="training CSV with the schema's columns")
    parser.add_argument("--schema", type=Path, help="schema TOML file (default: the bundled Telco schema)")
    parser.add_argument("--out", required=True, type=Path, help="directory to write the model into")
    parser.add_argument("--seed", type=int, default=42, help="seed for the split, folds and models (default 42)")
    parser.add_argument(
        "--families",
        help="comma-separated model families to compare "
        "(default: logistic_regression,random_forest,gradient_boosting)",
    )
    parser.add_argument("--json", action="store_true", help="print the run record as one JSON object")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from churnops.data import load_dataset
    from churnops.schema import load_schema
    from churnops.training.run import TrainingConfig, train

    schema = load_schema(args.schema)
    dataset = load_dataset(args.data, schema)
    config = TrainingConfig(seed=args.seed)
    if args.families:
        config = TrainingConfig(seed=args.seed, families=tuple(args.families.split(",")))
    record = train(dataset, schema, args.out, config, progress=_stderr_progress())
    if args.json:
        print(json.dumps(record, sort_keys=True))
    else:
        _print_summary(record, args.out)
    return 0


def _stderr_progress():
    started = time.perf_counter()

    def report(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    return report


def _print_summary(record: dict[str, Any], out: Path) -> None:
    holdout = record["holdout"]
    print(f"model family    {record['model']['family']}")
    for family, result in record["selection"].items():
        print(f"  cv AUC        {family:<20} {result['cv_auc_mean']:.4f} +/- {result['cv_auc_std']:.4f}")
    print(f"holdout AUC     {holdout['auc']:.4f}")
    print(f"threshold       {holdout['threshold']:.3f}")
    print(f"precision       {holdout['precision']:.4f}")
    print(f"recall          {holdout['recall']:.4f}")
    print(f"F1              {holdout['f1']:.4f}")
    print(f"Brier score     {holdout['brier']:.4f}")
    print(f"parity gap      {record['parity']['max_abs_diff']:.2e} (tolerance {record['parity']['tolerance']:g})")
    print(f"model SHA-256   {record['model_sha256']}")
    print(f"written to      {out}")
