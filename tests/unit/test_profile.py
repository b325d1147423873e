"""Reference profile: contents, JSON round trip and rejected input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from churnops.profile import (
    PROFILE_FORMAT,
    QUANTILE_COUNT,
    ProfileError,
    build_profile,
    load_profile,
    validate_profile,
)
from churnops.schema import Schema

SCHEMA = Schema.from_dict({
    "name": "toy",
    "id": {"field": "customer_id", "column": "id"},
    "target": {"field": "churn", "column": "Churn", "positive": "Yes", "negative": "No"},
    "numeric": [{"field": "tenure", "min": 0, "max": 100, "integer": True},
                {"field": "charges", "min": 0, "max": 1000}],
    "categorical": [{"field": "plan", "values": ["basic", "plus", "pro"]}],
})


def make_features(rows: int = 1000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "tenure": rng.integers(0, 73, rows).astype(float),
        "charges": rng.gamma(4.0, 15.0, rows),
        "plan": rng.choice(["basic", "plus", "pro"], rows, p=[0.5, 0.3, 0.2]).astype(object),
    })


def test_profile_numeric_summary() -> None:
    features = make_features()
    profile = build_profile(features, SCHEMA)
    charges = profile["numeric"]["charges"]
    assert profile["format"] == PROFILE_FORMAT
    assert profile["rows"] == 1000
    assert charges["count"] == 1000
    assert charges["missing"] == 0
    assert len(charges["quantiles"]) == QUANTILE_COUNT
    assert charges["quantiles"][0] == pytest.approx(features["charges"].min())
    assert charges["quantiles"][-1] == pytest.approx(features["charges"].max())
    assert len(charges["bin_counts"]) == len(charges["bin_edges"]) + 1
    assert sum(charges["bin_counts"]) == 1000
    assert charges["mean"] == pytest.approx(features["charges"].mean())


def test_profile_deciles_hold_a_tenth_each() -> None:
    profile = build_profile(make_features(rows=5000), SCHEMA)
    counts = np.array(profile["numeric"]["charges"]["bin_counts"])
    assert counts.size == 10
    assert np.all(np.abs(counts - 500) <= 1)


def test_profile_categorical_counts() -> None:
    features = make_features()
    features.loc[:9, "plan"] = None
    profile = build_profile(features, SCHEMA)
    plan = profile["categorical"]["plan"]
    assert plan["missing"] == 10
    assert plan["count"] == 990
    assert set(plan["counts"]) == {"basic", "plus", "pro"}
    assert sum(plan["counts"].values()) == 990


def test_profile_missing_numeric_counted() -> None:
    features = make_features()
    features.loc[:4, "charges"] = np.nan
    charges = build_profile(features, SCHEMA)["numeric"]["charges"]
    assert charges["missing"] == 5
    assert charges["count"] == 995


def test_profile_all_missing_column() -> None:
    features = make_features(rows=50)
    features["charges"] = np.nan
    charges = build_profile(features, SCHEMA)["numeric"]["charges"]
    assert charges["count"] == 0
    assert charges["quantiles"] == []
    assert charges["mean"] is None


def test_profile_constant_column_has_one_bin() -> None:
    features = make_features()
    features["tenure"] = 5.0
    tenure = build_profile(features, SCHEMA)["numeric"]["tenure"]
    assert tenure["bin_edges"] == [5.0]
    assert tenure["bin_counts"] == [1000, 0]
    assert set(tenure["quantiles"]) == {5.0}


def test_profile_binary_column_keeps_two_bins() -> None:
    features = make_features()
    features["tenure"] = (np.arange(1000) % 5 == 0).astype(float)
    tenure = build_profile(features, SCHEMA)["numeric"]["tenure"]
    assert tenure["bin_edges"] == [0.0]
    assert tenure["bin_counts"] == [800, 200]


def test_profile_scores_section() -> None:
    scores = np.random.default_rng(1).uniform(size=300)
    profile = build_profile(make_features(), SCHEMA, scores=scores)
    assert profile["scores"]["count"] == 300
    assert build_profile(make_features(), SCHEMA)["scores"] is None


def test_profile_rejects_scores_outside_0_1() -> None:
    with pytest.raises(ProfileError, match="probabilities between 0 and 1"):
        build_profile(make_features(), SCHEMA, scores=np.array([0.2, 1.5]))


def test_profile_rejects_missing_field() -> None:
    with pytest.raises(ProfileError, match=r"missing the fields \['plan'\]"):
        build_profile(make_features().drop(columns="plan"), SCHEMA)


def test_profile_rejects_unknown_category() -> None:
    features = make_features()
    features.loc[0, "plan"] = "gold"
    with pytest.raises(ProfileError, match="'plan'.*gold"):
        build_profile(features, SCHEMA)


def test_profile_rejects_text_in_numeric() -> None:
    features = make_features()
    features["charges"] = features["charges"].astype(object)
    features.loc[3, "charges"] = "abc"
    with pytest.raises(ProfileError, match="'charges': 1 values are not numeric"):
        build_profile(features, SCHEMA)


def test_profile_json_round_trip(tmp_path) -> None:
    profile = build_profile(make_features(), SCHEMA, scores=np.linspace(0, 1, 50))
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(profile, allow_nan=False))
    assert load_profile(path) == profile


def test_load_profile_rejects_other_format(tmp_path) -> None:
    path = tmp_path / "profile.json"
    path.write_text(json.dumps({"format": "other/9"}))
    with pytest.raises(ProfileError, match="format is 'other/9'"):
        load_profile(path)


def test_validate_profile_names_missing_summary() -> None:
    profile = build_profile(make_features(), SCHEMA)
    del profile["numeric"]["charges"]
    with pytest.raises(ProfileError, match=r"no summary for the fields \['charges'\]"):
        validate_profile(profile)


def test_load_profile_missing_file(tmp_path) -> None:
    with pytest.raises(ProfileError, match="not found"):
        load_profile(tmp_path / "absent.json")
