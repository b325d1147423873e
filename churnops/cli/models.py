"""`churnops models`: register, list, show, move, promote and roll back model versions."""

from __future__ import annotations

import argparse
from typing import Any

from churnops.registry import cli_support


def register(subparsers: Any) -> None:
    """Add the `models` command group."""
    parser = subparsers.add_parser("models", help="manage model versions in the registry")
    commands = parser.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    for command in (*_add_read_commands(commands), *_add_change_commands(commands)):
        cli_support.add_store_arguments(command)


def _add_read_commands(commands: Any) -> list[argparse.ArgumentParser]:
    list_parser = commands.add_parser("list", help="list versions with their stage and metrics")
    list_parser.add_argument("--stage", help="only versions in this stage")
    list_parser.set_defaults(handler=_list)

    show_parser = commands.add_parser("show", help="show one version in full")
    show_parser.add_argument("version", type=int, help="version number")
    show_parser.set_defaults(handler=_show)

    check_parser = commands.add_parser(
        "check", help="verify the one-Production-version invariant (exit 1 if broken)"
    )
    check_parser.set_defaults(handler=_check)
    return [list_parser, show_parser, check_parser]


def _add_change_commands(commands: Any) -> list[argparse.ArgumentParser]:
    register_parser = commands.add_parser("register", help="register a trained model directory")
    register_parser.add_argument("directory", help="directory written by `churnops train --out`")
    cli_support.add_change_arguments(register_parser, reason_required=False)
    register_parser.set_defaults(handler=_register)

    transition_parser = commands.add_parser("transition", help="move a version to another stage")
    transition_parser.add_argument("version", type=int, help="version number")
    transition_parser.add_argument("stage", help="None, Staging, Production or Archived")
    cli_support.add_change_arguments(transition_parser, reason_required=True)
    transition_parser.set_defaults(handler=_transition)

    promote_parser = commands.add_parser(
        "promote", help="make a version the Production version (the current one is Archived)"
    )
    promote_parser.add_argument("version", type=int, help="version number")
    cli_support.add_change_arguments(promote_parser, reason_required=True)
    promote_parser.set_defaults(handler=_promote)

    rollback_parser = commands.add_parser(
        "rollback", help="put the previous Production version back into Production"
    )
    cli_support.add_change_arguments(rollback_parser, reason_required=True)
    rollback_parser.set_defaults(handler=_rollback)
    return [register_parser, transition_parser, promote_parser, rollback_parser]


def _register(args: argparse.Namespace) -> int:
    from churnops.registry import register as register_version

    store = cli_support.store_from_args(args)
    reason = args.reason or f"registered {args.directory}"
    record = register_version(store, args.directory, reason=reason, actor=args.actor)
    _print_change(args, record.to_dict(), f"registered {store.model_name} version {record.version}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from churnops.registry import get_model_state, list_versions
    from churnops.registry.stages import parse_stage

    store = cli_support.store_from_args(args)
    stage = parse_stage(args.stage) if args.stage else None
    versions = list_versions(store, stage)
    if args.json:
        cli_support.print_json([item.to_dict() for item in versions])
        return 0
    serving = get_model_state(store).production_version
    rows = [
        {
            **item.to_dict(),
            "serving": "*" if item.version == serving else "",
            "auc": item.metrics.get("auc"),
            "brier": item.metrics.get("brier"),
        }
        for item in versions
    ]
    cli_support.print_table(
        rows,
        [
            ("serving", ""),
            ("version", "VERSION"),
            ("stage", "STAGE"),
            ("auc", "AUC"),
            ("brier", "BRIER"),
            ("threshold", "THRESHOLD"),
            ("run_id", "RUN"),
            ("created_at", "CREATED"),
            ("created_by", "BY"),
        ],
    )
    return 0


def _show(args: argparse.Namespace) -> int:
    from churnops.registry import get_version

    record = get_version(cli_support.store_from_args(args), args.version)
    if args.json:
        cli_support.print_json(record.to_dict())
    else:
        cli_support.print_fields(record.to_dict())
    return 0


def _transition(args: argparse.Namespace) -> int:
    from churnops.registry import transition

    store = cli_support.store_from_args(args)
    record = transition(store, args.version, args.stage, reason=args.reason, actor=args.actor)
    _print_change(args, record.to_dict(), f"version {record.version} is now in {record.stage}")
    return 0


def _promote(args: argparse.Namespace) -> int:
    from churnops.registry import promote

    store = cli_support.store_from_args(args)
    record = promote(store, args.version, reason=args.reason, actor=args.actor)
    _print_change(args, record.to_dict(), f"version {record.version} is now in Production")
    return 0


def _rollback(args: argparse.Namespace) -> int:
    from churnops.registry import rollback

    store = cli_support.store_from_args(args)
    record = rollback(store, reason=args.reason, actor=args.actor)
    _print_change(args, record.to_dict(), f"rolled back: version {record.version} is in Production")
    return 0


def _check(args: argparse.Namespace) -> int:
    from churnops.registry import find_inconsistencies

    problems = find_inconsistencies(cli_support.store_from_args(args))
    if args.json:
        cli_support.print_json({"consistent": not problems, "problems": problems})
    else:
        print("\n".join(problems) if problems else "registry is consistent")
    return 1 if problems else 0


def _print_change(args: argparse.Namespace, record: dict[str, Any], message: str) -> None:
    if args.json:
        cli_support.print_json(record)
    else:
        print(message)
