"""Settings of the retrain workflow, read from environment variables once per process.

Every value has a default, so the tasks run with no extra configuration; the CDK
stack sets the ones it changes through `function_environment` in cdk.json.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from churnops.training import FAMILY_NAMES
from churnops.workflow.errors import WorkflowConfigInvalid

BASE_DATA_KEY_DEFAULT = "data/base/telco_customer_churn.csv"
FEEDBACK_DAYS_DEFAULT = 90
SEED_DEFAULT = 42
HOLDOUT_FRACTION_DEFAULT = 0.2
CV_FOLDS_DEFAULT = 5
AUC_FLOOR_DEFAULT = 0.80
AUC_MARGIN_DEFAULT = 0.01
APPROVAL_TIMEOUT_DEFAULT_S = 3 * 24 * 3600
TOPIC_ENV = "CHURNOPS_NOTIFICATIONS_TOPIC_ARN"
STATE_MACHINE_ENV = "CHURNOPS_RETRAIN_STATE_MACHINE_ARN"
WORKFLOW_ACTOR = "churnops-retrain"

T = TypeVar("T")


@dataclass(frozen=True)
class WorkflowSettings:
    """Training data location, training settings, validation gate and notification topic."""

    base_data_key: str = BASE_DATA_KEY_DEFAULT
    feedback_days: int = FEEDBACK_DAYS_DEFAULT
    seed: int = SEED_DEFAULT
    holdout_fraction: float = HOLDOUT_FRACTION_DEFAULT
    cv_folds: int = CV_FOLDS_DEFAULT
    families: tuple[str, ...] = FAMILY_NAMES
    auc_floor: float = AUC_FLOOR_DEFAULT
    auc_margin: float = AUC_MARGIN_DEFAULT
    topic_arn: str | None = None
    state_machine_arn: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WorkflowSettings:
        """Read every CHURNOPS_* workflow variable, raising on the first invalid one."""
        env = os.environ if environ is None else environ
        return cls(
            base_data_key=_read(env, "CHURNOPS_BASE_DATA_KEY", str, BASE_DATA_KEY_DEFAULT),
            feedback_days=_read(env, "CHURNOPS_FEEDBACK_DAYS", int, FEEDBACK_DAYS_DEFAULT, 0),
            seed=_read(env, "CHURNOPS_TRAINING_SEED", int, SEED_DEFAULT),
            holdout_fraction=_fraction(env),
            cv_folds=_read(env, "CHURNOPS_TRAINING_CV_FOLDS", int, CV_FOLDS_DEFAULT, 2),
            families=_families(env),
            auc_floor=_read(env, "CHURNOPS_VALIDATION_AUC_FLOOR", float, AUC_FLOOR_DEFAULT, 0.0),
            auc_margin=_read(env, "CHURNOPS_VALIDATION_AUC_MARGIN", float, AUC_MARGIN_DEFAULT, 0.0),
            topic_arn=env.get(TOPIC_ENV) or None,
            state_machine_arn=env.get(STATE_MACHINE_ENV) or None,
        )


def _read(
    env: Mapping[str, str],
    name: str,
    kind: Callable[[str], T],
    default: T,
    minimum: float | None = None,
) -> T:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError as exc:
        raise WorkflowConfigInvalid(
            f"{name}={text!r} is invalid: expected a {kind.__name__}"
        ) from exc
    if minimum is not None and value < minimum:  # type: ignore[operator]
        raise WorkflowConfigInvalid(f"{name}={text!r} is invalid: expected at least {minimum}")
    return value


def _fraction(env: Mapping[str, str]) -> float:
    value = _read(env, "CHURNOPS_HOLDOUT_FRACTION", float, HOLDOUT_FRACTION_DEFAULT)
    if not 0.0 < value < 1.0:
        raise WorkflowConfigInvalid(
            f"CHURNOPS_HOLDOUT_FRACTION={value!r} is invalid: expected a number between 0 and 1"
        )
    return value


def _families(env: Mapping[str, str]) -> tuple[str, ...]:
    text = env.get("CHURNOPS_TRAINING_FAMILIES", "").strip()
    if not text:
        return FAMILY_NAMES
    families = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in families if name not in FAMILY_NAMES]
    if unknown or not families:
        raise WorkflowConfigInvalid(
            f"CHURNOPS_TRAINING_FAMILIES={text!r} is invalid: choose from {sorted(FAMILY_NAMES)}"
        )
    return families
