"""The main job: the whole churn-model lifecycle through the deployed stack.

It starts LocalStack, deploys, trains version 1 on the real data and promotes it.
It scores real customers through API Gateway, posts their outcomes and sends a
drifted batch. It runs the monitor the way its daily rule does, approves the
retrained version as an operator and checks that the API serves version 2. Then it
rolls back to version 1 and prints the audit trail. The last line of standard output is one JSON object summarising the run;
progress goes to standard error.

    .venv/bin/python scripts/main_job.py [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from scripts import lifecycle  # noqa: E402


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep-state", action="store_true",
                        help="reuse a running LocalStack as it is (default: restart it empty, "
                        "so that the run starts from version 1)")
    parser.add_argument("--workdir", type=Path, default=REPO_ROOT / "build" / "main-job",
                        help="where trained model directories are written")
    args = parser.parse_args()

    from churnops import deploy, local

    started = time.perf_counter()
    if not args.keep_state and local.down():
        log("stopped the running LocalStack, so this run starts from an empty registry")
    log("starting LocalStack on the host")
    endpoint = local.up()["endpoint"]
    # boto3 and the CLI in this run talk to LocalStack, with its dummy credentials.
    os.environ.update(deploy.deploy_environment(endpoint))
    log("deploying the stack with cdklocal")
    deploy_started = time.perf_counter()
    outputs = deploy.deploy(endpoint, log=log)
    deploy_seconds = time.perf_counter() - deploy_started
    summary: dict[str, Any] = lifecycle.run(outputs, args.workdir, log)
    summary["deploy_seconds"] = round(deploy_seconds, 1)
    summary["total_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(summary, sort_keys=True))
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
