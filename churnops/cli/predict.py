"""`churnops predict`: score customers with a local model directory."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path
from typing import Any

from churnops.errors import ChurnopsError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "predict",
        help="score one customer or a batch with a trained model",
        description="Input is one customer object or {\"instances\": [...]}, given with "
        "--json, --file, or on standard input.",
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--model", type=Path, help="model directory written by `churnops train`")
    target.add_argument(
        "--url", help="base URL of a deployed prediction API; POST {URL}/predict is called"
    )
    parser.add_argument(
        "--api-key", default=os.environ.get("CHURNOPS_API_KEY"),
        help="API Gateway key sent as x-api-key with --url (default: $CHURNOPS_API_KEY)",
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for --url (default 30)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--json", dest="json_text", help="request body as a JSON string")
    source.add_argument("--file", type=Path, help="file holding the request body ('-' for standard input)")
    parser.add_argument("--max-batch", type=int, default=1000, help="largest batch accepted (default 1000)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from churnops.scoring import ChurnModel
    from churnops.validation import RequestInvalid, parse_instances

    payload = _read_payload(args)
    if args.url:
        return _call_api(args, payload)
    model = _load_model(args.model, ChurnModel)
    try:
        predictions = model.score(parse_instances(payload, args.max_batch))
    except RequestInvalid as exc:
        count = len(exc.errors)
        print(f"error: invalid request ({count} problem{'s' if count != 1 else ''}):", file=sys.stderr)
        for error in exc.errors:
            where = "" if error["index"] is None else f"instances[{error['index']}]."
            print(f"  {where}{error['field']}: {error['problem']}", file=sys.stderr)
        return 2
    output = {"model": {"family": model.family, "sha256": model.sha256}, "predictions": predictions}
    print(json.dumps(output, indent=2))
    return 0


def _call_api(args: argparse.Namespace, payload: Any) -> int:
    from churnops.http import post_json

    status, body = post_json(f"{args.url.rstrip('/')}/predict", payload, args.api_key, args.timeout)
    print(json.dumps(body, indent=2))
    if status == 200:
        return 0
    hint = "; set --api-key or CHURNOPS_API_KEY" if status == 403 else ""
    print(f"error: the API returned HTTP {status}{hint}", file=sys.stderr)
    return 2


def _load_model(model_dir: Path, model_class: Any) -> Any:
    onnx_path = model_dir / "model.onnx"
    run_path = model_dir / "run.json"
    if not onnx_path.is_file():
        raise ChurnopsError(f"no model.onnx in {model_dir}; run `churnops train --out {model_dir}` first")
    expected = None
    if run_path.is_file():
        expected = json.loads(run_path.read_text())["model_sha256"]
    return model_class.from_bytes(onnx_path.read_bytes(), expected_sha256=expected)


def _read_payload(args: argparse.Namespace) -> Any:
    if args.json_text is not None:
        text, origin = args.json_text, "--json"
    elif args.file is not None and str(args.file) != "-":
        try:
            text, origin = args.file.read_text(encoding="utf-8"), str(args.file)
        except OSError as exc:
            raise ChurnopsError(f"cannot read {args.file}: {exc.strerror}") from exc
    else:
        text, origin = sys.stdin.read(), "standard input"
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise ChurnopsError(
            f"{origin} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from exc


def _reject_constant(name: str) -> float:
    # json accepts NaN and Infinity, which are not JSON; treat them as the invalid
    # numbers they are, so validation reports the field.
    return math.nan
