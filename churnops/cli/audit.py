"""`churnops audit`: read a model's audit log by time range, as a table or JSON lines."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from churnops.registry import cli_support


def register(subparsers: Any) -> None:
    """Add the `audit` command."""
    parser = subparsers.add_parser(
        "audit", help="print the audit log of a model (who changed what, when and why)"
    )
    parser.add_argument(
        "--since", help="entries at or after this ISO 8601 time (naive times are UTC)"
    )
    parser.add_argument(
        "--until",
        help="entries at or before this ISO 8601 time (a date alone means its midnight, UTC)",
    )
    parser.add_argument("--event", help="only entries of this event, e.g. promote or rollback")
    cli_support.add_store_arguments(parser, json_help="print JSON lines, one entry per line")
    parser.set_defaults(handler=_audit)


def _audit(args: argparse.Namespace) -> int:
    from churnops.registry import read_entries, to_json_lines

    store = cli_support.store_from_args(args)
    entries = read_entries(store, since=args.since, until=args.until, event=args.event)
    if args.json:
        # JSON lines, so an export can be appended to and streamed line by line.
        sys.stdout.write(to_json_lines(entries))
        return 0
    rows = [
        {**entry.to_dict(), "details": _format_details(entry.details)} for entry in entries
    ]
    cli_support.print_table(
        rows,
        [
            ("at", "TIME (UTC)"),
            ("event", "EVENT"),
            ("version", "VERSION"),
            ("actor", "ACTOR"),
            ("reason", "REASON"),
            ("details", "DETAILS"),
        ],
    )
    return 0


def _format_details(details: dict[str, Any]) -> str:
    return " ".join(f"{key}={cli_support.format_value(value)}" for key, value in details.items())
