"""`churnops monitor run`: check drift and performance of the Production model now."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("monitor", help="run the drift and performance monitor")
    commands = parser.add_subparsers(dest="monitor_command", required=True, metavar="COMMAND")
    run_parser = commands.add_parser(
        "run",
        help="check the window of logged predictions, store the report, start a retrain on alarm",
        description="Runs the same check as the daily rule, from this machine, against the "
        "tables and bucket named by CHURNOPS_* variables (AWS_ENDPOINT_URL for LocalStack).",
    )
    run_parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    run_parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from churnops.monitoring.run import Monitor

    summary = Monitor.from_env().run()
    if args.json:
        print(json.dumps(summary, default=str))
        return 0
    print(f"model           {summary['model_name']} v{summary['model_version']}")
    print(f"window rows     {summary['window']['rows']}")
    print(f"drift           {summary['drift_verdict']}")
    print(f"performance     {summary['performance_verdict']}")
    print(f"alarm           {'yes: ' + '; '.join(summary['reasons']) if summary['alarm'] else 'no'}")
    print(f"retrain         {summary['retrain']['status']}")
    print(f"report          {summary['report']['html']}")
    return 0
