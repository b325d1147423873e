"""cdk-nag AwsSolutions: synthesis fails on any finding not acknowledged with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from aws_cdk import App
from aws_cdk import aws_s3 as s3

from infra.app import build_app

from .conftest import cdk_context, write_inputs

MIN_REASON_CHARS = 40


def test_every_acknowledgement_has_reason(synthesised):
    acknowledged = []
    for logical_id, resource in synthesised.resources.items():
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", []):
            if rule["id"].startswith("AwsSolutions-"):
                acknowledged.append((logical_id, rule["id"]))
                assert len(rule["reason"]) >= MIN_REASON_CHARS, (logical_id, rule)
    # A fixed set: a new acknowledgement must be reviewed and added here on purpose.
    rules = {rule.split("[")[0] for _, rule in acknowledged}
    assert rules == {
        "AwsSolutions-S1",
        "AwsSolutions-L1",
        "AwsSolutions-IAM4",
        "AwsSolutions-IAM5",
        "AwsSolutions-APIG3",
        "AwsSolutions-APIG4",
        "AwsSolutions-COG4",
        "AwsSolutions-SNS2",
    }


def test_no_blanket_wildcard_acknowledged(synthesised):
    for logical_id, resource in synthesised.resources.items():
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", []):
            if rule["id"].startswith("AwsSolutions-IAM5"):
                assert "[" in rule["id"], f"{logical_id} acknowledges IAM5 as a whole"


def test_unacknowledged_finding_fails_synth(tmp_path: Path):
    asl_path, build_dir = write_inputs(tmp_path)
    app = App(
        context=cdk_context(asl_path=str(asl_path), build_dir=str(build_dir)),
        outdir=str(tmp_path / "cdk.out"),
    )
    _, stack = build_app(app)
    s3.Bucket(stack, "Careless")  # no encryption policy, no TLS, no access logs
    with pytest.raises(Exception, match="ValidationFailed") as failure:
        app.synth()
    message = str(failure.value)
    assert "churnops/Careless/Resource" in message
    assert "AwsSolutions-S1'" in message
    assert "AwsSolutions-S10'" in message
    # Only the new bucket fails: the rest of the stack stays clean.
    assert message.count("Acknowledge with") == 2
