"""Measure churnops' drift check and CBPE on the Telco data, beside the case study's KS check.

Reference: the stratified 80% training part (seed 42, as in training), profiled
with `churnops.profile.build_profile`. Batches come from the 20% holdout, drawn
without replacement while the holdout (or the sub-population a shift needs) has
enough rows, and with replacement beyond that (all 5,000-row batches, and the
shifted batches whose sub-population is smaller than the batch).

Shifts: monthly charges raised by 10%, with total charges unchanged because a
new price has not been billed yet. The share of month-to-month fibre customers
doubled. New customers only (tenure under 12 months). The case study's method is a
two-sample KS test per numeric column against the raw training part at
p < 0.05 with no correction; it cannot test text columns.

CBPE: a calibrated logistic regression trained on the training part scores each
batch. The estimated AUC is printed beside the AUC realised with the true labels.

Run: PYTHONPATH=. .venv/bin/python benchmarks/drift_evaluation.py [--batches 200]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from churnops.data import load_dataset
from churnops.drift import DriftConfig, check_drift
from churnops.drift.correction import adjust
from churnops.performance import estimate_auc, roc_auc
from churnops.profile import build_profile
from churnops.schema import Schema, load_schema

DATA = Path(__file__).resolve().parents[1] / "data" / "telco_customer_churn.csv"
SIZES = (100, 200, 1000, 5000)
Batch = tuple[pd.DataFrame, np.ndarray]
Scenario = Callable[[pd.DataFrame, np.ndarray, np.random.Generator, int], Batch]


def draw(frame: pd.DataFrame, labels: np.ndarray, rng: np.random.Generator, size: int) -> Batch:
    """Draw `size` rows, with replacement only when the pool is smaller than `size`."""
    index = rng.choice(len(frame), size=size, replace=size > len(frame))
    return frame.iloc[index].reset_index(drop=True), labels[index]


def no_shift(frame: pd.DataFrame, labels: np.ndarray, rng: np.random.Generator, size: int) -> Batch:
    return draw(frame, labels, rng, size)


def price_rise(
    frame: pd.DataFrame, labels: np.ndarray, rng: np.random.Generator, size: int
) -> Batch:
    batch, batch_labels = draw(frame, labels, rng, size)
    batch["monthly_charges"] = batch["monthly_charges"] * 1.10
    return batch, batch_labels


def fibre_monthly_doubled(
    frame: pd.DataFrame, labels: np.ndarray, rng: np.random.Generator, size: int
) -> Batch:
    monthly = frame["contract"] == "Month-to-month"
    chosen = (monthly & (frame["internet_service"] == "Fiber optic")).to_numpy()
    count = int(round(2 * chosen.mean() * size))
    inside = draw(frame[chosen], labels[chosen], rng, count)
    outside = draw(frame[~chosen], labels[~chosen], rng, size - count)
    order = rng.permutation(size)
    batch = pd.concat([inside[0], outside[0]], ignore_index=True).iloc[order]
    return batch.reset_index(drop=True), np.concatenate([inside[1], outside[1]])[order]


def new_customers(
    frame: pd.DataFrame, labels: np.ndarray, rng: np.random.Generator, size: int
) -> Batch:
    chosen = (frame["tenure"] < 12).to_numpy()
    return draw(frame[chosen], labels[chosen], rng, size)


SCENARIOS: dict[str, Scenario] = {
    "none (drift-free)": no_shift,
    "monthly charges +10%": price_rise,
    "month-to-month fibre x2": fibre_monthly_doubled,
    "new customers only": new_customers,
}


def case_study_alarm(train: pd.DataFrame, batch: pd.DataFrame, schema: Schema) -> bool:
    """Return whether any numeric column's two-sample KS p-value is below 0.05."""
    return any(
        stats.ks_2samp(train[name], batch[name]).pvalue < 0.05 for name in schema.numeric_fields
    )


def train_model(train: pd.DataFrame, labels: np.ndarray, schema: Schema) -> CalibratedClassifierCV:
    """Fit a logistic regression and an isotonic calibrator on its 5-fold predictions."""
    encode = ColumnTransformer([
        ("numeric", StandardScaler(), schema.numeric_fields),
        ("categorical", OneHotEncoder(handle_unknown="ignore"), schema.categorical_fields),
    ])
    pipeline = make_pipeline(encode, LogisticRegression(max_iter=2000))
    calibrated = CalibratedClassifierCV(pipeline, method="isotonic", cv=5, ensemble=False)
    return calibrated.fit(train, labels)


