"""Training runs: reproducibility, the parity gate, and a second schema."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pandas as pd
import pytest

from churnops import export
from churnops.data import load_dataset
from churnops.export import ParityError
from churnops.schema import load_schema
from churnops.scoring import ChurnModel
from tests.conftest import TELCO_CSV
from churnops.training.run import TrainingConfig, TrainingError, train

FAST = TrainingConfig(families=("logistic_regression", "random_forest"), cv_folds=3)


def test_model_dir_contents(trained_model_dir):
    record = json.loads((trained_model_dir / "run.json").read_text())
    assert (trained_model_dir / "model.onnx").is_file()
    assert (trained_model_dir / "profile.json").is_file()
    assert record["parity"]["max_abs_diff"] <= 1e-5
    assert set(record["selection"]) == {"logistic_regression", "random_forest"}
    assert record["data"]["sha256"]
    assert record["versions"]["scikit-learn"]
    assert len(record["holdout"]["calibration"]) == 10


def test_same_seed_same_metrics_and_scores(tmp_path, telco_sample_csv, telco_schema, trained_model_dir):
    train(load_dataset(telco_sample_csv, telco_schema), telco_schema, tmp_path, FAST)
    first = json.loads((trained_model_dir / "run.json").read_text())
    second = json.loads((tmp_path / "run.json").read_text())
    assert first["holdout"] == second["holdout"]
    assert first["selection"].keys() == second["selection"].keys()
    for family in first["selection"]:
        # BLAS may sum in another order between runs: equal to the last few bits.
        assert first["selection"][family]["cv_fold_aucs"] == pytest.approx(
            second["selection"][family]["cv_fold_aucs"], rel=1e-12
        )
    features = load_dataset(telco_sample_csv, telco_schema).features
    columns = {name: features[name].to_numpy() for name in telco_schema.feature_order}
    scores = [
        ChurnModel.from_bytes((d / "model.onnx").read_bytes()).predict_proba(columns)
        for d in (trained_model_dir, tmp_path)
    ]
    np.testing.assert_allclose(scores[0], scores[1], rtol=0, atol=1e-12)


def test_random_forest_passes_parity(tmp_path, telco_sample_csv, telco_schema):
    config = TrainingConfig(families=("random_forest",), cv_folds=3)
    record = train(load_dataset(telco_sample_csv, telco_schema), telco_schema, tmp_path, config)
    assert record["model"]["family"] == "random_forest"
    assert record["parity"]["max_abs_diff"] <= 1e-5


def test_parity_gate_blocks_broken_export(tmp_path, telco_sample_csv, telco_schema, monkeypatch):
    real_to_onnx = export.to_onnx

    def lossy_export(pipeline, schema, metadata):
        # Round the forest's split thresholds to whole numbers inside the graph:
        # an export that lost precision, as a float32 export of this forest does.
        model = onnx.load_from_string(real_to_onnx(pipeline, schema, metadata))
        (trees,) = [n for n in model.graph.node if n.op_type.startswith("TreeEnsemble")]
        (values,) = [a for a in trees.attribute if a.name == "nodes_values"]
        values.floats[:] = [round(v) for v in values.floats]
        return model.SerializeToString()

    monkeypatch.setattr("churnops.training.run.to_onnx", lossy_export)
    config = TrainingConfig(families=("random_forest",), cv_folds=3)
    with pytest.raises(ParityError, match=r"differ from scikit-learn by up to [0-9.e-]+ \(tolerance 1e-05\)"):
        train(load_dataset(telco_sample_csv, telco_schema), telco_schema, tmp_path, config)
    assert not (tmp_path / "model.onnx").exists()
    assert not (tmp_path / "run.json").exists()


SECOND_SCHEMA = """
name = "streaming"
[id]
field = "account"
column = "AccountNo"
[target]
field = "cancelled"
column = "Cancelled"
positive = "1"
negative = "0"
[[numeric]]
field = "months_active"
column = "MonthsActive"
min = 0
max = 500
integer = true
[[numeric]]
field = "weekly_hours"
column = "WeeklyHours"
min = 0
max = 168
[[categorical]]
field = "plan"
column = "Plan"
values = ["basic", "standard", "premium"]
"""


def write_streaming_csv(path: Path, rows: int = 600) -> None:
    rng = np.random.default_rng(3)
    months = rng.integers(0, 60, rows)
    hours = rng.gamma(2.0, 4.0, rows).round(2)
    plan = rng.choice(["basic", "standard", "premium"], rows)
    logit = 1.0 - 0.05 * months - 0.2 * hours + (plan == "basic") * 0.8
    cancelled = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    frame = pd.DataFrame({
        "AccountNo": [f"A{i:05d}" for i in range(rows)],
        "MonthsActive": months,
        "WeeklyHours": hours,
        "Plan": plan,
        "Cancelled": cancelled,
    })
    frame.to_csv(path, index=False)


def test_second_schema_trains_and_scores(tmp_path):
    schema_path = tmp_path / "streaming.toml"
    schema_path.write_text(SECOND_SCHEMA)
    csv_path = tmp_path / "streaming.csv"
    write_streaming_csv(csv_path)
    schema = load_schema(schema_path)
    out = tmp_path / "model"
    record = train(load_dataset(csv_path, schema), schema, out, FAST)
    assert record["holdout"]["auc"] > 0.7
    model = ChurnModel.from_bytes((out / "model.onnx").read_bytes())
    (result,) = model.score([{"account": "A1", "months_active": 3, "weekly_hours": 1.5, "plan": "basic"}])
    assert result["account"] == "A1"
    assert 0.0 <= result["churn_probability"] <= 1.0


def test_one_class_data_rejected(tmp_path, telco_schema):
    lines = TELCO_CSV.read_text().splitlines()
    path = tmp_path / "one_class.csv"
    path.write_text("\n".join([lines[0], *[line for line in lines[1:] if line.endswith(",No")][:200]]))
    with pytest.raises(TrainingError, match="the data has 0 churned and 200 stayed"):
        train(load_dataset(path, telco_schema), telco_schema, tmp_path / "model", FAST)
    assert not (tmp_path / "model").exists()


def test_unknown_family_rejected():
    with pytest.raises(TrainingError, match="unknown model families \\['bogus'\\]"):
        TrainingConfig(families=("bogus",))

