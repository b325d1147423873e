"""`churnops retrain start`: start the retrain workflow by hand."""

from __future__ import annotations

import argparse
from typing import Any

from churnops.registry import cli_support


def register(subparsers: Any) -> None:
    """Add the `retrain` command group."""
    parser = subparsers.add_parser("retrain", help="run the retrain workflow")
    commands = parser.add_subparsers(dest="retrain_command", required=True, metavar="ACTION")
    start = commands.add_parser(
        "start", help="start an execution: train, validate, await approval, promote"
    )
    start.add_argument(
        "--reason", default="started by hand", help="why (recorded in the audit log)"
    )
    start.add_argument("--actor", help="who starts it (default: $CHURNOPS_ACTOR, else the OS user)")
    start.add_argument(
        "--approval-timeout",
        type=int,
        metavar="SECONDS",
        help="seconds an operator has to decide before the request counts as rejected "
        "(default: the state machine's, 3 days)",
    )
    start.add_argument(
        "--state-machine-arn",
        help="state machine to start (env CHURNOPS_RETRAIN_STATE_MACHINE_ARN)",
    )
    cli_support.add_store_arguments(start)
    start.set_defaults(handler=_start)


def _start(args: argparse.Namespace) -> int:
    import boto3

    from churnops.registry import default_actor
    from churnops.workflow.execution import start_retrain
    from churnops.workflow.settings import WorkflowSettings

    result = start_retrain(
        cli_support.store_from_args(args),
        boto3.client("stepfunctions"),
        args.state_machine_arn or WorkflowSettings.from_env().state_machine_arn,
        reason=args.reason,
        actor=args.actor or default_actor(),
        approval_timeout_seconds=args.approval_timeout,
    )
    if args.json:
        cli_support.print_json(result)
    else:
        print(f"started {result['execution_id']}")
        print(f"execution ARN: {result['execution_arn']}")
    return 0
