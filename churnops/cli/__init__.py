"""The `churnops` command line: one module per command group.

Each module in this package exposes `register(subparsers)`, which adds its
commands and sets `handler` on them. Handlers import heavy libraries themselves,
so `churnops predict` does not pay for scikit-learn.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from churnops.errors import ChurnopsError

COMMAND_MODULES = (
    "train",
    "predict",
    "models",
    "runs",
    "audit",
    "drift",
    "monitor",
    "approvals",
    "retrain",
    "local",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="churnops", description="Train, serve, monitor and retrain a churn model."
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"churnops.cli.{name}")
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; known errors become a one-line message and exit code 2."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except ChurnopsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        # A file the user named cannot be read or written: name it and the reason.
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 2
    except UnicodeDecodeError as exc:
        print(f"error: input is not valid UTF-8 text ({exc.reason} at byte {exc.start})", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
