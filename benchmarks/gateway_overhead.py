"""POST /predict through LocalStack's API Gateway against the handler called directly.

The script deploys the stack and times it, unless `--reuse` finds a deployed one.
It makes sure a Production model exists. Then it sends the same real customers
through API Gateway (HTTP to 127.0.0.1:4566, the Lambda in a local process) and,
in this process, to the handler with moto behind it. It prints p50, p99 and the
overhead ratio.

    .venv/bin/python benchmarks/gateway_overhead.py [--reuse] [--repeat 200]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import serving_setup  # noqa: E402
from churnops.http import request_json  # noqa: E402


def percentiles(samples: list[float]) -> tuple[float, float]:
    values = np.array(samples) * 1000
    return float(np.percentile(values, 50)), float(np.percentile(values, 99))


def deployed_stack(reuse: bool):
    from churnops import deploy, local

    endpoint = local.up()["endpoint"]
    if reuse:
        with contextlib.suppress(Exception):
            return deploy.read_outputs(endpoint), None
    started = time.perf_counter()
    outputs = deploy.deploy(endpoint, log=lambda line: print(line, file=sys.stderr))
    return outputs, time.perf_counter() - started


def ensure_production(outputs, model_dir: Path) -> None:
    from churnops.config import Settings
    from churnops.registry import RegistryStore, promote, register, transition
    from churnops.registry.errors import NoProductionVersion
    from churnops.registry.transitions import production_version

    settings = Settings(model_name=outputs.values["ModelName"])
    store = RegistryStore.from_settings(settings)
    with contextlib.suppress(NoProductionVersion):
        production_version(store)
        return
    record = register(store, model_dir, reason="gateway benchmark")
    transition(store, record.version, "Staging", reason="gateway benchmark")
    promote(store, record.version, reason="gateway benchmark")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="use the last deploy's outputs")
    parser.add_argument("--repeat", type=int, default=200, help="requests per side")
    args = parser.parse_args()
    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        os.environ.setdefault(name, value)

    customers = serving_setup.real_customers(200)
    with tempfile.TemporaryDirectory() as folder:
        model_dir, _ = serving_setup.train_model(Path(folder))
        outputs, deploy_seconds = deployed_stack(args.reuse)
        os.environ["AWS_ENDPOINT_URL"] = outputs.endpoint
        import boto3

        ensure_production(outputs, model_dir)
        key = outputs.api_key(boto3.Session())
        url = f"{outputs.api_url}/predict"
        request_json("POST", url, customers[0], key)
        gateway = []
        for index in range(args.repeat):
            started = time.perf_counter()
            status, body = request_json("POST", url, customers[index % len(customers)], key)
            gateway.append(time.perf_counter() - started)
            assert status == 200, body

        del os.environ["AWS_ENDPOINT_URL"]
        with serving_setup.mocked_registry(model_dir), contextlib.redirect_stdout(io.StringIO()):
            send = serving_setup.event_sender(serving_setup.load_handler())
            send(customers[0])
            direct = []
            for index in range(args.repeat):
                started = time.perf_counter()
                send(customers[index % len(customers)])
                direct.append(time.perf_counter() - started)

    ours, theirs = percentiles(direct), percentiles(gateway)
    print("POST /predict, one real customer per request")
    print(f"{'measure':<12}{'handler':>10}{'API Gateway':>14}{'overhead':>10}")
    print(f"{'p50 (ms)':<12}{ours[0]:>10.2f}{theirs[0]:>14.2f}{theirs[0] / ours[0]:>9.1f}x")
    print(f"{'p99 (ms)':<12}{ours[1]:>10.2f}{theirs[1]:>14.2f}{theirs[1] / ours[1]:>9.1f}x")
    if deploy_seconds is not None:
        print(f"deploy (build, bootstrap, deploy): {deploy_seconds:.1f} s")


if __name__ == "__main__":
    main()
