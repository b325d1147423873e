"""Per-feature verdict from the corrected p-value, the PSI floor and the share limits."""

from __future__ import annotations

from churnops.drift.config import DriftConfig
from churnops.drift.result import DRIFT, INSUFFICIENT, NO_DRIFT, FeatureResult


def decide(result: FeatureResult, rows: int, config: DriftConfig) -> tuple[str, str]:
    """Return the verdict and its reason for one feature of a window of `rows` rows."""
    if rows < config.min_rows:
        return INSUFFICIENT, f"the window has {rows} rows, fewer than {config.min_rows}"

    missing_rise = result.missing_share - result.reference_missing_share
    if missing_rise > config.missing_share_rise_max:
        return DRIFT, (
            f"missing values rose to {result.missing_share:.1%} from "
            f"{result.reference_missing_share:.1%}, a rise above the limit of "
            f"{config.missing_share_rise_max * 100:.1f} percentage points"
        )

    unseen = int(result.details.get("unseen_count", 0))
    if result.count and unseen / result.count > config.unseen_share_max:
        return DRIFT, (
            f"{unseen} values ({unseen / result.count:.1%}) are not in the schema, "
            f"above the limit of {config.unseen_share_max:.1%}"
        )

    if result.p_value_adjusted is None or result.psi is None:
        return INSUFFICIENT, f"{result.count} values present, fewer than {config.min_rows}"

    evidence = (
        f"{result.test} p={result.p_value_adjusted:.3g} after {config.correction} correction, "
        f"PSI {result.psi:.3f}"
    )
    significant = result.p_value_adjusted < config.alpha
    large = result.psi >= config.psi_floor
    if significant and large:
        return DRIFT, (
            f"{evidence}: significant at {config.alpha} and PSI at least {config.psi_floor}"
        )
    if significant:
        return NO_DRIFT, f"{evidence}: significant but PSI below the floor of {config.psi_floor}"
    return NO_DRIFT, f"{evidence}: not significant at {config.alpha}"
