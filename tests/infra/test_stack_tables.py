"""DynamoDB tables: on-demand, point-in-time recovery, encrypted, TTL on predictions."""

from __future__ import annotations

import pytest

from churnops import config

TABLES = (
    config.REGISTRY_TABLE_DEFAULT,
    config.AUDIT_TABLE_DEFAULT,
    config.PREDICTIONS_TABLE_DEFAULT,
)


@pytest.mark.parametrize("table_name", TABLES)
def test_table_on_demand_with_recovery(synthesised, table_name):
    synthesised.template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "TableName": table_name,
            "BillingMode": "PAY_PER_REQUEST",
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "SSESpecification": {"SSEEnabled": True},
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
        },
    )


def test_predictions_expire_by_ttl(synthesised):
    synthesised.template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "TableName": config.PREDICTIONS_TABLE_DEFAULT,
            "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True},
        },
    )


@pytest.mark.parametrize(
    "table_name", (config.REGISTRY_TABLE_DEFAULT, config.AUDIT_TABLE_DEFAULT)
)
def test_registry_and_audit_never_expire(synthesised, table_name):
    logical_id = synthesised.logical_id("AWS::DynamoDB::Table", TableName=table_name)
    properties = synthesised.resources[logical_id]["Properties"]
    assert "TimeToLiveSpecification" not in properties


def test_predictions_day_index(synthesised):
    synthesised.template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "TableName": config.PREDICTIONS_TABLE_DEFAULT,
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "by_day",
                    "KeySchema": [
                        {"AttributeName": "day_key", "KeyType": "HASH"},
                        {"AttributeName": "scored_at", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
        },
    )


@pytest.mark.parametrize("table_name", TABLES)
def test_tables_retained_on_stack_delete(synthesised, table_name):
    logical_id = synthesised.logical_id("AWS::DynamoDB::Table", TableName=table_name)
    assert synthesised.resources[logical_id]["DeletionPolicy"] == "Retain"
