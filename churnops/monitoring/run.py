"""One monitor run: check the window, store the report, audit it, act on alarms.

An alarm (data drift, or realised AUC below the validation AUC by more than the
margin) starts the retrain workflow under the execution name
`{model}-retrain-{YYYYMMDD}`. Step Functions refuses a second execution with a
name already used, so a second alarm for the same model on the same day starts
nothing.
"""

from __future__ import annotations

import html
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.exceptions import ClientError

from churnops.drift import check_drift
from churnops.drift.report import render_html, report_json
from churnops.monitoring.settings import MonitorSettings
from churnops.monitoring.window import window_arrays
from churnops.performance import assess_performance
from churnops.registry import AuditEvent, record_event
from churnops.registry.artifacts import PROFILE_FILE, download_verified
from churnops.registry.store import RegistryStore
from churnops.registry.transitions import production_version
from churnops.schema import Schema
from churnops.serving.prediction_log import PredictionLog

logger = logging.getLogger(__name__)
ACTOR = "monitor"


@dataclass
class Monitor:
    """Everything one run needs: the registry, the prediction log and AWS clients."""

    store: RegistryStore
    log: PredictionLog
    stepfunctions: Any
    events: Any
    settings: MonitorSettings

    @classmethod
    def from_env(cls) -> Monitor:
        settings = MonitorSettings.from_env()
        session = boto3.session.Session()
        store = RegistryStore.from_settings(settings.resources, session)
        log = PredictionLog(store.dynamodb, settings.resources.predictions_table, settings.resources.model_name)
        return cls(store, log, session.client("stepfunctions"), session.client("events"), settings)

    def run(self, now: datetime | None = None) -> dict[str, Any]:
        """Check the window ending at `now`; return a summary of what was found and done."""
        now = now or datetime.now(UTC)
        record = production_version(self.store)
        profile_file = record.artifacts[PROFILE_FILE]
        profile = json.loads(download_verified(self.store, profile_file["key"], profile_file["sha256"]))
        start = now - timedelta(days=self.settings.window_days)
        items = list(self.log.read_window(start, now))
        frame, scores, labels = window_arrays(items, Schema.from_dict(profile["schema"]))

        drift = check_drift(profile, frame, self.settings.drift, scores if len(scores) else None)
        performance = assess_performance(scores, labels, float(record.metrics["auc"]), self.settings.performance)
        reasons = [f"drift: {drift['reason']}"] if drift["drift_detected"] else []
        if performance["alarm"]:
            reasons.append(f"performance: {performance['reason']}")
        summary = {
            "model_name": record.model_name,
            "model_version": record.version,
            "window": {"start": start.isoformat(), "end": now.isoformat(), "rows": len(items)},
            "drift_detected": drift["drift_detected"],
            "drift_verdict": drift["verdict"],
            "performance_verdict": performance["verdict"],
            "estimated_auc": performance["estimated_auc"],
            "realised_auc": performance["realised_auc"],
            "alarm": bool(reasons),
            "reasons": reasons,
        }
        summary["report"] = self._store_report(record.version, now, drift, performance, summary)
        self._audit(record.version, summary)
        summary["retrain"] = self._start_retrain(now, summary) if reasons else {"status": "not needed"}
        self._publish(summary)
        logger.info("monitor run for %s v%d: alarm=%s", record.model_name, record.version, summary["alarm"])
        return summary

    def _store_report(self, version: int, now: datetime, drift: dict, performance: dict,
                      summary: dict) -> dict[str, str]:
        prefix = f"models/{self.store.model_name}/v{version}/reports/{now:%Y-%m-%d}/monitor-{now:%H%M%S}"
        document = json.loads(report_json({**summary, "drift": drift, "performance": performance}))
        page = render_html(drift, title=f"{self.store.model_name} v{version}: drift report {now:%Y-%m-%d}")
        page = page.replace("</body>", _performance_html(performance) + "</body>")
        keys = {"json": f"{prefix}.json", "html": f"{prefix}.html"}
        self.store.s3.put_object(Bucket=self.store.bucket, Key=keys["json"], ContentType="application/json",
                                 Body=json.dumps(document, indent=2).encode())
        self.store.s3.put_object(Bucket=self.store.bucket, Key=keys["html"],
                                 ContentType="text/html; charset=utf-8", Body=page.encode())
        return {name: f"s3://{self.store.bucket}/{key}" for name, key in keys.items()}

    def _audit(self, version: int, summary: dict[str, Any]) -> None:
        event = AuditEvent.DRIFT_ALARM if summary["alarm"] else AuditEvent.MONITOR_RUN
        reason = "; ".join(summary["reasons"]) or "no drift and no decay"
        details = {key: summary[key] for key in ("drift_verdict", "performance_verdict", "report", "window")}
        record_event(self.store, event, reason=reason, actor=ACTOR, version=version, details=details)

    def _start_retrain(self, now: datetime, summary: dict[str, Any]) -> dict[str, Any]:
        if not self.settings.state_machine_arn:
            logger.warning("alarm raised but CHURNOPS_RETRAIN_STATE_MACHINE_ARN is not set; no retrain started")
            return {"status": "not configured"}
        name = f"{self.store.model_name}-retrain-{now:%Y%m%d}"
        payload = {"model_name": self.store.model_name, "trigger": "monitor",
                   "reason": "; ".join(summary["reasons"]), "report": summary["report"]["json"]}
        try:
            response = self.stepfunctions.start_execution(
                stateMachineArn=self.settings.state_machine_arn, name=name, input=json.dumps(payload))
        except ClientError as error:
            if error.response["Error"]["Code"] != "ExecutionAlreadyExists":
                raise
            logger.info("retrain execution %s already exists; not starting another today", name)
            return {"status": "already started today", "execution_name": name}
        record_event(self.store, AuditEvent.RETRAIN_START, reason=payload["reason"], actor=ACTOR,
                     version=summary["model_version"], details={"execution_arn": response["executionArn"]})
        return {"status": "started", "execution_name": name, "execution_arn": response["executionArn"]}

    def _publish(self, summary: dict[str, Any]) -> None:
        entry = {"Source": "churnops.monitor", "DetailType": "Monitor Run Completed",
                 "Detail": json.dumps(summary, default=str), "EventBusName": self.settings.event_bus}
        try:
            failed = self.events.put_events(Entries=[entry]).get("FailedEntryCount", 0)
        except ClientError as error:
            logger.error("failed to publish the monitor event: %s", error)
            return
        if failed:
            logger.error("EventBridge rejected the monitor event")


def _performance_html(performance: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><th>{key}</th><td>{html.escape(str(performance.get(key)))}</td></tr>"
        for key in ("verdict", "reason", "predictions", "labelled", "estimated_auc",
                    "realised_auc", "auc_interval", "validation_auc")
    )
    return f"<h2>Performance</h2><table>{rows}</table>\n"
