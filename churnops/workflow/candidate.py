"""The train task: assemble data, train with the parity gate, register the candidate."""

from __future__ import annotations

import logging
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from churnops.data import DataError, load_dataset
from churnops.registry import register
from churnops.registry.store import RegistryStore
from churnops.schema import Schema, load_schema
from churnops.serving.prediction_log import PredictionLog
from churnops.training.run import TrainingConfig, train
from churnops.workflow import training_data
from churnops.workflow.errors import TrainingDataInvalid
from churnops.workflow.settings import WORKFLOW_ACTOR, WorkflowSettings

logger = logging.getLogger(__name__)


def train_candidate(
    store: RegistryStore,
    log: PredictionLog,
    settings: WorkflowSettings,
    *,
    execution_id: str,
    reason: str,
    schema: Schema | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Train on base data plus feedback, register the model in stage None, return ids only.

    `churnops.training.run.train` raises before anything is registered when the
    ONNX export's scores differ from scikit-learn's (the parity gate).
    """
    schema = schema or load_schema()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="churnops-train-") as workdir:
        data = training_data.assemble(
            store, log, settings, schema, execution_id, workdir, now or datetime.now(UTC)
        )
        try:
            dataset = load_dataset(data.path, schema)
        except DataError as exc:
            raise TrainingDataInvalid(f"assembled training data is invalid: {exc}") from exc
        config = TrainingConfig(
            seed=settings.seed,
            holdout_fraction=settings.holdout_fraction,
            cv_folds=settings.cv_folds,
            families=settings.families,
        )
        model_dir = Path(workdir) / "model"
        record = train(dataset, schema, model_dir, config, progress=logger.debug)
        version = register(
            store,
            model_dir,
            reason=f"retrain {execution_id}: {reason}",
            actor=WORKFLOW_ACTOR,
        )
    logger.info("registered candidate version %d from run %s", version.version, record["run_id"])
    return {
        "version": version.version,
        "run_id": record["run_id"],
        "family": record["model"]["family"],
        "internal_holdout_auc": record["holdout"]["auc"],
        "manifest_key": data.manifest_key,
        "training_rows": data.manifest["training"]["rows"],
        "feedback_rows": data.manifest["feedback"]["rows"],
        "seconds": round(time.perf_counter() - started, 3),
    }
