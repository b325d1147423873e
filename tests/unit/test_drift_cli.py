"""`churnops drift` on the real Telco CSV: exit codes, JSON, HTML and errors."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd
import pytest

from churnops.cli import drift as drift_cli
from churnops.data import load_dataset
from churnops.errors import ChurnopsError
from churnops.profile import build_profile
from churnops.schema import load_schema

DATA = Path(__file__).resolve().parents[2] / "data" / "telco_customer_churn.csv"


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="churnops")
    drift_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["drift", *argv])
    return args.handler(args)


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return pd.read_csv(DATA, dtype=str, keep_default_na=False)


def write_window(tmp_path: Path, frame: pd.DataFrame) -> Path:
    path = tmp_path / "window.csv"
    frame.to_csv(path, index=False)
    return path


def test_cli_no_drift_json(tmp_path: Path, raw: pd.DataFrame, capsys) -> None:
    window = write_window(tmp_path, raw.sample(800, random_state=1))
    code = run(["--reference", str(DATA), "--current", str(window), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["drift_detected"] is False
    assert len(report["features"]) == 19
    assert {f["verdict"] for f in report["features"]} == {"no drift"}


def test_cli_drift_exit_code_and_html(tmp_path: Path, raw: pd.DataFrame, capsys) -> None:
    # GIVEN a window whose monthly charges rose by 30%
    frame = raw.sample(800, random_state=2).copy()
    frame["MonthlyCharges"] = (frame["MonthlyCharges"].astype(float) * 1.3).round(2).astype(str)
    window = write_window(tmp_path, frame)
    html = tmp_path / "report.html"
    # WHEN checked with the human-readable output
    code = run(["--reference", str(DATA), "--current", str(window), "--html", str(html)])
    output = capsys.readouterr().out
    # THEN the command exits 1, names the feature and writes the page
    assert code == 1
    assert output.startswith("verdict: drift (800 rows)")
    assert "monthly_charges" in output
    assert html.read_text().count("<svg") == 19


def test_cli_profile_reference_and_field_names(tmp_path: Path, raw: pd.DataFrame, capsys) -> None:
    schema = load_schema()
    profile_path = tmp_path / "profile.json"
    profile_path.write_text(json.dumps(build_profile(load_dataset(DATA, schema).features, schema)))
    frame = raw.sample(500, random_state=3).rename(columns=schema.column_to_field())
    window = write_window(tmp_path, frame)
    code = run(["--reference", str(profile_path), "--current", str(window), "--json"])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["rows"] == 500


def test_cli_counts_blanks_and_unseen_values(tmp_path: Path, raw: pd.DataFrame, capsys) -> None:
    frame = raw.sample(500, random_state=4).copy()
    frame.iloc[:50, frame.columns.get_loc("Contract")] = "Three year"
    frame.iloc[:3, frame.columns.get_loc("tenure")] = ""
    code = run(["--reference", str(DATA), "--current", str(write_window(tmp_path, frame)),
                "--json"])
    features = {f["feature"]: f for f in json.loads(capsys.readouterr().out)["features"]}
    assert code == 1
    unseen = features["contract"]["details"]["unseen_values"]
    assert unseen == [{"value": "Three year", "count": 50}]
    assert features["tenure"]["missing"] == 3


def test_cli_threshold_overrides(tmp_path: Path, raw: pd.DataFrame, capsys) -> None:
    window = write_window(tmp_path, raw.sample(150, random_state=5))
    code = run(["--reference", str(DATA), "--current", str(window), "--json",
                "--min-rows", "100", "--psi-floor", "0.2", "--correction", "bh"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["verdict"] == "no drift"
    assert report["config"] == {**report["config"], "min_rows": 100, "psi_floor": 0.2,
                                "correction": "bh"}


def test_cli_missing_column(tmp_path: Path, raw: pd.DataFrame) -> None:
    window = write_window(tmp_path, raw.drop(columns=["Contract"]).head(300))
    with pytest.raises(ChurnopsError, match=r"missing the feature columns \['contract'\]"):
        run(["--reference", str(DATA), "--current", str(window)])


def test_cli_missing_reference(tmp_path: Path) -> None:
    with pytest.raises(ChurnopsError, match="reference file not found"):
        run(["--reference", str(tmp_path / "absent.csv"), "--current", str(DATA)])


def test_cli_invalid_setting(tmp_path: Path) -> None:
    with pytest.raises(ChurnopsError, match="alpha must be between 0 and 1"):
        run(["--reference", str(DATA), "--current", str(DATA), "--alpha", "2"])
