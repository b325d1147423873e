"""Float and Decimal conversion for DynamoDB items (no AWS needed)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from churnops.registry.dynamo import deserialize_item, from_dynamo, serialize_item, to_dynamo
from churnops.registry.errors import InvalidRegistryValue


@pytest.mark.parametrize(
    "value",
    [0.1, 0.30000000000000004, 1e-12, 123456.789, -2.5e100, 0.0, 1 / 3],
)
def test_float_round_trip_exact(value):
    item = deserialize_item(serialize_item({"metric": value}))

    assert item["metric"] == value


def test_nested_values_converted():
    converted = to_dynamo({"a": [1.5, {"b": np.float64(0.25)}], "n": np.int64(3), "ok": True})

    assert converted == {"a": [Decimal("1.5"), {"b": Decimal("0.25")}], "n": 3, "ok": True}
    assert isinstance(converted["n"], int)
    assert converted["ok"] is True


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ({"holdout": {"auc": float("nan")}}, r"item\.holdout\.auc: nan"),
        ({"bins": [0.1, float("inf")]}, r"item\.bins\[1\]: inf"),
        ({"score": Decimal("NaN")}, r"item\.score: NaN"),
    ],
)
def test_non_finite_rejected_naming_key(value, path):
    with pytest.raises(InvalidRegistryValue, match=path):
        to_dynamo(value, "item")


def test_out_of_range_rejected():
    with pytest.raises(InvalidRegistryValue, match=r"value: 1E\+200 is above"):
        to_dynamo(1e200)


def test_underflow_stored_as_zero():
    assert to_dynamo(1e-200) == Decimal(0)


def test_unsupported_type_rejected():
    with pytest.raises(InvalidRegistryValue, match="metrics.when: values of type object"):
        to_dynamo({"when": object()}, "metrics")


def test_integral_decimals_read_as_int():
    assert from_dynamo({"n": Decimal("3"), "x": Decimal("3.5"), "s": {Decimal("1")}}) == {
        "n": 3,
        "x": 3.5,
        "s": {1},
    }
