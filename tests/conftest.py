"""Fixtures shared by every test level: paths, the schema, small trained models."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TELCO_CSV = ROOT / "data" / "telco_customer_churn.csv"

# No test may reach real AWS or an instance metadata address.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


@pytest.fixture(scope="session")
def telco_schema():
    from churnops.schema import load_schema

    return load_schema()


@pytest.fixture(scope="session")
def telco_sample_csv(tmp_path_factory) -> Path:
    """Write a 1,500-row stratified sample of the real data set (fast to train on)."""
    import pandas as pd

    frame = pd.read_csv(TELCO_CSV, dtype=str, keep_default_na=False)
    sample = frame.groupby("Churn", group_keys=False).sample(frac=1500 / len(frame), random_state=7)
    path = tmp_path_factory.mktemp("data") / "telco_sample.csv"
    sample.to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def trained_model_dir(tmp_path_factory, telco_sample_csv, telco_schema) -> Path:
    """Train logistic regression and random forest on the sample once per session."""
    from churnops.data import load_dataset
    from churnops.training.run import TrainingConfig, train

    out = tmp_path_factory.mktemp("model")
    config = TrainingConfig(families=("logistic_regression", "random_forest"), cv_folds=3)
    train(load_dataset(telco_sample_csv, telco_schema), telco_schema, out, config)
    return out


@pytest.fixture
def valid_customer() -> dict:
    """The first customer of the real data set, as an API client sends it."""
    return {
        "customer_id": "7590-VHVEG",
        "gender": "Female",
        "senior_citizen": 0,
        "partner": "Yes",
        "dependents": "No",
        "tenure": 1,
        "phone_service": "No",
        "multiple_lines": "No phone service",
        "internet_service": "DSL",
        "online_security": "No",
        "online_backup": "Yes",
        "device_protection": "No",
        "tech_support": "No",
        "streaming_tv": "No",
        "streaming_movies": "No",
        "contract": "Month-to-month",
        "paperless_billing": "Yes",
        "payment_method": "Electronic check",
        "monthly_charges": 29.85,
        "total_charges": 29.85,
    }