def evaluate(args: argparse.Namespace) -> dict[str, list[dict]]:
    """Run every scenario at every size; keep per-batch p-values, PSIs and AUCs."""
    schema = load_schema()
    dataset = load_dataset(args.data, schema)
    train, holdout, train_labels, holdout_labels = train_test_split(
        dataset.features, dataset.labels, test_size=0.2, stratify=dataset.labels, random_state=42
    )
    profile = build_profile(train, schema)
    model = train_model(train, train_labels, schema)
    rng = np.random.default_rng(args.seed)
    records: dict[str, list[dict]] = {}
    for size in SIZES:
        for name, scenario in SCENARIOS.items():
            rows = []
            for _ in range(args.batches):
                batch, labels = scenario(holdout, holdout_labels, rng, size)
                started = time.perf_counter()
                # The evaluated sizes include 100, below the default minimum of 200.
                report = check_drift(profile, batch, DriftConfig(min_rows=100))
                seconds = time.perf_counter() - started
                tested = [f for f in report["features"] if f["p_value"] is not None]
                scores = model.predict_proba(batch)[:, 1] if size == 1000 else None
                rows.append({
                    "alarm": report["drift_detected"],
                    "seconds": seconds,
                    "case_study": case_study_alarm(train, batch, schema),
                    "p_values": [f["p_value"] for f in tested],
                    "psi": [f["psi"] for f in tested],
                    "drifted": [
                        f["feature"] for f in report["features"] if f["verdict"] == "drift"
                    ],
                    "estimated_auc": None if scores is None else estimate_auc(scores),
                    "realised_auc": None if scores is None else roc_auc(labels, scores),
                })
            records[f"{size}|{name}"] = rows
    return records


def alarm_rate(rows: list[dict], correction: str, alpha: float, psi_floor: float) -> float:
    """Recompute the share of alarms under other settings from stored p-values and PSIs."""
    alarms = 0
    for row in rows:
        adjusted = adjust(row["p_values"], correction)
        alarms += any(p < alpha and s >= psi_floor for p, s in zip(adjusted, row["psi"]))
    return alarms / len(rows)


def print_tables(records: dict[str, list[dict]]) -> None:
    """Print alarm rates, a settings sweep and CBPE figures as Markdown tables."""
    print("\n| rows | shift | churnops alarms | case study alarms | largest PSI: p1 / p50 / p99 "
          "| features flagged most | ms per check |")
    print("| ---: | --- | ---: | ---: | --- | --- | ---: |")
    for key, rows in records.items():
        size, name = key.split("|")
        flagged = pd.Series([f for row in rows for f in row["drifted"]]).value_counts()
        top = ", ".join(f"{f} {n / len(rows):.0%}" for f, n in flagged.head(3).items()) or "-"
        ours = np.mean([row["alarm"] for row in rows])
        theirs = np.mean([row["case_study"] for row in rows])
        largest = np.percentile([max(row["psi"]) for row in rows], [1, 50, 99])
        spread = " / ".join(f"{value:.3f}" for value in largest)
        milliseconds = 1000 * np.mean([row["seconds"] for row in rows])
        ours_text = f"{ours:.1%}" if int(size) >= DriftConfig().min_rows else "(below min_rows)"
        print(f"| {int(size):,} | {name} | {ours_text} | {theirs:.1%} | {spread} | {top} "
              f"| {milliseconds:.0f} |")
    settings = [
        ("none", 0.0), ("bh", 0.0), ("holm", 0.0), ("holm", 0.05), ("holm", 0.1), ("holm", 0.2)
    ]
    print("\n| rows | shift | " + " | ".join(f"{c}, PSI>={f}" for c, f in settings) + " |")
    print("| ---: | --- |" + " ---: |" * len(settings))
    for key, rows in records.items():
        size, name = key.split("|")
        rates = [alarm_rate(rows, c, 0.05, f) for c, f in settings]
        print(f"| {int(size):,} | {name} | " + " | ".join(f"{r:.1%}" for r in rates) + " |")
    print("\n| shift (1,000 rows) | realised AUC | CBPE estimate | mean abs. error "
          "| max abs. error |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for key, rows in records.items():
        size, name = key.split("|")
        if int(size) != 1000:
            continue
        realised = np.array([row["realised_auc"] for row in rows])
        estimated = np.array([row["estimated_auc"] for row in rows])
        error = np.abs(estimated - realised)
        print(f"| {name} | {realised.mean():.3f} | {estimated.mean():.3f} "
              f"| {error.mean():.3f} | {error.max():.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=200, help="batches per size and shift")
    parser.add_argument("--seed", type=int, default=7, help="seed of the batch draws")
    parser.add_argument("--data", type=Path, default=DATA, help="Telco churn CSV")
    args = parser.parse_args()
    started = time.perf_counter()
    records = evaluate(args)
    print(f"defaults: {DriftConfig()}")
    print_tables(records)
    print(f"\n{args.batches} batches per row; {time.perf_counter() - started:.0f} s in total")


if __name__ == "__main__":
    main()
