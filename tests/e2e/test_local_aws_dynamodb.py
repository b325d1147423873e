"""DynamoDB on the local endpoint: the writes the model registry depends on."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.e2e


@pytest.fixture
def table(aws, unique):
    """A registry-shaped table: model name + version key, and an index by stage."""
    client = aws("dynamodb")
    name = unique("e2e-registry")
    client.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": "model_name", "AttributeType": "S"},
            {"AttributeName": "model_version", "AttributeType": "N"},
            {"AttributeName": "stage", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "model_name", "KeyType": "HASH"},
            {"AttributeName": "model_version", "KeyType": "RANGE"},
        ],
        GlobalSecondaryIndexes=[{
            "IndexName": "by_stage",
            "KeySchema": [
                {"AttributeName": "stage", "KeyType": "HASH"},
                {"AttributeName": "model_version", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }],
        BillingMode="PAY_PER_REQUEST",
    )
    client.get_waiter("table_exists").wait(TableName=name)
    yield name
    client.delete_table(TableName=name)


def version_item(version: int, stage: str) -> dict:
    return {"model_name": {"S": "churn"}, "model_version": {"N": str(version)},
            "stage": {"S": stage}}


def test_conditional_put_rejects_duplicate(aws, table):
    client = aws("dynamodb")
    condition = "attribute_not_exists(model_version)"
    client.put_item(TableName=table, Item=version_item(1, "None"), ConditionExpression=condition)
    with pytest.raises(ClientError, match="ConditionalCheckFailedException"):
        client.put_item(
            TableName=table, Item=version_item(1, "Staging"), ConditionExpression=condition
        )
    key = {"model_name": {"S": "churn"}, "model_version": {"N": "1"}}
    assert client.get_item(TableName=table, Key=key)["Item"]["stage"] == {"S": "None"}


def test_atomic_counter_increments(aws, table):
    client = aws("dynamodb")
    key = {"model_name": {"S": "churn"}, "model_version": {"N": "0"}}
    values = []
    for _ in range(3):
        updated = client.update_item(
            TableName=table, Key=key, UpdateExpression="ADD next_version :one",
            ExpressionAttributeValues={":one": {"N": "1"}}, ReturnValues="UPDATED_NEW",
        )
        values.append(updated["Attributes"]["next_version"]["N"])
    assert values == ["1", "2", "3"]


def promote(client, table: str, old: int, new: int) -> None:
    """Move `old` from Production to Archived and `new` from Staging to Production."""
    def move(version: int, expected: str, target: str) -> dict:
        return {"Update": {
            "TableName": table,
            "Key": {"model_name": {"S": "churn"}, "model_version": {"N": str(version)}},
            "UpdateExpression": "SET stage = :target",
            "ConditionExpression": "stage = :expected",
            "ExpressionAttributeValues": {":target": {"S": target}, ":expected": {"S": expected}},
        }}

    client.transact_write_items(
        TransactItems=[move(old, "Production", "Archived"), move(new, "Staging", "Production")]
    )


def stages(client, table: str) -> dict[int, str]:
    items = client.scan(TableName=table)["Items"]
    return {int(item["model_version"]["N"]): item["stage"]["S"] for item in items}


def test_transaction_commits_both_writes(aws, table):
    client = aws("dynamodb")
    client.put_item(TableName=table, Item=version_item(1, "Production"))
    client.put_item(TableName=table, Item=version_item(2, "Staging"))
    promote(client, table, old=1, new=2)
    assert stages(client, table) == {1: "Archived", 2: "Production"}


def test_transaction_cancelled_whole(aws, table):
    client = aws("dynamodb")
    client.put_item(TableName=table, Item=version_item(1, "Production"))
    client.put_item(TableName=table, Item=version_item(2, "None"))  # not in Staging
    with pytest.raises(ClientError, match="TransactionCanceledException") as caught:
        promote(client, table, old=1, new=2)
    reasons = [reason["Code"] for reason in caught.value.response["CancellationReasons"]]
    assert reasons == ["None", "ConditionalCheckFailed"]
    assert stages(client, table) == {1: "Production", 2: "None"}


def test_query_on_index_by_stage(aws, table):
    client = aws("dynamodb")
    for version, stage in [(1, "Archived"), (2, "Production"), (3, "Archived")]:
        client.put_item(TableName=table, Item=version_item(version, stage))
    found = client.query(
        TableName=table, IndexName="by_stage",
        KeyConditionExpression="stage = :stage",
        ExpressionAttributeValues={":stage": {"S": "Archived"}},
        ScanIndexForward=False,
    )["Items"]
    assert [item["model_version"]["N"] for item in found] == ["3", "1"]


def test_ttl_setting_round_trips(aws, table):
    client = aws("dynamodb")
    client.update_time_to_live(
        TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
    )
    described = client.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    assert described["TimeToLiveStatus"] == "ENABLED"
    assert described["AttributeName"] == "expires_at"


def test_cancelled_transaction_keeps_concurrent_commits(aws, table):
    """A transaction cancelled beside committing ones must not undo their writes."""
    import threading

    client = aws("dynamodb")
    key = {"model_name": {"S": "counter"}, "model_version": {"N": "0"}}
    client.put_item(TableName=table, Item={**key, "count": {"N": "0"}, "stage": {"S": "None"}})
    # A larger table makes moto's copy-and-restore slower, so the race window is wider.
    for start in range(1, 1001, 25):
        client.batch_write_item(RequestItems={table: [
            {"PutRequest": {"Item": {"model_name": {"S": "filler"}, "model_version": {"N": str(n)},
                                     "stage": {"S": "None"}}}}
            for n in range(start, start + 25)
        ]})
    committed = []

    def increment() -> None:
        for _ in range(60):
            client.transact_write_items(TransactItems=[{"Update": {
                "TableName": table, "Key": key, "UpdateExpression": "ADD #c :one",
                "ExpressionAttributeNames": {"#c": "count"},
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }}])
            committed.append(1)

    def cancel() -> None:
        for _ in range(60):
            with pytest.raises(ClientError, match="TransactionCanceled"):
                client.transact_write_items(TransactItems=[
                    {"Update": {
                        "TableName": table, "Key": key, "UpdateExpression": "SET stage = :s",
                        "ExpressionAttributeValues": {":s": {"S": "Staging"}},
                    }},
                    {"Put": {
                        "TableName": table, "Item": {**key, "stage": {"S": "x"}},
                        "ConditionExpression": "attribute_not_exists(model_name)",
                    }},
                ])

    threads = [threading.Thread(target=increment), threading.Thread(target=cancel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    item = client.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]
    assert int(item["count"]["N"]) == len(committed) == 60
