"""Training runs: params, metrics, data hash and git commit of each run, to list and compare."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from churnops.registry.dynamo import serialize_item
from churnops.registry.errors import ConditionFailed, InvalidRegistryValue, RunNotFound
from churnops.registry.store import RegistryStore, default_actor, utc_now
from churnops.registry.tables import PARTITION_KEY, RUN_PREFIX, SORT_KEY, model_partition, run_key

# Holdout numbers that describe the holdout set or the model rather than measure it.
_HOLDOUT_COUNTS = frozenset({"rows", "positives", "threshold"})
# Sorting puts the best run first: highest value, except for these losses.
LOWER_IS_BETTER = frozenset({"brier", "log_loss"})


@dataclass(frozen=True)
class RunRecord:
    """A training run as stored in the registry table; `versions` lists versions built from it."""

    run_id: str
    created_at: str
    family: str
    threshold: float
    params: dict[str, Any]
    model_params: dict[str, Any]
    metrics: dict[str, float]
    data: dict[str, Any]
    git_commit: str | None
    model_sha256: str | None
    recorded_at: str
    recorded_by: str
    versions: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict of this run."""
        return {
            "run_id": self.run_id,
            "created_at": self.created_at,
            "family": self.family,
            "threshold": self.threshold,
            "params": self.params,
            "model_params": self.model_params,
            "metrics": self.metrics,
            "data": self.data,
            "git_commit": self.git_commit,
            "model_sha256": self.model_sha256,
            "recorded_at": self.recorded_at,
            "recorded_by": self.recorded_by,
            "versions": list(self.versions),
        }

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> RunRecord:
        fields = {key: item.get(key) for key in cls.__dataclass_fields__ if key != "versions"}
        return cls(**fields, versions=tuple(sorted(item.get("versions", set()))))


def run_from_json(run: dict[str, Any], *, actor: str | None = None) -> RunRecord:
    """Build a run record from a `run.json` document, naming the first missing key."""
    model = _section(run, "model")
    holdout = _section(run, "holdout")
    data = _section(run, "data")
    metrics = {
        name: value
        for name, value in holdout.items()
        if name not in _HOLDOUT_COUNTS and _is_number(value)
    }
    if "auc" not in metrics:
        raise InvalidRegistryValue("run.json: missing key 'holdout.auc'")
    selection = run.get("selection", {}).get(_required(model, "family", "model.family"), {})
    for name in ("cv_auc_mean", "cv_auc_std"):
        if name in selection:
            metrics[name] = selection[name]
    return RunRecord(
        run_id=str(_required(run, "run_id", "run_id")),
        created_at=str(_required(run, "created_at", "created_at")),
        family=str(model["family"]),
        threshold=_required(model, "threshold", "model.threshold"),
        params=dict(run.get("params", {})),
        model_params=dict(model.get("params", {})),
        metrics=metrics,
        data={key: data[key] for key in ("path", "sha256", "rows", "filled_blanks") if key in data},
        git_commit=run.get("git_commit"),
        model_sha256=run.get("model_sha256"),
        recorded_at=utc_now(),
        recorded_by=actor or default_actor(),
    )


def record_run(store: RegistryStore, run: dict[str, Any], *, actor: str | None = None) -> RunRecord:
    """Store a run unless it is stored already; the same run recorded twice is a no-op."""
    record = run_from_json(run, actor=actor)
    item = {**run_key(store.model_name, record.run_id), **record.to_dict()}
    del item["versions"]  # DynamoDB has no empty sets; registration ADDs to this set.
    try:
        store.call(
            "PutItem",
            store.registry_table,
            store.dynamodb.put_item,
            TableName=store.registry_table,
            Item=serialize_item(item),
            ConditionExpression=f"attribute_not_exists({PARTITION_KEY})",
        )
    except ConditionFailed:
        existing = get_run(store, record.run_id)
        if existing.model_sha256 != record.model_sha256:
            raise InvalidRegistryValue(
                f"run {record.run_id} is already recorded with model SHA-256 "
                f"{existing.model_sha256}, not {record.model_sha256}; run ids must be unique"
            ) from None
        return existing
    return record


def get_run(store: RegistryStore, run_id: str) -> RunRecord:
    """Return one run, or raise RunNotFound."""
    item = store.get(store.registry_table, run_key(store.model_name, run_id))
    if item is None:
        raise RunNotFound(f"run {run_id!r} of model {store.model_name} not found")
    return RunRecord.from_item(item)


def list_runs(
    store: RegistryStore,
    *,
    sort_by: str = "auc",
    ascending: bool | None = None,
    limit: int | None = None,
) -> list[RunRecord]:
    """Return the model's runs, best first by `sort_by`; runs without that metric go last."""
    if limit is not None and limit < 1:
        raise InvalidRegistryValue(f"limit {limit} is invalid: expected an integer >= 1")
    runs = [
        RunRecord.from_item(item)
        for item in store.query(
            store.registry_table,
            f"{PARTITION_KEY} = :pk AND begins_with({SORT_KEY}, :prefix)",
            {":pk": model_partition(store.model_name), ":prefix": RUN_PREFIX},
        )
    ]
    known = sorted({name for run in runs for name in run.metrics})
    if runs and sort_by not in known:
        raise InvalidRegistryValue(
            f"metric {sort_by!r} is not recorded on any run: expected one of {', '.join(known)}"
        )
    if ascending is None:
        ascending = sort_by in LOWER_IS_BETTER
    with_metric = [run for run in runs if sort_by in run.metrics]
    without_metric = [run for run in runs if sort_by not in run.metrics]
    with_metric.sort(key=lambda run: run.metrics[sort_by], reverse=not ascending)
    ordered = with_metric + sorted(without_metric, key=lambda run: run.created_at)
    return ordered[:limit] if limit is not None else ordered


def compare_runs(first: RunRecord, second: RunRecord) -> dict[str, Any]:
    """Compare two runs: every metric with its difference (second - first), differing params."""
    metrics = {}
    for name in sorted(set(first.metrics) | set(second.metrics)):
        a, b = first.metrics.get(name), second.metrics.get(name)
        difference = b - a if a is not None and b is not None else None
        metrics[name] = {"a": a, "b": b, "difference": difference}
    params_a = _flatten({"params": first.params, "model": first.model_params})
    params_b = _flatten({"params": second.params, "model": second.model_params})
    params = {
        name: {"a": params_a.get(name), "b": params_b.get(name)}
        for name in sorted(set(params_a) | set(params_b))
        if params_a.get(name) != params_b.get(name)
    }
    return {
        "a": first.run_id,
        "b": second.run_id,
        "family": {"a": first.family, "b": second.family},
        "metrics": metrics,
        "params": params,
        "same_data": first.data.get("sha256") == second.data.get("sha256"),
        "data_sha256": {"a": first.data.get("sha256"), "b": second.data.get("sha256")},
        "git_commit": {"a": first.git_commit, "b": second.git_commit},
    }


def _section(run: dict[str, Any], name: str) -> dict[str, Any]:
    section = run.get(name)
    if not isinstance(section, dict):
        raise InvalidRegistryValue(f"run.json: missing or invalid section {name!r}")
    return section


def _required(section: dict[str, Any], key: str, path: str) -> Any:
    if section.get(key) in (None, ""):
        raise InvalidRegistryValue(f"run.json: missing key {path!r}")
    return section[key]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _flatten(value: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            flat.update(_flatten(item, f"{name}."))
        else:
            flat[name] = item
    return flat
