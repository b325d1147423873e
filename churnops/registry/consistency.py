"""Check the registry's invariants: one Production version, matching the model's pointer."""

from __future__ import annotations

from churnops.registry.stages import Stage
from churnops.registry.store import RegistryStore
from churnops.registry.versions import get_model_state, list_versions


def find_inconsistencies(store: RegistryStore) -> list[str]:
    """Return every broken invariant as a sentence; an empty list means consistent."""
    state = get_model_state(store)
    versions = list_versions(store)
    in_production = [item.version for item in versions if item.stage is Stage.PRODUCTION]
    problems = []
    if state.production_version is None and in_production:
        problems.append(
            f"no Production pointer is set, but versions {in_production} are in Production"
        )
    if state.production_version is not None and in_production != [state.production_version]:
        problems.append(
            f"the Production pointer names version {state.production_version}, "
            f"but the versions in Production are {in_production or 'none'}"
        )
    history = state.production_history
    if history and history[-1] != state.production_version:
        problems.append(
            f"the Production history ends with version {history[-1]}, "
            f"not the Production version {state.production_version}"
        )
    numbers = [item.version for item in versions]
    if numbers and max(numbers) > state.version_counter:
        problems.append(
            f"version {max(numbers)} exceeds the version counter {state.version_counter}"
        )
    return problems
