"""Export a fitted pipeline to ONNX and gate it on parity with scikit-learn."""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx
import pandas as pd
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import DoubleTensorType, StringTensorType
from sklearn.pipeline import Pipeline

from churnops.errors import ChurnopsError
from churnops.schema import Schema
from churnops.scoring import (
    METADATA_FAMILY,
    METADATA_RUN_ID,
    METADATA_SCHEMA,
    METADATA_THRESHOLD,
    ChurnModel,
)

PARITY_TOLERANCE = 1e-5
# ONNX opset of the exported graph; the pinned onnxruntime runs it.
TARGET_OPSET = 17


class ParityError(ChurnopsError):
    """The ONNX graph's probabilities differ from scikit-learn's beyond tolerance."""


def to_onnx(pipeline: Pipeline, schema: Schema, metadata: dict[str, Any]) -> bytes:
    """Convert a fitted pipeline to ONNX bytes: raw fields in, probabilities out."""
    inputs = [(name, DoubleTensorType([None, 1])) for name in schema.numeric_fields]
    inputs += [(name, StringTensorType([None, 1])) for name in schema.categorical_fields]
    model = convert_sklearn(
        pipeline,
        initial_types=inputs,
        target_opset=TARGET_OPSET,
        options={id(pipeline[-1]): {"zipmap": False}},
    )
    properties = {
        METADATA_SCHEMA: schema.to_json(),
        METADATA_THRESHOLD: repr(float(metadata["threshold"])),
        METADATA_FAMILY: str(metadata["family"]),
        METADATA_RUN_ID: str(metadata["run_id"]),
    }
    onnx.helper.set_model_props(model, properties)
    model.producer_name = "churnops"
    return model.SerializeToString()


def check_parity(
    pipeline: Pipeline,
    onnx_bytes: bytes,
    features: pd.DataFrame,
    tolerance: float = PARITY_TOLERANCE,
) -> dict[str, Any]:
    """Score `features` with both runtimes; raise ParityError beyond `tolerance`."""
    expected = pipeline.predict_proba(features)[:, 1]
    model = ChurnModel.from_bytes(onnx_bytes)
    columns = {name: features[name].to_numpy() for name in model.schema.feature_order}
    actual = model.predict_proba(columns)
    differences = np.abs(actual - expected)
    worst = int(np.argmax(differences))
    result = {
        "max_abs_diff": float(differences[worst]),
        "mean_abs_diff": float(differences.mean()),
        "rows_over_tolerance": int(np.count_nonzero(differences > tolerance)),
        "tolerance": tolerance,
        "rows": int(len(features)),
    }
    if result["max_abs_diff"] > tolerance:
        raise ParityError(
            f"ONNX probabilities differ from scikit-learn by up to {result['max_abs_diff']:.3g} "
            f"(tolerance {tolerance:g}) on {result['rows_over_tolerance']} of {result['rows']} "
            f"holdout rows; worst row {worst}: scikit-learn {expected[worst]:.6f}, "
            f"ONNX {actual[worst]:.6f}. The model was not written."
        )
    return result
