"""The main job's lifecycle through the stack deployed to LocalStack with cdklocal."""

from __future__ import annotations

import uuid

import pytest

from churnops import deploy
from scripts import lifecycle


@pytest.fixture(scope="module")
def stack(endpoint):
    """Deploy the stack under a model name of its own, so no earlier run's state interferes."""
    model_name = f"churn-e2e-{uuid.uuid4().hex[:6]}"
    return deploy.deploy(endpoint, log=print, context={"model_name": model_name})


def test_lifecycle_end_to_end(stack, tmp_path):
    summary = lifecycle.run(stack, tmp_path, print)
    assert summary["versions_served"]["scoring"] == [1]
    assert summary["versions_served"]["after_approval"] == 2
    assert summary["versions_served"]["after_rollback"] == 1
    assert summary["drift_detected"] is True
    assert summary["workflow_status"] == "SUCCEEDED"
    assert summary["holdout_auc"]["v1"] >= 0.84
    assert summary["ok"] is True


def test_api_rejects_missing_key(stack):
    from churnops.http import request_json

    status, _ = request_json("GET", f"{stack.api_url}/model")
    assert status == 403


def test_api_lists_every_bad_field(stack, endpoint):
    import boto3

    from churnops.http import request_json

    key = stack.api_key(boto3.Session(region_name="us-east-1"))
    status, body = request_json("POST", f"{stack.api_url}/predict", {"tenure": -1}, key)
    assert status in (400, 503)
    if status == 400:
        fields = {error["field"] for error in body["errors"]}
        assert {"tenure", "customer_id", "contract"} <= fields
