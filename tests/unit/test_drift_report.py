"""Drift report rendering: strict JSON and a self-contained HTML page."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from churnops.drift import check_drift
from churnops.drift.report import render_html, report_json
from churnops.profile import build_profile
from churnops.schema import Schema

SCHEMA = Schema.from_dict({
    "name": "toy",
    "id": {"field": "customer_id", "column": "id"},
    "target": {"field": "churn", "column": "Churn", "positive": "Yes", "negative": "No"},
    "numeric": [{"field": "charges", "min": 0, "max": 1000}],
    "categorical": [{"field": "plan", "values": ["basic", "<pro>"]}],
})


def make_features(rows: int, seed: int, pro_share: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "charges": rng.gamma(4.0, 15.0, rows),
        "plan": rng.choice(["basic", "<pro>"], rows, p=[1 - pro_share, pro_share]).astype(object),
    })


@pytest.fixture(scope="module")
def report() -> dict:
    profile = build_profile(make_features(3000, seed=0, pro_share=0.2), SCHEMA)
    window = make_features(500, seed=1, pro_share=0.6)
    window.loc[:19, "plan"] = "<script>alert(1)</script>"
    return check_drift(profile, window)


def test_json_is_strict_and_complete(report: dict) -> None:
    parsed = json.loads(report_json(report))
    assert parsed["drift_detected"] is True
    assert [f["feature"] for f in parsed["features"]] == ["charges", "plan"]
    assert set(parsed["features"][1]) >= {"statistic", "p_value", "p_value_adjusted", "psi",
                                          "verdict", "reason", "distribution"}


def test_json_replaces_non_finite_numbers() -> None:
    text = report_json({"value": float("nan"), "nested": [float("inf"), 1.5]})
    assert json.loads(text) == {"value": None, "nested": [None, 1.5]}


def test_html_draws_one_chart_per_feature(report: dict) -> None:
    page = render_html(report)
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<svg") == 2
    assert "Verdict: drift" in page
    # Two bars per bin or value: reference and current.
    bars = len(report["features"][0]["distribution"]["labels"]) * 2
    bars += len(report["features"][1]["distribution"]["labels"]) * 2
    assert page.count("<rect") == bars


def test_html_has_no_script_or_external_assets(report: dict) -> None:
    page = render_html(report)
    assert "<script" not in page
    assert "&lt;script&gt;" in page
    assert "&lt;pro&gt;" in page
    assert not re.search(r"(src|href)=", page)


def test_html_shows_figures_and_verdicts(report: dict) -> None:
    page = render_html(report, title="Window 2026-03-01")
    plan = report["features"][1]
    assert "<title>Window 2026-03-01</title>" in page
    assert f"{plan['psi']:.3g}" in page
    assert f"{plan['statistic']:.3g}" in page
    assert page.count(">drift<br>") == 1
    assert page.count(">no drift<br>") == 1
    assert "not in schema: &lt;script&gt;alert(1)&lt;/script&gt; (20)" in page


def test_html_for_insufficient_window() -> None:
    profile = build_profile(make_features(300, seed=2, pro_share=0.2), SCHEMA)
    page = render_html(check_drift(profile, make_features(0, seed=3, pro_share=0.2)))
    assert "Verdict: insufficient data" in page
    assert page.count("<svg") == 2
