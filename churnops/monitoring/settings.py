"""Settings of the monitor, read from the environment once per cold start."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from churnops.config import Settings
from churnops.drift import DriftConfig
from churnops.performance import PerformanceConfig


@dataclass(frozen=True)
class MonitorSettings:
    """Window length, alarm thresholds and where alarms go."""

    resources: Settings
    window_days: int = 7
    state_machine_arn: str | None = None
    event_bus: str = "default"
    drift: DriftConfig = field(default_factory=DriftConfig)
    performance: PerformanceConfig = field(default_factory=PerformanceConfig)

    @classmethod
    def from_env(cls) -> MonitorSettings:
        return cls(
            resources=Settings.from_env(),
            window_days=int(os.environ.get("CHURNOPS_MONITOR_WINDOW_DAYS", "7")),
            state_machine_arn=os.environ.get("CHURNOPS_RETRAIN_STATE_MACHINE_ARN") or None,
            event_bus=os.environ.get("CHURNOPS_EVENT_BUS", "default"),
            drift=DriftConfig(alpha=float(os.environ.get("CHURNOPS_DRIFT_ALPHA", "0.05"))),
            performance=PerformanceConfig(
                min_labels=int(os.environ.get("CHURNOPS_MIN_LABELS", "100")),
                margin=float(os.environ.get("CHURNOPS_DECAY_MARGIN", "0.05")),
            ),
        )
