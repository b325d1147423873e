"""Settings of the predict Lambda, read from the environment once per cold start."""

from __future__ import annotations

import os
from dataclasses import dataclass

from churnops.config import Settings


@dataclass(frozen=True)
class ServingSettings:
    """Limits and intervals of the prediction API; each has an environment variable."""

    resources: Settings
    refresh_seconds: float = 60.0
    max_batch: int = 1000
    max_body_bytes: int = 2_000_000
    prediction_ttl_days: int = 180
    cache_dir: str = "/tmp/churnops-models"

    @classmethod
    def from_env(cls) -> ServingSettings:
        return cls(
            resources=Settings.from_env(),
            refresh_seconds=float(os.environ.get("CHURNOPS_MODEL_REFRESH_SECONDS", "60")),
            max_batch=int(os.environ.get("CHURNOPS_MAX_BATCH", "1000")),
            max_body_bytes=int(os.environ.get("CHURNOPS_MAX_BODY_BYTES", "2000000")),
            prediction_ttl_days=int(os.environ.get("CHURNOPS_PREDICTION_TTL_DAYS", "180")),
            cache_dir=os.environ.get("CHURNOPS_MODEL_CACHE_DIR", "/tmp/churnops-models"),
        )
