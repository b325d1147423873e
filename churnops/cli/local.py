"""`churnops local up|down|status`: LocalStack on this host, for deploys and e2e tests."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(subparsers: Any) -> None:
    """Add the `local` command group."""
    parser = subparsers.add_parser(
        "local",
        help="run LocalStack on this host (no Docker) on 127.0.0.1",
        description="Start, stop or inspect LocalStack running on this host. The endpoint is "
        "http://127.0.0.1:4566 unless CHURNOPS_LOCALSTACK_PORT sets another port; state, "
        "environments and the log live in .localstack/ unless CHURNOPS_LOCALSTACK_HOME is set.",
    )
    actions = parser.add_subparsers(dest="local_command", required=True, metavar="ACTION")
    start = actions.add_parser(
        "up", help="create the environments if needed, start LocalStack, wait until healthy"
    )
    start.add_argument(
        "--timeout", type=float, default=180.0,
        help="seconds to wait for LocalStack to become healthy (default: 180)",
    )
    start.set_defaults(handler=_up)
    stop = actions.add_parser("down", help="stop LocalStack and its Lambda function processes")
    stop.set_defaults(handler=_down)
    show = actions.add_parser("status", help="print endpoint, pid, health and services as JSON")
    show.set_defaults(handler=_status)
    ship = actions.add_parser(
        "deploy",
        help="start LocalStack if needed, build the assets and deploy the stack with cdklocal",
    )
    ship.set_defaults(handler=_deploy)
    outputs = actions.add_parser(
        "outputs", help="print the deployed stack's outputs and the API's local base URL as JSON"
    )
    outputs.add_argument(
        "--with-key", action="store_true",
        help="also print the API key's value (LocalStack's; never use this on real AWS output)",
    )
    outputs.set_defaults(handler=_outputs)


def _up(args: argparse.Namespace) -> int:
    from churnops import local

    started = local.up(timeout=args.timeout)
    print(f"LocalStack is healthy at {started['endpoint']} (log: {started['log']})")
    print(f"export AWS_ENDPOINT_URL={started['endpoint']}")
    return 0


def _down(args: argparse.Namespace) -> int:
    from churnops import local

    if local.down():
        print("LocalStack stopped")
    else:
        print("LocalStack was not running (no live process in the pid file)")
    return 0


def _deploy(args: argparse.Namespace) -> int:
    from churnops import deploy, local

    started = local.up()
    outputs = deploy.deploy(started["endpoint"], log=lambda line: print(line, file=sys.stderr))
    print(json.dumps({**outputs.values, "ApiBaseUrl": outputs.api_url}, indent=2))
    return 0


def _outputs(args: argparse.Namespace) -> int:
    import boto3

    from churnops import deploy, local

    outputs = deploy.read_outputs(local.endpoint())
    values = {**outputs.values, "ApiBaseUrl": outputs.api_url}
    if args.with_key:
        session = boto3.Session(region_name="us-east-1", aws_access_key_id="test",
                                aws_secret_access_key="test")
        values["ApiKey"] = outputs.api_key(session)
    print(json.dumps(values, indent=2))
    return 0


def _status(args: argparse.Namespace) -> int:
    from churnops import local

    report = local.status()
    print(json.dumps(report, indent=2))
    return 0 if report["healthy"] else 1


def run(argv: list[str]) -> int:
    """Parse and run one `local` action on its own; used by `python -m churnops.local`."""
    from churnops.errors import ChurnopsError

    parser = argparse.ArgumentParser(prog="python -m churnops")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["local", *argv])
    try:
        return int(args.handler(args) or 0)
    except ChurnopsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
