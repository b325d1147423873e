"""`churnops approvals`: list, show, approve and reject the retrain workflow's requests."""

from __future__ import annotations

import argparse
from typing import Any

from churnops.registry import cli_support

LIST_COLUMNS = (
    ("approval_id", "ID"),
    ("version", "VERSION"),
    ("status", "STATUS"),
    ("candidate_auc", "CANDIDATE AUC"),
    ("champion_auc", "CHAMPION AUC"),
    ("expires_at", "EXPIRES"),
    ("decided_by", "DECIDED BY"),
)


def register(subparsers: Any) -> None:
    """Add the `approvals` command group."""
    parser = subparsers.add_parser(
        "approvals", help="decide on candidates that the retrain workflow proposes"
    )
    commands = parser.add_subparsers(dest="approvals_command", required=True, metavar="ACTION")
    list_parser = commands.add_parser("list", help="list pending requests, newest first")
    list_parser.add_argument(
        "--all", action="store_true", help="include decided and expired requests"
    )
    list_parser.set_defaults(handler=_list)
    show_parser = commands.add_parser("show", help="show one request with metrics side by side")
    show_parser.add_argument("approval_id", metavar="ID")
    show_parser.set_defaults(handler=_show)
    approve_parser = commands.add_parser(
        "approve", help="approve: the workflow promotes the version"
    )
    approve_parser.add_argument("approval_id", metavar="ID")
    cli_support.add_change_arguments(approve_parser, reason_required=False)
    approve_parser.set_defaults(handler=_decide, approve=True)
    reject_parser = commands.add_parser(
        "reject", help="reject: the workflow ends, nothing is promoted"
    )
    reject_parser.add_argument("approval_id", metavar="ID")
    cli_support.add_change_arguments(reject_parser, reason_required=True)
    reject_parser.set_defaults(handler=_decide, approve=False)
    for command in (list_parser, show_parser, approve_parser, reject_parser):
        cli_support.add_store_arguments(command)


def _list(args: argparse.Namespace) -> int:
    from churnops.workflow.approvals import list_approvals

    approvals = list_approvals(cli_support.store_from_args(args), include_decided=args.all)
    if args.json:
        cli_support.print_json([approval.to_dict() for approval in approvals])
        return 0
    rows = [
        {
            **approval.to_dict(),
            "candidate_auc": approval.candidate.get("auc"),
            "champion_auc": (approval.champion or {}).get("auc"),
        }
        for approval in approvals
    ]
    if not rows:
        print("no pending approval requests" if not args.all else "no approval requests")
        return 0
    cli_support.print_table(rows, LIST_COLUMNS)
    return 0


def _show(args: argparse.Namespace) -> int:
    from churnops.workflow.approvals import get_approval

    approval = get_approval(cli_support.store_from_args(args), args.approval_id)
    if args.json:
        cli_support.print_json(approval.to_dict())
        return 0
    values = approval.to_dict()
    candidate, champion = values.pop("candidate"), values.pop("champion") or {}
    cli_support.print_fields(values)
    print("metrics:")
    cli_support.print_table(
        [
            {"metric": name, "candidate": candidate.get(name), "champion": champion.get(name)}
            for name in candidate
        ],
        (("metric", "METRIC"), ("candidate", "CANDIDATE"), ("champion", "CHAMPION")),
    )
    return 0


def _decide(args: argparse.Namespace) -> int:
    import boto3

    from churnops.registry import default_actor
    from churnops.workflow.decisions import decide

    approval = decide(
        cli_support.store_from_args(args),
        boto3.client("stepfunctions"),
        args.approval_id,
        approve=args.approve,
        actor=args.actor or default_actor(),
        reason=args.reason or "approved",
    )
    if args.json:
        cli_support.print_json(approval.to_dict())
    else:
        print(f"approval {approval.approval_id}: version {approval.version} {approval.status}")
    return 0
