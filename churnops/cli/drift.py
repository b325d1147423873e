"""`churnops drift`: compare a CSV window with a reference CSV or a saved profile."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from churnops.errors import ChurnopsError

FEATURE_LINE = "{feature:<20} {test:<5} {statistic:>10} {p:>10} {psi:>10}  {verdict}"


def register(subparsers: Any) -> None:
    """Add the `drift` command."""
    parser = subparsers.add_parser(
        "drift",
        help="test a data window for drift against a reference",
        description="Test every feature of --current against the reference and print "
        "the verdict. Exits 0 without drift, 1 when drift is detected, 2 on an error, "
        "3 when the window has too few rows to decide.",
    )
    parser.add_argument("--reference", required=True, type=Path,
                        help="training CSV, or a profile.json written next to model.onnx")
    parser.add_argument("--current", required=True, type=Path,
                        help="CSV of the window to test (CSV headers or JSON field names)")
    parser.add_argument("--schema", type=Path, default=None,
                        help="schema TOML (default: the profile's own schema, else Telco)")
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    parser.add_argument("--html", type=Path, default=None, help="also write the HTML report here")
    parser.add_argument("--alpha", type=float, help="significance level after correction (0.05)")
    parser.add_argument("--psi-floor", type=float, help="smallest PSI that counts as drift (0.1)")
    parser.add_argument("--min-rows", type=int, help="rows needed before testing (200)")
    parser.add_argument("--correction", choices=("holm", "bh", "none"),
                        help="multiple-testing correction across features (holm)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Load both sides, run the check, print it; return the exit code the help lists."""
    from churnops.drift import DriftConfig, check_drift
    from churnops.drift.report import render_html, report_json
    from churnops.drift.window import read_window_csv
    from churnops.schema import Schema

    profile = _reference_profile(args.reference, args.schema)
    schema = Schema.from_dict(profile["schema"])
    overrides = {
        key: value
        for key, value in (("alpha", args.alpha), ("psi_floor", args.psi_floor),
                           ("min_rows", args.min_rows), ("correction", args.correction))
        if value is not None
    }
    report = check_drift(profile, read_window_csv(args.current, schema),
                         DriftConfig.from_mapping(overrides))
    if args.html:
        _write(args.html, render_html(report, title=f"Drift of {args.current.name}"))
    print(report_json(report) if args.json else _summary(report))
    if report["drift_detected"]:
        return 1
    return 3 if report["verdict"] == "insufficient data" else 0


def _reference_profile(path: Path, schema_path: Path | None) -> dict[str, Any]:
    from churnops.profile import build_profile, load_profile, validate_profile
    from churnops.schema import load_schema

    if _is_json(path):
        profile = load_profile(path)
        if schema_path is not None:
            # An explicit schema wins over the one the profile was written with.
            profile = validate_profile({**profile, "schema": load_schema(schema_path).to_dict()})
        return profile
    from churnops.data import load_dataset

    schema = load_schema(schema_path)
    return build_profile(load_dataset(path, schema).features, schema)


def _is_json(path: Path) -> bool:
    if path.suffix.lower() == ".json":
        return True
    try:
        with open(path, "rb") as handle:
            return handle.read(64).lstrip().startswith(b"{")
    except FileNotFoundError as exc:
        raise ChurnopsError(f"reference file not found: {path}") from exc


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ChurnopsError(f"failed to write the HTML report to {path}: {exc}") from exc


def _summary(report: dict[str, Any]) -> str:
    lines = [f"verdict: {report['verdict']} ({report['rows']:,} rows)",
             f"reason: {report['reason']}", ""]
    lines.append(FEATURE_LINE.format(feature="feature", test="test", statistic="statistic",
                                     p="adj. p", psi="PSI", verdict="verdict"))
    for feature in report["features"]:
        lines.append(FEATURE_LINE.format(
            feature=feature["feature"], test=feature["test"],
            statistic=_cell(feature["statistic"]), p=_cell(feature["p_value_adjusted"]),
            psi=_cell(feature["psi"]), verdict=feature["verdict"],
        ))
    return "\n".join(lines)


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"
