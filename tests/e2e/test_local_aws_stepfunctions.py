"""Step Functions on the local endpoint: Lambda tasks and a `.waitForTaskToken` callback."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.e2e

TRAIN = """
def handler(event, context):
    return {"run_id": event["run_id"], "auc": 0.84}
"""

# Stores the task token where an operator's tool (here, the test) can find it.
REQUEST_APPROVAL = """
import boto3


def handler(event, context):
    boto3.client("dynamodb").put_item(
        TableName=event["table"],
        Item={"run_id": {"S": event["run_id"]}, "token": {"S": event["token"]}},
    )
    return {"stored": True}
"""


def definition(train_arn: str, approval_arn: str, table: str) -> str:
    return json.dumps({
        "StartAt": "Train Model",
        "States": {
            "Train Model": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": train_arn, "Payload.$": "$"},
                "ResultSelector": {"auc.$": "$.Payload.auc"},
                "ResultPath": "$.train",
                "Next": "Await Approval",
            },
            "Await Approval": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {
                    "FunctionName": approval_arn,
                    "Payload": {"token.$": "$$.Task.Token", "run_id.$": "$.run_id",
                                "table": table},
                },
                "ResultPath": "$.approval",
                "TimeoutSeconds": 120,
                "End": True,
            },
        },
    })


@pytest.fixture
def workflow(aws, lambda_function, unique):
    """A state machine with a Lambda task and a callback task, and its token table."""
    dynamodb = aws("dynamodb")
    table = unique("e2e-tokens")
    dynamodb.create_table(
        TableName=table,
        AttributeDefinitions=[{"AttributeName": "run_id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "run_id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    lambdas = aws("lambda")
    train_arn = lambdas.get_function(FunctionName=lambda_function({"app.py": TRAIN}))
    approval_arn = lambdas.get_function(FunctionName=lambda_function({"app.py": REQUEST_APPROVAL}))
    stepfunctions = aws("stepfunctions")
    machine = stepfunctions.create_state_machine(
        name=unique("e2e-retrain"),
        definition=definition(
            train_arn["Configuration"]["FunctionArn"],
            approval_arn["Configuration"]["FunctionArn"],
            table,
        ),
        roleArn="arn:aws:iam::000000000000:role/churnops-e2e-states",
    )
    yield machine["stateMachineArn"], table
    stepfunctions.delete_state_machine(stateMachineArn=machine["stateMachineArn"])
    dynamodb.delete_table(TableName=table)


def start_and_get_token(aws, wait_for, machine_arn: str, table: str, run_id: str):
    stepfunctions = aws("stepfunctions")
    execution = stepfunctions.start_execution(
        stateMachineArn=machine_arn, input=json.dumps({"run_id": run_id})
    )

    def token_stored():
        """the approval task stored its token"""
        item = aws("dynamodb").get_item(TableName=table, Key={"run_id": {"S": run_id}})
        return item.get("Item", {}).get("token", {}).get("S")

    return execution["executionArn"], wait_for(token_stored, timeout=30)


def finished(aws, wait_for, execution_arn: str) -> dict:
    def done():
        """the execution left RUNNING"""
        described = aws("stepfunctions").describe_execution(executionArn=execution_arn)
        return described if described["status"] != "RUNNING" else None

    return wait_for(done, timeout=30)


def test_task_token_success_completes(aws, workflow, wait_for, unique):
    machine_arn, table = workflow
    execution_arn, token = start_and_get_token(aws, wait_for, machine_arn, table, unique("run"))
    stepfunctions = aws("stepfunctions")
    assert stepfunctions.describe_execution(executionArn=execution_arn)["status"] == "RUNNING"
    stepfunctions.send_task_success(taskToken=token, output=json.dumps({"approved": True}))
    described = finished(aws, wait_for, execution_arn)
    assert described["status"] == "SUCCEEDED"
    output = json.loads(described["output"])
    assert output["train"] == {"auc": 0.84}
    assert output["approval"] == {"approved": True}
    # A used token is rejected. The error code differs between emulators and AWS:
    # LocalStack returns InvalidToken, MiniStack TaskDoesNotExist, AWS TaskTimedOut.
    with pytest.raises(ClientError) as rejected:
        stepfunctions.send_task_success(taskToken=token, output="{}")
    code = rejected.value.response["Error"]["Code"]
    assert code in ("InvalidToken", "TaskDoesNotExist", "TaskTimedOut")


def test_task_token_failure_fails_execution(aws, workflow, wait_for, unique):
    machine_arn, table = workflow
    execution_arn, token = start_and_get_token(aws, wait_for, machine_arn, table, unique("run"))
    aws("stepfunctions").send_task_failure(
        taskToken=token, error="Rejected", cause="holdout AUC below the bar"
    )
    described = finished(aws, wait_for, execution_arn)
    assert described["status"] == "FAILED"
    assert described["error"] == "Rejected"
    assert described["cause"] == "holdout AUC below the bar"
