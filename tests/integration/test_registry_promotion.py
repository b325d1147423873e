"""Promotion, stage rules and rollback: exactly one Production version, whatever happens."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError

from churnops.registry import (
    AuditEvent,
    IllegalTransition,
    NoRollbackTarget,
    RegistryConflict,
    Stage,
    StoreUnavailable,
    find_inconsistencies,
    get_model_state,
    get_version,
    list_versions,
    production_version,
    promote,
    read_entries,
    register,
    rollback,
    transition,
)
from churnops.registry import transitions as transitions_module


def _staged(store, make_model_dir, count: int) -> list[int]:
    """Register `count` versions and move each to Staging."""
    versions = []
    for _ in range(count):
        index = get_model_state(store).version_counter + 1
        record = register(store, make_model_dir(f"run-{index:03d}"), reason="train", actor="ci")
        transition(store, record.version, Stage.STAGING, reason="validate", actor="ci")
        versions.append(record.version)
    return versions


def _stages(store) -> dict[int, Stage]:
    return {item.version: item.stage for item in list_versions(store)}


class _ClientProxy:
    """Forwards to a botocore client, running `before_transaction` ahead of each transaction."""

    def __init__(self, client: Any, before_transaction=None, after_transaction=None) -> None:
        self._client = client
        self._before = before_transaction
        self._after = after_transaction

    def transact_write_items(self, **arguments: Any) -> Any:
        if self._before:
            self._before()
        response = self._client.transact_write_items(**arguments)
        if self._after:
            self._after()
        return response

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def test_first_promotion_sets_pointer(store, make_model_dir):
    _staged(store, make_model_dir, 1)

    record = promote(store, 1, reason="first model", actor="alice")

    assert record.stage is Stage.PRODUCTION
    state = get_model_state(store)
    assert state.production_version == 1
    assert state.production_history == (1,)
    assert production_version(store).version == 1
    assert find_inconsistencies(store) == []


def test_promotion_archives_previous(store, make_model_dir):
    _staged(store, make_model_dir, 2)
    promote(store, 1, reason="first", actor="alice")

    promote(store, 2, reason="better AUC", actor="alice")

    assert _stages(store) == {1: Stage.ARCHIVED, 2: Stage.PRODUCTION}
    assert get_model_state(store).production_history == (1, 2)
    assert find_inconsistencies(store) == []
    entry = read_entries(store, event=AuditEvent.PROMOTE)[-1]
    assert entry.version == 2
    assert entry.details["replaced_version"] == 1
    assert entry.reason == "better AUC"


@pytest.mark.parametrize(
    ("setup", "target", "message"),
    [
        ("none", Stage.PRODUCTION, "from None the allowed moves are to Staging or Archived"),
        ("staging", Stage.STAGING, "from Staging the allowed moves are to Production or Archived"),
        ("staging", Stage.NONE, "from Staging the allowed moves are to Production or Archived"),
        ("production", Stage.ARCHIVED, "leaves Production only when another version is promoted"),
        ("production", Stage.PRODUCTION, "leaves Production only when another version"),
        ("archived", Stage.STAGING, "from Archived the allowed moves are to Production"),
    ],
)
def test_illegal_transition_rejected(store, make_model_dir, setup, target, message):
    register(store, make_model_dir("run-001"), reason="train", actor="ci")
    if setup != "none":
        transition(store, 1, Stage.STAGING, reason="validate", actor="ci")
    if setup in ("production", "archived"):
        promote(store, 1, reason="ship", actor="ci")
    if setup == "archived":
        _staged(store, make_model_dir, 1)
        promote(store, 2, reason="replace", actor="ci")
    stages_before = _stages(store)
    entries_before = len(read_entries(store))

    with pytest.raises(IllegalTransition, match=message):
        transition(store, 1, target, reason="not allowed", actor="ci")

    assert _stages(store) == stages_before
    assert len(read_entries(store)) == entries_before


def test_racing_promotions_one_wins(store, make_model_dir):
    # GIVEN version 1 in Production and versions 2 and 3 in Staging
    _staged(store, make_model_dir, 3)
    promote(store, 1, reason="first", actor="alice")
    # Both threads read the registry before either sends its transaction.
    barrier = threading.Barrier(2)
    racing_store = dataclasses.replace(
        store, dynamodb=_ClientProxy(store.dynamodb, before_transaction=barrier.wait)
    )
    outcomes: dict[int, Any] = {}

    def promote_one(version: int) -> None:
        try:
            outcomes[version] = promote(racing_store, version, reason="race", actor=f"op{version}")
        except RegistryConflict as exc:
            outcomes[version] = exc

    # WHEN two operators promote different versions at once
    threads = [threading.Thread(target=promote_one, args=(version,)) for version in (2, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # THEN exactly one promotion happened and the other names the state it found
    losers = [version for version, outcome in outcomes.items() if isinstance(outcome, Exception)]
    winners = [version for version in outcomes if version not in losers]
    assert len(winners) == 1
    assert len(losers) == 1
    message = str(outcomes[losers[0]])
    assert f"now serves version {winners[0]}" in message
    assert f"version {losers[0]} is in Staging" in message
    assert "nothing was changed" in message
    assert production_version(store).version == winners[0]
    assert _stages(store) == {
        1: Stage.ARCHIVED,
        winners[0]: Stage.PRODUCTION,
        losers[0]: Stage.STAGING,
    }
    assert find_inconsistencies(store) == []
    promotions = read_entries(store, event=AuditEvent.PROMOTE)
    assert [entry.version for entry in promotions] == [1, winners[0]]


def test_free_running_promotions_stay_consistent(store, make_model_dir):
    _staged(store, make_model_dir, 1)
    promote(store, 1, reason="first", actor="ci")
    for _ in range(3):
        candidates = _staged(store, make_model_dir, 2)
        barrier = threading.Barrier(2)
        succeeded: list[int] = []

        def promote_one(version: int) -> None:
            barrier.wait()
            try:
                promote(store, version, reason="race", actor="ci")
                succeeded.append(version)
            except RegistryConflict:
                pass

        threads = [threading.Thread(target=promote_one, args=(version,)) for version in candidates]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert len(succeeded) >= 1
        assert find_inconsistencies(store) == []
        assert get_model_state(store).production_history[-len(succeeded):] == tuple(succeeded)


def test_promotion_cancelled_at_audit_write(store, make_model_dir, monkeypatch):
    # GIVEN an audit entry already stored under the key the promotion will use
    _staged(store, make_model_dir, 2)
    promote(store, 1, reason="first", actor="alice")
    existing = read_entries(store)[-1]
    state_before = get_model_state(store)
    stages_before = _stages(store)
    real_new_entry = transitions_module.new_entry

    def colliding_entry(*args: Any, **kwargs: Any):
        entry = real_new_entry(*args, **kwargs)
        return dataclasses.replace(entry, at=existing.at, entry_id=existing.entry_id)

    monkeypatch.setattr(transitions_module, "new_entry", colliding_entry)

    # WHEN the last write of the promotion transaction fails its condition
    with pytest.raises(RegistryConflict, match=r"audit entry \(ConditionalCheckFailed\)"):
        promote(store, 2, reason="collides", actor="alice")

    # THEN the pointer, both versions and the stored entry are as before
    assert get_model_state(store) == state_before
    assert _stages(store) == stages_before
    assert read_entries(store)[-1] == existing
    assert find_inconsistencies(store) == []


def test_promotion_cancelled_when_production_changed(store, make_model_dir):
    _staged(store, make_model_dir, 2)
    promote(store, 1, reason="first", actor="alice")
    # Another writer archives version 1 between the promotion's read and its write.
    sneaky_update = {
        "TableName": store.registry_table,
        "Key": {"pk": {"S": "MODEL#churn"}, "sk": {"S": "VERSION#0000000001"}},
        "UpdateExpression": "SET #stage = :archived",
        "ExpressionAttributeNames": {"#stage": "stage"},
        "ExpressionAttributeValues": {":archived": {"S": "Archived"}},
    }
    real_client = store.dynamodb
    interfering_store = dataclasses.replace(
        store,
        dynamodb=_ClientProxy(
            real_client, before_transaction=lambda: real_client.update_item(**sneaky_update)
        ),
    )

    with pytest.raises(RegistryConflict, match=r"version 1 \(ConditionalCheckFailed\)"):
        promote(interfering_store, 2, reason="interrupted", actor="alice")

    assert get_model_state(store).production_version == 1
    assert get_version(store, 2).stage is Stage.STAGING
    assert len(read_entries(store, event=AuditEvent.PROMOTE)) == 1


def test_promotion_connection_failure_changes_nothing(store, make_model_dir):
    _staged(store, make_model_dir, 2)
    promote(store, 1, reason="first", actor="alice")
    state_before = get_model_state(store)

    def fail() -> None:
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")

    failing_store = dataclasses.replace(
        store, dynamodb=_ClientProxy(store.dynamodb, before_transaction=fail)
    )
    with pytest.raises(StoreUnavailable, match="TransactWriteItems"):
        promote(failing_store, 2, reason="network down", actor="alice")

    assert get_model_state(store) == state_before
    assert _stages(store) == {1: Stage.PRODUCTION, 2: Stage.STAGING}


def test_promotion_lost_response_retry_rejected(store, make_model_dir):
    # GIVEN a promotion whose transaction commits but whose response is lost
    _staged(store, make_model_dir, 2)
    promote(store, 1, reason="first", actor="alice")

    def lose_response() -> None:
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")

    lossy_store = dataclasses.replace(
        store, dynamodb=_ClientProxy(store.dynamodb, after_transaction=lose_response)
    )
    with pytest.raises(StoreUnavailable):
        promote(lossy_store, 2, reason="flaky network", actor="alice")

    # THEN the registry is consistent, and a retry reports that the version already serves
    assert find_inconsistencies(store) == []
    assert production_version(store).version == 2
    with pytest.raises(IllegalTransition, match="version 2 cannot move from Production"):
        promote(store, 2, reason="retry", actor="alice")


def test_rollback_restores_previous_version(store, make_model_dir):
    _staged(store, make_model_dir, 3)
    for version in (1, 2, 3):
        promote(store, version, reason=f"ship {version}", actor="alice")

    restored = rollback(store, reason="version 3 misbehaves", actor="bob")

    assert restored.version == 2
    assert _stages(store) == {1: Stage.ARCHIVED, 2: Stage.PRODUCTION, 3: Stage.ARCHIVED}
    assert get_model_state(store).production_history == (1, 2)
    entry = read_entries(store, event=AuditEvent.ROLLBACK)[-1]
    assert entry.details == {"from_version": 3, "to_version": 2}
    assert entry.actor == "bob"
    assert entry.reason == "version 3 misbehaves"
    assert find_inconsistencies(store) == []

    assert rollback(store, reason="again", actor="bob").version == 1
    with pytest.raises(NoRollbackTarget, match=r"history: \[1\]"):
        rollback(store, reason="nothing left", actor="bob")
    assert production_version(store).version == 1


def test_rollback_without_production_rejected(store, make_model_dir):
    _staged(store, make_model_dir, 1)

    with pytest.raises(NoRollbackTarget, match="no earlier Production version"):
        rollback(store, reason="nothing", actor="bob")


def test_rollback_stale_state_rejected(store, make_model_dir):
    # GIVEN a rollback that read the state before another promotion committed
    _staged(store, make_model_dir, 3)
    promote(store, 1, reason="first", actor="alice")
    promote(store, 2, reason="second", actor="alice")

    def promote_three_first() -> None:
        promote(store, 3, reason="concurrent", actor="carol")

    racing_store = dataclasses.replace(
        store, dynamodb=_ClientProxy(store.dynamodb, before_transaction=promote_three_first)
    )

    with pytest.raises(RegistryConflict, match="now serves version 3"):
        rollback(racing_store, reason="stale", actor="bob")

    assert production_version(store).version == 3
    assert get_model_state(store).production_history == (1, 2, 3)
    assert find_inconsistencies(store) == []


def test_promote_archived_version_directly(store, make_model_dir):
    _staged(store, make_model_dir, 2)
    promote(store, 1, reason="first", actor="alice")
    promote(store, 2, reason="second", actor="alice")

    promote(store, 1, reason="back to the first", actor="alice")

    assert _stages(store) == {1: Stage.PRODUCTION, 2: Stage.ARCHIVED}
    assert get_model_state(store).production_history == (1, 2, 1)
    assert rollback(store, reason="undo", actor="alice").version == 2


def test_transition_requires_reason(store, make_model_dir):
    from churnops.registry import InvalidRegistryValue

    register(store, make_model_dir("run-001"), reason="train", actor="ci")

    with pytest.raises(InvalidRegistryValue, match="reason is missing"):
        transition(store, 1, Stage.STAGING, reason="  ", actor="ci")

    assert get_version(store, 1).stage is Stage.NONE
