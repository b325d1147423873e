"""Lifecycle stages of a model version and the moves allowed between them."""

from __future__ import annotations

from enum import StrEnum

from churnops.registry.errors import IllegalTransition, InvalidRegistryValue


class Stage(StrEnum):
    """Stage of a model version; exactly one version per model is in PRODUCTION once promoted."""

    NONE = "None"
    STAGING = "Staging"
    PRODUCTION = "Production"
    ARCHIVED = "Archived"


# Production has no direct exit: a version leaves it only when a promotion or a
# rollback puts another version there, so the model always keeps one serving version.
ALLOWED_TRANSITIONS: dict[Stage, tuple[Stage, ...]] = {
    Stage.NONE: (Stage.STAGING, Stage.ARCHIVED),
    Stage.STAGING: (Stage.PRODUCTION, Stage.ARCHIVED),
    Stage.PRODUCTION: (),
    Stage.ARCHIVED: (Stage.PRODUCTION,),
}


def parse_stage(text: str) -> Stage:
    """Return the stage named by `text` (any case), or raise listing the stage names."""
    for stage in Stage:
        if stage.value.lower() == str(text).strip().lower():
            return stage
    names = ", ".join(stage.value for stage in Stage)
    raise InvalidRegistryValue(f"stage {text!r} is invalid: expected one of {names}")


def check_transition(version: int, current: Stage, target: Stage) -> None:
    """Raise IllegalTransition, saying which moves are allowed, unless current -> target is."""
    allowed = ALLOWED_TRANSITIONS[current]
    if target in allowed:
        return
    prefix = f"version {version} cannot move from {current} to {target}"
    if current is Stage.PRODUCTION:
        raise IllegalTransition(
            f"{prefix}: a Production version leaves Production only when another version "
            "is promoted or by a rollback"
        )
    moves = " or ".join(str(stage) for stage in allowed)
    raise IllegalTransition(f"{prefix}: from {current} the allowed moves are to {moves}")
