"""Dataset-level drift check: verdicts, edge cases and settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from churnops.drift import SCORE_FIELD, DriftConfig, DriftError, check_drift
from churnops.profile import build_profile
from churnops.schema import Schema

SCHEMA = Schema.from_dict({
    "name": "toy",
    "id": {"field": "customer_id", "column": "id"},
    "target": {"field": "churn", "column": "Churn", "positive": "Yes", "negative": "No"},
    "numeric": [{"field": "tenure", "min": 0, "max": 100, "integer": True},
                {"field": "charges", "min": 0, "max": 1000}],
    "categorical": [{"field": "plan", "values": ["basic", "plus", "pro"]},
                    {"field": "paperless", "values": ["No", "Yes"]}],
})


def make_features(rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "tenure": rng.integers(0, 73, rows).astype(float),
        "charges": rng.gamma(4.0, 15.0, rows),
        "plan": rng.choice(["basic", "plus", "pro"], rows, p=[0.5, 0.3, 0.2]).astype(object),
        "paperless": rng.choice(["No", "Yes"], rows, p=[0.4, 0.6]).astype(object),
    })


@pytest.fixture(scope="module")
def profile() -> dict:
    scores = np.random.default_rng(1).beta(2, 5, 3000)
    return build_profile(make_features(5000, seed=0), SCHEMA, scores=scores)


def by_feature(report: dict) -> dict[str, dict]:
    return {feature["feature"]: feature for feature in report["features"]}


def test_drift_free_window(profile: dict) -> None:
    report = check_drift(profile, make_features(1000, seed=11))
    assert report["drift_detected"] is False
    assert report["verdict"] == "no drift"
    assert report["rows"] == 1000
    assert {f["verdict"] for f in report["features"]} == {"no drift"}
    assert all(f["p_value_adjusted"] >= f["p_value"] for f in report["features"])


def test_shifted_numeric_flagged(profile: dict) -> None:
    window = make_features(1000, seed=12)
    window["charges"] *= 1.3
    report = check_drift(profile, window)
    charges = by_feature(report)["charges"]
    assert report["drift_detected"] is True
    assert charges["verdict"] == "drift"
    assert charges["test"] == "ks"
    assert "charges" in report["reason"]
    assert by_feature(report)["tenure"]["verdict"] == "no drift"


def test_shifted_category_flagged(profile: dict) -> None:
    window = make_features(1000, seed=13)
    window["plan"] = np.where(np.arange(1000) < 600, "pro", window["plan"])
    plan = by_feature(check_drift(profile, window))["plan"]
    assert plan["verdict"] == "drift"
    assert plan["test"] == "chi2"
    assert plan["psi"] >= 0.1


def test_trivial_shift_in_huge_window_not_flagged() -> None:
    # GIVEN 100,000 rows whose charges moved by 3% against 100,000 reference rows
    large = build_profile(make_features(100_000, seed=28), SCHEMA)
    window = make_features(100_000, seed=14)
    window["charges"] *= 1.03
    report = check_drift(large, window)
    charges = by_feature(report)["charges"]
    # THEN the p-value is tiny, yet the PSI floor keeps it from being an alarm
    assert charges["p_value_adjusted"] < 0.05
    assert charges["psi"] < 0.1
    assert charges["verdict"] == "no drift"
    assert "below the floor" in charges["reason"]
    assert report["drift_detected"] is False


def test_empty_window(profile: dict) -> None:
    report = check_drift(profile, make_features(0, seed=15))
    assert report["drift_detected"] is False
    assert report["verdict"] == "insufficient data"
    assert "0 rows" in report["reason"]
    assert all(f["p_value"] is None for f in report["features"])
    json.dumps(report, allow_nan=False)


def test_single_row(profile: dict) -> None:
    window = make_features(1, seed=16)
    window["charges"] = 999.0
    report = check_drift(profile, window)
    assert report["drift_detected"] is False
    assert report["verdict"] == "insufficient data"
    assert {f["verdict"] for f in report["features"]} == {"insufficient data"}


def test_constant_column_in_window(profile: dict) -> None:
    window = make_features(500, seed=17)
    window["tenure"] = 1.0
    tenure = by_feature(check_drift(profile, window))["tenure"]
    assert tenure["verdict"] == "drift"
    assert tenure["statistic"] > 0.9


def test_constant_column_in_reference_and_window() -> None:
    features = make_features(2000, seed=18)
    features["paperless"] = "Yes"
    features["tenure"] = 12.0
    constant = build_profile(features, SCHEMA)
    window = make_features(500, seed=19)
    window["paperless"] = "Yes"
    window["tenure"] = 12.0
    report = check_drift(constant, window)
    assert by_feature(report)["tenure"]["verdict"] == "no drift"
    assert by_feature(report)["paperless"]["verdict"] == "no drift"
    assert report["drift_detected"] is False


def test_all_values_missing(profile: dict) -> None:
    window = make_features(500, seed=20)
    window["charges"] = np.nan
    window["plan"] = None
    features = by_feature(check_drift(profile, window))
    for name in ("charges", "plan"):
        assert features[name]["missing"] == 500
        assert features[name]["missing_share"] == 1.0
        assert features[name]["p_value"] is None
        assert features[name]["verdict"] == "drift"
        assert "missing values rose to 100.0%" in features[name]["reason"]


def test_few_missing_values_tolerated(profile: dict) -> None:
    window = make_features(1000, seed=21)
    window.loc[:9, "charges"] = np.nan
    charges = by_feature(check_drift(profile, window))["charges"]
    assert charges["missing"] == 10
    assert charges["count"] == 990
    assert charges["verdict"] == "no drift"


def test_category_never_seen_in_training(profile: dict) -> None:
    # GIVEN 3% of the window on a plan the schema does not list
    window = make_features(1000, seed=22)
    window.loc[:29, "plan"] = "gold"
    plan = by_feature(check_drift(profile, window))["plan"]
    # THEN it is counted, listed and, above 1%, a drift on its own
    assert plan["details"]["unseen_count"] == 30
    assert plan["details"]["unseen_values"] == [{"value": "gold", "count": 30}]
    assert plan["distribution"]["labels"][-1] == "(not in schema)"
    assert plan["verdict"] == "drift"
    assert "30 values (3.0%) are not in the schema" in plan["reason"]


def test_rare_unseen_category_reported_only(profile: dict) -> None:
    window = make_features(1000, seed=23)
    window.loc[:2, "plan"] = "gold"
    plan = by_feature(check_drift(profile, window))["plan"]
    assert plan["details"]["unseen_count"] == 3
    assert plan["verdict"] == "no drift"


def test_scores_tested_when_given(profile: dict) -> None:
    scores = np.random.default_rng(24).beta(5, 2, 800)
    report = check_drift(profile, make_features(800, seed=24), current_scores=scores)
    score = by_feature(report)[SCORE_FIELD]
    assert score["verdict"] == "drift"
    assert len(report["features"]) == 5


def test_text_columns_as_from_csv(profile: dict) -> None:
    window = make_features(400, seed=25).astype(str)
    window.loc[0, "charges"] = "n/a"
    window.loc[1, "plan"] = "  "
    features = by_feature(check_drift(profile, window))
    assert features["charges"]["missing"] == 1
    assert features["plan"]["missing"] == 1
    assert features["charges"]["verdict"] == "no drift"


def test_min_rows_setting(profile: dict) -> None:
    window = make_features(150, seed=26)
    assert check_drift(profile, window)["verdict"] == "insufficient data"
    relaxed = check_drift(profile, window, DriftConfig(min_rows=100))
    assert relaxed["verdict"] == "no drift"
    assert relaxed["config"]["min_rows"] == 100


def test_missing_feature_column_rejected(profile: dict) -> None:
    with pytest.raises(DriftError, match=r"missing the feature columns \['plan'\]"):
        check_drift(profile, make_features(200, seed=27).drop(columns="plan"))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"alpha": 0.0}, "alpha must be between 0 and 1"),
        ({"correction": "bonferroni"}, "correction must be one of"),
        ({"psi_floor": -0.1}, "psi_floor must not be negative"),
        ({"min_rows": 1}, "min_rows must be at least 2"),
        ({"min_rows": 10.5}, "min_rows must be an integer"),
        ({"unseen_share_max": 2.0}, "unseen_share_max must be between 0 and 1"),
        ({"threshold": 0.1}, r"unknown drift settings \['threshold'\]"),
    ],
)
def test_config_rejects_bad_values(overrides: dict, message: str) -> None:
    with pytest.raises(DriftError, match=message):
        DriftConfig.from_mapping(overrides)


def test_drift_imports_without_sklearn() -> None:
    # The monitor Lambda ships numpy, scipy and pandas but not scikit-learn.
    code = (
        "import sys; sys.modules['sklearn'] = None; "
        "import churnops.drift, churnops.drift.report, churnops.performance, churnops.profile; "
        "print('ok')"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=root, env={**os.environ, "PYTHONPATH": str(root)}, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_scores_length_must_match(profile: dict) -> None:
    with pytest.raises(DriftError, match="10 scores given for a window of 300 rows"):
        check_drift(profile, make_features(300, seed=29), current_scores=np.full(10, 0.3))
