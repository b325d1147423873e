"""Audit log: append-only, one entry per change, readable by model and time range."""

from __future__ import annotations

import dataclasses
import getpass
import json

import pytest

from churnops.registry import (
    AuditEntryExists,
    AuditEvent,
    InvalidRegistryValue,
    RegistryStore,
    Stage,
    promote,
    read_entries,
    record_event,
    register,
    rollback,
    to_json_lines,
    transition,
)
from churnops.registry import audit as audit_module


def test_every_change_writes_one_entry(store, make_model_dir, monkeypatch):
    monkeypatch.setenv("CHURNOPS_ACTOR", "release-bot")
    for run_id in ("run-1", "run-2"):
        register(store, make_model_dir(run_id), reason=f"trained {run_id}")
    transition(store, 1, Stage.STAGING, reason="validate 1")
    promote(store, 1, reason="ship 1")
    transition(store, 2, Stage.STAGING, reason="validate 2")
    promote(store, 2, reason="ship 2")
    rollback(store, reason="2 misbehaves")
    record_event(store, AuditEvent.DRIFT_ALARM, reason="tenure drifted", details={"psi": 0.31})

    entries = read_entries(store)

    assert [(entry.event.value, entry.version) for entry in entries] == [
        ("register", 1),
        ("register", 2),
        ("transition", 1),
        ("promote", 1),
        ("transition", 2),
        ("promote", 2),
        ("rollback", 1),
        ("drift_alarm", None),
    ]
    assert {entry.actor for entry in entries} == {"release-bot"}
    assert [entry.reason for entry in entries][-2:] == ["2 misbehaves", "tenure drifted"]
    assert entries[-1].details == {"psi": 0.31}
    assert [entry.at for entry in entries] == sorted(entry.at for entry in entries)


def test_append_same_key_rejected(store):
    entry = record_event(store, AuditEvent.APPROVE, reason="looks good", actor="alice", version=3)
    rewritten = dataclasses.replace(entry, reason="rewritten", actor="mallory")

    with pytest.raises(AuditEntryExists, match="audit entries are never overwritten"):
        audit_module.append(store, rewritten)

    stored = read_entries(store)
    assert stored == [entry]


def test_module_offers_no_update_or_delete():
    public = [name for name in dir(audit_module) if not name.startswith("_")]

    assert not [name for name in public if "delete" in name or "update" in name]


def test_read_entries_time_range(store, monkeypatch):
    times = iter(
        [
            "2026-03-01T09:00:00.000000Z",
            "2026-03-02T09:00:00.000000Z",
            "2026-03-03T09:00:00.000000Z",
        ]
    )
    monkeypatch.setattr(audit_module, "utc_now", lambda: next(times))
    for event in (AuditEvent.RETRAIN_START, AuditEvent.APPROVE, AuditEvent.REJECT):
        record_event(store, event, reason=str(event), actor="ci")

    middle = read_entries(store, since="2026-03-02T09:00:00Z", until="2026-03-02T09:00:00Z")
    from_second = read_entries(store, since="2026-03-02")
    until_second = read_entries(store, until="2026-03-02T10:00:00+01:00")
    approvals = read_entries(store, event="approve")

    assert [entry.event for entry in middle] == [AuditEvent.APPROVE]
    assert [entry.event for entry in from_second] == [AuditEvent.APPROVE, AuditEvent.REJECT]
    assert [entry.event for entry in until_second] == [AuditEvent.RETRAIN_START, AuditEvent.APPROVE]
    assert [entry.event for entry in approvals] == [AuditEvent.APPROVE]


def test_read_entries_by_model(store):
    other = RegistryStore(
        dynamodb=store.dynamodb,
        s3=store.s3,
        registry_table=store.registry_table,
        audit_table=store.audit_table,
        bucket=store.bucket,
        model_name="upsell",
    )
    record_event(store, AuditEvent.RETRAIN_START, reason="churn drifted", actor="ci")
    record_event(other, AuditEvent.RETRAIN_START, reason="upsell drifted", actor="ci")

    churn_entries = read_entries(store)
    upsell_entries = read_entries(store, model_name="upsell")

    assert [entry.reason for entry in churn_entries] == ["churn drifted"]
    assert [entry.reason for entry in upsell_entries] == ["upsell drifted"]


def test_read_entries_invalid_time_rejected(store):
    with pytest.raises(InvalidRegistryValue, match="since 'yesterday' is not an ISO 8601 time"):
        read_entries(store, since="yesterday")


def test_record_event_rejects_unknown_event(store):
    with pytest.raises(InvalidRegistryValue, match="audit event 'deploy' is invalid.*promote"):
        record_event(store, "deploy", reason="x", actor="ci")


def test_record_event_rejects_nan_detail(store):
    with pytest.raises(InvalidRegistryValue, match=r"details\.psi: nan cannot be stored"):
        record_event(store, AuditEvent.DRIFT_ALARM, reason="x", details={"psi": float("nan")})

    assert read_entries(store) == []


def test_record_event_requires_reason(store):
    with pytest.raises(InvalidRegistryValue, match="reason is missing"):
        record_event(store, AuditEvent.APPROVE, reason="", actor="alice")


def test_actor_defaults_to_os_user(store):
    entry = record_event(store, AuditEvent.APPROVE, reason="ok")

    assert entry.actor == getpass.getuser()


def test_json_lines_export(store):
    for version in (1, 2):
        record_event(store, AuditEvent.APPROVE, reason="ok", actor="alice", version=version)

    lines = to_json_lines(read_entries(store)).splitlines()

    assert len(lines) == 2
    assert [json.loads(line)["version"] for line in lines] == [1, 2]
    assert json.loads(lines[0])["event"] == "approve"


def test_audit_cli_json_lines_and_table(store, run_cli):
    record_event(store, AuditEvent.RETRAIN_START, reason="drift on tenure", actor="monitor")
    record_event(store, AuditEvent.REJECT, reason="AUC too low", actor="alice", version=4)

    code, out, _ = run_cli("audit", "--json")
    code_table, table, _ = run_cli("audit", "--event", "reject")
    code_future, future, _ = run_cli("audit", "--since", "2999-01-01", "--json")

    assert code == 0
    assert [json.loads(line)["event"] for line in out.splitlines()] == ["retrain_start", "reject"]
    assert code_table == 0
    assert table.splitlines()[0].split()[:4] == ["TIME", "(UTC)", "EVENT", "VERSION"]
    assert "AUC too low" in table
    assert "drift on tenure" not in table
    assert code_future == 0
    assert future == ""


def test_audit_cli_bad_time_exits_2(store, run_cli):
    code, _, err = run_cli("audit", "--until", "soon")

    assert code == 2
    assert "until 'soon' is not an ISO 8601 time" in err
