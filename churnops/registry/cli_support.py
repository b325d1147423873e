"""Options and output helpers shared by the `models`, `runs` and `audit` commands."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from churnops.config import Settings
from churnops.registry.store import RegistryStore


def add_store_arguments(
    parser: argparse.ArgumentParser, json_help: str = "print JSON for scripts"
) -> None:
    """Add --model, table and bucket options (defaults from the environment) and --json."""
    group = parser.add_argument_group("registry location (defaults: environment, then stack names)")
    group.add_argument(
        "--model", dest="model_name", help="model name (env CHURNOPS_MODEL_NAME, default churn)"
    )
    group.add_argument(
        "--registry-table",
        help="DynamoDB registry table (env CHURNOPS_REGISTRY_TABLE, default churnops-registry)",
    )
    group.add_argument(
        "--audit-table",
        help="DynamoDB audit table (env CHURNOPS_AUDIT_TABLE, default churnops-audit)",
    )
    group.add_argument(
        "--bucket", help="S3 artifact bucket (env CHURNOPS_BUCKET, default churnops-artifacts)"
    )
    parser.add_argument("--json", action="store_true", help=json_help)


def add_change_arguments(parser: argparse.ArgumentParser, *, reason_required: bool) -> None:
    """Add --reason and --actor, which every registry change records."""
    parser.add_argument(
        "--reason",
        required=reason_required,
        help="why the change is made (recorded in the audit log)",
    )
    parser.add_argument(
        "--actor", help="who makes the change (default: $CHURNOPS_ACTOR, else the OS user)"
    )


def store_from_args(args: argparse.Namespace) -> RegistryStore:
    """Build a store from the environment, with command-line options taking precedence."""
    settings = Settings.from_env()
    overrides = {
        name: getattr(args, name)
        for name in ("model_name", "registry_table", "audit_table", "bucket")
        if getattr(args, name, None)
    }
    return RegistryStore.from_settings(replace(settings, **overrides))


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, sort_keys=True))


def print_table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]]) -> None:
    """Print rows as left-aligned text columns; `columns` pairs a row key with its header."""
    cells = [[format_value(row.get(key)) for key, _ in columns] for row in rows]
    headers = [header for _, header in columns]
    widths = [max(len(text) for text in column) for column in zip(headers, *cells, strict=True)]
    for line in (headers, *cells):
        padded = [text.ljust(width) for text, width in zip(line, widths, strict=True)]
        print("  ".join(padded).rstrip())


def print_fields(values: dict[str, Any]) -> None:
    """Print `name: value` lines, nested dicts indented under their name."""
    for name, value in values.items():
        if isinstance(value, dict) and value:
            print(f"{name}:")
            for key, item in value.items():
                print(f"  {key}: {format_value(item)}")
        else:
            print(f"{name}: {format_value(value)}")


def format_value(value: Any) -> str:
    """Format one cell: None as '-', floats with four decimals, lists comma-separated."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(item) for item in value) or "-"
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return str(value)
