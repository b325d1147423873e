"""`churnops runs`: list, show, compare and record training runs."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from churnops.registry import cli_support
from churnops.registry.errors import InvalidRegistryValue


def register(subparsers: Any) -> None:
    """Add the `runs` command group."""
    parser = subparsers.add_parser("runs", help="list and compare training runs")
    commands = parser.add_subparsers(dest="runs_command", required=True, metavar="ACTION")
    list_parser = _add_list_command(commands)

    show_parser = commands.add_parser("show", help="show one run in full")
    show_parser.add_argument("run_id")
    show_parser.set_defaults(handler=_show)

    compare_parser = commands.add_parser("compare", help="compare metrics and params of two runs")
    compare_parser.add_argument("first_run_id")
    compare_parser.add_argument("second_run_id")
    compare_parser.set_defaults(handler=_compare)

    record_parser = commands.add_parser("record", help="store a run from run.json or its directory")
    record_parser.add_argument("path", help="a run.json file or a directory containing one")
    record_parser.add_argument(
        "--actor", help="who records the run (default: $CHURNOPS_ACTOR, else the OS user)"
    )
    record_parser.set_defaults(handler=_record)

    for command in (list_parser, show_parser, compare_parser, record_parser):
        cli_support.add_store_arguments(command)


def _add_list_command(commands: Any) -> argparse.ArgumentParser:
    list_parser = commands.add_parser("list", help="list runs, best first by a metric")
    list_parser.add_argument(
        "--sort-by", default="auc", help="metric to sort by (default auc; e.g. brier, f1)"
    )
    order = list_parser.add_mutually_exclusive_group()
    order.add_argument(
        "--ascending",
        dest="ascending",
        action="store_true",
        default=None,
        help="lowest first (default for brier and log_loss)",
    )
    order.add_argument(
        "--descending", dest="ascending", action="store_false", help="highest first"
    )
    list_parser.add_argument("--limit", type=int, help="print at most this many runs")
    list_parser.set_defaults(handler=_list)
    return list_parser


def _list(args: argparse.Namespace) -> int:
    from churnops.registry import list_runs

    store = cli_support.store_from_args(args)
    runs = list_runs(store, sort_by=args.sort_by, ascending=args.ascending, limit=args.limit)
    if args.json:
        cli_support.print_json([run.to_dict() for run in runs])
        return 0
    rows = [
        {
            **run.to_dict(),
            "sort_metric": run.metrics.get(args.sort_by),
            "auc": run.metrics.get("auc"),
            "data_sha256": (run.data.get("sha256") or "")[:12],
            "git_commit": (run.git_commit or "")[:12],
        }
        for run in runs
    ]
    cli_support.print_table(
        rows,
        [
            ("run_id", "RUN"),
            ("sort_metric", args.sort_by.upper()),
            ("auc", "AUC"),
            ("family", "FAMILY"),
            ("data_sha256", "DATA"),
            ("git_commit", "COMMIT"),
            ("versions", "VERSIONS"),
            ("created_at", "CREATED"),
        ],
    )
    return 0


def _show(args: argparse.Namespace) -> int:
    from churnops.registry import get_run

    run = get_run(cli_support.store_from_args(args), args.run_id)
    if args.json:
        cli_support.print_json(run.to_dict())
    else:
        cli_support.print_fields(run.to_dict())
    return 0


def _compare(args: argparse.Namespace) -> int:
    from churnops.registry import compare_runs, get_run

    store = cli_support.store_from_args(args)
    comparison = compare_runs(get_run(store, args.first_run_id), get_run(store, args.second_run_id))
    if args.json:
        cli_support.print_json(comparison)
        return 0
    print(f"a: {comparison['a']}  b: {comparison['b']}")
    print(f"same data: {'yes' if comparison['same_data'] else 'no'}")
    metric_rows = [{"name": name, **values} for name, values in comparison["metrics"].items()]
    cli_support.print_table(
        metric_rows, [("name", "METRIC"), ("a", "A"), ("b", "B"), ("difference", "B - A")]
    )
    if comparison["params"]:
        print()
        param_rows = [{"name": name, **values} for name, values in comparison["params"].items()]
        cli_support.print_table(param_rows, [("name", "PARAM"), ("a", "A"), ("b", "B")])
    return 0


def _record(args: argparse.Namespace) -> int:
    from churnops.registry import record_run

    path = Path(args.path)
    if path.is_dir():
        path = path / "run.json"
    try:
        run = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InvalidRegistryValue(f"run file {path} not found") from exc
    except json.JSONDecodeError as exc:
        raise InvalidRegistryValue(f"run file {path} is not valid JSON: {exc}") from exc
    if not isinstance(run, dict):
        raise InvalidRegistryValue(f"run file {path} must contain a JSON object")
    record = record_run(cli_support.store_from_args(args), run, actor=args.actor)
    if args.json:
        cli_support.print_json(record.to_dict())
    else:
        print(f"recorded run {record.run_id}")
    return 0
