"""Score customers with an exported ONNX model.

This is the serving path: it imports numpy, onnxruntime, pydantic (through
`churnops.validation`) and the standard library, never pandas or scikit-learn,
which keeps the predict Lambda's cold start and package small.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import onnxruntime as ort

from churnops.errors import ChurnopsError
from churnops.schema import Schema, SchemaError
from churnops.validation import validate_records

METADATA_SCHEMA = "churnops.schema"
METADATA_THRESHOLD = "churnops.threshold"
METADATA_FAMILY = "churnops.family"
METADATA_RUN_ID = "churnops.run_id"
PROBABILITY_OUTPUT = "probabilities"


class ChecksumMismatch(ChurnopsError):
    """Model bytes do not match the SHA-256 they were registered with."""


class ModelInvalid(ChurnopsError):
    """Bytes are not a loadable churnops ONNX model."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_feeds(columns: Mapping[str, Sequence[Any]], schema: Schema) -> dict[str, np.ndarray]:
    """Arrange feature columns as the graph's inputs: one [N, 1] tensor per field."""
    feeds = {
        name: np.asarray(columns[name], dtype=np.float64).reshape(-1, 1)
        for name in schema.numeric_fields
    }
    for name in schema.categorical_fields:
        feeds[name] = np.asarray(columns[name], dtype=object).reshape(-1, 1)
    return feeds


@dataclass
class ChurnModel:
    """A loaded model with the schema and decision threshold it was trained with."""

    session: ort.InferenceSession
    schema: Schema
    threshold: float
    sha256: str
    metadata: dict[str, str]

    @classmethod
    def from_bytes(cls, data: bytes, expected_sha256: str | None = None) -> ChurnModel:
        """Load ONNX bytes, first checking them against their expected SHA-256."""
        actual = sha256_hex(data)
        if expected_sha256 is not None and actual != expected_sha256:
            raise ChecksumMismatch(
                f"model bytes have SHA-256 {actual}, expected {expected_sha256}; "
                "the artifact was changed or corrupted after registration"
            )
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.log_severity_level = 3
        try:
            session = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own unexported error types
            raise ModelInvalid(f"onnxruntime cannot load the model: {exc}") from exc
        metadata = dict(session.get_modelmeta().custom_metadata_map)
        try:
            schema = Schema.from_json(metadata[METADATA_SCHEMA])
            threshold = float(metadata[METADATA_THRESHOLD])
        except (KeyError, ValueError, SchemaError) as exc:
            raise ModelInvalid(f"model metadata lacks a valid schema or threshold: {exc}") from exc
        return cls(session, schema, threshold, actual, metadata)

    @property
    def family(self) -> str:
        return self.metadata.get(METADATA_FAMILY, "unknown")

    def predict_proba(self, columns: Mapping[str, Sequence[Any]]) -> np.ndarray:
        """Return the churn probability per row of already-validated columns."""
        (probabilities,) = self.session.run(
            [PROBABILITY_OUTPUT], build_feeds(columns, self.schema)
        )
        return np.asarray(probabilities[:, 1], dtype=np.float64)

    def score(self, records: list[Any]) -> list[dict[str, Any]]:
        """Validate raw customer objects and score them, in request order."""
        return self.score_validated(validate_records(records, self.schema))

    def score_validated(self, customers: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Score customers that `validate_records` has already checked."""
        columns = {name: [c[name] for c in customers] for name in self.schema.feature_order}
        probabilities = self.predict_proba(columns)
        id_field = self.schema.id_field
        return [
            {
                id_field: customer[id_field],
                "churn_probability": float(probability),
                "churn": bool(probability >= self.threshold),
            }
            for customer, probability in zip(customers, probabilities, strict=True)
        ]
