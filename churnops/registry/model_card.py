"""Model card: a Markdown summary of a registered version, stored next to its artifacts."""

from __future__ import annotations

from typing import Any

_METRIC_ROWS = (
    ("auc", "ROC AUC"),
    ("precision", "Precision at the threshold"),
    ("recall", "Recall at the threshold"),
    ("f1", "F1 at the threshold"),
    ("accuracy", "Accuracy at the threshold"),
    ("brier", "Brier score (lower is better)"),
    ("log_loss", "Log loss (lower is better)"),
)


def build_model_card(
    model_name: str,
    version: int,
    run: dict[str, Any],
    *,
    registered_by: str,
    registered_at: str,
    model_sha256: str,
) -> str:
    """Render the card from a run record; sections the run lacks are left out."""
    model = run.get("model", {})
    holdout = run.get("holdout", {})
    lines = [
        f"# Model card: {model_name} version {version}",
        "",
        "Predicts the probability that a customer churns; the decision threshold",
        "turns it into a yes/no flag for the retention team. Scores outside the training",
        "data's ranges are less reliable, and the daily drift check watches for them.",
        "",
        "## Provenance",
        "",
        f"- Registered by {registered_by} at {registered_at}",
        *_provenance_lines(run, model_sha256),
        "",
        "## Holdout metrics",
        "",
        f"Holdout: {holdout.get('rows')} rows, {holdout.get('positives')} churners.",
        "",
        "| metric | value |",
        "| --- | --- |",
    ]
    lines += [
        f"| {label} | {_number(holdout[name])} |" for name, label in _METRIC_ROWS if name in holdout
    ]
    lines += _calibration_lines(holdout.get("calibration") or [])
    params = model.get("params") or {}
    if params:
        lines += ["", "## Parameters", ""]
        lines += [f"- `{name}`: {value}" for name, value in sorted(params.items())]
    return "\n".join(lines) + "\n"


def _provenance_lines(run: dict[str, Any], model_sha256: str) -> list[str]:
    model = run.get("model", {})
    data = run.get("data", {})
    threshold = _number(model.get("threshold"))
    return [
        f"- Training run: {run.get('run_id')} (created {run.get('created_at')})",
        f"- Git commit: {run.get('git_commit') or 'unknown'}",
        f"- Model family: {model.get('family')}; decision threshold {threshold}",
        f"- ONNX SHA-256: {model_sha256}",
        f"- Training data: {data.get('path')} ({data.get('rows')} rows, "
        f"SHA-256 {data.get('sha256')})",
    ]


def _calibration_lines(bins: list[dict[str, Any]]) -> list[str]:
    if not bins:
        return []
    lines = [
        "",
        "## Calibration on the holdout",
        "",
        "| predicted range | customers | mean predicted | observed churn rate |",
        "| --- | --- | --- | --- |",
    ]
    for row in bins:
        lines.append(
            f"| {_number(row.get('bin_lower'), 2)}-{_number(row.get('bin_upper'), 2)} "
            f"| {row.get('count')} | {_number(row.get('mean_predicted'))} "
            f"| {_number(row.get('observed_rate'))} |"
        )
    return lines


def _number(value: Any, decimals: int = 4) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{decimals}f}"
    return str(value)
