"""Request validation: every kind of bad input is named by field and reason."""

from __future__ import annotations

import math

import pytest

from churnops.validation import BatchTooLarge, RequestInvalid, parse_instances, validate_records


def problems(records, schema) -> dict[tuple, str]:
    with pytest.raises(RequestInvalid) as caught:
        validate_records(records, schema)
    return {(e["index"], e["field"]): e["problem"] for e in caught.value.errors}


def test_valid_customer_passes(valid_customer, telco_schema):
    (customer,) = validate_records([valid_customer], telco_schema)
    assert customer["tenure"] == 1
    assert customer["contract"] == "Month-to-month"


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("tenure", "12", "must be a number"),
        ("tenure", -1, "must be >= 0"),
        ("tenure", 1.5, "must be a whole number"),
        ("tenure", math.nan, "must be a finite number"),
        ("monthly_charges", math.inf, "must be a finite number"),
        ("monthly_charges", 1e12, "must be <= 100000"),
        ("total_charges", None, "must be a number"),
        ("senior_citizen", True, "must be a number"),
        ("contract", "Monthly", "expected one of"),
        ("contract", 3, "expected one of"),
        ("customer_id", "", "at least 1"),
    ],
)
def test_bad_value_named_by_field(valid_customer, telco_schema, field, value, expected):
    valid_customer[field] = value
    found = problems([valid_customer], telco_schema)
    assert list(found) == [(0, field)]
    assert expected in found[(0, field)]


def test_unknown_category_lists_allowed_values(valid_customer, telco_schema):
    valid_customer["internet_service"] = "Satellite"
    found = problems([valid_customer], telco_schema)
    assert "'DSL'" in found[(0, "internet_service")]
    assert "'Fiber optic'" in found[(0, "internet_service")]


def test_missing_fields_all_listed(valid_customer, telco_schema):
    del valid_customer["tenure"]
    del valid_customer["gender"]
    found = problems([valid_customer], telco_schema)
    assert found == {(0, "tenure"): "is required", (0, "gender"): "is required"}


def test_errors_across_rows_keep_their_index(valid_customer, telco_schema):
    second = dict(valid_customer, tenure=-5)
    found = problems([valid_customer, second, "not an object"], telco_schema)
    assert (1, "tenure") in found
    assert found[(2, "instances")] == "must be a JSON object"


def test_unicode_and_extra_fields(valid_customer, telco_schema):
    valid_customer["customer_id"] = "Ünïcødé-客户-1"
    valid_customer["favourite_colour"] = "teal"
    (customer,) = validate_records([valid_customer], telco_schema)
    assert customer["customer_id"] == "Ünïcødé-客户-1"
    assert "favourite_colour" not in customer


def test_unicode_lookalike_category_rejected(valid_customer, telco_schema):
    valid_customer["partner"] = "Yеs"  # Cyrillic "е"
    assert (0, "partner") in problems([valid_customer], telco_schema)


def test_messages_do_not_echo_values(valid_customer, telco_schema):
    valid_customer["contract"] = "secret-value-123"
    message = str(problems([valid_customer], telco_schema))
    assert "secret-value-123" not in message


@pytest.mark.parametrize("payload", [[1, 2], "text", 3, None])
def test_non_object_body_rejected(payload):
    with pytest.raises(RequestInvalid) as caught:
        parse_instances(payload)
    assert caught.value.errors[0]["field"] == "body"


def test_empty_batch_rejected():
    with pytest.raises(RequestInvalid, match="at least one customer"):
        parse_instances({"instances": []})


def test_instances_must_be_a_list():
    with pytest.raises(RequestInvalid, match="must be a list"):
        parse_instances({"instances": {"a": 1}})


def test_batch_over_limit_rejected(valid_customer):
    with pytest.raises(BatchTooLarge, match="10000 customers exceeds the limit of 1000"):
        parse_instances({"instances": [valid_customer] * 10_000})


def test_single_object_is_a_batch_of_one(valid_customer):
    assert parse_instances(valid_customer) == [valid_customer]
