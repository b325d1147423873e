"""Triggers on the local endpoint: an EventBridge schedule and an API Gateway REST proxy."""

from __future__ import annotations

import json
import urllib.request

import pytest

pytestmark = pytest.mark.e2e

# Echoes the request as API Gateway's Lambda proxy integration (REST, v1) delivers it.
ECHO = """
import json


def handler(event, context):
    body = {
        "method": event["httpMethod"],
        "path": event["path"],
        "proxy": event["pathParameters"]["proxy"],
        "query": event["queryStringParameters"],
        "body": json.loads(event["body"]) if event["body"] else None,
    }
    return {"statusCode": 201, "headers": {"Content-Type": "application/json"},
            "body": json.dumps(body)}
"""

# Records each scheduled event it receives in a queue.
RECORD = """
import json
import os

import boto3


def handler(event, context):
    sqs = boto3.client("sqs")
    sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=json.dumps(event))
"""


def test_scheduled_rule_runs_lambda(aws, lambda_function, unique, wait_for):
    # GIVEN a Lambda that records its events, targeted by a rate(1 minute) rule
    sqs = aws("sqs")
    queue_url = sqs.create_queue(QueueName=unique("e2e-schedule"))["QueueUrl"]
    name = lambda_function(
        {"app.py": RECORD}, Environment={"Variables": {"QUEUE_URL": queue_url}}
    )
    function_arn = aws("lambda").get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    events = aws("events")
    rule = unique("e2e-daily-check")
    rule_arn = events.put_rule(Name=rule, ScheduleExpression="rate(1 minute)")["RuleArn"]
    aws("lambda").add_permission(
        FunctionName=name, StatementId="events", Action="lambda:InvokeFunction",
        Principal="events.amazonaws.com", SourceArn=rule_arn,
    )
    events.put_targets(Rule=rule, Targets=[{"Id": "monitor", "Arn": function_arn}])

    # WHEN the schedule fires (within about a minute)
    def received():
        """the scheduled event reached the function"""
        reply = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=5)
        return reply.get("Messages")

    try:
        messages = wait_for(received, timeout=100, interval=0)
    finally:
        events.remove_targets(Rule=rule, Ids=["monitor"])
        events.delete_rule(Name=rule)
        sqs.delete_queue(QueueUrl=queue_url)

    # THEN the function got a Scheduled Event from the rule
    event = json.loads(messages[0]["Body"])
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    assert rule_arn in event["resources"]


@pytest.fixture
def rest_api(aws, lambda_function, unique):
    """A REST API with an ANY /{proxy+} route integrated with a Lambda (proxy integration)."""
    name = lambda_function({"app.py": ECHO})
    function_arn = aws("lambda").get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    apigateway = aws("apigateway")
    api_id = apigateway.create_rest_api(name=unique("e2e-api"))["id"]
    root_id = apigateway.get_resources(restApiId=api_id)["items"][0]["id"]
    proxy_id = apigateway.create_resource(
        restApiId=api_id, parentId=root_id, pathPart="{proxy+}"
    )["id"]
    apigateway.put_method(
        restApiId=api_id, resourceId=proxy_id, httpMethod="ANY", authorizationType="NONE"
    )
    apigateway.put_integration(
        restApiId=api_id, resourceId=proxy_id, httpMethod="ANY", type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{function_arn}"
        "/invocations",
    )
    apigateway.create_deployment(restApiId=api_id, stageName="test")
    yield api_id
    apigateway.delete_rest_api(restApiId=api_id)


def test_rest_proxy_route_reaches_lambda(endpoint, rest_api):
    url = f"{endpoint}/restapis/{rest_api}/test/_user_request_/predict/batch?dry_run=1"
    request = urllib.request.Request(
        url, data=json.dumps({"customer_id": "7590-VHVEG"}).encode(), method="POST",
        headers={"Content-Type": "application/json"},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=30) as response:
        status = response.status
        body = json.loads(response.read())
    assert status == 201
    assert body["method"] == "POST"
    assert body["path"] == "/predict/batch"
    assert body["proxy"] == "predict/batch"
    assert body["query"] == {"dry_run": "1"}
    assert body["body"] == {"customer_id": "7590-VHVEG"}
