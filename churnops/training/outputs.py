"""The run record's provenance sections and the model directory on disk."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import tempfile
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from churnops.data import Dataset
from churnops.schema import Schema
from churnops.scoring import sha256_hex

MODEL_FILE = "model.onnx"
RUN_FILE = "run.json"
PROFILE_FILE = "profile.json"
TRACKED_PACKAGES = ("churnops", "numpy", "pandas", "scikit-learn", "skl2onnx", "onnx", "onnxruntime")


def data_section(dataset: Dataset) -> dict[str, Any]:
    return {
        "path": dataset.path,
        "sha256": dataset.sha256,
        "rows": dataset.rows,
        "positives": int(dataset.labels.sum()),
        "filled_blanks": dataset.filled_blanks,
    }


def params_section(config: Any, train_rows: int, holdout_rows: int) -> dict[str, Any]:
    params = asdict(config)
    params["families"] = list(params["families"])
    return {**params, "train_rows": train_rows, "holdout_rows": holdout_rows}


def git_commit() -> str:
    """Return the commit of the code that trained, with `-dirty` for local edits."""
    source = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=source, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=source, capture_output=True, text=True, check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit}-dirty" if dirty else commit


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in TRACKED_PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def write_model_dir(
    out_dir: Path,
    onnx_bytes: bytes,
    record: dict[str, Any],
    timings: dict[str, float],
    train_features: pd.DataFrame,
    schema: Schema,
    holdout_features: pd.DataFrame,
    pipeline: Any,
) -> None:
    """Write model, reference profile and run record; the run record goes last.

    Each file is written to a temporary name and renamed, so a crash leaves
    either the previous file or the new one, never half of one.
    """
    from churnops.profile import build_profile

    out_dir.mkdir(parents=True, exist_ok=True)
    holdout_scores = pipeline.predict_proba(holdout_features)[:, 1]
    profile = build_profile(train_features, schema, scores=holdout_scores)
    record["model_sha256"] = sha256_hex(onnx_bytes)
    record["git_commit"] = git_commit()
    record["versions"] = library_versions()
    record["timings"] = {key: round(value, 3) for key, value in timings.items()}
    _write_atomic(out_dir / MODEL_FILE, onnx_bytes)
    _write_atomic(out_dir / PROFILE_FILE, json.dumps(profile, indent=2).encode())
    _write_atomic(out_dir / RUN_FILE, json.dumps(record, indent=2).encode())


def _write_atomic(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
